// Reductions. The input's dims merge into (outer, reduced, inner) when the reduced axes are
// adjacent (after dropping size-1 dims), which covers row reductions, spatial means in NCHW
// (inner 1) and NHWC (inner C), and full reductions:
// - inner == 1: a warp (4 to 32 lanes for short rows) or a block (long rows) per row, 16-byte
//   loads from the row's first aligned element on;
// - inner > 1: threads across inner (coalesced, 16-byte loads where inner allows), the reduced
//   axis split over the block's rows.
// Few outputs over many elements split the reduced axis over several blocks: their partial
// results go to the context's scratch and a second pass combines them in a fixed order, so sums
// are deterministic. Floating inputs accumulate in float, integers in int64 (wrapping).
// Any other axis set (reduced axes apart) runs the generic kernel: one thread per output.
// Softmax is in softmax.cu.
#include <algorithm>
#include <cfloat>
#include <limits>

#include "backends/cuda/cuda_kernels.h"
#include "backends/cuda/float_types.cuh"
#include "backends/cuda/reduction_util.cuh"

namespace trt {
namespace cuda {

namespace {
constexpr int kThreads = 256;

// ---------------------------------------------------------------------------------------------
// inner == 1: groups of G threads (G <= 32: a warp or an aligned part of one per row, kThreads / G
// rows per block; G = kThreads: a block per row) reduce segment blockIdx.y (segLen elements) of a
// row of len. dst gets row * gridDim.y + blockIdx.y: the result (one segment) or a partial (several).
template <typename Tin, typename Tout, ReduceOperation Op, int G>
__global__ void __launch_bounds__(kThreads)
    rowReduceKernel(const Tin* __restrict__ src, Tout* __restrict__ dst, int64_t rows, int64_t len, int64_t segLen,
                    AccOf<Tin> init, float divisor) {
  using A = AccOf<Tin>;
  constexpr int V = 16 / sizeof(Tin);
  const int lane = threadIdx.x % G;
  int64_t row = static_cast<int64_t>(blockIdx.x) * (kThreads / G) + threadIdx.x / G;
  bool storing = true;
  if (G <= 32) {
    // Whole warps only leave early (no block-wide synchronization below); a group past the last
    // row of a live warp repeats that row's work without storing it (its warp's shuffles need it).
    if (row - (threadIdx.x % 32) / G >= rows) return;
    storing = row < rows;
    if (!storing) row = rows - 1;
  }
  const int64_t start = static_cast<int64_t>(blockIdx.y) * segLen;
  const int64_t n = len - start < segLen ? len - start : segLen;
  const Tin* p = src + row * len + start;
  A acc = init;
  const int64_t head = headBefore16(p, n);
  for (int64_t k = lane; k < head; k += G) acc = combine<Op>(acc, toAcc(p[k]));  // G may be < V - 1
  const int64_t nVec = (n - head) / V;
  const auto* vp = reinterpret_cast<const Pack<Tin, V>*>(p + head);
  int64_t i = lane;
  // Four independent 16-byte loads in flight per thread.
  for (; i + 3 * G < nVec; i += 4 * G) {
    Pack<Tin, V> r[4];
#pragma unroll
    for (int u = 0; u < 4; ++u) r[u] = vp[i + u * G];
#pragma unroll
    for (int u = 0; u < 4; ++u)
#pragma unroll
      for (int e = 0; e < V; ++e) acc = combine<Op>(acc, toAcc(r[u].e[e]));
  }
  for (; i < nVec; i += G) {
    const Pack<Tin, V> r = vp[i];
#pragma unroll
    for (int e = 0; e < V; ++e) acc = combine<Op>(acc, toAcc(r.e[e]));
  }
  for (int64_t k = head + nVec * V + lane; k < n; k += G) acc = combine<Op>(acc, toAcc(p[k]));
  if (G <= 32) {
    acc = warpAllReduce<Op, (G <= 32 ? G : 32)>(acc);
  } else {
    __shared__ A shared[32];
    acc = blockAllReduce<Op>(acc, shared);
  }
  if (lane == 0 && storing) storeAcc(dst, row * gridDim.y + blockIdx.y, acc, divisor);
}

// ---------------------------------------------------------------------------------------------
// inner > 1: a block of (BX x BY) threads; x across V-element packs of inner (coalesced), y across
// the reduced axis. blockIdx.x = outer index * xBlocks + x block; blockIdx.y: the segment of segR
// reduced rows. dst gets (o * gridDim.y + blockIdx.y) * inner + c: the result or a partial.
template <typename Tin, typename Tout, ReduceOperation Op, int V>
__global__ void __launch_bounds__(kThreads)
    colReduceKernel(const Tin* __restrict__ src, Tout* __restrict__ dst, int64_t R, int64_t inner, int64_t segR,
                    int xBlocks, AccOf<Tin> init, float divisor) {
  using A = AccOf<Tin>;
  __shared__ A shared[kThreads * V];
  const int bx = blockDim.x, by = blockDim.y, tx = threadIdx.x, ty = threadIdx.y;
  const int64_t o = blockIdx.x / xBlocks;
  const int64_t c = static_cast<int64_t>(blockIdx.x % xBlocks) * bx + tx;  // pack index along inner
  const int64_t packs = inner / V;
  const int64_t r0 = static_cast<int64_t>(blockIdx.y) * segR;
  const int64_t r1 = r0 + segR < R ? r0 + segR : R;
  A acc[V];
#pragma unroll
  for (int e = 0; e < V; ++e) acc[e] = init;
  if (c < packs) {
    const Tin* base = src + o * R * inner + c * V;
    int64_t r = r0 + ty;
    // Two rows in flight per thread.
    for (; r + by < r1; r += 2 * by) {
      const Pack<Tin, V> a = *reinterpret_cast<const Pack<Tin, V>*>(base + r * inner);
      const Pack<Tin, V> b = *reinterpret_cast<const Pack<Tin, V>*>(base + (r + by) * inner);
#pragma unroll
      for (int e = 0; e < V; ++e) acc[e] = combine<Op>(combine<Op>(acc[e], toAcc(a.e[e])), toAcc(b.e[e]));
    }
    if (r < r1) {
      const Pack<Tin, V> a = *reinterpret_cast<const Pack<Tin, V>*>(base + r * inner);
#pragma unroll
      for (int e = 0; e < V; ++e) acc[e] = combine<Op>(acc[e], toAcc(a.e[e]));
    }
  }
  // Tree over the block's rows (by is a power of two).
  A* mine = shared + (ty * bx + tx) * V;
#pragma unroll
  for (int e = 0; e < V; ++e) mine[e] = acc[e];
  for (int half = by / 2; half > 0; half /= 2) {
    __syncthreads();
    if (ty < half) {
      const A* other = shared + ((ty + half) * bx + tx) * V;
#pragma unroll
      for (int e = 0; e < V; ++e) mine[e] = combine<Op>(mine[e], other[e]);
    }
  }
  if (ty == 0 && c < packs) {
    const int64_t out = (o * gridDim.y + blockIdx.y) * inner + c * V;
#pragma unroll
    for (int e = 0; e < V; ++e) storeAcc(dst, out + e, mine[e], divisor);
  }
}

// ---------------------------------------------------------------------------------------------
// Reduced axes apart (e.g. axes 0 and 2 of three): one thread per output, strided reads.
struct ReduceGeometry {
  int rank;
  int64_t dims[Dims::MAX_DIMS];
  int64_t stride[Dims::MAX_DIMS];
  uint32_t axes;
  int64_t reducedCount;
};

template <typename Tin, typename Tout, ReduceOperation Op>
__global__ void genericReduceKernel(const Tin* src, Tout* dst, ReduceGeometry g, int64_t nOut, AccOf<Tin> init,
                                    float divisor) {
  int64_t o = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (o >= nOut) return;
  int64_t rem = o, base = 0;
  for (int d = g.rank - 1; d >= 0; --d) {
    if ((g.axes >> d) & 1u) continue;
    base += (rem % g.dims[d]) * g.stride[d];
    rem /= g.dims[d];
  }
  AccOf<Tin> acc = init;
  for (int64_t r = 0; r < g.reducedCount; ++r) {
    int64_t rr = r, off = base;
    for (int d = g.rank - 1; d >= 0; --d) {
      if (!((g.axes >> d) & 1u)) continue;
      off += (rr % g.dims[d]) * g.stride[d];
      rr /= g.dims[d];
    }
    acc = combine<Op>(acc, toAcc(src[off]));
  }
  storeAcc(dst, o, acc, divisor);
}

// ---------------------------------------------------------------------------------------------
// How a reduction runs.
struct Shape3 {
  bool contiguous = false;  // the reduced axes are adjacent once size-1 dims are dropped
  int64_t outer = 1, reduced = 1, inner = 1;
};

Shape3 classify(const Dims& d, uint32_t axes) {
  int64_t size[Dims::MAX_DIMS];
  bool red[Dims::MAX_DIMS];
  int n = 0;
  for (int i = 0; i < d.nbDims; ++i) {
    if (d.d[i] == 1) continue;  // neither kept nor reduced in any way that matters
    const bool r = (axes >> i) & 1u;
    if (n > 0 && red[n - 1] == r) {
      size[n - 1] *= d.d[i];
    } else {
      size[n] = d.d[i];
      red[n++] = r;
    }
  }
  Shape3 s;
  int groups = 0;
  for (int i = 0; i < n; ++i) groups += red[i];
  if (groups > 1) return s;
  s.contiguous = true;
  bool seen = false;
  for (int i = 0; i < n; ++i) {
    if (red[i]) {
      s.reduced = size[i];
      seen = true;
    } else {
      (seen ? s.inner : s.outer) *= size[i];
    }
  }
  return s;
}

// Blocks that fill the GPU about twice: fewer than that, and the reduced axis is split.
int64_t targetBlocks() { return 2 * static_cast<int64_t>(multiprocessorCount()) * (2048 / kThreads); }

// Splits of `count` items (each at least `minPerSplit`) that bring `blocks` blocks near the target.
int64_t splitsFor(int64_t blocks, int64_t count, int64_t minPerSplit) {
  const int64_t target = targetBlocks();
  if (blocks >= target / 2 || count <= minPerSplit) return 1;
  int64_t splits = (target + blocks - 1) / blocks;
  const int64_t most = count / minPerSplit;
  if (splits > most) splits = most;
  if (splits > 65535) splits = 65535;
  return splits < 1 ? 1 : splits;
}

// Scratch for `bytes` of partials, or null when the workspace limit does not allow it.
void* partialScratch(LaunchContext& ctx, size_t bytes) {
  if (ctx.workspaceLimit > 0 && bytes > ctx.workspaceLimit) return nullptr;
  return ctx.scratch(bytes);
}

// Launches rowReduceKernel with G lanes per row: the fewest (4 to 32) that give each lane about
// one 16-byte pack of a short row, a block for long rows.
template <typename Tin, typename Tout, ReduceOperation Op>
void rowLaunch(cudaStream_t stream, int group, dim3 grid, const Tin* src, Tout* dst, int64_t rows, int64_t len,
               int64_t segLen, AccOf<Tin> init, float divisor) {
  switch (group) {
    case 4:
      return rowReduceKernel<Tin, Tout, Op, 4>
          <<<grid, kThreads, 0, stream>>>(src, dst, rows, len, segLen, init, divisor);
    case 8:
      return rowReduceKernel<Tin, Tout, Op, 8>
          <<<grid, kThreads, 0, stream>>>(src, dst, rows, len, segLen, init, divisor);
    case 16:
      return rowReduceKernel<Tin, Tout, Op, 16>
          <<<grid, kThreads, 0, stream>>>(src, dst, rows, len, segLen, init, divisor);
    case 32:
      return rowReduceKernel<Tin, Tout, Op, 32>
          <<<grid, kThreads, 0, stream>>>(src, dst, rows, len, segLen, init, divisor);
    default:
      return rowReduceKernel<Tin, Tout, Op, kThreads>
          <<<grid, kThreads, 0, stream>>>(src, dst, rows, len, segLen, init, divisor);
  }
}

// Lanes per row for rows of len elements of T (kThreads: a block per row).
template <typename T>
int rowGroup(int64_t len) {
  constexpr int V = 16 / sizeof(T);
  if (len > 32 * V * 16) return kThreads;  // more than 16 packs per lane of a warp
  return static_cast<int>(std::min<int64_t>(32, std::max<int64_t>(4, nextPow2((len + V - 1) / V))));
}

template <typename T, ReduceOperation Op>
void rowReduce(LaunchContext& ctx, const T* src, T* dst, int64_t rows, int64_t len, AccOf<T> init, float divisor) {
  using A = AccOf<T>;
  constexpr int V = 16 / sizeof(T);
  const int group = rowGroup<T>(len);
  const int64_t rowsPerBlock = kThreads / group;
  const int64_t blocks = (rows + rowsPerBlock - 1) / rowsPerBlock;
  int64_t splits = splitsFor(blocks, len, static_cast<int64_t>(group) * V * 4);
  int64_t segLen = (len + splits - 1) / splits;
  segLen = (segLen + V - 1) / V * V;  // segments start 16-byte aligned where the row does
  if (segLen > 0) splits = (len + segLen - 1) / segLen;
  A* partial = nullptr;
  if (splits > 1) partial = static_cast<A*>(partialScratch(ctx, static_cast<size_t>(rows * splits) * sizeof(A)));
  if (!partial) {
    splits = 1;
    segLen = len;
  }
  const dim3 grid(static_cast<unsigned>(blocks), static_cast<unsigned>(splits));
  if (splits == 1) return rowLaunch<T, T, Op>(ctx.stream, group, grid, src, dst, rows, len, segLen, init, divisor);
  rowLaunch<T, A, Op>(ctx.stream, group, grid, src, partial, rows, len, segLen, init, 1.f);
  // The partials of each row, in segment order.
  const int group2 = rowGroup<A>(splits);
  const dim3 grid2(static_cast<unsigned>((rows + kThreads / group2 - 1) / (kThreads / group2)), 1);
  rowLaunch<A, T, Op>(ctx.stream, group2, grid2, partial, dst, rows, splits, splits, init, divisor);
}

// Threads of a column block: x across packs of inner, y (a power of two) across reduced rows.
dim3 columnBlock(int64_t packs, int64_t reduced) {
  int64_t by = std::min<int64_t>(nextPow2(std::max<int64_t>(reduced, 1)), kThreads / 32);
  int64_t bx = std::min<int64_t>(nextPow2(packs), kThreads / by);
  by = std::min<int64_t>(nextPow2(std::max<int64_t>(reduced, 1)), kThreads / bx);
  return dim3(static_cast<unsigned>(bx), static_cast<unsigned>(by));
}

template <typename Tin, typename Tout, ReduceOperation Op>
void colLaunch(cudaStream_t stream, const Tin* src, Tout* dst, int64_t outer, int64_t R, int64_t inner, int64_t splits,
               int64_t segR, int v, AccOf<Tin> init, float divisor) {
  constexpr int V = 16 / sizeof(Tin);
  const int64_t packs = inner / v;
  const dim3 block = columnBlock(packs, segR);
  const int64_t xBlocks = (packs + block.x - 1) / block.x;
  const dim3 grid(static_cast<unsigned>(outer * xBlocks), static_cast<unsigned>(splits));
  if (v == V)
    colReduceKernel<Tin, Tout, Op, V>
        <<<grid, block, 0, stream>>>(src, dst, R, inner, segR, static_cast<int>(xBlocks), init, divisor);
  else
    colReduceKernel<Tin, Tout, Op, 1>
        <<<grid, block, 0, stream>>>(src, dst, R, inner, segR, static_cast<int>(xBlocks), init, divisor);
}

template <typename T>
constexpr int colPack() {
  return 16 / sizeof(T);
}

template <typename T, ReduceOperation Op>
void colReduce(LaunchContext& ctx, const T* src, T* dst, int64_t outer, int64_t R, int64_t inner, AccOf<T> init,
               float divisor) {
  using A = AccOf<T>;
  // 16-byte packs where inner and the pointer allow.
  const int v = inner % colPack<T>() == 0 && alignedFor<T>(src, colPack<T>()) ? colPack<T>() : 1;
  const int64_t packs = inner / v;
  const dim3 block = columnBlock(packs, R);
  const int64_t blocks = outer * ((packs + block.x - 1) / block.x);
  int64_t splits = splitsFor(blocks, R, static_cast<int64_t>(block.y) * 8);
  int64_t segR = (R + splits - 1) / splits;
  if (segR > 0) splits = (R + segR - 1) / segR;
  A* partial = nullptr;
  if (splits > 1)
    partial = static_cast<A*>(partialScratch(ctx, static_cast<size_t>(outer * splits * inner) * sizeof(A)));
  if (!partial) {
    colLaunch<T, T, Op>(ctx.stream, src, dst, outer, R, inner, 1, R, v, init, divisor);
    return;
  }
  colLaunch<T, A, Op>(ctx.stream, src, partial, outer, R, inner, splits, segR, v, init, 1.f);
  // Partials [outer, splits, inner]: the same column reduction over the splits, in order.
  const int v2 = inner % colPack<A>() == 0 ? colPack<A>() : 1;
  colLaunch<A, T, Op>(ctx.stream, partial, dst, outer, splits, inner, 1, splits, v2, init, divisor);
}

template <typename T, ReduceOperation Op>
void reduceTyped(LaunchContext& ctx, const Dims& d, uint32_t axes, const void* in, void* out, int64_t nOut,
                 AccOf<T> init, bool average) {
  const T* src = static_cast<const T*>(in);
  T* dst = static_cast<T*>(out);
  const Shape3 s = classify(d, axes);
  int64_t reducedCount = 1;
  for (int i = 0; i < d.nbDims; ++i)
    if ((axes >> i) & 1u) reducedCount *= d.d[i];
  // AVG over nothing is 0 / 0 (NaN), as on the CPU.
  const float avgDivisor = average ? static_cast<float>(reducedCount) : 1.f;
  if (s.contiguous && s.inner == 1) return rowReduce<T, Op>(ctx, src, dst, s.outer, s.reduced, init, avgDivisor);
  if (s.contiguous) return colReduce<T, Op>(ctx, src, dst, s.outer, s.reduced, s.inner, init, avgDivisor);
  ReduceGeometry g{};
  g.rank = d.nbDims;
  g.axes = axes;
  g.reducedCount = reducedCount;
  int64_t stride = 1;
  for (int i = g.rank - 1; i >= 0; --i) {
    g.dims[i] = d.d[i];
    g.stride[i] = stride;
    stride *= g.dims[i];
  }
  genericReduceKernel<T, T, Op>
      <<<static_cast<unsigned>((nOut + 127) / 128), 128, 0, ctx.stream>>>(src, dst, g, nOut, init, avgDivisor);
}

// Calls fn(integral_constant<op>) with AVG as SUM (the division happens at the store).
template <typename Fn>
void dispatchOperation(ReduceOperation op, Fn fn) {
  using R = ReduceOperation;
  switch (op) {
    case R::kSUM:
    case R::kAVG:
      return fn(std::integral_constant<R, R::kSUM>{});
    case R::kPROD:
      return fn(std::integral_constant<R, R::kPROD>{});
    case R::kMAX:
      return fn(std::integral_constant<R, R::kMAX>{});
    case R::kMIN:
      return fn(std::integral_constant<R, R::kMIN>{});
  }
  throw Error("CUDA backend: unknown reduce operation " + std::to_string(static_cast<int>(op)));
}
}  // namespace

void launchReduce(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const auto& reduce = static_cast<const IReduceLayer&>(layer);
  const ReduceOperation op = reduce.getOperation();
  const Dims& d = in[0].dims;
  const uint32_t axes = reduce.getReduceAxes();
  const int64_t nOut = out.dims.volume();
  const bool average = op == ReduceOperation::kAVG;
  const DataType type = in[0].type;
  if (type == DataType::kINT32 || type == DataType::kINT64) {
    const bool wide = type == DataType::kINT64;
    // The identity: the type's lowest value for MAX, its highest for MIN (what an empty reduction gives).
    const int64_t init = op == ReduceOperation::kPROD ? 1
                         : op == ReduceOperation::kMAX
                             ? (wide ? std::numeric_limits<int64_t>::min() : std::numeric_limits<int32_t>::min())
                         : op == ReduceOperation::kMIN
                             ? (wide ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int32_t>::max())
                             : 0;
    dispatchOperation(op, [&](auto opTag) {
      constexpr ReduceOperation Op = decltype(opTag)::value;
      if (wide)
        reduceTyped<int64_t, Op>(ctx, d, axes, in[0].data, out.data, nOut, init, false);
      else
        reduceTyped<int32_t, Op>(ctx, d, axes, in[0].data, out.data, nOut, init, false);
    });
    check(cudaGetLastError(), "reduce kernel launch");
    return;
  }
  const float init = op == ReduceOperation::kPROD  ? 1.f
                     : op == ReduceOperation::kMAX ? -INFINITY
                     : op == ReduceOperation::kMIN ? INFINITY
                                                   : 0.f;
  dispatchFloating(type, layer.describe(), [&](auto tag) {
    using T = decltype(tag);
    dispatchOperation(op, [&](auto opTag) {
      constexpr ReduceOperation Op = decltype(opTag)::value;
      reduceTyped<T, Op>(ctx, d, axes, in[0].data, out.data, nOut, init, average);
    });
  });
  check(cudaGetLastError(), "reduce kernel launch");
}

}  // namespace cuda
}  // namespace trt
