// Quantize (FP32 -> INT8; FP8 through quantizeToFp8) and Dequantize (INT8 or FP8 -> FP32), per tensor or per axis; the
// same arithmetic as the CPU reference (common/int8.h).
#include <algorithm>

#include "backends/cuda/cuda_kernels.h"
#include "backends/cuda/float_types.cuh"
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

template <typename T>
__global__ void quantizeKernel(const T* x, int8_t* y, Scales s, int64_t n) {
  int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i >= n) return;
  const float scale = s.values[(i / s.inner) % s.extent];
  y[i] = int8::quantize(load(x, i), int8::inverse(scale));
}

// One scale, FP16 in, 16-byte aligned: eight values a thread (one 16-byte load, one 8-byte store).
__global__ void quantizeHalf8Kernel(const uint4* x, int64_t vectors, float inverseScale, uint2* q) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < vectors; i += step) {
    const uint4 v = x[i];
    const __half* h = reinterpret_cast<const __half*>(&v);
    uint32_t words[2] = {0, 0};
    for (int j = 0; j < 8; ++j)
      words[j / 4] |= static_cast<uint32_t>(static_cast<uint8_t>(int8::quantize(__half2float(h[j]), inverseScale)))
                      << (8 * (j % 4));
    q[i] = make_uint2(words[0], words[1]);
  }
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

void quantizeHalfVectors(cudaStream_t stream, const void* x, int64_t vectors, float inverseScale, void* q) {
  quantizeHalf8Kernel<<<static_cast<unsigned>(std::min<int64_t>((vectors + 255) / 256, 65536)), 256, 0, stream>>>(
      static_cast<const uint4*>(x), vectors, inverseScale, static_cast<uint2*>(q));
}

void launchQuantize(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const int64_t n = out.dims.volume();
  if (n == 0) return;
  const auto& q = static_cast<const IQuantizeLayer&>(layer);
  if (q.getToType() == DataType::kFP8)
    return quantizeToFp8(ctx, in[0].type, in[0].data, q.getScales()[0], static_cast<uint8_t*>(out.data), n,
                         layer.describe(), q.getFusedActivation());
  const Scales scales = scalesFor(ctx, layer, in[0].dims);
  const unsigned blocks = static_cast<unsigned>((n + 255) / 256);
  if (in[0].type == DataType::kHALF && scales.extent == 1 && n % 8 == 0 &&
      reinterpret_cast<uintptr_t>(in[0].data) % 16 == 0 && reinterpret_cast<uintptr_t>(out.data) % 8 == 0) {
    // The shared quantization before channels-last INT8 convolutions.
    quantizeHalfVectors(ctx.stream, in[0].data, n / 8, int8::inverse(q.getScales()[0]), out.data);
  } else if (in[0].type == DataType::kHALF) {
    quantizeKernel<<<blocks, 256, 0, ctx.stream>>>(static_cast<const __half*>(in[0].data),
                                                   static_cast<int8_t*>(out.data), scales, n);
  } else {
    quantizeKernel<<<blocks, 256, 0, ctx.stream>>>(static_cast<const float*>(in[0].data),
                                                   static_cast<int8_t*>(out.data), scales, n);
  }
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
