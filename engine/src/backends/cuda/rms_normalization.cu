// RMSNormalization on the GPU: a warp per row held in registers where it fits (16-byte accesses), else one
// block per row of the normalized last dimensions; the mean square summed in FP32 (fixed order), then
// y = x * rsqrt(mean + epsilon) * scale, rounded once.
#include "backends/cuda/cuda_kernels.h"
#include "backends/cuda/float_types.cuh"
#include "backends/cuda/reduction_util.cuh"
#include "common/broadcast_index.h"
#include "common/rms_rows.h"

namespace trt {
namespace cuda {
namespace {

constexpr int kThreads = 256;

template <typename T>
__global__ void rmsNormKernel(const T* x, const T* scale, T* y, BroadcastIndex scaleAt, bool scalePerPosition,
                              int64_t rows, int64_t rowLength, float epsilon) {
  __shared__ float partial[32];
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const int64_t base = r * rowLength;
    float sum = 0.f;
    for (int64_t i = threadIdx.x; i < rowLength; i += blockDim.x) {
      const float v = load(x, base + i);
      sum += v * v;
    }
    sum = blockAllReduce<ReduceOperation::kSUM>(sum, partial);
    const float inverse = rsqrtf(sum / static_cast<float>(rowLength) + epsilon);
    for (int64_t i = threadIdx.x; i < rowLength; i += blockDim.x) {
      const int64_t at = base + i;
      store(y, at, load(x, at) * inverse * (scale ? load(scale, scalePerPosition ? i : scaleAt(at)) : 1.f));
    }
  }
}

// Rows of at most 32 * V * P elements (V per 16 bytes) in registers, a warp per row (kThreads / 32 rows a
// block): x read once with 16-byte loads, the weight at the row position likewise. T5-base's 25 norms a
// call at batch 32 took 370 us through the block-per-row kernel above (15 us for 12.6 MB moved).
template <typename T, int P>
__global__ void __launch_bounds__(kThreads) rmsNormWarpKernel(const T* __restrict__ x, const T* __restrict__ scale,
                                                              T* __restrict__ y, int64_t rows, int len, float epsilon) {
  constexpr int V = kVectorElems<T>;
  const int64_t row = static_cast<int64_t>(blockIdx.x) * (kThreads / 32) + threadIdx.x / 32;
  if (row >= rows) return;  // whole warps leave together: the shuffles below see every lane
  const int lane = threadIdx.x % 32;
  const T* xr = x + row * len;
  T* yr = y + row * len;
  uint4 raw[P];
  float sum = 0.f;
#pragma unroll
  for (int p = 0; p < P; ++p) {
    const int k = (lane + 32 * p) * V;
    if (k < len) {
      raw[p] = *reinterpret_cast<const uint4*>(xr + k);
      const T* e = reinterpret_cast<const T*>(&raw[p]);
#pragma unroll
      for (int i = 0; i < V; ++i) {
        const float v = toFloat(e[i]);
        sum += v * v;
      }
    }
  }
  sum = warpAllReduce<ReduceOperation::kSUM>(sum);
  const float inverse = rsqrtf(sum / static_cast<float>(len) + epsilon);
#pragma unroll
  for (int p = 0; p < P; ++p) {
    const int k = (lane + 32 * p) * V;
    if (k < len) {
      T* e = reinterpret_cast<T*>(&raw[p]);
      uint4 weights = make_uint4(0, 0, 0, 0);
      if (scale) weights = *reinterpret_cast<const uint4*>(scale + k);
      const T* w = reinterpret_cast<const T*>(&weights);
#pragma unroll
      for (int i = 0; i < V; ++i) e[i] = fromFloat<T>(toFloat(e[i]) * inverse * (scale ? toFloat(w[i]) : 1.f));
      *reinterpret_cast<uint4*>(yr + k) = raw[p];
    }
  }
}

// The warp kernel when a row fits 8 packs a lane, the weight (if any) is read at the row position, and every
// pointer and the row length allow 16-byte accesses; else false.
template <typename T>
bool launchWarpRows(cudaStream_t stream, const T* x, const T* scale, T* y, int64_t rows, int64_t len, bool scaled,
                    bool scalePerPosition, float epsilon) {
  constexpr int V = kVectorElems<T>;
  if ((scaled && !scalePerPosition) || len % V != 0 || len > 32 * V * 8 || !alignedFor<T>(x, V) ||
      !alignedFor<T>(y, V) || (scale && !alignedFor<T>(scale, V)))
    return false;
  const int64_t packs = (len / V + 31) / 32;
  const int64_t blocks = (rows + kThreads / 32 - 1) / (kThreads / 32);
  if (blocks > (int64_t(1) << 31) - 1) return false;
  const auto grid = static_cast<unsigned>(blocks);
  const int n = static_cast<int>(len);
  if (packs <= 1)
    rmsNormWarpKernel<T, 1><<<grid, kThreads, 0, stream>>>(x, scale, y, rows, n, epsilon);
  else if (packs <= 2)
    rmsNormWarpKernel<T, 2><<<grid, kThreads, 0, stream>>>(x, scale, y, rows, n, epsilon);
  else if (packs <= 4)
    rmsNormWarpKernel<T, 4><<<grid, kThreads, 0, stream>>>(x, scale, y, rows, n, epsilon);
  else
    rmsNormWarpKernel<T, 8><<<grid, kThreads, 0, stream>>>(x, scale, y, rows, n, epsilon);
  return true;
}

}  // namespace

void launchRMSNormalization(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in,
                            TensorView& out) {
  const auto& norm = static_cast<const IRMSNormalizationLayer&>(layer);
  const Dims& d = in[0].dims;
  const RmsRows shape = rmsRows(d, norm.getAxes());
  if (shape.count == 0) return;
  const int64_t rows = shape.count, rowLength = shape.length;
  const bool scaled = in.size() > 1;
  const BroadcastIndex scaleAt(d, scaled ? in[1].dims : Dims{});
  // A norm's weight is read at the position in the row: no broadcast index (divisions) per element.
  const bool scalePerPosition = scaled && rmsScalePerPosition(d, in[1].dims, norm.getAxes());
  const unsigned blocks = static_cast<unsigned>(rows < (1 << 20) ? rows : (1 << 20));
  dispatchFloating(in[0].type, layer.describe(), [&](auto tag) {
    using T = decltype(tag);
    const T* x = static_cast<const T*>(in[0].data);
    const T* scale = scaled ? static_cast<const T*>(in[1].data) : nullptr;
    T* y = static_cast<T*>(out.data);
    if (!launchWarpRows(ctx.stream, x, scale, y, rows, rowLength, scaled, scalePerPosition, norm.getEpsilon()))
      rmsNormKernel<T><<<blocks, kThreads, 0, ctx.stream>>>(x, scale, y, scaleAt, scalePerPosition, rows, rowLength,
                                                            norm.getEpsilon());
  });
  check(cudaGetLastError(), "rms normalization kernel launch");
}

}  // namespace cuda
}  // namespace trt
