// Adaptive pooling: max pooling with its indices output used (1-D to 3-D, even and uneven windows, a
// dynamic batch) and average pooling over uneven 3-D windows, against the JIT interpreter.
#include "converter_test_util.h"

using torchtrt_test::checkGraph;
using torchtrt_test::checkGraphDynamic;
using torchtrt_test::range;

TEST(Pooling, AdaptiveMaxPoolingWithItsIndices) {
  // Found (issue 20): adaptive_max_pool1d/2d/3d were refused when the indices output was used.
  const char* ir = R"IR(
    graph(%l : Tensor, %x : Tensor, %v : Tensor):
      %o1 : int[] = prim::Constant[value=[3]]()
      %o2 : int[] = prim::Constant[value=[3, 2]]()
      %e2 : int[] = prim::Constant[value=[2, 2]]()
      %o3 : int[] = prim::Constant[value=[2, 3, 2]]()
      %a : Tensor, %ai : Tensor = aten::adaptive_max_pool1d(%l, %o1)
      %b : Tensor, %bi : Tensor = aten::adaptive_max_pool2d(%x, %o2)
      %c : Tensor, %ci : Tensor = aten::adaptive_max_pool2d(%x, %e2)
      %d : Tensor, %di : Tensor = aten::adaptive_max_pool3d(%v, %o3)
      return (%a, %ai, %b, %bi, %c, %ci, %d, %di))IR";
  checkGraph(ir, {at::randn({2, 3, 7}), at::randn({2, 3, 8, 5}), at::randn({1, 2, 5, 4, 3})});
  // Ties go to the first position, as in PyTorch.
  checkGraph(ir, {at::zeros({1, 2, 7}), at::ones({1, 1, 8, 6}), at::randint(0, 2, {1, 1, 4, 4, 4}).to(at::kFloat)});
  checkGraphDynamic(R"IR(
    graph(%x : Tensor):
      %o2 : int[] = prim::Constant[value=[3, 2]]()
      %b : Tensor, %bi : Tensor = aten::adaptive_max_pool2d(%x, %o2)
      return (%b, %bi))IR",
                    {range({1, 3, 7, 5}, {2, 3, 7, 5}, {4, 3, 7, 5})},
                    {{at::randn({1, 3, 7, 5})}, {at::randn({4, 3, 7, 5})}});
}

TEST(Pooling, AdaptiveAveragePoolingOverUneven3DWindows) {
  // Found (issue 20): adaptive_avg_pool3d with uneven windows was refused.
  checkGraph(R"IR(
    graph(%v : Tensor):
      %o3 : int[] = prim::Constant[value=[2, 3, 4]]()
      %a : Tensor = aten::adaptive_avg_pool3d(%v, %o3)
      return (%a))IR",
             {at::randn({2, 3, 5, 7, 6})});
}
