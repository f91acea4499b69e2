// Layers whose output is their input's bytes reinterpreted (a reshape, a transpose that only moves
// size-1 dimensions, an identity of the same type): the runtime gives such an output its input's
// memory instead of running the layer (no device-to-device copy).
#pragma once

#include "trt/network.h"

namespace trt {

//! Whether `layer`, at these input and output shapes, leaves every byte where it is.
bool isMemoryView(const ILayer& layer, const Dims& input, const Dims& output);

}  // namespace trt
