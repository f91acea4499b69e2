#include "core/lowering/passes/passes.h"
#include "core/util/macros.h"
#include "torch/csrc/jit/ir/subgraph_matcher.h"
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
  // conv*d.padding takes padding='same' / 'valid' (a str): that overload becomes aten::_convolution_mode, whose
  // converter computes the sides; only int-list paddings become aten::_convolution (a str there failed PyTorch's
  // alias analysis with an internal assert).
  const std::string modeReplacement = R"IR(
    graph(%x, %w, %b, %s, %p, %d, %g):
      %out = aten::_convolution_mode(%x, %w, %b, %s, %p, %d, %g)
      return (%out))IR";
  // (vmap names the pattern's values; the match maps them to the graph's.)
  auto paddingIsStr = [](const torch::jit::Match& match,
                         const std::unordered_map<std::string, torch::jit::Value*>& vmap) {
    return match.values_map.at(vmap.at("p"))->type()->kind() == c10::TypeKind::StringType;
  };
  auto paddingIsList = [&](const torch::jit::Match& m,
                           const std::unordered_map<std::string, torch::jit::Value*>& vmap) {
    return !paddingIsStr(m, vmap);
  };
  for (const char* op : {"aten::conv1d", "aten::conv2d", "aten::conv3d"}) {
    std::string pattern = std::string("graph(%x, %w, %b, %s, %p, %d, %g):\n  %out = ") + op +
                          "(%x, %w, %b, %s, %p, %d, %g)\n  return (%out)";
    torch::jit::SubgraphRewriter rewriter;
    rewriter.RegisterRewritePattern(pattern, replacement);
    rewriter.runOnGraph(graph, std::vector<torch::jit::MatchFilter>{paddingIsList});
    torch::jit::SubgraphRewriter modeRewriter;
    modeRewriter.RegisterRewritePattern(pattern, modeReplacement);
    modeRewriter.runOnGraph(graph, std::vector<torch::jit::MatchFilter>{paddingIsStr});
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
