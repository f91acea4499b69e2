// The engine's FP8 E4M3 conversions (engine/src/common/fp8.h) against torch.float8_e4m3fn's own
// (c10::Float8_e4m3fn, what `.to(torch.float8_e4m3fn)` runs): every code, every rounding boundary,
// and a million floats spread over all bit patterns.
#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <c10/util/Float8_e4m3fn.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "engine/src/common/fp8.h"

namespace {
uint8_t torchCode(float x) { return c10::Float8_e4m3fn(x).x; }
float torchValue(uint8_t code) { return static_cast<float>(c10::Float8_e4m3fn(code, c10::Float8_e4m3fn::from_bits())); }
uint32_t floatBits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}
float bitsToFloat(uint32_t b) {
  float f;
  std::memcpy(&f, &b, 4);
  return f;
}

// Floats where rounding decides: every code's value, the midpoints between neighbouring codes and one
// float step either side, the range's ends, and a million bit patterns (every 4099th).
std::vector<float> probes() {
  std::vector<float> xs;
  for (int code = 0; code < 0x7F; ++code) {
    const float v = torchValue(static_cast<uint8_t>(code));
    const float next = code < 0x7E ? torchValue(static_cast<uint8_t>(code + 1)) : 480.0f;  // 480: the NaN code's place
    const float mid = (v + next) / 2;  // exact: both are short binary fractions
    for (float x : {v, mid, std::nextafter(mid, 0.0f), std::nextafter(mid, 1e9f), std::nextafter(v, 1e9f)}) {
      xs.push_back(x);
      xs.push_back(-x);
    }
  }
  const float inf = std::numeric_limits<float>::infinity();
  for (float x : {0.0f, -0.0f, 448.0f, 464.0f, 465.0f, 480.0f, 1e30f, inf, -inf, std::ldexp(1.0f, -10),
                  std::ldexp(1.0f, -11), std::numeric_limits<float>::denorm_min(), std::nanf(""), -std::nanf("")})
    xs.push_back(x);
  for (uint64_t b = 0; b < (1ull << 32); b += 4099) xs.push_back(bitsToFloat(static_cast<uint32_t>(b)));
  return xs;
}
}  // namespace

TEST(Fp8E4m3, EveryCodeDecodesAsTorchDoes) {
  for (int code = 0; code < 256; ++code) {
    const float mine = trt::fp8::toFloat(static_cast<uint8_t>(code)), torch = torchValue(static_cast<uint8_t>(code));
    if (std::isnan(torch)) {
      EXPECT_TRUE(std::isnan(mine)) << "code " << code;
      EXPECT_EQ(std::signbit(mine), std::signbit(torch)) << "code " << code;
    } else {
      EXPECT_EQ(mine, torch) << "code " << code;
      EXPECT_EQ(std::signbit(mine), std::signbit(torch)) << "code " << code;  // -0 is 0x80
      EXPECT_EQ(trt::fp8::fromFloat(mine), code) << "code " << code << " does not round-trip";
    }
  }
  EXPECT_EQ(trt::fp8::toFloat(0x7E), 448.0f);
  EXPECT_EQ(trt::fp8::toFloat(0x01), std::ldexp(1.0f, -9));
}

TEST(Fp8E4m3, RoundingMatchesTorchEverywhere) {
  // Nearest, ties to even; NaN keeps its sign; magnitudes above 464 (infinities too) become NaN.
  int64_t checked = 0;
  for (float x : probes()) {
    ASSERT_EQ(trt::fp8::fromFloat(x), torchCode(x)) << "x = " << x << " (bits " << std::hex << floatBits(x) << ")";
    ++checked;
  }
  EXPECT_GT(checked, 1000000);
}

TEST(Fp8E4m3, SaturatingConversionClampsToPlusMinus448) {
  // What FP8 quantization writes: torch's conversion of x clamped to [-448, 448] (NaN stays NaN).
  for (float x : probes()) {
    const uint8_t expected = std::isnan(x) ? torchCode(x) : torchCode(std::fmin(std::fmax(x, -448.0f), 448.0f));
    ASSERT_EQ(trt::fp8::fromFloatSaturating(x), expected) << "x = " << x;
  }
  EXPECT_EQ(trt::fp8::fromFloatSaturating(std::numeric_limits<float>::infinity()), 0x7E);
  EXPECT_EQ(trt::fp8::fromFloatSaturating(-1e9f), 0xFE);
  // Quantizing with a scale: x / s saturated.
  const float scale = trt::fp8::scaleForAmax(3.5f);
  EXPECT_EQ(scale, 3.5f / 448.0f);
  EXPECT_EQ(trt::fp8::quantize(3.5f, scale), 0x7E);
  EXPECT_EQ(trt::fp8::quantize(-100.0f, scale), 0xFE);
  EXPECT_EQ(trt::fp8::scaleForAmax(0.0f), 1.0f);
}

TEST(Fp8E4m3, QuantizationIsTorchsDivideClampAndConvert) {
  // A quantization-aware model's `(x / s).clamp(-448, 448).to(torch.float8_e4m3fn)`, division and all: at the
  // rounding boundaries times the scale, the reciprocal's product would round some quotients the other way.
  int reciprocalDiffers = 0;
  for (float scale : {0.0137f, 0.3f, 1.7f / 448.0f}) {
    for (float q : probes()) {
      const float x = q * scale;
      const at::Tensor quotient = at::tensor({x}) / at::tensor(scale);
      const uint8_t expected = torchCode(quotient.clamp(-448, 448).item<float>());
      ASSERT_EQ(trt::fp8::quantize(x, scale), expected) << "x = " << x << ", scale = " << scale;
      reciprocalDiffers += trt::fp8::fromFloatSaturating(x * (1.0f / scale)) != expected;
    }
  }
  EXPECT_GT(reciprocalDiffers, 0) << "the probes must include quotients the reciprocal rounds differently";
}
