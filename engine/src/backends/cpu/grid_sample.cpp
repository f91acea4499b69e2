// Grid sampling: every output element sampled from its image's channel plane at the grid's position.
#include "common/grid_sample.h"
#include "backends/cpu/cpu_kernels.h"

namespace trt {
namespace cpu {

void runGridSample(const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const auto& gs = static_cast<const IGridSampleLayer&>(layer);
  requireFloat32(layer, in[0], "input");
  const Dims& d = in[0].dims;
  const int64_t N = d.d[0], C = d.d[1], Ho = out.dims.d[2], Wo = out.dims.d[3];
  const grid_sample::Params p{d.d[2], d.d[3], gs.getInterpolationMode(), gs.getSampleMode(), gs.getAlignCorners()};
  const float* x = in[0].f32();
  const float* grid = in[1].f32();
  float* y = out.f32();
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c) {
      const float* plane = x + (n * C + c) * p.height * p.width;
      auto read = [&](int64_t row, int64_t col) { return plane[row * p.width + col]; };
      for (int64_t i = 0; i < Ho * Wo; ++i) {
        const float* g = grid + (n * Ho * Wo + i) * 2;
        y[(n * C + c) * Ho * Wo + i] = grid_sample::sample(read, g[0], g[1], p);
      }
    }
}

}  // namespace cpu
}  // namespace trt
