// Packed, register-blocked single-precision GEMM. A 4x16 micro-kernel over packed panels;
// the micro-kernel is compiled twice (AVX2+FMA and baseline) and picked at load time.
#include <algorithm>
#include <cstring>
#include <vector>

#include "backends/cpu/cpu_kernels.h"

namespace trt {
namespace cpu {

namespace {
constexpr int64_t MR = 4, NR = 16;
constexpr int64_t KC = 256, MC = 64, NC = 256;

// acc[MR][NR] += Apanel[k][MR] * Bpanel[k][NR]
__attribute__((target_clones("arch=haswell", "default"))) void microKernel(int64_t kc, const float* __restrict a,
                                                                           const float* __restrict b,
                                                                           float* __restrict acc) {
  float c[MR][NR] = {};
  for (int64_t k = 0; k < kc; ++k) {
    const float* bk = b + k * NR;
    for (int64_t i = 0; i < MR; ++i) {
      float av = a[k * MR + i];
      for (int64_t j = 0; j < NR; ++j) c[i][j] += av * bk[j];
    }
  }
  for (int64_t i = 0; i < MR; ++i)
    for (int64_t j = 0; j < NR; ++j) acc[i * NR + j] = c[i][j];
}

void packA(const float* A, int64_t rsA, int64_t csA, int64_t i0, int64_t mc, int64_t k0, int64_t kc, float* out) {
  for (int64_t ib = 0; ib < mc; ib += MR) {
    for (int64_t k = 0; k < kc; ++k) {
      for (int64_t i = 0; i < MR; ++i) {
        int64_t row = ib + i;
        *out++ = row < mc ? A[(i0 + row) * rsA + (k0 + k) * csA] : 0.f;
      }
    }
  }
}

void packB(const float* B, int64_t rsB, int64_t csB, int64_t k0, int64_t kc, int64_t j0, int64_t nc, float* out) {
  for (int64_t jb = 0; jb < nc; jb += NR) {
    for (int64_t k = 0; k < kc; ++k) {
      const float* row = B + (k0 + k) * rsB;
      int64_t n = std::min(NR, nc - jb);
      if (csB == 1) {
        std::memcpy(out, row + j0 + jb, n * sizeof(float));
      } else {
        for (int64_t j = 0; j < n; ++j) out[j] = row[(j0 + jb + j) * csB];
      }
      for (int64_t j = n; j < NR; ++j) out[j] = 0.f;
      out += NR;
    }
  }
}
}  // namespace

void gemm(int64_t M, int64_t N, int64_t K, const float* A, int64_t rsA, int64_t csA, const float* B, int64_t rsB,
          int64_t csB, float* C, int64_t ldc, bool accumulate) {
  if (M <= 0 || N <= 0) return;
  if (!accumulate)
    for (int64_t i = 0; i < M; ++i) std::fill(C + i * ldc, C + i * ldc + N, 0.f);
  if (K <= 0) return;
  const int64_t mBlocks = (M + MC - 1) / MC, nBlocks = (N + NC - 1) / NC;
  const bool parallel = mBlocks * nBlocks > 1 && M * N * K > (1 << 16);
  // Each tile of C is owned by one thread, which packs its own panels: no shared writes.
#pragma omp parallel for collapse(2) schedule(dynamic) if (parallel)
  for (int64_t mb = 0; mb < mBlocks; ++mb) {
    for (int64_t nb = 0; nb < nBlocks; ++nb) {
      const int64_t i0 = mb * MC, mc = std::min(MC, M - i0);
      const int64_t j0 = nb * NC, nc = std::min(NC, N - j0);
      const int64_t mcPadded = (mc + MR - 1) / MR * MR, ncPadded = (nc + NR - 1) / NR * NR;
      std::vector<float> aPack(static_cast<size_t>(mcPadded * std::min(KC, K)));
      std::vector<float> bPack(static_cast<size_t>(ncPadded * std::min(KC, K)));
      float acc[MR * NR];
      for (int64_t k0 = 0; k0 < K; k0 += KC) {
        const int64_t kc = std::min(KC, K - k0);
        packA(A, rsA, csA, i0, mc, k0, kc, aPack.data());
        packB(B, rsB, csB, k0, kc, j0, nc, bPack.data());
        for (int64_t jb = 0; jb < nc; jb += NR) {
          for (int64_t ib = 0; ib < mc; ib += MR) {
            microKernel(kc, aPack.data() + ib * kc, bPack.data() + jb * kc, acc);
            const int64_t mr = std::min(MR, mc - ib), nr = std::min(NR, nc - jb);
            for (int64_t i = 0; i < mr; ++i) {
              float* c = C + (i0 + ib + i) * ldc + j0 + jb;
              for (int64_t j = 0; j < nr; ++j) c[j] += acc[i * NR + j];
            }
          }
        }
      }
    }
  }
}

}  // namespace cpu
}  // namespace trt
