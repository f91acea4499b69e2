// Scatter reductions, shared by the CPU reference and the CUDA kernels so both combine alike:
// max/min propagate NaN (as torch.scatter_reduce's amax/amin), the mean divides once at the end.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

#include "common/sample_mode.h"  // TRT_HOST_DEVICE
#include "trt/types.h"

namespace trt {
namespace scatter_reduction {

template <typename T>
TRT_HOST_DEVICE inline bool isNan(T v) {
  return v != v;  // false for integers
}

//! The value a reduction starts from when the data value is left out (include_self = false).
template <typename T>
TRT_HOST_DEVICE inline T identity(ScatterReduction op) {
  switch (op) {
    case ScatterReduction::kPROD:
      return T(1);
    case ScatterReduction::kMAX:
      return std::numeric_limits<T>::has_infinity ? -std::numeric_limits<T>::infinity()
                                                  : std::numeric_limits<T>::lowest();
    case ScatterReduction::kMIN:
      return std::numeric_limits<T>::has_infinity ? std::numeric_limits<T>::infinity() : std::numeric_limits<T>::max();
    default:
      return T(0);
  }
}

//! `acc` combined with one update.
template <typename T>
TRT_HOST_DEVICE inline T combine(ScatterReduction op, T acc, T v) {
  switch (op) {
    case ScatterReduction::kSUM:
    case ScatterReduction::kMEAN:
      return acc + v;
    case ScatterReduction::kPROD:
      return acc * v;
    case ScatterReduction::kMAX:
      return isNan(acc) || isNan(v) ? (isNan(acc) ? acc : v) : (v > acc ? v : acc);
    case ScatterReduction::kMIN:
      return isNan(acc) || isNan(v) ? (isNan(acc) ? acc : v) : (v < acc ? v : acc);
    default:
      return v;
  }
}

//! The mean of `count` combined values whose sum is `sum` (floating point only).
template <typename T>
TRT_HOST_DEVICE inline T mean(T sum, int64_t count) {
  return sum / static_cast<T>(count);
}

}  // namespace scatter_reduction
}  // namespace trt
