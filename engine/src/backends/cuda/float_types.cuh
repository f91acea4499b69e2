// FP32, FP16 and BF16 storage for the CUDA kernels: loads widen to float, stores round to the
// storage type, so every kernel computes in FP32 whatever it stores.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>
#include <initializer_list>
#include <string>

#include "common/floating_types.h"
#include "trt/types.h"

namespace trt {
namespace cuda {

__device__ __forceinline__ float load(const float* p, int64_t i) { return p[i]; }
__device__ __forceinline__ float load(const __half* p, int64_t i) { return __half2float(p[i]); }
__device__ __forceinline__ void store(float* p, int64_t i, float v) { p[i] = v; }
__device__ __forceinline__ void store(__half* p, int64_t i, float v) { p[i] = __float2half_rn(v); }
__device__ __forceinline__ float load(const __nv_bfloat16* p, int64_t i) { return __bfloat162float(p[i]); }
__device__ __forceinline__ void store(__nv_bfloat16* p, int64_t i, float v) { p[i] = __float2bfloat16_rn(v); }

__device__ __forceinline__ float toFloat(float v) { return v; }
__device__ __forceinline__ float toFloat(__half v) { return __half2float(v); }
__device__ __forceinline__ float toFloat(__nv_bfloat16 v) { return __bfloat162float(v); }
template <typename T>
__device__ __forceinline__ T fromFloat(float v);
template <>
__device__ __forceinline__ float fromFloat<float>(float v) {
  return v;
}
template <>
__device__ __forceinline__ __half fromFloat<__half>(float v) {
  return __float2half_rn(v);
}
template <>
__device__ __forceinline__ __nv_bfloat16 fromFloat<__nv_bfloat16>(float v) {
  return __float2bfloat16_rn(v);
}

//! Elements of T in one 16-byte access (the widest load a thread issues).
template <typename T>
constexpr int kVectorElems = 16 / static_cast<int>(sizeof(T));

//! f(U{}) for U the unsigned integer of `bytes` bytes (1, 2, 4 or 8): kernels that move elements as raw bits; other
//! sizes are refused with `what` in the message.
template <typename F>
decltype(auto) withRawElement(size_t bytes, const char* what, F&& f) {
  switch (bytes) {
    case 1:
      return f(uint8_t{});
    case 2:
      return f(uint16_t{});
    case 4:
      return f(uint32_t{});
    case 8:
      return f(uint64_t{});
    default:
      throw Error(std::string(what) + ": no kernel moves elements of " + std::to_string(bytes) + " bytes");
  }
}

//! True when every pointer allows 16-byte accesses.
inline bool allAligned16(std::initializer_list<const void*> ptrs) {
  for (const void* p : ptrs)
    if (reinterpret_cast<uintptr_t>(p) % 16 != 0) return false;
  return true;
}

//! dst[i] = f(src[i]) computed in float, one 16-byte vector per thread (src and dst 16-byte
//! aligned); the last thread finishes a partial vector element by element. In-place is fine.
template <typename T, typename F>
__global__ void mapVectorKernel(const T* src, T* dst, int64_t n, F f) {
  constexpr int V = kVectorElems<T>;
  const int64_t first = (static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) * V;
  if (first + V <= n) {
    uint4 raw = *reinterpret_cast<const uint4*>(src + first);
    T* e = reinterpret_cast<T*>(&raw);
#pragma unroll
    for (int k = 0; k < V; ++k) e[k] = fromFloat<T>(f(toFloat(e[k])));
    *reinterpret_cast<uint4*>(dst + first) = raw;
  } else {
    for (int64_t i = first; i < n; ++i) dst[i] = fromFloat<T>(f(toFloat(src[i])));
  }
}

//! out[i] = f(a[i], b[i]) computed in float, vectorised like mapVectorKernel.
template <typename T, typename F>
__global__ void zipVectorKernel(const T* a, const T* b, T* out, int64_t n, F f) {
  constexpr int V = kVectorElems<T>;
  const int64_t first = (static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) * V;
  if (first + V <= n) {
    uint4 ra = *reinterpret_cast<const uint4*>(a + first);
    const uint4 rb = *reinterpret_cast<const uint4*>(b + first);
    T* ea = reinterpret_cast<T*>(&ra);
    const T* eb = reinterpret_cast<const T*>(&rb);
#pragma unroll
    for (int k = 0; k < V; ++k) ea[k] = fromFloat<T>(f(toFloat(ea[k]), toFloat(eb[k])));
    *reinterpret_cast<uint4*>(out + first) = ra;
  } else {
    for (int64_t i = first; i < n; ++i) out[i] = fromFloat<T>(f(toFloat(a[i]), toFloat(b[i])));
  }
}

//! Blocks of `threads` for the vectorised kernels over n elements of T.
template <typename T>
unsigned vectorBlocks(int64_t n, int threads) {
  const int64_t vectors = (n + kVectorElems<T> - 1) / kVectorElems<T>;
  return static_cast<unsigned>((vectors + threads - 1) / threads);
}

//! Calls fn(T{}) with T = float, __half or __nv_bfloat16 for the storage type `type`; throws for
//! other types.
template <typename Fn>
void dispatchFloating(DataType type, const std::string& where, Fn fn) {
  if (type == DataType::kFLOAT)
    fn(float{});
  else if (type == DataType::kHALF)
    fn(__half{});
  else if (type == DataType::kBF16)
    fn(__nv_bfloat16{});
  else
    throw Error(where + ": the CUDA backend runs this layer kind in float32, float16 or bfloat16 only, not " +
                dataTypeName(type));
}

//! True for the floating storage types the CUDA kernels take (float32, float16, bfloat16).
inline bool isFloatingStorage(DataType type) { return isFloating(type); }

}  // namespace cuda
}  // namespace trt
