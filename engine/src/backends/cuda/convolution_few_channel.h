// Channels-last 16-bit convolutions of a four-channel image (an RGB stem whose image the builder's few-channel
// padding wrote with a fourth, zero channel): the project's own tensor-core kernel, a tactic the builder times
// against cuDNN's algorithms and graph plans. cuDNN's choices for four channels are fast only where it has a
// first-layer kernel (ResNet-50's FP16 7x7 stem: 120 us at batch 64 on an H100); elsewhere they are legacy kernels
// many times slower (the same stem in BF16: an sm80 "indexed" implicit GEMM, 464 us; MobileNetV3-Large's FP16 3x3
// stem of 16 maps: `conv2d_grouped_direct_kernel`, 651 us of a 1.98 ms call, where the unpadded image's stem took
// ~0.1 ms). This kernel is an implicit GEMM on mma.sync (m16n8k16, float32 accumulation) whose reduction runs over
// the taps four channels at a time: each lane reads a tap's 8 bytes of a pixel in one load, and the filter, staged
// in shared memory once a block, in the same order.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "common/activation_kinds.h"
#include "layers/conv_geometry.h"
#include "trt/types.h"

namespace trt {
namespace cuda {

//! Whether the kernel takes this convolution: FP16 or BF16, one group, 2-D, exactly 4 input channels, a multiple
//! of 8 output channels, a square 3x3, 4x4, 5x5 or 7x7 filter (any stride, padding and dilation), no residual.
bool fewChannelNhwcApplies(DataType type, int64_t groups, int64_t inChannels, int64_t outChannels,
                           const ConvGeometry& g, bool residual);

//! The kernel's variants: 0 computes up to 64 output channels a block, 1 up to 32 (more blocks, fewer accumulators
//! a thread); 2 and 3 the same with the output written through shared memory as 16-byte stores.
constexpr int kFewChannelVariants = 4;

//! The variants the builder times by default: all four (CudaTactics.TheOwnFourChannelKernelMatchesTheCpuAndCudnn
//! passed every one on an H100; ResNet-50 BF16 b64's 7x7 stem chose variant 2 there, 133 us against variant 0's 418).
constexpr int kFewChannelTimedVariants = kFewChannelVariants;

//! The variants the builder times: kFewChannelTimedVariants, or 1 to kFewChannelVariants where the diagnostic
//! setting TORCHTRT_FEW_CHANNEL_VARIANTS asks (a GPU round measures variants before they become the default).
int fewChannelVariantsTimed();

//! y[n, oh, ow, k] = act(sum_{kh, kw, c} x[n, oh*stride - pad + kh*dil, ow*stride - pad + kw*dil, c] w[k, c, kh, kw]
//! + bias[k]); x [batch, H, W, 4], y [batch, outH, outW, channels], w [channels, 4, kH, kW] (KCRS), bias optional,
//! activation type -1 for none. False (nothing launched) where the kernel does not apply, a pointer is not
//! 16-byte aligned or the variant is out of range.
bool launchFewChannelNhwc(cudaStream_t stream, DataType type, const ConvGeometry& g, int64_t batch, int64_t channels,
                          const void* x, const void* w, const void* bias, const FusedActivation& activation, void* y,
                          int variant);

//! Whether `variant` launches otherwise than every lower variant for `channels` output channels (at most 16
//! channels the odd variants halve nothing: 1 is 0's launch, 3 is 2's).
bool fewChannelVariantDiffers(int64_t channels, int variant);

//! How many times the kernel ran (launched) in this process: a test's check that a forced tactic ran it.
int64_t fewChannelNhwcRuns();

}  // namespace cuda
}  // namespace trt
