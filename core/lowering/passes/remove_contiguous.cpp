#include "core/lowering/passes/passes.h"
#include "core/util/macros.h"
#include "torch/csrc/jit/passes/subgraph_rewrite.h"

namespace torch_tensorrt {
namespace core {
namespace lowering {
namespace passes {

void RemoveContiguous(std::shared_ptr<torch::jit::Graph>& graph) {
  torch::jit::SubgraphRewriter rewriter;
  rewriter.RegisterRewritePattern(R"IR(
    graph(%x, %format):
      %out = aten::contiguous(%x, %format)
      return (%out))IR",
                                  R"IR(
    graph(%x, %format):
      return (%x))IR");
  rewriter.runOnGraph(graph);
  LOG_GRAPH("After RemoveContiguous: " << *graph);
}

}  // namespace passes
}  // namespace lowering
}  // namespace core
}  // namespace torch_tensorrt
