// Reductions over any axes (one thread per output, float accumulation in double) and softmax
// (one warp per row, float accumulation, the row in registers when it is the last axis and short;
// an optional additive mask read through broadcast strides).
#include <cfloat>
#include <limits>

#include "backends/cuda/cuda_kernels.h"
#include "backends/cuda/float_types.cuh"
#include "layers/layer_util.h"

namespace trt {
namespace cuda {

namespace {
struct ReduceGeometry {
  int rank;
  int64_t dims[Dims::MAX_DIMS];
  int64_t stride[Dims::MAX_DIMS];
  uint32_t axes;
  int64_t reducedCount;
};

template <typename T>
__global__ void reduceKernel(const T* src, T* dst, ReduceGeometry g, ReduceOperation op, int64_t nOut) {
  int64_t o = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (o >= nOut) return;
  // Base offset from the kept dims of output index o.
  int64_t rem = o, base = 0;
  for (int d = g.rank - 1; d >= 0; --d) {
    if ((g.axes >> d) & 1u) continue;
    base += (rem % g.dims[d]) * g.stride[d];
    rem /= g.dims[d];
  }
  double acc = op == ReduceOperation::kPROD  ? 1.0
               : op == ReduceOperation::kMAX ? -INFINITY
               : op == ReduceOperation::kMIN ? INFINITY
                                             : 0.0;
  for (int64_t r = 0; r < g.reducedCount; ++r) {
    int64_t rr = r, off = base;
    for (int d = g.rank - 1; d >= 0; --d) {
      if (!((g.axes >> d) & 1u)) continue;
      off += (rr % g.dims[d]) * g.stride[d];
      rr /= g.dims[d];
    }
    double v = load(src, off);
    switch (op) {
      case ReduceOperation::kSUM:
      case ReduceOperation::kAVG:
        acc += v;
        break;
      case ReduceOperation::kPROD:
        acc *= v;
        break;
      case ReduceOperation::kMAX:
        acc = (isnan(v) || v > acc) ? v : acc;
        break;
      case ReduceOperation::kMIN:
        acc = (isnan(v) || v < acc) ? v : acc;
        break;
    }
  }
  store(dst, o, static_cast<float>(op == ReduceOperation::kAVG ? acc / static_cast<double>(g.reducedCount) : acc));
}

// Where the additive mask of a softmax is read: its strides as seen from the input's shape (0 on
// broadcast dims). rank == 0: no mask.
struct MaskGeometry {
  int rank = 0;
  int64_t dims[Dims::MAX_DIMS];
  int64_t stride[Dims::MAX_DIMS];
};

__device__ __forceinline__ int64_t maskOffset(const MaskGeometry& m, int64_t i) {
  int64_t off = 0;
  for (int d = m.rank - 1; d >= 0; --d) {
    off += (i % m.dims[d]) * m.stride[d];
    i /= m.dims[d];
  }
  return off;
}

// Any axis: one warp per (outer, inner) row, three passes over the row.
template <typename T>
__global__ void softmaxKernel(const T* src, const T* mask, MaskGeometry mg, T* dst, int64_t outer, int64_t len,
                              int64_t inner) {
  int64_t row = blockIdx.x * static_cast<int64_t>(blockDim.y) + threadIdx.y;
  if (row >= outer * inner) return;
  int64_t o = row / inner, j = row % inner;
  const int64_t base = o * len * inner + j;
  auto value = [&](int64_t k) {
    const int64_t i = base + k * inner;
    return mask ? load(src, i) + load(mask, maskOffset(mg, i)) : load(src, i);
  };
  float mx = -INFINITY;
  for (int64_t k = threadIdx.x; k < len; k += 32) mx = fmaxf(mx, value(k));
  for (int s = 16; s > 0; s >>= 1) mx = fmaxf(mx, __shfl_xor_sync(0xffffffff, mx, s));
  float sum = 0.f;
  for (int64_t k = threadIdx.x; k < len; k += 32) sum += expf(value(k) - mx);
  for (int s = 16; s > 0; s >>= 1) sum += __shfl_xor_sync(0xffffffff, sum, s);
  float inv = 1.f / sum;
  for (int64_t k = threadIdx.x; k < len; k += 32) store(dst, base + k * inner, expf(value(k) - mx) * inv);
}

// The last axis with at most 32 * kPerLane elements (attention rows): one warp per row holds the
// row in registers, so the input is read once and the output written once.
template <typename T, int kPerLane>
__global__ void softmaxLastAxisKernel(const T* src, const T* mask, MaskGeometry mg, T* dst, int64_t rows, int len) {
  const int64_t row = blockIdx.x * static_cast<int64_t>(blockDim.y) + threadIdx.y;
  if (row >= rows) return;
  const T* x = src + row * len;
  // The mask's row: its offset at the row's first element, then its stride along the last axis.
  const T* m = mask ? mask + maskOffset(mg, row * len) : nullptr;
  const int64_t mStride = mask ? mg.stride[mg.rank - 1] : 0;
  float v[kPerLane];
  float mx = -INFINITY;
#pragma unroll
  for (int p = 0; p < kPerLane; ++p) {
    const int k = threadIdx.x + 32 * p;
    v[p] = k < len ? load(x, k) + (m ? load(m, k * mStride) : 0.f) : -INFINITY;
    mx = fmaxf(mx, v[p]);
  }
  for (int s = 16; s > 0; s >>= 1) mx = fmaxf(mx, __shfl_xor_sync(0xffffffff, mx, s));
  float sum = 0.f;
#pragma unroll
  for (int p = 0; p < kPerLane; ++p) {
    const int k = threadIdx.x + 32 * p;
    v[p] = k < len ? expf(v[p] - mx) : 0.f;
    sum += v[p];
  }
  for (int s = 16; s > 0; s >>= 1) sum += __shfl_xor_sync(0xffffffff, sum, s);
  const float inv = 1.f / sum;
  T* y = dst + row * len;
#pragma unroll
  for (int p = 0; p < kPerLane; ++p) {
    const int k = threadIdx.x + 32 * p;
    if (k < len) store(y, k, v[p] * inv);
  }
}

template <typename T, int kPerLane>
void launchLastAxis(cudaStream_t stream, const T* src, const T* mask, const MaskGeometry& mg, T* dst, int64_t rows,
                    int len) {
  dim3 block(32, 4);
  softmaxLastAxisKernel<T, kPerLane>
      <<<static_cast<unsigned>((rows + 3) / 4), block, 0, stream>>>(src, mask, mg, dst, rows, len);
}
// Integer reductions: int64 accumulation (sums and products wrap as PyTorch's int64 arithmetic).
template <typename T>
__global__ void reduceIntKernel(const T* src, T* dst, ReduceGeometry g, ReduceOperation op, int64_t init,
                                int64_t nOut) {
  int64_t o = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (o >= nOut) return;
  int64_t rem = o, base = 0;
  for (int d = g.rank - 1; d >= 0; --d) {
    if ((g.axes >> d) & 1u) continue;
    base += (rem % g.dims[d]) * g.stride[d];
    rem /= g.dims[d];
  }
  unsigned long long acc = static_cast<unsigned long long>(init);
  for (int64_t r = 0; r < g.reducedCount; ++r) {
    int64_t rr = r, off = base;
    for (int d = g.rank - 1; d >= 0; --d) {
      if (!((g.axes >> d) & 1u)) continue;
      off += (rr % g.dims[d]) * g.stride[d];
      rr /= g.dims[d];
    }
    const int64_t v = src[off];
    if (op == ReduceOperation::kSUM || op == ReduceOperation::kAVG) acc += static_cast<unsigned long long>(v);
    if (op == ReduceOperation::kPROD) acc *= static_cast<unsigned long long>(v);
    if (op == ReduceOperation::kMAX && v > static_cast<int64_t>(acc)) acc = static_cast<unsigned long long>(v);
    if (op == ReduceOperation::kMIN && v < static_cast<int64_t>(acc)) acc = static_cast<unsigned long long>(v);
  }
  dst[o] = static_cast<T>(static_cast<int64_t>(acc));
}
}  // namespace

void launchReduce(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const auto& reduce = static_cast<const IReduceLayer&>(layer);
  ReduceGeometry g{};
  g.rank = in[0].dims.nbDims;
  g.axes = reduce.getReduceAxes();
  g.reducedCount = 1;
  int64_t s = 1;
  for (int i = g.rank - 1; i >= 0; --i) {
    g.dims[i] = in[0].dims.d[i];
    g.stride[i] = s;
    s *= g.dims[i];
    if ((g.axes >> i) & 1u) g.reducedCount *= g.dims[i];
  }
  const int64_t nOut = out.dims.volume();
  const unsigned blocks = static_cast<unsigned>((nOut + 127) / 128);
  if (in[0].type == DataType::kINT32 || in[0].type == DataType::kINT64) {
    const ReduceOperation op = reduce.getOperation();
    const bool wide = in[0].type == DataType::kINT64;
    // The identity of the operation: the type's lowest value for MAX, its highest for MIN.
    const int64_t init = op == ReduceOperation::kPROD ? 1
                         : op == ReduceOperation::kMAX
                             ? (wide ? std::numeric_limits<int64_t>::min() : std::numeric_limits<int32_t>::min())
                         : op == ReduceOperation::kMIN
                             ? (wide ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int32_t>::max())
                             : 0;
    if (wide)
      reduceIntKernel<<<blocks, 128, 0, ctx.stream>>>(static_cast<const int64_t*>(in[0].data),
                                                      static_cast<int64_t*>(out.data), g, op, init, nOut);
    else
      reduceIntKernel<<<blocks, 128, 0, ctx.stream>>>(static_cast<const int32_t*>(in[0].data),
                                                      static_cast<int32_t*>(out.data), g, op, init, nOut);
    check(cudaGetLastError(), "reduce kernel launch");
    return;
  }
  dispatchFloating(in[0].type, layer.describe(), [&](auto tag) {
    using T = decltype(tag);
    reduceKernel<<<static_cast<unsigned>((nOut + 127) / 128), 128, 0, ctx.stream>>>(
        static_cast<const T*>(in[0].data), static_cast<T*>(out.data), g, reduce.getOperation(), nOut);
  });
  check(cudaGetLastError(), "reduce kernel launch");
}

void launchSoftMax(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const auto& softmax = static_cast<const ISoftMaxLayer&>(layer);
  const Dims& d = in[0].dims;
  int axis = d.nbDims - 1;
  if (softmax.getAxes() != 0)
    for (int i = 0; i < d.nbDims; ++i)
      if ((softmax.getAxes() >> i) & 1u) axis = i;
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < axis; ++i) outer *= d.d[i];
  for (int i = axis + 1; i < d.nbDims; ++i) inner *= d.d[i];
  const int64_t rows = outer * inner, len = d.d[axis];
  MaskGeometry mg;
  if (in.size() > 1) {
    mg.rank = d.nbDims;
    for (int i = 0; i < d.nbDims; ++i) mg.dims[i] = d.d[i];
    layer_util::broadcastStrides(in[1].dims, d, mg.stride);
  }
  dispatchFloating(in[0].type, layer.describe(), [&](auto tag) {
    using T = decltype(tag);
    const T* x = static_cast<const T*>(in[0].data);
    const T* mask = in.size() > 1 ? static_cast<const T*>(in[1].data) : nullptr;
    T* y = static_cast<T*>(out.data);
    if (inner == 1 && len <= 32) {
      launchLastAxis<T, 1>(ctx.stream, x, mask, mg, y, rows, static_cast<int>(len));
    } else if (inner == 1 && len <= 128) {
      launchLastAxis<T, 4>(ctx.stream, x, mask, mg, y, rows, static_cast<int>(len));
    } else if (inner == 1 && len <= 512) {
      launchLastAxis<T, 16>(ctx.stream, x, mask, mg, y, rows, static_cast<int>(len));
    } else if (inner == 1 && len <= 1024) {
      launchLastAxis<T, 32>(ctx.stream, x, mask, mg, y, rows, static_cast<int>(len));
    } else {
      dim3 block(32, 8);
      softmaxKernel<<<static_cast<unsigned>((rows + 7) / 8), block, 0, ctx.stream>>>(x, mask, mg, y, outer, len, inner);
    }
  });
  check(cudaGetLastError(), "softmax kernel launch");
}

}  // namespace cuda
}  // namespace trt
