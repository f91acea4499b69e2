// Quantize (FP32 -> INT8; FP8 through quantizeToFp8) and Dequantize (INT8 or FP8 -> FP32), per tensor or per axis; the
// same arithmetic as the CPU reference (common/int8.h).
#include "backends/cuda/cuda_kernels.h"
#include "common/fp8.h"
#include "common/int8.h"

namespace trt {
namespace cuda {

namespace {
// The scales (a device copy uploaded with the engine) and how an element finds its own.
struct Scales {
  const float* values;  // device
  int64_t inner;        // elements after the axis (scale index = (i / inner) % extent)
  int64_t extent;       // 1 for a per-tensor scale
};

__global__ void quantizeKernel(const float* x, int8_t* y, Scales s, int64_t n) {
  int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i >= n) return;
  const float scale = s.values[(i / s.inner) % s.extent];
  y[i] = int8::quantize(x[i], int8::inverse(scale));
}

__global__ void dequantizeFp8Kernel(const uint8_t* x, float* y, float scale, int64_t n) {
  int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i < n) y[i] = fp8::toFloat(x[i]) * scale;
}

__global__ void dequantizeKernel(const int8_t* x, float* y, Scales s, int64_t n) {
  int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i >= n) return;
  y[i] = static_cast<float>(x[i]) * s.values[(i / s.inner) % s.extent];
}

Scales scalesFor(LaunchContext& ctx, const ILayer& layer, const Dims& dims) {
  const auto& q = static_cast<const IQuantizationLayer&>(layer);
  Scales s{static_cast<const float*>(ctx.device(q.getScales().data())), 1, 1};
  if (q.getAxis() >= 0 && q.getScales().size() > 1) {
    for (int d = q.getAxis() + 1; d < dims.nbDims; ++d) s.inner *= dims.d[d];
    s.extent = dims.d[q.getAxis()];
  }
  return s;
}
}  // namespace

void launchQuantize(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const int64_t n = out.dims.volume();
  if (n == 0) return;
  const auto& q = static_cast<const IQuantizeLayer&>(layer);
  if (q.getToType() == DataType::kFP8)
    return quantizeToFp8(ctx, in[0].type, in[0].data, q.getScales()[0], static_cast<uint8_t*>(out.data), n,
                         layer.describe(), q.getFusedActivation());
  quantizeKernel<<<static_cast<unsigned>((n + 255) / 256), 256, 0, ctx.stream>>>(
      static_cast<const float*>(in[0].data), static_cast<int8_t*>(out.data), scalesFor(ctx, layer, in[0].dims), n);
  check(cudaGetLastError(), "quantize kernel launch");
}

void launchDequantize(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const int64_t n = out.dims.volume();
  if (n == 0) return;
  if (in[0].type == DataType::kFP8) {
    dequantizeFp8Kernel<<<static_cast<unsigned>((n + 255) / 256), 256, 0, ctx.stream>>>(
        static_cast<const uint8_t*>(in[0].data), static_cast<float*>(out.data),
        static_cast<const IQuantizationLayer&>(layer).getScales()[0], n);
    return check(cudaGetLastError(), "FP8 dequantize kernel launch");
  }
  dequantizeKernel<<<static_cast<unsigned>((n + 255) / 256), 256, 0, ctx.stream>>>(
      static_cast<const int8_t*>(in[0].data), static_cast<float*>(out.data), scalesFor(ctx, layer, in[0].dims), n);
  check(cudaGetLastError(), "dequantize kernel launch");
}

}  // namespace cuda
}  // namespace trt
