// common/half.h vetted: binary16 against the CPU's own conversion instructions (F16C) for every half
// value and every float near a rounding boundary; bfloat16 against exact round-to-nearest-even
// computed in double. The conversions stay hand-written because CUDA kernels share them (host and
// device), where F16C does not exist.
#include <cpuid.h>
#include <gtest/gtest.h>
#include <immintrin.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "backends/cpu/bf16_conversion.h"
#include "common/half.h"

namespace {
// CPUID leaf 1, ECX bit 29 (clang 14's __builtin_cpu_supports does not know "f16c").
bool cpuHasF16c() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  return __get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & (1u << 29)) != 0;
}

__attribute__((target("f16c"))) float referenceHalfToFloat(uint16_t h) { return _cvtsh_ss(h); }
__attribute__((target("f16c"))) uint16_t referenceFloatToHalf(float f) {
  return static_cast<uint16_t>(_cvtss_sh(f, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
}

bool isHalfNan(uint16_t h) { return (h & 0x7C00u) == 0x7C00u && (h & 0x3FFu) != 0; }

// Floats where rounding to half decides something: each half value, each midpoint between neighbours
// (exact in float: a half has 11 significant bits), the overflow threshold, and a few ulps around each.
std::vector<float> boundaryFloats() {
  std::vector<float> out;
  for (uint32_t h = 0; h < 0x7C00u; ++h) {
    const double lo = trt::halfToFloat(static_cast<uint16_t>(h));
    const double hi = h + 1 < 0x7C00u ? trt::halfToFloat(static_cast<uint16_t>(h + 1)) : 65536.0;
    for (double centre : {lo, (lo + hi) / 2}) {
      const uint32_t bits = trt::floatBits(static_cast<float>(centre));
      for (int32_t d = -3; d <= 3; ++d) {
        if (bits == 0 && d < 0) continue;
        out.push_back(trt::bitsFloat(bits + d));
        out.push_back(-trt::bitsFloat(bits + d));
      }
    }
  }
  return out;
}

// Every float with a stride prime to 2^32 (so every exponent, sign and low-bit pattern is visited);
// stops at the first failed check (an ASSERT inside `f` returns from `f` only).
template <typename F>
void forStridedFloats(F&& f) {
  constexpr uint32_t kStride = 251;  // about 17 million floats
  for (uint64_t b = 0; b <= 0xFFFFFFFFull && !::testing::Test::HasFatalFailure(); b += kStride)
    f(trt::bitsFloat(static_cast<uint32_t>(b)));
}

// The bfloat16 nearest to a non-NaN float, ties to even, from the two truncation candidates measured in
// double (exact: both candidates and the float are doubles, and so is their difference).
uint16_t referenceFloatToBf16(float f) {
  const uint32_t bits = trt::floatBits(f);
  const uint16_t down = static_cast<uint16_t>(bits >> 16);
  if ((bits & 0xFFFFu) == 0) return down;
  const uint16_t up = static_cast<uint16_t>(down + 1);  // away from zero
  // Past the largest finite value, "up" is infinity, which rounding treats as 2^128 (IEEE 754 7.4).
  const double upValue =
      (up & 0x7FFFu) == 0x7F80u ? std::copysign(std::ldexp(1.0, 128), f) : double(trt::bf16ToFloat(up));
  const double dDown = std::fabs(double(f) - double(trt::bf16ToFloat(down)));
  const double dUp = std::fabs(double(f) - upValue);
  if (dDown != dUp) return dDown < dUp ? down : up;
  return (down & 1) ? up : down;
}
}  // namespace

TEST(HalfConversion, EveryHalfWidensToTheF16cFloat) {
  if (!cpuHasF16c()) GTEST_SKIP() << "this CPU has no F16C instructions to compare with";
  for (uint32_t h = 0; h <= 0xFFFFu; ++h) {
    const uint32_t ours = trt::floatBits(trt::halfToFloat(static_cast<uint16_t>(h)));
    const uint32_t ref = trt::floatBits(referenceHalfToFloat(static_cast<uint16_t>(h)));
    if (isHalfNan(static_cast<uint16_t>(h))) {
      // F16C quiets a signalling NaN (sets the quiet bit); ours keeps the payload as it is.
      ASSERT_EQ(ours | 0x00400000u, ref) << std::hex << "half 0x" << h;
    } else {
      ASSERT_EQ(ours, ref) << std::hex << "half 0x" << h;  // zeros, subnormals, normals, infinities
    }
  }
}

TEST(HalfConversion, EveryHalfSurvivesTheRoundTrip) {
  for (uint32_t h = 0; h <= 0xFFFFu; ++h) {
    const uint16_t back = trt::floatToHalf(trt::halfToFloat(static_cast<uint16_t>(h)));
    if (isHalfNan(static_cast<uint16_t>(h)))
      ASSERT_TRUE(isHalfNan(back)) << std::hex << "half 0x" << h;
    else
      ASSERT_EQ(back, h) << std::hex << "half 0x" << h;
  }
}

TEST(HalfConversion, FloatsRoundToTheF16cHalf) {
  if (!cpuHasF16c()) GTEST_SKIP() << "this CPU has no F16C instructions to compare with";
  auto check = [](float f) {
    const uint16_t ours = trt::floatToHalf(f), ref = referenceFloatToHalf(f);
    if (std::isnan(f)) {
      // NaN becomes the canonical quiet NaN with its sign (as PyTorch's c10::Half); F16C keeps payload bits.
      ASSERT_EQ(ours, (trt::floatBits(f) >> 16 & 0x8000u) | 0x7E00u) << std::hex << trt::floatBits(f);
      ASSERT_TRUE(isHalfNan(ref));
    } else {
      ASSERT_EQ(ours, ref) << "float " << f << std::hex << " (bits 0x" << trt::floatBits(f) << ")";
    }
  };
  const auto boundaries = boundaryFloats();
  ASSERT_GT(boundaries.size(), 800000u);
  for (size_t i = 0; i < boundaries.size() && !HasFatalFailure(); ++i) check(boundaries[i]);
  forStridedFloats(check);
}

TEST(HalfConversion, FloatsRoundToTheNearestBfloat16TiesToEven) {
  auto check = [](float f) {
    const uint16_t ours = trt::floatToBf16(f);
    if (std::isnan(f)) {
      ASSERT_TRUE(std::isnan(trt::bf16ToFloat(ours))) << std::hex << trt::floatBits(f);  // quiet, sign kept
      ASSERT_EQ(ours & 0x8000u, trt::floatBits(f) >> 16 & 0x8000u);
      return;
    }
    ASSERT_EQ(ours, referenceFloatToBf16(f)) << "float " << f << std::hex << " (bits 0x" << trt::floatBits(f) << ")";
  };
  // Each bfloat16 value, the midpoints between neighbours, and a few ulps around them, both signs.
  for (uint32_t h = 0; h < 0x7F80u; ++h) {
    const uint32_t value = h << 16, midpoint = value | 0x8000u;
    for (uint32_t centre : {value, midpoint})
      for (int32_t d = -3; d <= 3; ++d) {
        if (centre == 0 && d < 0) continue;
        check(trt::bitsFloat(centre + d));
        check(trt::bitsFloat((centre + d) | 0x80000000u));
      }
    if (HasFatalFailure()) return;
    ASSERT_EQ(trt::floatToBf16(trt::bf16ToFloat(static_cast<uint16_t>(h))), h);  // exact values stay
  }
  forStridedFloats(check);
}

// The CPU backend's array conversions (AVX-512 where the CPU has it) give exactly the scalar
// conversions' bits: every bfloat16 pattern widened, and narrowed every float near each bfloat16 value
// and midpoint (ties, NaN with payloads, infinities, denormals), over lengths that leave a tail.
TEST(HalfConversion, ArrayBfloat16ConversionsMatchTheScalarOnes) {
  std::vector<uint16_t> patterns(0x10000 + 5);
  for (size_t i = 0; i < patterns.size(); ++i) patterns[i] = static_cast<uint16_t>(i * 40503u);
  std::vector<float> widened(patterns.size());
  trt::cpu::widenBf16(patterns.data(), widened.data(), static_cast<int64_t>(patterns.size()));
  for (size_t i = 0; i < patterns.size(); ++i)
    ASSERT_EQ(trt::floatBits(widened[i]), trt::floatBits(trt::bf16ToFloat(patterns[i]))) << std::hex << patterns[i];
  std::vector<float> floats;
  for (uint32_t h = 0; h < 0x10000u; ++h)
    for (uint32_t centre : {h << 16, (h << 16) | 0x8000u})
      for (int32_t d : {-1, 0, 1}) floats.push_back(trt::bitsFloat(centre + static_cast<uint32_t>(d)));
  floats.resize(floats.size() - 7);  // a tail shorter than one vector
  std::vector<uint16_t> narrowed(floats.size());
  trt::cpu::narrowBf16(floats.data(), narrowed.data(), static_cast<int64_t>(floats.size()));
  for (size_t i = 0; i < floats.size(); ++i)
    ASSERT_EQ(narrowed[i], trt::floatToBf16(floats[i])) << std::hex << trt::floatBits(floats[i]);
}
