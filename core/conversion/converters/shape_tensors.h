// Sizes known only at run time, as engine tensors: an int is a rank-0 int64 tensor, an int[] a 1-D
// int64 tensor. They are shape tensors (computed from Shape layers and constants), which the engine
// evaluates on the host, so converters can feed them to reshapes, slices and fills where an input
// dimension is dynamic instead of baking a number in.
#pragma once

#include "core/conversion/converters/converter_util.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace shape {

//! A 1-D int64 constant.
trt::ITensor* int64Vector(ConversionCtx* ctx, const std::vector<int64_t>& values, const std::string& name);
//! Dimension `dim` of `t` as a rank-0 int64 tensor: a constant when static, else read from a Shape layer.
trt::ITensor* dimension(ConversionCtx* ctx, trt::ITensor* t, int64_t dim, const std::string& name);
//! The shape of `t` as a 1-D int64 tensor; dims in `replace` (dim -> [1] int64 tensor) take those values.
trt::ITensor* shapeOf(ConversionCtx* ctx, trt::ITensor* t, const std::string& name,
                      const std::map<int64_t, trt::ITensor*>& replace = {});
//! Element `i` of a 1-D tensor as a rank-0 tensor (a gather).
trt::ITensor* element(ConversionCtx* ctx, trt::ITensor* t, int64_t i, const std::string& name);
//! An int argument (compile-time or run-time) as a [1] int64 tensor.
trt::ITensor* asElement(ConversionCtx* ctx, Var& arg, const std::string& name);
//! A run-time int (rank 0 or [1]) as a [1] int64 tensor.
trt::ITensor* asElement(ConversionCtx* ctx, trt::ITensor* value, const std::string& name);
//! True when an int[] argument holds sizes known only at run time.
bool isRunTimeSizes(Var& arg);
//! An int[] argument with run-time sizes as a 1-D int64 tensor.
trt::ITensor* sizesTensor(ConversionCtx* ctx, Var& arg, const std::string& name);
//! Joins [1] int64 tensors into one 1-D tensor.
trt::ITensor* concat(ConversionCtx* ctx, const std::vector<trt::ITensor*>& parts, const std::string& name);
//! Elementwise arithmetic on int64 shape tensors.
trt::ITensor* arith(ConversionCtx* ctx, trt::ElementWiseOperation op, trt::ITensor* a, trt::ITensor* b,
                    const std::string& name);
//! `t` reshaped to the sizes held by a 1-D int64 shape tensor (a Shuffle reading them at run time).
trt::ITensor* reshapeTo(ConversionCtx* ctx, trt::ITensor* t, trt::ITensor* sizes, const std::string& name);
//! `t` reshaped so that output dim j is the product of the input dims listed in groups[j] (an empty
//! group is a new size-1 dim): flatten, squeeze, unsqueeze, merged index dims. A static reshape while
//! at most one output dim is dynamic; else static products become constants, dynamic ones are read
//! at run time.
trt::ITensor* regroup(ConversionCtx* ctx, trt::ITensor* t, const std::vector<std::vector<int64_t>>& groups,
                      const std::string& name);
//! A Slice of `t` whose start and size are 1-D int64 shape tensors (the stride static).
trt::ITensor* slice(ConversionCtx* ctx, trt::ITensor* t, trt::ITensor* start, trt::ITensor* size,
                    const std::vector<int64_t>& stride, const std::string& name);
//! column - row for every element of the last two dims of `t` (int64 [rows, columns], the sizes read
//! at run time where dynamic): the diagonal each element sits on, for triangular masks.
trt::ITensor* diagonalOffsets(ConversionCtx* ctx, trt::ITensor* t, const std::string& name);
//! `in` broadcast to the shape held by a 1-D int64 shape tensor: in * ones of that shape (a Fill of
//! run-time dimensions; AND for bool).
trt::ITensor* broadcastTo(ConversionCtx* ctx, trt::ITensor* in, trt::ITensor* target, const std::string& name);
//! Checks that a tensor used as a run-time int is a shape tensor (computed from sizes), naming the node.
void requireShapeTensor(const torch::jit::Node* n, trt::ITensor* t);

}  // namespace shape
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
