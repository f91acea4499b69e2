// FP8 E4M3 ("e4m3fn", torch.float8_e4m3fn; DataType::kFP8): 1 sign bit, 4 exponent bits (bias 7),
// 3 mantissa bits. No infinities; 0x7F and 0xFF are NaN; the largest finite value is 448 (0x7E),
// the smallest subnormal 2^-9. Shared by the CPU reference, the CUDA kernels and the builder, so every
// backend rounds the same way. Rounding is to nearest, ties to even (the default floating-point
// rounding mode, through nearbyint).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#include "host_device.h"  // relative: also included from libtorch-side tests

namespace trt {
namespace fp8 {

constexpr float kMax = 448.0f;  //!< the largest finite E4M3 value
constexpr uint8_t kNaN = 0x7F;  //!< the positive NaN code (0xFF is the negative one)
constexpr int kExponentBias = 7;
constexpr int kMantissaBits = 3;

//! The bits of a float (host and device code; sign and NaN read from bits, not from <cmath>'s
//! classification macros, which host and device spell differently).
TRT_HOST_DEVICE inline uint32_t bitsOf(float x) {
#ifdef __CUDA_ARCH__
  return __float_as_uint(x);
#else
  uint32_t b;
  std::memcpy(&b, &x, 4);
  return b;
#endif
}

TRT_HOST_DEVICE inline float floatOf(uint32_t b) {
#ifdef __CUDA_ARCH__
  return __uint_as_float(b);
#else
  float x;
  std::memcpy(&x, &b, 4);
  return x;
#endif
}

TRT_HOST_DEVICE inline bool isNaN(float x) { return (bitsOf(x) & 0x7FFFFFFFu) > 0x7F800000u; }

//! The value of an E4M3 code.
TRT_HOST_DEVICE inline float toFloat(uint8_t code) {
  const float sign = (code & 0x80) ? -1.0f : 1.0f;
  const int exponent = (code >> kMantissaBits) & 0xF;
  const int mantissa = code & 0x7;
  if (exponent == 0xF && mantissa == 0x7)
    return floatOf((code & 0x80 ? 0x80000000u : 0u) | 0x7FC00000u);  // NaN, signed
  // Subnormals are mantissa * 2^-9; normals (8 + mantissa) * 2^(exponent - 10).
  if (exponent == 0) return sign * ldexpf(static_cast<float>(mantissa), 1 - kExponentBias - kMantissaBits);
  return sign * ldexpf(static_cast<float>(8 + mantissa), exponent - kExponentBias - kMantissaBits);
}

//! `x` rounded to E4M3 as torch's `.to(torch.float8_e4m3fn)`: nearest, ties to even; a magnitude that
//! rounds beyond 448 (above 464, infinities included) becomes NaN, as the format has no infinity.
TRT_HOST_DEVICE inline uint8_t fromFloat(float x) {
  const uint8_t sign = (bitsOf(x) >> 31) ? 0x80 : 0x00;
  const float a = fabsf(x);
  if (isNaN(a) || a > 464.0f) return sign | kNaN;  // 464 is halfway to the NaN code: it rounds to even, 448
  // Below 2^-6 the grid is the subnormal step 2^-9; the rounded count of steps is the code, and 8
  // steps is the code of 2^-6, the smallest normal.
  if (a < 0.015625f) return sign | static_cast<uint8_t>(nearbyintf(ldexpf(a, 9)));
  int e2 = 0;
  frexpf(a, &e2);  // a = m * 2^e2, m in [0.5, 1): the unbiased exponent is e2 - 1
  int exponent = e2 - 1;
  float steps = nearbyintf(ldexpf(a, kMantissaBits - exponent));  // in [8, 16]
  if (steps == 16.0f) {                                           // rounded up into the next binade
    steps = 8.0f;
    ++exponent;
  }
  return sign | static_cast<uint8_t>(((exponent + kExponentBias) << kMantissaBits) | (static_cast<int>(steps) - 8));
}

//! `x` rounded to E4M3 with saturation (CUDA's __NV_SATFINITE, what FP8 GEMMs write): finite values
//! and infinities beyond ±448 become ±448; NaN stays NaN.
TRT_HOST_DEVICE inline uint8_t fromFloatSaturating(float x) {
  if (isNaN(x)) return fromFloat(x);
  return fromFloat(fminf(fmaxf(x, -kMax), kMax));
}

//! `x` quantized with its per-tensor scale (amax / 448 from calibration, or a quantization-aware model's): E4M3 of
//! the float32 quotient x / scale, saturating. A correctly rounded division, not a product by the reciprocal, so
//! that the codes are PyTorch's `(x / scale).clamp(-448, 448).to(torch.float8_e4m3fn)` on the CPU and with a scale
//! tensor on the GPU (the reciprocal's own rounding moves some quotients across a rounding boundary; PyTorch's CUDA
//! kernel itself multiplies by it when the scale is a Python number or a CPU scalar).
TRT_HOST_DEVICE inline uint8_t quantize(float x, float scale) { return fromFloatSaturating(x / scale); }

//! The per-tensor scale that maps `amax` (the largest |x| a calibrator observed) onto 448; 1 when
//! amax is 0 or not finite, so that quantization stays defined.
inline float scaleForAmax(float amax) { return amax > 0.0f && std::isfinite(amax) ? amax / kMax : 1.0f; }

}  // namespace fp8
}  // namespace trt
