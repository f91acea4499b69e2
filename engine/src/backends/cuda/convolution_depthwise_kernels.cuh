// The depthwise kernels' templates, their launchers and the launch plan's shape (convolution_depthwise.cu's
// detail): the float16 and bfloat16 kernels compile in translation units of their own
// (convolution_depthwise_half.cu, convolution_depthwise_bf16.cu), since one unit holding both was the slowest
// target of the build (117 s of a 127 s build on the GPU machine's 16 cores).
#pragma once

#include <array>
#include <climits>
#include <utility>

#include "backends/cuda/activation.cuh"
#include "backends/cuda/convolution_depthwise.h"
#include "backends/cuda/float_types.cuh"
#include "backends/cuda/nhwc_conv_launch.cuh"

namespace trt {
namespace cuda {
namespace depthwise {

constexpr int kVec = 8;                     // channels a thread computes (one 16-byte load of FP16/BF16)
constexpr int kThreads = 256;               // threads of a block: channel vectors (x) by output pixels (y)
constexpr size_t kSharedBytes = 48 * 1024;  // the filter taps of a block's channels, as float

// The block's filter taps as float, [tap][channel] (0 past the last channel), from w [channels, taps].
template <typename T, typename I>
__device__ __forceinline__ void stageTaps(float* weights, const T* w, I blockChannel, I channels, int taps, int width) {
  const int lanes = blockDim.x;
  for (int i = threadIdx.y * lanes + threadIdx.x; i < taps * width; i += lanes * blockDim.y) {
    const int t = i / width;
    const I c = blockChannel + i % width;
    weights[i] = c < channels ? toFloat(w[c * taps + t]) : 0.f;
  }
  __syncthreads();
}

// The V channels at p (one 4-, 8- or 16-byte load of V 16-bit values), widened to float.
template <int V>
struct VectorBytes;
template <>
struct VectorBytes<8> {
  using type = uint4;
};
template <>
struct VectorBytes<4> {
  using type = uint2;
};
template <>
struct VectorBytes<2> {
  using type = unsigned int;
};

template <typename T, int V>
__device__ __forceinline__ void loadVector(const T* p, float (&v)[V]) {
  using Raw = typename VectorBytes<V>::type;
  const Raw raw = *reinterpret_cast<const Raw*>(p);
  const T* e = reinterpret_cast<const T*>(&raw);
#pragma unroll
  for (int k = 0; k < V; ++k) v[k] = toFloat(e[k]);
}

// What every kernel here starts with: the block's taps staged in shared memory ([tap][blockDim.x * V]), the thread's
// first channel c0 and its V biases; false for a lane past the last channel (it only helped stage).
template <typename T, typename I, int V>
__device__ __forceinline__ bool beginChannels(float* weights, const T* w, const T* bias, I channels, int taps, I& c0,
                                              float (&b)[V]) {
  const int width = blockDim.x * V;
  const I blockChannel = static_cast<I>(blockIdx.x) * width;
  stageTaps(weights, w, blockChannel, channels, taps, width);
  c0 = blockChannel + static_cast<I>(threadIdx.x) * V;
  if (c0 >= channels) return false;
#pragma unroll
  for (int k = 0; k < V; ++k) b[k] = 0.f;
  if (bias) loadVector(bias + c0, b);
  return true;
}

// A thread's V filter weights of one tap from shared memory (V floats, 8- or 16-byte aligned reads).
template <int V>
__device__ __forceinline__ void loadTap(const float* p, float (&w)[V]) {
  if constexpr (V == 2) {
    const float2 a = *reinterpret_cast<const float2*>(p);
    w[0] = a.x, w[1] = a.y;
  } else {
#pragma unroll
    for (int k = 0; k < V; k += 4) {
      const float4 a = *reinterpret_cast<const float4*>(p + k);
      w[k] = a.x, w[k + 1] = a.y, w[k + 2] = a.z, w[k + 3] = a.w;
    }
  }
}

// The fused epilogue of V channels: y = act(acc + bias + residual), rounded to T once, one vector store.
template <typename T, int V>
__device__ __forceinline__ void storeFused(T* y, const T* residual, const float (&acc)[V], const float (&b)[V],
                                           const FusedActivation& activation) {
  float r[V] = {};
  if (residual) loadVector(residual, r);
  using Raw = typename VectorBytes<V>::type;
  Raw out;
  T* o = reinterpret_cast<T*>(&out);
#pragma unroll
  for (int k = 0; k < V; ++k) o[k] = fromFloat<T>(applyFused<T>(activation, acc[k] + b[k] + r[k]));
  *reinterpret_cast<Raw*>(y) = out;
}

// Block (x, y): channel vectors blockIdx.x * blockDim.x + threadIdx.x, output pixels from blockIdx.y *
// blockDim.y + threadIdx.y in steps of the grid's pixel rows. The block's filter taps are staged in
// shared memory as float, [tap][channel], so a thread's 8 weights of a tap are two 16-byte reads; the
// grid has a few blocks per multiprocessor, each looping over many pixels, so that staging is paid
// rarely (one block per 8 pixels staged as many weights as it read inputs).
template <typename T, typename I>
__global__ void depthwiseNhwcKernel(const T* x, const T* w, const T* bias, const T* residual, T* y, IndexGeometry<I> g,
                                    I pixels, I channels, int taps, FusedActivation activation) {
  extern __shared__ float weights[];  // [taps][blockDim.x * kVec]
  const int width = blockDim.x * kVec;
  I c0;
  float b[kVec];
  if (!beginChannels(weights, w, bias, channels, taps, c0, b)) return;
  const I outRow = g.out[1] * g.out[2], outPlane = g.out[0] * outRow;
  const float4* tapBase = reinterpret_cast<const float4*>(weights + threadIdx.x * kVec);
  for (I p = static_cast<I>(blockIdx.y) * blockDim.y + threadIdx.y; p < pixels;
       p += static_cast<I>(gridDim.y) * blockDim.y) {
    const I n = p / outPlane;
    I rest = p - n * outPlane;
    const I od = rest / outRow;
    rest -= od * outRow;
    const I oh = rest / g.out[2], ow = rest - oh * g.out[2];
    float acc[kVec] = {};
    int t = 0;
    for (I kd = 0; kd < g.k[0]; ++kd) {
      const I id = od * g.stride[0] - g.pad[0] + kd * g.dil[0];
      const bool dIn = id >= 0 && id < g.in[0];
      for (I kh = 0; kh < g.k[1]; ++kh) {
        const I ih = oh * g.stride[1] - g.pad[1] + kh * g.dil[1];
        if (!dIn || ih < 0 || ih >= g.in[1]) {
          t += static_cast<int>(g.k[2]);
          continue;
        }
        const T* row = x + ((n * g.in[0] + id) * g.in[1] + ih) * g.in[2] * channels + c0;
        for (I kw = 0; kw < g.k[2]; ++kw, ++t) {
          const I iw = ow * g.stride[2] - g.pad[2] + kw * g.dil[2];
          if (iw < 0 || iw >= g.in[2]) continue;
          const uint4 raw = *reinterpret_cast<const uint4*>(row + iw * channels);
          const T* e = reinterpret_cast<const T*>(&raw);
          const float4 w0 = tapBase[t * (width / 4)], w1 = tapBase[t * (width / 4) + 1];
          acc[0] += toFloat(e[0]) * w0.x;
          acc[1] += toFloat(e[1]) * w0.y;
          acc[2] += toFloat(e[2]) * w0.z;
          acc[3] += toFloat(e[3]) * w0.w;
          acc[4] += toFloat(e[4]) * w1.x;
          acc[5] += toFloat(e[5]) * w1.y;
          acc[6] += toFloat(e[6]) * w1.z;
          acc[7] += toFloat(e[7]) * w1.w;
        }
      }
    }
    const I at = p * channels + c0;
    storeFused(y + at, residual ? residual + at : nullptr, acc, b, activation);
  }
}

// Work item `item` of the row and tile kernels (R output rows by P output pixels, row-major over [N, OD, the row
// blocks, the segments]): its image n, depth od, first output row oh0 and first output column ow0.
template <typename I, int P, int R>
__device__ __forceinline__ void itemOrigin(I item, const IndexGeometry<I>& g, I& n, I& od, I& oh0, I& ow0) {
  const I segments = (g.out[2] + P - 1) / P, perPlane = (g.out[1] + R - 1) / R * segments;
  n = item / (g.out[0] * perPlane);
  I rest = item - n * g.out[0] * perPlane;
  od = rest / perPlane;
  rest -= od * perPlane;
  const I rowBlock = rest / segments;
  oh0 = rowBlock * R;
  ow0 = (rest - rowBlock * segments) * P;
}

// One filter row's contribution to a thread's P outputs: the (P - 1) * S + KW inputs from column iw0 of `row`
// (j = q * S + kw), each loaded once; `Checked` skips the columns outside [0, width).
template <bool Checked, typename T, typename I, int V, int P, int KW, int S>
__device__ __forceinline__ void accumulateRow(const T* row, I iw0, I width, I channels, const float (&wr)[KW][V],
                                              float (&acc)[P][V]) {
#pragma unroll
  for (int j = 0; j < (P - 1) * S + KW; ++j) {
    const I iw = iw0 + j;
    if (Checked && (iw < 0 || iw >= width)) continue;
    float v[V];
    loadVector(row + iw * channels, v);
#pragma unroll
    for (int q = 0; q < P; ++q) {
      const int kw = j - q * S;
      if (kw < 0 || kw >= KW) continue;
#pragma unroll
      for (int k = 0; k < V; ++k) acc[q][k] += v[k] * wr[kw][k];
    }
  }
}

// Stride S (1 or 2) and dilation 1 along the width, KW taps wide (3, 5, 7): a thread computes P consecutive output
// pixels of a row for V channels, so each input vector it loads serves up to KW taps and each filter row's weights
// (read from shared memory once per row) serve P outputs. One pixel a thread (the kernel above) read 49 inputs and
// 98 shared vectors per output of a 7x7 filter: ConvNeXt-T's 7x7 depthwise convolutions took 2.65 of its 5.5 ms at
// batch 64 on an H200; 8 channels by 4 pixels, ~3.5x fewer loads per output. That shape holds 32 sums and 56
// weights a thread (114 registers on sm_90: two blocks a multiprocessor, too few warps to hide the loads; the
// kernel was still 43% of ConvNeXt-T's time on an H100), so the variants below trade reuse for occupancy and the
// builder times them (kDepthwiseRowVariants). B: the blocks a multiprocessor must hold (the compiler's register cap).
template <typename T, typename I, int V, int P, int B, int KW, int S>
__global__ void __launch_bounds__(kThreads, B)
    depthwiseNhwcRowKernel(const T* x, const T* w, const T* bias, const T* residual, T* y, IndexGeometry<I> g, I items,
                           I channels, int taps, FusedActivation activation) {
  extern __shared__ float weights[];  // [taps][blockDim.x * V]
  const int width = blockDim.x * V;
  I c0;
  float b[V];
  if (!beginChannels(weights, w, bias, channels, taps, c0, b)) return;
  const float* tapBase = weights + threadIdx.x * V;
  for (I item = static_cast<I>(blockIdx.y) * blockDim.y + threadIdx.y; item < items;
       item += static_cast<I>(gridDim.y) * blockDim.y) {
    I n, od, oh, ow0;
    itemOrigin<I, P, 1>(item, g, n, od, oh, ow0);
    float acc[P][V] = {};
    int t = 0;
    for (I kd = 0; kd < g.k[0]; ++kd) {
      const I id = od * g.stride[0] - g.pad[0] + kd * g.dil[0];
      const bool dIn = id >= 0 && id < g.in[0];
      for (I kh = 0; kh < g.k[1]; ++kh, t += KW) {
        const I ih = oh * g.stride[1] - g.pad[1] + kh * g.dil[1];
        if (!dIn || ih < 0 || ih >= g.in[1]) continue;
        float wr[KW][V];
#pragma unroll
        for (int kw = 0; kw < KW; ++kw) loadTap(tapBase + (t + kw) * width, wr[kw]);
        const T* row = x + ((n * g.in[0] + id) * g.in[1] + ih) * g.in[2] * channels + c0;
        const I iw0 = ow0 * S - g.pad[2];
        // Away from the row's ends (most segments) the inputs need no bounds checks: their loads issue together.
        if (iw0 >= 0 && iw0 + (P - 1) * S + KW <= g.in[2])
          accumulateRow<false, T, I, V, P, KW, S>(row, iw0, g.in[2], channels, wr, acc);
        else
          accumulateRow<true, T, I, V, P, KW, S>(row, iw0, g.in[2], channels, wr, acc);
      }
    }
#pragma unroll
    for (int q = 0; q < P; ++q) {
      if (ow0 + q >= g.out[2]) break;
      const I at = (((n * g.out[0] + od) * g.out[1] + oh) * g.out[2] + ow0 + q) * channels + c0;
      storeFused(y + at, residual ? residual + at : nullptr, acc[q], b, activation);
    }
  }
}

// The row kernel over R output rows a thread (a square KW x KW filter, the same stride S along both axes, dilation
// 1): each input row's P-segment is loaded once and serves every output row of the R that reads it (kh = i - r * S),
// where the row kernel loaded it again for each. R x P x V sums a thread; a filter row's weights are read from
// shared memory for each (input row, output row) pair.
template <typename T, typename I, int V, int P, int R, int B, int KW, int S>
__global__ void __launch_bounds__(kThreads, B)
    depthwiseNhwcTileKernel(const T* x, const T* w, const T* bias, const T* residual, T* y, IndexGeometry<I> g, I items,
                            I channels, int taps, FusedActivation activation) {
  constexpr int J = (P - 1) * S + KW;  // the input columns of a segment
  extern __shared__ float weights[];   // [taps][blockDim.x * V]
  const int width = blockDim.x * V;
  I c0;
  float b[V];
  if (!beginChannels(weights, w, bias, channels, taps, c0, b)) return;
  const float* tapBase = weights + threadIdx.x * V;
  for (I item = static_cast<I>(blockIdx.y) * blockDim.y + threadIdx.y; item < items;
       item += static_cast<I>(gridDim.y) * blockDim.y) {
    I n, od, oh0, ow0;
    itemOrigin<I, P, R>(item, g, n, od, oh0, ow0);
    const I iw0 = ow0 * S - g.pad[2];
    const bool interior = iw0 >= 0 && iw0 + J <= g.in[2];
    float acc[R][P][V] = {};
    for (I kd = 0; kd < g.k[0]; ++kd) {
      const I id = od * g.stride[0] - g.pad[0] + kd * g.dil[0];
      if (id < 0 || id >= g.in[0]) continue;
      const int plane = static_cast<int>(kd) * KW * KW;  // the first tap of this depth's filter plane
#pragma unroll
      for (int i = 0; i < (R - 1) * S + KW; ++i) {  // the input rows the R output rows read: i = r * S + kh
        const I ih = oh0 * S - g.pad[1] + i;
        if (ih < 0 || ih >= g.in[1]) continue;
        const T* row = x + ((n * g.in[0] + id) * g.in[1] + ih) * g.in[2] * channels + c0;
        float v[J][V];
#pragma unroll
        for (int j = 0; j < J; ++j) {
          const I iw = iw0 + j;
          if (interior || (iw >= 0 && iw < g.in[2])) {
            loadVector(row + iw * channels, v[j]);
          } else {
#pragma unroll
            for (int k = 0; k < V; ++k) v[j][k] = 0.f;
          }
        }
#pragma unroll
        for (int r = 0; r < R; ++r) {
          const int kh = i - r * S;
          if (kh < 0 || kh >= KW) continue;
          float wr[KW][V];
#pragma unroll
          for (int kw = 0; kw < KW; ++kw) loadTap(tapBase + (plane + kh * KW + kw) * width, wr[kw]);
#pragma unroll
          for (int q = 0; q < P; ++q)
#pragma unroll
            for (int kw = 0; kw < KW; ++kw)
#pragma unroll
              for (int k = 0; k < V; ++k) acc[r][q][k] += v[q * S + kw][k] * wr[kw][k];
        }
      }
    }
#pragma unroll
    for (int r = 0; r < R; ++r) {
      if (oh0 + r >= g.out[1]) break;
#pragma unroll
      for (int q = 0; q < P; ++q) {
        if (ow0 + q >= g.out[2]) break;
        const I at = (((n * g.out[0] + od) * g.out[1] + oh0 + r) * g.out[2] + ow0 + q) * channels + c0;
        storeFused(y + at, residual ? residual + at : nullptr, acc[r][q], b, activation);
      }
    }
  }
}

// The row kernel's shapes, channels (V) by output pixels (P) a thread, as the plan's tactic names them (its third
// entry): 0 the first kernel's 8 x 4; fewer channels keep fewer sums and weights live (more warps a multiprocessor),
// more pixels reuse each loaded input and weight more.
// `blocks` caps the registers (65536 / (256 * blocks)) where the uncapped kernel held a few more than that. `rows`
// above 1: the tile kernel, R output rows a thread (the last variants, for square filters; tileKernelApplies).
struct RowShape {
  int channels, pixels, blocks, rows = 1;
};
constexpr RowShape kRowShapes[] = {{8, 4, 2}, {4, 4, 3}, {4, 8, 2},    {2, 8, 3},
                                   {2, 4, 4}, {4, 2, 3}, {2, 4, 3, 2}, {2, 4, 2, 4}};
static_assert(sizeof(kRowShapes) / sizeof(kRowShapes[0]) == kDepthwiseRowVariants, "one shape a variant");
static_assert(kRowShapes[kDepthwiseRowVariants - kDepthwiseTileVariants].rows > 1 &&
                  kRowShapes[kDepthwiseRowVariants - kDepthwiseTileVariants - 1].rows == 1,
              "the tile variants last");

template <typename T, typename I>
void launch(cudaStream_t stream, dim3 grid, dim3 block, size_t shared, const void* x, const void* w, const void* bias,
            const void* residual, void* y, const ConvGeometry& g, int64_t pixels, int64_t channels, int taps,
            const FusedActivation& activation) {
  depthwiseNhwcKernel<T, I><<<grid, block, shared, stream>>>(
      static_cast<const T*>(x), static_cast<const T*>(w), static_cast<const T*>(bias), static_cast<const T*>(residual),
      static_cast<T*>(y), IndexGeometry<I>(g), static_cast<I>(pixels), static_cast<I>(channels), taps, activation);
}

template <typename T, typename I, int V, int P, int B, int R>
void launchTileShape(cudaStream_t stream, dim3 grid, dim3 block, size_t shared, const void* x, const void* w,
                     const void* bias, const void* residual, void* y, const ConvGeometry& g, int64_t items,
                     int64_t channels, int taps, const FusedActivation& activation) {
  const bool two = g.stride[2] == 2;
  auto* kernel =
      g.k[2] == 3
          ? (two ? depthwiseNhwcTileKernel<T, I, V, P, R, B, 3, 2> : depthwiseNhwcTileKernel<T, I, V, P, R, B, 3, 1>)
      : g.k[2] == 5
          ? (two ? depthwiseNhwcTileKernel<T, I, V, P, R, B, 5, 2> : depthwiseNhwcTileKernel<T, I, V, P, R, B, 5, 1>)
          : (two ? depthwiseNhwcTileKernel<T, I, V, P, R, B, 7, 2> : depthwiseNhwcTileKernel<T, I, V, P, R, B, 7, 1>);
  kernel<<<grid, block, shared, stream>>>(
      static_cast<const T*>(x), static_cast<const T*>(w), static_cast<const T*>(bias), static_cast<const T*>(residual),
      static_cast<T*>(y), IndexGeometry<I>(g), static_cast<I>(items), static_cast<I>(channels), taps, activation);
}

template <typename T, typename I, int V, int P, int B = kRowShapes[0].blocks, int R = 1>
void launchRowShape(cudaStream_t stream, dim3 grid, dim3 block, size_t shared, const void* x, const void* w,
                    const void* bias, const void* residual, void* y, const ConvGeometry& g, int64_t items,
                    int64_t channels, int taps, const FusedActivation& activation) {
  if constexpr (R > 1) {
    launchTileShape<T, I, V, P, B, R>(stream, grid, block, shared, x, w, bias, residual, y, g, items, channels, taps,
                                      activation);
    return;
  }
  const bool two = g.stride[2] == 2;
  auto* kernel =
      g.k[2] == 3   ? (two ? depthwiseNhwcRowKernel<T, I, V, P, B, 3, 2> : depthwiseNhwcRowKernel<T, I, V, P, B, 3, 1>)
      : g.k[2] == 5 ? (two ? depthwiseNhwcRowKernel<T, I, V, P, B, 5, 2> : depthwiseNhwcRowKernel<T, I, V, P, B, 5, 1>)
                    : (two ? depthwiseNhwcRowKernel<T, I, V, P, B, 7, 2> : depthwiseNhwcRowKernel<T, I, V, P, B, 7, 1>);
  kernel<<<grid, block, shared, stream>>>(
      static_cast<const T*>(x), static_cast<const T*>(w), static_cast<const T*>(bias), static_cast<const T*>(residual),
      static_cast<T*>(y), IndexGeometry<I>(g), static_cast<I>(items), static_cast<I>(channels), taps, activation);
}

// The launch's shape: the kernel's channels and pixels a thread, the block's channel lanes and the grid.
struct Launch {
  RowShape shape;  // {8, 1, 1} for the pixel-a-thread kernel
  int variant;     // the row kernel's kRowShapes entry (0 with 64-bit offsets)
  bool rows;       // the row kernel (rowKernelWidth > 0)
  bool narrow;     // 32-bit offsets
  dim3 grid, block;
  size_t shared;
  int64_t work;  // the row kernel's items or the pixel kernel's pixels
};

// The 32-bit launcher of each kRowShapes entry, indexed by variant.
template <typename T, size_t... Variant>
constexpr auto rowLaunchers(std::index_sequence<Variant...>) {
  return std::array{launchRowShape<T, int32_t, kRowShapes[Variant].channels, kRowShapes[Variant].pixels,
                                   kRowShapes[Variant].blocks, kRowShapes[Variant].rows>...};
}

template <typename T>
void launchTyped(cudaStream_t stream, const Launch& l, const void* x, const void* w, const void* bias,
                 const void* residual, void* y, const ConvGeometry& g, int64_t channels, int taps,
                 const FusedActivation& activation) {
  if (!l.rows) {
    (l.narrow ? launch<T, int32_t> : launch<T, int64_t>)(stream, l.grid, l.block, l.shared, x, w, bias, residual, y, g,
                                                         l.work, channels, taps, activation);
    return;
  }
  auto* rows = l.narrow
                   ? rowLaunchers<T>(std::make_index_sequence<kDepthwiseRowVariants>{})[l.variant]
                   : launchRowShape<T, int64_t, kRowShapes[0].channels, kRowShapes[0].pixels, kRowShapes[0].blocks>;
  rows(stream, l.grid, l.block, l.shared, x, w, bias, residual, y, g, l.work, channels, taps, activation);
}

//! The launch `l` of the float16 kernels (convolution_depthwise_half.cu) and of the bfloat16 ones
//! (convolution_depthwise_bf16.cu).
void launchHalf(cudaStream_t stream, const Launch& l, const void* x, const void* w, const void* bias,
                const void* residual, void* y, const ConvGeometry& g, int64_t channels, int taps,
                const FusedActivation& activation);
void launchBf16(cudaStream_t stream, const Launch& l, const void* x, const void* w, const void* bias,
                const void* residual, void* y, const ConvGeometry& g, int64_t channels, int taps,
                const FusedActivation& activation);

}  // namespace depthwise
}  // namespace cuda
}  // namespace trt
