// common/gelu_erf.h's polynomial GELU (every CUDA GELU stored in 16 bits) against the GELU computed in long double:
// its error bound, its float16 results against the correctly rounded ones (and, below x = -3, against float32 erff's
// formula, the one PyTorch and the CPU reference use), and its special values.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "common/gelu_erf.h"
#include "common/half.h"

namespace {

long double exactGelu(float x) {
  const long double v = x;
  return 0.5L * v * std::erfc(-v / std::sqrt(2.0L));
}

float erffGelu(float x) { return 0.5f * x * (1.f + std::erf(x * 0.70710678118654752f)); }

// Every 331st float in [-8, 8] (about 6.5 million), both signs, subnormals and zeros included.
template <typename Visit>
void forSampledFloats(Visit visit) {
  const uint32_t top = trt::floatBits(8.f);
  for (uint32_t bits = 0; bits <= top; bits += 331) {
    visit(trt::bitsFloat(bits));
    visit(trt::bitsFloat(bits | 0x80000000u));
  }
}

TEST(GeluErfPolynomial, StaysWithinTwoAndAHalfMillionthsOfTheExactGelu) {
  double worst = 0.0;
  float worstAt = 0.f;
  forSampledFloats([&](float x) {
    if (std::fabs(x) < 1e-20f || std::fabs(x) > 5.f) return;  // float products of subnormals; the far tail below
    const long double exact = exactGelu(x);
    const double rel = static_cast<double>(std::fabs((trt::geluErfPolynomial(x) - exact) / exact));
    if (rel > worst) worst = rel, worstAt = x;
  });
  EXPECT_LT(worst, 2.5e-6) << "at x = " << worstAt;
}

TEST(GeluErfPolynomial, RoundsToTheCorrectFloat16AlmostAlways) {
  // Three ranges: x >= 0, -3 < x < 0 (where erff's formula rounds correctly more often: its error is ~1e-7, the
  // polynomial's ~2e-6), and x <= -3, where 1 + erff(x / sqrt 2) cancels and erff's formula misses far more often.
  struct Range {
    int64_t samples = 0, polynomialMisses = 0, erffMisses = 0;
  } ranges[3];
  forSampledFloats([&](float x) {
    Range& r = ranges[x >= 0.f ? 0 : x > -3.f ? 1 : 2];
    const uint16_t correct = trt::floatToHalf(static_cast<float>(exactGelu(x)));
    ++r.samples;
    r.polynomialMisses += trt::floatToHalf(trt::geluErfPolynomial(x)) != correct;
    r.erffMisses += trt::floatToHalf(erffGelu(x)) != correct;
  });
  // A miss is one float16 step off, where the exact value sits within the polynomial's error of a rounding tie.
  for (const Range& r : {ranges[0], ranges[1]})
    EXPECT_LT(r.polynomialMisses, r.samples / 10000) << r.polynomialMisses << " of " << r.samples;
  // Below x = -3 the values shrink into float16's subnormals, whose steps are coarser than the values' precision.
  EXPECT_LT(ranges[2].polynomialMisses, ranges[2].samples / 1000);
  EXPECT_LT(ranges[2].polynomialMisses, ranges[2].erffMisses / 100)
      << "below x = -3 erff's formula missed " << ranges[2].erffMisses << " of " << ranges[2].samples;
}

TEST(GeluErfPolynomial, KeepsZerosInfinitiesAndNans) {
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(trt::floatBits(trt::geluErfPolynomial(0.f)), trt::floatBits(0.f));
  EXPECT_EQ(trt::floatBits(trt::geluErfPolynomial(-0.f)), trt::floatBits(-0.f));
  EXPECT_EQ(trt::geluErfPolynomial(inf), inf);
  EXPECT_TRUE(std::isnan(trt::geluErfPolynomial(-inf)));  // -inf * 0, as PyTorch's GELU
  EXPECT_TRUE(std::isnan(trt::geluErfPolynomial(std::numeric_limits<float>::quiet_NaN())));
  // Past the fit: x itself above, a zero below (float16 has nothing between 0 and 6e-8 there).
  EXPECT_EQ(trt::geluErfPolynomial(6.f), 6.f);
  EXPECT_EQ(trt::geluErfPolynomial(1e30f), 1e30f);
  EXPECT_EQ(trt::floatBits(trt::geluErfPolynomial(-6.f)), trt::floatBits(-0.f));
  EXPECT_EQ(trt::floatBits(trt::geluErfPolynomial(-1e30f)), trt::floatBits(-0.f));
  // Just inside the fit the lower tail is Phi(-5.99...) ~ 1e-9, still a positive fraction of x.
  const float justInside = std::nextafter(6.f, 0.f);
  EXPECT_LT(trt::geluErfPolynomial(-justInside), 0.f);
  EXPECT_EQ(trt::geluErfPolynomial(justInside), justInside);
}

}  // namespace
