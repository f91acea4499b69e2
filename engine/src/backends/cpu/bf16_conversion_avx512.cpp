// bfloat16 <-> float32 conversions of the CPU's 16-bit layers with AVX-512 where the CPU has it (the
// engine is compiled for baseline x86-64: these functions carry their own target and run only after a
// CPU check). Bit-identical to bf16ToFloat / floatToBf16 (common/half.h): widening shifts the bits,
// narrowing rounds to nearest even in integer arithmetic and quiets NaN, denormals kept (AVX-512 BF16's
// vcvtneps2bf16 would flush them). ViT-B/16's BF16 layer norms spent about 6 of their 9 ms converting.
#include "backends/cpu/avx512.h"
#include "backends/cpu/bf16_conversion.h"

#include "common/half.h"

namespace trt {
namespace cpu {

#ifdef TORCHTRT_CPU_AVX512
namespace {

__attribute__((target("avx512f"))) void widenAvx512(const uint16_t* src, float* dst, int64_t n) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512i wide = _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + i)));
    _mm512_storeu_ps(dst + i, _mm512_castsi512_ps(_mm512_slli_epi32(wide, 16)));
  }
  for (; i < n; ++i) dst[i] = bf16ToFloat(src[i]);
}

__attribute__((target("avx512f"))) void narrowAvx512(const float* src, uint16_t* dst, int64_t n) {
  const __m512i magnitude = _mm512_set1_epi32(0x7FFFFFFF), infinity = _mm512_set1_epi32(0x7F800000);
  const __m512i roundingBias = _mm512_set1_epi32(0x7FFF), one = _mm512_set1_epi32(1);
  const __m512i quiet = _mm512_set1_epi32(0x40);
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512i x = _mm512_castps_si512(_mm512_loadu_ps(src + i));
    const __mmask16 nan = _mm512_cmpgt_epu32_mask(_mm512_and_si512(x, magnitude), infinity);
    const __m512i odd = _mm512_and_si512(_mm512_srli_epi32(x, 16), one);
    const __m512i rounded = _mm512_srli_epi32(_mm512_add_epi32(x, _mm512_add_epi32(roundingBias, odd)), 16);
    const __m512i quieted = _mm512_or_si512(_mm512_srli_epi32(x, 16), quiet);
    const __m512i bits = _mm512_mask_blend_epi32(nan, rounded, quieted);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i), _mm512_cvtepi32_epi16(bits));
  }
  for (; i < n; ++i) dst[i] = floatToBf16(src[i]);
}

}  // namespace
#endif

void widenBf16(const uint16_t* src, float* dst, int64_t n) {
#ifdef TORCHTRT_CPU_AVX512
  if (cpuHasAvx512()) return widenAvx512(src, dst, n);
#endif
  for (int64_t i = 0; i < n; ++i) dst[i] = bf16ToFloat(src[i]);
}

void narrowBf16(const float* src, uint16_t* dst, int64_t n) {
#ifdef TORCHTRT_CPU_AVX512
  if (cpuHasAvx512()) return narrowAvx512(src, dst, n);
#endif
  for (int64_t i = 0; i < n; ++i) dst[i] = floatToBf16(src[i]);
}

}  // namespace cpu
}  // namespace trt
