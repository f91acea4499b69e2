// Element casts between the engine's data types, shared by the CPU Identity layer and the CUDA
// kernel for casts involving bfloat16, uint8 or int8. Integer to integer keeps the low bits (two's
// complement wrap, as torch's .to()); from floating point, integer targets truncate toward zero and
// saturate at their range (NaN gives 0); bool is "not zero".
#pragma once

#include <cmath>
#include <cstdint>

#include "common/half.h"
#include "common/host_device.h"
#include "trt/types.h"

namespace trt {
namespace cast_value {

//! Integer types (bool included, as 0 / 1).
TRT_HOST_DEVICE inline bool isIntegral(DataType t) {
  return t == DataType::kINT8 || t == DataType::kUINT8 || t == DataType::kINT32 || t == DataType::kINT64 ||
         t == DataType::kBOOL;
}

//! Element i of an integer tensor as int64.
TRT_HOST_DEVICE inline int64_t loadInt(const void* p, DataType t, int64_t i) {
  switch (t) {
    case DataType::kINT8:
      return static_cast<const int8_t*>(p)[i];
    case DataType::kINT32:
      return static_cast<const int32_t*>(p)[i];
    case DataType::kINT64:
      return static_cast<const int64_t*>(p)[i];
    case DataType::kBOOL:
      return static_cast<const uint8_t*>(p)[i] != 0;
    default:  // uint8
      return static_cast<const uint8_t*>(p)[i];
  }
}

//! Stores v into an integer tensor, keeping its low bits (bool: v != 0).
TRT_HOST_DEVICE inline void storeInt(void* p, DataType t, int64_t i, int64_t v) {
  const uint64_t bits = static_cast<uint64_t>(v);
  switch (t) {
    case DataType::kINT8:
      static_cast<int8_t*>(p)[i] = static_cast<int8_t>(static_cast<uint8_t>(bits));
      return;
    case DataType::kINT32:
      static_cast<int32_t*>(p)[i] = static_cast<int32_t>(static_cast<uint32_t>(bits));
      return;
    case DataType::kINT64:
      static_cast<int64_t*>(p)[i] = v;
      return;
    case DataType::kBOOL:
      static_cast<uint8_t*>(p)[i] = v != 0;
      return;
    default:  // uint8
      static_cast<uint8_t*>(p)[i] = static_cast<uint8_t>(bits);
      return;
  }
}

//! Element i of `p` (of type t) as a double; false for types without a value (FP8).
TRT_HOST_DEVICE inline bool load(const void* p, DataType t, int64_t i, double& v) {
  switch (t) {
    case DataType::kFLOAT:
      v = static_cast<const float*>(p)[i];
      return true;
    case DataType::kHALF:
      v = halfToFloat(static_cast<const uint16_t*>(p)[i]);
      return true;
    case DataType::kBF16:
      v = bf16ToFloat(static_cast<const uint16_t*>(p)[i]);
      return true;
    case DataType::kINT8:
      v = static_cast<const int8_t*>(p)[i];
      return true;
    case DataType::kUINT8:
      v = static_cast<const uint8_t*>(p)[i];
      return true;
    case DataType::kBOOL:
      v = static_cast<const uint8_t*>(p)[i] != 0;
      return true;
    case DataType::kINT32:
      v = static_cast<const int32_t*>(p)[i];
      return true;
    case DataType::kINT64:
      v = static_cast<double>(static_cast<const int64_t*>(p)[i]);
      return true;
    default:
      return false;
  }
}

//! v truncated and clamped to [lo, hi] (NaN: 0).
TRT_HOST_DEVICE inline double saturate(double v, double lo, double hi) {
  if (v != v) return 0.0;
  return trunc(v < lo ? lo : (v > hi ? hi : v));
}

//! Stores v as element i of `p` (of type t); false for types without a value (FP8).
TRT_HOST_DEVICE inline bool store(void* p, DataType t, int64_t i, double v) {
  switch (t) {
    case DataType::kFLOAT:
      static_cast<float*>(p)[i] = static_cast<float>(v);
      return true;
    case DataType::kHALF:
      static_cast<uint16_t*>(p)[i] = floatToHalf(static_cast<float>(v));
      return true;
    case DataType::kBF16:
      static_cast<uint16_t*>(p)[i] = floatToBf16(static_cast<float>(v));
      return true;
    case DataType::kINT8:
      static_cast<int8_t*>(p)[i] = static_cast<int8_t>(saturate(v, -128.0, 127.0));
      return true;
    case DataType::kUINT8:
      static_cast<uint8_t*>(p)[i] = static_cast<uint8_t>(saturate(v, 0.0, 255.0));
      return true;
    case DataType::kBOOL:
      static_cast<uint8_t*>(p)[i] = v != 0.0;
      return true;
    case DataType::kINT32:
      static_cast<int32_t*>(p)[i] = static_cast<int32_t>(saturate(v, -2147483648.0, 2147483647.0));
      return true;
    case DataType::kINT64: {
      // 2^63 is not an int64: values at or above it saturate to the largest one.
      const double s = saturate(v, -9223372036854775808.0, 9223372036854775808.0);
      static_cast<int64_t*>(p)[i] = s >= 9223372036854775808.0 ? INT64_MAX : static_cast<int64_t>(s);
      return true;
    }
    default:
      return false;
  }
}

//! Casts element i of `src` (type `from`) into element i of `dst` (type `to`); false for FP8.
TRT_HOST_DEVICE inline bool castElement(const void* src, DataType from, void* dst, DataType to, int64_t i) {
  if (isIntegral(from) && isIntegral(to)) {
    storeInt(dst, to, i, loadInt(src, from, i));
    return true;
  }
  double v = 0.0;
  return load(src, from, i, v) && store(dst, to, i, v);
}

}  // namespace cast_value
}  // namespace trt
