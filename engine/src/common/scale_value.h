// A Scale layer's arithmetic, shared by the CPU reference and the CUDA kernel.
#pragma once

#include <cmath>
#include <cstdint>

#include "common/host_device.h"

namespace trt {
namespace scale_value {

//! The coefficient index of element i: 0 (uniform), its channel, or its position within a sample.
TRT_HOST_DEVICE inline int64_t coefficient(int32_t mode, int64_t i, int64_t channels, int64_t inner,
                                           int64_t perSample) {
  if (mode == 0) return 0;
  if (mode == 1) return (i / inner) % channels;
  return i % perSample;
}

//! (x * scale + shift) ^ power; pow only where power differs from 1.
TRT_HOST_DEVICE inline float apply(float x, float scale, float shift, float power) {
  const float y = x * scale + shift;
  return power == 1.f ? y : powf(y, power);
}

}  // namespace scale_value
}  // namespace trt
