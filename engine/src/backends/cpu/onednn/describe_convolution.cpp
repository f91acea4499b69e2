// Float32 convolutions (1-D/2-D/3-D, grouped, depthwise, dilated, channels-last 2-D) for the plugin.
// The reference reads the pre-padding only (the output size says where the windows end): the
// post-padding given to oneDNN is what makes its size rule give that output, never negative.
#include <algorithm>

#include "backends/cpu/onednn/describe.h"
#include "layers/layer_util.h"

namespace trt {
namespace cpu {
namespace onednn {

torchtrt_onednn_tensor denseTensor(const Dims& logical, bool channelsLast) {
  torchtrt_onednn_tensor t{};
  t.rank = logical.nbDims;
  // The order in memory, outermost first: N, C, spatial... or N, spatial..., C.
  std::vector<int> order(static_cast<size_t>(t.rank));
  for (int i = 0; i < t.rank; ++i) order[static_cast<size_t>(i)] = i;
  if (channelsLast && t.rank >= 3) std::rotate(order.begin() + 1, order.begin() + 2, order.end());
  int64_t stride = 1;
  for (int i = t.rank - 1; i >= 0; --i) {
    const int axis = order[static_cast<size_t>(i)];
    t.dims[axis] = logical.d[axis];
    t.strides[axis] = stride;
    stride *= logical.d[axis];
  }
  return t;
}

bool describeConvolution(const ILayer& layer, const std::vector<TensorView>& inputs, const TensorView& output,
                         torchtrt_onednn_convolution& d, FusedActivation& postActivation) {
  const auto& conv = static_cast<const IConvolutionLayer&>(layer);
  if (conv.isInt8()) return false;
  const int nd = conv.getKernelSizeNd().nbDims;
  const bool channelsLast = conv.getChannelsLast();
  if (nd < 1 || nd > 3 || inputs[0].dims.nbDims != nd + 2 || output.dims.nbDims != nd + 2) return false;
  if (channelsLast && nd != 2) return false;
  const bool residual = inputs.size() == 2;
  if (residual && !(inputs[1].dims == output.dims)) return false;
  const Dims in = channelsLast ? channelsFirst(inputs[0].dims) : inputs[0].dims;
  const Dims out = channelsLast ? channelsFirst(output.dims) : output.dims;
  const Dims stride = layer_util::spatialOr(conv.getStrideNd(), nd, 1),
             pre = layer_util::spatialOr(conv.getPrePadding(), nd, 0),
             dil = layer_util::spatialOr(conv.getDilationNd(), nd, 1);
  d = torchtrt_onednn_convolution{};
  d.spatial = nd;
  int64_t kernelVolume = 1;
  for (int s = 0; s < nd; ++s) {
    const int64_t I = in.d[2 + s], O = out.d[2 + s], K = conv.getKernelSizeNd().d[s];
    const int64_t span = (K - 1) * dil.d[s] + 1;
    const int64_t r = std::max<int64_t>(0, (O - 1) * stride.d[s] + span - I - pre.d[s]);
    if (stride.d[s] < 1 || dil.d[s] < 1 || (I + pre.d[s] + r - span) / stride.d[s] + 1 != O) return false;
    setWindow(d, s, K, stride.d[s], dil.d[s], pre.d[s], r);
    kernelVolume *= K;
  }
  const int64_t groups = conv.getNbGroups(), cin = in.d[1], cout = out.d[1];
  if (groups < 1 || cin % groups || cout % groups) return false;
  if (!setWeights(conv, cout * (cin / groups) * kernelVolume, cout, d)) return false;
  d.src = denseTensor(in, channelsLast);
  d.dst = denseTensor(out, channelsLast);
  d.residual = residual ? 1 : 0;
  // SiLU, hard-swish and GELU run as the primitive's last post-op, inside its threads while the output
  // is in cache (EfficientNet-B0 at batch 1 spent 25 of 30 ms in convolutions followed by a one-thread
  // SiLU pass).
  d.activation = activationPostOp(fusedActivationOf(conv), postActivation);
  return true;
}

bool setWeights(const IConvolutionBase& layer, int64_t weightCount, int64_t maps, torchtrt_onednn_convolution& d) {
  const Weights kernel = layer.getKernelWeights(), bias = layer.getBiasWeights();
  if (kernel.type != DataType::kFLOAT || bias.type != DataType::kFLOAT) return false;
  if (kernel.count != weightCount || (bias.count != 0 && bias.count != maps)) return false;
  d.groups = layer.getNbGroups();
  d.weights = static_cast<const float*>(kernel.values);
  d.bias = bias.count > 0 ? static_cast<const float*>(bias.values) : nullptr;
  return true;
}

int32_t activationPostOp(const FusedActivation& fused, FusedActivation& postActivation) {
  postActivation = FusedActivation{};
  if (fused.type < 0) return TORCHTRT_ONEDNN_ACT_NONE;
  switch (static_cast<ActivationType>(fused.type)) {
    case ActivationType::kSILU:
      return TORCHTRT_ONEDNN_ACT_SILU;
    case ActivationType::kHARD_SWISH:
      return TORCHTRT_ONEDNN_ACT_HARD_SWISH;
    case ActivationType::kGELU_ERF:
      return TORCHTRT_ONEDNN_ACT_GELU_ERF;
    case ActivationType::kGELU_TANH:
      return TORCHTRT_ONEDNN_ACT_GELU_TANH;
    default:
      postActivation = fused;
      return TORCHTRT_ONEDNN_ACT_NONE;
  }
}

}  // namespace onednn
}  // namespace cpu
}  // namespace trt
