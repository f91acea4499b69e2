// TopK along one axis: a partial sort of each line's (value, index) pairs.
#include <algorithm>
#include <numeric>
#include <vector>

#include "backends/cpu/cpu_kernels.h"
#include "common/topk_order.h"

namespace trt {
namespace cpu {

namespace {
template <typename T>
void topkTyped(const ITopKLayer& layer, const TensorView& in, TensorView& out) {
  int axis = 0;
  while (!((layer.getReduceAxes() >> axis) & 1u)) ++axis;
  const int64_t n = in.dims.d[axis], k = out.dims.d[axis];  // k may be given at run time
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < axis; ++i) outer *= in.dims.d[i];
  for (int i = axis + 1; i < in.dims.nbDims; ++i) inner *= in.dims.d[i];
  const bool largest = layer.getOperation() == TopKOperation::kMAX;
  const bool indices = layer.getOutputKind() == TopKOutput::kINDICES;
  const T* src = static_cast<const T*>(in.data);
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      const T* line = src + o * n * inner + i;
      std::iota(order.begin(), order.end(), 0);
      std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int64_t a, int64_t b) {
        return topkBefore(line[a * inner], a, line[b * inner], b, largest);
      });
      for (int64_t j = 0; j < k; ++j) {
        const int64_t at = o * k * inner + j * inner + i;
        if (indices)
          static_cast<int64_t*>(out.data)[at] = order[j];
        else
          static_cast<T*>(out.data)[at] = line[order[j] * inner];
      }
    }
  }
}
}  // namespace

void runTopK(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output) {
  const auto& topk = static_cast<const ITopKLayer&>(layer);
  switch (inputs[0].type) {
    case DataType::kFLOAT:
      return topkTyped<float>(topk, inputs[0], output);
    case DataType::kINT32:
      return topkTyped<int32_t>(topk, inputs[0], output);
    case DataType::kINT64:
      return topkTyped<int64_t>(topk, inputs[0], output);
    default:
      throw Error(layer.describe() + ": TopK takes float32, int32 or int64 data");
  }
}

}  // namespace cpu
}  // namespace trt
