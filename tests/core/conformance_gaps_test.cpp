// Gaps found by the OpInfo conformance sweep (issue 20), closed: max pooling with its indices, with
// dilation and of integer tensors; integer matrix products and activations; cumulative ops of bool and
// bfloat16; 0-dim inputs of gather, argmax/argmin, sort and topk. Each against the JIT interpreter.
#include <limits>
#include <string>

#include "converter_test_util.h"

using torchtrt_test::checkGraph;
using torchtrt_test::checkGraphDynamic;
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

TEST(ConformanceGaps, MaxPoolWithIndicesPaddingStrideDilationCeil) {
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

TEST(ConformanceGaps, MaxPoolIndicesTiesIntegersNaNAndInfinity) {
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

TEST(ConformanceGaps, MaxPoolDilatedAndIntegerValues) {
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

TEST(ConformanceGaps, MaxPoolWithIndicesDynamicBatch) {
  checkGraphDynamic(maxPoolIR(2, true, "[3, 2]", "[2, 1]", "[1, 0]", "[1, 2]", true),
                    {range({1, 3, 9, 7}, {2, 3, 9, 7}, {4, 3, 9, 7})},
                    {{at::randn({1, 3, 9, 7})}, {at::randn({4, 3, 9, 7})}});
}

TEST(ConformanceGaps, IntegerMatrixProducts) {
  // Found (issue 20): matmul/mm/bmm/linear/addmm/baddbmm of int32/int64 tensors were refused (the engine's
  // MatrixMultiply is floating-point only); PyTorch computes them exactly, wrapping in the integer type.
  const char* ir = R"IR(
    graph(%a : Tensor, %b : Tensor, %v : Tensor, %w : Tensor, %m : Tensor, %n : Tensor, %bias : Tensor):
      %one : int = prim::Constant[value=1]()
      %three : int = prim::Constant[value=3]()
      %r0 : Tensor = aten::matmul(%a, %b)
      %r1 : Tensor = aten::matmul(%v, %v)
      %r2 : Tensor = aten::matmul(%m, %v)
      %r3 : Tensor = aten::matmul(%v, %n)
      %r4 : Tensor = aten::matmul(%a, %n)
      %r5 : Tensor = aten::mm(%m, %n)
      %r6 : Tensor = aten::bmm(%a, %b)
      %r7 : Tensor = aten::linear(%a, %w, %bias)
      %r8 : Tensor = aten::addmm(%bias, %m, %n, %three, %one)
      %r9 : Tensor = aten::baddbmm(%bias, %a, %b, %one, %three)
      return (%r0, %r1, %r2, %r3, %r4, %r5, %r6, %r7, %r8, %r9))IR";
  for (auto type : {at::kInt, at::kLong}) {
    auto t = [&](std::vector<int64_t> shape) { return at::randint(-50, 50, shape, type); };
    checkGraph(ir, {t({2, 3, 4}), t({2, 4, 5}), t({4}), t({5, 4}), t({3, 4}), t({4, 5}), t({5})});
  }
  // int32 products past 2^31 wrap as in PyTorch.
  checkGraph(R"IR(
    graph(%a : Tensor, %b : Tensor):
      %r : Tensor = aten::mm(%a, %b)
      return (%r))IR",
             {at::full({2, 3}, 1 << 30, at::kInt), at::full({3, 2}, 3, at::kInt)});
  checkGraphDynamic(R"IR(
    graph(%a : Tensor, %b : Tensor):
      %r : Tensor = aten::matmul(%a, %b)
      return (%r))IR",
                    {range({1, 3, 4}, {2, 3, 4}, {4, 3, 4}, at::kLong), range({4, 2}, {4, 2}, {4, 2}, at::kLong)},
                    {{at::randint(-9, 9, {1, 3, 4}, at::kLong), at::randint(-9, 9, {4, 2}, at::kLong)},
                     {at::randint(-9, 9, {4, 3, 4}, at::kLong), at::randint(-9, 9, {4, 2}, at::kLong)}});
}

TEST(ConformanceGaps, IntegerActivations) {
  // Found (issue 20): relu, relu6, hardtanh (which keep the integer type) and sigmoid, tanh (float32 of
  // integers) were refused for integer inputs.
  const char* ir = R"IR(
    graph(%x : Tensor):
      %lo : float = prim::Constant[value=-2.7]()
      %hi : float = prim::Constant[value=1.9]()
      %a : Tensor = aten::relu(%x)
      %b : Tensor = aten::relu6(%x)
      %c : Tensor = aten::hardtanh(%x, %lo, %hi)
      %d : Tensor = aten::sigmoid(%x)
      %e : Tensor = aten::tanh(%x)
      return (%a, %b, %c, %d, %e))IR";
  for (auto type : {at::kInt, at::kLong, at::kChar}) checkGraph(ir, {at::randint(-9, 9, {3, 7}, type)});
  checkGraph(R"IR(
    graph(%x : Tensor):
      %d : Tensor = aten::sigmoid(%x)
      %e : Tensor = aten::tanh(%x)
      return (%d, %e))IR",
             {at::randint(0, 2, {3, 7}).to(at::kBool)});
}

TEST(ConformanceGaps, CumulativeOfBfloat16AndBool) {
  // Found (issue 20): cumsum/cumprod of bfloat16 were refused. PyTorch accumulates bfloat16 in float32 and
  // rounds each output; bool accumulates into int64.
  const char* ir = R"IR(
    graph(%x : Tensor):
      %one : int = prim::Constant[value=1]()
      %none : NoneType = prim::Constant()
      %a : Tensor = aten::cumsum(%x, %one, %none)
      %b : Tensor = aten::cumprod(%x, %one, %none)
      return (%a, %b))IR";
  // Sums of 300 terms stay exact against PyTorch: both accumulate in float32 in order.
  checkGraph(ir, {at::randn({4, 300}).to(at::kBFloat16)});
  checkGraph(ir, {(at::rand({4, 40}) + 0.5).to(at::kBFloat16)});
  checkGraph(ir, {at::randint(0, 2, {3, 9}).to(at::kBool)});
}

TEST(ConformanceGaps, SelectionsOfZeroDimTensors) {
  // Found (issue 20): sort, argsort, topk, max.dim, argmax/argmin, gather and index_select refused 0-dim
  // inputs, which PyTorch takes as one element along dim 0 or -1.
  checkGraph(R"IR(
    graph(%x : Tensor, %i : Tensor, %j : Tensor):
      %zero : int = prim::Constant[value=0]()
      %minus : int = prim::Constant[value=-1]()
      %one : int = prim::Constant[value=1]()
      %f : bool = prim::Constant[value=0]()
      %t : bool = prim::Constant[value=1]()
      %sv : Tensor, %si : Tensor = aten::sort(%x, %minus, %t)
      %ags : Tensor = aten::argsort(%x, %zero, %f)
      %tv : Tensor, %ti : Tensor = aten::topk(%x, %one, %minus, %t, %t)
      %zv : Tensor, %zi : Tensor = aten::topk(%x, %zero, %zero, %f, %t)
      %mv : Tensor, %mi : Tensor = aten::max(%x, %zero, %t)
      %am : Tensor = aten::argmax(%x, %minus, %f)
      %an : Tensor = aten::argmin(%x, %zero, %t)
      %g0 : Tensor = aten::gather(%x, %zero, %i, %f)
      %g1 : Tensor = aten::gather(%x, %minus, %j, %f)
      %s0 : Tensor = aten::index_select(%x, %zero, %i)
      %s1 : Tensor = aten::index_select(%x, %zero, %j)
      return (%sv, %si, %ags, %tv, %ti, %zv, %zi, %mv, %mi, %am, %an, %g0, %g1, %s0, %s1))IR",
             {at::tensor(2.5f), at::tensor(int64_t{0}), at::zeros({1}, at::kLong)});
  // A 0-dim index of a 1-D tensor: gather gives 0-dim, index_select keeps the dim.
  checkGraph(R"IR(
    graph(%x : Tensor, %i : Tensor):
      %zero : int = prim::Constant[value=0]()
      %f : bool = prim::Constant[value=0]()
      %g : Tensor = aten::gather(%x, %zero, %i, %f)
      %s : Tensor = aten::index_select(%x, %zero, %i)
      return (%g, %s))IR",
             {at::randn({5}), at::tensor(int64_t{3})});
}

TEST(ConformanceGaps, SortAndExtremesOfBool) {
  // Found (issue 20): sort/argsort/max.dim/min.dim of bool were refused (TopK has no bool kernel).
  checkGraph(R"IR(
    graph(%x : Tensor):
      %one : int = prim::Constant[value=1]()
      %f : bool = prim::Constant[value=0]()
      %t : bool = prim::Constant[value=1]()
      %sv : Tensor, %si : Tensor = aten::sort(%x, %one, %t)
      %ags : Tensor = aten::argsort(%x, %one, %f)
      %mv : Tensor, %mi : Tensor = aten::max(%x, %one, %f)
      %nv : Tensor, %ni : Tensor = aten::min(%x, %one, %t)
      return (%sv, %si, %ags, %mv, %mi, %nv, %ni))IR",
             {at::randint(0, 2, {3, 9}).to(at::kBool)});
}

TEST(ConformanceGaps, MinAndArgminPickNaN) {
  // Found (issue 20, masked.argmin): argmin and min.dim skipped NaN (TopK's smallest-first order puts it
  // last); PyTorch's min propagates NaN and argmin returns the first NaN.
  const float nan = std::numeric_limits<float>::quiet_NaN();
  at::Tensor x = at::randn({3, 5});
  x.index_put_({0, 0}, nan);
  x.index_put_({1, 1}, nan);
  x.index_put_({2, 1}, nan);
  x.index_put_({2, 3}, -0.0f);
  const char* ir = R"IR(
    graph(%x : Tensor):
      %zero : int = prim::Constant[value=0]()
      %one : int = prim::Constant[value=1]()
      %none : NoneType = prim::Constant()
      %f : bool = prim::Constant[value=0]()
      %t : bool = prim::Constant[value=1]()
      %a : Tensor = aten::argmin(%x, %none, %f)
      %b : Tensor = aten::argmin(%x, %zero, %t)
      %c : Tensor = aten::argmax(%x, %one, %f)
      %mv : Tensor, %mi : Tensor = aten::min(%x, %one, %f)
      %xv : Tensor, %xi : Tensor = aten::max(%x, %zero, %f)
      return (%a, %b, %c, %mv, %mi, %xv, %xi))IR";
  checkGraph(ir, {x});
  checkGraph(ir, {x.to(at::kHalf)});
  checkGraph(ir, {at::randint(-3, 3, {4, 6}, at::kInt)});
}
