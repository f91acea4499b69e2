// The engine's floating data types, as layers, passes and precision rules ask about them.
#pragma once

#include "trt/types.h"

namespace trt {

//! float32, float16 or bfloat16 (not FP8, whose tensors hold quantized codes).
inline bool isFloating(DataType t) { return t == DataType::kFLOAT || t == DataType::kHALF || t == DataType::kBF16; }

}  // namespace trt
