#include "core/lowering/lowering.h"

#include "core/lowering/passes/passes.h"
#include "core/util/macros.h"
#include "torch/csrc/jit/passes/constant_pooling.h"
#include "torch/csrc/jit/passes/constant_propagation.h"
#include "torch/csrc/jit/passes/dead_code_elimination.h"
#include "torch/csrc/jit/passes/freeze_module.h"
#include "torch/csrc/jit/passes/inliner.h"
#include "torch/csrc/jit/passes/loop_unrolling.h"
#include "torch/csrc/jit/passes/lower_tuples.h"
#include "torch/csrc/jit/passes/remove_mutation.h"

namespace torch_tensorrt {
namespace core {
namespace lowering {

torch::jit::Module LowerModule(const torch::jit::Module& mod, const LowerInfo& info) {
  torch::jit::Module copy = mod.clone();
  copy.eval();
  if (info.unfreeze_module) return copy;
  return torch::jit::freeze_module(copy);
}

std::shared_ptr<torch::jit::Graph> LowerGraph(const torch::jit::Module& frozen, const std::string& method_name) {
  auto method = frozen.find_method(method_name);
  TORCHTRT_CHECK(method, "the module has no method '" << method_name << "'");
  auto graph = method->graph()->copy();
  torch::jit::Inline(*graph);
  // In-place ops on values nothing else aliases become their functional forms, so converters and
  // partitioning see plain data flow; the remaining ones keep TorchScript's semantics.
  torch::jit::RemoveListMutation(graph);
  torch::jit::RemoveTensorMutation(graph);
  passes::RemoveDropout(graph);
  passes::ConvToConvolution(graph);
  passes::LinearToMatmulAdd(graph);
  torch::jit::LowerSimpleTuples(graph);
  torch::jit::ConstantPropagation(graph);
  // Loops with a constant trip count and a small body are unrolled (PyTorch's own size limits), so
  // their bodies join the surrounding engine instead of calling an engine per iteration.
  if (torch::jit::UnrollConstantLoops(graph)) torch::jit::ConstantPropagation(graph);
  torch::jit::ConstantPooling(graph);
  torch::jit::EliminateDeadCode(graph);
  LOG_GRAPH("Lowered graph: " << *graph);
  return graph;
}

}  // namespace lowering
}  // namespace core
}  // namespace torch_tensorrt
