// Select (where) with broadcasting, and gather along an axis with bounds-checked indices.
#include <cstring>

#include "backends/cpu/element_index.h"
#include "layers/layer_util.h"

namespace trt {
namespace cpu {

void runSelect(const ILayer&, const std::vector<TensorView>& in, TensorView& out) {
  const size_t elem = dataTypeSize(out.type);
  const int rank = out.dims.nbDims;
  int64_t sc[Dims::MAX_DIMS], sa[Dims::MAX_DIMS], sb[Dims::MAX_DIMS];
  layer_util::broadcastStrides(in[0].dims, out.dims, sc);
  layer_util::broadcastStrides(in[1].dims, out.dims, sa);
  layer_util::broadcastStrides(in[2].dims, out.dims, sb);
  const int64_t n = out.dims.volume();
  const auto* cond = static_cast<const uint8_t*>(in[0].data);
  for (int64_t i = 0; i < n; ++i) {
    int64_t rem = i, oc = 0, oa = 0, ob = 0;
    for (int d = rank - 1; d >= 0; --d) {
      int64_t k = rem % out.dims.d[d];
      rem /= out.dims.d[d];
      oc += k * sc[d];
      oa += k * sa[d];
      ob += k * sb[d];
    }
    const void* src = cond[oc] ? static_cast<const uint8_t*>(in[1].data) + oa * elem
                               : static_cast<const uint8_t*>(in[2].data) + ob * elem;
    std::memcpy(static_cast<uint8_t*>(out.data) + i * elem, src, elem);
  }
}

// out[c] = data[c with c[axis] replaced by idx[c]] (torch.gather).
void gatherElements(const ILayer& layer, int axis, const std::vector<TensorView>& in, TensorView& out) {
  const size_t elem = dataTypeSize(in[0].type);
  forEachElementIndex(layer, in[0].dims, in[1], axis, [&](int64_t i, int64_t off) {
    std::memcpy(static_cast<uint8_t*>(out.data) + i * elem, static_cast<const uint8_t*>(in[0].data) + off * elem, elem);
  });
}

void runGather(const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const int axis = static_cast<const IGatherLayer&>(layer).getGatherAxis();
  if (static_cast<const IGatherLayer&>(layer).getMode() == GatherMode::kELEMENT)
    return gatherElements(layer, axis, in, out);
  const Dims& data = in[0].dims;
  const size_t elem = dataTypeSize(in[0].type);
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < axis; ++i) outer *= data.d[i];
  for (int i = axis + 1; i < data.nbDims; ++i) inner *= data.d[i];
  const int64_t axisSize = data.d[axis], nIdx = in[1].dims.volume();
  const auto* src = static_cast<const uint8_t*>(in[0].data);
  auto* dst = static_cast<uint8_t*>(out.data);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < nIdx; ++j) {
      int64_t k = indexAt(in[1], j);
      if (k < 0 || k >= axisSize)  // PyTorch refuses these too (index_select, embedding)
        throw Error(layer.describe() + ": index " + std::to_string(indexAt(in[1], j)) +
                    " is out of range for an axis of size " + std::to_string(axisSize));
      std::memcpy(dst + (o * nIdx + j) * inner * elem, src + (o * axisSize + k) * inner * elem,
                  static_cast<size_t>(inner) * elem);
    }
}

}  // namespace cpu
}  // namespace trt
