// FP32 and FP16 storage for the CUDA kernels: loads widen to float, stores round to the storage
// type, so every kernel computes in FP32 whatever it stores.
#pragma once

#include <cuda_fp16.h>

#include "trt/types.h"

namespace trt {
namespace cuda {

__device__ __forceinline__ float load(const float* p, int64_t i) { return p[i]; }
__device__ __forceinline__ float load(const __half* p, int64_t i) { return __half2float(p[i]); }
__device__ __forceinline__ void store(float* p, int64_t i, float v) { p[i] = v; }
__device__ __forceinline__ void store(__half* p, int64_t i, float v) { p[i] = __float2half_rn(v); }

//! Calls fn(T{}) with T = float or __half for the storage type `type`; throws for other types.
template <typename Fn>
void dispatchFloating(DataType type, const std::string& where, Fn fn) {
  if (type == DataType::kFLOAT)
    fn(float{});
  else if (type == DataType::kHALF)
    fn(__half{});
  else
    throw Error(where + ": the CUDA backend runs this layer kind in float32 or float16 only, not " +
                dataTypeName(type));
}

}  // namespace cuda
}  // namespace trt
