// var / std (every overload: unbiased flag or correction, over dims or all), all / any.
#include "core/conversion/converters/converter_util.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {
using E = trt::ElementWiseOperation;

// sum((x - mean)^2) / (count - correction), optionally its square root.
bool variance(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* x, uint32_t axes, double correction,
              bool keepdim, bool root) {
  PinFloat32 pin(ctx);
  const std::string name = util::node_info(n);
  // Statistics in FP32, the result in the input's floating type (var of float16 is float16 in PyTorch).
  const trt::DataType type = x->getType();
  TORCHTRT_CHECK(type == trt::DataType::kFLOAT || type == trt::DataType::kHALF || type == trt::DataType::kBF16,
                 "Unable to convert node: " << name << "\nvar/std of a " << trt::dataTypeName(type)
                                            << " tensor is not defined (PyTorch raises); cast it to float first");
  if (x->getType() != trt::DataType::kFLOAT) x = castTo(ctx, x, trt::DataType::kFLOAT, name + " [float]");
  auto dims = util::toVec(x->getDimensions());
  int64_t count = 1;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (!(axes & (1u << i))) continue;
    TORCHTRT_CHECK(dims[i] >= 0, "variance over dynamic dimension " << i << " of " << x->getDimensions().str()
                                                                    << " has no converter (its count is a run-time "
                                                                       "value): "
                                                                    << name);
    count *= dims[i];
  }
  auto* mean = ctx->net->addReduce(*x, trt::ReduceOperation::kAVG, axes, true);
  trt::ITensor* centered = addElementwise(ctx, E::kSUB, x, mean->getOutput(0), name + " [center]")->getOutput(0);
  trt::ITensor* squared = addElementwise(ctx, E::kPROD, centered, centered, name + " [square]")->getOutput(0);
  auto* sum = ctx->net->addReduce(*squared, trt::ReduceOperation::kSUM, axes, keepdim);
  // PyTorch divides by max(0, count - correction): 0 gives inf/nan as here.
  const double divisor = std::max(0.0, static_cast<double>(count) - correction);
  trt::ITensor* out = addElementwise(ctx, E::kDIV, sum->getOutput(0),
                                     scalarConstant(ctx, divisor, trt::DataType::kFLOAT, name + " [n]"), name)
                          ->getOutput(0);
  if (root) out = ctx->net->addUnary(*out, trt::UnaryOperation::kSQRT)->getOutput(0);
  return bindTensor(ctx, n, castTo(ctx, out, type, name + " [result type]")) != nullptr;
}

template <bool ROOT>
bool varAll(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  return variance(ctx, n, x, reduceAxesMask(n, x, nullptr), a[1].unwrapToBool() ? 1.0 : 0.0, false, ROOT);
}

template <bool ROOT>
bool varDim(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  return variance(ctx, n, x, reduceAxesMask(n, x, &a[1]), a[2].unwrapToBool() ? 1.0 : 0.0, a[3].unwrapToBool(), ROOT);
}

template <bool ROOT>
bool varCorrection(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  double correction = a[2].isNone() ? 1.0 : a[2].unwrapToScalar().toDouble();
  return variance(ctx, n, x, reduceAxesMask(n, x, &a[1]), correction, a[3].unwrapToBool(), ROOT);
}

// all: min over the values as bool; any: max. The result is bool, as in PyTorch.
bool logicalReduce(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* x, uint32_t axes, bool keepdim,
                   trt::ReduceOperation op) {
  const std::string name = util::node_info(n);
  trt::ITensor* b = x;
  if (x->getType() != trt::DataType::kBOOL) {
    trt::ITensor* zero = scalarConstant(ctx, 0, x->getType(), name + " [0]");
    b = addElementwise(ctx, E::kEQUAL, x, zero, name + " [==0]")->getOutput(0);
    b = ctx->net->addUnary(*b, trt::UnaryOperation::kNOT)->getOutput(0);
  }
  // PyTorch's any / all of a uint8 tensor are uint8 (0 or 1); of every other type bool.
  const trt::DataType result = x->getType() == trt::DataType::kUINT8 ? trt::DataType::kUINT8 : trt::DataType::kBOOL;
  // A 0-dim tensor is its own reduction (over dim 0 or -1, or all dims; keepdim keeps 0 dims).
  if (rankOf(x) == 0) return bindTensor(ctx, n, castTo(ctx, b, result, name + " [result type]")) != nullptr;
  trt::ITensor* f = castTo(ctx, b, trt::DataType::kFLOAT, name + " [as float]");
  auto* r = ctx->net->addReduce(*f, op, axes, keepdim);
  trt::ITensor* reduced = castTo(ctx, r->getOutput(0), trt::DataType::kBOOL, name);
  return bindTensor(ctx, n, castTo(ctx, reduced, result, name + " [result type]")) != nullptr;
}

template <trt::ReduceOperation OP>
bool logicalAll(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  return logicalReduce(ctx, n, x, reduceAxesMask(n, x, nullptr), false, OP);
}

template <trt::ReduceOperation OP>
bool logicalDim(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  return logicalReduce(ctx, n, x, reduceAxesMask(n, x, &a[1]), a[2].unwrapToBool(), OP);
}

constexpr auto kMin = trt::ReduceOperation::kMIN;
constexpr auto kMax = trt::ReduceOperation::kMAX;

auto statisticsRegistrations =
    RegisterNodeConversionPatterns()
        .pattern({"aten::var(Tensor self, bool unbiased=True) -> Tensor", varAll<false>})
        .pattern({"aten::var.dim(Tensor self, int[1]? dim, bool unbiased=True, bool keepdim=False) -> Tensor",
                  varDim<false>})
        .pattern({"aten::var.correction(Tensor self, int[1]? dim=None, *, Scalar? correction=None, bool "
                  "keepdim=False) -> Tensor",
                  varCorrection<false>})
        .pattern({"aten::std(Tensor self, bool unbiased=True) -> Tensor", varAll<true>})
        .pattern(
            {"aten::std.dim(Tensor self, int[1]? dim, bool unbiased=True, bool keepdim=False) -> Tensor", varDim<true>})
        .pattern({"aten::std.correction(Tensor self, int[1]? dim=None, *, Scalar? correction=None, bool "
                  "keepdim=False) -> Tensor",
                  varCorrection<true>})
        .pattern({"aten::all(Tensor self) -> Tensor", logicalAll<kMin>})
        .pattern({"aten::all.dim(Tensor self, int dim, bool keepdim=False) -> Tensor", logicalDim<kMin>})
        .pattern({"aten::all.dims(Tensor self, int[]? dim=None, bool keepdim=False) -> Tensor", logicalDim<kMin>})
        .pattern({"aten::any(Tensor self) -> Tensor", logicalAll<kMax>})
        .pattern({"aten::any.dim(Tensor self, int dim, bool keepdim=False) -> Tensor", logicalDim<kMax>})
        .pattern({"aten::any.dims(Tensor self, int[]? dim=None, bool keepdim=False) -> Tensor", logicalDim<kMax>});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
