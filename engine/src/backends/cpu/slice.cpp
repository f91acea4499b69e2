#include <cstring>

#include "backends/cpu/cpu_kernels.h"

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
  int64_t base = 0;
  for (int i = 0; i < rank; ++i) base += start.d[i] * inStride[i];
  const int64_t n = output.dims.volume();
  const auto* src = static_cast<const uint8_t*>(inputs[0].data);
  auto* dst = static_cast<uint8_t*>(output.data);
  int64_t idx[Dims::MAX_DIMS] = {};
  int64_t off = base;
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
