// The input elements and weights behind one output coordinate of Resize, following PyTorch's
// upsample kernels (float arithmetic, the same rounding and clamping), shared by both backends.
#pragma once

#include <cmath>
#include <cstdint>

#include "common/cubic_weights.h"
#include "common/sample_mode.h"  // TRT_HOST_DEVICE
#include "trt/types.h"

namespace trt {

struct ResizeAxis {
  int64_t in, out;
  double ratio;  // 1/scale_factor, or 0 for in/out
};

//! Whether axis `a` keeps its elements (one tap of weight 1 for each output coordinate).
TRT_HOST_DEVICE inline bool resizeKeepsAxis(const ResizeAxis& a) {
  return a.in == a.out && (a.ratio == 0.0 || a.ratio == 1.0);
}

//! Fills up to 4 (index, weight) taps for output coordinate `dst` along one axis; returns the count.
TRT_HOST_DEVICE inline int resizeTaps(const ResizeAxis& a, int64_t dst, int32_t mode, int32_t transform, int64_t* idx,
                                      float* w) {
  if (resizeKeepsAxis(a)) {
    idx[0] = dst;
    w[0] = 1.f;
    return 1;
  }
  const float r = a.ratio > 0.0 ? static_cast<float>(a.ratio) : static_cast<float>(a.in) / static_cast<float>(a.out);
  if (mode == static_cast<int32_t>(InterpolationMode::kNEAREST)) {
    float x = transform == static_cast<int32_t>(ResizeCoordinateTransformation::kHALF_PIXEL)
                  ? floorf((static_cast<float>(dst) + 0.5f) * r)
                  : floorf(static_cast<float>(dst) * r);
    int64_t i = static_cast<int64_t>(x);
    idx[0] = i < a.in - 1 ? i : a.in - 1;
    w[0] = 1.f;
    return 1;
  }
  const bool cubic = mode == static_cast<int32_t>(InterpolationMode::kCUBIC);
  float x;
  if (transform == static_cast<int32_t>(ResizeCoordinateTransformation::kALIGN_CORNERS)) {
    const float ac = a.out > 1 ? static_cast<float>(a.in - 1) / static_cast<float>(a.out - 1) : 0.f;
    x = ac * static_cast<float>(dst);
  } else if (transform == static_cast<int32_t>(ResizeCoordinateTransformation::kHALF_PIXEL)) {
    x = r * (static_cast<float>(dst) + 0.5f) - 0.5f;
    if (!cubic && x < 0.f) x = 0.f;
  } else {
    x = r * static_cast<float>(dst);
  }
  if (!cubic) {
    int64_t i0 = static_cast<int64_t>(floorf(x));
    if (i0 > a.in - 1) i0 = a.in - 1;
    float l1 = x - static_cast<float>(i0);
    l1 = l1 < 0.f ? 0.f : (l1 > 1.f ? 1.f : l1);
    idx[0] = i0;
    idx[1] = i0 + (i0 < a.in - 1 ? 1 : 0);
    w[0] = 1.f - l1;
    w[1] = l1;
    return 2;
  }
  // Keys' cubic convolution, indices clamped to the input.
  const float fi = floorf(x);
  cubicWeights(x - fi, w);
  const int64_t base = static_cast<int64_t>(fi) - 1;
  for (int k = 0; k < 4; ++k) {
    int64_t i = base + k;
    idx[k] = i < 0 ? 0 : (i > a.in - 1 ? a.in - 1 : i);
  }
  return 4;
}

}  // namespace trt
