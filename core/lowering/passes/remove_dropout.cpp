#include "core/lowering/passes/passes.h"
#include "core/util/macros.h"
#include "torch/csrc/jit/passes/subgraph_rewrite.h"

namespace torch_tensorrt {
namespace core {
namespace lowering {
namespace passes {

void RemoveDropout(std::shared_ptr<torch::jit::Graph>& graph) {
  // Only train=False dropout is an identity; the constant is matched in the pattern.
  for (const char* op : {"aten::dropout", "aten::dropout_", "aten::feature_dropout", "aten::feature_dropout_"}) {
    std::string pattern = std::string("graph(%input, %p):\n  %train : bool = prim::Constant[value=0]()\n  %out = ") +
                          op + "(%input, %p, %train)\n  return (%out)";
    std::string replacement = "graph(%input, %p):\n  return (%input)";
    torch::jit::SubgraphRewriter rewriter;
    rewriter.RegisterRewritePattern(pattern, replacement);
    rewriter.runOnGraph(graph);
  }
  LOG_GRAPH("After RemoveDropout: " << *graph);
}

}  // namespace passes
}  // namespace lowering
}  // namespace core
}  // namespace torch_tensorrt
