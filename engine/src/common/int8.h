// INT8 arithmetic shared by the backends and the builder, so every backend quantizes the same way:
// symmetric, zero point 0, q = clamp(round_half_even(x * (1/s)), -128, 127) with 1/s computed in
// float (PyTorch's fake_quantize operation order), and y = q * s back.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#ifdef __CUDACC__
#define TRT_INT8_HD __host__ __device__
#else
#define TRT_INT8_HD
#endif

namespace trt {
namespace int8 {

constexpr int kMin = -128;
constexpr int kMax = 127;

//! x quantized with the reciprocal of its scale.
TRT_INT8_HD inline int8_t quantize(float x, float inverseScale) {
  const float q = nearbyintf(x * inverseScale);  // the default rounding mode: half to even
  // fmax/fmin as PyTorch's fake_quantize: a NaN input becomes the low end of the range.
  return static_cast<int8_t>(fminf(fmaxf(q, static_cast<float>(kMin)), static_cast<float>(kMax)));
}

//! The reciprocal every backend multiplies by (float division, as PyTorch).
TRT_INT8_HD inline float inverse(float scale) { return 1.0f / scale; }

//! True when every value lies on the grid of `scale` (a multiple of it within float rounding).
inline bool onGrid(const float* values, int64_t count, float scale) {
  for (int64_t i = 0; i < count; ++i) {
    const float q = values[i] / scale;
    if (std::fabs(q - std::nearbyint(q)) > 1e-3f) return false;
  }
  return true;
}

//! The scale of the INT8 grid `count` weights lie on (a quantization-aware model's fake-quantized weights:
//! k * s with integers k in [-128, 127]), in `scale`; false when they lie on none. The grid is found from
//! the largest magnitude, which is m steps of it: m = 127 or 128 (a symmetric observer's full range), else
//! the largest m <= 126 that puts every weight on a grid (a per-tensor scale seen in one channel, or a coarser
//! grid). All zeros lie on any grid (scale 1).
inline bool findWeightGrid(const float* w, int64_t count, float& scale) {
  float amax = 0.f, maxPositive = 0.f;
  for (int64_t i = 0; i < count; ++i) {
    amax = std::fmax(amax, std::fabs(w[i]));
    maxPositive = std::fmax(maxPositive, w[i]);
  }
  scale = 1.f;
  if (amax == 0.f) return true;
  if (!std::isfinite(amax)) return false;
  auto tryGrid = [&](int m) {
    const float s = amax / static_cast<float>(m);
    // +128 steps is outside INT8's range: only -128 may be.
    if (!(s > 0.f) || maxPositive / s > 127.5f || !onGrid(w, count, s)) return false;
    scale = s;
    return true;
  };
  if (tryGrid(127) || tryGrid(128)) return true;
  for (int m = 126; m >= 1; --m)
    if (tryGrid(m)) return true;
  return false;
}

//! Per-output-channel weight scales for `count` weights [channels, rest...]: each channel's INT8 grid
//! (findWeightGrid) where its weights lie on one, so they quantize back to the same integers, else
//! max|w| / 127 (calibrated float weights). `offGrid` (when given) counts the channels on no grid.
inline std::vector<float> weightScales(const float* weights, int64_t count, int64_t channels,
                                       int64_t* offGrid = nullptr) {
  std::vector<float> scales(static_cast<size_t>(channels), 1.f);
  const int64_t per = channels > 0 ? count / channels : 0;
  if (offGrid) *offGrid = 0;
  for (int64_t c = 0; c < channels; ++c) {
    const float* w = weights + c * per;
    if (findWeightGrid(w, per, scales[c])) continue;
    float amax = 0.f;
    for (int64_t i = 0; i < per; ++i) amax = std::fmax(amax, std::fabs(w[i]));
    scales[c] = amax / 127.f;
    if (offGrid) ++*offGrid;
  }
  return scales;
}

//! Weights [channels, per] quantized with their channel's scale, each channel's row `rowLength`
//! long (>= per; the rest zeros, for kernels that want padded rows).
inline std::vector<int8_t> quantizeRows(const float* weights, int64_t channels, int64_t per,
                                        const std::vector<float>& scales, int64_t rowLength) {
  std::vector<int8_t> q(static_cast<size_t>(channels * rowLength), 0);
  for (int64_t c = 0; c < channels; ++c) {
    const float inv = inverse(scales[c]);
    for (int64_t k = 0; k < per; ++k) q[c * rowLength + k] = quantize(weights[c * per + k], inv);
  }
  return q;
}

//! The factor turning an INT32 sum of output channel c into FP32: (s_in * s_w[c]) * alpha, computed
//! once on the host so every backend multiplies by the same float.
inline std::vector<float> outputScales(float inputScale, const std::vector<float>& weightScales, float alpha = 1.f) {
  std::vector<float> out(weightScales.size());
  for (size_t c = 0; c < out.size(); ++c) out[c] = inputScale * weightScales[c] * alpha;
  return out;
}

}  // namespace int8
}  // namespace trt
