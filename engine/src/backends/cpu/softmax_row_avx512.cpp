// The attention fast path's softmax rows with AVX-512 where the CPU has it (the engine is compiled for
// baseline x86-64: this file's functions carry their own target and run only after a CPU check). At the
// baseline the row's expf calls were most of an attention's time (ViT-B/16: 2.57 of 3.35 ms).
#include <cmath>
#include <cstring>
#include <limits>

#include "backends/cpu/avx512.h"
#include "backends/cpu/softmax_row.h"

namespace trt {
namespace cpu {

#ifdef TORCHTRT_CPU_AVX512
namespace {

// exp(x) of 16 shifted scores (x <= 0, NaN kept), within 2 ulp of expf: x = n ln2 + r with |r| <= ln2 / 2,
// Cephes' polynomial for e^r, 2^n from the exponent bits. Below -87 (e^-87 is 1.6e-38: nothing beside the
// row's maximum, whose term is 1) and at -inf (a masked key) it gives 0.
__attribute__((target("avx512f"))) __m512 expNonPositive16(__m512 x) {
  const __mmask16 tiny = _mm512_cmp_ps_mask(x, _mm512_set1_ps(-87.f), _CMP_LT_OQ);  // false for NaN
  const __m512 clamped = _mm512_mask_blend_ps(tiny, x, _mm512_set1_ps(-87.f));
  const __m512 n =
      _mm512_roundscale_ps(_mm512_fmadd_ps(clamped, _mm512_set1_ps(1.44269504088896341f), _mm512_set1_ps(0.5f)),
                           _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), clamped);
  r = _mm512_fmadd_ps(n, _mm512_set1_ps(2.12194440e-4f), r);
  __m512 p = _mm512_set1_ps(1.9875691500e-4f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
  const __m512 y = _mm512_add_ps(_mm512_fmadd_ps(p, _mm512_mul_ps(r, r), r), _mm512_set1_ps(1.f));
  // n in [-125, 0] for every score that is not NaN (a NaN's exponent bits do not matter: y is NaN).
  const __m512i bits = _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23);
  const __m512 e = _mm512_mul_ps(y, _mm512_castsi512_ps(bits));
  return _mm512_mask_blend_ps(tiny, e, _mm512_setzero_ps());
}

// Adds 16 exponentials to two accumulators of 8 doubles.
__attribute__((target("avx512f"))) void accumulate(__m512 e, __m512d& low, __m512d& high) {
  low = _mm512_add_pd(low, _mm512_cvtps_pd(_mm512_castps512_ps256(e)));
  high = _mm512_add_pd(high, _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(e), 1))));
}

__attribute__((target("avx512f"))) float expShiftedRowAvx512(float* row, int64_t n) {
  const __m512 minusInf = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
  __m512 mx = minusInf;
  int64_t j = 0;
  // max_ps(v, mx) returns mx where v is NaN: NaN scores are skipped, as std::max(mx, v) does.
  for (; j + 16 <= n; j += 16) mx = _mm512_max_ps(_mm512_loadu_ps(row + j), mx);
  const __mmask16 tail = static_cast<__mmask16>((1u << (n - j)) - 1u);
  if (tail) mx = _mm512_max_ps(_mm512_mask_loadu_ps(minusInf, tail, row + j), mx);
  const __m512 shift = _mm512_set1_ps(_mm512_reduce_max_ps(mx));
  __m512d low = _mm512_setzero_pd(), high = _mm512_setzero_pd();
  for (j = 0; j + 16 <= n; j += 16) {
    const __m512 e = expNonPositive16(_mm512_sub_ps(_mm512_loadu_ps(row + j), shift));
    _mm512_storeu_ps(row + j, e);
    accumulate(e, low, high);
  }
  if (tail) {
    const __m512 e = expNonPositive16(_mm512_sub_ps(_mm512_maskz_loadu_ps(tail, row + j), shift));
    _mm512_mask_storeu_ps(row + j, tail, e);
    accumulate(_mm512_maskz_mov_ps(tail, e), low, high);
  }
  return static_cast<float>(1.0 / _mm512_reduce_add_pd(_mm512_add_pd(low, high)));
}

}  // namespace
#endif

float expShiftedRowFast(float* row, int64_t n) {
#ifdef TORCHTRT_CPU_AVX512
  if (cpuHasAvx512()) return expShiftedRowAvx512(row, n);
#endif
  return expShiftedRow(row, n);
}

}  // namespace cpu
}  // namespace trt
