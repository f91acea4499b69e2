// Keys' cubic convolution weights (A = -0.75, PyTorch's bicubic), shared by Resize and GridSample.
#pragma once

#include "common/sample_mode.h"  // TRT_HOST_DEVICE

namespace trt {

//! The weights of the taps at -1, 0, 1 and 2 around a position `t` (0 <= t < 1) past tap 0.
TRT_HOST_DEVICE inline void cubicWeights(float t, float w[4]) {
  const float A = -0.75f;
  auto near = [A](float v) { return ((A + 2.f) * v - (A + 3.f)) * v * v + 1.f; };
  auto far = [A](float v) { return ((A * v - 5.f * A) * v + 8.f * A) * v - 4.f * A; };
  w[0] = far(t + 1.f);
  w[1] = near(t);
  w[2] = near(1.f - t);
  w[3] = far(2.f - t);
}

}  // namespace trt
