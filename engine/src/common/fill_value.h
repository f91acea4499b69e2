// Fill layer arithmetic shared by the CPU reference and the CUDA kernel: element i of a linspace
// fill is alpha + sum_d beta[d] * index_d(i), computed in double and then stored in the output type.
#pragma once

#include <cstdint>
#include <string>

#include "common/sample_mode.h"  // TRT_HOST_DEVICE
#include "trt/network.h"

namespace trt {
namespace fill {

struct Params {
  int32_t rank = 0;
  int64_t dims[Dims::MAX_DIMS] = {};
  double alpha = 0.0;
  double beta[Dims::MAX_DIMS] = {};  // all zero for a constant fill
};

//! The parameters of a fill layer producing `out`.
inline Params paramsOf(const IFillLayer& layer, const Dims& out) {
  Params p;
  p.rank = out.nbDims;
  p.alpha = layer.getAlpha();
  for (int d = 0; d < out.nbDims; ++d) {
    p.dims[d] = out.d[d];
    if (layer.getOperation() == FillOperation::kLINSPACE) p.beta[d] = layer.getBeta()[d];
  }
  return p;
}

//! The value of row-major element `index`.
TRT_HOST_DEVICE inline double value(const Params& p, int64_t index) {
  double v = p.alpha;
  for (int d = p.rank - 1; d >= 0; --d) {
    v += p.beta[d] * static_cast<double>(index % p.dims[d]);
    index /= p.dims[d];
  }
  return v;
}

//! Throws when an integer output cannot hold every value (the values are linear in the indices, so
//! the extremes are at corners).
inline void checkRange(const ILayer& layer, const Params& p, DataType type) {
  if (type != DataType::kINT32 && type != DataType::kINT64) return;
  double lo = p.alpha, hi = p.alpha;
  for (int d = 0; d < p.rank; ++d) {
    const double span = p.beta[d] * static_cast<double>(p.dims[d] > 0 ? p.dims[d] - 1 : 0);
    (span < 0 ? lo : hi) += span;
  }
  const double limit = type == DataType::kINT32 ? 2147483648.0 : 9223372036854775808.0;
  if (lo < -limit || hi >= limit)
    throw Error(layer.describe() + ": values from " + std::to_string(lo) + " to " + std::to_string(hi) +
                " do not fit the " + dataTypeName(type) + " output");
}

}  // namespace fill
}  // namespace trt
