// Quantize (FP32 -> INT8, or a float of any width -> FP8 E4M3) and Dequantize (INT8 or FP8 -> FP32), per tensor
// or (INT8) per axis.
#include <algorithm>
#include <vector>
#include "backends/cpu/cpu_kernels.h"

#include "common/fp8.h"
#include "common/int8.h"

namespace trt {
namespace cpu {

namespace {
// Calls f(i, scaleIndex) for every element, scaleIndex being the element's index along `axis`
// (0 for a per-tensor scale).
template <typename F>
void forEachWithScale(const Dims& dims, int32_t axis, size_t nbScales, F f) {
  const int64_t n = dims.volume();
  if (axis < 0 || nbScales == 1) {
    for (int64_t i = 0; i < n; ++i) f(i, 0);
    return;
  }
  int64_t inner = 1;
  for (int d = axis + 1; d < dims.nbDims; ++d) inner *= dims.d[d];
  const int64_t extent = dims.d[axis];
  for (int64_t i = 0; i < n; ++i) f(i, (i / inner) % extent);
}
}  // namespace

void runQuantize(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output) {
  requireFloat32(layer, inputs[0], "the input");  // 16-bit inputs arrive widened (runWidened)
  const auto& q = static_cast<const IQuantizeLayer&>(layer);
  if (q.getToType() == DataType::kFP8) {
    const float scale = q.getScales()[0];
    const float* x = inputs[0].f32();
    auto* y = static_cast<uint8_t*>(output.data);
    const int64_t n = inputs[0].dims.volume();
    const int32_t activation = q.getFusedActivation();
    const DataType storedType = layer.getInput(0)->getType();  // 16-bit inputs arrive widened
    forEachRange((n + 4095) / 4096, 4096, [&](int64_t first, int64_t last) {
      const int64_t begin = first * 4096, end = std::min(n, last * 4096);
      std::vector<float> chunk(x + begin, x + end);
      // The fused activation in float, then rounded to the input's type as the activation layer it replaces stored
      // it (and the CUDA kernel rounds it): a 16-bit value's tie between two codes rounds as that value does.
      if (activation >= 0) {
        applyActivation(static_cast<ActivationType>(activation), 0.f, 0.f, chunk.data(), end - begin);
        roundToStorage(storedType, chunk.data(), end - begin);
      }
      for (int64_t i = begin; i < end; ++i) y[i] = fp8::quantize(chunk[i - begin], scale);
    });
    return;
  }
  std::vector<float> inverse;
  for (float s : q.getScales()) inverse.push_back(int8::inverse(s));
  const float* x = inputs[0].f32();
  int8_t* y = static_cast<int8_t*>(output.data);
  forEachWithScale(inputs[0].dims, q.getAxis(), inverse.size(),
                   [&](int64_t i, int64_t s) { y[i] = int8::quantize(x[i], inverse[s]); });
}

void runDequantize(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output) {
  const auto& dq = static_cast<const IDequantizeLayer&>(layer);
  const std::vector<float>& scales = dq.getScales();
  if (inputs[0].type == DataType::kFP8) {
    const auto* x = static_cast<const uint8_t*>(inputs[0].data);
    float* y = output.f32();
    for (int64_t i = 0; i < inputs[0].dims.volume(); ++i) y[i] = fp8::toFloat(x[i]) * scales[0];
    return;
  }
  const int8_t* x = static_cast<const int8_t*>(inputs[0].data);
  float* y = output.f32();
  forEachWithScale(inputs[0].dims, dq.getAxis(), scales.size(),
                   [&](int64_t i, int64_t s) { y[i] = static_cast<float>(x[i]) * scales[s]; });
}

}  // namespace cpu
}  // namespace trt
