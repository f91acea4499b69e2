// How a Cumulative layer walks its input, shared by the backends: the tensor as `outer` x `extent`
// x `inner`, each (outer, inner) pair one independent line along the axis.
#pragma once

#include <cstdint>

#include "trt/types.h"

namespace trt {

struct CumulativeLines {
  int64_t outer = 1, extent = 1, inner = 1;
};

inline CumulativeLines cumulativeLines(const Dims& dims, int32_t axis) {
  CumulativeLines l;
  for (int i = 0; i < axis; ++i) l.outer *= dims.d[i];
  l.extent = dims.d[axis];
  for (int i = axis + 1; i < dims.nbDims; ++i) l.inner *= dims.d[i];
  return l;
}

}  // namespace trt
