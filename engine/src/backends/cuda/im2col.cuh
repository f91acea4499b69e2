// im2col on the device: where a patch element reads (shared by the float and INT8 convolutions),
// and the float kernel col[n][c, kd, kh, kw][od, oh, ow] for images `imageStride` elements apart.
#pragma once

#include <cstdint>

#include "layers/conv_geometry.h"

namespace trt {
namespace cuda {

//! Where patch element `row` ([c, kd, kh, kw]) of output position `p` reads in its image, or -1
//! where the window covers padding. `I` is the index type: int32_t where the image and the patch
//! matrix fit (division in 32 bits is several times cheaper), else int64_t.
template <typename I = int64_t>
__device__ inline I im2colSource(const ConvGeometry& g, I p, I row) {
  const I out1 = static_cast<I>(g.out[1]), out2 = static_cast<I>(g.out[2]);
  const I k0 = static_cast<I>(g.k[0]), k1 = static_cast<I>(g.k[1]), k2 = static_cast<I>(g.k[2]);
  const I in0 = static_cast<I>(g.in[0]), in1 = static_cast<I>(g.in[1]), in2 = static_cast<I>(g.in[2]);
  I ow = p % out2, oh = (p / out2) % out1, od = p / (out2 * out1);
  I kw = row % k2, kh = (row / k2) % k1, kd = (row / (k2 * k1)) % k0;
  I c = row / (k0 * k1 * k2);
  I id = od * static_cast<I>(g.stride[0]) - static_cast<I>(g.pad[0]) + kd * static_cast<I>(g.dil[0]);
  I ih = oh * static_cast<I>(g.stride[1]) - static_cast<I>(g.pad[1]) + kh * static_cast<I>(g.dil[1]);
  I iw = ow * static_cast<I>(g.stride[2]) - static_cast<I>(g.pad[2]) + kw * static_cast<I>(g.dil[2]);
  if (id < 0 || id >= in0 || ih < 0 || ih >= in1 || iw < 0 || iw >= in2) return -1;
  return ((c * in0 + id) * in1 + ih) * in2 + iw;
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
