// SoftMax over the last axis on the CPU's fast path: each contiguous row (plus its row of the optional
// additive mask) becomes expShiftedRowFast's (AVX-512 where the CPU has it) scaled by 1 / its sum, the
// rows over the cores. ViT-B/16 traced under no_grad (PyTorch's multi-head attention fast path, not
// fused into one Attention layer) spent 2.5 ms per attention in the reference's softmax at batch 1.
#include "backends/cpu/cpu_kernels.h"
#include "backends/cpu/softmax_row.h"
#include "layers/layer_util.h"

namespace trt {
namespace cpu {

bool runSoftMaxRows(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output) {
  const auto& softmax = static_cast<const ISoftMaxLayer&>(layer);
  for (const auto& t : inputs)
    if (t.type != DataType::kFLOAT) return false;
  if (output.type != DataType::kFLOAT) return false;
  const Dims& d = inputs[0].dims;
  if (d.nbDims == 0) return false;
  const uint32_t axes = softmax.getAxes();
  if (axes != 0 && axes != (1u << (d.nbDims - 1))) return false;  // the last axis only
  const int64_t width = d.d[d.nbDims - 1], rows = width > 0 ? d.volume() / width : 0;
  if (rows * width == 0) return false;
  // A mask broadcast over the leading axes: row r reads the mask row at r's index through the mask's
  // broadcast strides; within a row the mask must be contiguous (a mask broadcast along the row goes to
  // the reference kernel).
  int64_t strides[Dims::MAX_DIMS] = {};
  const float* mask = nullptr;
  if (inputs.size() > 1) {
    layer_util::broadcastStrides(inputs[1].dims, d, strides);
    if (strides[d.nbDims - 1] != 1) return false;
    mask = inputs[1].f32();
  }
  const float* x = inputs[0].f32();
  float* y = output.f32();
  forEachRange(rows, width * 16, [&](int64_t first, int64_t last) {
    for (int64_t r = first; r < last; ++r) {
      float* row = y + r * width;
      const float* in = x + r * width;
      if (mask) {
        int64_t rest = r, at = 0;
        for (int k = d.nbDims - 2; k >= 0; --k) {
          at += rest % d.d[k] * strides[k];
          rest /= d.d[k];
        }
        for (int64_t j = 0; j < width; ++j) row[j] = in[j] + mask[at + j];
      } else {
        for (int64_t j = 0; j < width; ++j) row[j] = in[j];
      }
      const float inv = expShiftedRowFast(row, width);
      for (int64_t j = 0; j < width; ++j) row[j] *= inv;
    }
  });
  return true;
}

}  // namespace cpu
}  // namespace trt
