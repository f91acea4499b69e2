// Scaled dot-product attention, the reference: per query row, scores in float, the mask and the
// causal triangle applied, softmax with the row's maximum subtracted, then the weighted sum of values.
#include <algorithm>
#include <cmath>
#include <limits>

#include "backends/cpu/cpu_kernels.h"
#include "backends/cpu/softmax_row.h"
#include "layers/attention_layout.h"
#include "layers/layer_util.h"

namespace trt {
namespace cpu {

void runAttention(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output) {
  const auto& attention = static_cast<const IAttentionLayer&>(layer);
  requireFloat32(layer, inputs[0], "the query");
  requireFloat32(layer, inputs[1], "the key");
  requireFloat32(layer, inputs[2], "the value");
  // Each tensor read through its strides: [B, H, S, D], or [B, S, H, D] where the builder made it
  // sequence-major (layers/attention_layout.h).
  const uint32_t major = attentionSequenceMajor(attention);
  const Dims qd = attentionLogicalDims(inputs[0].dims, major & kQuerySequenceMajor);
  const Dims vd = attentionLogicalDims(inputs[2].dims, major & kValueSequenceMajor);
  const AttentionStrides qs = attentionStrides(inputs[0].dims, major & kQuerySequenceMajor);
  const AttentionStrides ks = attentionStrides(inputs[1].dims, major & kKeySequenceMajor);
  const AttentionStrides vs = attentionStrides(inputs[2].dims, major & kValueSequenceMajor);
  const AttentionStrides os = attentionStrides(output.dims, major & kOutputSequenceMajor);
  const int64_t batchHeads = qd.d[0] * qd.d[1], sq = qd.d[2], d = qd.d[3], sk = vd.d[2], dv = vd.d[3];
  const float scale = attention.scaleFor(d);
  const float* q = inputs[0].f32();
  const float* k = inputs[1].f32();
  const float* v = inputs[2].f32();
  float* out = output.f32();

  // The mask, read through its broadcast strides over the scores [B, H, Sq, Sk].
  const bool hasMask = inputs.size() > 3;
  const bool boolMask = hasMask && inputs[3].type == DataType::kBOOL;
  if (hasMask && !boolMask) requireFloat32(layer, inputs[3], "the mask");
  const AttentionMaskStrides ms = hasMask ? attentionMaskStrides(inputs[3].dims) : AttentionMaskStrides{};

  constexpr float kMinusInf = -std::numeric_limits<float>::infinity();
  std::vector<float> row(static_cast<size_t>(sk));
  for (int64_t bh = 0; bh < batchHeads; ++bh) {
    const int64_t b = bh / qd.d[1], h = bh % qd.d[1];
    for (int64_t i = 0; i < sq; ++i) {
      const float* qi = q + b * qs.b + h * qs.h + i * qs.s;
      const int64_t maskRow = ms.rowOffset(b, h, i);
      bool allMasked = true;
      for (int64_t j = 0; j < sk; ++j) {
        float s;
        if (attention.getCausal() && j > i) {
          s = kMinusInf;
        } else if (boolMask && !static_cast<const uint8_t*>(inputs[3].data)[maskRow + j * ms.key]) {
          s = kMinusInf;
        } else {
          const float* kj = k + b * ks.b + h * ks.h + j * ks.s;
          float dot = 0.f;
          for (int64_t c = 0; c < d; ++c) dot += qi[c] * kj[c];
          s = dot * scale;
          if (hasMask && !boolMask) s += inputs[3].f32()[maskRow + j * ms.key];
        }
        row[j] = s;
        allMasked &= s == kMinusInf;
      }
      // PyTorch's scaled_dot_product_attention gives a row whose every key is masked out weights 0 (its
      // safe softmax); a plain softmax of such a row is NaN (its maximum is -inf), as computed below.
      float inv;
      if (allMasked && attention.getZeroFullyMaskedRows()) {
        std::fill(row.begin(), row.end(), 0.f);
        inv = 0.f;
      } else {
        inv = expShiftedRow(row.data(), sk);
      }
      float* oi = out + b * os.b + h * os.h + i * os.s;
      std::fill(oi, oi + dv, 0.f);
      for (int64_t j = 0; j < sk; ++j) {
        const float p = row[j] * inv;
        const float* vj = v + b * vs.b + h * vs.h + j * vs.s;
        for (int64_t c = 0; c < dv; ++c) oi[c] += p * vj[c];
      }
    }
  }
}

}  // namespace cpu
}  // namespace trt
