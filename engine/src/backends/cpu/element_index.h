// Element-wise indexing along one axis, shared by element gather and scatter: position i of an
// index tensor (the data's rank) addresses the data element at i's coordinates with the axis
// coordinate replaced by the index found there.
#pragma once

#include <string>

#include "backends/cpu/cpu_kernels.h"

namespace trt {
namespace cpu {

//! Element strides of a contiguous row-major tensor of `dims`.
inline void rowMajorStrides(const Dims& dims, int64_t* stride) {
  int64_t s = 1;
  for (int d = dims.nbDims - 1; d >= 0; --d) {
    stride[d] = s;
    s *= dims.d[d];
  }
}

//! The index at position i of an int32 or int64 tensor.
inline int64_t indexAt(const TensorView& t, int64_t i) {
  return t.type == DataType::kINT32 ? static_cast<const int32_t*>(t.data)[i] : static_cast<const int64_t*>(t.data)[i];
}

//! Calls f(i, offset) for every position i of `indices`, offset being the data element it addresses;
//! an index outside [0, size of the axis) is an Error naming the layer (PyTorch refuses these too).
template <typename F>
void forEachElementIndex(const ILayer& layer, const Dims& data, const TensorView& indices, int axis, F f) {
  int64_t stride[Dims::MAX_DIMS];
  rowMajorStrides(data, stride);
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

//! Calls f(i, offset) for every element i of a ScatterND's updates, offset being the data element it
//! lands on: indices [T..., k] hold tuples into the data's first k dimensions, each tuple's slice
//! (the data's remaining dimensions) contiguous in both. An index outside its dimension is an Error.
template <typename F>
void forEachNdIndex(const ILayer& layer, const Dims& data, const TensorView& indices, F f) {
  const int k = static_cast<int>(indices.dims.d[indices.dims.nbDims - 1]);
  int64_t stride[Dims::MAX_DIMS];
  rowMajorStrides(data, stride);
  const int64_t slice = k < data.nbDims ? stride[k - 1] : 1, tuples = indices.dims.volume() / k;
  for (int64_t t = 0; t < tuples; ++t) {
    int64_t base = 0;
    for (int j = 0; j < k; ++j) {
      const int64_t v = indexAt(indices, t * k + j);
      if (v < 0 || v >= data.d[j])
        throw Error(layer.describe() + ": index " + std::to_string(v) + " is out of range for dimension " +
                    std::to_string(j) + " of size " + std::to_string(data.d[j]));
      base += v * stride[j];
    }
    for (int64_t e = 0; e < slice; ++e) f(t * slice + e, base + e);
  }
}

}  // namespace cpu
}  // namespace trt
