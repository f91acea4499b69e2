// Layers whose output is their input's bytes reinterpreted (a reshape, a transpose that only moves
// size-1 dimensions, an identity of the same type) or a contiguous block of them (a slice along outer
// axes): the runtime gives such an output its input's memory (at an offset) instead of running the layer
// (no device-to-device copy).
#pragma once

#include "trt/network.h"

namespace trt {

//! Whether `layer`, at these input and output shapes, leaves every byte where it is. With `offsetElements`,
//! also a slice reading one contiguous block of its input (an outer-axis slice of a stacked product's
//! result), whose first element is `*offsetElements` elements into the input; callers that cannot place a
//! view at an offset pass nullptr.
bool isMemoryView(const ILayer& layer, const Dims& input, const Dims& output, int64_t* offsetElements = nullptr);

//! Whether the runtime gives `layer`'s output its input's memory at these shapes: a memory view whose offset
//! keeps 16-byte alignment (kernels and libraries read 16-byte vectors; a copy into a fresh block never
//! handed them a misaligned address). `offsetBytes` gets the offset.
bool runsAsView(const ILayer& layer, const Dims& input, const Dims& output, size_t& offsetBytes);

}  // namespace trt
