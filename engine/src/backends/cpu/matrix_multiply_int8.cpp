// INT8 matrix multiply: the float32 input quantized per tensor, the INT8 weights [N, K] (quantized
// per row by the builder) read transposed, INT32 dot products (exact), then
// y = act(sum * (s_in * s_w[n] * alpha) + bias[n] + residual) in FP32. The reference the CUDA backend's INT8
// product is compared with.
#include <cmath>
#include <vector>

#include "backends/cpu/cpu_kernels.h"
#include "common/int8.h"

namespace trt {
namespace cpu {

void runInt8MatrixMultiply(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output) {
  const auto& mm = static_cast<const IMatrixMultiplyLayer&>(layer);
  requireFloat32(layer, inputs[0], "input 0");
  const Dims& w = inputs[1].dims;
  const int64_t N = w.d[0], K = w.d[1];
  const int64_t rows = K > 0 ? inputs[0].dims.volume() / K : output.dims.volume() / (N > 0 ? N : 1);
  const auto* weights = static_cast<const int8_t*>(inputs[1].data);
  const float inputInverse = int8::inverse(mm.getInt8InputScale());
  const std::vector<float> outScale =
      int8::outputScales(mm.getInt8InputScale(), mm.getInt8WeightScales(), mm.getAlpha());
  const float* bias = inputs.size() >= 3 ? inputs[2].f32() : nullptr;
  const float* residual = inputs.size() == 4 ? inputs[3].f32() : nullptr;
  const bool relu = mm.getFusedActivation() == static_cast<int32_t>(ActivationType::kRELU);
  const float* x = inputs[0].f32();
  float* y = output.f32();
  std::vector<int8_t> row(static_cast<size_t>(K));
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t k = 0; k < K; ++k) row[k] = int8::quantize(x[i * K + k], inputInverse);
    for (int64_t n = 0; n < N; ++n) {
      int32_t sum = 0;
      const int8_t* wn = weights + n * K;
      for (int64_t k = 0; k < K; ++k) sum += static_cast<int32_t>(row[k]) * wn[k];
      float v = static_cast<float>(sum) * outScale[n];
      if (bias) v += bias[n];
      if (residual) v += residual[i * N + n];
      y[i * N + n] = relu ? (v > 0.f ? v : (std::isnan(v) ? v : 0.f)) : v;
    }
  }
  const int32_t fused = mm.getFusedActivation();  // GELU (CPU builds), after the bias
  if (fused >= 0 && !relu) applyActivation(static_cast<ActivationType>(fused), 0.f, 0.f, y, rows * N);
}

}  // namespace cpu
}  // namespace trt
