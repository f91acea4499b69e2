// Reductions over any axes (one thread per output, float accumulation in double) and softmax
// (one warp per row, float accumulation).
#include <cfloat>

#include "backends/cuda/cuda_kernels.h"
#include "backends/cuda/float_types.cuh"

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

template <typename T>
__global__ void softmaxKernel(const T* src, T* dst, int64_t outer, int64_t len, int64_t inner) {
  int64_t row = blockIdx.x * static_cast<int64_t>(blockDim.y) + threadIdx.y;
  if (row >= outer * inner) return;
  int64_t o = row / inner, j = row % inner;
  const T* x = src + o * len * inner + j;
  T* y = dst + o * len * inner + j;
  float mx = -INFINITY;
  for (int64_t k = threadIdx.x; k < len; k += 32) mx = fmaxf(mx, load(x, k * inner));
  for (int s = 16; s > 0; s >>= 1) mx = fmaxf(mx, __shfl_xor_sync(0xffffffff, mx, s));
  float sum = 0.f;
  for (int64_t k = threadIdx.x; k < len; k += 32) sum += expf(load(x, k * inner) - mx);
  for (int s = 16; s > 0; s >>= 1) sum += __shfl_xor_sync(0xffffffff, sum, s);
  float inv = 1.f / sum;
  for (int64_t k = threadIdx.x; k < len; k += 32) store(y, k * inner, expf(load(x, k * inner) - mx) * inv);
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
  const int64_t rows = outer * inner;
  dim3 block(32, 8);
  dispatchFloating(in[0].type, layer.describe(), [&](auto tag) {
    using T = decltype(tag);
    softmaxKernel<<<static_cast<unsigned>((rows + 7) / 8), block, 0, ctx.stream>>>(
        static_cast<const T*>(in[0].data), static_cast<T*>(out.data), outer, d.d[axis], inner);
  });
  check(cudaGetLastError(), "softmax kernel launch");
}

}  // namespace cuda
}  // namespace trt
