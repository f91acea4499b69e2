#include "core/lowering/passes/passes.h"
#include "core/util/macros.h"
#include "torch/csrc/jit/passes/dead_code_elimination.h"

namespace torch_tensorrt {
namespace core {
namespace lowering {
namespace passes {

void LinearToMatmulAdd(std::shared_ptr<torch::jit::Graph>& graph) {
  std::vector<torch::jit::Node*> linears;
  for (auto* n : graph->nodes())
    if (n->kind() == c10::Symbol::fromQualString("aten::linear")) linears.push_back(n);
  for (auto* n : linears) {
    torch::jit::WithInsertPoint guard(n);
    auto* input = n->input(0);
    auto* weight = n->input(1);
    auto* bias = n->input(2);
    auto* wt = graph->insert(c10::Symbol::fromQualString("aten::t"), {weight});
    auto* out = graph->insert(c10::Symbol::fromQualString("aten::matmul"), {input, wt});
    if (bias->type()->kind() != c10::TypeKind::NoneType) {
      out = graph->insert(c10::Symbol::fromQualString("aten::add"), {out, bias});
    }
    out->node()->copyMetadata(n);
    out->setType(n->output()->type());
    n->output()->replaceAllUsesWith(out);
    n->destroy();
  }
  torch::jit::EliminateDeadCode(graph);
  LOG_GRAPH("After LinearToMatmulAdd: " << *graph);
}

}  // namespace passes
}  // namespace lowering
}  // namespace core
}  // namespace torch_tensorrt
