// Which layers each backend can compute with FP16 tensors (inputs and output in half, math in
// FP32 where it accumulates). The builder's precision pass asks this before it demotes a layer.
#pragma once

#include "trt/builder.h"
#include "trt/network.h"

namespace trt {

//! True when `backend` has an FP16 implementation of this layer (with its current parameters).
bool backendComputesInHalf(Backend backend, const ILayer& layer);

}  // namespace trt
