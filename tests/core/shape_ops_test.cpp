// Shape ops: view / reshape / flatten / permute / transpose with negative dims, slices, chunk and
// split, repeat, flip / roll / pixel shuffle, padding in every mode, cat and stack of mixed dtypes.
// Each graph runs in the JIT interpreter and as an engine (static and dynamic shapes), compared
// with the central per-dtype tolerances (converter_test_util.h).
#include <array>
#include <string>

#include "converter_test_util.h"

using torchtrt_test::checkGraph;
using torchtrt_test::checkGraphDynamic;
using torchtrt_test::images;
using torchtrt_test::ints;
using torchtrt_test::range;
using torchtrt_test::scriptGraph;

TEST(ShapeOps, ShapeOpsWithNegativeDims) {
  checkGraph(R"IR(
    graph(%x : Tensor):
      %one : int = prim::Constant[value=1]()
      %m1 : int = prim::Constant[value=-1]()
      %a : Tensor = aten::flatten(%x, %one, %m1)
      %p : int[] = prim::Constant[value=[2, 0, -1, 1]]()
      %b : Tensor = aten::permute(%x, %p)
      %c : Tensor = aten::transpose(%x, %m1, %one)
      %s : int[] = prim::Constant[value=[-1, 6]]()
      %d : Tensor = aten::view(%x, %s)
      %e : Tensor = aten::unsqueeze(%x, %m1)
      %f : Tensor = aten::squeeze(%e, %m1)
      return (%a, %b, %c, %d, %f))IR",
             {at::randn({2, 3, 4, 5})});
}

TEST(ShapeOps, SliceNarrowSelectWithNegativeIndices) {
  checkGraph(R"IR(
    graph(%x : Tensor):
      %one : int = prim::Constant[value=1]()
      %m1 : int = prim::Constant[value=-1]()
      %m3 : int = prim::Constant[value=-3]()
      %two : int = prim::Constant[value=2]()
      %none : NoneType = prim::Constant()
      %big : int = prim::Constant[value=100]()
      %a : Tensor = aten::slice(%x, %one, %m3, %none, %two)
      %b : Tensor = aten::slice(%x, %m1, %one, %big, %one)
      %c : Tensor = aten::narrow(%x, %two, %one, %two)
      %d : Tensor = aten::select(%x, %one, %m1)
      return (%a, %b, %c, %d))IR",
             {at::randn({2, 5, 4})});
}

TEST(ShapeOps, ChunkSplitUnbindExpandRepeat) {
  checkGraph(R"IR(
    graph(%x : Tensor):
      %three : int = prim::Constant[value=3]()
      %one : int = prim::Constant[value=1]()
      %zero : int = prim::Constant[value=0]()
      %two : int = prim::Constant[value=2]()
      %l : Tensor[] = aten::chunk(%x, %three, %one)
      %a : Tensor, %b : Tensor, %c : Tensor = prim::ListUnpack(%l)
      %s : Tensor[] = aten::split(%x, %two, %one)
      %d : Tensor = aten::__getitem__(%s, %two)
      %u : Tensor[] = aten::unbind(%x, %zero)
      %e : Tensor, %f : Tensor = prim::ListUnpack(%u)
      %size : int[] = prim::Constant[value=[3, 2, 7, 1]]()
      %g0 : Tensor = aten::slice(%x, %one, %zero, %one, %one)
      %f0 : bool = prim::Constant[value=0]()
      %g : Tensor = aten::expand(%g0, %size, %f0)
      %r : int[] = prim::Constant[value=[2, 1, 3]]()
      %h : Tensor = aten::repeat(%x, %r)
      return (%a, %b, %c, %d, %e, %f, %g, %h))IR",
             {at::randn({2, 7, 1})});
}

TEST(ShapeOps, FlipRollUnflattenPixelShuffle) {
  checkGraph(R"IR(
    graph(%x : Tensor):
      %dims : int[] = prim::Constant[value=[0, -1]]()
      %a : Tensor = aten::flip(%x, %dims)
      %shifts : int[] = prim::Constant[value=[2, -1]]()
      %rd : int[] = prim::Constant[value=[1, 3]]()
      %b : Tensor = aten::roll(%x, %shifts, %rd)
      %one : int = prim::Constant[value=1]()
      %sizes : int[] = prim::Constant[value=[2, -1]]()
      %c : Tensor = aten::unflatten(%x, %one, %sizes)
      %two : int = prim::Constant[value=2]()
      %d : Tensor = aten::pixel_shuffle(%x, %two)
      return (%a, %b, %c, %d))IR",
             {at::randn({2, 8, 3, 5})});
}

TEST(ShapeOps, RollOfStaticDimsWrapsAround) {
  // One wrapping slice for all rolled dims: Swin's two-dim shift, shifts past the size and negative,
  // one dim rolled twice, a shift of the whole size (no move), and an integer tensor.
  checkGraph(R"IR(
    graph(%x : Tensor):
      %s1 : int[] = prim::Constant[value=[-3, 3]]()
      %d1 : int[] = prim::Constant[value=[1, 2]]()
      %a : Tensor = aten::roll(%x, %s1, %d1)
      %s2 : int[] = prim::Constant[value=[9, -4, 2]]()
      %d2 : int[] = prim::Constant[value=[1, 1, -1]]()
      %b : Tensor = aten::roll(%x, %s2, %d2)
      %s3 : int[] = prim::Constant[value=[7]]()
      %d3 : int[] = prim::Constant[value=[1]]()
      %c : Tensor = aten::roll(%x, %s3, %d3)
      %t : int = prim::Constant[value=3]()
      %none : NoneType = prim::Constant()
      %false : bool = prim::Constant[value=0]()
      %i : Tensor = aten::to(%x, %t, %false, %false, %none)
      %d : Tensor = aten::roll(%i, %s1, %d1)
      return (%a, %b, %c, %d))IR",
             {at::randn({2, 7, 7, 5}) * 10});
}

TEST(ShapeOps, PaddingEveryModeAndOverload) {
  checkGraph(R"IR(
    graph(%x : Tensor, %y : Tensor):
      %p2 : int[] = prim::Constant[value=[2, 1]]()
      %p4 : int[] = prim::Constant[value=[1, 2, 2, 0]]()
      %p6 : int[] = prim::Constant[value=[1, 1, 0, 2, 1, 0]]()
      %crop : int[] = prim::Constant[value=[-1, 2, 1, -1]]()
      %v : float = prim::Constant[value=1.5]()
      %none : NoneType = prim::Constant()
      %constant : str = prim::Constant[value="constant"]()
      %reflect : str = prim::Constant[value="reflect"]()
      %replicate : str = prim::Constant[value="replicate"]()
      %circular : str = prim::Constant[value="circular"]()
      %a : Tensor = aten::constant_pad_nd(%x, %crop, %v)
      %b : Tensor = aten::pad(%x, %p4, %constant, %none)
      %c : Tensor = aten::pad(%x, %p4, %reflect, %none)
      %d : Tensor = aten::pad(%x, %p6, %replicate, %none)
      %e : Tensor = aten::pad(%x, %p4, %circular, %none)
      %f : Tensor = aten::reflection_pad1d(%y, %p2)
      %g : Tensor = aten::reflection_pad2d(%x, %p4)
      %h : Tensor = aten::reflection_pad3d(%x, %p6)
      %i : Tensor = aten::replication_pad1d(%y, %p2)
      %j : Tensor = aten::replication_pad2d(%x, %p4)
      %k : Tensor = aten::replication_pad3d(%x, %p6)
      %l : Tensor = aten::_pad_circular(%x, %p4)
      %m : Tensor = aten::pad(%x, %p2, %constant, %v)
      return (%a, %b, %c, %d, %e, %f, %g, %h, %i, %j, %k, %l, %m))IR",
             {at::randn({2, 3, 4, 5}), at::randn({2, 3, 5})});
  // Integer tensors pad with an integer fill.
  checkGraph(R"IR(
    graph(%x : Tensor):
      %p : int[] = prim::Constant[value=[1, 2]]()
      %v : int = prim::Constant[value=7]()
      %a : Tensor = aten::constant_pad_nd(%x, %p, %v)
      return (%a))IR",
             {at::randint(0, 10, {3, 4}, at::kInt)});
}

TEST(ShapeOps, RepeatFlipRollAndPixelShuffle) {
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

TEST(ShapeOps, RepeatInterleaveExpandAsAndMeshgrid) {
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

TEST(ShapeOps, ReshapesOfSeveralDynamicDims) {
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

TEST(ShapeOps, CatAndStackPromoteMixedDtypes) {
  // Found: cat of int32 with float16/float32 returned int32, truncating fractions.
  checkGraph(scriptGraph(R"PY(
def forward(i: Tensor, f: Tensor, h: Tensor):
    return torch.cat([i, f], 1), torch.cat([i, h], 0), torch.stack([i, f]), torch.cat([h, f], 1)
)PY"),
             {ints({2, 3}), at::randn({2, 3}), at::randn({2, 3}).to(at::kHalf)});
}

TEST(ShapeOps, PixelShuffleAndUnshuffleOfAnyRank) {
  // Found: pixel_shuffle / pixel_unshuffle refused 3-D and 5-D inputs (PyTorch takes any rank >= 3).
  const std::string ir = R"IR(
    graph(%x : Tensor):
      %r : int = prim::Constant[value=2]()
      %y : Tensor = aten::pixel_shuffle(%x, %r)
      %z : Tensor = aten::pixel_unshuffle(%y, %r)
      %u : Tensor = aten::pixel_unshuffle(%x, %r)
      return (%y, %z, %u))IR";
  checkGraph(ir, {at::randn({8, 4, 6})});
  checkGraph(ir, {at::randn({2, 8, 4, 6})});
  checkGraph(ir, {at::randn({2, 3, 8, 4, 2})});
  checkGraphDynamic(ir, {range({1, 2, 8, 2, 2}, {2, 2, 8, 4, 4}, {3, 2, 8, 6, 8})},
                    {{at::randn({1, 2, 8, 2, 4})}, {at::randn({3, 2, 8, 6, 8})}});
}

TEST(ShapeOps, SplitBySizesOverloads) {
  // Scripted torch.split(x, [2, 3]) gives aten::split.sizes.
  checkGraph(R"IR(
    graph(%x : Tensor):
      %s : int[] = prim::Constant[value=[2, 3]]()
      %d : int = prim::Constant[value=1]()
      %a : Tensor[] = aten::split(%x, %s, %d)
      %p : Tensor, %q : Tensor = prim::ListUnpack(%a)
      return (%p, %q))IR",
             {at::randn({3, 5})});
}

TEST(ShapeOps, NegativeReflectionAndReplicationPadding) {
  // Found by the conformance suite: a negative pad in reflect/replicate mode (a crop of that side) was refused.
  checkGraph(R"IR(
    graph(%x : Tensor):
      %p : int[] = prim::Constant[value=[-1, 2, 1, -2]]()
      %a : Tensor = aten::reflection_pad2d(%x, %p)
      %b : Tensor = aten::replication_pad2d(%x, %p)
      return (%a, %b))IR",
             {at::randn({1, 2, 5, 6})});
}
