// Converters with dynamic input dimensions (IR string -> JIT interpreter vs one engine run at several
// shapes): sizes of dynamic dimensions as shape tensors, int arithmetic on them, reshapes, fills,
// expands, aranges, slices, selects and unflattens of run-time size, branches decided while
// converting, and nn.MultiheadAttention's inference path.
#include "converter_test_util.h"

using torchtrt_test::checkGraph;
using torchtrt_test::checkGraphDynamic;
using torchtrt_test::range;

TEST(ShapeTensorConverters, SizeArithmeticFeedsView) {
  // x.view(b * c // 2, 2, h * w) and sizes through NumToTensor / Int as tracing writes them.
  const char* ir = R"IR(
    graph(%x : Tensor):
      %0 : int = prim::Constant[value=0]()
      %1 : int = prim::Constant[value=1]()
      %2 : int = prim::Constant[value=2]()
      %3 : int = prim::Constant[value=3]()
      %m1 : int = prim::Constant[value=-1]()
      %b : int = aten::size(%x, %0)
      %c : int = aten::size(%x, %1)
      %h : int = aten::size(%x, %2)
      %w : int = aten::size(%x, %3)
      %bc : int = aten::mul(%b, %c)
      %half : int = aten::floordiv(%bc, %2)
      %hw : int = aten::mul(%h, %w)
      %bt : Tensor = prim::NumToTensor(%b)
      %bi : int = aten::Int(%bt)
      %r : int = aten::remainder(%hw, %3)
      %n : int = aten::neg(%r)
      %nr : int = aten::sub(%bi, %n)
      %s : int[] = prim::ListConstruct(%half, %2, %hw)
      %y : Tensor = aten::view(%x, %s)
      %t : int[] = prim::ListConstruct(%nr, %m1)
      %z : Tensor = aten::reshape(%x, %t)
      return (%y, %z))IR";
  // z: [b + (h*w % 3), -1] needs sizes whose product divides; pick shapes where it does.
  checkGraphDynamic(ir, {range({1, 2, 3, 1}, {2, 2, 3, 2}, {4, 2, 6, 4})},
                    {{at::randn({2, 2, 3, 1})}, {at::randn({1, 2, 3, 2})}, {at::randn({4, 2, 3, 3})}});
}

TEST(ShapeTensorConverters, SizeListUnpackAndStaticEntries) {
  // b, c, h, w = x.size(): the static channel count stays a compile-time int (its check folds).
  const char* ir = R"IR(
    graph(%x : Tensor):
      %sizes : int[] = aten::size(%x)
      %b : int, %c : int, %h : int, %w : int = prim::ListUnpack(%sizes)
      %n : int = aten::len(%sizes)
      %four : int = prim::Constant[value=4]()
      %ok : bool = aten::eq(%c, %four)
      %y : Tensor = prim::If(%ok)
        block0():
          %m1 : int = prim::Constant[value=-1]()
          %s : int[] = prim::ListConstruct(%b, %m1, %w)
          %v : Tensor = aten::view(%x, %s)
          -> (%v)
        block1():
          -> (%x)
      %k : Tensor = aten::mul(%y, %n)
      return (%k))IR";
  checkGraphDynamic(ir, {range({1, 4, 2, 2}, {2, 4, 3, 3}, {3, 4, 5, 5})},
                    {{at::randn({1, 4, 2, 5})}, {at::randn({3, 4, 5, 2})}});
}

TEST(ShapeTensorConverters, FillsOfRunTimeSize) {
  const char* ir = R"IR(
    graph(%x : Tensor):
      %0 : int = prim::Constant[value=0]()
      %1 : int = prim::Constant[value=1]()
      %3 : int = prim::Constant[value=3]()
      %none : NoneType = prim::Constant()
      %f : float = prim::Constant[value=2.5]()
      %long : int = prim::Constant[value=4]()
      %b : int = aten::size(%x, %0)
      %b1 : int = aten::add(%b, %1)
      %s : int[] = prim::ListConstruct(%b1, %3)
      %zeros : Tensor = aten::zeros(%s, %none, %none, %none, %none)
      %full : Tensor = aten::full(%s, %f, %none, %none, %none, %none)
      %ints : Tensor = aten::new_ones(%x, %s, %long, %none, %none, %none)
      %like : Tensor = aten::ones_like(%x, %none, %none, %none, %none, %none)
      %range : Tensor = aten::arange(%b1, %none, %none, %none, %none)
      %stepped : Tensor = aten::arange(%1, %b1, %3, %none, %none, %none, %none)
      %sum : Tensor = aten::add(%zeros, %full, %1)
      return (%sum, %ints, %like, %range, %stepped))IR";
  checkGraphDynamic(ir, {range({1, 2}, {3, 2}, {8, 2})},
                    {{at::randn({1, 2})}, {at::randn({5, 2})}, {at::randn({8, 2})}});
}

TEST(ShapeTensorConverters, ExpandSliceSelectUnflattenOfDynamicDims) {
  const char* ir = R"IR(
    graph(%x : Tensor, %cls : Tensor):
      %0 : int = prim::Constant[value=0]()
      %1 : int = prim::Constant[value=1]()
      %2 : int = prim::Constant[value=2]()
      %m1 : int = prim::Constant[value=-1]()
      %m2 : int = prim::Constant[value=-2]()
      %none : NoneType = prim::Constant()
      %f : bool = prim::Constant[value=0]()
      %b : int = aten::size(%x, %0)
      %s : int[] = prim::ListConstruct(%b, %m1, %m1)
      %tokens : Tensor = aten::expand(%cls, %s, %f)
      %list : Tensor[] = prim::ListConstruct(%tokens, %x)
      %seq : Tensor = aten::cat(%list, %1)
      %tail : Tensor = aten::slice(%seq, %1, %1, %none, %1)
      %last2 : Tensor = aten::slice(%seq, %1, %m2, %none, %1)
      %odd : Tensor = aten::slice(%seq, %1, %1, %m1, %2)
      %first : Tensor = aten::select(%seq, %1, %0)
      %last : Tensor = aten::select(%seq, %1, %m1)
      %sizes : int[] = prim::ListConstruct(%2, %m1)
      %split : Tensor = aten::unflatten(%seq, %2, %sizes)
      return (%tail, %last2, %odd, %first, %last, %split))IR";
  auto cls = at::randn({1, 1, 4});
  checkGraphDynamic(ir, {range({1, 1, 4}, {2, 3, 4}, {4, 6, 4}), range({1, 1, 4}, {1, 1, 4}, {1, 1, 4})},
                    {{at::randn({1, 1, 4}), cls}, {at::randn({3, 4, 4}), cls}, {at::randn({4, 6, 4}), cls}});
}

TEST(ShapeTensorConverters, NativeMultiHeadAttention) {
  // torch._native_multi_head_attention (self-attention, no weights), batch and length dynamic.
  const char* ir = R"IR(
    graph(%x : Tensor, %w : Tensor, %b : Tensor, %pw : Tensor, %pb : Tensor):
      %e : int = prim::Constant[value=8]()
      %h : int = prim::Constant[value=2]()
      %none : NoneType = prim::Constant()
      %f : bool = prim::Constant[value=0]()
      %t : bool = prim::Constant[value=1]()
      %y : Tensor, %weights : Tensor = aten::_native_multi_head_attention(%x, %x, %x, %e, %h, %w, %b, %pw, %pb, %none, %f, %t, %none)
      return (%y))IR";
  auto w = at::randn({24, 8}) * 0.3, b = at::randn({24}), pw = at::randn({8, 8}) * 0.3, pb = at::randn({8});
  checkGraph(ir, {at::randn({2, 5, 8})}, {w, b, pw, pb});
  auto g = torchtrt_test::parse(ir);
  for (auto shape : {std::vector<int64_t>{1, 3, 8}, std::vector<int64_t>{3, 6, 8}}) {
    auto x = at::randn(shape);
    auto expected = torchtrt_test::runJit(g, {x}, {w, b, pw, pb});
    auto actual = torchtrt_test::runEngine(g, {x}, {w, b, pw, pb}, {range({1, 2, 8}, {2, 4, 8}, {4, 8, 8})});
    torchtrt_test::expectClose(actual[0], expected[0], torchtrt_test::toleranceFor(at::kFloat));
  }
}

TEST(ShapeTensorConverters, DataDependentIntsAreRefusedClearly) {
  // int(x.sum()) is computed from data, not from sizes: no shape tensor, a clear error.
  const char* ir = R"IR(
    graph(%x : Tensor):
      %none : NoneType = prim::Constant()
      %0 : int = prim::Constant[value=0]()
      %s : Tensor = aten::sum(%x, %none)
      %i : int = aten::Int(%s)
      %l : int[] = prim::ListConstruct(%i, %0)
      %y : Tensor = aten::zeros(%l, %none, %none, %none, %none)
      return (%y))IR";
  auto g = torchtrt_test::parse(ir);
  try {
    torchtrt_test::runEngine(g, {at::ones({2, 2})});
    FAIL() << "expected an error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("computed at run time from tensor data"), std::string::npos) << e.what();
  }
}

TEST(DataDependentConverters, NonzeroMaskIndexAndMaskedSelect) {
  // Outputs whose size depends on the data (a NonZero layer): compared element for element,
  // including a mask with nothing selected.
  const char* ir = R"IR(
    graph(%x : Tensor, %y : Tensor):
      %0 : int = prim::Constant[value=0]()
      %none : NoneType = prim::Constant()
      %half : float = prim::Constant[value=0.5]()
      %zero : int = prim::Constant[value=0]()
      %keep : Tensor = aten::gt(%x, %zero)
      %list : Tensor?[] = prim::ListConstruct(%keep)
      %picked : Tensor = aten::index(%x, %list)
      %big : Tensor = aten::gt(%y, %half)
      %where : Tensor = aten::nonzero(%big)
      %also : Tensor = aten::argwhere(%big)
      %neg : Tensor = aten::lt(%y, %zero)
      %sel : Tensor = aten::masked_select(%y, %neg)
      %row : Tensor = aten::select(%keep, %0, %0)
      %cols : Tensor?[] = prim::ListConstruct(%none, %row)
      %columns : Tensor = aten::index(%x, %cols)
      return (%picked, %where, %also, %sel, %columns))IR";
  auto g = torchtrt_test::parse(ir);
  for (int seed = 0; seed < 3; ++seed) {
    at::manual_seed(seed);
    std::vector<at::Tensor> inputs = {at::randn({3, 4}), at::randn({2, 5})};
    if (seed == 2) inputs = {at::zeros({3, 4}), at::zeros({2, 5})};  // nothing selected: empty outputs
    auto expected = torchtrt_test::runJit(g, inputs);
    auto actual = torchtrt_test::runEngine(g, inputs);
    ASSERT_EQ(actual.size(), expected.size());
    for (size_t i = 0; i < actual.size(); ++i) {
      ASSERT_EQ(actual[i].sizes(), expected[i].sizes()) << "output " << i << ", seed " << seed;
      EXPECT_TRUE(at::equal(actual[i], expected[i])) << "output " << i << ", seed " << seed;
    }
  }
  torchtrt_test::recordCompared(g->block());
}

TEST(ShapeTensorConverters, EinsumBroadcastAndDynamicDimsUseTheEinsumLayer) {
  // Size-1 dimensions broadcasting (explicit labels and ellipses) and a dynamic batch: the engine's
  // Einsum layer instead of products.
  auto ir = [](const char* equation) {
    return std::string("graph(%a : Tensor, %b : Tensor):\n  %none : NoneType = prim::Constant()\n") +
           "  %eq : str = prim::Constant[value=\"" + equation + "\"]()\n" +
           "  %l : Tensor[] = prim::ListConstruct(%a, %b)\n  %y : Tensor = aten::einsum(%eq, %l, %none)\n" +
           "  return (%y)";
  };
  torchtrt_test::checkGraph(ir("bij,bjk->bik"), {at::randn({1, 2, 3}), at::randn({4, 3, 2})});
  torchtrt_test::checkGraph(ir("...ij,...jk->...ik"), {at::randn({2, 1, 3, 4}), at::randn({5, 4, 2})});
  torchtrt_test::checkGraph(ir("bi,bi->b"), {at::randn({3, 1}), at::randn({3, 5})});
  checkGraphDynamic(ir("bij,bjk->bki"),
                    {range({1, 2, 3}, {2, 2, 3}, {4, 2, 3}), range({1, 3, 5}, {2, 3, 5}, {4, 3, 5})},
                    {{at::randn({1, 2, 3}), at::randn({1, 3, 5})}, {at::randn({4, 2, 3}), at::randn({4, 3, 5})}});
}

TEST(DataDependentConverters, MaskedAssignmentOfSeveralValues) {
  // x[mask] = values / += values with one row per selected position (a NonZero-positioned scatter),
  // and x[mask] = row broadcast over the unmasked dims (a select). The masks select exactly as many
  // positions as values has rows (torch requires it).
  const char* ir = R"IR(
    graph(%x : Tensor, %m : Tensor, %v : Tensor, %row : Tensor):
      %t : bool = prim::Constant[value=1]()
      %f : bool = prim::Constant[value=0]()
      %l : Tensor?[] = prim::ListConstruct(%m)
      %a : Tensor = aten::index_put(%x, %l, %v, %f)
      %b : Tensor = aten::index_put(%x, %l, %v, %t)
      %c : Tensor = aten::index_put(%x, %l, %row, %f)
      return (%a, %b, %c))IR";
  auto g = torchtrt_test::parse(ir);
  auto mask = at::tensor({1, 0, 1, 1, 0}, at::kInt).to(at::kBool);
  std::vector<at::Tensor> inputs = {at::randn({5, 3}), mask, at::randn({3, 3}), at::randn({3})};
  auto expected = torchtrt_test::runJit(g, inputs);
  auto actual = torchtrt_test::runEngine(g, inputs);
  for (size_t i = 0; i < actual.size(); ++i)
    torchtrt_test::expectClose(actual[i], expected[i], torchtrt_test::toleranceFor(at::kFloat));
  torchtrt_test::recordCompared(g->block());
}
