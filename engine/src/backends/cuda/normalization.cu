// Normalization (layer, group, instance norm) in FP32 whatever the storage type. Trailing axes (the
// norms' case) run one block per row; any other mask one thread per group.
#include "backends/cuda/cuda_kernels.h"
#include "backends/cuda/float_types.cuh"
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

// Rows of at most kRowThreads * kPerThread elements (transformer hidden sizes): each thread keeps
// its elements in registers, so x and the residual are read once instead of three times.
template <typename T, int kPerThread>
__global__ void rowNormCachedKernel(const T* x, const T* residual, const T* scale, const T* bias, T* y, int len,
                                    float eps, int scaleMode, int biasMode) {
  const int64_t offset = static_cast<int64_t>(blockIdx.x) * len;
  float v[kPerThread];
  float s = 0.f;
#pragma unroll
  for (int p = 0; p < kPerThread; ++p) {
    const int k = threadIdx.x + p * kRowThreads;
    v[p] = k < len ? loadSum(x + offset, residual ? residual + offset : nullptr, k) : 0.f;
    s += v[p];
  }
  const float mean = blockSum(s) / static_cast<float>(len);
  float var = 0.f;
#pragma unroll
  for (int p = 0; p < kPerThread; ++p) {
    const int k = threadIdx.x + p * kRowThreads;
    const float c = k < len ? v[p] - mean : 0.f;
    var += c * c;
  }
  const float inv = rsqrtf(blockSum(var) / static_cast<float>(len) + eps);
#pragma unroll
  for (int p = 0; p < kPerThread; ++p) {
    const int k = threadIdx.x + p * kRowThreads;
    if (k < len) {
      const float sc = load(scale, scaleMode == kScalar ? 0 : k), b = load(bias, biasMode == kScalar ? 0 : k);
      store(y + offset, k, (v[p] - mean) * inv * sc + b);
    }
  }
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
    if (scaleMode >= 0 && biasMode >= 0 && len <= 4 * kRowThreads) {
      const unsigned grid = static_cast<unsigned>(rows);
      const int n = static_cast<int>(len);
      const float eps = norm.getEpsilon();
      if (len <= kRowThreads)
        rowNormCachedKernel<T, 1>
            <<<grid, kRowThreads, 0, ctx.stream>>>(x, residual, scale, bias, y, n, eps, scaleMode, biasMode);
      else if (len <= 2 * kRowThreads)
        rowNormCachedKernel<T, 2>
            <<<grid, kRowThreads, 0, ctx.stream>>>(x, residual, scale, bias, y, n, eps, scaleMode, biasMode);
      else
        rowNormCachedKernel<T, 4>
            <<<grid, kRowThreads, 0, ctx.stream>>>(x, residual, scale, bias, y, n, eps, scaleMode, biasMode);
      return;
    }
    if (scaleMode >= 0 && biasMode >= 0) {
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
