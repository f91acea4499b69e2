// One dynamic-shape case per converter family (IR string -> JIT interpreter vs one engine built for a
// range of shapes, run at several): the batch (and, where the op allows, spatial) dims vary.
#include <array>

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

TEST(DynamicFamilies, TransposedConvolution) {
  // Stride 2, padding 1, output_padding 1, two groups: a Deconvolution layer whose output size
  // follows the input's run-time batch and spatial dims.
  const char* ir = R"IR(
    graph(%x : Tensor, %w : Float(4, 3, 3, 3), %b : Float(6)):
      %s : int[] = prim::Constant[value=[2, 2]]()
      %p : int[] = prim::Constant[value=[1, 1]]()
      %d : int[] = prim::Constant[value=[1, 1]]()
      %o : int[] = prim::Constant[value=[1, 1]]()
      %g : int = prim::Constant[value=2]()
      %f : bool = prim::Constant[value=0]()
      %t : bool = prim::Constant[value=1]()
      %y : Tensor = aten::_convolution(%x, %w, %b, %s, %p, %d, %t, %o, %g, %f, %f, %t, %t)
      return (%y))IR";
  auto runs = batches({4, 5, 5});
  runs.push_back({at::randn({2, 4, 3, 7})});
  checkGraphDynamic(ir, {range({1, 4, 2, 2}, {2, 4, 5, 5}, {4, 4, 8, 8})}, runs,
                    {at::randn({4, 3, 3, 3}), at::randn({6})});
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

namespace {
// Runs at shapes [b, c, h, w] for each (b, h, w).
std::vector<std::vector<at::Tensor>> images(int64_t c, std::vector<std::array<int64_t, 3>> sizes) {
  std::vector<std::vector<at::Tensor>> runs;
  for (const auto& s : sizes) runs.push_back({at::randn({s[0], c, s[1], s[2]})});
  return runs;
}
}  // namespace

TEST(DynamicFamilies, RepeatFlipRollAndPixelShuffle) {
  // Batch, height and width all dynamic: repeat adding a leading dim, flip of dynamic dims, roll by
  // more than the size and by a negative shift, pixel shuffle.
  const char* ir = R"IR(
    graph(%x : Tensor):
      %r : int[] = prim::Constant[value=[2, 1, 3, 1, 2]]()
      %rep : Tensor = aten::repeat(%x, %r)
      %fd : int[] = prim::Constant[value=[0, -1, 2]]()
      %fl : Tensor = aten::flip(%x, %fd)
      %sh : int[] = prim::Constant[value=[7, -2]]()
      %rd : int[] = prim::Constant[value=[2, 3]]()
      %ro : Tensor = aten::roll(%x, %sh, %rd)
      %two : int = prim::Constant[value=2]()
      %ps : Tensor = aten::pixel_shuffle(%x, %two)
      return (%rep, %fl, %ro, %ps))IR";
  checkGraphDynamic(ir, {range({1, 4, 2, 2}, {2, 4, 4, 5}, {3, 4, 6, 7})},
                    images(4, {{1, 2, 2}, {2, 4, 5}, {3, 6, 7}, {2, 3, 6}}));
}

TEST(DynamicFamilies, NormsPoolingSelectionsAndStatistics) {
  // group_norm, global adaptive pooling of dynamic spatial dims (and an even 2x2 one of a static
  // width), max/min with a dim (values and indices), topk along a dynamic dim, variance over the
  // static channels, glu of the channels.
  const char* ir = R"IR(
    graph(%x : Tensor, %w : Float(4), %b : Float(4)):
      %two : int = prim::Constant[value=2]()
      %one : int = prim::Constant[value=1]()
      %m1 : int = prim::Constant[value=-1]()
      %eps : float = prim::Constant[value=1.0000000000000001e-05]()
      %f : bool = prim::Constant[value=0]()
      %t : bool = prim::Constant[value=1]()
      %gn : Tensor = aten::group_norm(%x, %two, %w, %b, %eps, %t)
      %o1 : int[] = prim::Constant[value=[1, 1]]()
      %ga : Tensor = aten::adaptive_avg_pool2d(%gn, %o1)
      %gm : Tensor, %gi : Tensor = aten::adaptive_max_pool2d(%x, %o1)
      %mv : Tensor, %mi : Tensor = aten::max(%x, %two, %f)
      %nv : Tensor, %ni : Tensor = aten::min(%x, %m1, %t)
      %tv : Tensor, %ti : Tensor = aten::topk(%x, %two, %two, %t, %t)
      %dims : int[] = prim::Constant[value=[1]]()
      %va : Tensor = aten::var(%x, %dims, %t, %t)
      %gl : Tensor = aten::glu(%x, %one)
      return (%ga, %gm, %mv, %mi, %nv, %ni, %tv, %ti, %va, %gl))IR";
  checkGraphDynamic(ir, {range({1, 4, 2, 3}, {2, 4, 4, 5}, {3, 4, 6, 7})}, images(4, {{1, 2, 3}, {2, 4, 5}, {3, 6, 7}}),
                    {at::randn({4}), at::randn({4})});
}

TEST(DynamicFamilies, InterpolationAndPadding) {
  // Nearest x2 by scale factor, bilinear to the size of another input (read at run time), bicubic to
  // a fixed size; constant, reflection and replication padding of dynamic dims.
  const char* ir = R"IR(
    graph(%x : Tensor, %y : Tensor):
      %none : NoneType = prim::Constant()
      %f : bool = prim::Constant[value=0]()
      %t : bool = prim::Constant[value=1]()
      %two : int = prim::Constant[value=2]()
      %three : int = prim::Constant[value=3]()
      %s2 : float[] = prim::Constant[value=[2., 2.]]()
      %up : Tensor = aten::upsample_nearest2d(%x, %none, %s2)
      %h : int = aten::size(%y, %two)
      %w : int = aten::size(%y, %three)
      %size : int[] = prim::ListConstruct(%h, %w)
      %bl : Tensor = aten::upsample_bilinear2d(%x, %size, %f, %none)
      %fixed : int[] = prim::Constant[value=[5, 3]]()
      %bc : Tensor = aten::upsample_bicubic2d(%x, %fixed, %t, %none)
      %p : int[] = prim::Constant[value=[1, 2, 0, 1]]()
      %v : float = prim::Constant[value=0.5]()
      %cp : Tensor = aten::constant_pad_nd(%x, %p, %v)
      %rp : Tensor = aten::reflection_pad2d(%x, %p)
      %ep : Tensor = aten::replication_pad2d(%x, %p)
      return (%up, %bl, %bc, %cp, %rp, %ep))IR";
  std::vector<std::vector<at::Tensor>> runs;
  for (auto [b, h, w, yh, yw] : std::vector<std::array<int64_t, 5>>{{1, 3, 3, 4, 6}, {2, 4, 5, 7, 3}, {3, 6, 7, 9, 9}})
    runs.push_back({at::randn({b, 3, h, w}), at::randn({1, 1, yh, yw})});
  checkGraphDynamic(
      ir, {range({1, 3, 3, 3}, {2, 3, 4, 5}, {3, 3, 6, 7}), range({1, 1, 2, 2}, {1, 1, 5, 5}, {1, 1, 9, 9})}, runs);
}

TEST(DynamicFamilies, RepeatInterleaveExpandAsAndMeshgrid) {
  // repeat_interleave by a constant, by a count computed from a size, and per slice along a static
  // dim with a dynamic batch; expand_as a tensor of run-time shape; meshgrid of run-time lengths.
  const char* ir = R"IR(
    graph(%x : Tensor, %y : Tensor, %r : Long(3)):
      %none : NoneType = prim::Constant()
      %zero : int = prim::Constant[value=0]()
      %one : int = prim::Constant[value=1]()
      %two : int = prim::Constant[value=2]()
      %a : Tensor = aten::repeat_interleave(%x, %two, %one, %none)
      %n : int = aten::size(%x, %zero)
      %b : Tensor = aten::repeat_interleave(%x, %n, %two, %none)
      %c : Tensor = aten::repeat_interleave(%x, %r, %one, %none)
      %d : Tensor = aten::repeat_interleave(%x, %two, %none, %none)
      %last : int[] = prim::Constant[value=[2]]()
      %t : bool = prim::Constant[value=1]()
      %s : Tensor = aten::sum(%x, %last, %t, %none)
      %e : Tensor = aten::expand_as(%s, %y)
      %w : int = aten::size(%x, %two)
      %fl : int = prim::Constant[value=6]()
      %iw : Tensor = aten::arange(%w, %fl, %none, %none, %none)
      %ih : Tensor = aten::arange(%n, %fl, %none, %none, %none)
      %l : Tensor[] = prim::ListConstruct(%ih, %iw)
      %ij : str = prim::Constant[value="ij"]()
      %g : Tensor[] = aten::meshgrid(%l, %ij)
      %g0 : Tensor, %g1 : Tensor = prim::ListUnpack(%g)
      return (%a, %b, %c, %d, %e, %g0, %g1))IR";
  std::vector<std::vector<at::Tensor>> runs;
  for (auto [b, w] : std::vector<std::array<int64_t, 2>>{{1, 2}, {2, 5}, {4, 3}})
    runs.push_back({at::randn({b, 3, w}), at::randn({b, 3, w})});
  checkGraphDynamic(ir, {range({1, 3, 2}, {2, 3, 4}, {4, 3, 6}), range({1, 3, 2}, {2, 3, 4}, {4, 3, 6})}, runs,
                    {at::tensor({2, 0, 1}, at::kLong)});
}

TEST(DynamicFamilies, CausalAttentionWithDynamicLengths) {
  // is_causal=True with the batch and both sequence lengths dynamic (the mask built at run time).
  const char* ir = R"IR(
    graph(%q : Tensor, %k : Tensor, %v : Tensor):
      %none : NoneType = prim::Constant()
      %zero : float = prim::Constant[value=0.]()
      %t : bool = prim::Constant[value=1]()
      %f : bool = prim::Constant[value=0]()
      %y : Tensor = aten::scaled_dot_product_attention(%q, %k, %v, %none, %zero, %t, %none, %f)
      return (%y))IR";
  std::vector<std::vector<at::Tensor>> runs;
  for (auto [b, l, s] : std::vector<std::array<int64_t, 3>>{{1, 3, 3}, {2, 5, 7}, {3, 8, 4}})
    runs.push_back({at::randn({b, 2, l, 8}), at::randn({b, 2, s, 8}), at::randn({b, 2, s, 8})});
  checkGraphDynamic(ir,
                    {range({1, 2, 1, 8}, {2, 2, 4, 8}, {3, 2, 8, 8}), range({1, 2, 1, 8}, {2, 2, 4, 8}, {3, 2, 8, 8}),
                     range({1, 2, 1, 8}, {2, 2, 4, 8}, {3, 2, 8, 8})},
                    runs);
}

TEST(DynamicFamilies, IndexAddCopyFillAndScatter) {
  // index_add / index_copy / index_fill along a static dim with a dynamic
  // batch, and an element scatter whose index and source follow the batch.
  std::vector<std::vector<at::Tensor>> runs;
  for (int64_t b : {1, 3, 5})
    // Distinct rows per column (no duplicate targets, whose write order a GPU need not keep).
    runs.push_back({at::randn({b, 4, 3}), at::randn({b, 2, 3}),
                    at::rand({b, 4, 3}).argsort(1, false).slice(1, 0, 2).contiguous()});
  // The compile-time index is the last graph input.
  const char* ir = R"IR(
    graph(%x : Tensor, %src : Tensor, %sidx : Tensor, %idx : Long(2)):
      %one : int = prim::Constant[value=1]()
      %alpha : int = prim::Constant[value=2]()
      %v : float = prim::Constant[value=-3.5]()
      %a : Tensor = aten::index_add(%x, %one, %idx, %src, %alpha)
      %c : Tensor = aten::index_copy(%x, %one, %idx, %src)
      %f : Tensor = aten::index_fill(%x, %one, %idx, %v)
      %s : Tensor = aten::scatter(%x, %one, %sidx, %src)
      return (%a, %c, %f, %s))IR";
  checkGraphDynamic(ir,
                    {range({1, 4, 3}, {2, 4, 3}, {5, 4, 3}), range({1, 2, 3}, {2, 2, 3}, {5, 2, 3}),
                     range({1, 2, 3}, {2, 2, 3}, {5, 2, 3}, at::kLong)},
                    runs, {at::tensor({3, 1}, at::kLong)});
}

TEST(DynamicFamilies, SliceAndSelectScatter) {
  // Writes into a static dim of tensors whose batch and last dim are dynamic: a contiguous slice, a
  // strided one (an element scatter at run-time-broadcast positions) and a selected row.
  const char* ir = R"IR(
    graph(%x : Tensor, %a : Tensor, %b : Tensor, %c : Tensor):
      %one : int = prim::Constant[value=1]()
      %two : int = prim::Constant[value=2]()
      %three : int = prim::Constant[value=3]()
      %five : int = prim::Constant[value=5]()
      %m1 : int = prim::Constant[value=-1]()
      %s : Tensor = aten::slice_scatter(%x, %a, %one, %one, %three, %one)
      %t : Tensor = aten::slice_scatter(%x, %b, %one, %one, %five, %two)
      %u : Tensor = aten::select_scatter(%x, %c, %one, %m1)
      return (%s, %t, %u))IR";
  std::vector<std::vector<at::Tensor>> runs;
  for (auto [n, w] : std::vector<std::array<int64_t, 2>>{{1, 2}, {3, 5}, {2, 4}})
    runs.push_back({at::randn({n, 6, w}), at::randn({n, 2, w}), at::randn({n, 2, w}), at::randn({n, w})});
  checkGraphDynamic(ir,
                    {range({1, 6, 2}, {2, 6, 4}, {3, 6, 5}), range({1, 2, 2}, {2, 2, 4}, {3, 2, 5}),
                     range({1, 2, 2}, {2, 2, 4}, {3, 2, 5}), range({1, 2}, {2, 4}, {3, 5})},
                    runs);
}

TEST(DynamicFamilies, IndexPutWithIntegerIndices) {
  // x[:, idx] = v on a dynamic batch (adjacent indexed dims: values in place) and y[i0, :, i2] += w
  // with the middle dim dynamic (separated indexed dims: B first, values [2, n]).
  const char* ir = R"IR(
    graph(%x : Tensor, %v : Tensor, %y : Tensor, %w : Tensor, %idx : Long(2), %i0 : Long(2), %i2 : Long(2)):
      %none : Tensor? = prim::Constant()
      %f : bool = prim::Constant[value=0]()
      %t : bool = prim::Constant[value=1]()
      %l1 : Tensor?[] = prim::ListConstruct(%none, %idx)
      %a : Tensor = aten::index_put(%x, %l1, %v, %f)
      %l2 : Tensor?[] = prim::ListConstruct(%i0, %none, %i2)
      %c : Tensor = aten::index_put(%y, %l2, %w, %t)
      return (%a, %c))IR";
  std::vector<std::vector<at::Tensor>> runs;
  for (int64_t b : {1, 3, 4})
    runs.push_back({at::randn({b, 4, 3}), at::randn({b, 2, 3}), at::randn({4, b, 3}), at::randn({2, b})});
  checkGraphDynamic(ir,
                    {range({1, 4, 3}, {2, 4, 3}, {4, 4, 3}), range({1, 2, 3}, {2, 2, 3}, {4, 2, 3}),
                     range({4, 1, 3}, {4, 2, 3}, {4, 4, 3}), range({2, 1}, {2, 2}, {2, 4})},
                    runs,
                    {at::tensor({3, 1}, at::kLong), at::tensor({0, 2}, at::kLong), at::tensor({2, 0}, at::kLong)});
}

TEST(DynamicFamilies, ReshapesOfSeveralDynamicDims) {
  // Batch and sequence length both dynamic (a transformer's activations): unsqueeze, squeeze and
  // flatten read the sizes they keep or merge at run time.
  const char* ir = R"IR(
    graph(%x : Tensor):
      %zero : int = prim::Constant[value=0]()
      %one : int = prim::Constant[value=1]()
      %two : int = prim::Constant[value=2]()
      %m1 : int = prim::Constant[value=-1]()
      %u : Tensor = aten::unsqueeze(%x, %one)
      %e : Tensor = aten::unsqueeze(%x, %m1)
      %q : Tensor = aten::squeeze(%u, %one)
      %f01 : Tensor = aten::flatten(%x, %zero, %one)
      %f12 : Tensor = aten::flatten(%x, %one, %two)
      %f : Tensor = aten::flatten(%x, %zero, %m1)
      return (%u, %e, %q, %f01, %f12, %f))IR";
  std::vector<std::vector<at::Tensor>> runs;
  for (auto [b, s] : std::vector<std::array<int64_t, 2>>{{1, 2}, {3, 5}, {4, 7}})
    runs.push_back({at::randn({b, s, 6})});
  checkGraphDynamic(ir, {range({1, 2, 6}, {2, 4, 6}, {4, 8, 6})}, runs);
}

TEST(DynamicFamilies, SlicesWithRunTimeBoundsAndPaddingIntoAConvolution) {
  // BERT's buffer[:, :seq_len] (a static tensor cut by a run-time size), the last seq_len entries
  // (a negative run-time bound), and a reflection pad feeding a convolution, which needs the padded
  // tensor's channel count static while its batch and spatial dims are not.
  const char* ir = R"IR(
    graph(%x : Tensor, %buffer : Float(1, 12), %w : Float(4, 3, 3, 3)):
      %none : NoneType = prim::Constant()
      %zero : int = prim::Constant[value=0]()
      %one : int = prim::Constant[value=1]()
      %three : int = prim::Constant[value=3]()
      %n : int = aten::size(%x, %three)
      %head : Tensor = aten::slice(%buffer, %one, %zero, %n, %one)
      %neg : int = aten::neg(%n)
      %tail : Tensor = aten::slice(%buffer, %one, %neg, %none, %one)
      %p : int[] = prim::Constant[value=[1, 1, 1, 1]]()
      %padded : Tensor = aten::reflection_pad2d(%x, %p)
      %s : int[] = prim::Constant[value=[1, 1]]()
      %o : int[] = prim::Constant[value=[0, 0]]()
      %f : bool = prim::Constant[value=0]()
      %t : bool = prim::Constant[value=1]()
      %y : Tensor = aten::_convolution(%padded, %w, %none, %s, %o, %s, %f, %o, %one, %f, %f, %t, %t)
      return (%head, %tail, %y))IR";
  std::vector<std::vector<at::Tensor>> runs;
  for (auto [b, h, w] : std::vector<std::array<int64_t, 3>>{{1, 3, 2}, {2, 5, 7}, {3, 4, 12}})
    runs.push_back({at::randn({b, 3, h, w})});
  checkGraphDynamic(ir, {range({1, 3, 2, 2}, {2, 3, 4, 4}, {3, 3, 6, 12})}, runs,
                    {at::randn({1, 12}), at::randn({4, 3, 3, 3})});
}

TEST(DynamicFamilies, SortsOfDynamicDimsAndRunTimeK) {
  // sort / argsort along the dynamic batch and along a dynamic length (the TopK layer reads k, the
  // size, at run time), and topk with k computed from a size. Integer data with ties: stable order.
  const char* ir = R"IR(
    graph(%x : Tensor, %i : Tensor):
      %zero : int = prim::Constant[value=0]()
      %one : int = prim::Constant[value=1]()
      %two : int = prim::Constant[value=2]()
      %t : bool = prim::Constant[value=1]()
      %f : bool = prim::Constant[value=0]()
      %v0 : Tensor, %i0 : Tensor = aten::sort(%x, %zero, %f)
      %v2 : Tensor, %i2 : Tensor = aten::sort(%x, %two, %t)
      %a2 : Tensor = aten::argsort(%i, %t, %one, %t)
      %n : int = aten::size(%x, %two)
      %k : int = aten::floordiv(%n, %two)
      %tv : Tensor, %ti : Tensor = aten::topk(%x, %k, %two, %t, %t)
      return (%v0, %i0, %v2, %i2, %a2, %tv, %ti))IR";
  std::vector<std::vector<at::Tensor>> runs;
  for (auto [b, l] : std::vector<std::array<int64_t, 2>>{{1, 2}, {3, 5}, {4, 9}})
    runs.push_back({at::randn({b, 3, l}), at::randint(0, 3, {b, l}, at::kLong)});
  checkGraphDynamic(ir, {range({1, 3, 2}, {2, 3, 5}, {4, 3, 9}), range({1, 2}, {2, 5}, {4, 9}, at::kLong)}, runs);
}

TEST(DynamicFamilies, IndexingAndMasksAlongDynamicDims) {
  // Batch and length dynamic: x[idx] and x[:, idx] with negative indices counted from the run-time
  // size (index tensors computed at run time and compile-time ones), x[i, j] over two dynamic dims,
  // x[i, :, k] (separated), boolean masks over dynamic dims (x[m], x[:, m]: data-dependent counts),
  // index_put along a dynamic dim and under a mask.
  const char* ir = R"IR(
    graph(%x : Tensor, %v : Tensor, %ri : Tensor, %ci : Long(3), %k : Long(2)):
      %none : NoneType = prim::Constant()
      %zero : int = prim::Constant[value=0]()
      %m1 : int = prim::Constant[value=-1]()
      %f : bool = prim::Constant[value=0]()
      %t : bool = prim::Constant[value=1]()
      %l0 : Tensor?[] = prim::ListConstruct(%ri)
      %a : Tensor = aten::index(%x, %l0)
      %l1 : Tensor?[] = prim::ListConstruct(%none, %ci)
      %b : Tensor = aten::index(%x, %l1)
      %l01 : Tensor?[] = prim::ListConstruct(%ri, %ri)
      %c : Tensor = aten::index(%x, %l01)
      %l02 : Tensor?[] = prim::ListConstruct(%ri, %none, %k)
      %d : Tensor = aten::index(%x, %l02)
      %first : Tensor = aten::select(%x, %m1, %zero)
      %m : Tensor = aten::gt(%first, %zero)
      %lm : Tensor?[] = prim::ListConstruct(%m)
      %e : Tensor = aten::index(%x, %lm)
      %row : Tensor = aten::select(%m, %zero, %zero)
      %lr : Tensor?[] = prim::ListConstruct(%none, %row)
      %g : Tensor = aten::index(%x, %lr)
      %p : Tensor = aten::index_put(%x, %l1, %v, %t)
      %s : Tensor = aten::select(%v, %zero, %zero)
      %q : Tensor = aten::index_put(%x, %lm, %s, %f)
      return (%a, %b, %c, %d, %e, %g, %p, %q))IR";
  std::vector<std::vector<at::Tensor>> runs;
  for (auto [b, s] : std::vector<std::array<int64_t, 2>>{{1, 3}, {3, 5}, {4, 7}})
    runs.push_back({at::randn({b, s, 4}), at::randn({4}), at::tensor({0, -1}, at::kLong)});
  checkGraphDynamic(ir, {range({1, 3, 4}, {2, 4, 4}, {4, 8, 4}), range({4}, {4}, {4}), range({2}, {2}, {2}, at::kLong)},
                    runs, {at::tensor({-1, 1, 0}, at::kLong), at::tensor({3, -2}, at::kLong)});
}

TEST(DynamicFamilies, AdaptivePoolingOfDynamicDimsToSeveralWindows) {
  // VGG's adaptive_avg_pool2d(7) on a feature map of run-time size: uneven, overlapping windows
  // (sizes below, at and above the output size), max and average, 1-D and 2-D, mixed with a global
  // dim and with a static dim.
  const char* ir = R"IR(
    graph(%x : Tensor):
      %o3 : int[] = prim::Constant[value=[3, 2]]()
      %a : Tensor = aten::adaptive_avg_pool2d(%x, %o3)
      %m : Tensor, %mi : Tensor = aten::adaptive_max_pool2d(%x, %o3)
      %o31 : int[] = prim::Constant[value=[3, 1]]()
      %g : Tensor = aten::adaptive_avg_pool2d(%x, %o31)
      %o4 : int[] = prim::Constant[value=[4]]()
      %one : int = prim::Constant[value=1]()
      %zero : int = prim::Constant[value=0]()
      %row : Tensor = aten::select(%x, %one, %zero)
      %a1 : Tensor = aten::adaptive_avg_pool1d(%row, %o4)
      %m1 : Tensor, %mi1 : Tensor = aten::adaptive_max_pool1d(%row, %o4)
      return (%a, %m, %g, %a1, %m1))IR";
  std::vector<std::vector<at::Tensor>> runs;
  for (auto [b, h, w] : std::vector<std::array<int64_t, 3>>{{1, 2, 6}, {2, 3, 6}, {3, 7, 6}, {2, 11, 6}})
    runs.push_back({at::randn({b, 2, h, w})});
  checkGraphDynamic(ir, {range({1, 2, 2, 6}, {2, 2, 5, 6}, {3, 2, 11, 6})}, runs);
  // Both spatial dims dynamic.
  const char* both = R"IR(
    graph(%x : Tensor):
      %o : int[] = prim::Constant[value=[3, 4]]()
      %a : Tensor = aten::adaptive_avg_pool2d(%x, %o)
      %m : Tensor, %mi : Tensor = aten::adaptive_max_pool2d(%x, %o)
      return (%a, %m))IR";
  std::vector<std::vector<at::Tensor>> sizes;
  for (auto [h, w] : std::vector<std::array<int64_t, 2>>{{1, 9}, {5, 4}, {8, 13}})
    sizes.push_back({at::randn({2, 3, h, w})});
  checkGraphDynamic(both, {range({2, 3, 1, 1}, {2, 3, 5, 5}, {2, 3, 9, 13})}, sizes);
}

TEST(DynamicFamilies, MaskedSelectBroadcastingOverDynamicDims) {
  // The tensor and the mask broadcast to each other (a size-1 dim on either side, a missing leading
  // dim) with the batch and length dynamic: the common shape is computed at run time.
  const char* ir = R"IR(
    graph(%x : Tensor, %m : Tensor, %r : Tensor):
      %zero : int = prim::Constant[value=0]()
      %keep : Tensor = aten::gt(%m, %zero)
      %a : Tensor = aten::masked_select(%x, %keep)
      %row : Tensor = aten::lt(%r, %zero)
      %b : Tensor = aten::masked_select(%x, %row)
      return (%a, %b))IR";
  std::vector<std::vector<at::Tensor>> runs;
  for (auto [b, s] : std::vector<std::array<int64_t, 2>>{{1, 2}, {3, 5}, {4, 7}})
    runs.push_back({at::randn({b, 1, s}), at::randn({b, 3, 1}), at::randn({s})});
  checkGraphDynamic(
      ir, {range({1, 1, 2}, {2, 1, 4}, {4, 1, 7}), range({1, 3, 1}, {2, 3, 1}, {4, 3, 1}), range({2}, {4}, {7})}, runs);
}

TEST(DynamicFamilies, InterpolateByNonIntegralScaleFactors) {
  // Found (issue 20): F.interpolate(scale_factor=0.5) and any non-integral factor over dynamic spatial dims
  // was refused. Output sizes are floor(n * f) as PyTorch computes them in double (1/3 of 3 is 1).
  const char* ir = R"IR(
    graph(%x : Tensor):
      %none : NoneType = prim::Constant()
      %f : bool = prim::Constant[value=0]()
      %half : float[] = prim::Constant[value=[0.5, 1.5]]()
      %third : float[] = prim::Constant[value=[0.33333333333333331, 2.75]]()
      %a : Tensor = aten::upsample_bilinear2d(%x, %none, %f, %half)
      %b : Tensor = aten::upsample_nearest2d(%x, %none, %third)
      return (%a, %b))IR";
  checkGraphDynamic(ir, {range({1, 2, 3, 3}, {2, 2, 8, 8}, {3, 2, 13, 17})},
                    {{at::randn({1, 2, 3, 3})}, {at::randn({2, 2, 9, 7})}, {at::randn({3, 2, 13, 17})}});
  // A factor no ratio of small integers reproduces (2.3's double rounds n * 2.3 up for some n): refused.
  try {
    checkGraphDynamic(R"IR(
    graph(%x : Tensor):
      %none : NoneType = prim::Constant()
      %s : float[] = prim::Constant[value=[2.3, 2.3]]()
      %a : Tensor = aten::upsample_nearest2d(%x, %none, %s)
      return (%a))IR",
                      {range({1, 2, 3, 3}, {2, 2, 8, 8}, {3, 2, 13, 17})}, {{at::randn({1, 2, 3, 3})}});
    FAIL() << "expected a refusal";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("give output_size or a static input size"), std::string::npos) << e.what();
  }
}
