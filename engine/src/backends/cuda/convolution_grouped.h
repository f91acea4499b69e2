// Channels-last grouped convolutions with narrow groups (RegNet's 3x3 convolutions of 24 channels a
// group) in FP16 or BF16: the project's own kernel, a tactic the builder times against cuDNN's
// algorithms. cuDNN runs these through its legacy `conv2d_grouped_direct_kernel` (RegNetY-1.6GF at
// batch 1 on an H200: 1.14 of 2.25 ms; with this kernel the engine took 1.71-1.85 ms); this kernel
// reads 8 input channels (16 bytes) a load, keeps the block's filters in shared memory and applies
// the bias, residual and fused activation before it writes.
//
// Group widths that are powers of two (ResNeXt's 8, 16, 32) stay with cuDNN, which has fast kernels
// for them: there the builder's timing (filters and inputs hot in L2, one layer run again and again)
// preferred this kernel, and in the whole network it was slower (ResNeXt-50 at batch 1: 0.86 ms
// against 0.44 ms with cuDNN's choices, H200, session 17).
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "common/activation_kinds.h"
#include "layers/conv_geometry.h"
#include "trt/types.h"

namespace trt {
namespace cuda {

//! Whether the kernel takes this convolution: 16-bit storage, more than one channel a group, the same
//! number of input and output channels a group, a multiple of 8 of them but not a power of two, and a
//! group's filters
//! (group width times taps) of at most kMaxGroupedFilter elements.
bool groupedNhwcApplies(DataType type, int64_t groups, int64_t inChannels, int64_t outChannels, const ConvGeometry& g);

//! Elements of one output channel's filter (input channels a group times kernel taps) the kernel takes at most.
constexpr int64_t kMaxGroupedFilter = 64 * 9;

//! y[n, o, c] = act(sum_{t, j} x[n, o*stride - pad + t*dil, group(c) * width + j] w[c, j, t] + bias[c] +
//! residual[n, o, c]); x, y and residual [batch, spatial..., channels], w [channels, width, taps] (KCRS),
//! bias and residual optional, activation type -1 for none. False (nothing launched) when a
//! pointer is not 16-byte aligned or the kernel does not apply.
bool launchGroupedNhwc(cudaStream_t stream, DataType type, const ConvGeometry& g, int64_t batch, int64_t channels,
                       int64_t groups, const void* x, const void* w, const void* bias, const void* residual,
                       const FusedActivation& activation, void* y);

}  // namespace cuda
}  // namespace trt
