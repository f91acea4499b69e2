// Float32 transposed convolutions (1-D/2-D/3-D, grouped, dilated) for the plugin, channels-first, bias
// fused. Like the reference (deconvolution.cpp), the pre-padding and the output size say where the
// output window lies; the post-padding given to oneDNN is what makes its size rule give that output. An
// output larger than oneDNN's rule allows without negative padding (PyTorch's output_padding) declines.
#include "backends/cpu/onednn/describe.h"
#include "layers/layer_util.h"

namespace trt {
namespace cpu {
namespace onednn {

bool describeDeconvolution(const ILayer& layer, const std::vector<TensorView>& inputs, const TensorView& output,
                           torchtrt_onednn_convolution& d) {
  const auto& deconv = static_cast<const IDeconvolutionLayer&>(layer);
  const int nd = deconv.getKernelSizeNd().nbDims;
  if (nd < 1 || nd > 3 || inputs.size() != 1 || inputs[0].dims.nbDims != nd + 2 || output.dims.nbDims != nd + 2)
    return false;
  const Dims &in = inputs[0].dims, &out = output.dims;
  const Dims stride = layer_util::spatialOr(deconv.getStrideNd(), nd, 1),
             pre = layer_util::spatialOr(deconv.getPrePadding(), nd, 0),
             dil = layer_util::spatialOr(deconv.getDilationNd(), nd, 1);
  d = torchtrt_onednn_convolution{};
  d.spatial = nd;
  d.transposed = 1;
  int64_t kernelVolume = 1;
  for (int s = 0; s < nd; ++s) {
    const int64_t I = in.d[2 + s], O = out.d[2 + s], K = deconv.getKernelSizeNd().d[s];
    const int64_t span = (K - 1) * dil.d[s] + 1;
    const int64_t r = (I - 1) * stride.d[s] + span - pre.d[s] - O;
    if (stride.d[s] < 1 || dil.d[s] < 1 || pre.d[s] < 0 || r < 0) return false;
    setWindow(d, s, K, stride.d[s], dil.d[s], pre.d[s], r);
    kernelVolume *= K;
  }
  const int64_t groups = deconv.getNbGroups(), cin = in.d[1], cout = out.d[1];
  if (groups < 1 || cin % groups || cout % groups) return false;
  if (!setWeights(deconv, cin * (cout / groups) * kernelVolume, cout, d)) return false;
  d.src = denseTensor(in);
  d.dst = denseTensor(out);
  d.activation = TORCHTRT_ONEDNN_ACT_NONE;
  return true;
}

}  // namespace onednn
}  // namespace cpu
}  // namespace trt
