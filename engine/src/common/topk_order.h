// TopK's order, shared by the backends: by value (NaN above every number, as PyTorch), then by
// index so that ties go to the lower index.
#pragma once

#include <cstdint>

#include "common/sample_mode.h"  // TRT_HOST_DEVICE

namespace trt {

//! True when (a, ia) comes before (b, ib) in the output of a largest-first (or smallest-first) TopK.
template <typename T>
TRT_HOST_DEVICE inline bool topkBefore(T a, int64_t ia, T b, int64_t ib, bool largest) {
  const bool nanA = a != a, nanB = b != b;  // false for integer types
  if (nanA || nanB) {
    if (nanA && nanB) return ia < ib;
    return largest ? nanA : nanB;
  }
  if (a != b) return largest ? a > b : a < b;
  return ia < ib;
}

}  // namespace trt
