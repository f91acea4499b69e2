// Which layers each backend can compute with FP16 or BF16 tensors (inputs and output in the 16-bit
// type, math in FP32 where it accumulates). The builder's precision pass asks this before it
// demotes a layer.
#pragma once

#include "trt/builder.h"
#include "trt/network.h"

namespace trt {

//! True when `backend` has an FP16 implementation of this layer (with its current parameters).
bool backendComputesInHalf(Backend backend, const ILayer& layer);
//! True when `backend` has an implementation of this layer with `type` (kHALF or kBF16) tensors.
bool backendComputesIn(Backend backend, const ILayer& layer, DataType type);

}  // namespace trt
