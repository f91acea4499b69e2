// Element scatter: a copy of the data, then each update written at its index along the axis, in
// index order (later positions win over earlier ones on the CPU).
#include <cstring>

#include "backends/cpu/cpu_kernels.h"

namespace trt {
namespace cpu {

void runScatter(const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const int axis = static_cast<const IScatterLayer&>(layer).getAxis();
  const Dims& data = in[0].dims;
  const Dims& idx = in[1].dims;
  const size_t elem = dataTypeSize(in[0].type);
  std::memcpy(out.data, in[0].data, static_cast<size_t>(data.volume()) * elem);
  int64_t stride[Dims::MAX_DIMS];
  int64_t s = 1;
  for (int d = data.nbDims - 1; d >= 0; --d) {
    stride[d] = s;
    s *= data.d[d];
  }
  const int64_t n = idx.volume();
  int64_t coord[Dims::MAX_DIMS] = {};
  for (int64_t i = 0; i < n; ++i) {
    const int64_t k = in[1].type == DataType::kINT64 ? static_cast<const int64_t*>(in[1].data)[i]
                                                     : static_cast<const int32_t*>(in[1].data)[i];
    if (k < 0 || k >= data.d[axis])
      throw Error(layer.describe() + ": index " + std::to_string(k) + " is out of range for an axis of size " +
                  std::to_string(data.d[axis]));
    int64_t off = 0;
    for (int d = 0; d < data.nbDims; ++d) off += (d == axis ? k : coord[d]) * stride[d];
    std::memcpy(static_cast<uint8_t*>(out.data) + off * elem, static_cast<const uint8_t*>(in[2].data) + i * elem, elem);
    for (int d = idx.nbDims - 1; d >= 0; --d) {
      if (++coord[d] < idx.d[d]) break;
      coord[d] = 0;
    }
  }
}

}  // namespace cpu
}  // namespace trt
