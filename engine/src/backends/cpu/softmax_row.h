// The softmax step of the CPU's attention kernels: the reference's (expf per score) and the fast path's
// (AVX-512 where the CPU has it, softmax_row_avx512.cpp).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
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

//! expShiftedRow with 16 scores an instruction where the CPU has AVX-512 (an exp within 2 ulp of expf,
//! 0 below -87 and at -inf, NaN kept, the sum in double), else expShiftedRow itself.
float expShiftedRowFast(float* row, int64_t n);

}  // namespace cpu
}  // namespace trt
