// im2col on the device: col[n][c, kd, kh, kw][od, oh, ow] for `channels` channels of each of `batch`
// images, the images `imageStride` elements apart; `convert` maps each read value (or zero, for
// padding) to the column's type (identity for float convolutions, quantization for INT8 ones).
#pragma once

#include <cstdint>

#include "layers/conv_geometry.h"

namespace trt {
namespace cuda {

template <typename In, typename Out, typename Convert>
__global__ void im2colKernel(const In* images, int64_t imageStride, int64_t channels, ConvGeometry g, Out* col,
                             int64_t perImage, int64_t total, Convert convert) {
  int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i >= total) return;
  const int64_t n = i / perImage, e = i % perImage;
  const int64_t outPlane = g.out[0] * g.out[1] * g.out[2];
  int64_t p = e % outPlane, row = e / outPlane;
  int64_t ow = p % g.out[2], oh = (p / g.out[2]) % g.out[1], od = p / (g.out[2] * g.out[1]);
  int64_t kw = row % g.k[2], kh = (row / g.k[2]) % g.k[1], kd = (row / (g.k[2] * g.k[1])) % g.k[0];
  int64_t c = row / (g.k[0] * g.k[1] * g.k[2]);
  int64_t id = od * g.stride[0] - g.pad[0] + kd * g.dil[0];
  int64_t ih = oh * g.stride[1] - g.pad[1] + kh * g.dil[1];
  int64_t iw = ow * g.stride[2] - g.pad[2] + kw * g.dil[2];
  In v = In(0.f);
  if (id >= 0 && id < g.in[0] && ih >= 0 && ih < g.in[1] && iw >= 0 && iw < g.in[2])
    v = images[n * imageStride + ((c * g.in[0] + id) * g.in[1] + ih) * g.in[2] + iw];
  col[i] = convert(v);
}

//! The identity conversion (float im2col).
struct SameValue {
  template <typename T>
  __device__ T operator()(T v) const {
    return v;
  }
};

}  // namespace cuda
}  // namespace trt
