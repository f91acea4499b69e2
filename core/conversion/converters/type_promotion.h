// PyTorch's type promotion (torch.result_type) in one place, for every converter that combines
// tensors and scalars. The category of an operand (bool < integer < floating) and its priority
// (a tensor with dimensions over a zero-dim tensor over a Python number) decide the result type,
// as in ATen's ResultTypeState: a lower-priority operand only changes the result when its category
// is higher, and then a Python float gives float32 (the default dtype).
#pragma once

#include <vector>

#include "core/conversion/converters/converters.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {

//! How an operand takes part in promotion.
enum class OperandKind { kDimensioned, kZeroDim, kNumber };

//! One operand of an op: its Torch dtype and its promotion priority.
struct PromotionOperand {
  at::ScalarType type;
  OperandKind kind;
};

//! The operand the node's input `index` is: an engine tensor (dimensioned or zero-dim by its rank, or a
//! number when the graph value is an int/float/bool computed at run time), a constant tensor or a scalar.
PromotionOperand promotionOperand(const torch::jit::Node* n, size_t index, Var& arg);
//! torch.result_type over the operands; float64 (which the engine has not) becomes float32.
at::ScalarType resultType(const std::vector<PromotionOperand>& operands);
//! The engine type of a Torch dtype; throws naming the node when the engine has none (int16, complex, ...).
trt::DataType engineTypeOf(const torch::jit::Node* n, at::ScalarType type);
//! True for float32, float16 and bfloat16.
bool isFloatingType(trt::DataType type);
//! True for int8, uint8, int32 and int64.
bool isIntegerType(trt::DataType type);

//! The node's inputs `indices` as engine tensors of their common (promoted) type: engine tensors are cast,
//! constant tensors and scalars are created in that type.
//! With `computeType`, a float16 result whose scalar operand float16 cannot hold (beyond 65504, or a nonzero value
//! below 2^-14: x / 1e5, m * -1e9), or a bfloat16 result whose scalar rounds to inf in bfloat16 (float32's largest
//! finite value), gets every operand in float32 instead and `*computeType` float32: the caller
//! computes there and casts the result to `*type`, as PyTorch computes a 16-bit tensor with a scalar in float and
//! rounds once. Elsewhere `*computeType` is `*type`.
std::vector<trt::ITensor*> promotedOperands(ConversionCtx* ctx, const torch::jit::Node* n, args& a,
                                            const std::vector<size_t>& indices, trt::DataType* type = nullptr,
                                            trt::DataType* computeType = nullptr);
//! The operands of an op whose integral result PyTorch computes in float32 (true division, atan2), as float32:
//! tensors cast, numbers and constants made from their values (255 stays 255 beside an int8 tensor, where
//! promotedOperands gives it int8's wrapped -1, as integer arithmetic computes).
std::vector<trt::ITensor*> operandsInFloat(ConversionCtx* ctx, const torch::jit::Node* n, args& a,
                                           const std::vector<size_t>& indices);
//! The promoted type of a tensor list (cat, stack): every one counts as dimensioned.
trt::DataType promotedListType(const torch::jit::Node* n, const std::vector<trt::ITensor*>& tensors);
//! Engine tensors of a tensor list (cat, stack) cast to their promoted type (every one counts as dimensioned).
std::vector<trt::ITensor*> promotedList(ConversionCtx* ctx, const torch::jit::Node* n,
                                        const std::vector<trt::ITensor*>& tensors);

}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
