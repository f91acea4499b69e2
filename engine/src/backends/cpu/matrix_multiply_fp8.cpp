// FP8 E4M3 matrix multiply, emulated: the float32 input rounded to E4M3 per tensor (q(x / s_in), saturating; or
// an FP8 input's codes, quantized by a shared Quantize layer), the FP8 weights [N, K] (quantized by the builder; a
// stack's [P, N, K], each by the one input) read transposed, products of the E4M3 values (exact in float32) summed
// in float32, then y = act(sum * (s_in * s_w * alpha) + bias[n] + residual), the bias a stack's row of its matrix
// p ([P, 1, N]) or one row for all. The reference the CUDA backend's FP8 GEMM (cuBLASLt, FP32 accumulation) is
// compared with; the sums' order differs, so the two agree to float32 rounding of the sums, not bit for bit.
#include <cmath>
#include <vector>

#include "backends/cpu/cpu_kernels.h"
#include "common/fp8.h"
#include "layers/layer_util.h"

namespace trt {
namespace cpu {

void runFp8MatrixMultiply(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output) {
  const auto& mm = static_cast<const IMatrixMultiplyLayer&>(layer);
  const bool quantizedInput = inputs[0].type == DataType::kFP8;  // a shared Quantize layer's codes
  if (!quantizedInput) requireFloat32(layer, inputs[0], "input 0");
  if (inputs[1].type != DataType::kFP8)
    throw Error(layer.describe() + ": an FP8 matrix multiply reads FP8 weights, got " + dataTypeName(inputs[1].type));
  const layer_util::Fp8ProductShape shape =
      layer_util::fp8ProductShape(inputs[1].dims, output.dims, inputs.size() >= 3 ? &inputs[2].dims : nullptr);
  const int64_t parts = shape.parts, N = shape.n, K = shape.k, rows = shape.rows;
  if (rows == 0 || N == 0) return;
  // The operands' E4M3 values as floats (exact), then one float32 GEMM.
  std::vector<float> a(static_cast<size_t>(rows * K)), b(static_cast<size_t>(parts * N * K));
  const float inputScale = mm.getFp8InputScale();
  forEachRange(rows, K, [&](int64_t first, int64_t last) {
    if (quantizedInput) {
      const auto* codes = static_cast<const uint8_t*>(inputs[0].data);
      for (int64_t i = first * K; i < last * K; ++i) a[i] = fp8::toFloat(codes[i]);
      return;
    }
    const float* x = inputs[0].f32();
    for (int64_t i = first * K; i < last * K; ++i) a[i] = fp8::toFloat(fp8::quantize(x[i], inputScale));
  });
  const auto* weights = static_cast<const uint8_t*>(inputs[1].data);
  for (int64_t i = 0; i < parts * N * K; ++i) b[i] = fp8::toFloat(weights[i]);
  // An FP8 output (IMatrixMultiplyLayer::setFp8OutputScale) is computed in float32 here, then quantized.
  const float outputScale = mm.getFp8OutputScale();
  if (outputScale > 0.f && output.type != DataType::kFP8)
    throw Error(layer.describe() + ": an FP8 product with an output scale writes FP8 codes, its output is " +
                dataTypeName(output.type));
  std::vector<float> values(outputScale > 0.f ? static_cast<size_t>(rows * N) : 0);
  float* y = outputScale > 0.f ? values.data() : output.f32();
  // Each B is [N, K] used transposed: element (k, n) at b[n * K + k].
  for (int64_t p = 0; p < parts; ++p)
    gemm(rows, N, K, a.data(), K, 1, b.data() + p * N * K, 1, K, y + p * rows * N, N, false);
  const float scale = mm.getFp8InputScale() * mm.getFp8WeightScale() * mm.getAlpha();
  const float* bias = inputs.size() >= 3 ? inputs[2].f32() : nullptr;
  const float* residual = inputs.size() == 4 ? inputs[3].f32() : nullptr;
  const int32_t fused = mm.getFusedActivation();
  // The float type the product stores its value in (16-bit tensors arrive widened).
  const bool hasBias = layer.getNbInputs() >= 3;
  const DataType stored = layer_util::fp8ProductFloatType(layer.getInput(0)->getType(), hasBias,
                                                          hasBias ? layer.getInput(2)->getType() : DataType::kFLOAT);
  forEachRange(parts * rows, N, [&](int64_t first, int64_t last) {
    for (int64_t i = first; i < last; ++i)
      for (int64_t n = 0; n < N; ++n) {
        float v = y[i * N + n] * scale;
        if (bias) v += bias[(shape.biasPerMatrix ? i / rows * N : 0) + n];
        if (residual) v += residual[i * N + n];
        y[i * N + n] = v;
      }
    // Codes out: the value as the float output would have stored it in its type (16-bit outputs arrive widened),
    // through the activation rounded to that type again, as the Quantize it replaces computed its codes.
    if (outputScale > 0.f) roundToStorage(stored, y + first * N, (last - first) * N);
    if (fused >= 0) applyActivation(static_cast<ActivationType>(fused), 0.f, 0.f, y + first * N, (last - first) * N);
    if (outputScale > 0.f) {
      if (fused >= 0) roundToStorage(stored, y + first * N, (last - first) * N);
      auto* codes = static_cast<uint8_t*>(output.data);
      for (int64_t i = first * N; i < last * N; ++i) codes[i] = fp8::quantize(y[i], outputScale);
    }
  });
}

}  // namespace cpu
}  // namespace trt
