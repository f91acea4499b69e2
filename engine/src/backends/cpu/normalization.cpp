// Normalization over any axes: mean, then biased variance (two passes, double accumulation), then
// scale and bias broadcast over the input.
#include <cmath>

#include "backends/cpu/cpu_kernels.h"
#include "layers/layer_util.h"

namespace trt {
namespace cpu {

void runNormalization(const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const auto& norm = static_cast<const INormalizationLayer&>(layer);
  requireFloat32(layer, in[0], "the input");
  const Dims& d = in[0].dims;
  const uint32_t axes = norm.getAxes();
  const int64_t n = d.volume();
  // Group of each element: its index over the kept dimensions.
  int64_t groups = 1, groupSize = 1;
  for (int i = 0; i < d.nbDims; ++i) ((axes >> i) & 1u ? groupSize : groups) *= d.d[i];
  std::vector<int64_t> group(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    int64_t rem = i, g = 0, mul = 1;
    for (int k = d.nbDims - 1; k >= 0; --k) {
      int64_t c = rem % d.d[k];
      rem /= d.d[k];
      if (!((axes >> k) & 1u)) {
        g += c * mul;
        mul *= d.d[k];
      }
    }
    group[i] = g;
  }
  // The fused residual is added first (x + r is what gets normalized).
  std::vector<float> summed;
  const float* x = in[0].f32();
  if (in.size() == 4) {
    summed.assign(x, x + n);
    for (int64_t i = 0; i < n; ++i) summed[i] += in[3].f32()[i];
    x = summed.data();
  }
  std::vector<double> mean(static_cast<size_t>(groups), 0.0), var(static_cast<size_t>(groups), 0.0);
  for (int64_t i = 0; i < n; ++i) mean[group[i]] += x[i];
  for (auto& m : mean) m /= static_cast<double>(groupSize);
  for (int64_t i = 0; i < n; ++i) {
    double c = x[i] - mean[group[i]];
    var[group[i]] += c * c;
  }
  std::vector<double> invStd(static_cast<size_t>(groups));
  for (int64_t g = 0; g < groups; ++g)
    invStd[g] = 1.0 / std::sqrt(var[g] / static_cast<double>(groupSize) + norm.getEpsilon());
  int64_t sStride[Dims::MAX_DIMS], bStride[Dims::MAX_DIMS];
  layer_util::broadcastStrides(in[1].dims, d, sStride);
  layer_util::broadcastStrides(in[2].dims, d, bStride);
  const float* scale = in[1].f32();
  const float* bias = in[2].f32();
  float* y = out.f32();
  for (int64_t i = 0; i < n; ++i) {
    int64_t rem = i, si = 0, bi = 0;
    for (int k = d.nbDims - 1; k >= 0; --k) {
      int64_t c = rem % d.d[k];
      rem /= d.d[k];
      si += c * sStride[k];
      bi += c * bStride[k];
    }
    y[i] = static_cast<float>((x[i] - mean[group[i]]) * invStd[group[i]] * scale[si] + bias[bi]);
  }
}

}  // namespace cpu
}  // namespace trt
