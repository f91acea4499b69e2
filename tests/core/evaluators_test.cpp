// Evaluators and compile-time control flow: loops whose iterations are known while converting
// (over a size list, carrying engine tensors), list appends / extends / slices / sums, dtype
// queries and raises, from TorchScript source (IR text cannot state statements without outputs)
// and IR strings, against the JIT interpreter.
#include "converter_test_util.h"

using torchtrt_test::checkGraph;
using torchtrt_test::scriptGraph;

TEST(Evaluators, LoopOverSizesWithListsAndAConvertedBody) {
  // The loop over x.size() converts its body once per dimension (y is carried as an engine tensor);
  // the list it fills is sliced, extended and summed; the assert's raise is in a branch not taken.
  checkGraph(scriptGraph(R"JIT(
def forward(x: Tensor) -> Tensor:
    dims: List[int] = []
    y = x
    for i, d in enumerate(x.size()):
        dims.append(2 * d)
        y = y * d + i
    tail = dims[1:]
    dims.extend([len(tail), len(tail)])
    assert x.is_floating_point(), "expected a float tensor"
    return (y + sum(dims)) * len(dims)
)JIT"),
             {at::randn({2, 3, 4})});
}

TEST(Evaluators, LoopsCarryingSeveralValuesAndStoppingEarly) {
  // A while-style loop: the condition, computed from the carried int, stops it before its trip count.
  checkGraph(R"IR(
    graph(%x : Tensor):
      %true : bool = prim::Constant[value=1]()
      %zero : int = prim::Constant[value=0]()
      %one : int = prim::Constant[value=1]()
      %three : int = prim::Constant[value=3]()
      %ten : int = prim::Constant[value=10]()
      %y : Tensor, %c : int = prim::Loop(%ten, %true, %x, %zero)
        block0(%i : int, %acc : Tensor, %count : int):
          %next : Tensor = aten::sigmoid(%acc)
          %counted : int = aten::add(%count, %one)
          %go : bool = aten::lt(%counted, %three)
          -> (%go, %next, %counted)
      %z : Tensor = aten::mul(%y, %c)
      return (%z))IR",
             {at::randn({4, 5})});
}

TEST(Evaluators, ABranchThatRaisesForTheInputShapesIsReportedWithTheModelsMessage) {
  auto g = scriptGraph(R"JIT(
def forward(x: Tensor) -> Tensor:
    assert x.dim() == 3, "expected a 3-D input"
    return x + 1
)JIT");
  try {
    torchtrt_test::runEngine(g, {at::randn({2, 3})});
    FAIL() << "a 2-D input must be refused";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("The model raises for the given input shapes"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("expected a 3-D input"), std::string::npos) << e.what();
  }
  checkGraph(g, {at::randn({2, 3, 4})});  // a 3-D input takes the other branch
}

TEST(Evaluators, ListMutationsAndQueriesOnCompileTimeLists) {
  // Item assignment, insert, pop, reverse, remove, count, sorted, +=, copy, clear and str.join on
  // lists known while converting (sizes of a static input), ending in a tensor op.
  checkGraph(scriptGraph(R"JIT(
def forward(x: Tensor) -> Tensor:
    d = list(x.size())
    d[0] = d[0] * 2
    d.insert(0, 1)
    last = d.pop()
    d.reverse()
    d.remove(1)
    n = d.count(3)
    s = sorted([last, 2, 5])
    d += s
    e = d.copy()
    e.clear()
    names = ", ".join(["a", "b"])
    return x * (sum(d) + n + len(e) + len(names))
)JIT"),
             {at::randn({2, 3, 4})});
}

TEST(Evaluators, MathOfSizes) {
  // math.log / exp / sin / ... of sizes (IR: TorchScript source compiled from C++ has no math module).
  checkGraph(R"IR(
    graph(%x : Tensor):
      %one : int = prim::Constant[value=1]()
      %n : int = aten::size(%x, %one)
      %l : float = aten::log(%n)
      %e : float = aten::exp(%l)
      %s : float = aten::sin(%e)
      %c : float = aten::cos(%s)
      %t : float = aten::tanh(%c)
      %a : float = aten::atan(%t)
      %r : float = aten::erf(%a)
      %bad : bool = aten::isnan(%r)
      %inf : bool = aten::isinf(%r)
      %nan_count : int = aten::Int(%bad)
      %inf_count : int = aten::Int(%inf)
      %y : Tensor = aten::mul(%x, %r)
      %z : Tensor = aten::add(%y, %nan_count, %one)
      %w : Tensor = aten::add(%z, %inf_count, %one)
      return (%w))IR",
             {at::randn({2, 3})});
}

TEST(Evaluators, StrAndPercentFormatInTheMessageOfARaiseReachedAtCompileTime) {
  auto g = scriptGraph(R"JIT(
def forward(x: Tensor) -> Tensor:
    assert x.dim() == 3, "expected 3 dims, got " + str(x.dim()) + (" (%d elements)" % x.numel())
    return x + 1
)JIT");
  try {
    torchtrt_test::runEngine(g, {at::randn({2, 3})});
    FAIL() << "a 2-D input must be refused";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("expected 3 dims, got 2 (6 elements)"), std::string::npos) << e.what();
  }
  checkGraph(g, {at::randn({2, 3, 4})});
}

TEST(TensorLists, CollectedInAnUnrolledLoopAndMutated) {
  // A list of engine tensors filled in a loop that unrolls while converting (as recurrent decoders
  // collect their steps), then extended, inserted into (a clamped position too), assigned, popped,
  // reversed, concatenated, sliced (steps, negative bounds, reversed), copied and cleared.
  checkGraph(scriptGraph(R"JIT(
def forward(x: Tensor, y: Tensor) -> Tensor:
    outs: List[Tensor] = []
    for i in range(x.size(0)):
        outs.append(x[i] * i + y)
    outs.extend([y, x[0]])
    outs.insert(1, y * 2)
    outs.insert(-10, y * 3)
    outs[0] = outs[0] + 1
    outs[-1] = outs[-1] - 1
    last = outs.pop()
    first = outs.pop(0)
    outs.reverse()
    both = outs + [last]
    both += [first]
    tail = both[1::2]
    back = both[::-1][:-1]
    copied = list(tail)
    more = copied.copy()
    more.clear()
    more.append(y)
    return torch.stack(copied + back + more) * len(both)
)JIT"),
             {at::randn({3, 4}), at::randn({4})});
}

TEST(TensorLists, ACompileTimeListReceivingAnEngineTensor) {
  // A list holding a constant tensor becomes a list of engine tensors when one is appended.
  checkGraph(R"IR(
    graph(%x : Tensor, %c : Tensor):
      %zero : int = prim::Constant[value=0]()
      %l : Tensor[] = prim::ListConstruct(%c)
      %l2 : Tensor[] = aten::append(%l, %x)
      %y : Tensor = aten::cat(%l, %zero)
      return (%y))IR",
             {at::randn({2, 3})}, {at::randn({1, 3})});
}

TEST(TensorLists, RunTimeValuesInOtherListsAreRefusedNamingTheNode) {
  auto g = torchtrt_test::parse(R"IR(
    graph(%x : Tensor):
      %zero : int = prim::Constant[value=0]()
      %l : int[] = prim::ListConstruct()
      %n : int = aten::size(%x, %zero)
      %l2 : int[] = aten::append(%l, %n)
      %y : Tensor = aten::reshape(%x, %l)
      return (%y))IR");
  torch_tensorrt::core::conversion::ConversionInfo info;
  info.inputs = {torchtrt_test::range({1, 3}, {2, 3}, {4, 3})};
  try {
    torch_tensorrt::core::conversion::ConvertBlockToEngine(g->block(), info);
    FAIL() << "a run-time size appended to an int list must be refused";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("aten::append"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("lists of tensors only"), std::string::npos) << e.what();
  }
}

TEST(TensorLists, TupleIndexOfEngineTensors) {
  // Scripted nn.LSTM reads (h_0, c_0) with prim::TupleIndex.
  checkGraph(R"IR(
    graph(%x : Tensor, %y : Tensor):
      %zero : int = prim::Constant[value=0]()
      %one : int = prim::Constant[value=1]()
      %minus_one : int = prim::Constant[value=-1]()
      %t : (Tensor, Tensor) = prim::TupleConstruct(%x, %y)
      %a : Tensor = prim::TupleIndex(%t, %zero)
      %b : Tensor = prim::TupleIndex(%t, %minus_one)
      %c : Tensor = aten::sub(%a, %b, %one)
      return (%c))IR",
             {at::randn({2, 3}), at::randn({2, 3})});
}

TEST(TensorLists, UncheckedCastOfAnOptionalEngineTensor) {
  // Scripted nn.GRU narrows its Optional h_0 with prim::unchecked_cast after the None check.
  checkGraph(scriptGraph(R"JIT(
def forward(x: Tensor, y: Tensor) -> Tensor:
    h: Optional[Tensor] = None
    if x.dim() == 2:
        h = y * 2
    if h is None:
        return x
    return x + h
)JIT"),
             {at::randn({2, 3}), at::randn({2, 3})});
}

TEST(TensorLists, AMutationIsSeenUnderEveryNameOfTheList) {
  // %l, %a, %b and %c name one list object: appending through %a and assigning through %b change
  // what %l and %a hold too, as in the interpreter.
  checkGraph(R"IR(
    graph(%x : Tensor, %y : Tensor):
      %zero : int = prim::Constant[value=0]()
      %l : Tensor[] = prim::ListConstruct()
      %a : Tensor[] = aten::append(%l, %x)
      %b : Tensor[] = aten::append(%a, %y)
      %c : Tensor[] = aten::_set_item(%b, %zero, %y)
      %s : Tensor = aten::cat(%l, %zero)
      %t : Tensor = aten::cat(%a, %zero)
      return (%s, %t))IR",
             {at::randn({2, 3}), at::randn({1, 3})});
}

TEST(Evaluators, ChecksOnRunTimeSizesAreDroppedChecksOnStaticOnesKept) {
  // `if x.size(0) != h.size(0): raise` with a dynamic batch cannot be decided while converting (scripted
  // nn.LSTM checks its hidden state so): the engine drops it, as Torch-TensorRT's exception elimination.
  const char* ir = R"IR(
    graph(%x : Tensor, %h : Tensor):
      %0 : int = prim::Constant[value=0]()
      %1 : int = prim::Constant[value=1]()
      %msg : str = prim::Constant[value="batch mismatch"]()
      %none : NoneType = prim::Constant()
      %a : int[] = aten::size(%x)
      %b : int[] = aten::size(%h)
      %c : bool = aten::ne(%a, %b)
      prim::If(%c)
        block0():
          prim::RaiseException(%msg, %none)
          -> ()
        block1():
          -> ()
      %y : Tensor = aten::add(%x, %h, %1)
      return (%y))IR";
  torchtrt_test::checkGraphDynamic(
      ir, {torchtrt_test::range({1, 3}, {2, 3}, {4, 3}), torchtrt_test::range({1, 3}, {2, 3}, {4, 3})},
      {{at::randn({1, 3}), at::randn({1, 3})}, {at::randn({4, 3}), at::randn({4, 3})}});
  // With static shapes the same check is decided while converting, and raises with the model's message.
  try {
    torchtrt_test::runEngine(torchtrt_test::parse(ir), {at::randn({2, 3}), at::randn({3, 3})});
    FAIL() << "mismatched static batches must raise";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("batch mismatch"), std::string::npos) << e.what();
  }
}

TEST(Evaluators, SizeAndIntArithmeticFeedAView) {
  checkGraph(R"IR(
    graph(%x : Tensor):
      %zero : int = prim::Constant[value=0]()
      %one : int = prim::Constant[value=1]()
      %n : int = aten::size(%x, %zero)
      %c : int = aten::size(%x, %one)
      %two : int = prim::Constant[value=2]()
      %c2 : int = aten::mul(%c, %two)
      %h : int = aten::floordiv(%c2, %two)
      %m1 : int = prim::Constant[value=-1]()
      %s : int[] = prim::ListConstruct(%n, %h, %m1)
      %y : Tensor = aten::view(%x, %s)
      return (%y))IR",
             {at::randn({2, 3, 4, 5})});
}
