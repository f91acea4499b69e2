// FP16 and BF16 on the CPU: tensors are stored in the 16-bit type; each kernel computes in float on
// widened copies and its output is rounded back, as a GPU kernel that loads half (or bfloat16),
// computes in FP32 and stores the 16-bit type.
#include "backends/cpu/cpu_kernels.h"
#include "common/half.h"

namespace trt {
namespace cpu {

namespace {
bool isSixteenBit(DataType t) { return t == DataType::kHALF || t == DataType::kBF16; }

std::vector<float> widen(const TensorView& t) {
  const int64_t n = t.dims.volume();
  std::vector<float> out(static_cast<size_t>(n));
  const auto* src = static_cast<const uint16_t*>(t.data);
  if (t.type == DataType::kBF16)
    for (int64_t i = 0; i < n; ++i) out[i] = bf16ToFloat(src[i]);
  else
    for (int64_t i = 0; i < n; ++i) out[i] = halfToFloat(src[i]);
  return out;
}
}  // namespace

void runLayer(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output) {
  const Kernel kernel = kernelFor(layer.getType());
  bool anyHalf = isSixteenBit(output.type);
  for (const auto& in : inputs) anyHalf |= isSixteenBit(in.type);
  // Casts convert 16-bit types themselves; a constant copies its bytes, already in its own type (through
  // the float path it copied 16-bit values into a float buffer: a float16 constant output was garbage).
  if (!anyHalf || layer.getType() == LayerType::kIDENTITY || layer.getType() == LayerType::kCONSTANT) {
    kernel(layer, inputs, output);
    return;
  }
  std::vector<std::vector<float>> widened(inputs.size());
  std::vector<TensorView> floatInputs = inputs;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!isSixteenBit(inputs[i].type)) continue;
    widened[i] = widen(inputs[i]);
    floatInputs[i] = {widened[i].data(), inputs[i].dims, DataType::kFLOAT};
  }
  if (!isSixteenBit(output.type)) {
    kernel(layer, floatInputs, output);
    return;
  }
  const int64_t n = output.dims.volume();
  std::vector<float> result(static_cast<size_t>(n));
  TensorView floatOutput{result.data(), output.dims, DataType::kFLOAT};
  kernel(layer, floatInputs, floatOutput);
  auto* dst = static_cast<uint16_t*>(output.data);
  if (output.type == DataType::kBF16)
    for (int64_t i = 0; i < n; ++i) dst[i] = floatToBf16(result[i]);
  else
    for (int64_t i = 0; i < n; ++i) dst[i] = floatToHalf(result[i]);
}

}  // namespace cpu
}  // namespace trt
