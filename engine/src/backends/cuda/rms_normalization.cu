// RMSNormalization on the GPU: one block per row of the normalized last dimensions, the mean square
// summed in FP32 by the block (fixed order), then y = x * rsqrt(mean + epsilon) * scale, rounded once.
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
    rmsNormKernel<T><<<blocks, kThreads, 0, ctx.stream>>>(
        static_cast<const T*>(in[0].data), scaled ? static_cast<const T*>(in[1].data) : nullptr,
        static_cast<T*>(out.data), scaleAt, scalePerPosition, rows, rowLength, norm.getEpsilon());
  });
  check(cudaGetLastError(), "rms normalization kernel launch");
}

}  // namespace cuda
}  // namespace trt
