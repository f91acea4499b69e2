// Building blocks of the memory-bound row kernels (reduce, softmax, normalization): packed loads of
// up to 16 bytes, the accumulator type of each storage type, the reduce operations as combiners,
// and warp / block all-reductions.
#pragma once

#include <cuda_runtime.h>

#include <atomic>
#include <cstdint>
#include <type_traits>

#include "backends/cuda/float_types.cuh"
#include "trt/network.h"

namespace trt {
namespace cuda {

//! V consecutive elements loaded or stored in one access (V * sizeof(T) <= 16, a power of two).
template <typename T, int V>
struct alignas(sizeof(T) * V) Pack {
  T e[V];
};

//! Accumulators: float for the floating types (as PyTorch accumulates half, bfloat16 and float),
//! int64 for the integer types (sums and products wrap as PyTorch's int64 arithmetic does).
template <typename T>
using AccOf = typename std::conditional<std::is_integral<T>::value, int64_t, float>::type;

__device__ __forceinline__ float toAcc(float v) { return v; }
__device__ __forceinline__ float toAcc(__half v) { return __half2float(v); }
__device__ __forceinline__ float toAcc(__nv_bfloat16 v) { return __bfloat162float(v); }
__device__ __forceinline__ int64_t toAcc(int32_t v) { return v; }
__device__ __forceinline__ int64_t toAcc(int64_t v) { return v; }

//! Stores an accumulator divided by `divisor` (the count for AVG, else 1: exact), rounded to the
//! storage type. Integers are never divided.
__device__ __forceinline__ void storeAcc(float* p, int64_t i, float v, float divisor) { p[i] = v / divisor; }
__device__ __forceinline__ void storeAcc(__half* p, int64_t i, float v, float divisor) {
  p[i] = __float2half_rn(v / divisor);
}
__device__ __forceinline__ void storeAcc(__nv_bfloat16* p, int64_t i, float v, float divisor) {
  p[i] = __float2bfloat16_rn(v / divisor);
}
__device__ __forceinline__ void storeAcc(int32_t* p, int64_t i, int64_t v, float) { p[i] = static_cast<int32_t>(v); }
__device__ __forceinline__ void storeAcc(int64_t* p, int64_t i, int64_t v, float) { p[i] = v; }

//! a op b for SUM (AVG sums too), PROD, MAX and MIN. MAX and MIN keep a NaN once seen (torch.amax).
template <ReduceOperation Op>
__device__ __forceinline__ float combine(float a, float b) {
  if (Op == ReduceOperation::kPROD) return a * b;
  if (Op == ReduceOperation::kMAX) return (isnan(b) || b > a) ? b : a;
  if (Op == ReduceOperation::kMIN) return (isnan(b) || b < a) ? b : a;
  return a + b;
}
template <ReduceOperation Op>
__device__ __forceinline__ int64_t combine(int64_t a, int64_t b) {
  using U = unsigned long long;
  if (Op == ReduceOperation::kPROD) return static_cast<int64_t>(static_cast<U>(a) * static_cast<U>(b));
  if (Op == ReduceOperation::kMAX) return b > a ? b : a;
  if (Op == ReduceOperation::kMIN) return b < a ? b : a;
  return static_cast<int64_t>(static_cast<U>(a) + static_cast<U>(b));
}

//! The combination over aligned groups of Width lanes (32: the warp), returned to every lane of the
//! group (a fixed butterfly order, so the result does not depend on timing). Every lane of the
//! warp must take part.
template <ReduceOperation Op, int Width = 32, typename A>
__device__ __forceinline__ A warpAllReduce(A v) {
#pragma unroll
  for (int s = Width / 2; s > 0; s >>= 1) v = combine<Op>(v, __shfl_xor_sync(0xffffffffu, v, s));
  return v;
}

//! The combination over a one-dimensional block (blockDim.x a multiple of 32), returned to every
//! thread. `shared` holds 32 values; the block may call this again right after.
template <ReduceOperation Op, typename A>
__device__ __forceinline__ A blockAllReduce(A v, A* shared) {
  v = warpAllReduce<Op>(v);
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32, warps = blockDim.x / 32;
  __syncthreads();  // an earlier call's readers are done with `shared`
  if (lane == 0) shared[warp] = v;
  __syncthreads();
  v = shared[0];
  for (int w = 1; w < warps; ++w) v = combine<Op>(v, shared[w]);
  return v;
}

//! Elements of T before the first 16-byte boundary at p (all of them when p is not even aligned
//! to T, so that no packed access is made).
template <typename T>
__device__ __forceinline__ int64_t headBefore16(const T* p, int64_t n) {
  const uintptr_t a = reinterpret_cast<uintptr_t>(p);
  if (a % sizeof(T) != 0) return n;
  const int64_t head = static_cast<int64_t>(((16 - (a & 15)) & 15) / sizeof(T));
  return head < n ? head : n;
}

//! Host side: true when `p` allows V-element packed accesses of T.
template <typename T>
inline bool alignedFor(const void* p, int v) {
  return reinterpret_cast<uintptr_t>(p) % (sizeof(T) * static_cast<size_t>(v)) == 0;
}

//! Smallest power of two >= n (n >= 1).
inline int64_t nextPow2(int64_t n) {
  int64_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

//! Streaming multiprocessors of the current device (cached per device): sizes the grids so that
//! a reduction over few rows still spreads over the whole GPU.
inline int multiprocessorCount() {
  static std::atomic<int> cached[64];
  int device = 0;
  if (cudaGetDevice(&device) != cudaSuccess || device < 0 || device >= 64) return 132;
  int n = cached[device].load(std::memory_order_relaxed);
  if (n == 0) {
    if (cudaDeviceGetAttribute(&n, cudaDevAttrMultiProcessorCount, device) != cudaSuccess || n <= 0) n = 132;
    cached[device].store(n, std::memory_order_relaxed);
  }
  return n;
}

}  // namespace cuda
}  // namespace trt
