// Resize: nearest, multi-linear and cubic interpolation, separable over the resized dims.
#include <vector>

#include "backends/cpu/cpu_kernels.h"
#include "common/resize_taps.h"

namespace trt {
namespace cpu {

namespace {
struct AxisTaps {
  int count = 1;
  std::vector<int64_t> idx;  // out * 4
  std::vector<float> w;      // out * 4
};
}  // namespace

void runResize(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output) {
  const auto& resize = static_cast<const IResizeLayer&>(layer);
  const Dims& in = inputs[0].dims;
  const Dims& out = output.dims;
  const int rank = in.nbDims;
  const auto& ratios = resize.getScales();
  const int32_t mode = static_cast<int32_t>(resize.getResizeMode());
  const int32_t transform = static_cast<int32_t>(resize.getCoordinateTransformation());
  int64_t inStride[Dims::MAX_DIMS];
  int64_t s = 1;
  for (int d = rank - 1; d >= 0; --d) {
    inStride[d] = s;
    s *= in.d[d];
  }
  // Taps of every output coordinate, per dim (identity dims have one tap of weight 1).
  std::vector<AxisTaps> taps(rank);
  for (int d = 0; d < rank; ++d) {
    ResizeAxis axis{in.d[d], out.d[d], ratios.empty() ? 0.0 : ratios[d]};
    taps[d].idx.resize(out.d[d] * 4);
    taps[d].w.resize(out.d[d] * 4);
    for (int64_t o = 0; o < out.d[d]; ++o)
      taps[d].count = resizeTaps(axis, o, mode, transform, &taps[d].idx[o * 4], &taps[d].w[o * 4]);
  }
  const float* src = inputs[0].f32();
  float* dst = output.f32();
  const int64_t n = out.volume();
  int64_t coord[Dims::MAX_DIMS] = {};
  for (int64_t i = 0; i < n; ++i) {
    // Sum over the product of the dims' taps (a mixed-radix counter over tap numbers).
    int tap[Dims::MAX_DIMS] = {};
    float acc = 0.f;
    while (true) {
      int64_t off = 0;
      float weight = 1.f;
      for (int d = 0; d < rank; ++d) {
        off += taps[d].idx[coord[d] * 4 + tap[d]] * inStride[d];
        weight *= taps[d].w[coord[d] * 4 + tap[d]];
      }
      acc += weight * src[off];
      int d = rank - 1;
      for (; d >= 0; --d) {
        if (++tap[d] < taps[d].count) break;
        tap[d] = 0;
      }
      if (d < 0) break;
    }
    dst[i] = acc;
    for (int d = rank - 1; d >= 0; --d) {
      if (++coord[d] < out.d[d]) break;
      coord[d] = 0;
    }
  }
}

}  // namespace cpu
}  // namespace trt
