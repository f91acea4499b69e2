// Sizes known only at run time: aten::size of a dynamic dimension becomes a rank-0 int64 shape
// tensor (a Shape layer and a gather), and the int arithmetic scripted and traced models do on sizes
// (add, sub, mul, floordiv, remainder, neg; NumToTensor / Int round trips) becomes elementwise layers
// on those tensors. Static sizes never reach here: the shape evaluators fold them at compile time.
#include "core/conversion/converters/shape_tensors.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {
using trt::ElementWiseOperation;

// An int operand (compile-time or run-time) as a rank-0 int64 tensor.
trt::ITensor* intOperand(ConversionCtx* ctx, const torch::jit::Node* n, Var& arg, const std::string& name) {
  if (!arg.isITensor()) return scalarConstant(ctx, arg.unwrapToInt(), trt::DataType::kINT64, name);
  shape::requireShapeTensor(n, arg.ITensor());
  return castTo(ctx, arg.ITensor(), trt::DataType::kINT64, name + " [int64]");
}

bool sizeOfDim(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  const int64_t dim = util::normalizeDim(a[1].unwrapToInt(), rankOf(in), n);
  return bindTensor(ctx, n, shape::dimension(ctx, in, dim, util::node_info(n))) != nullptr;
}

bool sizes(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  std::vector<trt::ITensor*> dims;
  for (int64_t d = 0; d < rankOf(in); ++d)
    dims.push_back(shape::dimension(ctx, in, d, util::node_info(n) + " [dim " + std::to_string(d) + "]"));
  ctx->tensor_list_map[n->output()] = dims;
  return true;
}

// NumToTensor, Int, ScalarImplicit: the same run-time value, as a tensor or as an int.
bool passThrough(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* t = a[0].ITensor();
  shape::requireShapeTensor(n, t);
  return bindTensor(ctx, n, t) != nullptr;
}

OpConverter binary(ElementWiseOperation op) {
  return [op](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool {
    const std::string name = util::node_info(n);
    trt::ITensor* lhs = intOperand(ctx, n, a[0], name + " [a]");
    trt::ITensor* rhs = intOperand(ctx, n, a[1], name + " [b]");
    return bindTensor(ctx, n, shape::arith(ctx, op, lhs, rhs, name)) != nullptr;
  };
}

// Python's a % b: a - floor(a / b) * b (the sign follows b).
bool remainder(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  const std::string name = util::node_info(n);
  trt::ITensor* lhs = intOperand(ctx, n, a[0], name + " [a]");
  trt::ITensor* rhs = intOperand(ctx, n, a[1], name + " [b]");
  trt::ITensor* quotient = shape::arith(ctx, ElementWiseOperation::kFLOOR_DIV, lhs, rhs, name + " [floordiv]");
  trt::ITensor* whole = shape::arith(ctx, ElementWiseOperation::kPROD, quotient, rhs, name + " [times]");
  return bindTensor(ctx, n, shape::arith(ctx, ElementWiseOperation::kSUB, lhs, whole, name)) != nullptr;
}

bool negate(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  const std::string name = util::node_info(n);
  trt::ITensor* zero = scalarConstant(ctx, 0, trt::DataType::kINT64, name + " [zero]");
  trt::ITensor* value = intOperand(ctx, n, a[0], name + " [a]");
  return bindTensor(ctx, n, shape::arith(ctx, ElementWiseOperation::kSUB, zero, value, name)) != nullptr;
}

auto shapeArithmeticRegistrations =
    RegisterNodeConversionPatterns()
        .pattern({"aten::size.int(Tensor self, int dim) -> int", sizeOfDim})
        .pattern({"aten::size(Tensor self) -> int[]", sizes})
        .pattern({"prim::NumToTensor.Scalar(Scalar a) -> Tensor", passThrough})
        .pattern({"aten::Int.Tensor(Tensor a) -> int", passThrough})
        .pattern({"aten::ScalarImplicit(Tensor a) -> Scalar", passThrough})
        .pattern({"aten::add.int(int a, int b) -> int", binary(ElementWiseOperation::kSUM)})
        .pattern({"aten::sub.int(int a, int b) -> int", binary(ElementWiseOperation::kSUB)})
        .pattern({"aten::mul.int(int a, int b) -> int", binary(ElementWiseOperation::kPROD)})
        .pattern({"aten::floordiv.int(int a, int b) -> int", binary(ElementWiseOperation::kFLOOR_DIV)})
        .pattern({"aten::remainder.int(int a, int b) -> int", remainder})
        .pattern({"aten::neg.int(int a) -> int", negate});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
