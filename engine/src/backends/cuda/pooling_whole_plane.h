// Pooling whose window is the whole spatial plane (global average/max pooling, as in the
// squeeze-and-excitation blocks of EfficientNet and MobileNetV3): a reduction, not a window walk.
#pragma once

#include <cstdint>

#include "backends/cuda/cuda_kernels.h"
#include "trt/types.h"

namespace trt {
namespace cuda {

//! Reduces each of `planes` planes of `planeSize` elements to one value (max, NaN propagating, or
//! mean). Channels-last: the input is [batch, planeSize, channels] and planes = batch * channels;
//! otherwise each plane is contiguous. Returns false where it does not apply (a type other than FP32,
//! FP16 or BF16; more than 65535 channels-last images). Channels-last planes of many rows and few
//! channels split their rows over several blocks, whose float partials go through ctx's scratch.
bool launchWholePlanePooling(LaunchContext& ctx, DataType type, const void* src, void* dst, int64_t planes,
                             int64_t planeSize, int64_t channels, bool channelsLast, bool isMax);

}  // namespace cuda
}  // namespace trt
