// What the own channels-last convolution kernels share: the geometry in the kernel's index type (the
// depthwise and grouped kernels); the operands, filter staging, grid shape and type dispatch (the
// grouped kernel: the depthwise kernel keeps its own, measured on the GPU before these existed).
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <type_traits>

#include "backends/cuda/float_types.cuh"
#include "backends/cuda/reduction_util.cuh"
#include "common/activation_kinds.h"
#include "layers/conv_geometry.h"
#include "trt/types.h"

namespace trt {
namespace cuda {

//! The geometry in 32-bit where every offset fits (the common case: 64-bit divisions cost dozens of
//! instructions each), else 64-bit.
template <typename I>
struct IndexGeometry {
  I in[3], out[3], k[3], stride[3], pad[3], dil[3];
  explicit IndexGeometry(const ConvGeometry& g) {
    for (int i = 0; i < 3; ++i) {
      in[i] = static_cast<I>(g.in[i]), out[i] = static_cast<I>(g.out[i]), k[i] = static_cast<I>(g.k[i]);
      stride[i] = static_cast<I>(g.stride[i]), pad[i] = static_cast<I>(g.pad[i]), dil[i] = static_cast<I>(g.dil[i]);
    }
  }
};

//! A kernel's operands: x, y and residual [batch, spatial..., channels], w the KCRS filter (C = the group
//! width), bias and residual optional; activation type -1 for none.
template <typename T, typename I>
struct NhwcConvArgs {
  const T* x;
  const T* w;
  const T* bias;
  const T* residual;
  T* y;
  IndexGeometry<I> g;
  I runs, channels;
  int groupWidth, taps;
  FusedActivation activation;
};

//! Stages a block's filters into shared memory: store(i, load(i)) for i in [0, count), with the block's
//! threads taking consecutive i, eight loads a thread in flight before their stores (a block of the
//! grouped kernel stages up to 576 filter elements for each of its output channels).
template <typename Load, typename Store>
__device__ __forceinline__ void stageFilters(int count, Load load, Store store) {
  constexpr int kInFlight = 8;
  const int threads = blockDim.x * blockDim.y, first = threadIdx.y * blockDim.x + threadIdx.x;
  for (int base = first; base < count; base += kInFlight * threads) {
    float v[kInFlight];
#pragma unroll
    for (int u = 0; u < kInFlight; ++u) {
      const int i = base + u * threads;
      v[u] = i < count ? load(i) : 0.f;
    }
#pragma unroll
    for (int u = 0; u < kInFlight; ++u) {
      const int i = base + u * threads;
      if (i < count) store(i, v[u]);
    }
  }
}

//! The 8 values of T at p (16-byte aligned) as float.
template <typename T>
__device__ __forceinline__ void loadEightAsFloat(const T* p, float (&out)[8]) {
  const uint4 raw = *reinterpret_cast<const uint4*>(p);
  const T* e = reinterpret_cast<const T*>(&raw);
#pragma unroll
  for (int k = 0; k < 8; ++k) out[k] = toFloat(e[k]);
}

//! A launch of an own channels-last convolution kernel: blocks of `block.x` lanes (each 8 output
//! channels) by `block.y` runs of `run` consecutive output pixels along a row; `runs` runs in all.
struct NhwcConvLaunch {
  dim3 grid, block;
  size_t shared = 0;
  int run = 1;
  int64_t runs = 0;
};

//! The launch for `vectors` vectors of 8 output channels over `rows` rows of `rowWidth` output pixels,
//! where a block of n lanes needs sharedFor(n) bytes of shared memory (at most sharedLimit). Lanes: the
//! vectors spread evenly over the fewest blocks of at most 32 (12 vectors: one block of 12; 48: two of
//! 24), fewer where the shared memory would not fit. Run: 4 pixels a thread where the grid still fills
//! every multiprocessor (each staged weight then serves 4 outputs), else fewer (at batch 1 parallelism
//! is what the latency needs). About 16 blocks a multiprocessor, each looping over its runs.
template <typename SharedFor>
NhwcConvLaunch planNhwcConvLaunch(int64_t vectors, int64_t rows, int64_t rowWidth, SharedFor sharedFor,
                                  size_t sharedLimit) {
  constexpr int kThreads = 256;
  NhwcConvLaunch launch;
  const int64_t blocksAcross = (vectors + 31) / 32;
  int lanes = static_cast<int>((vectors + blocksAcross - 1) / blocksAcross);
  while (lanes > 1 && sharedFor(lanes) > sharedLimit) lanes = (lanes + 1) / 2;
  launch.block = dim3(static_cast<unsigned>(lanes), static_cast<unsigned>(kThreads / lanes));
  const int64_t channelBlocks = (vectors + lanes - 1) / lanes;
  const int64_t sms = multiprocessorCount();
  auto runBlocks = [&](int run) { return (rows * ((rowWidth + run - 1) / run) + launch.block.y - 1) / launch.block.y; };
  launch.run = 4;
  while (launch.run > 1 && channelBlocks * runBlocks(launch.run) < sms) launch.run /= 2;
  launch.runs = rows * ((rowWidth + launch.run - 1) / launch.run);
  const int64_t wanted = std::max<int64_t>(1, (sms * 16) / channelBlocks);
  launch.grid = dim3(static_cast<unsigned>(channelBlocks),
                     static_cast<unsigned>(std::min<int64_t>({runBlocks(launch.run), wanted, 65535})));
  launch.shared = sharedFor(lanes);
  return launch;
}

//! Launches Kernel::launch<T, I, run>(plan, stream, args) with T the storage type (FP16 or BF16), I
//! 32-bit where every element offset fits (64-bit divisions cost dozens of instructions each), and the
//! plan's run as a constant.
template <typename Kernel>
void launchNhwcConv(const NhwcConvLaunch& plan, cudaStream_t stream, DataType type, const ConvGeometry& g,
                    int64_t batch, int64_t channels, int groupWidth, const void* x, const void* w, const void* bias,
                    const void* residual, const FusedActivation& activation, void* y) {
  const int taps = static_cast<int>(g.k[0] * g.k[1] * g.k[2]);
  const int64_t inElements = batch * g.in[0] * g.in[1] * g.in[2] * channels;
  const int64_t outElements = batch * g.out[0] * g.out[1] * g.out[2] * channels;
  const bool narrow = inElements < INT32_MAX && outElements < INT32_MAX &&
                      static_cast<int64_t>(taps) * groupWidth * channels < INT32_MAX;
  auto go = [&](auto storage, auto index, auto run) {
    using T = decltype(storage);
    using I = decltype(index);
    const NhwcConvArgs<T, I> args{static_cast<const T*>(x),
                                  static_cast<const T*>(w),
                                  static_cast<const T*>(bias),
                                  static_cast<const T*>(residual),
                                  static_cast<T*>(y),
                                  IndexGeometry<I>(g),
                                  static_cast<I>(plan.runs),
                                  static_cast<I>(channels),
                                  groupWidth,
                                  taps,
                                  activation};
    Kernel::template launch<T, I, decltype(run)::value>(plan, stream, args);
  };
  auto withRun = [&](auto storage, auto index) {
    if (plan.run == 4)
      go(storage, index, std::integral_constant<int, 4>());
    else if (plan.run == 2)
      go(storage, index, std::integral_constant<int, 2>());
    else
      go(storage, index, std::integral_constant<int, 1>());
  };
  auto withIndex = [&](auto storage) {
    if (narrow)
      withRun(storage, int32_t());
    else
      withRun(storage, int64_t());
  };
  if (type == DataType::kHALF)
    withIndex(__half());
  else
    withIndex(__nv_bfloat16());
}

}  // namespace cuda
}  // namespace trt
