// Scaled dot-product attention on the CPU's fast path. The scores come from matrix products (oneDNN's
// in onednn_kernels.cpp, or the packed GEMM here where the plugin is missing); the mask, the causal
// triangle and the softmax are applied row by row exactly as the reference (attention.cpp) does; the
// output is a second product. The reference computes each score as its own scalar dot product: for
// BERT-base that was most of an inference on the CPU.
#include <algorithm>
#include <cmath>
#include <limits>

#include "backends/cpu/cpu_kernels.h"
#include "backends/cpu/softmax_row.h"
#include "common/half.h"
#include "layers/attention_layout.h"
#include "layers/layer_util.h"

namespace trt {
namespace cpu {

bool attentionFastPathApplies(const std::vector<TensorView>& inputs, const TensorView& output, DataType type) {
  for (int i = 0; i < 3; ++i)
    if (inputs[i].type != type) return false;
  if (inputs.size() > 3 && inputs[3].type != DataType::kBOOL && inputs[3].type != DataType::kFLOAT &&
      inputs[3].type != type)
    return false;
  const Dims &qd = inputs[0].dims, &vd = inputs[2].dims;
  // Empty extents are the reference's edge cases.
  return output.type == type && qd.d[0] * qd.d[1] * qd.d[2] * vd.d[3] > 0 && vd.d[2] > 0 && qd.d[3] > 0;
}

void attentionSoftmaxRows(const ILayer& layer, const std::vector<TensorView>& inputs, float* scores, int64_t first,
                          int64_t last) {
  const auto& attention = static_cast<const IAttentionLayer&>(layer);
  const Dims& qd = inputs[0].dims;
  const int64_t heads = qd.d[1], sq = qd.d[2], sk = inputs[2].dims.d[2];
  const float scale = attention.scaleFor(qd.d[3]);
  const bool causal = attention.getCausal(), zeroEmptyRows = attention.getZeroFullyMaskedRows();
  const bool hasMask = inputs.size() > 3, boolMask = hasMask && inputs[3].type == DataType::kBOOL;
  const bool bf16Mask = hasMask && inputs[3].type == DataType::kBF16;  // added widened, as the reference does
  const AttentionMaskStrides ms = hasMask ? attentionMaskStrides(inputs[3].dims) : AttentionMaskStrides{};
  constexpr float kMinusInf = -std::numeric_limits<float>::infinity();
  for (int64_t bh = first; bh < last; ++bh) {
    const int64_t b = bh / heads, h = bh % heads;
    for (int64_t i = 0; i < sq; ++i) {
      float* row = scores + ((bh - first) * sq + i) * sk;
      const int64_t maskRow = ms.rowOffset(b, h, i);
      bool allMasked = true;
      for (int64_t j = 0; j < sk; ++j) {
        float x;
        if (causal && j > i) {
          x = kMinusInf;
        } else if (boolMask && !static_cast<const uint8_t*>(inputs[3].data)[maskRow + j * ms.key]) {
          x = kMinusInf;
        } else {
          x = row[j] * scale;
          if (bf16Mask)
            x += bf16ToFloat(static_cast<const uint16_t*>(inputs[3].data)[maskRow + j * ms.key]);
          else if (hasMask && !boolMask)
            x += inputs[3].f32()[maskRow + j * ms.key];
        }
        row[j] = x;
        allMasked &= x == kMinusInf;
      }
      if (allMasked && zeroEmptyRows) {
        std::fill(row, row + sk, 0.f);
        continue;
      }
      const float inv = expShiftedRowFast(row, sk);
      for (int64_t j = 0; j < sk; ++j) row[j] *= inv;
    }
  }
}

bool runAttentionGemm(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output) {
  // Sequence-major tensors (a CUDA build's layout choice) are the reference kernel's.
  if (attentionSequenceMajor(static_cast<const IAttentionLayer&>(layer)) || !attentionFastPathApplies(inputs, output))
    return false;
  const Dims &qd = inputs[0].dims, &vd = inputs[2].dims;
  const int64_t batchHeads = qd.d[0] * qd.d[1], sq = qd.d[2], d = qd.d[3], sk = vd.d[2], dv = vd.d[3];
  const float* q = inputs[0].f32();
  const float* k = inputs[1].f32();
  const float* v = inputs[2].f32();
  float* out = output.f32();
  forEachRange(batchHeads, sq * sk * (d + dv), [&](int64_t first, int64_t last) {
    std::vector<float> s(static_cast<size_t>(sq * sk));
    for (int64_t bh = first; bh < last; ++bh) {
      // s[i][j] = sum_c q[i][c] k[j][c]: B(c, j) = k[j * d + c].
      gemm(sq, sk, d, q + bh * sq * d, d, 1, k + bh * sk * d, 1, d, s.data(), sk, false);
      attentionSoftmaxRows(layer, inputs, s.data(), bh, bh + 1);
      gemm(sq, dv, sk, s.data(), sk, 1, v + bh * sk * dv, dv, 1, out + bh * sq * dv, dv, false);
    }
  });
  return true;
}

}  // namespace cpu
}  // namespace trt
