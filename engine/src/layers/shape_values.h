// Shape tensors: small integer tensors computed from tensor dimensions (Shape layers) and constants.
// Their values are evaluated on the host while shapes are inferred: at build time as far as the
// static dimensions decide them, at run time exactly once the input shapes are set. So reshape
// dimensions, slice windows and fill dimensions computed from run-time sizes are known before any
// kernel runs, on either backend.
#pragma once

#include <memory>
#include <vector>

#include "network/network_impl.h"
#include "trt/network.h"

namespace trt {

//! The values of the layer's output `out` when it is a shape tensor (int32/int64, static dims, at most
//! kMaxShapeTensorVolume elements, computed from inputs that are shape tensors), else empty.
std::vector<int64_t> evaluateShapeValues(const ILayer& layer, const std::vector<TensorDesc>& inputs,
                                         const TensorDesc& out);

//! For a layer whose kernels read static parameters that shape-tensor inputs replace (a Slice with
//! start / size / stride inputs): a standalone copy with those parameters set from the inputs'
//! values; nullptr when the layer needs none. The values must be fully known (run time).
std::unique_ptr<LayerBase> resolveShapeInputs(const ILayer& layer, const std::vector<TensorDesc>& inputs);

}  // namespace trt
