#include "core/lowering/lowering.h"

#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "core/lowering/passes/passes.h"
#include "core/util/macros.h"
#include "torch/csrc/jit/api/function_impl.h"
#include "torch/csrc/jit/passes/constant_pooling.h"
#include "torch/csrc/jit/passes/constant_propagation.h"
#include "torch/csrc/jit/passes/dead_code_elimination.h"
#include "torch/csrc/jit/passes/freeze_module.h"
#include "torch/csrc/jit/passes/inliner.h"
#include "torch/csrc/jit/passes/loop_unrolling.h"
#include "torch/csrc/jit/passes/lower_tuples.h"
#include "torch/csrc/jit/passes/normalize_ops.h"
#include "torch/csrc/jit/passes/remove_mutation.h"

namespace torch_tensorrt {
namespace core {
namespace lowering {

namespace {
// Cloning registers types in a compilation unit that other threads' compiles may share (every
// module Python traces or scripts lives in one); its tables are not thread-safe.
std::mutex& compilationUnitMutex() {
  static std::mutex m;
  return m;
}
// True when a module in training mode (its own or a submodule's flag) reaches forward: an inlined forward reads
// the `training` attribute of a module that has it set.
bool readsTrainingFlag(const torch::jit::Module& mod) {
  auto forward = mod.find_method("forward");
  if (!forward) return false;
  auto graph = forward->graph()->copy();
  torch::jit::Inline(*graph);
  std::function<bool(const torch::jit::Block*)> reads = [&](const torch::jit::Block* block) {
    for (const torch::jit::Node* n : block->nodes()) {
      if (n->kind() == torch::jit::prim::GetAttr && n->s(c10::attr::name) == "training") return true;
      for (const torch::jit::Block* sub : n->blocks())
        if (reads(sub)) return true;
    }
    return false;
  };
  return reads(graph->block());
}

}  // namespace

LoweredModule::LoweredModule(torch::jit::Module module, std::vector<c10::ClassTypePtr> clonedTypes)
    : module_(std::move(module)), clonedTypes_(std::move(clonedTypes)) {}

LoweredModule::LoweredModule(LoweredModule&& other) noexcept
    : module_(other.module_), clonedTypes_(std::move(other.clonedTypes_)) {
  other.clonedTypes_.clear();
}

LoweredModule::~LoweredModule() {
  if (clonedTypes_.empty()) return;
  std::lock_guard<std::mutex> lock(compilationUnitMutex());
  for (const auto& type : clonedTypes_) {
    auto unit = type->compilation_unit();
    std::vector<std::string> names;
    for (const auto* method : type->methods()) names.push_back(method->name());
    for (const auto& name : names) {
      const c10::QualifiedName qualified(*type->name(), name);
      type->unsafeRemoveMethod(name);
      if (unit && unit->find_function(qualified)) unit->unsafeRemoveMethod(qualified);
    }
  }
}

LoweredModule LowerModule(const torch::jit::Module& mod, const LowerInfo& info) {
  std::lock_guard<std::mutex> lock(compilationUnitMutex());
  // clone() gives the copy and each of its submodules a new type (its own to freeze in place);
  // those types are what LoweredModule cleans up. The copy shares the module's tensors (inplace, as
  // torch.jit.freeze does): a deep copy would hold every weight twice while compiling, and no pass
  // writes into a constant.
  torch::jit::Module copy = mod.clone(/*inplace=*/true);
  std::vector<c10::ClassTypePtr> cloned;
  for (const auto& m : copy.modules()) cloned.push_back(m.type());
  // An engine computes inference. A module left in training mode whose forward reads `training` (dropout, batch
  // norm, `if self.training:`) computes something else: say so rather than answer as another module would.
  bool training = false;
  for (const auto& m : mod.modules()) training |= m.is_training();
  if (training && readsTrainingFlag(mod))
    LOG_WARNING(
        "the module is in training mode and its forward depends on it (dropout, batch norm or self.training); "
        "the engine computes inference, as after module.eval() (dropout off, batch norm with its running "
        "statistics, self.training False). Call module.eval() before compiling to silence this warning");
  copy.eval();
  if (!info.unfreeze_module) torch::jit::freeze_module_inplace(&copy);
  return LoweredModule(copy, std::move(cloned));
}

std::shared_ptr<torch::jit::Graph> LowerGraph(const torch::jit::Module& frozen, const std::string& method_name) {
  auto method = frozen.find_method(method_name);
  TORCHTRT_CHECK(method, "the module has no method '" << method_name << "'");
  auto graph = method->graph()->copy();
  torch::jit::Inline(*graph);
  // Aliases as their canonical ops (greater -> gt, multiply -> mul, absolute -> abs), which the converters know.
  torch::jit::NormalizeOps(graph);
  // In-place ops on values nothing else aliases become their functional forms, so converters and
  // partitioning see plain data flow; the remaining ones keep TorchScript's semantics.
  torch::jit::RemoveListMutation(graph);
  torch::jit::RemoveTensorMutation(graph);
  passes::ViewWritesToScatter(graph);
  passes::RemoveDropout(graph);
  passes::NestedEncoderToPaddingMask(graph);
  passes::ConvToConvolution(graph);
  passes::LinearToMatmulAdd(graph);
  passes::ReshapeWithLeadingSizesToFlatten(graph);
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

namespace {
// A function that lives as long as the process, named `name` (an empty graph: error reports read its name).
torch::jit::Function* lastingFunction(const std::string& name) {
  static std::mutex m;
  static std::unordered_map<std::string, std::unique_ptr<torch::jit::GraphFunction>> functions;
  std::lock_guard<std::mutex> lock(m);
  auto& f = functions[name];
  if (!f)
    f = std::make_unique<torch::jit::GraphFunction>(c10::QualifiedName(name.empty() ? "<unknown>" : name),
                                                    std::make_shared<torch::jit::Graph>(), nullptr);
  return f.get();
}

torch::jit::InlinedCallStackPtr lastingCallStack(
    const torch::jit::InlinedCallStackPtr& cs,
    std::unordered_map<const torch::jit::InlinedCallStack*, torch::jit::InlinedCallStackPtr>* done) {
  auto it = done->find(cs.get());
  if (it != done->end()) return it->second;
  // By the name the entry stored when it was made: its function pointer may be stale already (a trace's entries
  // name functions the tracer made for the call).
  torch::jit::Function* lasting = lastingFunction(cs->function_name());
  torch::jit::InlinedCallStackPtr result =
      cs->callee()
          ? c10::make_intrusive<torch::jit::InlinedCallStack>(lastingCallStack(*cs->callee(), done), lasting,
                                                              cs->source_range(), cs->module_instance())
          : c10::make_intrusive<torch::jit::InlinedCallStack>(lasting, cs->source_range(), cs->module_instance());
  (*done)[cs.get()] = result;
  return result;
}

void detachCallStacks(torch::jit::Block* block,
                      std::unordered_map<const torch::jit::InlinedCallStack*, torch::jit::InlinedCallStackPtr>* done) {
  for (torch::jit::Node* n : block->nodes()) {
    if (auto cs = n->callstack()) n->setCallStack(lastingCallStack(*cs, done));
    for (torch::jit::Block* sub : n->blocks()) detachCallStacks(sub, done);
  }
}
}  // namespace

void DetachCallStacks(torch::jit::Graph* graph) {
  std::unordered_map<const torch::jit::InlinedCallStack*, torch::jit::InlinedCallStackPtr> done;
  detachCallStacks(graph->block(), &done);
}

}  // namespace lowering
}  // namespace core
}  // namespace torch_tensorrt
