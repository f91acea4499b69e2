// Reductions (sum, mean, prod, var/std, all/any, of integers and bool), softmax and log-softmax,
// sorts, top-k, extremes and their indices, cumulative ops.
// Each graph runs in the JIT interpreter and as an engine (static and dynamic shapes), compared
// with the central per-dtype tolerances (converter_test_util.h).
#include <array>
#include <limits>

#include "converter_test_util.h"

using torchtrt_test::batches;
using torchtrt_test::checkGraph;
using torchtrt_test::checkGraphDynamic;
using torchtrt_test::ints;
using torchtrt_test::range;
using torchtrt_test::scriptGraph;

TEST(Reductions, SoftmaxReductionsAndConcat) {
  checkGraph(R"IR(
    graph(%x : Tensor, %y : Tensor):
      %m1 : int = prim::Constant[value=-1]()
      %none : NoneType = prim::Constant()
      %a : Tensor = aten::softmax(%x, %m1, %none)
      %dims : int[] = prim::Constant[value=[0, -1]]()
      %t : bool = prim::Constant[value=1]()
      %b : Tensor = aten::mean(%x, %dims, %t, %none)
      %c : Tensor = aten::sum(%x, %none)
      %l : Tensor[] = prim::ListConstruct(%x, %y)
      %one : int = prim::Constant[value=1]()
      %d : Tensor = aten::cat(%l, %one)
      %e : Tensor = aten::stack(%l, %m1)
      return (%a, %b, %c, %d))IR",
             {at::randn({2, 3, 4}), at::randn({2, 3, 4})});
}

TEST(Reductions, TopKSortMaxMinArgmaxArgmin) {
  checkGraph(R"IR(
    graph(%x : Tensor, %i : Tensor):
      %none : NoneType = prim::Constant()
      %k : int = prim::Constant[value=3]()
      %one : int = prim::Constant[value=1]()
      %neg : int = prim::Constant[value=-1]()
      %t : bool = prim::Constant[value=1]()
      %f : bool = prim::Constant[value=0]()
      %v1 : Tensor, %i1 : Tensor = aten::topk(%x, %k, %one, %t, %t)
      %v2 : Tensor, %i2 : Tensor = aten::topk(%x, %k, %neg, %f, %t)
      %v3 : Tensor, %i3 : Tensor = aten::sort(%x, %one, %t)
      %v4 : Tensor, %i4 : Tensor = aten::max(%x, %neg, %f)
      %v5 : Tensor, %i5 : Tensor = aten::min(%x, %one, %t)
      %a1 : Tensor = aten::argmax(%x, %none, %f)
      %a2 : Tensor = aten::argmin(%x, %one, %t)
      %a3 : Tensor = aten::argmax(%i, %neg, %f)
      %v6 : Tensor, %i6 : Tensor = aten::sort(%i, %neg, %f)
      %s1 : Tensor = aten::argsort(%x, %one, %f)
      %v7 : Tensor, %i7 : Tensor = aten::sort(%i, %t, %neg, %t)
      %s2 : Tensor = aten::argsort(%i, %t, %one, %f)
      return (%v1, %i1, %v2, %i2, %v3, %i3, %v4, %i4, %v5, %i5, %a1, %a2, %a3, %v6, %s1, %v7, %i7, %s2))IR",
             {at::randn({2, 6, 5}), at::randint(0, 3, {3, 7}, at::kInt)});
}

TEST(Reductions, SoftmaxAndLogSoftmaxDtypeArguments) {
  checkGraph(R"IR(
    graph(%x : Tensor):
      %one : int = prim::Constant[value=1]()
      %f32 : int = prim::Constant[value=6]()
      %f : bool = prim::Constant[value=0]()
      %a : Tensor = aten::softmax(%x, %one, %f32)
      %b : Tensor = aten::_softmax(%x, %one, %f)
      %c : Tensor = aten::log_softmax(%x, %one, %f32)
      return (%a, %b, %c))IR",
             {at::randn({3, 7})});
}

TEST(Reductions, ReductionsOverAllDimsAndCorrections) {
  checkGraph(R"IR(
    graph(%x : Tensor):
      %none : NoneType = prim::Constant()
      %f : bool = prim::Constant[value=0]()
      %t : bool = prim::Constant[value=1]()
      %one : int = prim::Constant[value=1]()
      %zero : int = prim::Constant[value=0]()
      %d12 : int[] = prim::Constant[value=[1, 2]]()
      %d1 : int[] = prim::Constant[value=[1]]()
      %d02 : int[] = prim::Constant[value=[0, 2]]()
      %b : Tensor = aten::gt(%x, %zero)
      %a : Tensor = aten::all(%b, %d12, %f)
      %mx : Tensor = aten::amax(%x, %d1, %f)
      %mn : Tensor = aten::amin(%x, %d02, %t)
      %an : Tensor = aten::any(%b)
      %ad : Tensor = aten::any(%b, %one, %t)
      %me : Tensor = aten::mean(%x, %none)
      %p : Tensor = aten::prod(%x, %none)
      %s : Tensor = aten::std(%x, %t)
      %sc : Tensor = aten::std(%x, %d1, %zero, %t)
      return (%a, %mx, %mn, %an, %ad, %me, %p, %s, %sc))IR",
             {at::rand({3, 4, 5}) + 0.5});
}

TEST(Reductions, ElementwiseReductionsSoftmaxAndActivations) {
  const char* ir = R"IR(
    graph(%x : Tensor):
      %one : int = prim::Constant[value=1]()
      %m1 : int = prim::Constant[value=-1]()
      %f : bool = prim::Constant[value=0]()
      %t : bool = prim::Constant[value=1]()
      %none : NoneType = prim::Constant()
      %c : float = prim::Constant[value=0.5]()
      %dims : int[] = prim::Constant[value=[1]]()
      %a : Tensor = aten::mul(%x, %c)
      %b : Tensor = aten::sigmoid(%a)
      %s : Tensor = aten::sum(%b, %dims, %t, %none)
      %d : Tensor = aten::sub(%b, %s, %one)
      %sm : Tensor = aten::softmax(%d, %m1, %none)
      %approx : str = prim::Constant[value="none"]()
      %g : Tensor = aten::gelu(%sm, %approx)
      %cs : Tensor = aten::cumsum(%x, %one, %none)
      return (%g, %cs))IR";
  checkGraphDynamic(ir, {range({1, 5}, {2, 5}, {6, 5})}, batches({5}, {1, 4, 6}));
}

TEST(Reductions, SortsOfDynamicDimsAndRunTimeK) {
  // sort / argsort along the dynamic batch and along a dynamic length (the TopK layer reads k, the
  // size, at run time), and topk with k computed from a size. Integer data with ties: stable order.
  const char* ir = R"IR(
    graph(%x : Tensor, %i : Tensor):
      %zero : int = prim::Constant[value=0]()
      %one : int = prim::Constant[value=1]()
      %two : int = prim::Constant[value=2]()
      %t : bool = prim::Constant[value=1]()
      %f : bool = prim::Constant[value=0]()
      %v0 : Tensor, %i0 : Tensor = aten::sort(%x, %zero, %f)
      %v2 : Tensor, %i2 : Tensor = aten::sort(%x, %two, %t)
      %a2 : Tensor = aten::argsort(%i, %t, %one, %t)
      %n : int = aten::size(%x, %two)
      %k : int = aten::floordiv(%n, %two)
      %tv : Tensor, %ti : Tensor = aten::topk(%x, %k, %two, %t, %t)
      return (%v0, %i0, %v2, %i2, %a2, %tv, %ti))IR";
  std::vector<std::vector<at::Tensor>> runs;
  for (auto [b, l] : std::vector<std::array<int64_t, 2>>{{1, 2}, {3, 5}, {4, 9}})
    runs.push_back({at::randn({b, 3, l}), at::randint(0, 3, {b, l}, at::kLong)});
  checkGraphDynamic(ir, {range({1, 3, 2}, {2, 3, 5}, {4, 3, 9}), range({1, 2}, {2, 5}, {4, 9}, at::kLong)}, runs);
}

TEST(Reductions, CumulativeOfBfloat16AndBool) {
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

TEST(Reductions, SortAndExtremesOfBool) {
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

TEST(Reductions, MinAndArgminPickNaN) {
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

TEST(Reductions, ReductionsOfIntegersAndBool) {
  // sum / prod of integers and bool give int64; mean takes a dtype; whole-tensor max / min; prod over a dim.
  checkGraph(scriptGraph(R"PY(
def forward(i: Tensor, m: Tensor, x: Tensor):
    return (i.sum(), i.sum(1), m.sum(), m.sum(0, keepdim=True), m.mean(dtype=6), i.prod(1),
            x.prod(0), x.prod(1, keepdim=True), i.max(), i.min(), x.max(), x.min(), m.max(), i.amax(1), m.any(),
            i.sum(dtype=6), torch.mean(i, 1, dtype=6))
)PY"),
             {ints({3, 5}, at::kInt, -4, 5), at::rand({3, 5}) > 0.5, at::randn({3, 5})});
  checkGraphDynamic(R"IR(
    graph(%m : Tensor):
      %d : int[] = prim::Constant[value=[1]]()
      %f : bool = prim::Constant[value=0]()
      %none : NoneType = prim::Constant()
      %s : Tensor = aten::sum(%m, %d, %f, %none)
      %x : Tensor = aten::max(%m)
      return (%s, %x))IR",
                    {range({1, 4}, {2, 4}, {5, 4}, at::kBool)}, {{at::rand({1, 4}) > 0.5}, {at::rand({5, 4}) > 0.5}});
}

TEST(Reductions, AllAndAnyOfZeroDimTensors) {
  // Found: "no reduce axes are set" / "reduce axes mask 1 names a dimension beyond the input's rank 0".
  const char* ir = R"IR(
    graph(%x : Tensor):
      %zero : int = prim::Constant[value=0]()
      %minus : int = prim::Constant[value=-1]()
      %f : bool = prim::Constant[value=0]()
      %t : bool = prim::Constant[value=1]()
      %a : Tensor = aten::all(%x)
      %b : Tensor = aten::any(%x)
      %c : Tensor = aten::all(%x, %zero, %t)
      %d : Tensor = aten::any(%x, %minus, %f)
      return (%a, %b, %c, %d))IR";
  for (double v : {0.0, 2.5}) {
    checkGraph(ir, {at::tensor(static_cast<float>(v))});
    checkGraph(ir, {at::tensor(static_cast<int64_t>(v))});
    checkGraph(ir, {at::full({}, v != 0.0, at::kBool)});
  }
  checkGraph(ir, {at::tensor(std::numeric_limits<float>::quiet_NaN())});
}
