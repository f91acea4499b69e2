// FP16 and BF16 on the CPU: tensors are stored in the 16-bit type; each kernel computes in float on
// widened copies and its output is rounded back, as a GPU kernel that loads half (or bfloat16),
// computes in FP32 and stores the 16-bit type.
#include <algorithm>

#include "backends/cpu/bf16_conversion.h"
#include "backends/cpu/cpu_kernels.h"
#include "common/half.h"

namespace trt {
namespace cpu {

void roundToStorage(DataType type, float* values, int64_t n) {
  if (type == DataType::kHALF)
    for (int64_t i = 0; i < n; ++i) values[i] = halfToFloat(floatToHalf(values[i]));
  else if (type == DataType::kBF16)
    for (int64_t i = 0; i < n; ++i) values[i] = bf16ToFloat(floatToBf16(values[i]));
}

namespace {
bool isSixteenBit(DataType t) { return t == DataType::kHALF || t == DataType::kBF16; }

// Element by element, in chunks over the cores (a BERT-base layer's activations at batch 8 are 0.8 M values).
constexpr int64_t kChunk = 16384;

void widen(const TensorView& t, float* out) {
  const int64_t n = t.dims.volume();
  const auto* src = static_cast<const uint16_t*>(t.data);
  const bool bf16 = t.type == DataType::kBF16;
  forEachRange((n + kChunk - 1) / kChunk, kChunk * 16, [&](int64_t first, int64_t last) {
    const int64_t begin = first * kChunk, end = std::min(n, last * kChunk);
    if (bf16) return widenBf16(src + begin, out + begin, end - begin);
    for (int64_t i = begin; i < end; ++i) out[i] = halfToFloat(src[i]);
  });
}

void narrow(const float* values, TensorView& t) {
  const int64_t n = t.dims.volume();
  auto* dst = static_cast<uint16_t*>(t.data);
  const bool bf16 = t.type == DataType::kBF16;
  forEachRange((n + kChunk - 1) / kChunk, kChunk * 16, [&](int64_t first, int64_t last) {
    const int64_t begin = first * kChunk, end = std::min(n, last * kChunk);
    if (bf16) return narrowBf16(values + begin, dst + begin, end - begin);
    for (int64_t i = begin; i < end; ++i) dst[i] = floatToHalf(values[i]);
  });
}
}  // namespace

bool castBf16Parallel(const TensorView& in, TensorView& out) {
  if (in.dims.volume() != out.dims.volume()) return false;
  if (in.type == DataType::kFLOAT && out.type == DataType::kBF16) {
    narrow(in.f32(), out);
    return true;
  }
  if (in.type == DataType::kBF16 && out.type == DataType::kFLOAT) {
    widen(in, out.f32());
    return true;
  }
  return false;
}

bool widensSixteenBit(const ILayer& layer, const std::vector<TensorView>& inputs, const TensorView& output) {
  bool anyHalf = isSixteenBit(output.type);
  for (const auto& in : inputs) anyHalf |= isSixteenBit(in.type);
  // Casts convert 16-bit types themselves; a constant copies its bytes, already in its own type (through
  // the float path it copied 16-bit values into a float buffer: a float16 constant output was garbage).
  return anyHalf && layer.getType() != LayerType::kIDENTITY && layer.getType() != LayerType::kCONSTANT;
}

void runLayer(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output) {
  const Kernel kernel = kernelFor(layer.getType());
  if (!widensSixteenBit(layer, inputs, output)) {
    kernel(layer, inputs, output);
    return;
  }
  runWidened(layer, inputs, output, kernel);
}

float* WideningBuffers::get(size_t slot, int64_t n) {
  if (buffers_.size() <= slot) buffers_.resize(slot + 1);
  auto& [buffer, size] = buffers_[slot];
  if (size < n) {
    buffer.reset(new float[static_cast<size_t>(n)]);  // not zero-filled: every element is written
    size = n;
  }
  return buffer.get();
}

void runWidened(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output,
                const FloatKernel& kernel, WideningBuffers* buffers) {
  WideningBuffers callBuffers;
  WideningBuffers& use = buffers ? *buffers : callBuffers;
  std::vector<TensorView> floatInputs = inputs;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!isSixteenBit(inputs[i].type)) continue;
    float* wide = use.get(i, inputs[i].dims.volume());
    widen(inputs[i], wide);
    floatInputs[i] = {wide, inputs[i].dims, DataType::kFLOAT};
  }
  if (!isSixteenBit(output.type)) {
    kernel(layer, floatInputs, output);
    return;
  }
  TensorView floatOutput{use.get(inputs.size(), output.dims.volume()), output.dims, DataType::kFLOAT};
  kernel(layer, floatInputs, floatOutput);
  narrow(floatOutput.f32(), output);
}

}  // namespace cpu
}  // namespace trt
