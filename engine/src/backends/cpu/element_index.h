// Element-wise indexing along one axis, shared by element gather and scatter: position i of an
// index tensor (the data's rank) addresses the data element at i's coordinates with the axis
// coordinate replaced by the index found there.
#pragma once

#include <string>

#include "backends/cpu/cpu_kernels.h"

namespace trt {
namespace cpu {

//! The index at position i of an int32 or int64 tensor.
inline int64_t indexAt(const TensorView& t, int64_t i) {
  return t.type == DataType::kINT32 ? static_cast<const int32_t*>(t.data)[i] : static_cast<const int64_t*>(t.data)[i];
}

//! Calls f(i, offset) for every position i of `indices`, offset being the data element it addresses;
//! an index outside [0, size of the axis) is an Error naming the layer (PyTorch refuses these too).
template <typename F>
void forEachElementIndex(const ILayer& layer, const Dims& data, const TensorView& indices, int axis, F f) {
  int64_t stride[Dims::MAX_DIMS];
  int64_t s = 1;
  for (int d = data.nbDims - 1; d >= 0; --d) {
    stride[d] = s;
    s *= data.d[d];
  }
  const Dims& idx = indices.dims;
  const int64_t n = idx.volume();
  int64_t coord[Dims::MAX_DIMS] = {};
  for (int64_t i = 0; i < n; ++i) {
    const int64_t k = indexAt(indices, i);
    if (k < 0 || k >= data.d[axis])
      throw Error(layer.describe() + ": index " + std::to_string(k) + " is out of range for an axis of size " +
                  std::to_string(data.d[axis]));
    int64_t off = 0;
    for (int d = 0; d < data.nbDims; ++d) off += (d == axis ? k : coord[d]) * stride[d];
    f(i, off);
    for (int d = idx.nbDims - 1; d >= 0; --d) {
      if (++coord[d] < idx.d[d]) break;
      coord[d] = 0;
    }
  }
}

}  // namespace cpu
}  // namespace trt
