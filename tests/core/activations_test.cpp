// Activations and clamps (every overload and in-place form, parameters, integer inputs), and
// the GLU / PReLU / log-sigmoid family.
// Each graph runs in the JIT interpreter and as an engine (static and dynamic shapes), compared
// with the central per-dtype tolerances (converter_test_util.h).
#include <string>

#include "converter_test_util.h"

using torchtrt_test::checkGraph;
using torchtrt_test::checkUnary;
using torchtrt_test::inOpenUnitRange;
using torchtrt_test::runEngine;

TEST(Activations, ActivationsAndInPlaceForms) {
  for (std::string op : {"relu", "relu_", "sigmoid", "tanh_", "silu", "hardswish", "hardsigmoid", "relu6", "selu"}) {
    checkGraph("graph(%x : Tensor):\n  %y : Tensor = aten::" + op + "(%x)\n  return (%y)", {at::randn({3, 7}) * 4});
  }
  checkGraph(R"IR(
    graph(%x : Tensor):
      %a : float = prim::Constant[value=-0.5]()
      %b : float = prim::Constant[value=0.25]()
      %y : Tensor = aten::hardtanh(%x, %a, %b)
      %s : float = prim::Constant[value=0.2]()
      %z : Tensor = aten::leaky_relu(%y, %s)
      %mode : str = prim::Constant[value="tanh"]()
      %w : Tensor = aten::gelu(%x, %mode)
      return (%z, %w))IR",
             {at::randn({4, 5})});
}

TEST(Activations, ClampFamily) {
  checkGraph(R"IR(
    graph(%x : Tensor):
      %lo : float = prim::Constant[value=-0.5]()
      %hi : float = prim::Constant[value=0.25]()
      %none : NoneType = prim::Constant()
      %a : Tensor = aten::clamp(%x, %lo, %hi)
      %b : Tensor = aten::clamp(%x, %none, %hi)
      %c : Tensor = aten::clamp_min(%x, %lo)
      return (%a, %b, %c))IR",
             {at::tensor({-2.f, -0.5f, 0.f, 0.3f, NAN, 9.f})});
}

TEST(Activations, GluPreluLogSigmoidCumsumIndex) {
  checkGraph(R"IR(
    graph(%x : Tensor, %w : Tensor):
      %one : int = prim::Constant[value=1]()
      %neg : int = prim::Constant[value=-2]()
      %none : NoneType = prim::Constant()
      %a : Tensor = aten::glu(%x, %one)
      %b : Tensor = aten::prelu(%x, %w)
      %c : Tensor = aten::log_sigmoid(%x)
      %d : Tensor = aten::cumsum(%x, %one, %none)
      %e : Tensor = aten::cumsum(%x, %neg, %none)
      %small : Tensor = aten::sigmoid(%x)
      %f : Tensor = aten::cumprod(%small, %neg, %none)
      return (%a, %b, %c, %d, %e, %f))IR",
             {at::randn({2, 4, 3, 5}) * 10, at::rand({4})});
  // Integer inputs accumulate into int64 (as PyTorch), and dtype casts first.
  checkGraph(R"IR(
    graph(%i : Tensor):
      %zero : int = prim::Constant[value=0]()
      %one : int = prim::Constant[value=1]()
      %none : NoneType = prim::Constant()
      %f32 : int = prim::Constant[value=6]()
      %a : Tensor = aten::cumsum(%i, %one, %none)
      %b : Tensor = aten::cumprod(%i, %zero, %none)
      %c : Tensor = aten::cumsum(%i, %one, %f32)
      return (%a, %b, %c))IR",
             {at::randint(-3, 4, {3, 5}, at::kInt)});
  // x[:, [2, -1, 0]] and x[..., mask] with compile-time index tensors.
  auto g = torchtrt_test::parse(R"IR(
    graph(%x : Tensor, %idx : Tensor, %mask : Tensor):
      %none : NoneType = prim::Constant()
      %l1 : Tensor?[] = prim::ListConstruct(%none, %idx)
      %a : Tensor = aten::index(%x, %l1)
      %l2 : Tensor?[] = prim::ListConstruct(%none, %none, %mask)
      %b : Tensor = aten::index(%x, %l2)
      return (%a, %b))IR");
  auto x = at::randn({2, 4, 5});
  auto idx = at::tensor({2, -1, 0}, at::kLong);
  auto mask = at::tensor({1, 0, 1, 1, 0}, at::kInt).to(at::kBool);
  auto expected = torchtrt_test::runJit(g, {x}, {idx, mask});
  auto actual = torchtrt_test::runEngine(g, {x}, {idx, mask});
  for (size_t i = 0; i < actual.size(); ++i)
    torchtrt_test::expectClose(actual[i], expected[i], torchtrt_test::toleranceFor(at::kFloat));
  torchtrt_test::recordCompared(g->block());
}

TEST(Activations, InPlaceUnaryMathAndActivations) {
  for (std::string op :
       {"abs_", "asin_",    "asinh_",      "atan_",  "atanh_",       "acos_",      "ceil_", "cos_",    "cosh_",
        "erf_", "floor_",   "reciprocal_", "round_", "sign_",        "sin_",       "sinh_", "square_", "tan_",
        "tanh", "sigmoid_", "silu_",       "relu6_", "hardsigmoid_", "hardswish_", "selu_"})
    checkUnary(op, inOpenUnitRange({3, 5}) * (op == "relu6_" || op == "hardswish_" ? 8.0 : 1.0));
  for (std::string op : {"log_", "sqrt_", "rsqrt_"}) checkUnary(op, at::rand({3, 5}) + 0.1);
  checkUnary("acosh_", at::rand({4}) + 1.5);
}

TEST(Activations, ActivationsAndClampsWithParameters) {
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

TEST(Activations, IntegerActivations) {
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

TEST(Activations, BroadcastToNarrowByTensorClampByTensorsAndRoundToDecimals) {
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
