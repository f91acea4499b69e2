// One dynamic-shape case per converter family (IR string -> JIT interpreter vs one engine built for a
// range of shapes, run at several): the batch (and, where the op allows, spatial) dims vary.
#include "converter_test_util.h"

using torchtrt_test::checkGraphDynamic;
using torchtrt_test::range;

namespace {
std::vector<std::vector<at::Tensor>> batches(std::vector<int64_t> rest, std::vector<int64_t> sizes = {1, 3, 4}) {
  std::vector<std::vector<at::Tensor>> runs;
  for (int64_t b : sizes) {
    std::vector<int64_t> shape = {b};
    shape.insert(shape.end(), rest.begin(), rest.end());
    runs.push_back({at::randn(shape)});
  }
  return runs;
}
}  // namespace

TEST(DynamicFamilies, ConvolutionAndPooling) {
  const char* ir = R"IR(
    graph(%x : Tensor, %w : Float(4, 3, 3, 3)):
      %s : int[] = prim::Constant[value=[1, 1]]()
      %p : int[] = prim::Constant[value=[1, 1]]()
      %k : int[] = prim::Constant[value=[2, 2]]()
      %o : int[] = prim::Constant[value=[0, 0]]()
      %one : int = prim::Constant[value=1]()
      %f : bool = prim::Constant[value=0]()
      %t : bool = prim::Constant[value=1]()
      %none : NoneType = prim::Constant()
      %y : Tensor = aten::_convolution(%x, %w, %none, %s, %p, %s, %f, %o, %one, %f, %f, %t, %t)
      %r : Tensor = aten::relu(%y)
      %m : Tensor = aten::max_pool2d(%r, %k, %k, %o, %s, %f)
      %a : Tensor = aten::avg_pool2d(%r, %k, %k, %o, %f, %t, %none)
      return (%m, %a))IR";
  auto runs = batches({3, 8, 8});
  runs.push_back({at::randn({2, 3, 10, 6})});
  checkGraphDynamic(ir, {range({1, 3, 4, 4}, {2, 3, 8, 8}, {4, 3, 12, 12})}, runs, {at::randn({4, 3, 3, 3})});
}

TEST(DynamicFamilies, ElementwiseReductionsSoftmaxAndActivations) {
  const char* ir = R"IR(
    graph(%x : Tensor):
      %one : int = prim::Constant[value=1]()
      %m1 : int = prim::Constant[value=-1]()
      %f : bool = prim::Constant[value=0]()
      %t : bool = prim::Constant[value=1]()
      %none : NoneType = prim::Constant()
      %c : float = prim::Constant[value=0.5]()
      %dims : int[] = prim::Constant[value=[1]]()
      %a : Tensor = aten::mul(%x, %c)
      %b : Tensor = aten::sigmoid(%a)
      %s : Tensor = aten::sum(%b, %dims, %t, %none)
      %d : Tensor = aten::sub(%b, %s, %one)
      %sm : Tensor = aten::softmax(%d, %m1, %none)
      %approx : str = prim::Constant[value="none"]()
      %g : Tensor = aten::gelu(%sm, %approx)
      %cs : Tensor = aten::cumsum(%x, %one, %none)
      return (%g, %cs))IR";
  checkGraphDynamic(ir, {range({1, 5}, {2, 5}, {6, 5})}, batches({5}, {1, 4, 6}));
}

TEST(DynamicFamilies, ProductsShapesGathersAndConcatenation) {
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
