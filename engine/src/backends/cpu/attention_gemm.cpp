// Scaled dot-product attention on the CPU's fast path: per (batch, head), the scores as one packed
// GEMM (Q K^T), the mask, causal triangle and softmax applied row by row exactly as the reference
// (attention.cpp) does, then the output as a second GEMM (P V); (batch, head) pairs split over the
// cores. The reference computes each score as its own scalar dot product: for BERT-base that was most
// of an inference on the CPU.
#include <algorithm>
#include <cmath>
#include <limits>
#include <thread>

#include "backends/cpu/cpu_kernels.h"
#include "layers/layer_util.h"

namespace trt {
namespace cpu {

bool runAttentionGemm(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output) {
  const auto& attention = static_cast<const IAttentionLayer&>(layer);
  for (int i = 0; i < 3; ++i)
    if (inputs[i].type != DataType::kFLOAT) return false;
  const bool hasMask = inputs.size() > 3;
  const bool boolMask = hasMask && inputs[3].type == DataType::kBOOL;
  if ((hasMask && !boolMask && inputs[3].type != DataType::kFLOAT) || output.type != DataType::kFLOAT) return false;
  const Dims &qd = inputs[0].dims, &vd = inputs[2].dims;
  const int64_t heads = qd.d[1], batchHeads = qd.d[0] * heads, sq = qd.d[2], d = qd.d[3], sk = vd.d[2], dv = vd.d[3];
  if (batchHeads * sq * dv == 0 || sk == 0 || d == 0) return false;  // the reference's edge cases
  const float scale = attention.scaleFor(d);
  const bool causal = attention.getCausal(), zeroEmptyRows = attention.getZeroFullyMaskedRows();
  const float* q = inputs[0].f32();
  const float* k = inputs[1].f32();
  const float* v = inputs[2].f32();
  float* out = output.f32();
  Dims scores = qd;
  scores.d[3] = sk;
  int64_t ms[4] = {0, 0, 0, 0};
  if (hasMask) layer_util::broadcastStrides(inputs[3].dims, scores, ms);
  constexpr float kMinusInf = -std::numeric_limits<float>::infinity();

  auto heads_in = [&](int64_t first, int64_t last) {
    std::vector<float> s(static_cast<size_t>(sq * sk));
    for (int64_t bh = first; bh < last; ++bh) {
      const int64_t b = bh / heads, h = bh % heads;
      // s[i][j] = sum_c q[i][c] k[j][c]: B(c, j) = k[j * d + c].
      gemm(sq, sk, d, q + bh * sq * d, d, 1, k + bh * sk * d, 1, d, s.data(), sk, false);
      for (int64_t i = 0; i < sq; ++i) {
        float* row = s.data() + i * sk;
        const int64_t maskRow = b * ms[0] + h * ms[1] + i * ms[2];
        bool allMasked = true;
        for (int64_t j = 0; j < sk; ++j) {
          float x;
          if (causal && j > i) {
            x = kMinusInf;
          } else if (boolMask && !static_cast<const uint8_t*>(inputs[3].data)[maskRow + j * ms[3]]) {
            x = kMinusInf;
          } else {
            x = row[j] * scale;
            if (hasMask && !boolMask) x += inputs[3].f32()[maskRow + j * ms[3]];
          }
          row[j] = x;
          allMasked &= x == kMinusInf;
        }
        if (allMasked && zeroEmptyRows) {
          std::fill(row, row + sk, 0.f);
          continue;
        }
        float mx = kMinusInf;
        for (int64_t j = 0; j < sk; ++j) mx = std::max(mx, row[j]);
        double sum = 0.0;
        for (int64_t j = 0; j < sk; ++j) {
          row[j] = std::exp(row[j] - mx);
          sum += row[j];
        }
        const float inv = static_cast<float>(1.0 / sum);
        for (int64_t j = 0; j < sk; ++j) row[j] *= inv;
      }
      gemm(sq, dv, sk, s.data(), sk, 1, v + bh * sk * dv, dv, 1, out + bh * sq * dv, dv, false);
    }
  };
  // One thread a share of the (batch, head) pairs when there is enough work to pay for starting it.
  const int64_t work = batchHeads * sq * sk * (d + dv);
  const int64_t cores = std::max<int64_t>(1, std::thread::hardware_concurrency());
  const int64_t threads = std::min<int64_t>({cores, batchHeads, std::max<int64_t>(1, work / (int64_t(1) << 20))});
  if (threads <= 1) {
    heads_in(0, batchHeads);
    return true;
  }
  std::vector<std::thread> pool;
  for (int64_t t = 1; t < threads; ++t)
    pool.emplace_back(heads_in, batchHeads * t / threads, batchHeads * (t + 1) / threads);
  heads_in(0, batchHeads / threads);
  for (auto& th : pool) th.join();
  return true;
}

}  // namespace cpu
}  // namespace trt
