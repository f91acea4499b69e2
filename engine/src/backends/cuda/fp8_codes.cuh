// The E4M3 codes of one value as every CUDA FP8 quantization computes them (matrix_multiply_fp8.cu's kernels and
// fp8_quantize_table.cu's tables), so that each path writes the same bits.
#pragma once

#include <cuda_fp8.h>

#include <cstdint>

#include "backends/cuda/activation.cuh"
#include "backends/cuda/float_types.cuh"
#include "common/fp8.h"

namespace trt {
namespace cuda {

//! `v` through the activation (-1: none) in float, rounded to T first, as the activation layer a folded
//! quantization replaces stored it (a tie between two FP8 codes in T's precision must round as that stored value).
template <typename T>
__device__ __forceinline__ float activated(float v, int32_t activation) {
  return activation >= 0 ? toFloat(fromFloat<T>(activate<T>(static_cast<ActivationType>(activation), 0.f, 0.f, v))) : v;
}

//! The E4M3 codes of a / scale and b / scale (low byte a's): the correctly rounded quotients (as fp8::quantize),
//! then the hardware's saturating conversion (sm_89+: one instruction for two; nearest, ties to even, beyond +-448
//! and infinities to +-448, as fp8::fromFloatSaturating). A NaN takes the shared rounding, which keeps its sign.
__device__ __forceinline__ uint16_t quantizePair(float a, float b, float scale) {
  const float qa = a / scale, qb = b / scale;
  if (isnan(qa) || isnan(qb))
    return static_cast<uint16_t>(fp8::fromFloatSaturating(qa) | (fp8::fromFloatSaturating(qb) << 8));
  return static_cast<uint16_t>(__nv_cvt_float2_to_fp8x2(make_float2(qa, qb), __NV_SATFINITE, __NV_E4M3));
}

}  // namespace cuda
}  // namespace trt
