// Ops decoders need: triu / tril (causal masks, static and dynamic sizes) and torch.cat's skipping of
// empty 1-D tensors (an empty key/value cache joined with new keys).
#include "converter_test_util.h"

TEST(Triangular, TriuAndTrilWithDiagonalOffsetsAndDynamicSizes) {
  const char* ir = R"IR(
    graph(%x : Tensor):
      %0 : int = prim::Constant[value=0]()
      %1 : int = prim::Constant[value=1]()
      %m1 : int = prim::Constant[value=-1]()
      %a : Tensor = aten::triu(%x, %1)
      %b : Tensor = aten::tril(%x, %m1)
      %c : Tensor = aten::triu(%x, %0)
      return (%a, %b, %c))IR";
  torchtrt_test::checkGraph(ir, {at::randn({2, 3, 5})});
  torchtrt_test::checkGraphDynamic(ir, {torchtrt_test::range({1, 2, 2}, {2, 4, 4}, {3, 6, 7})},
                                   {{at::randn({1, 2, 7})}, {at::randn({3, 6, 3})}});
}

TEST(Concat, EmptyOneDimensionalTensorsAreSkippedAsTorchDoes) {
  // torch.cat([torch.tensor([]), k], dim=-2): an empty key/value cache joined with new keys.
  torchtrt_test::checkGraph(R"IR(
    graph(%k : Tensor, %empty : Tensor):
      %m2 : int = prim::Constant[value=-2]()
      %list : Tensor[] = prim::ListConstruct(%empty, %k)
      %y : Tensor = aten::cat(%list, %m2)
      return (%y))IR",
                            {at::randn({1, 2, 4, 3})}, {at::empty({0})});
}
