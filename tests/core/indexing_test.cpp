// Selection and indexing: where, masked fill/select, index_select, embedding, gather, scatter (and
// its reductions), index / index_put / index_add / index_copy / index_fill, one_hot, nonzero.
// Each graph runs in the JIT interpreter and as an engine (static and dynamic shapes), compared
// with the central per-dtype tolerances (converter_test_util.h).
#include <array>
#include <string>

#include "converter_test_util.h"

using torchtrt_test::checkGraph;
using torchtrt_test::checkGraphDynamic;
using torchtrt_test::range;
using torchtrt_test::runEngine;

TEST(Indexing, WhereMaskedFillIndexSelectEmbedding) {
  checkGraph(R"IR(
    graph(%x : Tensor, %y : Tensor, %idx : Tensor):
      %zero : float = prim::Constant[value=0.]()
      %c : Tensor = aten::gt(%x, %zero)
      %a : Tensor = aten::where(%c, %x, %y)
      %v : float = prim::Constant[value=-7.5]()
      %b : Tensor = aten::masked_fill(%x, %c, %v)
      %one : int = prim::Constant[value=1]()
      %d : Tensor = aten::index_select(%x, %one, %idx)
      return (%a, %b, %d))IR",
             {at::randn({3, 4}), at::randn({1, 4}), at::tensor({3, 0, 3, 2}, at::kLong)});
  checkGraph(R"IR(
    graph(%idx : Tensor, %w : Tensor):
      %pad : int = prim::Constant[value=-1]()
      %f : bool = prim::Constant[value=0]()
      %e : Tensor = aten::embedding(%w, %idx, %pad, %f, %f)
      return (%e))IR",
             {at::tensor({1, 4, 0, 2}, at::kInt).reshape({2, 2})}, {at::randn({5, 3})});
  // Scalar branches (transformers' attention masks), with PyTorch's promotion of int and float.
  checkGraph(R"IR(
    graph(%x : Tensor, %i : Tensor):
      %zero : float = prim::Constant[value=0.]()
      %c : Tensor = aten::gt(%x, %zero)
      %low : float = prim::Constant[value=-3.5]()
      %two : int = prim::Constant[value=2]()
      %a : Tensor = aten::where(%c, %x, %low)
      %b : Tensor = aten::where(%c, %low, %x)
      %d : Tensor = aten::where(%c, %two, %low)
      %e : Tensor = aten::where(%c, %i, %two)
      %f : Tensor = aten::where(%c, %i, %low)
      return (%a, %b, %d, %e, %f))IR",
             {at::randn({3, 4}), at::randint(-5, 5, {3, 4}, at::kLong)});
}

TEST(Indexing, GatherElementsAlongEachDim) {
  // Index tensors smaller than the data in the other dims, negative dim, int32 and int64 indices.
  checkGraph(R"IR(
    graph(%x : Tensor, %i0 : Tensor, %i1 : Tensor):
      %zero : int = prim::Constant[value=0]()
      %neg : int = prim::Constant[value=-1]()
      %f : bool = prim::Constant[value=0]()
      %a : Tensor = aten::gather(%x, %zero, %i0, %f)
      %b : Tensor = aten::gather(%x, %neg, %i1, %f)
      return (%a, %b))IR",
             {at::randn({3, 4, 5}), at::randint(0, 3, {2, 4, 3}, at::kLong), at::randint(0, 5, {3, 2, 7}, at::kInt)});
}

TEST(Indexing, IndexWithARunTimeIndexTensor) {
  // x[:, i] with i an engine input (negative entries wrap), and x[i] on the first dimension.
  checkGraph(R"IR(
    graph(%x : Tensor, %i : Tensor):
      %none : NoneType = prim::Constant()
      %l : Tensor?[] = prim::ListConstruct(%none, %i)
      %y : Tensor = aten::index(%x, %l)
      %m : Tensor?[] = prim::ListConstruct(%i)
      %z : Tensor = aten::index(%x, %m)
      return (%y, %z))IR",
             {at::randn({5, 6}), at::tensor({4, -1, 0, 2, -5}, at::kLong)});
}

TEST(Indexing, OneHotOfARunTimeTensor) {
  checkGraph(R"IR(
    graph(%x : Tensor):
      %classes : int = prim::Constant[value=5]()
      %y : Tensor = aten::one_hot(%x, %classes)
      return (%y))IR",
             {at::tensor({3, 0, 4, 1, 1, 2}, at::kLong).reshape({2, 3})});
  // num_classes=-1 sizes the output from the data; with 0 PyTorch raises for every input.
  for (const char* classes : {"-1", "0"}) {
    try {
      torchtrt_test::runEngine(
          torchtrt_test::parse(std::string("graph(%x : Tensor):\n  %c : int = prim::Constant[value=") + classes +
                               "]()\n  %y : Tensor = aten::one_hot(%x, %c)\n  return (%y)"),
          {at::tensor({1, 0}, at::kLong)});
      FAIL() << "num_classes=" << classes << " should be refused";
    } catch (const std::exception& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("num_classes=") + classes), std::string::npos) << e.what();
    }
  }
}

TEST(Indexing, ScatterSrcAndValue) {
  // Index rows are permutations (no two positions write one element: the result is deterministic);
  // the index is smaller than self in dim 0 and than src in both dims.
  auto index = at::stack({at::randperm(5, at::kLong), at::randperm(5, at::kLong), at::randperm(5, at::kLong)});
  checkGraph(R"IR(
    graph(%x : Tensor, %src : Tensor, %idx : Tensor):
      %one : int = prim::Constant[value=1]()
      %neg : int = prim::Constant[value=-1]()
      %v : float = prim::Constant[value=2.5]()
      %a : Tensor = aten::scatter(%x, %one, %idx, %src)
      %b : Tensor = aten::scatter(%x, %neg, %idx, %v)
      return (%a, %b))IR",
             {at::randn({4, 5}), at::randn({3, 6})}, {index});
}

TEST(Indexing, ScatterAddAndEveryReduction) {
  // Duplicate indices (each update must count) along dim 1, a negative dim, include_self both ways,
  // int64 data for the integer path, and scatter's reduce= forms.
  auto index = at::randint(0, 5, {3, 6}, at::kLong);
  checkGraph(R"IR(
    graph(%x : Tensor, %src : Tensor, %ints : Tensor, %isrc : Tensor, %idx : Tensor):
      %one : int = prim::Constant[value=1]()
      %neg : int = prim::Constant[value=-1]()
      %yes : bool = prim::Constant[value=1]()
      %no : bool = prim::Constant[value=0]()
      %sum : str = prim::Constant[value="sum"]()
      %prod : str = prim::Constant[value="prod"]()
      %amax : str = prim::Constant[value="amax"]()
      %amin : str = prim::Constant[value="amin"]()
      %mean : str = prim::Constant[value="mean"]()
      %add : str = prim::Constant[value="add"]()
      %mul : str = prim::Constant[value="multiply"]()
      %v : float = prim::Constant[value=1.5]()
      %a : Tensor = aten::scatter_add(%x, %one, %idx, %src)
      %b : Tensor = aten::scatter_reduce(%x, %neg, %idx, %src, %sum, %no)
      %c : Tensor = aten::scatter_reduce(%x, %one, %idx, %src, %prod, %yes)
      %d : Tensor = aten::scatter_reduce(%x, %one, %idx, %src, %amax, %no)
      %e : Tensor = aten::scatter_reduce(%x, %one, %idx, %src, %amin, %yes)
      %f : Tensor = aten::scatter_reduce(%x, %one, %idx, %src, %mean, %yes)
      %g : Tensor = aten::scatter_reduce(%x, %one, %idx, %src, %mean, %no)
      %h : Tensor = aten::scatter(%x, %one, %idx, %src, %add)
      %i : Tensor = aten::scatter(%x, %one, %idx, %v, %mul)
      %j : Tensor = aten::scatter_add(%ints, %one, %idx, %isrc)
      %k : Tensor = aten::scatter_reduce(%ints, %one, %idx, %isrc, %amax, %no)
      return (%a, %b, %c, %d, %e, %f, %g, %h, %i, %j, %k))IR",
             {at::randn({4, 5}), at::randn({3, 6}), at::randint(-50, 50, {4, 5}, at::kLong),
              at::randint(-50, 50, {3, 6}, at::kLong)},
             {index});
}

TEST(Indexing, IndexWithSeveralIndexTensors) {
  // Run-time index tensors: adjacent dims (x[i, j] and x[:, j, k] with broadcasting, negative
  // entries), separated dims (x[i, :, k]: the broadcast dims go first), and a compile-time index
  // beside a run-time one.
  auto fixed = at::tensor({2, -1, 0}, at::kLong);
  checkGraph(R"IR(
    graph(%x : Tensor, %i : Tensor, %j : Tensor, %k : Tensor, %fixed : Tensor):
      %none : NoneType = prim::Constant()
      %l1 : Tensor?[] = prim::ListConstruct(%i, %j)
      %a : Tensor = aten::index(%x, %l1)
      %l2 : Tensor?[] = prim::ListConstruct(%none, %j, %k)
      %b : Tensor = aten::index(%x, %l2)
      %l3 : Tensor?[] = prim::ListConstruct(%i, %none, %k)
      %c : Tensor = aten::index(%x, %l3)
      %l4 : Tensor?[] = prim::ListConstruct(%fixed, %j)
      %d : Tensor = aten::index(%x, %l4)
      return (%a, %b, %c, %d))IR",
             {at::randn({4, 5, 6}), at::tensor({{0}, {3}, {-2}}, at::kLong), at::tensor({1, -5, 4}, at::kLong),
              at::tensor({5, 0, -6}, at::kInt)},
             {fixed});
}

TEST(Indexing, IndexPutEveryForm) {
  // x[i, j] = v (distinct tuples: which duplicate wins is unspecified), x[i] += v with a duplicate
  // and a negative row, x[:, j] = v (indexed dim after a full slice), x[i, :, k] = v (separated
  // dims, a broadcast value), x[x > 0.5] = v (a run-time mask), x[rows] += v (a compile-time mask
  // over the leading dim).
  auto rows = at::tensor({1, 0, 1, 1}, at::kInt).to(at::kBool);
  checkGraph(R"IR(
    graph(%x : Tensor, %i : Tensor, %j : Tensor, %k : Tensor, %dup : Tensor, %v2 : Tensor, %v3 : Tensor, %vcol : Tensor,
          %one : Tensor, %rows : Tensor):
      %none : NoneType = prim::Constant()
      %false : bool = prim::Constant[value=0]()
      %true : bool = prim::Constant[value=1]()
      %half : float = prim::Constant[value=0.5]()
      %l1 : Tensor?[] = prim::ListConstruct(%i, %j)
      %a : Tensor = aten::index_put(%x, %l1, %v2, %false)
      %l2 : Tensor?[] = prim::ListConstruct(%dup)
      %b : Tensor = aten::index_put(%x, %l2, %v3, %true)
      %l3 : Tensor?[] = prim::ListConstruct(%none, %j)
      %c : Tensor = aten::index_put(%x, %l3, %vcol, %false)
      %l4 : Tensor?[] = prim::ListConstruct(%i, %none, %k)
      %d : Tensor = aten::index_put(%x, %l4, %one, %false)
      %m : Tensor = aten::gt(%x, %half)
      %l5 : Tensor?[] = prim::ListConstruct(%m)
      %e : Tensor = aten::index_put(%x, %l5, %one, %false)
      %l6 : Tensor?[] = prim::ListConstruct(%rows)
      %f : Tensor = aten::index_put(%x, %l6, %one, %true)
      return (%a, %b, %c, %d, %e, %f))IR",
             {at::randn({4, 5, 6}), at::tensor({0, 3, 1}, at::kLong), at::tensor({4, 0, 2}, at::kLong),
              at::tensor({5, 0, -1}, at::kInt), at::tensor({1, 1, -1}, at::kLong), at::randn({3, 6}),
              at::randn({3, 5, 6}), at::randn({4, 3, 6}), at::randn({1})},
             {rows});
}

TEST(Indexing, IndexAddCopyAndFill) {
  // index_add with a duplicate index (both rows add up) and alpha, on a negative dim; index_copy
  // (distinct indices); index_fill with a scalar and with a 0-d tensor value; int64 data for the
  // integer path.
  checkGraph(R"IR(
    graph(%x : Tensor, %src : Tensor, %csrc : Tensor, %ints : Tensor, %isrc : Tensor, %dup : Tensor, %idx : Tensor,
          %v : Tensor):
      %zero : int = prim::Constant[value=0]()
      %neg : int = prim::Constant[value=-1]()
      %alpha : float = prim::Constant[value=0.5]()
      %one : int = prim::Constant[value=1]()
      %s : float = prim::Constant[value=-3.5]()
      %a : Tensor = aten::index_add(%x, %neg, %dup, %src, %alpha)
      %b : Tensor = aten::index_copy(%x, %zero, %idx, %csrc)
      %c : Tensor = aten::index_fill(%x, %one, %dup, %s)
      %d : Tensor = aten::index_fill(%x, %zero, %idx, %v)
      %e : Tensor = aten::index_add(%ints, %zero, %dup, %isrc, %one)
      return (%a, %b, %c, %d, %e))IR",
             {at::randn({4, 5}), at::randn({4, 3}), at::randn({2, 5}), at::randint(-9, 9, {4, 5}, at::kLong),
              at::randint(-9, 9, {3, 5}, at::kLong), at::tensor({1, 3, 1}, at::kLong), at::tensor({3, 0}, at::kLong),
              at::scalar_tensor(2.25)});
}

TEST(Indexing, MaskedFillsInPlaceAndWithTensorValues) {
  const at::Tensor x = at::randn({3, 4}), mask = at::rand({3, 4}) > 0.5, value = at::scalar_tensor(2.5);
  checkGraph(
      "graph(%x : Tensor, %m : Tensor, %v : Tensor):\n  %y : Tensor = aten::masked_fill(%x, %m, %v)\n"
      "  return (%y)",
      {x, mask, value});
  checkGraph(
      "graph(%x : Tensor, %m : Tensor, %v : Tensor):\n  %y : Tensor = aten::masked_fill_(%x, %m, %v)\n"
      "  return (%y)",
      {x, mask, value});
  checkGraph(
      "graph(%x : Tensor, %m : Tensor):\n  %s : float = prim::Constant[value=-1.5]()\n"
      "  %y : Tensor = aten::masked_fill_(%x, %m, %s)\n  return (%y)",
      {x, mask});
}

TEST(Indexing, IndexAddCopyFillAndScatter) {
  // index_add / index_copy / index_fill along a static dim with a dynamic
  // batch, and an element scatter whose index and source follow the batch.
  std::vector<std::vector<at::Tensor>> runs;
  for (int64_t b : {1, 3, 5})
    // Distinct rows per column (no duplicate targets, whose write order a GPU need not keep).
    runs.push_back({at::randn({b, 4, 3}), at::randn({b, 2, 3}),
                    at::rand({b, 4, 3}).argsort(1, false).slice(1, 0, 2).contiguous()});
  // The compile-time index is the last graph input.
  const char* ir = R"IR(
    graph(%x : Tensor, %src : Tensor, %sidx : Tensor, %idx : Long(2)):
      %one : int = prim::Constant[value=1]()
      %alpha : int = prim::Constant[value=2]()
      %v : float = prim::Constant[value=-3.5]()
      %a : Tensor = aten::index_add(%x, %one, %idx, %src, %alpha)
      %c : Tensor = aten::index_copy(%x, %one, %idx, %src)
      %f : Tensor = aten::index_fill(%x, %one, %idx, %v)
      %s : Tensor = aten::scatter(%x, %one, %sidx, %src)
      return (%a, %c, %f, %s))IR";
  checkGraphDynamic(ir,
                    {range({1, 4, 3}, {2, 4, 3}, {5, 4, 3}), range({1, 2, 3}, {2, 2, 3}, {5, 2, 3}),
                     range({1, 2, 3}, {2, 2, 3}, {5, 2, 3}, at::kLong)},
                    runs, {at::tensor({3, 1}, at::kLong)});
}

TEST(Indexing, SliceAndSelectScatter) {
  // Writes into a static dim of tensors whose batch and last dim are dynamic: a contiguous slice, a
  // strided one (an element scatter at run-time-broadcast positions) and a selected row.
  const char* ir = R"IR(
    graph(%x : Tensor, %a : Tensor, %b : Tensor, %c : Tensor):
      %one : int = prim::Constant[value=1]()
      %two : int = prim::Constant[value=2]()
      %three : int = prim::Constant[value=3]()
      %five : int = prim::Constant[value=5]()
      %m1 : int = prim::Constant[value=-1]()
      %s : Tensor = aten::slice_scatter(%x, %a, %one, %one, %three, %one)
      %t : Tensor = aten::slice_scatter(%x, %b, %one, %one, %five, %two)
      %u : Tensor = aten::select_scatter(%x, %c, %one, %m1)
      return (%s, %t, %u))IR";
  std::vector<std::vector<at::Tensor>> runs;
  for (auto [n, w] : std::vector<std::array<int64_t, 2>>{{1, 2}, {3, 5}, {2, 4}})
    runs.push_back({at::randn({n, 6, w}), at::randn({n, 2, w}), at::randn({n, 2, w}), at::randn({n, w})});
  checkGraphDynamic(ir,
                    {range({1, 6, 2}, {2, 6, 4}, {3, 6, 5}), range({1, 2, 2}, {2, 2, 4}, {3, 2, 5}),
                     range({1, 2, 2}, {2, 2, 4}, {3, 2, 5}), range({1, 2}, {2, 4}, {3, 5})},
                    runs);
}

TEST(Indexing, IndexPutWithIntegerIndices) {
  // x[:, idx] = v on a dynamic batch (adjacent indexed dims: values in place) and y[i0, :, i2] += w
  // with the middle dim dynamic (separated indexed dims: B first, values [2, n]).
  const char* ir = R"IR(
    graph(%x : Tensor, %v : Tensor, %y : Tensor, %w : Tensor, %idx : Long(2), %i0 : Long(2), %i2 : Long(2)):
      %none : Tensor? = prim::Constant()
      %f : bool = prim::Constant[value=0]()
      %t : bool = prim::Constant[value=1]()
      %l1 : Tensor?[] = prim::ListConstruct(%none, %idx)
      %a : Tensor = aten::index_put(%x, %l1, %v, %f)
      %l2 : Tensor?[] = prim::ListConstruct(%i0, %none, %i2)
      %c : Tensor = aten::index_put(%y, %l2, %w, %t)
      return (%a, %c))IR";
  std::vector<std::vector<at::Tensor>> runs;
  for (int64_t b : {1, 3, 4})
    runs.push_back({at::randn({b, 4, 3}), at::randn({b, 2, 3}), at::randn({4, b, 3}), at::randn({2, b})});
  checkGraphDynamic(ir,
                    {range({1, 4, 3}, {2, 4, 3}, {4, 4, 3}), range({1, 2, 3}, {2, 2, 3}, {4, 2, 3}),
                     range({4, 1, 3}, {4, 2, 3}, {4, 4, 3}), range({2, 1}, {2, 2}, {2, 4})},
                    runs,
                    {at::tensor({3, 1}, at::kLong), at::tensor({0, 2}, at::kLong), at::tensor({2, 0}, at::kLong)});
}

TEST(Indexing, IndexingAndMasksAlongDynamicDims) {
  // Batch and length dynamic: x[idx] and x[:, idx] with negative indices counted from the run-time
  // size (index tensors computed at run time and compile-time ones), x[i, j] over two dynamic dims,
  // x[i, :, k] (separated), boolean masks over dynamic dims (x[m], x[:, m]: data-dependent counts),
  // index_put along a dynamic dim and under a mask.
  const char* ir = R"IR(
    graph(%x : Tensor, %v : Tensor, %ri : Tensor, %ci : Long(3), %k : Long(2)):
      %none : NoneType = prim::Constant()
      %zero : int = prim::Constant[value=0]()
      %m1 : int = prim::Constant[value=-1]()
      %f : bool = prim::Constant[value=0]()
      %t : bool = prim::Constant[value=1]()
      %l0 : Tensor?[] = prim::ListConstruct(%ri)
      %a : Tensor = aten::index(%x, %l0)
      %l1 : Tensor?[] = prim::ListConstruct(%none, %ci)
      %b : Tensor = aten::index(%x, %l1)
      %l01 : Tensor?[] = prim::ListConstruct(%ri, %ri)
      %c : Tensor = aten::index(%x, %l01)
      %l02 : Tensor?[] = prim::ListConstruct(%ri, %none, %k)
      %d : Tensor = aten::index(%x, %l02)
      %first : Tensor = aten::select(%x, %m1, %zero)
      %m : Tensor = aten::gt(%first, %zero)
      %lm : Tensor?[] = prim::ListConstruct(%m)
      %e : Tensor = aten::index(%x, %lm)
      %row : Tensor = aten::select(%m, %zero, %zero)
      %lr : Tensor?[] = prim::ListConstruct(%none, %row)
      %g : Tensor = aten::index(%x, %lr)
      %p : Tensor = aten::index_put(%x, %l1, %v, %t)
      %s : Tensor = aten::select(%v, %zero, %zero)
      %q : Tensor = aten::index_put(%x, %lm, %s, %f)
      return (%a, %b, %c, %d, %e, %g, %p, %q))IR";
  std::vector<std::vector<at::Tensor>> runs;
  for (auto [b, s] : std::vector<std::array<int64_t, 2>>{{1, 3}, {3, 5}, {4, 7}})
    runs.push_back({at::randn({b, s, 4}), at::randn({4}), at::tensor({0, -1}, at::kLong)});
  checkGraphDynamic(ir, {range({1, 3, 4}, {2, 4, 4}, {4, 8, 4}), range({4}, {4}, {4}), range({2}, {2}, {2}, at::kLong)},
                    runs, {at::tensor({-1, 1, 0}, at::kLong), at::tensor({3, -2}, at::kLong)});
}

TEST(Indexing, MaskedSelectBroadcastingOverDynamicDims) {
  // The tensor and the mask broadcast to each other (a size-1 dim on either side, a missing leading
  // dim) with the batch and length dynamic: the common shape is computed at run time.
  const char* ir = R"IR(
    graph(%x : Tensor, %m : Tensor, %r : Tensor):
      %zero : int = prim::Constant[value=0]()
      %keep : Tensor = aten::gt(%m, %zero)
      %a : Tensor = aten::masked_select(%x, %keep)
      %row : Tensor = aten::lt(%r, %zero)
      %b : Tensor = aten::masked_select(%x, %row)
      return (%a, %b))IR";
  std::vector<std::vector<at::Tensor>> runs;
  for (auto [b, s] : std::vector<std::array<int64_t, 2>>{{1, 2}, {3, 5}, {4, 7}})
    runs.push_back({at::randn({b, 1, s}), at::randn({b, 3, 1}), at::randn({s})});
  checkGraphDynamic(
      ir, {range({1, 1, 2}, {2, 1, 4}, {4, 1, 7}), range({1, 3, 1}, {2, 3, 1}, {4, 3, 1}), range({2}, {4}, {7})}, runs);
}

TEST(Indexing, SelectionsOfZeroDimTensors) {
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

TEST(Indexing, IndexOpsOnZeroDimTensors) {
  // Found by the conformance suite: index_add / index_copy / index_fill of a 0-dim self crashed while
  // converting; PyTorch takes it as one element along dim 0.
  checkGraph(R"IR(
    graph(%x : Tensor, %s : Tensor, %i : Tensor):
      %0 : int = prim::Constant[value=0]()
      %two : int = prim::Constant[value=2]()
      %f : float = prim::Constant[value=1.5]()
      %a : Tensor = aten::index_add(%x, %0, %i, %s, %two)
      %c : Tensor = aten::index_copy(%x, %0, %i, %s)
      %d : Tensor = aten::index_fill(%x, %0, %i, %f)
      return (%a, %c, %d))IR",
             {at::randn({}), at::randn({})}, {at::zeros({1}, at::kLong)});
}

TEST(Indexing, ScatterReductionsOfBfloat16AndBool) {
  // Found: "scatter reductions take float, half, int32 or int64 tensors, got bfloat16 / bool". bfloat16
  // reduces in float32 (small integers here, exact either way); bool's sum/prod/amax/amin are or/and/or/and.
  const char* ir = R"IR(
    graph(%x : Tensor, %i : Tensor, %s : Tensor):
      %one : int = prim::Constant[value=1]()
      %sum : str = prim::Constant[value="sum"]()
      %prod : str = prim::Constant[value="prod"]()
      %amax : str = prim::Constant[value="amax"]()
      %amin : str = prim::Constant[value="amin"]()
      %add : str = prim::Constant[value="add"]()
      %f : bool = prim::Constant[value=0]()
      %t : bool = prim::Constant[value=1]()
      %a : Tensor = aten::scatter_add(%x, %one, %i, %s)
      %b : Tensor = aten::scatter_reduce(%x, %one, %i, %s, %sum, %f)
      %c : Tensor = aten::scatter_reduce(%x, %one, %i, %s, %prod, %t)
      %d : Tensor = aten::scatter_reduce(%x, %one, %i, %s, %amax, %f)
      %e : Tensor = aten::scatter_reduce(%x, %one, %i, %s, %amin, %t)
      %g : Tensor = aten::scatter(%x, %one, %i, %s, %add)
      return (%a, %b, %c, %d, %e, %g))IR";
  at::Tensor index = at::randint(0, 5, {3, 4}, at::kLong);
  checkGraph(ir, {at::randint(-4, 4, {3, 5}).to(at::kBFloat16), index, at::randint(-4, 4, {3, 4}).to(at::kBFloat16)});
  checkGraph(ir, {at::randint(0, 2, {3, 5}).to(at::kBool), index, at::randint(0, 2, {3, 4}).to(at::kBool)});
  // index_add of bfloat16 and index_put with accumulate of bfloat16 and bool.
  const char* indexIR = R"IR(
    graph(%x : Tensor, %i : Tensor, %s : Tensor, %v : Tensor):
      %zero : int = prim::Constant[value=0]()
      %alpha : int = prim::Constant[value=1]()
      %t : bool = prim::Constant[value=1]()
      %a : Tensor = aten::index_add(%x, %zero, %i, %s, %alpha)
      %list : Tensor?[] = prim::ListConstruct(%i)
      %b : Tensor = aten::index_put(%x, %list, %v, %t)
      return (%a, %b))IR";
  at::Tensor rows = at::tensor({0, 2, 0}, at::kLong);
  checkGraph(indexIR, {at::randint(-4, 4, {4, 3}).to(at::kBFloat16), rows, at::randint(-4, 4, {3, 3}).to(at::kBFloat16),
                       at::randint(-4, 4, {3, 3}).to(at::kBFloat16)});
  const char* boolPut = R"IR(
    graph(%x : Tensor, %i : Tensor, %v : Tensor):
      %t : bool = prim::Constant[value=1]()
      %list : Tensor?[] = prim::ListConstruct(%i)
      %b : Tensor = aten::index_put(%x, %list, %v, %t)
      return (%b))IR";
  checkGraph(boolPut, {at::zeros({4, 3}, at::kBool), rows, at::randint(0, 2, {3, 3}).to(at::kBool)});
}

TEST(Indexing, ScatterReduceMeanOfIntegersFloors) {
  // Found: "scatter_reduce's mean is converted for floating-point tensors only". PyTorch divides the sum by
  // the count (self counted when include_self; untouched positions by 1) rounding down.
  const char* ir = R"IR(
    graph(%x : Tensor, %i : Tensor, %s : Tensor):
      %zero : int = prim::Constant[value=0]()
      %mean : str = prim::Constant[value="mean"]()
      %f : bool = prim::Constant[value=0]()
      %t : bool = prim::Constant[value=1]()
      %a : Tensor = aten::scatter_reduce(%x, %zero, %i, %s, %mean, %t)
      %b : Tensor = aten::scatter_reduce(%x, %zero, %i, %s, %mean, %f)
      return (%a, %b))IR";
  for (auto type : {at::kInt, at::kLong})
    checkGraph(ir, {at::randint(-20, 20, {5, 3}, type), at::randint(0, 5, {6, 3}, at::kLong),
                    at::randint(-20, 20, {6, 3}, type)});
}

TEST(Indexing, NonzeroAsTuple) {
  // Found: "Converter for aten::nonzero_numpy requested, but no such converter was found".
  const char* ir = R"IR(
    graph(%x : Tensor):
      %l : Tensor[] = aten::nonzero_numpy(%x)
      %a : Tensor, %b : Tensor = prim::ListUnpack(%l)
      return (%a, %b))IR";
  checkGraph(ir, {at::randint(0, 2, {3, 4}, at::kInt)});
  checkGraph(ir, {(at::randn({3, 4}) > 0)});
  const char* scalar = R"IR(
    graph(%x : Tensor):
      %l : Tensor[] = aten::nonzero_numpy(%x)
      %a : Tensor = prim::ListUnpack(%l)
      return (%a))IR";
  checkGraph(scalar, {at::tensor(3.0f)});
  checkGraph(scalar, {at::tensor(0.0f)});
}
