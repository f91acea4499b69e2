// bfloat16 <-> float32 over arrays, with AVX-512 where the CPU has it (bf16_conversion_avx512.cpp);
// bit-identical to bf16ToFloat / floatToBf16 of common/half.h either way.
#pragma once

#include <cstdint>

namespace trt {
namespace cpu {

//! dst[i] = bf16ToFloat(src[i]) for i < n.
void widenBf16(const uint16_t* src, float* dst, int64_t n);

//! dst[i] = floatToBf16(src[i]) for i < n (round to nearest even, NaN quieted, denormals kept).
void narrowBf16(const float* src, uint16_t* dst, int64_t n);

}  // namespace cpu
}  // namespace trt
