// Grid sampling arithmetic shared by the CPU reference and the CUDA kernel, in PyTorch's order of
// operations (aten's GridSampler.h): unnormalize, then the padding rule, then interpolation.
#pragma once

#include <cmath>
#include <cstdint>

#include "common/cubic_weights.h"
#include "common/sample_mode.h"  // TRT_HOST_DEVICE
#include "trt/types.h"

namespace trt {
namespace grid_sample {

struct Params {
  int64_t height, width;
  InterpolationMode mode;
  SampleMode padding;
  bool alignCorners;
};

//! A normalized coordinate in [-1, 1] as an input coordinate of an axis of `size` pixels.
TRT_HOST_DEVICE inline float unnormalize(float coord, int64_t size, bool alignCorners) {
  return alignCorners ? ((coord + 1.f) / 2.f) * static_cast<float>(size - 1)
                      : ((coord + 1.f) * static_cast<float>(size) - 1.f) / 2.f;
}

TRT_HOST_DEVICE inline float clip(float x, int64_t size) { return fminf(static_cast<float>(size - 1), fmaxf(x, 0.f)); }

//! x mirrored into [twiceLow / 2, twiceHigh / 2] (bounds doubled so half-pixel edges stay integral).
TRT_HOST_DEVICE inline float reflect(float x, int64_t twiceLow, int64_t twiceHigh) {
  if (twiceLow == twiceHigh) return 0.f;
  const float low = static_cast<float>(twiceLow) / 2.f, span = static_cast<float>(twiceHigh - twiceLow) / 2.f;
  x = fabsf(x - low);
  const float extra = fmodf(x, span);
  // The parity of the flips in floating point: an int would overflow for huge (or infinite) x.
  const bool even = fmodf(floorf(x / span), 2.f) == 0.f;
  return even ? extra + low : span - extra + low;
}

//! A (whole-valued) coordinate as an index; NaN, infinite and huge values become an index far
//! outside any input (converting them to an integer would be undefined behaviour).
TRT_HOST_DEVICE inline int64_t toIndex(float v) {
  return v > -1e15f && v < 1e15f ? static_cast<int64_t>(v) : -(int64_t(1) << 52);
}

//! The padding rule applied to an input coordinate: border clamps, reflection mirrors then clamps.
TRT_HOST_DEVICE inline float pad(float x, int64_t size, SampleMode padding, bool alignCorners) {
  if (padding == SampleMode::kCLAMP) return clip(x, size);
  if (padding == SampleMode::kREFLECT) {
    x = alignCorners ? reflect(x, 0, 2 * (size - 1)) : reflect(x, -1, 2 * size - 1);
    return clip(x, size);
  }
  return x;
}

TRT_HOST_DEVICE inline bool inside(int64_t y, int64_t x, const Params& p) {
  return y >= 0 && y < p.height && x >= 0 && x < p.width;
}

//! The value at normalized position (gx, gy); read(y, x) returns the plane's element (in bounds only).
template <typename Read>
TRT_HOST_DEVICE inline float sample(const Read& read, float gx, float gy, const Params& p) {
  if (p.mode == InterpolationMode::kCUBIC) {
    // Bicubic: the padding rule applies to each tap, not to the center.
    const float ix = unnormalize(gx, p.width, p.alignCorners), iy = unnormalize(gy, p.height, p.alignCorners);
    const float x0 = floorf(ix), y0 = floorf(iy);
    float wx[4], wy[4];
    cubicWeights(ix - x0, wx);
    cubicWeights(iy - y0, wy);
    float result = 0.f;
    for (int i = 0; i < 4; ++i) {
      float row = 0.f;
      for (int j = 0; j < 4; ++j) {
        const int64_t x = toIndex(pad(x0 - 1.f + static_cast<float>(j), p.width, p.padding, p.alignCorners));
        const int64_t y = toIndex(pad(y0 - 1.f + static_cast<float>(i), p.height, p.padding, p.alignCorners));
        row += (inside(y, x, p) ? read(y, x) : 0.f) * wx[j];
      }
      result += row * wy[i];
    }
    return result;
  }
  const float ix = pad(unnormalize(gx, p.width, p.alignCorners), p.width, p.padding, p.alignCorners);
  const float iy = pad(unnormalize(gy, p.height, p.alignCorners), p.height, p.padding, p.alignCorners);
  if (p.mode == InterpolationMode::kNEAREST) {
    const int64_t x = toIndex(nearbyintf(ix)), y = toIndex(nearbyintf(iy));
    return inside(y, x, p) ? read(y, x) : 0.f;
  }
  const float xw = floorf(ix), yn = floorf(iy);
  const int64_t x0 = toIndex(xw), y0 = toIndex(yn);
  const float east = ix - xw, south = iy - yn, west = 1.f - east, north = 1.f - south;
  float v = 0.f;
  if (inside(y0, x0, p)) v += read(y0, x0) * west * north;
  if (inside(y0, x0 + 1, p)) v += read(y0, x0 + 1) * east * north;
  if (inside(y0 + 1, x0, p)) v += read(y0 + 1, x0) * west * south;
  if (inside(y0 + 1, x0 + 1, p)) v += read(y0 + 1, x0 + 1) * east * south;
  return v;
}

}  // namespace grid_sample
}  // namespace trt
