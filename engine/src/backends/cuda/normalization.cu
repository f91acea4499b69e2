// Normalization (layer, group, instance norm, and layer norm with the fused residual add) in FP32
// whatever the storage type. Trailing axes (the norms' case) with a scalar or per-element scale and
// bias: the row in registers (a warp per row, or a block per long row; 16-byte loads where the row
// length and pointers allow), two passes over the registers; rows longer than the registers hold
// split into segments over several blocks (statistics per segment, merged). Any other axis set: one
// thread per group.
#include <algorithm>

#include "backends/cuda/cuda_kernels.h"
#include "backends/cuda/float_types.cuh"
#include "backends/cuda/reduction_util.cuh"
#include "layers/layer_util.h"

namespace trt {
namespace cuda {

namespace {
constexpr int kRowThreads = 256;

// Sum over the block, returned to every thread.
__device__ float blockSum(float v) {
  __shared__ float partial[32];
  __shared__ float total;
  for (int s = 16; s > 0; s >>= 1) v += __shfl_xor_sync(0xffffffff, v, s);
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  if (lane == 0) partial[warp] = v;
  __syncthreads();
  if (warp == 0) {
    v = lane < (blockDim.x + 31) / 32 ? partial[lane] : 0.f;
    for (int s = 16; s > 0; s >>= 1) v += __shfl_xor_sync(0xffffffff, v, s);
    if (lane == 0) total = v;
  }
  __syncthreads();
  float result = total;
  __syncthreads();  // partial and total are reused by the next call
  return result;
}

// Scale and bias in a row: one value for all (kScalar) or one per row element (kPerElement).
enum ParamMode : int { kScalar = 0, kPerElement = 1 };

// x (+ the fused residual r) at k.
template <typename T>
__device__ __forceinline__ float loadSum(const T* x, const T* r, int64_t k) {
  return r ? load(x, k) + load(r, k) : load(x, k);
}

template <typename T>
__global__ void rowNormKernel(const T* x, const T* residual, const T* scale, const T* bias, T* y, int64_t len,
                              float eps, int scaleMode, int biasMode) {
  const T* xr = x + blockIdx.x * len;
  const T* rr = residual ? residual + blockIdx.x * len : nullptr;
  T* yr = y + blockIdx.x * len;
  float s = 0.f;
  for (int64_t k = threadIdx.x; k < len; k += blockDim.x) s += loadSum(xr, rr, k);
  const float mean = blockSum(s) / static_cast<float>(len);
  float v = 0.f;
  for (int64_t k = threadIdx.x; k < len; k += blockDim.x) {
    float c = loadSum(xr, rr, k) - mean;
    v += c * c;
  }
  const float inv = rsqrtf(blockSum(v) / static_cast<float>(len) + eps);
  for (int64_t k = threadIdx.x; k < len; k += blockDim.x) {
    float sc = load(scale, scaleMode == kScalar ? 0 : k), b = load(bias, biasMode == kScalar ? 0 : k);
    store(yr, k, (loadSum(xr, rr, k) - mean) * inv * sc + b);
  }
}

// Rows held in registers: groups of G threads (G = 8 or 16: several rows a warp, for short rows such as
// Swin's and ConvNeXt's 96 and 192 channels, where a warp per row left most lanes idle and too few bytes in
// flight; G = 32: a warp per row, kRowThreads / 32 rows per block; G = kRowThreads: a block per row), each
// thread holding packs t, t + G, ... (P of them) of V elements, so x and the residual are read once. Two passes over
// the registers (mean, then the centred variance) in FP32. V > 1 needs len % V == 0 and 16-byte aligned x, residual, y
// and the per-element scale and bias.
template <typename T, int V, int P, int G>
__global__ void __launch_bounds__(kRowThreads)
    rowNormRegisterKernel(const T* __restrict__ x, const T* __restrict__ residual, const T* __restrict__ scale,
                          const T* __restrict__ bias, T* __restrict__ y, int64_t rows, int len, float eps,
                          int scaleMode, int biasMode) {
  const int64_t row = static_cast<int64_t>(blockIdx.x) * (kRowThreads / G) + threadIdx.x / G;
  // Whole warps past the last row leave (no block-wide synchronization for G <= 32); in a warp holding
  // several rows every lane takes part in the group's shuffles, a lane past the last row with zeros.
  if (G <= 32 && row - (threadIdx.x % 32) / G >= rows) return;
  const bool live = row < rows;
  const int t = threadIdx.x % G;
  const int64_t offset = row * len;
  float v[P][V];
  float s = 0.f;
#pragma unroll
  for (int p = 0; p < P; ++p) {
    const int k = (t + G * p) * V;
    if (live && k < len) {
      const Pack<T, V> a = *reinterpret_cast<const Pack<T, V>*>(x + offset + k);
      Pack<T, V> b;
      if (residual) b = *reinterpret_cast<const Pack<T, V>*>(residual + offset + k);
#pragma unroll
      for (int e = 0; e < V; ++e) {
        v[p][e] = toFloat(a.e[e]) + (residual ? toFloat(b.e[e]) : 0.f);
        s += v[p][e];
      }
    } else {
#pragma unroll
      for (int e = 0; e < V; ++e) v[p][e] = 0.f;
    }
  }
  __shared__ float shared[32];
  auto groupSum = [&](float a) {
    return G <= 32 ? warpAllReduce<ReduceOperation::kSUM, (G < 32 ? G : 32)>(a)
                   : blockAllReduce<ReduceOperation::kSUM>(a, shared);
  };
  const float mean = groupSum(s) / static_cast<float>(len);
  float var = 0.f;
#pragma unroll
  for (int p = 0; p < P; ++p)
    if ((t + G * p) * V < len)
#pragma unroll
      for (int e = 0; e < V; ++e) {
        const float c = v[p][e] - mean;
        var += c * c;
      }
  const float inv = rsqrtf(groupSum(var) / static_cast<float>(len) + eps);
  const float scalarScale = scaleMode == kScalar ? toFloat(scale[0]) : 0.f;
  const float scalarBias = biasMode == kScalar ? toFloat(bias[0]) : 0.f;
#pragma unroll
  for (int p = 0; p < P; ++p) {
    const int k = (t + G * p) * V;
    if (live && k < len) {
      Pack<T, V> sc, bi, out;
      if (scaleMode != kScalar) sc = *reinterpret_cast<const Pack<T, V>*>(scale + k);
      if (biasMode != kScalar) bi = *reinterpret_cast<const Pack<T, V>*>(bias + k);
#pragma unroll
      for (int e = 0; e < V; ++e)
        out.e[e] = fromFloat<T>((v[p][e] - mean) * inv * (scaleMode == kScalar ? scalarScale : toFloat(sc.e[e])) +
                                (biasMode == kScalar ? scalarBias : toFloat(bi.e[e])));
      *reinterpret_cast<Pack<T, V>*>(y + offset + k) = out;
    }
  }
}

// Launches the register kernel whose P fits `packs` packs per thread (P <= kMaxPacks).
constexpr int kMaxPacks = 8;
template <typename T, int V, int G>
void launchRegisterRows(cudaStream_t stream, const T* x, const T* residual, const T* scale, const T* bias, T* y,
                        int64_t rows, int len, float eps, int scaleMode, int biasMode) {
  const int64_t packsPerThread = (len / V + G - 1) / G;
  const unsigned grid = static_cast<unsigned>((rows + kRowThreads / G - 1) / (kRowThreads / G));
#define TORCHTRT_NORM_ROWS(P)                                                                                 \
  if (packsPerThread <= P) {                                                                                  \
    rowNormRegisterKernel<T, V, P, G>                                                                         \
        <<<grid, kRowThreads, 0, stream>>>(x, residual, scale, bias, y, rows, len, eps, scaleMode, biasMode); \
    return;                                                                                                   \
  }
  TORCHTRT_NORM_ROWS(1)
  TORCHTRT_NORM_ROWS(2)
  TORCHTRT_NORM_ROWS(4)
  TORCHTRT_NORM_ROWS(8)
#undef TORCHTRT_NORM_ROWS
}

// Short packed rows: groups of G (8 or 16) lanes, one or two packs a lane.
template <typename T, int V, int G>
void launchShortRows(cudaStream_t stream, const T* x, const T* residual, const T* scale, const T* bias, T* y,
                     int64_t rows, int len, float eps, int scaleMode, int biasMode) {
  const unsigned grid = static_cast<unsigned>((rows + kRowThreads / G - 1) / (kRowThreads / G));
  if (len / V <= G)
    rowNormRegisterKernel<T, V, 1, G>
        <<<grid, kRowThreads, 0, stream>>>(x, residual, scale, bias, y, rows, len, eps, scaleMode, biasMode);
  else
    rowNormRegisterKernel<T, V, 2, G>
        <<<grid, kRowThreads, 0, stream>>>(x, residual, scale, bias, y, rows, len, eps, scaleMode, biasMode);
}

// Runs rows of len in registers when they fit (true), else returns false. Up to 16 packs a row, 8 lanes a
// row; up to 32 packs, 16 lanes; then a warp per row up to 32 * V * kMaxPacks elements (1024 floats, 2048
// halves packed, 256 unpacked), a block per row up to kRowThreads times that.
template <typename T>
bool registerRows(cudaStream_t stream, const T* x, const T* residual, const T* scale, const T* bias, T* y, int64_t rows,
                  int64_t len, float eps, int scaleMode, int biasMode) {
  constexpr int V = kVectorElems<T>;
  const bool packed = len % V == 0 && alignedFor<T>(x, V) && alignedFor<T>(y, V) &&
                      (!residual || alignedFor<T>(residual, V)) && (scaleMode == kScalar || alignedFor<T>(scale, V)) &&
                      (biasMode == kScalar || alignedFor<T>(bias, V));
  const int n = static_cast<int>(len);
  if (packed && len <= 16 * V) {
    launchShortRows<T, V, 8>(stream, x, residual, scale, bias, y, rows, n, eps, scaleMode, biasMode);
    return true;
  }
  if (packed && len <= 32 * V) {
    launchShortRows<T, V, 16>(stream, x, residual, scale, bias, y, rows, n, eps, scaleMode, biasMode);
    return true;
  }
  if (packed && len <= 32 * V * kMaxPacks) {
    launchRegisterRows<T, V, 32>(stream, x, residual, scale, bias, y, rows, n, eps, scaleMode, biasMode);
    return true;
  }
  if (packed && len <= kRowThreads * V * kMaxPacks) {
    launchRegisterRows<T, V, kRowThreads>(stream, x, residual, scale, bias, y, rows, n, eps, scaleMode, biasMode);
    return true;
  }
  if (!packed && len <= 32 * kMaxPacks) {
    launchRegisterRows<T, 1, 32>(stream, x, residual, scale, bias, y, rows, n, eps, scaleMode, biasMode);
    return true;
  }
  if (!packed && len <= kRowThreads * kMaxPacks) {
    launchRegisterRows<T, 1, kRowThreads>(stream, x, residual, scale, bias, y, rows, n, eps, scaleMode, biasMode);
    return true;
  }
  return false;
}

// Rows longer than the registers hold: each row split into segments over gridDim.y blocks
// (packs of V as above; segLen a multiple of V). Pass 1 stores each segment's mean and centred sum
// of squares (two passes over the segment, the second mostly from L2); pass 2 merges a row's
// segments in a fixed order (Chan et al.'s pairwise formula: exact in FP32 up to rounding, no
// cancellation) and normalizes its own segment.
template <typename T, int V>
__global__ void __launch_bounds__(kRowThreads)
    segmentStatsKernel(const T* __restrict__ x, const T* __restrict__ residual, int64_t len, int64_t segLen,
                       float2* __restrict__ stats) {
  const int64_t row = blockIdx.x, start = static_cast<int64_t>(blockIdx.y) * segLen;
  const int64_t n = len - start < segLen ? len - start : segLen;
  const T* xs = x + row * len + start;
  const T* rs = residual ? residual + row * len + start : nullptr;
  auto loadPack = [&](int64_t i, float* v) {
    const Pack<T, V> a = *reinterpret_cast<const Pack<T, V>*>(xs + i * V);
    Pack<T, V> b;
    if (rs) b = *reinterpret_cast<const Pack<T, V>*>(rs + i * V);
#pragma unroll
    for (int e = 0; e < V; ++e) v[e] = toFloat(a.e[e]) + (rs ? toFloat(b.e[e]) : 0.f);
  };
  __shared__ float shared[32];
  float sum = 0.f;
  for (int64_t i = threadIdx.x; i < n / V; i += blockDim.x) {
    float v[V];
    loadPack(i, v);
#pragma unroll
    for (int e = 0; e < V; ++e) sum += v[e];
  }
  const float mean = blockAllReduce<ReduceOperation::kSUM>(sum, shared) / static_cast<float>(n);
  float m2 = 0.f;
  for (int64_t i = threadIdx.x; i < n / V; i += blockDim.x) {
    float v[V];
    loadPack(i, v);
#pragma unroll
    for (int e = 0; e < V; ++e) m2 += (v[e] - mean) * (v[e] - mean);
  }
  m2 = blockAllReduce<ReduceOperation::kSUM>(m2, shared);
  if (threadIdx.x == 0) stats[row * gridDim.y + blockIdx.y] = make_float2(mean, m2);
}

template <typename T, int V>
__global__ void __launch_bounds__(kRowThreads)
    segmentNormKernel(const T* __restrict__ x, const T* __restrict__ residual, const T* __restrict__ scale,
                      const T* __restrict__ bias, T* __restrict__ y, int64_t len, int64_t segLen,
                      const float2* __restrict__ stats, float eps, int scaleMode, int biasMode) {
  const int64_t row = blockIdx.x, start = static_cast<int64_t>(blockIdx.y) * segLen;
  const int64_t n = len - start < segLen ? len - start : segLen;
  // The row's mean, then its centred sum of squares, from the segments' (every thread alike).
  const float2* rowStats = stats + row * gridDim.y;
  float mean = 0.f;
  for (unsigned k = 0; k < gridDim.y; ++k) {
    const int64_t nk = len - k * segLen < segLen ? len - k * segLen : segLen;
    mean += rowStats[k].x * static_cast<float>(nk);
  }
  mean /= static_cast<float>(len);
  float m2 = 0.f;
  for (unsigned k = 0; k < gridDim.y; ++k) {
    const int64_t nk = len - k * segLen < segLen ? len - k * segLen : segLen;
    const float d = rowStats[k].x - mean;
    m2 += rowStats[k].y + d * d * static_cast<float>(nk);
  }
  const float inv = rsqrtf(m2 / static_cast<float>(len) + eps);
  const int64_t offset = row * len + start;
  const float scalarScale = scaleMode == kScalar ? toFloat(scale[0]) : 0.f;
  const float scalarBias = biasMode == kScalar ? toFloat(bias[0]) : 0.f;
  for (int64_t i = threadIdx.x; i < n / V; i += blockDim.x) {
    const int64_t k = i * V;
    const Pack<T, V> a = *reinterpret_cast<const Pack<T, V>*>(x + offset + k);
    Pack<T, V> b, sc, bi, out;
    if (residual) b = *reinterpret_cast<const Pack<T, V>*>(residual + offset + k);
    if (scaleMode != kScalar) sc = *reinterpret_cast<const Pack<T, V>*>(scale + start + k);
    if (biasMode != kScalar) bi = *reinterpret_cast<const Pack<T, V>*>(bias + start + k);
#pragma unroll
    for (int e = 0; e < V; ++e) {
      const float v = toFloat(a.e[e]) + (residual ? toFloat(b.e[e]) : 0.f);
      out.e[e] = fromFloat<T>((v - mean) * inv * (scaleMode == kScalar ? scalarScale : toFloat(sc.e[e])) +
                              (biasMode == kScalar ? scalarBias : toFloat(bi.e[e])));
    }
    *reinterpret_cast<Pack<T, V>*>(y + offset + k) = out;
  }
}

// Runs long rows segmented (true), or returns false when the workspace limit leaves no room for
// the segments' statistics.
template <typename T>
bool segmentedRows(LaunchContext& ctx, const T* x, const T* residual, const T* scale, const T* bias, T* y, int64_t rows,
                   int64_t len, float eps, int scaleMode, int biasMode) {
  constexpr int VP = kVectorElems<T>;
  const bool packed =
      len % VP == 0 && alignedFor<T>(x, VP) && alignedFor<T>(y, VP) && (!residual || alignedFor<T>(residual, VP)) &&
      (scaleMode == kScalar || alignedFor<T>(scale, VP)) && (biasMode == kScalar || alignedFor<T>(bias, VP));
  const int v = packed ? VP : 1;
  // Enough blocks to fill the GPU twice, each segment at least 8 packs per thread.
  const int64_t target = 2 * static_cast<int64_t>(multiprocessorCount()) * (2048 / kRowThreads);
  const int64_t minSeg = static_cast<int64_t>(kRowThreads) * v * 8;
  int64_t splits = rows >= target ? 1 : (target + rows - 1) / rows;
  splits = std::max<int64_t>(1, std::min<int64_t>({splits, (len + minSeg - 1) / minSeg, 65535}));
  int64_t segLen = (len + splits - 1) / splits;
  segLen = (segLen + v - 1) / v * v;
  splits = (len + segLen - 1) / segLen;
  const size_t bytes = static_cast<size_t>(rows * splits) * sizeof(float2);
  if (ctx.workspaceLimit > 0 && bytes > ctx.workspaceLimit) return false;
  auto* stats = static_cast<float2*>(ctx.scratch(bytes));
  const dim3 grid(static_cast<unsigned>(rows), static_cast<unsigned>(splits));
  if (packed) {
    segmentStatsKernel<T, VP><<<grid, kRowThreads, 0, ctx.stream>>>(x, residual, len, segLen, stats);
    segmentNormKernel<T, VP><<<grid, kRowThreads, 0, ctx.stream>>>(x, residual, scale, bias, y, len, segLen, stats, eps,
                                                                   scaleMode, biasMode);
  } else {
    segmentStatsKernel<T, 1><<<grid, kRowThreads, 0, ctx.stream>>>(x, residual, len, segLen, stats);
    segmentNormKernel<T, 1><<<grid, kRowThreads, 0, ctx.stream>>>(x, residual, scale, bias, y, len, segLen, stats, eps,
                                                                  scaleMode, biasMode);
  }
  return true;
}

struct NormGeometry {
  int rank;
  int64_t dims[Dims::MAX_DIMS];
  int64_t stride[Dims::MAX_DIMS];
  int64_t scaleStride[Dims::MAX_DIMS];
  int64_t biasStride[Dims::MAX_DIMS];
  uint32_t axes;
  int64_t groupSize;
};

// Offset of the r-th reduced element of the group whose kept coordinates are in `coord`.
__device__ void reducedCoords(const NormGeometry& g, int64_t r, int64_t* coord) {
  for (int d = g.rank - 1; d >= 0; --d) {
    if (!((g.axes >> d) & 1u)) continue;
    coord[d] = r % g.dims[d];
    r /= g.dims[d];
  }
}

template <typename T>
__global__ void groupNormKernel(const T* x, const T* residual, const T* scale, const T* bias, T* y, NormGeometry g,
                                float eps, int64_t groups) {
  int64_t grp = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (grp >= groups) return;
  int64_t coord[Dims::MAX_DIMS] = {};
  for (int d = g.rank - 1; d >= 0; --d) {
    if ((g.axes >> d) & 1u) continue;
    coord[d] = grp % g.dims[d];
    grp /= g.dims[d];
  }
  auto offset = [&](const int64_t* strides) {
    int64_t o = 0;
    for (int d = 0; d < g.rank; ++d) o += coord[d] * strides[d];
    return o;
  };
  double sum = 0.0;
  for (int64_t r = 0; r < g.groupSize; ++r) {
    reducedCoords(g, r, coord);
    sum += loadSum(x, residual, offset(g.stride));
  }
  const double mean = sum / static_cast<double>(g.groupSize);
  double var = 0.0;
  for (int64_t r = 0; r < g.groupSize; ++r) {
    reducedCoords(g, r, coord);
    double c = loadSum(x, residual, offset(g.stride)) - mean;
    var += c * c;
  }
  const double inv = 1.0 / sqrt(var / static_cast<double>(g.groupSize) + eps);
  for (int64_t r = 0; r < g.groupSize; ++r) {
    reducedCoords(g, r, coord);
    const int64_t o = offset(g.stride);
    store(y, o,
          static_cast<float>((loadSum(x, residual, o) - mean) * inv * load(scale, offset(g.scaleStride)) +
                             load(bias, offset(g.biasStride))));
  }
}

// kScalar / kPerElement when `param` broadcasts that way over rows of `len` trailing elements; -1 otherwise.
int rowParamMode(const Dims& param, const Dims& x, int firstAxis, int64_t len) {
  if (param.volume() == 1) return kScalar;
  if (param.volume() != len) return -1;
  int64_t strides[Dims::MAX_DIMS];
  layer_util::broadcastStrides(param, x, strides);
  int64_t packed = 1;
  for (int d = x.nbDims - 1; d >= 0; --d) {
    const int64_t expected = d >= firstAxis ? (x.d[d] == 1 ? 0 : packed) : 0;
    if (strides[d] != expected) return -1;
    if (d >= firstAxis) packed *= x.d[d];
  }
  return kPerElement;
}
}  // namespace

void launchNormalization(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const auto& norm = static_cast<const INormalizationLayer&>(layer);
  const Dims& d = in[0].dims;
  const uint32_t axes = norm.getAxes();
  int firstAxis = d.nbDims;
  while (firstAxis > 0 && ((axes >> (firstAxis - 1)) & 1u)) --firstAxis;
  const uint32_t trailingMask = ((1u << d.nbDims) - 1) & ~((1u << firstAxis) - 1);
  const bool trailing = firstAxis < d.nbDims && axes == trailingMask;
  int64_t rows = 1, len = 1;
  for (int i = 0; i < d.nbDims; ++i) (i >= firstAxis ? len : rows) *= d.d[i];
  const int scaleMode = trailing ? rowParamMode(in[1].dims, d, firstAxis, len) : -1;
  const int biasMode = trailing ? rowParamMode(in[2].dims, d, firstAxis, len) : -1;
  dispatchFloating(in[0].type, layer.describe(), [&](auto tag) {
    using T = decltype(tag);
    const T* x = static_cast<const T*>(in[0].data);
    const T* scale = static_cast<const T*>(in[1].data);
    const T* bias = static_cast<const T*>(in[2].data);
    const T* residual = in.size() == 4 ? static_cast<const T*>(in[3].data) : nullptr;
    T* y = static_cast<T*>(out.data);
    if (scaleMode >= 0 && biasMode >= 0 &&
        registerRows(ctx.stream, x, residual, scale, bias, y, rows, len, norm.getEpsilon(), scaleMode, biasMode)) {
      check(cudaGetLastError(), "normalization kernel launch");
      return;
    }
    if (scaleMode >= 0 && biasMode >= 0 &&
        segmentedRows(ctx, x, residual, scale, bias, y, rows, len, norm.getEpsilon(), scaleMode, biasMode)) {
      check(cudaGetLastError(), "normalization kernel launch");
      return;
    }
    if (scaleMode >= 0 && biasMode >= 0) {  // no workspace for the segmented kernels
      rowNormKernel<<<static_cast<unsigned>(rows), kRowThreads, 0, ctx.stream>>>(
          x, residual, scale, bias, y, len, norm.getEpsilon(), scaleMode, biasMode);
      return;
    }
    NormGeometry g{};
    g.rank = d.nbDims;
    g.axes = axes;
    g.groupSize = 1;
    int64_t s = 1, groups = 1;
    for (int i = d.nbDims - 1; i >= 0; --i) {
      g.dims[i] = d.d[i];
      g.stride[i] = s;
      s *= d.d[i];
      ((axes >> i) & 1u ? g.groupSize : groups) *= d.d[i];
    }
    layer_util::broadcastStrides(in[1].dims, d, g.scaleStride);
    layer_util::broadcastStrides(in[2].dims, d, g.biasStride);
    groupNormKernel<<<static_cast<unsigned>((groups + 127) / 128), 128, 0, ctx.stream>>>(x, residual, scale, bias, y, g,
                                                                                         norm.getEpsilon(), groups);
  });
  check(cudaGetLastError(), "normalization kernel launch");
}

}  // namespace cuda
}  // namespace trt
