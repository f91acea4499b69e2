// Coordinate rules of SampleMode, shared by the CPU and CUDA slice kernels.
#pragma once

#include <cstdint>
#include <cstring>

#include "common/half.h"
#include "common/host_device.h"
#include "trt/types.h"

namespace trt {

//! The input coordinate read for coordinate `c` of a dimension of size `n` (> 0) under `mode`
//! (a SampleMode value), or -1 when the fill value is read instead.
TRT_HOST_DEVICE inline int64_t sampleCoordinate(int64_t c, int64_t n, int32_t mode) {
  if (c >= 0 && c < n) return c;
  switch (mode) {
    case static_cast<int32_t>(SampleMode::kWRAP): {
      int64_t m = c % n;
      return m < 0 ? m + n : m;
    }
    case static_cast<int32_t>(SampleMode::kCLAMP):
      return c < 0 ? 0 : n - 1;
    case static_cast<int32_t>(SampleMode::kREFLECT): {
      if (n == 1) return 0;
      const int64_t period = 2 * (n - 1);
      int64_t m = c % period;
      if (m < 0) m += period;
      return m < n ? m : period - m;
    }
    default:
      return -1;
  }
}

//! The bytes of one element of `type` holding `value` (little-endian, in the low bytes).
inline uint64_t fillBits(double value, DataType type) {
  uint64_t bits = 0;
  auto put = [&](auto v) { std::memcpy(&bits, &v, sizeof(v)); };
  switch (type) {
    case DataType::kFLOAT:
      put(static_cast<float>(value));
      break;
    case DataType::kHALF:
      put(floatToHalf(static_cast<float>(value)));
      break;
    case DataType::kBF16:
      put(floatToBf16(static_cast<float>(value)));
      break;
    case DataType::kINT8:
      put(static_cast<int8_t>(value));
      break;
    case DataType::kUINT8:
      put(static_cast<uint8_t>(value));
      break;
    case DataType::kBOOL:
      put(static_cast<uint8_t>(value != 0.0));
      break;
    case DataType::kINT32:
      put(static_cast<int32_t>(value));
      break;
    case DataType::kINT64:
      put(static_cast<int64_t>(value));
      break;
    case DataType::kFP8:
      break;
  }
  return bits;
}

}  // namespace trt
