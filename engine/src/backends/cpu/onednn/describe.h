// The engine's side of the oneDNN plugin: each layer the plugin covers, described in the plugin's C
// terms (plugin_abi.h) at given shapes. A describe function returns false where oneDNN would not
// compute what the reference kernel computes (the reference then runs the layer).
#pragma once

#include <cstdint>
#include <vector>

#include "backends/cpu/cpu_kernels.h"
#include "backends/cpu/onednn/plugin_abi.h"
#include "common/activation_kinds.h"

namespace trt {
namespace cpu {
namespace onednn {

//! `postActivation`: an activation the reference routine applies after the primitive (type -1: none).
bool describeConvolution(const ILayer& layer, const std::vector<TensorView>& inputs, const TensorView& output,
                         torchtrt_onednn_convolution& desc, FusedActivation& postActivation);
//! A transposed convolution, as a convolution description with `transposed` set.
bool describeDeconvolution(const ILayer& layer, const std::vector<TensorView>& inputs, const TensorView& output,
                           torchtrt_onednn_convolution& desc);
bool describeMatrixMultiply(const ILayer& layer, const std::vector<TensorView>& inputs, const TensorView& output,
                            torchtrt_onednn_matrix_multiply& desc, FusedActivation& postActivation);
bool describePooling(const ILayer& layer, const std::vector<TensorView>& inputs, const TensorView& output,
                     torchtrt_onednn_pooling& desc);

//! The fused activation `fused` (type -1: none) as a oneDNN post-op code: SiLU, hard-swish and GELU (oneDNN's
//! forms agree with PyTorch's within a few ulps and keep NaN), with the post-op code NONE and
//! `postActivation` the activation for the reference's routine after the primitive otherwise (oneDNN's
//! ReLU turns NaN into 0 where PyTorch keeps it; clip and the other kinds with parameters).
int32_t activationPostOp(const FusedActivation& fused, FusedActivation& postActivation);

//! Spatial dim `s` of a (de)convolution description: kernel extent, stride, the engine's dilation (1:
//! dense) and the paddings.
inline void setWindow(torchtrt_onednn_convolution& d, int s, int64_t kernel, int64_t stride, int64_t dilation,
                      int64_t padLeft, int64_t padRight) {
  d.kernel[s] = kernel;
  d.strides[s] = stride;
  d.dilations[s] = dilation - 1;
  d.pad_left[s] = padLeft;
  d.pad_right[s] = padRight;
}

//! The groups, float32 weights (`weightCount` of them) and bias (none or one a map of `maps`) of a
//! (de)convolution into `d`; false where they are not that.
bool setWeights(const IConvolutionBase& layer, int64_t weightCount, int64_t maps, torchtrt_onednn_convolution& d);

//! A dense tensor of logical dims [N, C, spatial...]; channels-last keeps it as [N, spatial..., C] in memory.
torchtrt_onednn_tensor denseTensor(const Dims& logical, bool channelsLast = false);

//! A channels-last tensor's [N, spatial..., C] as the logical [N, C, spatial...].
inline Dims channelsFirst(const Dims& d) {
  Dims r = d;
  r.d[1] = d.d[d.nbDims - 1];
  for (int i = 2; i < d.nbDims; ++i) r.d[i] = d.d[i - 1];
  return r;
}

}  // namespace onednn
}  // namespace cpu
}  // namespace trt
