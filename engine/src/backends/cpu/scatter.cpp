// Scatter (element or ND mode): a copy of the data, then each update written where its index
// sends it, in index order (later positions win over earlier ones on the CPU), or combined with the element
// there by the layer's reduction (in index order: the reference for the CUDA backend's atomics).
#include <cstring>

#include "backends/cpu/element_index.h"
#include "common/scatter_reduction.h"

namespace trt {
namespace cpu {

namespace {
// f(update element, data offset) for the layer's mode.
template <typename F>
void forEachTarget(const IScatterLayer& layer, const std::vector<TensorView>& in, F f) {
  if (layer.getMode() == ScatterMode::kND)
    forEachNdIndex(layer, in[0].dims, in[1], f);
  else
    forEachElementIndex(layer, in[0].dims, in[1], layer.getAxis(), f);
}

template <typename T>
void reduceScatter(const IScatterLayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const ScatterReduction op = layer.getReduction();
  const bool includeSelf = layer.getIncludeSelf();
  T* y = static_cast<T*>(out.data);
  const T* updates = static_cast<const T*>(in[2].data);
  std::vector<int64_t> counts;
  if (op == ScatterReduction::kMEAN) counts.assign(static_cast<size_t>(in[0].dims.volume()), 0);
  if (!includeSelf)  // every element an index reaches starts from the identity
    forEachTarget(layer, in, [&](int64_t, int64_t off) { y[off] = scatter_reduction::identity<T>(op); });
  forEachTarget(layer, in, [&](int64_t i, int64_t off) {
    y[off] = scatter_reduction::combine(op, y[off], updates[i]);
    if (!counts.empty()) ++counts[off];
  });
  for (size_t off = 0; off < counts.size(); ++off)
    if (counts[off] > 0) y[off] = scatter_reduction::mean(y[off], counts[off] + (includeSelf ? 1 : 0));
}
}  // namespace

void runScatter(const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const auto& scatter = static_cast<const IScatterLayer&>(layer);
  const size_t elem = dataTypeSize(in[0].type);
  std::memcpy(out.data, in[0].data, static_cast<size_t>(in[0].dims.volume()) * elem);
  if (scatter.getReduction() == ScatterReduction::kNONE) {
    forEachTarget(scatter, in, [&](int64_t i, int64_t off) {
      std::memcpy(static_cast<uint8_t*>(out.data) + off * elem, static_cast<const uint8_t*>(in[2].data) + i * elem,
                  elem);
    });
    return;
  }
  switch (in[0].type) {
    case DataType::kFLOAT:
      return reduceScatter<float>(scatter, in, out);
    case DataType::kINT32:
      return reduceScatter<int32_t>(scatter, in, out);
    case DataType::kINT64:
      return reduceScatter<int64_t>(scatter, in, out);
    default:
      throw Error(layer.describe() + ": the CPU scatter reduction takes float32, int32 or int64 data, not " +
                  dataTypeName(in[0].type));
  }
}

}  // namespace cpu
}  // namespace trt
