// PyTorch's dtype semantics, each from a graph run by the JIT interpreter and as an engine: type
// promotion of tensors, zero-dim tensors and Python numbers (torch.result_type), creation ops in the
// dtype they name, integer division and remainders with PyTorch's signs, bitwise ops, and ops whose
// input ranks or dtypes were once refused or silently wrong (issue 20's findings, one test each).
#include "converter_test_util.h"

using torchtrt_test::checkGraph;
using torchtrt_test::checkGraphDynamic;
using torchtrt_test::range;
using torchtrt_test::scriptGraph;

namespace {
at::Tensor ints(std::vector<int64_t> shape, at::ScalarType type = at::kInt, int64_t lo = -20, int64_t hi = 20) {
  return at::randint(lo, hi, shape, at::TensorOptions().dtype(type));
}
// Divisors without zeros (integer division by zero raises in PyTorch).
at::Tensor nonZeroInts(std::vector<int64_t> shape, at::ScalarType type = at::kInt) {
  at::Tensor t = ints(shape, type, 1, 9);
  return at::where(at::rand(shape) > 0.5, t, -t);
}
}  // namespace

TEST(DtypeSemantics, OnesInHalfAreOnes) {
  // Found: ones / new_ones / ones_like with dtype=5 gave 0 and 0.0078 instead of 1.
  checkGraph(scriptGraph(R"PY(
def forward(x: Tensor):
    a = torch.ones([2, 3], dtype=5)
    b = x.new_ones([4], dtype=5)
    c = torch.ones_like(x, dtype=5)
    d = torch.full([2], 2.5, dtype=5)
    return a, b, c, d
)PY"),
             {at::randn({2, 3})});
}

TEST(DtypeSemantics, CatAndStackPromoteMixedDtypes) {
  // Found: cat of int32 with float16/float32 returned int32, truncating fractions.
  checkGraph(scriptGraph(R"PY(
def forward(i: Tensor, f: Tensor, h: Tensor):
    return torch.cat([i, f], 1), torch.cat([i, h], 0), torch.stack([i, f]), torch.cat([h, f], 1)
)PY"),
             {ints({2, 3}), at::randn({2, 3}), at::randn({2, 3}).to(at::kHalf)});
}

TEST(DtypeSemantics, TruncDivisionOfIntAndFloatWithDynamicShapes) {
  // Found: div(int32, float32, rounding_mode='trunc') over a dynamic input returned the untruncated quotient.
  const char* ir = R"IR(
    graph(%a : Tensor, %b : Tensor):
      %m : str = prim::Constant[value="trunc"]()
      %f : str = prim::Constant[value="floor"]()
      %q : Tensor = aten::div(%a, %b, %m)
      %r : Tensor = aten::div(%a, %b, %f)
      %t : Tensor = aten::div(%a, %b)
      return (%q, %r, %t))IR";
  std::vector<std::vector<at::Tensor>> runs;
  for (int64_t n : {1, 3, 5}) runs.push_back({ints({n, 4}), at::randn({n, 4}) * 3});
  checkGraphDynamic(ir, {range({1, 4}, {3, 4}, {6, 4}, at::kInt), range({1, 4}, {3, 4}, {6, 4})}, runs);
  // Integers both: truncation and floor differ on negative quotients.
  checkGraph(ir, {ints({3, 5}), nonZeroInts({3, 5})});
}

TEST(DtypeSemantics, PromotionOfTensorsZeroDimTensorsAndNumbers) {
  // torch.result_type: a dimensioned int tensor with a float number or float zero-dim tensor gives
  // float; a float16 tensor with a float32 zero-dim tensor stays float16; int32 with int64 gives int64.
  checkGraph(scriptGraph(R"PY(
def forward(i: Tensor, h: Tensor, l: Tensor, b: Tensor):
    z = torch.tensor(2.5)
    return (i + 2.5, i * z, h + z, i + l, i - l, b + 1, b * b, b + b, i > 1.5, h * 3,
            i // 2, 7 - i, i * 2 + h, torch.maximum(i, h), i.pow(2), i.pow(0.5), l * i)
)PY"),
             {ints({2, 3}, at::kInt, 0, 20), at::randn({2, 3}).to(at::kHalf), ints({2, 3}, at::kLong),
              at::rand({2, 3}) > 0.5});
}

TEST(DtypeSemantics, BatchNormOfHalfInput) {
  // Found: batch_norm on a float16 input failed ("ElementWise: input types differ").
  const char* ir = R"IR(
    graph(%x : Tensor, %w : Tensor, %b : Tensor, %m : Tensor, %v : Tensor):
      %f : bool = prim::Constant[value=0]()
      %mom : float = prim::Constant[value=0.1]()
      %eps : float = prim::Constant[value=1e-5]()
      %y : Tensor = aten::batch_norm(%x, %w, %b, %m, %v, %f, %mom, %eps, %f)
      return (%y))IR";
  auto half = [](at::Tensor t) { return t.to(at::kHalf); };
  checkGraph(ir, {half(at::randn({2, 4, 3, 3}))},
             {half(at::rand({4}) + 0.5), half(at::randn({4})), half(at::randn({4})), half(at::rand({4}) + 0.5)});
}

TEST(DtypeSemantics, RemainderAndFmodKeepPyTorchsSigns) {
  for (const char* op : {"remainder", "fmod"}) {
    const std::string ir = std::string(R"IR(
    graph(%a : Tensor, %b : Tensor):
      %s : float = prim::Constant[value=-1.5]()
      %t : int = prim::Constant[value=3]()
      %x : Tensor = aten::)IR") +
                           op + "(%a, %b)\n      %y : Tensor = aten::" + op +
                           "(%a, %s)\n      %z : Tensor = aten::" + op + "(%a, %t)\n      return (%x, %y, %z)";
    checkGraph(ir, {at::randn({3, 5}) * 5, at::randn({3, 5}) * 2});
    checkGraph(ir, {ints({3, 5}), nonZeroInts({3, 5})});
    checkGraph(ir, {ints({3, 5}, at::kLong), nonZeroInts({3, 5}, at::kLong)});
  }
  // The minimum integer modulo -1 is 0 (C's % traps on it).
  checkGraph(scriptGraph(R"PY(
def forward(a: Tensor, b: Tensor):
    return torch.remainder(a, b), torch.fmod(a, b), a // b
)PY"),
             {at::tensor({INT32_MIN, 7, -7}, at::kInt), at::tensor({-1, -1, 2}, at::kInt)});
}

TEST(DtypeSemantics, Atan2BitwiseLogsTruncIsfiniteAndTile) {
  checkGraph(scriptGraph(R"PY(
def forward(a: Tensor, b: Tensor, i: Tensor, j: Tensor, m: Tensor, n: Tensor):
    return (torch.atan2(a, b), torch.atan2(i, j), i & j, i | 6, i ^ j, ~i, ~m, m & n, m | n, m ^ n,
            torch.bitwise_and(i, j), torch.bitwise_xor(i, 3), torch.log2(a.abs() + 0.1), torch.log10(a.abs() + 0.1),
            torch.log2(j.abs() + 1), torch.trunc(a * 3), torch.fix(a * 3), torch.trunc(i), a.tile([2]),
            a.tile([2, 1, 3]))
)PY"),
             {at::randn({3, 4}), at::randn({3, 4}), ints({3, 4}), ints({3, 4}), at::rand({3, 4}) > 0.5,
              at::rand({3, 4}) > 0.5});
  at::Tensor special = at::tensor({1.f, INFINITY, -INFINITY, NAN, 0.f, -2.f});
  checkGraph(scriptGraph(R"PY(
def forward(a: Tensor, i: Tensor):
    return torch.isfinite(a), torch.isinf(a), torch.isnan(a), torch.isfinite(i)
)PY"),
             {special, ints({6})});
}

TEST(DtypeSemantics, PixelShuffleAndUnshuffleOfAnyRank) {
  // Found: pixel_shuffle / pixel_unshuffle refused 3-D and 5-D inputs (PyTorch takes any rank >= 3).
  const std::string ir = R"IR(
    graph(%x : Tensor):
      %r : int = prim::Constant[value=2]()
      %y : Tensor = aten::pixel_shuffle(%x, %r)
      %z : Tensor = aten::pixel_unshuffle(%y, %r)
      %u : Tensor = aten::pixel_unshuffle(%x, %r)
      return (%y, %z, %u))IR";
  checkGraph(ir, {at::randn({8, 4, 6})});
  checkGraph(ir, {at::randn({2, 8, 4, 6})});
  checkGraph(ir, {at::randn({2, 3, 8, 4, 2})});
  checkGraphDynamic(ir, {range({1, 2, 8, 2, 2}, {2, 2, 8, 4, 4}, {3, 2, 8, 6, 8})},
                    {{at::randn({1, 2, 8, 2, 4})}, {at::randn({3, 2, 8, 6, 8})}});
}

TEST(DtypeSemantics, BitwiseOverloadsWithScalars) {
  checkGraph(scriptGraph(R"PY(
def forward(i: Tensor, j: Tensor, m: Tensor):
    return (torch.bitwise_and(i, 5), torch.bitwise_or(i, j), torch.bitwise_or(i, 9), i & 12, i ^ 7, m ^ True,
            torch.remainder(7, j), torch.remainder(2.5, j))
)PY"),
             {ints({3, 4}), nonZeroInts({3, 4}), at::rand({3, 4}) > 0.5});
}

TEST(DtypeSemantics, ReductionsOfIntegersAndBool) {
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

TEST(DtypeSemantics, AliasesAndTensorOverloadsFromIR) {
  // TorchScript source maps torch.fix to trunc: the alias and the Tensor overload of bitwise_xor from IR.
  checkGraph(R"IR(
    graph(%a : Tensor, %i : Tensor, %j : Tensor):
      %f : Tensor = aten::fix(%a)
      %x : Tensor = aten::bitwise_xor(%i, %j)
      return (%f, %x))IR",
             {at::randn({3, 4}) * 3, ints({3, 4}), ints({3, 4})});
}

TEST(DtypeSemantics, SplitBySizesOverloads) {
  // Scripted torch.split(x, [2, 3]) gives aten::split.sizes.
  checkGraph(R"IR(
    graph(%x : Tensor):
      %s : int[] = prim::Constant[value=[2, 3]]()
      %d : int = prim::Constant[value=1]()
      %a : Tensor[] = aten::split(%x, %s, %d)
      %p : Tensor, %q : Tensor = prim::ListUnpack(%a)
      return (%p, %q))IR",
             {at::randn({3, 5})});
}

TEST(DtypeSemantics, ResultDtypesFoundByTheConformanceSuite) {
  // var / std of float16 stay float16; new_* of int64 stay int64; square of bool is int64; sign of bool
  // is bool; integer einsum sums a label of one operand in int64.
  checkGraph(scriptGraph(R"PY(
def forward(h: Tensor, l: Tensor, b: Tensor, i: Tensor):
    return (h.var(), h.std(1), torch.var(h, 0, False), l.new_zeros([2, 2]), l.new_ones([3]), l.new_full([2], 7),
            torch.square(b), torch.sign(b), torch.einsum("ij->j", i), torch.einsum("ii->", i),
            torch.einsum("ii->i", i))
)PY"),
             {at::randn({3, 4}).to(at::kHalf), ints({2, 2}, at::kLong), at::rand({3}) > 0.5, ints({3, 3})});
}

TEST(DtypeSemantics, IndexOpsOnZeroDimTensors) {
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

TEST(DtypeSemantics, IntegerPowersReductionDtypesAndEmptyNorms) {
  // Found by the full conformance sweep: integer ** a negative integer gave INT_MIN (0 ** -1 went through
  // inf), prod with dtype=int32 came back int64, the inf-norm of an empty tensor was -inf.
  checkGraph(R"IR(
    graph(%a : Tensor, %b : Tensor, %l : Tensor, %e : Tensor):
      %one : int = prim::Constant[value=1]()
      %f : bool = prim::Constant[value=0]()
      %int32 : int = prim::Constant[value=3]()
      %inf : float = prim::Constant[value=inf]()
      %none : NoneType = prim::Constant()
      %p : Tensor = aten::pow(%a, %b)
      %q : Tensor = aten::pow(%l, %l)
      %zero : int = prim::Constant[value=0]()
      %r : Tensor = aten::prod(%a, %zero, %f, %int32)
      %s : Tensor = aten::sum(%a, %int32)
      %n : Tensor = aten::linalg_norm(%e, %inf, %none, %f, %none)
      %m : Tensor = aten::linalg_norm(%e, %one, %none, %f, %none)
      return (%p, %q, %r, %s, %n, %m))IR",
             {at::tensor({0, 2, -1, -1, 1, 3, 7}, at::kInt), at::tensor({-1, -2, -3, -2, -5, 4, 11}, at::kInt),
              at::tensor({3, 9, 40, 2}, at::kLong), at::randn({0, 0})});
}

TEST(DtypeSemantics, BroadcastToNarrowByTensorClampByTensorsAndRoundToDecimals) {
  checkGraph(R"IR(
    graph(%x : Tensor, %lo : Tensor, %hi : Tensor, %s : Tensor):
      %size : int[] = prim::Constant[value=[2, 3, 4]]()
      %one : int = prim::Constant[value=1]()
      %two : int = prim::Constant[value=2]()
      %m : int = prim::Constant[value=-1]()
      %a : Tensor = aten::broadcast_to(%x, %size)
      %b : Tensor = aten::narrow(%x, %one, %s, %two)
      %c : Tensor = aten::clamp_min(%x, %lo)
      %d : Tensor = aten::clamp_max(%x, %hi)
      %e : Tensor = aten::round(%x, %two)
      %f : Tensor = aten::round(%x, %m)
      return (%a, %b, %c, %d, %e, %f))IR",
             {at::randn({3, 4}) * 50, at::randn({4}), at::randn({3, 1})}, {at::scalar_tensor(1, at::kLong)});
  // A start read at run time (negative: counted from the end) is a gather.
  checkGraph(R"IR(
    graph(%x : Tensor, %s : Tensor):
      %one : int = prim::Constant[value=1]()
      %two : int = prim::Constant[value=2]()
      %b : Tensor = aten::narrow(%x, %one, %s, %two)
      return (%b))IR",
             {at::randn({3, 5}), at::scalar_tensor(-3, at::kLong)});
}

TEST(DtypeSemantics, NegativeReflectionAndReplicationPadding) {
  // Found by the conformance suite: a negative pad in reflect/replicate mode (a crop of that side) was refused.
  checkGraph(R"IR(
    graph(%x : Tensor):
      %p : int[] = prim::Constant[value=[-1, 2, 1, -2]]()
      %a : Tensor = aten::reflection_pad2d(%x, %p)
      %b : Tensor = aten::replication_pad2d(%x, %p)
      return (%a, %b))IR",
             {at::randn({1, 2, 5, 6})});
}
