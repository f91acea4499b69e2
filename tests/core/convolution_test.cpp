// Convolutions whose weight is computed in the graph (an engine input here, as a fake-quantized or
// generated weight would be): forward 1-D to 3-D with stride, padding, dilation, groups and a bias,
// transposed with output padding, and a dynamic batch, against the JIT interpreter.
#include "converter_test_util.h"

using torchtrt_test::checkGraph;
using torchtrt_test::checkGraphDynamic;
using torchtrt_test::range;

namespace {
// _convolution(x, w, b, stride, padding, dilation, transposed, output_padding, groups) over input tensors.
std::string convIR(const std::string& stride, const std::string& padding, const std::string& dilation, bool transposed,
                   const std::string& outputPadding, int groups) {
  return std::string(R"IR(
    graph(%x : Tensor, %w : Tensor, %b : Tensor):
      %s : int[] = prim::Constant[value=)IR") +
         stride + "]()\n      %p : int[] = prim::Constant[value=" + padding +
         "]()\n      %d : int[] = prim::Constant[value=" + dilation +
         "]()\n      %o : int[] = prim::Constant[value=" + outputPadding +
         "]()\n      %g : int = prim::Constant[value=" + std::to_string(groups) +
         "]()\n      %t : bool = prim::Constant[value=" + (transposed ? "1" : "0") +
         "]()\n      %f : bool = prim::Constant[value=0]()\n"
         "      %y : Tensor = aten::_convolution(%x, %w, %b, %s, %p, %d, %t, %o, %g, %f, %f, %f, %f)\n"
         "      return (%y)";
}
}  // namespace

TEST(Convolution, RunTimeWeights) {
  // Found (issue 20): a convolution whose weight is not a constant was refused ("run-time weights are not
  // supported"), so was a transposed one.
  checkGraph(convIR("[2, 1]", "[1, 2]", "[2, 1]", false, "[0, 0]", 2),
             {at::randn({2, 4, 9, 8}), at::randn({6, 2, 3, 3}), at::randn({6})});
  checkGraph(convIR("[1]", "[0]", "[1]", false, "[0]", 1),
             {at::randn({1, 3, 10}), at::randn({5, 3, 4}), at::randn({5})});
  checkGraph(convIR("[1, 2, 1]", "[1, 0, 1]", "[1, 1, 2]", false, "[0, 0, 0]", 1),
             {at::randn({1, 2, 5, 6, 7}), at::randn({3, 2, 2, 3, 2}), at::randn({3})});
  checkGraph(convIR("[2, 2]", "[1, 0]", "[1, 1]", true, "[1, 1]", 2),
             {at::randn({2, 4, 5, 4}), at::randn({4, 3, 3, 2}), at::randn({6})});
  checkGraph(convIR("[3]", "[2]", "[2]", true, "[1]", 1), {at::randn({1, 2, 6}), at::randn({2, 3, 3}), at::randn({3})});
  checkGraphDynamic(convIR("[1, 1]", "[1, 1]", "[1, 1]", false, "[0, 0]", 1),
                    {range({1, 3, 6, 6}, {2, 3, 6, 6}, {4, 3, 6, 6}), range({4, 3, 3, 3}, {4, 3, 3, 3}, {4, 3, 3, 3}),
                     range({4}, {4}, {4})},
                    {{at::randn({1, 3, 6, 6}), at::randn({4, 3, 3, 3}), at::randn({4})},
                     {at::randn({4, 3, 6, 6}), at::randn({4, 3, 3, 3}), at::randn({4})}});
}

TEST(Convolution, PaddingValidAndSame) {
  // Found by the conformance suite: aten::_convolution_mode (padding='same' / 'valid') had no converter.
  for (const char* mode : {"same", "valid"}) {
    const std::string ir = std::string(R"IR(
    graph(%x : Tensor, %w : Float(4, 3, 4, 3), %b : Float(4)):
      %s : int[] = prim::Constant[value=[1, 1]]()
      %d : int[] = prim::Constant[value=[1, 2]]()
      %p : str = prim::Constant[value=")IR") + mode + R"IR("]()
      %g : int = prim::Constant[value=1]()
      %y : Tensor = aten::_convolution_mode(%x, %w, %b, %s, %p, %d, %g)
      return (%y))IR";
    checkGraph(ir, {at::randn({2, 3, 9, 8})}, {at::randn({4, 3, 4, 3}), at::randn({4})});
  }
}
