// The softmax step of the CPU's attention kernels: the reference's (expf per score), and the fast path's
// (a vectorized exp within 2 ulp of it).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace trt {
namespace cpu {

//! Replaces a row of scores by exp(x - max) in place and returns 1 / their sum (accumulated in double).
//! A row whose every score is -inf becomes NaN, as a plain softmax of it is.
inline float expShiftedRow(float* row, int64_t n) {
  float mx = -std::numeric_limits<float>::infinity();
  for (int64_t j = 0; j < n; ++j) mx = std::max(mx, row[j]);
  double sum = 0.0;
  for (int64_t j = 0; j < n; ++j) {
    row[j] = std::exp(row[j] - mx);
    sum += row[j];
  }
  return static_cast<float>(1.0 / sum);
}

//! exp(x) for the scores of a row shifted by its maximum (x <= 0; NaN stays NaN), within 2 ulp of expf:
//! x = n ln2 + r with |r| <= ln2 / 2, Cephes' polynomial for e^r, 2^n from the exponent bits; branch-free
//! so that a row's loop vectorizes. Below -87 (e^-87 is 1.6e-38: nothing next to the row's maximum, whose
//! term is 1) and at -inf (a masked key) it gives 0.
inline float expNonPositive(float x) {
  const float clamped = x < -87.f ? -87.f : x;
  float n = std::floor(clamped * 1.44269504088896341f + 0.5f);
  n = n == n ? n : 0.f;  // NaN: any exponent (the polynomial's NaN carries through)
  const float r = clamped - n * 0.693359375f + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float y = p * r * r + r + 1.f;
  const uint32_t bits = static_cast<uint32_t>(static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return x < -87.f ? 0.f : y * scale;
}

//! expShiftedRow with expNonPositive (the fast path's attention: the reference's expf per score cost
//! ViT-B/16 most of its attention time), the same rules for -inf and NaN rows.
inline float expShiftedRowFast(float* row, int64_t n) {
  float mx = -std::numeric_limits<float>::infinity();
  for (int64_t j = 0; j < n; ++j) mx = std::max(mx, row[j]);
#pragma omp simd
  for (int64_t j = 0; j < n; ++j) row[j] = expNonPositive(row[j] - mx);
  double sum = 0.0;
  for (int64_t j = 0; j < n; ++j) sum += row[j];
  return static_cast<float>(1.0 / sum);
}

}  // namespace cpu
}  // namespace trt
