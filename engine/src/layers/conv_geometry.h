// Convolution and deconvolution geometry as both backends see it: 1-D and 2-D ones as 3-D ones
// with leading unit dimensions. A plain struct, so CUDA kernels take it by value.
#pragma once

#include "layers/layer_util.h"

namespace trt {

struct ConvGeometry {
  int64_t in[3], out[3], k[3], stride[3], pad[3], dil[3];
};

// Both layer kinds: `in` is the layer's input, `out` its output (for a deconvolution, output
// position o takes input i through kernel tap t where o + pad = i * stride + t * dilation).
template <typename Layer>
ConvGeometry convGeometry(const Layer& conv, const Dims& in, const Dims& out) {
  const int nd = conv.getKernelSizeNd().nbDims;
  Dims stride = layer_util::spatialOr(conv.getStrideNd(), nd, 1),
       pre = layer_util::spatialOr(conv.getPrePadding(), nd, 0),
       dil = layer_util::spatialOr(conv.getDilationNd(), nd, 1);
  ConvGeometry g{};
  for (int i = 0; i < 3; ++i) {
    int s = i - (3 - nd);  // spatial index, negative for the unit dims in front
    g.in[i] = s >= 0 ? in.d[2 + s] : 1;
    g.out[i] = s >= 0 ? out.d[2 + s] : 1;
    g.k[i] = s >= 0 ? conv.getKernelSizeNd().d[s] : 1;
    g.stride[i] = s >= 0 ? stride.d[s] : 1;
    g.pad[i] = s >= 0 ? pre.d[s] : 0;
    g.dil[i] = s >= 0 ? dil.d[s] : 1;
  }
  return g;
}

}  // namespace trt
