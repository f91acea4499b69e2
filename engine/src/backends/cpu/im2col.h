// im2col for the CPU convolutions (float and INT8): col[c, kd, kh, kw][od, oh, ow] for `channels`
// channels of one image, zeros where the window reads padding.
#pragma once

#include <cstdint>

#include "layers/conv_geometry.h"

namespace trt {
namespace cpu {

template <typename T>
void im2col(const T* image, int64_t channels, const ConvGeometry& g, T* col) {
  const int64_t outPlane = g.out[0] * g.out[1] * g.out[2];
  const int64_t inPlane = g.in[0] * g.in[1] * g.in[2];
  int64_t row = 0;
  for (int64_t c = 0; c < channels; ++c) {
    const T* src = image + c * inPlane;
    for (int64_t kd = 0; kd < g.k[0]; ++kd)
      for (int64_t kh = 0; kh < g.k[1]; ++kh)
        for (int64_t kw = 0; kw < g.k[2]; ++kw, ++row) {
          T* dst = col + row * outPlane;
          for (int64_t od = 0; od < g.out[0]; ++od) {
            int64_t id = od * g.stride[0] - g.pad[0] + kd * g.dil[0];
            for (int64_t oh = 0; oh < g.out[1]; ++oh) {
              int64_t ih = oh * g.stride[1] - g.pad[1] + kh * g.dil[1];
              T* d = dst + (od * g.out[1] + oh) * g.out[2];
              if (id < 0 || id >= g.in[0] || ih < 0 || ih >= g.in[1]) {
                for (int64_t ow = 0; ow < g.out[2]; ++ow) d[ow] = T(0);
                continue;
              }
              const T* s = src + (id * g.in[1] + ih) * g.in[2];
              for (int64_t ow = 0; ow < g.out[2]; ++ow) {
                int64_t iw = ow * g.stride[2] - g.pad[2] + kw * g.dil[2];
                d[ow] = (iw >= 0 && iw < g.in[2]) ? s[iw] : T(0);
              }
            }
          }
        }
  }
}

}  // namespace cpu
}  // namespace trt
