// Generated tensors: a Shape layer's dimensions and a Fill layer's constant or linspace.
#include <cstring>

#include "backends/cpu/cpu_kernels.h"
#include "common/fill_value.h"

namespace trt {
namespace cpu {

void runShape(const ILayer&, const std::vector<TensorView>& in, TensorView& out) {
  auto* dims = static_cast<int64_t*>(out.data);
  for (int i = 0; i < in[0].dims.nbDims; ++i) dims[i] = in[0].dims.d[i];
}

void runFill(const ILayer& layer, const std::vector<TensorView>&, TensorView& out) {
  const fill::Params p = fill::paramsOf(static_cast<const IFillLayer&>(layer), out.dims);
  fill::checkRange(layer, p, out.type);
  const size_t elem = dataTypeSize(out.type);
  auto* dst = static_cast<uint8_t*>(out.data);
  const int64_t n = out.dims.volume();
  for (int64_t i = 0; i < n; ++i) {
    const uint64_t bits = fillBits(fill::value(p, i), out.type);
    std::memcpy(dst + i * elem, &bits, elem);
  }
}

}  // namespace cpu
}  // namespace trt
