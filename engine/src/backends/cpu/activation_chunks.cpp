// Activations on the CPU's fast path: the reference's routine (activation.cpp) over chunks of the
// tensor on the cores, so each element gets the same arithmetic (bit-identical): GELU's erf over
// BERT's feed-forward outputs was a single-threaded pass.
#include <algorithm>
#include <vector>

#include "backends/cpu/cpu_kernels.h"
#include "common/half.h"

namespace trt {
namespace cpu {

void applyActivationInChunks(ActivationType type, float alpha, float beta, const float* x, float* y, int64_t n) {
  constexpr int64_t kChunk = 4096;
  forEachRange((n + kChunk - 1) / kChunk, kChunk * 16, [&](int64_t first, int64_t last) {
    const int64_t begin = first * kChunk, end = std::min(n, last * kChunk);
    if (begin >= end) return;
    if (y != x) std::copy(x + begin, x + end, y + begin);
    applyActivation(type, alpha, beta, y + begin, end - begin);
  });
}

void applyActivationInChunksBf16(ActivationType type, float alpha, float beta, uint16_t* y, int64_t n) {
  constexpr int64_t kChunk = 4096;
  forEachRange((n + kChunk - 1) / kChunk, kChunk * 16, [&](int64_t first, int64_t last) {
    std::vector<float> values(static_cast<size_t>(kChunk));
    for (int64_t chunk = first; chunk < last; ++chunk) {
      const int64_t begin = chunk * kChunk, end = std::min(n, begin + kChunk);
      if (begin >= end) break;
      for (int64_t i = begin; i < end; ++i) values[static_cast<size_t>(i - begin)] = bf16ToFloat(y[i]);
      applyActivation(type, alpha, beta, values.data(), end - begin);
      for (int64_t i = begin; i < end; ++i) y[i] = floatToBf16(values[static_cast<size_t>(i - begin)]);
    }
  });
}

bool runActivationChunks(const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const auto& act = static_cast<const IActivationLayer&>(layer);
  if (in[0].type != DataType::kFLOAT || out.type != DataType::kFLOAT) return false;
  applyActivationInChunks(act.getActivationType(), act.getAlpha(), act.getBeta(), in[0].f32(), out.f32(),
                          out.dims.volume());
  return true;
}

}  // namespace cpu
}  // namespace trt
