// The CPU emulation of an FP8 GEMM, the reference a GPU FP8 product (cuBLASLt, E4M3 operands with
// per-tensor scales, FP32 accumulation) is to be compared with: each operand quantized to E4M3 with
// its scale (saturating), products of the E4M3 values summed in float, the sum scaled by both scales.
#pragma once

#include <cstdint>
#include <vector>

#include "fp8.h"

namespace trt {
namespace fp8 {

//! C[M, N] = scaleA * scaleB * sum_k q(A[m, k] / scaleA) * q(B[k, n] / scaleB), q rounding to E4M3
//! with saturation; A is [M, K] and B [K, N], row-major. Each product of two E4M3 values is exact in
//! float (4 + 4 significant bits), so only the float sum rounds.
inline std::vector<float> emulatedGemm(const float* A, const float* B, int64_t M, int64_t N, int64_t K, float scaleA,
                                       float scaleB) {
  std::vector<float> qa(static_cast<size_t>(M * K)), qb(static_cast<size_t>(K * N));
  for (int64_t i = 0; i < M * K; ++i) qa[i] = toFloat(quantize(A[i], scaleA));
  for (int64_t i = 0; i < K * N; ++i) qb[i] = toFloat(quantize(B[i], scaleB));
  std::vector<float> C(static_cast<size_t>(M * N));
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n) {
      float sum = 0.0f;
      for (int64_t k = 0; k < K; ++k) sum += qa[m * K + k] * qb[k * N + n];
      C[m * N + n] = sum * (scaleA * scaleB);
    }
  return C;
}

}  // namespace fp8
}  // namespace trt
