// FP16 on the CPU: tensors are stored in half; each kernel computes in float on widened copies and
// its output is rounded to half, as a GPU kernel that loads half, computes in FP32 and stores half.
#include "backends/cpu/cpu_kernels.h"
#include "common/half.h"

namespace trt {
namespace cpu {

namespace {
std::vector<float> widen(const TensorView& t) {
  const int64_t n = t.dims.volume();
  std::vector<float> out(static_cast<size_t>(n));
  const auto* src = static_cast<const uint16_t*>(t.data);
  for (int64_t i = 0; i < n; ++i) out[i] = halfToFloat(src[i]);
  return out;
}
}  // namespace

void runLayer(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output) {
  const Kernel kernel = kernelFor(layer.getType());
  bool anyHalf = output.type == DataType::kHALF;
  for (const auto& in : inputs) anyHalf |= in.type == DataType::kHALF;
  // Casts convert half themselves.
  if (!anyHalf || layer.getType() == LayerType::kIDENTITY) {
    kernel(layer, inputs, output);
    return;
  }
  std::vector<std::vector<float>> widened(inputs.size());
  std::vector<TensorView> floatInputs = inputs;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].type != DataType::kHALF) continue;
    widened[i] = widen(inputs[i]);
    floatInputs[i] = {widened[i].data(), inputs[i].dims, DataType::kFLOAT};
  }
  if (output.type != DataType::kHALF) {
    kernel(layer, floatInputs, output);
    return;
  }
  const int64_t n = output.dims.volume();
  std::vector<float> result(static_cast<size_t>(n));
  TensorView floatOutput{result.data(), output.dims, DataType::kFLOAT};
  kernel(layer, floatInputs, floatOutput);
  auto* dst = static_cast<uint16_t*>(output.data);
  for (int64_t i = 0; i < n; ++i) dst[i] = floatToHalf(result[i]);
}

}  // namespace cpu
}  // namespace trt
