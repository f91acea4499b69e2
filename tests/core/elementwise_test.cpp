// Elementwise arithmetic, comparisons, logical, bitwise and unary math (Scalar and Tensor
// overloads, in-place forms), PyTorch's type promotion and integer division and remainder signs.
// Each graph runs in the JIT interpreter and as an engine (static and dynamic shapes), compared
// with the central per-dtype tolerances (converter_test_util.h).
#include <string>

#include "converter_test_util.h"

using torchtrt_test::checkGraph;
using torchtrt_test::checkGraphDynamic;
using torchtrt_test::ints;
using torchtrt_test::nonZeroInts;
using torchtrt_test::range;
using torchtrt_test::scriptGraph;

TEST(Elementwise, ElementwiseTensorScalarAlphaAndBroadcast) {
  checkGraph(R"IR(
    graph(%x : Tensor, %y : Tensor):
      %alpha : int = prim::Constant[value=2]()
      %a : Tensor = aten::add(%x, %y, %alpha)
      %b : Tensor = aten::sub(%a, %y, %alpha)
      %c : Tensor = aten::mul(%b, %y)
      %two : float = prim::Constant[value=2.5]()
      %d : Tensor = aten::div(%c, %two)
      %one : int = prim::Constant[value=1]()
      %e : Tensor = aten::rsub(%d, %two, %one)
      %f : Tensor = aten::add_(%e, %x, %one)
      %g : Tensor = aten::gt(%f, %y)
      %h : Tensor = aten::le(%f, %two)
      return (%f, %g, %h))IR",
             {at::randn({2, 3, 4}), at::randn({3, 1})});
}

TEST(Elementwise, UnaryMathAndInPlaceForms) {
  for (std::string op :
       {"exp",  "log",  "sqrt",  "reciprocal", "abs",  "neg",   "sin",   "cos", "tan",  "sinh",  "cosh", "asin",
        "acos", "atan", "asinh", "atanh",      "ceil", "floor", "round", "erf", "sign", "rsqrt", "exp_", "neg_"}) {
    checkGraph("graph(%x : Tensor):\n  %y : Tensor = aten::" + op + "(%x)\n  return (%y)",
               {at::rand({3, 5}) * 1.8 - 0.9});
  }
  checkGraph("graph(%x : Tensor):\n  %y : Tensor = aten::acosh(%x)\n  return (%y)", {at::rand({4}) + 1.5});
  checkGraph("graph(%x : Tensor):\n  %y : Tensor = aten::abs(%x)\n  %z : Tensor = aten::neg(%y)\n  return (%z)",
             {at::randint(-5, 5, {6}, at::kInt)});
  checkGraph(R"IR(
    graph(%x : Tensor):
      %a : Tensor = aten::isnan(%x)
      %b : Tensor = aten::isinf(%x)
      %c : Tensor = aten::logical_not(%a)
      return (%a, %b, %c))IR",
             {at::tensor({1.f, NAN, INFINITY, -INFINITY, 0.f})});
}

TEST(Elementwise, LogicalSquarePowAddcMaxMinMish) {
  checkGraph(R"IR(
    graph(%x : Tensor, %y : Tensor):
      %zero : float = prim::Constant[value=0.]()
      %gx : Tensor = aten::gt(%x, %zero)
      %gy : Tensor = aten::gt(%y, %zero)
      %a : Tensor = aten::logical_and(%gx, %gy)
      %b : Tensor = aten::logical_xor(%gx, %gy)
      %c : Tensor = aten::square(%x)
      %two : float = prim::Constant[value=2.]()
      %d : Tensor = aten::pow(%two, %y)
      %half : float = prim::Constant[value=0.5]()
      %e : Tensor = aten::addcmul(%x, %x, %y, %half)
      %f : Tensor = aten::max(%x, %y)
      %g : Tensor = aten::mish(%x)
      return (%a, %b, %c, %d, %e, %f, %g))IR",
             {at::randn({3, 4}), at::randn({3, 4})});
}

TEST(Elementwise, ArithmeticScalarAndTensorOverloads) {
  checkGraph(R"IR(
    graph(%x : Tensor, %y : Tensor, %px : Tensor):
      %s : float = prim::Constant[value=1.5]()
      %two : int = prim::Constant[value=2]()
      %one : int = prim::Constant[value=1]()
      %floor : str = prim::Constant[value="floor"]()
      %trunc : str = prim::Constant[value="trunc"]()
      %a : Tensor = aten::add(%x, %s, %one)
      %b : Tensor = aten::sub(%x, %s, %two)
      %c : Tensor = aten::div(%x, %y)
      %d : Tensor = aten::div(%x, %y, %floor)
      %e : Tensor = aten::div(%x, %s, %trunc)
      %f : Tensor = aten::rsub(%x, %y, %two)
      %g : Tensor = aten::pow(%x, %two)
      %h : Tensor = aten::pow(%px, %y)
      %i : Tensor = aten::floor_divide(%x, %y)
      %j : Tensor = aten::floor_divide(%x, %s)
      %k : Tensor = aten::maximum(%x, %y)
      %l : Tensor = aten::minimum(%x, %y)
      %m : Tensor = aten::min(%x, %y)
      %n : Tensor = aten::addcdiv(%x, %x, %y, %s)
      %bx : Tensor = aten::gt(%x, %one)
      %by : Tensor = aten::lt(%y, %one)
      %o : Tensor = aten::logical_or(%bx, %by)
      return (%a, %b, %c, %d, %e, %f, %g, %h, %i, %j, %k, %l, %m, %n, %o))IR",
             {at::randn({3, 4}) * 4, at::rand({4}) + 0.5, at::rand({3, 4}) + 0.1});
  // Integer division toward zero (negative quotients round up).
  checkGraph(R"IR(
    graph(%x : Tensor, %y : Tensor):
      %trunc : str = prim::Constant[value="trunc"]()
      %q : Tensor = aten::div(%x, %y, %trunc)
      return (%q))IR",
             {at::tensor({7, -7, 6, -1, 0}, at::kLong), at::tensor({2, 2, -4, 3, 5}, at::kLong)});
}

TEST(Elementwise, InPlaceArithmetic) {
  const at::Tensor x = at::randn({3, 4}) * 4, y = at::rand({3, 4}) + 0.5;
  const std::string defs = "  %s : float = prim::Constant[value=1.5]()\n  %two : int = prim::Constant[value=2]()\n";
  for (const char* body : {"aten::add_(%x, %s, %two)", "aten::sub_(%x, %s, %two)", "aten::sub_(%x, %y, %two)",
                           "aten::mul_(%x, %s)", "aten::mul_(%x, %y)", "aten::div_(%x, %s)", "aten::div_(%x, %y)"})
    checkGraph("graph(%x : Tensor, %y : Tensor):\n" + defs + "  %r : Tensor = " + body + "\n  return (%r)", {x, y});
}

TEST(Elementwise, ComparisonsWithScalarsAndTensors) {
  // Integer-valued floats: equal elements occur, so eq / ne / ge / le see ties.
  checkGraph(R"IR(
    graph(%x : Tensor, %y : Tensor):
      %s : float = prim::Constant[value=1.]()
      %a : Tensor = aten::eq(%x, %s)
      %b : Tensor = aten::eq(%x, %y)
      %c : Tensor = aten::ge(%x, %s)
      %d : Tensor = aten::ge(%x, %y)
      %e : Tensor = aten::le(%x, %y)
      %f : Tensor = aten::lt(%x, %s)
      %g : Tensor = aten::lt(%x, %y)
      %h : Tensor = aten::ne(%x, %s)
      %i : Tensor = aten::ne(%x, %y)
      return (%a, %b, %c, %d, %e, %f, %g, %h, %i))IR",
             {at::randint(-2, 3, {4, 5}).to(at::kFloat), at::randint(-2, 3, {5}).to(at::kFloat)});
}

TEST(Elementwise, TruncDivisionOfIntAndFloatWithDynamicShapes) {
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

TEST(Elementwise, PromotionOfTensorsZeroDimTensorsAndNumbers) {
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

TEST(Elementwise, RemainderAndFmodKeepPyTorchsSigns) {
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

TEST(Elementwise, Atan2BitwiseLogsTruncIsfiniteAndTile) {
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

TEST(Elementwise, BitwiseOverloadsWithScalars) {
  checkGraph(scriptGraph(R"PY(
def forward(i: Tensor, j: Tensor, m: Tensor):
    return (torch.bitwise_and(i, 5), torch.bitwise_or(i, j), torch.bitwise_or(i, 9), i & 12, i ^ 7, m ^ True,
            torch.remainder(7, j), torch.remainder(2.5, j))
)PY"),
             {ints({3, 4}), nonZeroInts({3, 4}), at::rand({3, 4}) > 0.5});
}

TEST(Elementwise, ResultDtypesFoundByTheConformanceSuite) {
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
