// A large 16-bit quantization to FP8 with an activation folded in, by table: a 16-bit tensor has 65,536 possible
// values, so one small kernel computes each value's code once (fp8_codes.cuh: the activation, the rounding to the
// tensor's type, the correctly rounded division, the saturating conversion) and the quantization looks each
// element's code up in shared memory. BERT-base's GELU before the FFN's second product took ~60 us a layer at
// batch 64 on an H100 computing erf and a division per element, against ~23 us for its bytes.
#pragma once

#include <cstdint>

#include "backends/cuda/cuda_kernels.h"

namespace trt {
namespace cuda {

//! Elements from which a quantization takes the table (smaller ones compute their codes directly: the table's build
//! and each block's staging of it would not pay).
constexpr int64_t kFp8TableMinimumElements = int64_t(1) << 20;

//! q[i] = the code quantizeToFp8 computes for x[i] (float16 or bfloat16 `type`, `activation` >= 0), by the table of
//! (scale, activation, type), built on first use and kept by the context. False (nothing written) where the table does
//! not apply: another type, fewer than kFp8TableMinimumElements, x not 16-byte or q not 8-byte aligned.
bool quantizeToFp8ByTable(LaunchContext& ctx, DataType type, const void* x, float scale, uint8_t* q, int64_t total,
                          int32_t activation);

}  // namespace cuda
}  // namespace trt
