#include <cstring>

#include "backends/cpu/cpu_kernels.h"
#include "common/sample_mode.h"

namespace trt {
namespace cpu {

void runSlice(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output) {
  const auto& slice = static_cast<const ISliceLayer&>(layer);
  const Dims& in = inputs[0].dims;
  const Dims start = slice.getStart(), stride = slice.getStride();
  const size_t elem = dataTypeSize(inputs[0].type);
  const int rank = in.nbDims;
  int64_t inStride[Dims::MAX_DIMS];
  int64_t s = 1;
  for (int i = rank - 1; i >= 0; --i) {
    inStride[i] = s;
    s *= in.d[i];
  }
  const int64_t n = output.dims.volume();
  if (n == 0) return;  // nothing read: an empty dim's start was never checked against the input
  const auto* src = static_cast<const uint8_t*>(inputs[0].data);
  auto* dst = static_cast<uint8_t*>(output.data);
  int64_t idx[Dims::MAX_DIMS] = {};
  if (slice.getMode() != SampleMode::kSTRICT_BOUNDS) {
    // Reads may fall outside the input: each coordinate goes through the mode's rule.
    const uint64_t fill = fillBits(slice.getFillValue(), output.type);
    const int32_t mode = static_cast<int32_t>(slice.getMode());
    for (int64_t o = 0; o < n; ++o) {
      int64_t off = 0;
      bool filled = false;
      for (int d = 0; d < rank && !filled; ++d) {
        int64_t c = sampleCoordinate(start.d[d] + idx[d] * stride.d[d], in.d[d], mode);
        filled = c < 0;
        off += c * inStride[d];
      }
      std::memcpy(dst + o * elem, filled ? reinterpret_cast<const uint8_t*>(&fill) : src + off * elem, elem);
      for (int d = rank - 1; d >= 0; --d) {
        if (++idx[d] < output.dims.d[d]) break;
        idx[d] = 0;
      }
    }
    return;
  }
  int64_t base = 0;
  for (int i = 0; i < rank; ++i) base += start.d[i] * inStride[i];
  int64_t off = base;
  const int64_t inner = rank > 0 ? output.dims.d[rank - 1] : 1;
  if (rank > 0 && stride.d[rank - 1] == 1 && inner > 1) {
    // Unit stride innermost: whole rows at once (ViT's query/key/value split: rows of 768 values).
    const size_t rowBytes = static_cast<size_t>(inner) * elem;
    for (int64_t r = 0; r < n / inner; ++r) {
      std::memcpy(dst + r * inner * elem, src + off * elem, rowBytes);
      for (int d = rank - 2; d >= 0; --d) {
        off += stride.d[d] * inStride[d];
        if (++idx[d] < output.dims.d[d]) break;
        off -= stride.d[d] * inStride[d] * output.dims.d[d];
        idx[d] = 0;
      }
    }
    return;
  }
  for (int64_t o = 0; o < n; ++o) {
    std::memcpy(dst + o * elem, src + off * elem, elem);
    for (int d = rank - 1; d >= 0; --d) {
      off += stride.d[d] * inStride[d];
      if (++idx[d] < output.dims.d[d]) break;
      off -= stride.d[d] * inStride[d] * output.dims.d[d];
      idx[d] = 0;
    }
  }
}

}  // namespace cpu
}  // namespace trt
