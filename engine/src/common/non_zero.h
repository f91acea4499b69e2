// What NonZero counts as nonzero, shared by the CPU reference and the CUDA kernels: any value other
// than zero (NaN counts, -0.0 does not), as torch.nonzero.
#pragma once

#include <cstdint>
#include <cstring>

#include "common/sample_mode.h"  // TRT_HOST_DEVICE
#include "trt/types.h"

namespace trt {
namespace non_zero {

//! Element i of `data` (of `type`) is nonzero.
TRT_HOST_DEVICE inline bool isNonZero(const void* data, DataType type, int64_t i) {
  switch (type) {
    case DataType::kFLOAT:
      return static_cast<const float*>(data)[i] != 0.f;
    case DataType::kHALF:
    case DataType::kBF16:
      return (static_cast<const uint16_t*>(data)[i] & 0x7fff) != 0;  // +-0 have only the sign bit
    case DataType::kINT32:
      return static_cast<const int32_t*>(data)[i] != 0;
    case DataType::kINT64:
      return static_cast<const int64_t*>(data)[i] != 0;
    default:  // bool, int8, uint8: one byte
      return static_cast<const uint8_t*>(data)[i] != 0;
  }
}

}  // namespace non_zero
}  // namespace trt
