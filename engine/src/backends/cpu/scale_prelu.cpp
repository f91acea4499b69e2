// Scale ((x * scale + shift) ^ power per tensor, channel or element) and ParametricReLU (a
// broadcast slope where x < 0).
#include <algorithm>

#include "backends/cpu/cpu_kernels.h"
#include "common/broadcast_index.h"
#include "common/scale_value.h"

namespace trt {
namespace cpu {

namespace {
// Several inputs (per-channel mode): x is their concatenation along the channel axis, so each output row
// (the dims before the axis) is the inputs' rows side by side, each input's channels offset by the ones before.
void runConcatenatedScale(const IScaleLayer& s, const std::vector<TensorView>& in, TensorView& out) {
  const int axis = s.getChannelAxis();
  int64_t outer = 1, inner = 1;
  for (int k = 0; k < axis; ++k) outer *= out.dims.d[k];
  for (int k = axis + 1; k < out.dims.nbDims; ++k) inner *= out.dims.d[k];
  const int64_t channels = out.dims.d[axis];
  const auto& sh = s.getShift();
  const auto& sc = s.getScale();
  const auto& pw = s.getPower();
  const int32_t activation = s.getFusedActivation();
  forEachRange(outer, channels * inner, [&](int64_t first, int64_t last) {
    for (int64_t o = first; o < last; ++o) {
      int64_t offset = 0;  // channels of the inputs before this one
      for (const TensorView& t : in) {
        requireFloat32(s, t, "an input");
        const int64_t width = t.dims.d[axis];
        for (int64_t c = 0; c < width; ++c) {
          const int64_t k = offset + c;
          const float* x = t.f32() + (o * width + c) * inner;
          float* y = out.f32() + (o * channels + k) * inner;
          for (int64_t j = 0; j < inner; ++j)
            y[j] =
                scale_value::apply(x[j], sc.empty() ? 1.f : sc[k], sh.empty() ? 0.f : sh[k], pw.empty() ? 1.f : pw[k]);
          if (activation >= 0) applyActivation(static_cast<ActivationType>(activation), 0.f, 0.f, y, inner);
        }
        offset += width;
      }
    }
  });
}
}  // namespace

void runScale(const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const auto& s = static_cast<const IScaleLayer&>(layer);
  if (in.size() > 1) return runConcatenatedScale(s, in, out);
  requireFloat32(layer, in[0], "the input");
  const Dims& d = in[0].dims;
  const int axis = s.getChannelAxis();
  int64_t inner = 1;
  for (int k = axis + 1; k < d.nbDims; ++k) inner *= d.d[k];
  const int64_t channels = s.getMode() == ScaleMode::kUNIFORM ? 1 : d.d[axis];
  const int64_t perSample = s.getMode() == ScaleMode::kELEMENTWISE ? s.coefficientCount(d) : 1;
  const auto& sh = s.getShift();
  const auto& sc = s.getScale();
  const auto& pw = s.getPower();
  const int64_t n = d.volume();
  const int32_t activation = s.getFusedActivation();
  // In chunks over the cores (a DenseNet norm's feature map is 10^5-10^6 values); the fused activation after.
  constexpr int64_t kChunk = 16384;
  forEachRange((n + kChunk - 1) / kChunk, kChunk * 4, [&](int64_t first, int64_t last) {
    const int64_t begin = first * kChunk, end = std::min(n, last * kChunk);
    for (int64_t i = begin; i < end; ++i) {
      const int64_t c = scale_value::coefficient(static_cast<int32_t>(s.getMode()), i, channels, inner, perSample);
      out.f32()[i] = scale_value::apply(in[0].f32()[i], sc.empty() ? 1.f : sc[c], sh.empty() ? 0.f : sh[c],
                                        pw.empty() ? 1.f : pw[c]);
    }
    if (activation >= 0)
      applyActivation(static_cast<ActivationType>(activation), 0.f, 0.f, out.f32() + begin, end - begin);
  });
}

void runParametricReLU(const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  requireFloat32(layer, in[0], "the input");
  const BroadcastIndex slopeAt(in[0].dims, in[1].dims);
  const int64_t n = in[0].dims.volume();
  for (int64_t i = 0; i < n; ++i) {
    const float x = in[0].f32()[i];
    out.f32()[i] = x > 0.f ? x : in[1].f32()[slopeAt(i)] * x;
  }
}

}  // namespace cpu
}  // namespace trt
