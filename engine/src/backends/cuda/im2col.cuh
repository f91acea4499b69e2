// im2col on the device: where a patch element reads (PatchWindow + PatchElement, shared by the float and
// INT8 convolutions),
// and the float kernel col[n][c, kd, kh, kw][od, oh, ow] for images `imageStride` elements apart.
#pragma once

#include <cstdint>

#include "layers/conv_geometry.h"

namespace trt {
namespace cuda {

//! Patch element k ([c, kd, kh, kw]) as offsets from a window's first input pixel: the dilated
//! kernel position (d, h, w) and the element's offset in the image. The same for every output
//! position, so a kernel computes it once per k (the divisions) and reuses it.
template <typename I>
struct PatchElement {
  I offset, d, h, w;
  __device__ PatchElement() = default;
  __device__ PatchElement(const ConvGeometry& g, I k) {
    const I k0 = static_cast<I>(g.k[0]), k1 = static_cast<I>(g.k[1]), k2 = static_cast<I>(g.k[2]);
    const I in1 = static_cast<I>(g.in[1]), in2 = static_cast<I>(g.in[2]);
    const I c = k / (k0 * k1 * k2);
    d = ((k / (k2 * k1)) % k0) * static_cast<I>(g.dil[0]);
    h = ((k / k2) % k1) * static_cast<I>(g.dil[1]);
    w = (k % k2) * static_cast<I>(g.dil[2]);
    offset = ((c * static_cast<I>(g.in[0]) + d) * in1 + h) * in2 + w;
  }
};

//! Where the patch elements of one output position read: the window's first input coordinates
//! (negative inside the padding), computed once per position. `I` is the index type: int32_t where
//! the image and the patch matrix fit (32-bit division is several times cheaper).
template <typename I>
struct PatchWindow {
  I d0, h0, w0, base;
  __device__ PatchWindow(const ConvGeometry& g, I p) {
    const I out1 = static_cast<I>(g.out[1]), out2 = static_cast<I>(g.out[2]);
    d0 = (p / (out2 * out1)) * static_cast<I>(g.stride[0]) - static_cast<I>(g.pad[0]);
    h0 = ((p / out2) % out1) * static_cast<I>(g.stride[1]) - static_cast<I>(g.pad[1]);
    w0 = (p % out2) * static_cast<I>(g.stride[2]) - static_cast<I>(g.pad[2]);
    base = (d0 * static_cast<I>(g.in[1]) + h0) * static_cast<I>(g.in[2]) + w0;
  }
  //! The image offset element `e` reads at this position, or -1 in the padding.
  __device__ I source(const ConvGeometry& g, const PatchElement<I>& e) const {
    const I id = d0 + e.d, ih = h0 + e.h, iw = w0 + e.w;
    if (id < 0 || id >= static_cast<I>(g.in[0]) || ih < 0 || ih >= static_cast<I>(g.in[1]) || iw < 0 ||
        iw >= static_cast<I>(g.in[2]))
      return -1;
    return base + e.offset;
  }
};

//! Where patch element `row` ([c, kd, kh, kw]) of output position `p` reads in its image, or -1
//! where the window covers padding.
__device__ inline int64_t im2colSource(const ConvGeometry& g, int64_t p, int64_t row) {
  return PatchWindow<int64_t>(g, p).source(g, PatchElement<int64_t>(g, row));
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
