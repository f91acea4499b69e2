// Transposed convolution as GEMM + col2im: per image and group, col[map, tap][input position] =
// W^T x, then each column entry is added at its output position (Caffe's formulation), 1-D to 3-D
// as 3-D.
#include <vector>

#include "backends/cpu/cpu_kernels.h"
#include "layers/conv_geometry.h"

namespace trt {
namespace cpu {

void runDeconvolution(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output) {
  requireFloat32(layer, inputs[0], "the input");
  const auto& deconv = static_cast<const IDeconvolutionLayer&>(layer);
  const ConvGeometry g = convGeometry(deconv, inputs[0].dims, output.dims);
  const int64_t batch = inputs[0].dims.d[0], groups = deconv.getNbGroups();
  const int64_t cin = inputs[0].dims.d[1], cout = output.dims.d[1];
  const int64_t cinG = cin / groups, coutG = cout / groups;
  const int64_t kVol = g.k[0] * g.k[1] * g.k[2];
  const int64_t inPlane = g.in[0] * g.in[1] * g.in[2], outPlane = g.out[0] * g.out[1] * g.out[2];
  const float* weights = static_cast<const float*>(deconv.getKernelWeights().values);
  const Weights bias = deconv.getBiasWeights();
  std::vector<float> col(static_cast<size_t>(coutG * kVol * inPlane));
  for (int64_t n = 0; n < batch; ++n) {
    float* image = output.f32() + n * cout * outPlane;
    for (int64_t c = 0; c < cout; ++c) {
      const float b = bias.count > 0 ? static_cast<const float*>(bias.values)[c] : 0.f;
      for (int64_t p = 0; p < outPlane; ++p) image[c * outPlane + p] = b;
    }
    for (int64_t grp = 0; grp < groups; ++grp) {
      // Group weights are [cinG, coutG * kVol]; their transpose times the group's input planes.
      const float* w = weights + grp * cinG * coutG * kVol;
      const float* x = inputs[0].f32() + (n * cin + grp * cinG) * inPlane;
      gemm(coutG * kVol, inPlane, cinG, w, 1, coutG * kVol, x, inPlane, 1, col.data(), inPlane, false);
      for (int64_t row = 0; row < coutG * kVol; ++row) {
        const int64_t map = grp * coutG + row / kVol, tap = row % kVol;
        const int64_t t0 = tap / (g.k[1] * g.k[2]), t1 = (tap / g.k[2]) % g.k[1], t2 = tap % g.k[2];
        float* plane = image + map * outPlane;
        const float* values = col.data() + row * inPlane;
        for (int64_t i0 = 0; i0 < g.in[0]; ++i0) {
          const int64_t o0 = i0 * g.stride[0] - g.pad[0] + t0 * g.dil[0];
          if (o0 < 0 || o0 >= g.out[0]) continue;
          for (int64_t i1 = 0; i1 < g.in[1]; ++i1) {
            const int64_t o1 = i1 * g.stride[1] - g.pad[1] + t1 * g.dil[1];
            if (o1 < 0 || o1 >= g.out[1]) continue;
            for (int64_t i2 = 0; i2 < g.in[2]; ++i2) {
              const int64_t o2 = i2 * g.stride[2] - g.pad[2] + t2 * g.dil[2];
              if (o2 < 0 || o2 >= g.out[2]) continue;
              plane[(o0 * g.out[1] + o1) * g.out[2] + o2] += values[(i0 * g.in[1] + i1) * g.in[2] + i2];
            }
          }
        }
      }
    }
  }
}

}  // namespace cpu
}  // namespace trt
