// Pooling: max and average 1-D to 3-D (ceil mode, padding, dilation, divisor override, integer inputs),
// max pooling with its indices (ties, NaN, infinity), adaptive pooling over even and uneven windows with
// its indices output used, dynamic batch and spatial dims; against the JIT interpreter.
#include <array>
#include <limits>
#include <string>

#include "converter_test_util.h"

using torchtrt_test::batches;
using torchtrt_test::checkGraph;
using torchtrt_test::checkGraphDynamic;
using torchtrt_test::images;
using torchtrt_test::range;

namespace {

// A max_pool{nd}d graph (with_indices returns the indices too) with the given int lists as IR literals.
std::string maxPoolIR(int nd, bool withIndices, const std::string& kernel, const std::string& stride,
                      const std::string& padding, const std::string& dilation, bool ceil) {
  const std::string op = "aten::max_pool" + std::to_string(nd) + "d" + (withIndices ? "_with_indices" : "");
  return std::string("graph(%x : Tensor):\n") + "  %k : int[] = prim::Constant[value=" + kernel + "]()\n" +
         (stride == "[]" ? std::string("  %s : int[] = prim::ListConstruct()\n")  // IR has no empty-list literal
                         : "  %s : int[] = prim::Constant[value=" + stride + "]()\n") +
         "  %p : int[] = prim::Constant[value=" + padding + "]()\n" +
         "  %d : int[] = prim::Constant[value=" + dilation + "]()\n" +
         "  %c : bool = prim::Constant[value=" + (ceil ? "1" : "0") + "]()\n" +
         (withIndices ? "  %v : Tensor, %i : Tensor = " + op + "(%x, %k, %s, %p, %d, %c)\n  return (%v, %i)\n"
                      : "  %v : Tensor = " + op + "(%x, %k, %s, %p, %d, %c)\n  return (%v)\n");
}

}  // namespace

TEST(Pooling, AdaptiveMaxPoolingWithItsIndices) {
  // Found (issue 20): adaptive_max_pool1d/2d/3d were refused when the indices output was used.
  const char* ir = R"IR(
    graph(%l : Tensor, %x : Tensor, %v : Tensor):
      %o1 : int[] = prim::Constant[value=[3]]()
      %o2 : int[] = prim::Constant[value=[3, 2]]()
      %e2 : int[] = prim::Constant[value=[2, 2]]()
      %o3 : int[] = prim::Constant[value=[2, 3, 2]]()
      %a : Tensor, %ai : Tensor = aten::adaptive_max_pool1d(%l, %o1)
      %b : Tensor, %bi : Tensor = aten::adaptive_max_pool2d(%x, %o2)
      %c : Tensor, %ci : Tensor = aten::adaptive_max_pool2d(%x, %e2)
      %d : Tensor, %di : Tensor = aten::adaptive_max_pool3d(%v, %o3)
      return (%a, %ai, %b, %bi, %c, %ci, %d, %di))IR";
  checkGraph(ir, {at::randn({2, 3, 7}), at::randn({2, 3, 8, 5}), at::randn({1, 2, 5, 4, 3})});
  // Ties go to the first position, as in PyTorch.
  checkGraph(ir, {at::zeros({1, 2, 7}), at::ones({1, 1, 8, 6}), at::randint(0, 2, {1, 1, 4, 4, 4}).to(at::kFloat)});
  checkGraphDynamic(R"IR(
    graph(%x : Tensor):
      %o2 : int[] = prim::Constant[value=[3, 2]]()
      %b : Tensor, %bi : Tensor = aten::adaptive_max_pool2d(%x, %o2)
      return (%b, %bi))IR",
                    {range({1, 3, 7, 5}, {2, 3, 7, 5}, {4, 3, 7, 5})},
                    {{at::randn({1, 3, 7, 5})}, {at::randn({4, 3, 7, 5})}});
}

TEST(Pooling, AdaptiveAveragePoolingOverUneven3DWindows) {
  // Found (issue 20): adaptive_avg_pool3d with uneven windows was refused.
  checkGraph(R"IR(
    graph(%v : Tensor):
      %o3 : int[] = prim::Constant[value=[2, 3, 4]]()
      %a : Tensor = aten::adaptive_avg_pool3d(%v, %o3)
      return (%a))IR",
             {at::randn({2, 3, 5, 7, 6})});
}

TEST(Pooling, PoolingIncludingCeilModeAndAdaptive) {
  checkGraph(R"IR(
    graph(%x : Tensor):
      %k : int[] = prim::Constant[value=[3, 3]]()
      %s : int[] = prim::Constant[value=[2, 2]]()
      %p : int[] = prim::Constant[value=[1, 1]]()
      %d : int[] = prim::Constant[value=[1, 1]]()
      %t : bool = prim::Constant[value=1]()
      %f : bool = prim::Constant[value=0]()
      %none : NoneType = prim::Constant()
      %a : Tensor = aten::max_pool2d(%x, %k, %s, %p, %d, %t)
      %b : Tensor = aten::avg_pool2d(%x, %k, %s, %p, %t, %f, %none)
      %o : int[] = prim::Constant[value=[2, 4]]()
      %c : Tensor = aten::adaptive_avg_pool2d(%x, %o)
      return (%a, %b, %c))IR",
             {at::randn({2, 3, 8, 8})});
}

TEST(Pooling, AdaptivePoolingWithUnevenWindows) {
  // 5x7 -> 3x4 and 2 -> 7: PyTorch's windows overlap and differ in size.
  checkGraph(R"IR(
    graph(%x : Tensor, %y : Tensor, %z : Tensor):
      %o : int[] = prim::Constant[value=[3, 4]]()
      %up : int[] = prim::Constant[value=[7, 7]]()
      %o1 : int[] = prim::Constant[value=[3]]()
      %a : Tensor = aten::adaptive_avg_pool2d(%x, %o)
      %b : Tensor, %bi : Tensor = aten::adaptive_max_pool2d(%x, %o)
      %c : Tensor = aten::adaptive_avg_pool2d(%y, %up)
      %d : Tensor = aten::adaptive_avg_pool1d(%z, %o1)
      %e : Tensor, %ei : Tensor = aten::adaptive_max_pool1d(%z, %o1)
      return (%a, %b, %c, %d, %e))IR",
             {at::randn({2, 3, 5, 7}), at::randn({1, 4, 2, 2}), at::randn({2, 3, 7})});
}

TEST(Pooling, Pooling1dAnd3d) {
  checkGraph(R"IR(
    graph(%x : Tensor, %v : Tensor):
      %f : bool = prim::Constant[value=0]()
      %t : bool = prim::Constant[value=1]()
      %none : NoneType = prim::Constant()
      %k2 : int[] = prim::Constant[value=[2]]()
      %k3 : int[] = prim::Constant[value=[3]]()
      %p0 : int[] = prim::Constant[value=[0]]()
      %p1 : int[] = prim::Constant[value=[1]]()
      %m1 : Tensor = aten::max_pool1d(%x, %k2, %k2, %p0, %p1, %f)
      %a1 : Tensor = aten::avg_pool1d(%x, %k3, %k2, %p1, %t, %f)
      %c2 : int[] = prim::Constant[value=[2, 2, 2]]()
      %c3 : int[] = prim::Constant[value=[2, 3, 3]]()
      %q0 : int[] = prim::Constant[value=[0, 0, 0]]()
      %q1 : int[] = prim::Constant[value=[0, 1, 1]]()
      %d1 : int[] = prim::Constant[value=[1, 1, 1]]()
      %m3 : Tensor = aten::max_pool3d(%v, %c2, %c2, %q0, %d1, %f)
      %a3 : Tensor = aten::avg_pool3d(%v, %c3, %c2, %q1, %f, %t, %none)
      %o3 : int[] = prim::Constant[value=[2, 3, 3]]()
      %aa : Tensor = aten::adaptive_avg_pool3d(%v, %o3)
      %o4 : int[] = prim::Constant[value=[3, 2, 4]]()
      %am : Tensor, %ai : Tensor = aten::adaptive_max_pool3d(%v, %o4)
      return (%m1, %a1, %m3, %a3, %aa, %am))IR",
             {at::randn({2, 3, 9}), at::randn({1, 2, 4, 6, 6})});
}

TEST(Pooling, ConvolutionAndPooling) {
  const char* ir = R"IR(
    graph(%x : Tensor, %w : Float(4, 3, 3, 3)):
      %s : int[] = prim::Constant[value=[1, 1]]()
      %p : int[] = prim::Constant[value=[1, 1]]()
      %k : int[] = prim::Constant[value=[2, 2]]()
      %o : int[] = prim::Constant[value=[0, 0]]()
      %one : int = prim::Constant[value=1]()
      %f : bool = prim::Constant[value=0]()
      %t : bool = prim::Constant[value=1]()
      %none : NoneType = prim::Constant()
      %y : Tensor = aten::_convolution(%x, %w, %none, %s, %p, %s, %f, %o, %one, %f, %f, %t, %t)
      %r : Tensor = aten::relu(%y)
      %m : Tensor = aten::max_pool2d(%r, %k, %k, %o, %s, %f)
      %a : Tensor = aten::avg_pool2d(%r, %k, %k, %o, %f, %t, %none)
      return (%m, %a))IR";
  auto runs = batches({3, 8, 8});
  runs.push_back({at::randn({2, 3, 10, 6})});
  checkGraphDynamic(ir, {range({1, 3, 4, 4}, {2, 3, 8, 8}, {4, 3, 12, 12})}, runs, {at::randn({4, 3, 3, 3})});
}

TEST(Pooling, NormsPoolingSelectionsAndStatistics) {
  // group_norm, global adaptive pooling of dynamic spatial dims (and an even 2x2 one of a static
  // width), max/min with a dim (values and indices), topk along a dynamic dim, variance over the
  // static channels, glu of the channels.
  const char* ir = R"IR(
    graph(%x : Tensor, %w : Float(4), %b : Float(4)):
      %two : int = prim::Constant[value=2]()
      %one : int = prim::Constant[value=1]()
      %m1 : int = prim::Constant[value=-1]()
      %eps : float = prim::Constant[value=1.0000000000000001e-05]()
      %f : bool = prim::Constant[value=0]()
      %t : bool = prim::Constant[value=1]()
      %gn : Tensor = aten::group_norm(%x, %two, %w, %b, %eps, %t)
      %o1 : int[] = prim::Constant[value=[1, 1]]()
      %ga : Tensor = aten::adaptive_avg_pool2d(%gn, %o1)
      %gm : Tensor, %gi : Tensor = aten::adaptive_max_pool2d(%x, %o1)
      %mv : Tensor, %mi : Tensor = aten::max(%x, %two, %f)
      %nv : Tensor, %ni : Tensor = aten::min(%x, %m1, %t)
      %tv : Tensor, %ti : Tensor = aten::topk(%x, %two, %two, %t, %t)
      %dims : int[] = prim::Constant[value=[1]]()
      %va : Tensor = aten::var(%x, %dims, %t, %t)
      %gl : Tensor = aten::glu(%x, %one)
      return (%ga, %gm, %mv, %mi, %nv, %ni, %tv, %ti, %va, %gl))IR";
  checkGraphDynamic(ir, {range({1, 4, 2, 3}, {2, 4, 4, 5}, {3, 4, 6, 7})}, images(4, {{1, 2, 3}, {2, 4, 5}, {3, 6, 7}}),
                    {at::randn({4}), at::randn({4})});
}

TEST(Pooling, AdaptivePoolingOfDynamicDimsToSeveralWindows) {
  // VGG's adaptive_avg_pool2d(7) on a feature map of run-time size: uneven, overlapping windows
  // (sizes below, at and above the output size), max and average, 1-D and 2-D, mixed with a global
  // dim and with a static dim.
  const char* ir = R"IR(
    graph(%x : Tensor):
      %o3 : int[] = prim::Constant[value=[3, 2]]()
      %a : Tensor = aten::adaptive_avg_pool2d(%x, %o3)
      %m : Tensor, %mi : Tensor = aten::adaptive_max_pool2d(%x, %o3)
      %o31 : int[] = prim::Constant[value=[3, 1]]()
      %g : Tensor = aten::adaptive_avg_pool2d(%x, %o31)
      %o4 : int[] = prim::Constant[value=[4]]()
      %one : int = prim::Constant[value=1]()
      %zero : int = prim::Constant[value=0]()
      %row : Tensor = aten::select(%x, %one, %zero)
      %a1 : Tensor = aten::adaptive_avg_pool1d(%row, %o4)
      %m1 : Tensor, %mi1 : Tensor = aten::adaptive_max_pool1d(%row, %o4)
      return (%a, %m, %g, %a1, %m1))IR";
  std::vector<std::vector<at::Tensor>> runs;
  for (auto [b, h, w] : std::vector<std::array<int64_t, 3>>{{1, 2, 6}, {2, 3, 6}, {3, 7, 6}, {2, 11, 6}})
    runs.push_back({at::randn({b, 2, h, w})});
  checkGraphDynamic(ir, {range({1, 2, 2, 6}, {2, 2, 5, 6}, {3, 2, 11, 6})}, runs);
  // Both spatial dims dynamic.
  const char* both = R"IR(
    graph(%x : Tensor):
      %o : int[] = prim::Constant[value=[3, 4]]()
      %a : Tensor = aten::adaptive_avg_pool2d(%x, %o)
      %m : Tensor, %mi : Tensor = aten::adaptive_max_pool2d(%x, %o)
      return (%a, %m))IR";
  std::vector<std::vector<at::Tensor>> sizes;
  for (auto [h, w] : std::vector<std::array<int64_t, 2>>{{1, 9}, {5, 4}, {8, 13}})
    sizes.push_back({at::randn({2, 3, h, w})});
  checkGraphDynamic(both, {range({2, 3, 1, 1}, {2, 3, 5, 5}, {2, 3, 9, 13})}, sizes);
}

TEST(Pooling, MaxPoolWithIndicesPaddingStrideDilationCeil) {
  // Found (issue 20): max_pool{1,2,3}d_with_indices had no converter; dilation > 1 was refused.
  for (bool ceil : {false, true}) {
    checkGraph(maxPoolIR(2, true, "[3, 2]", "[2, 1]", "[1, 1]", "[2, 1]", ceil), {at::randn({2, 3, 9, 7})});
    checkGraph(maxPoolIR(2, true, "[2, 2]", "[]", "[0, 1]", "[1, 1]", ceil), {at::randn({1, 2, 7, 6})});
    checkGraph(maxPoolIR(1, true, "[3]", "[2]", "[1]", "[3]", ceil), {at::randn({2, 3, 11})});
    checkGraph(maxPoolIR(3, true, "[2, 3, 2]", "[2, 2, 1]", "[1, 1, 0]", "[1, 2, 2]", ceil),
               {at::randn({1, 2, 5, 7, 6})});
    // Unbatched input.
    checkGraph(maxPoolIR(2, true, "[3, 3]", "[2, 2]", "[1, 1]", "[1, 1]", ceil), {at::randn({3, 8, 8})});
  }
}

TEST(Pooling, MaxPoolIndicesTiesIntegersNaNAndInfinity) {
  // Ties go to the first position; padding never wins, even over -inf or the integer minimum.
  const std::string ir = maxPoolIR(2, true, "[3, 3]", "[2, 2]", "[1, 1]", "[1, 1]", true);
  checkGraph(ir, {at::randint(0, 3, {2, 2, 7, 8}, at::kInt)});
  checkGraph(ir, {at::randint(-2, 1, {2, 2, 7, 8}, at::kLong)});
  checkGraph(ir, {at::full({1, 2, 7, 8}, std::numeric_limits<int64_t>::min(), at::kLong)});
  checkGraph(ir, {at::full({1, 2, 7, 8}, -std::numeric_limits<float>::infinity())});
  checkGraph(ir, {at::randint(0, 2, {1, 2, 7, 8}).to(at::kHalf)});
  // NaN is the maximum; with several in a window PyTorch keeps the last.
  at::Tensor x = at::randn({2, 2, 7, 8});
  x.index_put_({at::randn({2, 2, 7, 8}) > 0.5}, std::numeric_limits<float>::quiet_NaN());
  checkGraph(ir, {x});
  checkGraph(maxPoolIR(2, true, "[2, 3]", "[1, 2]", "[1, 0]", "[2, 1]", false), {x});
  checkGraph(maxPoolIR(1, true, "[4]", "[1]", "[2]", "[1]", false), {x.reshape({4, 7, 8})});
}

TEST(Pooling, MaxPoolDilatedAndIntegerValues) {
  // Found (issue 20): max_pool2d/3d with dilation 2 and of int32/int64 tensors were refused.
  checkGraph(maxPoolIR(2, false, "[3, 3]", "[1, 2]", "[1, 1]", "[2, 2]", false), {at::randn({2, 3, 10, 9})});
  checkGraph(maxPoolIR(3, false, "[2, 2, 2]", "[1, 1, 2]", "[0, 1, 1]", "[2, 1, 2]", true),
             {at::randn({1, 2, 6, 5, 7})});
  checkGraph(maxPoolIR(2, false, "[2, 2]", "[2, 2]", "[1, 0]", "[1, 1]", true),
             {at::randint(-100, 100, {2, 3, 7, 6}, at::kInt)});
  checkGraph(maxPoolIR(3, false, "[2, 2, 2]", "[]", "[0, 0, 0]", "[1, 1, 1]", false),
             {at::randint(-100, 100, {2, 1, 4, 4, 6}, at::kLong)});
  checkGraph(maxPoolIR(2, false, "[3, 2]", "[1, 1]", "[1, 1]", "[2, 1]", false),
             {at::randint(-5, 5, {2, 9, 5}, at::kChar)});
}

TEST(Pooling, MaxPoolWithIndicesDynamicBatch) {
  checkGraphDynamic(maxPoolIR(2, true, "[3, 2]", "[2, 1]", "[1, 0]", "[1, 2]", true),
                    {range({1, 3, 9, 7}, {2, 3, 9, 7}, {4, 3, 9, 7})},
                    {{at::randn({1, 3, 9, 7})}, {at::randn({4, 3, 9, 7})}});
}

TEST(Pooling, AvgPoolOfIntegersAndWithDivisorOverride) {
  // Found: "avg_pool with divisor_override has no converter yet" and "(Pooling): input must be a
  // floating-point tensor, got int64". Integer averages truncate toward zero, as PyTorch's.
  auto ir = [](int nd, const std::string& k, const std::string& s, const std::string& p, bool ceil, bool countPad,
               const std::string& divisor) {
    const std::string op = "aten::avg_pool" + std::to_string(nd) + "d";
    return std::string("graph(%x : Tensor):\n") + "  %k : int[] = prim::Constant[value=" + k + "]()\n" +
           "  %s : int[] = prim::Constant[value=" + s + "]()\n" + "  %p : int[] = prim::Constant[value=" + p + "]()\n" +
           "  %c : bool = prim::Constant[value=" + (ceil ? "1" : "0") + "]()\n" +
           "  %i : bool = prim::Constant[value=" + (countPad ? "1" : "0") + "]()\n" +
           (divisor.empty() ? std::string("  %d : NoneType = prim::Constant()\n")
                            : "  %d : int = prim::Constant[value=" + divisor + "]()\n") +
           (nd == 1 ? "  %y : Tensor = " + op + "(%x, %k, %s, %p, %c, %i)\n"
                    : "  %y : Tensor = " + op + "(%x, %k, %s, %p, %c, %i, %d)\n") +
           "  return (%y)\n";
  };
  for (bool ceil : {false, true}) {
    for (bool countPad : {false, true}) {
      checkGraph(ir(2, "[3, 2]", "[2, 1]", "[1, 1]", ceil, countPad, ""),
                 {at::randint(-50, 50, {2, 3, 7, 6}, at::kLong)});
      checkGraph(ir(2, "[3, 2]", "[2, 1]", "[1, 1]", ceil, countPad, "5"), {at::randn({2, 3, 7, 6})});
      checkGraph(ir(2, "[3, 3]", "[2, 2]", "[1, 0]", ceil, countPad, "4"),
                 {at::randint(-50, 50, {1, 2, 7, 8}, at::kLong)});
      checkGraph(ir(1, "[3]", "[2]", "[1]", ceil, countPad, ""), {at::randint(-50, 50, {2, 3, 9}, at::kLong)});
      checkGraph(ir(3, "[2, 3, 2]", "[1, 2, 2]", "[1, 1, 0]", ceil, countPad, "7"), {at::randn({1, 2, 4, 7, 5})});
    }
  }
  checkGraph(ir(2, "[2, 2]", "[2, 2]", "[0, 0]", false, true, "3"), {at::randn({2, 6, 6}).to(at::kHalf)});
}
