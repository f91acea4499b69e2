// Every overload and in-place form of the converter families, each from an IR string run by the JIT
// interpreter and as an engine: Scalar and Tensor overloads of the arithmetic and comparison ops,
// in-place unary math and activations, reductions over all dims, 1-D and 3-D pooling and resizing,
// matrix products, masked fills, shape and identity ops, casts. In-place forms get a graph of their
// own (the interpreter mutates the input, the engine binds a new tensor). tests/py/
// test_converter_coverage.py checks that every converter schema is compared by some test.
#include <array>

#include "converter_test_util.h"

using torchtrt_test::checkGraph;
using torchtrt_test::checkGraphDynamic;
using torchtrt_test::range;

namespace {
// One op applied to %x with extra constant arguments (IR text of their definitions and uses).
void checkUnary(const std::string& op, const at::Tensor& x, const std::string& defs = "",
                const std::string& args = "") {
  checkGraph("graph(%x : Tensor):\n" + defs + "  %y : Tensor = aten::" + op + "(%x" + args + ")\n  return (%y)", {x});
}

at::Tensor inOpenUnitRange(std::vector<int64_t> shape) { return at::rand(shape) * 1.8 - 0.9; }
}  // namespace

TEST(Overloads, InPlaceUnaryMathAndActivations) {
  for (std::string op :
       {"abs_", "asin_",    "asinh_",      "atan_",  "atanh_",       "acos_",      "ceil_", "cos_",    "cosh_",
        "erf_", "floor_",   "reciprocal_", "round_", "sign_",        "sin_",       "sinh_", "square_", "tan_",
        "tanh", "sigmoid_", "silu_",       "relu6_", "hardsigmoid_", "hardswish_", "selu_"})
    checkUnary(op, inOpenUnitRange({3, 5}) * (op == "relu6_" || op == "hardswish_" ? 8.0 : 1.0));
  for (std::string op : {"log_", "sqrt_", "rsqrt_"}) checkUnary(op, at::rand({3, 5}) + 0.1);
  checkUnary("acosh_", at::rand({4}) + 1.5);
}

TEST(Overloads, ActivationsAndClampsWithParameters) {
  const at::Tensor x = at::randn({3, 6}) * 3;
  checkUnary("leaky_relu_", x, "  %s : float = prim::Constant[value=0.2]()\n", ", %s");
  checkUnary("hardtanh_", x,
             "  %lo : float = prim::Constant[value=-0.5]()\n  %hi : float = prim::Constant[value=2.]()\n",
             ", %lo, %hi");
  const std::string eluDefs =
      "  %a : float = prim::Constant[value=1.5]()\n  %s : float = prim::Constant[value=1.]()\n"
      "  %i : float = prim::Constant[value=1.]()\n";
  checkUnary("elu", x, eluDefs, ", %a, %s, %i");
  checkUnary("elu_", x, eluDefs, ", %a, %s, %i");
  checkUnary("softplus", x, "  %b : int = prim::Constant[value=2]()\n  %t : int = prim::Constant[value=5]()\n",
             ", %b, %t");  // beta x above 5 is x itself
  checkUnary("softplus", x * 10,
             "  %b : float = prim::Constant[value=0.5]()\n  %t : int = prim::Constant[value=40]()\n", ", %b, %t");
  checkUnary("clamp_", x, "  %lo : float = prim::Constant[value=-0.5]()\n  %hi : float = prim::Constant[value=0.5]()\n",
             ", %lo, %hi");
  checkUnary("clamp_max", x, "  %hi : float = prim::Constant[value=0.3]()\n", ", %hi");
  checkUnary("clamp_max_", x, "  %hi : float = prim::Constant[value=0.3]()\n", ", %hi");
  checkUnary("clamp_min_", x, "  %lo : float = prim::Constant[value=-0.3]()\n", ", %lo");
  checkUnary("tril_", x, "  %d : int = prim::Constant[value=0]()\n", ", %d");
  checkUnary("triu_", x, "  %d : int = prim::Constant[value=1]()\n", ", %d");
  // clamp.Tensor: bounds broadcast from tensors.
  checkGraph(R"IR(
    graph(%x : Tensor, %lo : Tensor, %hi : Tensor):
      %y : Tensor = aten::clamp(%x, %lo, %hi)
      return (%y))IR",
             {x, at::randn({6}) - 1, at::randn({3, 1}) + 1});
}

TEST(Overloads, ArithmeticScalarAndTensorOverloads) {
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

TEST(Overloads, InPlaceArithmetic) {
  const at::Tensor x = at::randn({3, 4}) * 4, y = at::rand({3, 4}) + 0.5;
  const std::string defs = "  %s : float = prim::Constant[value=1.5]()\n  %two : int = prim::Constant[value=2]()\n";
  for (const char* body : {"aten::add_(%x, %s, %two)", "aten::sub_(%x, %s, %two)", "aten::sub_(%x, %y, %two)",
                           "aten::mul_(%x, %s)", "aten::mul_(%x, %y)", "aten::div_(%x, %s)", "aten::div_(%x, %y)"})
    checkGraph("graph(%x : Tensor, %y : Tensor):\n" + defs + "  %r : Tensor = " + body + "\n  return (%r)", {x, y});
}

TEST(Overloads, ComparisonsWithScalarsAndTensors) {
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

TEST(Overloads, ReductionsOverAllDimsAndCorrections) {
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

TEST(Overloads, Pooling1dAnd3d) {
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

TEST(Overloads, Resizing1dAnd3dAndNearestExact) {
  checkGraph(R"IR(
    graph(%x : Tensor, %y : Tensor, %v : Tensor):
      %none : NoneType = prim::Constant()
      %f : bool = prim::Constant[value=0]()
      %t : bool = prim::Constant[value=1]()
      %s12 : int[] = prim::Constant[value=[12]]()
      %r15 : float[] = prim::Constant[value=[1.5]]()
      %r2 : float[] = prim::Constant[value=[2.]]()
      %a : Tensor = aten::_upsample_nearest_exact1d(%x, %s12, %none)
      %b : Tensor = aten::_upsample_nearest_exact1d(%x, %none, %r15)
      %c : Tensor = aten::upsample_linear1d(%x, %none, %f, %r2)
      %d : Tensor = aten::upsample_nearest1d(%x, %none, %r15)
      %s57 : int[] = prim::Constant[value=[5, 7]]()
      %e : Tensor = aten::_upsample_nearest_exact2d(%y, %s57, %none, %none)
      %s659 : int[] = prim::Constant[value=[6, 5, 9]]()
      %g : Tensor = aten::_upsample_nearest_exact3d(%v, %s659, %none, %none, %none)
      %r3 : float[] = prim::Constant[value=[2., 1.5, 1.]]()
      %h : Tensor = aten::_upsample_nearest_exact3d(%v, %none, %r3)
      %s81212 : int[] = prim::Constant[value=[8, 12, 12]]()
      %i : Tensor = aten::upsample_nearest3d(%v, %s81212, %none, %none, %none)
      %r322 : float[] = prim::Constant[value=[1.5, 2., 2.]]()
      %j : Tensor = aten::upsample_trilinear3d(%v, %none, %t, %r322)
      return (%a, %b, %c, %d, %e, %g, %h, %i, %j))IR",
             {at::randn({2, 3, 7}), at::randn({1, 2, 3, 4}), at::randn({1, 2, 4, 3, 6})});
}

TEST(Overloads, MatrixProducts) {
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

TEST(Overloads, MaskedFillsInPlaceAndWithTensorValues) {
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

TEST(Overloads, ShapeIdentityAndDropoutOps) {
  checkGraph(R"IR(
    graph(%x : Tensor, %m : Tensor):
      %none : NoneType = prim::Constant()
      %f : bool = prim::Constant[value=0]()
      %p : float = prim::Constant[value=0.5]()
      %zero : int = prim::Constant[value=0]()
      %dims : int[] = prim::Constant[value=[1, 3]]()
      %sizes : int[] = prim::Constant[value=[1, 2]]()
      %a : Tensor = aten::squeeze(%x)
      %b : Tensor = aten::squeeze(%x, %dims)
      %c : Tensor = aten::t(%m)
      %parts : Tensor[] = aten::split_with_sizes(%x, %sizes, %zero)
      %p0 : Tensor, %p1 : Tensor = prim::ListUnpack(%parts)
      %d : Tensor = aten::clone(%x, %none)
      %e : Tensor = aten::contiguous(%x, %zero)
      %g : Tensor = aten::detach(%x)
      %h : Tensor = aten::dropout(%x, %p, %f)
      %i : Tensor = aten::feature_dropout(%x, %p, %f)
      return (%a, %b, %c, %p0, %p1, %d, %e, %g, %h, %i))IR",
             {at::randn({3, 1, 4, 1}), at::randn({2, 5})});
  checkUnary("dropout_", at::randn({2, 3}),
             "  %p : float = prim::Constant[value=0.5]()\n  %f : bool = prim::Constant[value=0]()\n", ", %p, %f");
}

TEST(Overloads, CastsByDeviceDtypeOtherAndOptionalDevice) {
  // float -> int64 truncates toward zero; float -> half rounds (compared at half's tolerance).
  checkGraph(R"IR(
    graph(%x : Tensor, %other : Tensor):
      %none : NoneType = prim::Constant()
      %f : bool = prim::Constant[value=0]()
      %dev : Device = prim::Constant[value="cpu"]()
      %long : int = prim::Constant[value=4]()
      %half : int = prim::Constant[value=5]()
      %a : Tensor = aten::to(%x, %dev, %long, %f, %f, %none)
      %b : Tensor = aten::to(%x, %half, %none, %none, %none, %f, %f, %none)
      %c : Tensor = aten::to(%x, %other, %f, %f, %none)
      return (%a, %b, %c))IR",
             {at::randn({3, 4}) * 10, at::zeros({1}, at::kInt)});
  checkGraph(R"IR(
    graph(%x : Tensor):
      %f : bool = prim::Constant[value=0]()
      %dev : Device = prim::Constant[value="cpu"]()
      %long : int = prim::Constant[value=4]()
      %a : Tensor = aten::to(%x, %dev, %long, %f, %f)
      return (%a))IR",
             {at::randn({3, 4}) * 10});
}

TEST(Overloads, DeprecatedConvolution) {
  checkGraph(R"IR(
    graph(%x : Tensor, %w : Tensor, %b : Tensor):
      %s : int[] = prim::Constant[value=[1, 1]]()
      %p : int[] = prim::Constant[value=[1, 0]]()
      %o : int[] = prim::Constant[value=[0, 0]]()
      %one : int = prim::Constant[value=1]()
      %f : bool = prim::Constant[value=0]()
      %t : bool = prim::Constant[value=1]()
      %y : Tensor = aten::_convolution(%x, %w, %b, %s, %p, %s, %f, %o, %one, %f, %f, %t)
      return (%y))IR",
             {at::randn({1, 3, 6, 5})}, {at::randn({4, 3, 3, 3}), at::randn({4})});
}

TEST(Overloads, EmptyNewEmptyArangeAndScalarImplicitFromRunTimeSizes) {
  // Uninitialised memory is never compared: empty / new_empty feed zeros_like / ones_like, which
  // read only their shape (a run-time one: with constant sizes the ops fold before conversion).
  // ScalarImplicit turns a size held in a tensor back into a Scalar operand.
  const char* ir = R"IR(
    graph(%x : Tensor):
      %none : NoneType = prim::Constant()
      %zero : int = prim::Constant[value=0]()
      %one : int = prim::Constant[value=1]()
      %three : int = prim::Constant[value=3]()
      %n : int = aten::size(%x, %zero)
      %sizes : int[] = prim::ListConstruct(%n, %three)
      %e : Tensor = aten::empty(%sizes, %none, %none, %none, %none, %none)
      %a : Tensor = aten::zeros_like(%e, %none, %none, %none, %none, %none)
      %ne : Tensor = aten::new_empty(%x, %sizes, %none, %none, %none, %none)
      %b : Tensor = aten::ones_like(%ne, %none, %none, %none, %none, %none)
      %r : Tensor = aten::arange(%one, %n, %none, %none, %none, %none)
      %nt : Tensor = prim::NumToTensor(%n)
      %s : Scalar = aten::ScalarImplicit(%nt)
      %y : Tensor = aten::add(%x, %s, %one)
      return (%a, %b, %r, %y))IR";
  std::vector<std::vector<at::Tensor>> runs;
  for (int64_t b : {2, 3, 5}) runs.push_back({at::randn({b, 4})});
  checkGraphDynamic(ir, {range({2, 4}, {3, 4}, {5, 4})}, runs);
}
