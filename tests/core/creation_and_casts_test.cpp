// Creation ops (as constants, in the dtype they name, of run-time sizes), casts of every
// overload, identity and dropout ops, int64 constants past int32.
// Each graph runs in the JIT interpreter and as an engine (static and dynamic shapes), compared
// with the central per-dtype tolerances (converter_test_util.h).
#include <limits>

#include "converter_test_util.h"

using torchtrt_test::checkGraph;
using torchtrt_test::checkGraphDynamic;
using torchtrt_test::checkUnary;
using torchtrt_test::ints;
using torchtrt_test::range;
using torchtrt_test::scriptGraph;

TEST(CreationAndCasts, CastsAndLikeConstants) {
  checkGraph(R"IR(
    graph(%x : Tensor, %y : Tensor):
      %int : int = prim::Constant[value=3]()
      %f : bool = prim::Constant[value=0]()
      %none : NoneType = prim::Constant()
      %a : Tensor = aten::to(%x, %int, %f, %f, %none)
      %b : Tensor = aten::type_as(%a, %y)
      %c : Tensor = aten::zeros_like(%x, %none, %none, %none, %none, %none)
      %v : float = prim::Constant[value=2.5]()
      %d : Tensor = aten::full_like(%x, %v, %none, %none, %none, %none, %none)
      return (%a, %b, %c, %d))IR",
             {at::randn({2, 3}) * 10, at::randn({1})});
}

TEST(CreationAndCasts, CreationOpsAsConstants) {
  checkGraph(R"IR(
    graph(%x : Tensor):
      %none : NoneType = prim::Constant()
      %size : int[] = prim::Constant[value=[2, 3]]()
      %v : float = prim::Constant[value=2.5]()
      %int_t : int = prim::Constant[value=3]()
      %a : Tensor = aten::new_zeros(%x, %size, %none, %none, %none, %none)
      %b : Tensor = aten::new_ones(%x, %size, %int_t, %none, %none, %none)
      %c : Tensor = aten::new_full(%x, %size, %v, %none, %none, %none, %none)
      %z : Tensor = aten::zeros(%size, %none, %none, %none, %none)
      %o : Tensor = aten::ones(%size, %none, %none, %none, %none)
      %f : Tensor = aten::full(%size, %v, %none, %none, %none, %none)
      %five : int = prim::Constant[value=5]()
      %r : Tensor = aten::arange(%five, %none, %none, %none, %none)
      %s : Tensor = aten::add(%x, %z, %five)
      %t : Tensor = aten::mul(%s, %f)
      return (%a, %b, %c, %o, %r, %t))IR",
             {at::randn({2, 3})});
}

TEST(CreationAndCasts, ShapeIdentityAndDropoutOps) {
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

TEST(CreationAndCasts, CastsByDeviceDtypeOtherAndOptionalDevice) {
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

TEST(CreationAndCasts, EmptyNewEmptyArangeAndScalarImplicitFromRunTimeSizes) {
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

TEST(CreationAndCasts, OnesInHalfAreOnes) {
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

TEST(CreationAndCasts, AliasesAndTensorOverloadsFromIR) {
  // TorchScript source maps torch.fix to trunc: the alias and the Tensor overload of bitwise_xor from IR.
  checkGraph(R"IR(
    graph(%a : Tensor, %i : Tensor, %j : Tensor):
      %f : Tensor = aten::fix(%a)
      %x : Tensor = aten::bitwise_xor(%i, %j)
      return (%f, %x))IR",
             {at::randn({3, 4}) * 3, ints({3, 4}), ints({3, 4})});
}

TEST(CreationAndCasts, Int64ConstantsPastInt32StayInt64) {
  // Found (masked.argmin of int64): "an int64 constant (frozen constant) does not fit in int32".
  const char* ir = R"IR(
    graph(%m : Tensor, %x : Tensor, %fill : Tensor):
      %r : Tensor = aten::where(%m, %x, %fill)
      return (%r))IR";
  at::Tensor fill = at::full({2, 3}, std::numeric_limits<int64_t>::max(), at::kLong);
  fill[0][1] = std::numeric_limits<int64_t>::min();
  checkGraph(ir, {at::randint(0, 2, {2, 3}).to(at::kBool), at::randint(-9, 9, {2, 3}, at::kLong)}, {fill});
}
