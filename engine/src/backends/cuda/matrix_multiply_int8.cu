// INT8 matrix multiply: one kernel quantizes the float32 or float16 input's rows (padded to a multiple of 4
// for cuBLAS), int8Gemm sums their products with the INT8 weights [N, K] in INT32, and the shared
// epilogue gives y = act(sum * (s_in * s_w[n] * alpha) + bias[n] + residual) as the CPU reference computes it.
#include "backends/cuda/cuda_kernels.h"
#include "backends/cuda/float_types.cuh"
#include "common/int8.h"

namespace trt {
namespace cuda {

namespace {
// q[i][k] = quantize(x[i][k]) for k < K, 0 up to the padded row length Kp.
template <typename T, typename I>
__global__ void quantizeRowsKernel(const T* x, float inverseScale, int8_t* q, I K, I Kp, I total) {
  const I i = static_cast<I>(blockIdx.x) * static_cast<I>(blockDim.x) + static_cast<I>(threadIdx.x);
  if (i >= total) return;
  const I row = i / Kp, k = i % Kp;
  q[i] = k < K ? int8::quantize(load(x, row * K + k), inverseScale) : int8_t(0);
}
}  // namespace

void launchInt8MatrixMultiply(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in,
                              TensorView& out) {
  const auto& mm = static_cast<const IMatrixMultiplyLayer&>(layer);
  if ((in[0].type != DataType::kFLOAT && in[0].type != DataType::kHALF) || in[1].type != DataType::kINT8)
    throw Error(layer.describe() + ": the CUDA INT8 matrix multiply reads a float32 or float16 input and INT8 weights");
  const int64_t N = in[1].dims.d[0], K = in[1].dims.d[1];
  const int64_t rows = N > 0 ? out.dims.volume() / N : 0;
  if (rows == 0 || N == 0) return;
  const int64_t Kp = (K + 3) / 4 * 4;
  const size_t quantizedBytes = (static_cast<size_t>(rows * Kp) + 255) / 256 * 256;
  auto* scratch = static_cast<uint8_t*>(ctx.scratch(quantizedBytes + static_cast<size_t>(rows * N) * 4));
  auto* quantized = reinterpret_cast<int8_t*>(scratch);
  auto* acc = reinterpret_cast<int32_t*>(scratch + quantizedBytes);
  if (K == 0) {
    check(cudaMemsetAsync(acc, 0, static_cast<size_t>(rows * N) * 4, ctx.stream), "INT8 matrix multiply (K = 0)");
  } else {
    const int64_t total = rows * Kp;
    const float inverseScale = int8::inverse(mm.getInt8InputScale());
    const unsigned blocks = static_cast<unsigned>((total + 255) / 256);
    dispatchFloating(in[0].type, layer.describe(), [&](auto tag) {
      using T = decltype(tag);
      const T* x = static_cast<const T*>(in[0].data);
      if (total < (int64_t(1) << 31))  // 32-bit index math where it fits
        quantizeRowsKernel<T, int32_t><<<blocks, 256, 0, ctx.stream>>>(
            x, inverseScale, quantized, static_cast<int32_t>(K), static_cast<int32_t>(Kp), static_cast<int32_t>(total));
      else
        quantizeRowsKernel<T, int64_t><<<blocks, 256, 0, ctx.stream>>>(x, inverseScale, quantized, K, Kp, total);
    });
    check(cudaGetLastError(), "INT8 row quantization kernel launch");
    int8Gemm(ctx, rows, N, K, quantized, Kp, 0, static_cast<const int8_t*>(in[1].data), K, 0, acc, 0, 1);
  }
  // Uploaded by the engine under the weight scales' key: s_in * s_w[n] * alpha.
  const auto* outScale = static_cast<const float*>(ctx.device(mm.getInt8WeightScales().data()));
  const int32_t activation = fusedProductActivation(mm);
  const bool relu = activation == static_cast<int32_t>(ActivationType::kRELU);
  const void* bias = in.size() >= 3 ? in[2].data : nullptr;
  const DataType biasType = in.size() >= 3 ? in[2].type : DataType::kFLOAT;
  const void* residual = in.size() == 4 ? in[3].data : nullptr;
  int8Epilogue(ctx, acc, out.data, out.type, outScale, bias, biasType, residual, relu, N, 1, rows * N);
  if (activation >= 0 && !relu)  // GELU's tanh form: after the dequantizing epilogue, as the CPU reference
    activationInPlace(ctx, static_cast<ActivationType>(activation), 0.f, 0.f, out.data, out.type, rows * N);
}

}  // namespace cuda
}  // namespace trt
