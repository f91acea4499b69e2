// IEEE binary16 and bfloat16 conversions (round to nearest even), for the CPU backend and for CUDA
// kernels that convert bits themselves (casts between any two types).
#pragma once

#include <cstdint>
#include <cstring>

#include "common/host_device.h"

namespace trt {

//! float16's largest finite value and its smallest normal one (2^-14): beyond the first a value becomes inf, below the
//! second it loses digits (and below 2^-24 becomes 0).
constexpr float kHalfLargest = 65504.f;
constexpr float kHalfSmallestNormal = 6.103515625e-05f;

// Bit casts between float and uint32_t on the host and in device code.
TRT_HOST_DEVICE inline uint32_t floatBits(float f) {
#ifdef __CUDA_ARCH__
  return __float_as_uint(f);
#else
  uint32_t x;
  std::memcpy(&x, &f, 4);
  return x;
#endif
}

TRT_HOST_DEVICE inline float bitsFloat(uint32_t x) {
#ifdef __CUDA_ARCH__
  return __uint_as_float(x);
#else
  float f;
  std::memcpy(&f, &x, 4);
  return f;
#endif
}

TRT_HOST_DEVICE inline float halfToFloat(uint16_t h) {
  uint32_t sign = (h & 0x8000u) << 16, exp = (h >> 10) & 0x1F, mant = h & 0x3FF;
  uint32_t bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {  // subnormal: normalize
      exp = 127 - 15 + 1;
      while (!(mant & 0x400)) {
        mant <<= 1;
        --exp;
      }
      bits = sign | (exp << 23) | ((mant & 0x3FF) << 13);
    }
  } else if (exp == 31) {
    bits = sign | 0x7F800000u | (mant << 13);
  } else {
    bits = sign | ((exp - 15 + 127) << 23) | (mant << 13);
  }
  return bitsFloat(bits);
}

TRT_HOST_DEVICE inline uint16_t floatToHalf(float f) {
  uint32_t x = floatBits(f);
  uint32_t sign = (x >> 16) & 0x8000u;
  uint32_t absx = x & 0x7FFFFFFFu;
  if (absx >= 0x7F800000u) return static_cast<uint16_t>(sign | 0x7C00u | (absx > 0x7F800000u ? 0x200u : 0));
  if (absx >= 0x477FF000u) return static_cast<uint16_t>(sign | 0x7C00u);  // overflow to inf
  if (absx < 0x38800000u) {                                               // subnormal or zero in half
    if (absx < 0x33000000u) return static_cast<uint16_t>(sign);
    uint32_t e = absx >> 23, m = (absx & 0x7FFFFF) | 0x800000;
    // A half subnormal counts units of 2^-24; the float is m * 2^(e-150), so shift by 126 - e.
    uint32_t s = 126 - e;
    uint32_t q = m >> s, rem = m & ((1u << s) - 1), mid = 1u << (s - 1);
    if (rem > mid || (rem == mid && (q & 1))) ++q;
    return static_cast<uint16_t>(sign | q);
  }
  uint32_t e = (absx >> 23) - 127 + 15, m = absx & 0x7FFFFF;
  uint32_t q = (e << 10) | (m >> 13), rem = m & 0x1FFF;
  if (rem > 0x1000 || (rem == 0x1000 && (q & 1))) ++q;
  return static_cast<uint16_t>(sign | q);
}

TRT_HOST_DEVICE inline float bf16ToFloat(uint16_t h) {
  uint32_t bits = static_cast<uint32_t>(h) << 16;
  return bitsFloat(bits);
}

TRT_HOST_DEVICE inline uint16_t floatToBf16(float f) {
  uint32_t x = floatBits(f);
  if ((x & 0x7FFFFFFFu) > 0x7F800000u) return static_cast<uint16_t>((x >> 16) | 0x40);
  x += 0x7FFF + ((x >> 16) & 1);
  return static_cast<uint16_t>(x >> 16);
}

}  // namespace trt
