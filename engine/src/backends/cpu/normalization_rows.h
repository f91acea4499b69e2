// The layer norm rows of the CPU's fast path (normalization_rows.cpp) and their AVX-512 form.
#pragma once

#include <cstdint>

namespace trt {
namespace cpu {

//! out[j] = (row[j] - mean) / sqrt(var + epsilon) * scale[j] + bias[j] over one contiguous row, mean and
//! biased variance summed in double, with AVX-512; false (nothing written) where the CPU lacks it.
bool normalizeRowFast(const float* row, int64_t width, const float* scale, const float* bias, double epsilon,
                      float* out);

}  // namespace cpu
}  // namespace trt
