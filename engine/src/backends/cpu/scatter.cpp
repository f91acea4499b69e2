// Element scatter: a copy of the data, then each update written at its index along the axis, in
// index order (later positions win over earlier ones on the CPU).
#include <cstring>

#include "backends/cpu/element_index.h"

namespace trt {
namespace cpu {

void runScatter(const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const int axis = static_cast<const IScatterLayer&>(layer).getAxis();
  const size_t elem = dataTypeSize(in[0].type);
  std::memcpy(out.data, in[0].data, static_cast<size_t>(in[0].dims.volume()) * elem);
  forEachElementIndex(layer, in[0].dims, in[1], axis, [&](int64_t i, int64_t off) {
    std::memcpy(static_cast<uint8_t*>(out.data) + off * elem, static_cast<const uint8_t*>(in[2].data) + i * elem, elem);
  });
}

}  // namespace cpu
}  // namespace trt
