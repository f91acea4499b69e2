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
