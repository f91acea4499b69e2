// Channels-last depthwise convolutions (one group per channel, one filter per group) in FP16 or BF16:
// the project's own kernel, a tactic the builder times against cuDNN's algorithms. cuDNN's choices
// for some of MobileNetV3's depthwise layers are legacy direct kernels (`conv2d_grouped_direct_kernel`,
// 59% of its time at batch 32 on an H200); this one reads 8 channels (16 bytes) a load and applies the
// bias, residual and fused activation before it writes, so no epilogue pass follows.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "common/activation_kinds.h"
#include "layers/conv_geometry.h"
#include "trt/types.h"

namespace trt {
namespace cuda {

//! Whether the kernel takes this convolution: 16-bit storage, channels-last, groups == input channels
//! == output channels with a multiple of 8 of them, at most kMaxDepthwiseTaps kernel taps.
bool depthwiseNhwcApplies(DataType type, int64_t groups, int64_t inChannels, int64_t outChannels,
                          const ConvGeometry& g);

//! Kernel taps (the product of the kernel's extents) the depthwise kernel takes at most (7x7).
constexpr int64_t kMaxDepthwiseTaps = 49;

//! Row-kernel variants (channels by output pixels a thread) the builder times for a depthwise layer whose width
//! has stride 1 or 2, dilation 1 and 3, 5 or 7 taps; variant 0 is the kernel's first shape, 8 channels by 4 pixels.
constexpr int kDepthwiseRowVariants = 8;
//! Of those, the last ones (several output rows a thread) take square filters of one stride only.
constexpr int kDepthwiseTileVariants = 2;

//! The variants launchDepthwiseNhwc takes for this geometry: kDepthwiseRowVariants where the row kernel runs, else 1.
int depthwiseNhwcVariants(const ConvGeometry& g);

//! How many launches of row-kernel variant `variant` (a kRowShapes index) this process has made, for tests that
//! force a variant and must see it run rather than cuDNN's fallback.
int64_t depthwiseNhwcVariantRuns(int variant);

//! y[n, o, c] = act(sum_t x[n, o*stride - pad + t*dil, c] w[c, t] + bias[c] + residual[n, o, c]); x, y and
//! residual [batch, spatial..., channels], w [channels, taps] (the filter as KCRS with C = 1), bias and
//! residual optional, activation type -1 for none; `variant` one of depthwiseNhwcVariants(g). False (nothing
//! launched) when a pointer is not 16-byte aligned, the kernel does not apply or the variant is out of range.
bool launchDepthwiseNhwc(cudaStream_t stream, DataType type, const ConvGeometry& g, int64_t batch, int64_t channels,
                         const void* x, const void* w, const void* bias, const void* residual,
                         const FusedActivation& activation, void* y, int variant = 0);

}  // namespace cuda
}  // namespace trt
