// Resizing: upsample / interpolate in every mode, by sizes and by scales (integral or not, dynamic
// dims), and grid sampling.
// Each graph runs in the JIT interpreter and as an engine (static and dynamic shapes), compared
// with the central per-dtype tolerances (converter_test_util.h).
#include <array>
#include <string>

#include "converter_test_util.h"

using torchtrt_test::checkGraph;
using torchtrt_test::checkGraphDynamic;
using torchtrt_test::range;

TEST(Resize, UpsampleEveryModeSizesAndScales) {
  checkGraph(R"IR(
    graph(%x : Tensor, %v : Tensor, %l : Tensor):
      %none : NoneType = prim::Constant()
      %t : bool = prim::Constant[value=1]()
      %f : bool = prim::Constant[value=0]()
      %size : int[] = prim::Constant[value=[7, 10]]()
      %down : int[] = prim::Constant[value=[3, 2]]()
      %size3 : int[] = prim::Constant[value=[3, 7, 5]]()
      %size1 : int[] = prim::Constant[value=[11]]()
      %sf : float[] = prim::Constant[value=[1.5, 2.3]]()
      %sf3 : float[] = prim::Constant[value=[2., 1.5, 0.5]]()
      %s1 : float = prim::Constant[value=1.7]()
      %a : Tensor = aten::upsample_nearest2d(%x, %size, %none, %none)
      %b : Tensor = aten::upsample_nearest2d(%x, %none, %sf)
      %c : Tensor = aten::_upsample_nearest_exact2d(%x, %none, %sf)
      %d : Tensor = aten::upsample_bilinear2d(%x, %size, %f, %none, %none)
      %e : Tensor = aten::upsample_bilinear2d(%x, %size, %t, %none, %none)
      %g : Tensor = aten::upsample_bilinear2d(%x, %none, %f, %sf)
      %h : Tensor = aten::upsample_bilinear2d(%x, %down, %f, %none, %none)
      %i : Tensor = aten::upsample_bicubic2d(%x, %size, %f, %none, %none)
      %j : Tensor = aten::upsample_bicubic2d(%x, %none, %t, %sf)
      %k : Tensor = aten::upsample_trilinear3d(%v, %size3, %f, %none, %none, %none)
      %m : Tensor = aten::upsample_nearest3d(%v, %none, %sf3)
      %o : Tensor = aten::upsample_linear1d(%l, %size1, %f, %s1)
      %p : Tensor = aten::upsample_nearest1d(%l, %size1, %none)
      %q : Tensor = aten::upsample_bilinear2d(%x, %size, %t, %none)
      return (%a, %b, %c, %d, %e, %g, %h, %i, %j, %k, %m, %o, %p, %q))IR",
             {at::randn({2, 3, 4, 5}), at::randn({1, 2, 2, 4, 6}), at::randn({2, 3, 6})});
}

TEST(Resize, GridSamplerEveryModeAndPadding) {
  // Every interpolation x padding x align_corners, positions partly outside the input, PyTorch's
  // grid_sampler as the reference (the 2-D overload too).
  std::string ir = "graph(%x : Tensor, %grid : Tensor):\n";
  std::string outs;
  int k = 0;
  for (int mode = 0; mode < 3; ++mode)
    for (int padding = 0; padding < 3; ++padding)
      for (int align = 0; align < 2; ++align, ++k) {
        const std::string id = std::to_string(k);
        ir += "  %m" + id + " : int = prim::Constant[value=" + std::to_string(mode) + "]()\n";
        ir += "  %p" + id + " : int = prim::Constant[value=" + std::to_string(padding) + "]()\n";
        ir += "  %a" + id + " : bool = prim::Constant[value=" + std::to_string(align) + "]()\n";
        ir += "  %y" + id + " : Tensor = aten::" + std::string(k % 2 ? "grid_sampler_2d" : "grid_sampler") +
              "(%x, %grid, %m" + id + ", %p" + id + ", %a" + id + ")\n";
        outs += (outs.empty() ? "" : ", ") + std::string("%y") + id;
      }
  ir += "  return (" + outs + ")";
  checkGraph(ir, {at::randn({2, 3, 6, 5}), at::rand({2, 4, 7, 2}) * 2.6 - 1.3});
}

TEST(Resize, Resizing1dAnd3dAndNearestExact) {
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

TEST(Resize, InterpolationAndPadding) {
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

TEST(Resize, InterpolateByNonIntegralScaleFactors) {
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
