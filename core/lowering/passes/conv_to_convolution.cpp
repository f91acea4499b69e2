#include "core/lowering/passes/passes.h"
#include "core/util/macros.h"
#include "torch/csrc/jit/passes/subgraph_rewrite.h"

namespace torch_tensorrt {
namespace core {
namespace lowering {
namespace passes {

void ConvToConvolution(std::shared_ptr<torch::jit::Graph>& graph) {
  const std::string replacement = R"IR(
    graph(%x, %w, %b, %s, %p, %d, %g):
      %transposed : bool = prim::Constant[value=0]()
      %false : bool = prim::Constant[value=0]()
      %true : bool = prim::Constant[value=1]()
      %zero : int = prim::Constant[value=0]()
      %op : int[] = prim::ListConstruct(%zero)
      %out = aten::_convolution(%x, %w, %b, %s, %p, %d, %transposed, %op, %g, %false, %false, %true, %true)
      return (%out))IR";
  for (const char* op : {"aten::conv1d", "aten::conv2d", "aten::conv3d"}) {
    std::string pattern = std::string("graph(%x, %w, %b, %s, %p, %d, %g):\n  %out = ") + op +
                          "(%x, %w, %b, %s, %p, %d, %g)\n  return (%out)";
    torch::jit::SubgraphRewriter rewriter;
    rewriter.RegisterRewritePattern(pattern, replacement);
    rewriter.runOnGraph(graph);
  }
  // conv_transpose*d: note the argument order (output_padding and groups before dilation).
  const std::string transposedReplacement = R"IR(
    graph(%x, %w, %b, %s, %p, %op, %g, %d):
      %transposed : bool = prim::Constant[value=1]()
      %false : bool = prim::Constant[value=0]()
      %true : bool = prim::Constant[value=1]()
      %out = aten::_convolution(%x, %w, %b, %s, %p, %d, %transposed, %op, %g, %false, %false, %true, %true)
      return (%out))IR";
  for (const char* op : {"aten::conv_transpose1d", "aten::conv_transpose2d", "aten::conv_transpose3d"}) {
    std::string pattern = std::string("graph(%x, %w, %b, %s, %p, %op, %g, %d):\n  %out = ") + op +
                          "(%x, %w, %b, %s, %p, %op, %g, %d)\n  return (%out)";
    torch::jit::SubgraphRewriter rewriter;
    rewriter.RegisterRewritePattern(pattern, transposedReplacement);
    rewriter.runOnGraph(graph);
  }
  // aten::convolution carries transposed and output_padding itself.
  torch::jit::SubgraphRewriter rewriter;
  rewriter.RegisterRewritePattern(R"IR(
    graph(%x, %w, %b, %s, %p, %d, %t, %op, %g):
      %out = aten::convolution(%x, %w, %b, %s, %p, %d, %t, %op, %g)
      return (%out))IR",
                                  R"IR(
    graph(%x, %w, %b, %s, %p, %d, %t, %op, %g):
      %false : bool = prim::Constant[value=0]()
      %true : bool = prim::Constant[value=1]()
      %out = aten::_convolution(%x, %w, %b, %s, %p, %d, %t, %op, %g, %false, %false, %true, %true)
      return (%out))IR");
  rewriter.runOnGraph(graph);
  LOG_GRAPH("After ConvToConvolution: " << *graph);
}

}  // namespace passes
}  // namespace lowering
}  // namespace core
}  // namespace torch_tensorrt
