// The rows an RMSNormalization layer normalizes (its axes are the input's last dimensions), shared by
// the CPU reference and the CUDA kernel.
#pragma once

#include <cstdint>

#include "trt/types.h"

namespace trt {

struct RmsRows {
  int64_t count = 0;   //!< rows (0 for an empty input)
  int64_t length = 1;  //!< elements a row: the volume of the normalized dimensions
};

//! The rows of input `dims` normalized over the dimensions in `axesMask`.
inline RmsRows rmsRows(const Dims& dims, uint32_t axesMask) {
  RmsRows rows;
  for (int k = 0; k < dims.nbDims; ++k)
    if ((axesMask >> k) & 1u) rows.length *= dims.d[k];
  const int64_t n = dims.volume();
  rows.count = n > 0 && rows.length > 0 ? n / rows.length : 0;
  return rows;
}

}  // namespace trt
