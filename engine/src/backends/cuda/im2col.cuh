// im2col on the device: where a patch element reads (shared by the float and INT8 convolutions),
// and the float kernel col[n][c, kd, kh, kw][od, oh, ow] for images `imageStride` elements apart.
#pragma once

#include <cstdint>

#include "layers/conv_geometry.h"

namespace trt {
namespace cuda {

//! Where patch element `row` ([c, kd, kh, kw]) of output position `p` reads in its image, or -1
//! where the window covers padding.
__device__ inline int64_t im2colSource(const ConvGeometry& g, int64_t p, int64_t row) {
  int64_t ow = p % g.out[2], oh = (p / g.out[2]) % g.out[1], od = p / (g.out[2] * g.out[1]);
  int64_t kw = row % g.k[2], kh = (row / g.k[2]) % g.k[1], kd = (row / (g.k[2] * g.k[1])) % g.k[0];
  int64_t c = row / (g.k[0] * g.k[1] * g.k[2]);
  int64_t id = od * g.stride[0] - g.pad[0] + kd * g.dil[0];
  int64_t ih = oh * g.stride[1] - g.pad[1] + kh * g.dil[1];
  int64_t iw = ow * g.stride[2] - g.pad[2] + kw * g.dil[2];
  if (id < 0 || id >= g.in[0] || ih < 0 || ih >= g.in[1] || iw < 0 || iw >= g.in[2]) return -1;
  return ((c * g.in[0] + id) * g.in[1] + ih) * g.in[2] + iw;
}

template <typename T>
__global__ void im2colKernel(const T* images, int64_t imageStride, ConvGeometry g, T* col, int64_t perImage,
                             int64_t total) {
  int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i >= total) return;
  const int64_t n = i / perImage, e = i % perImage;
  const int64_t outPlane = g.out[0] * g.out[1] * g.out[2];
  const int64_t source = im2colSource(g, e % outPlane, e / outPlane);
  col[i] = source >= 0 ? images[n * imageStride + source] : T(0.f);
}

}  // namespace cuda
}  // namespace trt
