// Helpers for converters whose output size depends on the data (defined in impl/data_dependent.cpp).
#pragma once

#include "core/conversion/converters/converter_util.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {

//! x[..., mask, ...]: the mask (bool, shape of x's dims [dim, dim + k), static there) selects
//! positions; the masked dims merge into one and a gather reads the selected positions in row-major
//! order (torch's rule): result pre + [count] + post, the count known when the engine runs.
trt::ITensor* selectByMask(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* x, trt::ITensor* mask,
                           int64_t dim);

}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
