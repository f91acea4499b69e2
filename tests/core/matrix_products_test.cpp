// Matrix products: matmul of every rank, addmm, bmm, einsum, integer products.
// Each graph runs in the JIT interpreter and as an engine (static and dynamic shapes), compared
// with the central per-dtype tolerances (converter_test_util.h).
#include <limits>
#include <string>

#include "converter_test_util.h"

using torchtrt_test::batches;
using torchtrt_test::checkGraph;
using torchtrt_test::checkGraphDynamic;
using torchtrt_test::range;

TEST(MatrixProducts, MatmulVariantsAndAddmm) {
  checkGraph(R"IR(
    graph(%a : Tensor, %b : Tensor, %v : Tensor):
      %x : Tensor = aten::matmul(%a, %b)
      %y : Tensor = aten::matmul(%a, %v)
      return (%x, %y))IR",
             {at::randn({2, 3, 4}), at::randn({4, 5}), at::randn({4})});
  checkGraph(R"IR(
    graph(%a : Tensor, %b : Tensor, %c : Tensor):
      %beta : float = prim::Constant[value=0.5]()
      %alpha : float = prim::Constant[value=2.0]()
      %x : Tensor = aten::addmm(%c, %a, %b, %beta, %alpha)
      return (%x))IR",
             {at::randn({3, 4}), at::randn({4, 5}), at::randn({5})});
  checkGraph(R"IR(
    graph(%x : Tensor, %w : Tensor, %b : Tensor):
      %y : Tensor = aten::linear(%x, %w, %b)
      return (%y))IR",
             {at::randn({2, 6, 8})}, {at::randn({3, 8}), at::randn({3})});
}

TEST(MatrixProducts, EinsumContractionsTransposesReductionsAndChains) {
  auto eq = [](const char* equation, int operands) {
    std::string ir =
        "graph(%a : Tensor, %b : Tensor, %c : Tensor):\n  %none : NoneType = prim::Constant()\n"
        "  %eq : str = prim::Constant[value=\"";
    ir += equation;
    ir += "\"]()\n  %l : Tensor[] = prim::ListConstruct(";
    const char* names[] = {"%a", "%b", "%c"};
    for (int i = 0; i < operands; ++i) ir += std::string(i ? ", " : "") + names[i];
    ir += ")\n  %y : Tensor = aten::einsum(%eq, %l, %none)\n  return (%y)";
    return ir;
  };
  // Shapes: i=2, j=3, k=4, b=2 (batch), h=2.
  checkGraph(eq("ij,jk->ik", 2), {at::randn({2, 3}), at::randn({3, 4}), at::randn({1})});
  checkGraph(eq("ij,jk", 2), {at::randn({2, 3}), at::randn({3, 4}), at::randn({1})});  // implicit output
  checkGraph(eq("bij,bjk->bik", 2), {at::randn({2, 2, 3}), at::randn({2, 3, 4}), at::randn({1})});
  checkGraph(eq("bhqd,bhkd->bhqk", 2), {at::randn({2, 2, 3, 4}), at::randn({2, 2, 5, 4}), at::randn({1})});
  checkGraph(eq("ij->ji", 1), {at::randn({2, 3}), at::randn({1}), at::randn({1})});
  checkGraph(eq("ij->", 1), {at::randn({2, 3}), at::randn({1}), at::randn({1})});
  checkGraph(eq("i,j->ij", 2), {at::randn({2}), at::randn({3}), at::randn({1})});
  checkGraph(eq("ij,ij->ij", 2), {at::randn({2, 3}), at::randn({2, 3}), at::randn({1})});
  checkGraph(eq("ij,jk->ki", 2), {at::randn({2, 3}), at::randn({3, 4}), at::randn({1})});
  checkGraph(eq("bn,anm,bm->ba", 3), {at::randn({2, 3}), at::randn({4, 3, 5}), at::randn({2, 5})});
  checkGraph(eq("ijk,j->ik", 2), {at::randn({2, 3, 4}), at::randn({3}), at::randn({1})});
  // Ellipses: batched products over any leading dims, explicit and implicit outputs.
  checkGraph(eq("...ij,...jk->...ik", 2), {at::randn({2, 2, 2, 3}), at::randn({2, 2, 3, 4}), at::randn({1})});
  checkGraph(eq("...ij,jk", 2), {at::randn({2, 2, 3}), at::randn({3, 4}), at::randn({1})});
  checkGraph(eq("b...d,b...d->b...", 2), {at::randn({2, 3, 4, 5}), at::randn({2, 3, 4, 5}), at::randn({1})});
  // Diagonals: a label repeated within an operand (twice, three times, apart, with a second operand),
  // an infinity off the diagonal staying out of the result.
  at::Tensor square = at::randn({3, 3});
  square[0][1] = std::numeric_limits<float>::infinity();
  checkGraph(eq("ii->i", 1), {square, at::randn({1}), at::randn({1})});
  checkGraph(eq("ii", 1), {at::randn({3, 3}), at::randn({1}), at::randn({1})});  // the trace
  checkGraph(eq("bii->bi", 1), {at::randn({2, 3, 3}), at::randn({1}), at::randn({1})});
  checkGraph(eq("iji->j", 1), {at::randn({3, 2, 3}), at::randn({1}), at::randn({1})});
  checkGraph(eq("iii->i", 1), {at::randn({3, 3, 3}), at::randn({1}), at::randn({1})});
  checkGraph(eq("ii,ij->j", 2), {at::randn({3, 3}), at::randn({3, 4}), at::randn({1})});
}

TEST(MatrixProducts, MatrixProducts) {
  checkGraph(R"IR(
    graph(%a : Tensor, %b : Tensor, %a3 : Tensor, %b3 : Tensor, %c3 : Tensor):
      %half : float = prim::Constant[value=0.5]()
      %two : float = prim::Constant[value=2.]()
      %mm : Tensor = aten::mm(%a, %b)
      %bmm : Tensor = aten::bmm(%a3, %b3)
      %bad : Tensor = aten::baddbmm(%c3, %a3, %b3, %half, %two)
      return (%mm, %bmm, %bad))IR",
             {at::randn({3, 4}), at::randn({4, 5}), at::randn({2, 3, 4}), at::randn({2, 4, 5}), at::randn({2, 1, 5})});
}

TEST(MatrixProducts, ProductsShapesGathersAndConcatenation) {
  const char* ir = R"IR(
    graph(%x : Tensor, %w : Float(6, 4), %idx : Long(2)):
      %one : int = prim::Constant[value=1]()
      %zero : int = prim::Constant[value=0]()
      %two : int = prim::Constant[value=2]()
      %none : NoneType = prim::Constant()
      %y : Tensor = aten::matmul(%x, %w)
      %p : int[] = prim::Constant[value=[0, 2, 1]]()
      %q : Tensor = aten::permute(%y, %p)
      %fl : Tensor = aten::flatten(%q, %one, %two)
      %sel : Tensor = aten::index_select(%y, %two, %idx)
      %l : Tensor[] = prim::ListConstruct(%y, %sel)
      %cat : Tensor = aten::cat(%l, %two)
      %tr : Tensor = aten::transpose(%cat, %one, %two)
      return (%fl, %tr))IR";
  checkGraphDynamic(ir, {range({1, 5, 6}, {2, 5, 6}, {4, 5, 6})}, batches({5, 6}),
                    {at::randn({6, 4}), at::tensor({3, 0}, at::kLong)});
}

TEST(MatrixProducts, AConstantTransposedViewIsReadThroughTheTransposeFlag) {
  // A frozen linear layer's matmul(x, W.t()): the right operand is a transposed view of a contiguous
  // weight, which the converter lends to the network as W with the product's transpose flag (no
  // transposed copy). Same results as PyTorch in every dtype matmul takes.
  const char* ir = R"IR(
    graph(%a : Tensor, %w : Tensor):
      %y : Tensor = aten::matmul(%a, %w)
      return (%y))IR";
  for (auto type : {at::kFloat, at::kHalf, at::kInt, at::kLong}) {
    const bool integer = type == at::kInt || type == at::kLong;
    auto make = [&](std::vector<int64_t> shape) {
      return integer ? at::randint(-50, 50, shape, type) : at::randn(shape).to(type);
    };
    const at::Tensor w = make({5, 4});  // [out, in]
    ASSERT_FALSE(w.t().is_contiguous());
    checkGraph(ir, {make({2, 3, 4})}, {w.t()});
  }
}

TEST(MatrixProducts, IntegerMatrixProducts) {
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
