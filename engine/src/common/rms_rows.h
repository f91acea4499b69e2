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

//! Whether a scale of dims `scale` over input `dims` varies only along the normalized dimensions (a norm's
//! weight, [H] or [1, H]): then element i of every row reads scale[i], no broadcast index needed.
inline bool rmsScalePerPosition(const Dims& dims, const Dims& scale, uint32_t axesMask) {
  if (scale.nbDims > dims.nbDims) return false;
  int normalized = 0;
  for (uint32_t axes = axesMask; axes; axes >>= 1) normalized += axes & 1u;
  for (int k = 1; k <= dims.nbDims; ++k) {
    const int64_t extent = k <= scale.nbDims ? scale.d[scale.nbDims - k] : 1;
    if (k <= normalized ? extent != dims.d[dims.nbDims - k] : extent != 1) return false;
  }
  return true;
}

}  // namespace trt
