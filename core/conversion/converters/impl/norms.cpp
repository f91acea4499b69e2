// Vector norms (linalg_vector_norm, norm, frobenius_norm): (sum |x|^p)^(1/p) over dims, with
// p = inf / -inf as max / min of |x| and p = 0 as the count of non-zeros; pinned to FP32 (squares of
// FP16 values overflow).
#include <cmath>
#include <limits>

#include "core/conversion/converters/converter_util.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {
using E = trt::ElementWiseOperation;

trt::ITensor* reduce(ConversionCtx* ctx, trt::ITensor* x, trt::ReduceOperation op, uint32_t axes, bool keepdim,
                     const std::string& name) {
  auto* layer = ctx->net->addReduce(*x, op, axes, keepdim);
  layer->setName(name.c_str());
  return layer->getOutput(0);
}

trt::ITensor* unary(ConversionCtx* ctx, trt::ITensor* x, trt::UnaryOperation op, const std::string& name) {
  auto* layer = ctx->net->addUnary(*x, op);
  layer->setName(name.c_str());
  return layer->getOutput(0);
}

bool vectorNorm(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* x, double p, uint32_t axes, bool keepdim) {
  PinFloat32 pin(ctx);
  const std::string name = util::node_info(n);
  TORCHTRT_CHECK(x->getType() == trt::DataType::kFLOAT || x->getType() == trt::DataType::kHALF,
                 "a norm of a " << trt::dataTypeName(x->getType()) << " tensor has no converter: " << name);
  x = castTo(ctx, x, trt::DataType::kFLOAT, name + " [float]");
  trt::ITensor* out;
  if (std::isinf(p)) {
    trt::ITensor* a = unary(ctx, x, trt::UnaryOperation::kABS, name + " [abs]");
    out = reduce(ctx, a, p > 0 ? trt::ReduceOperation::kMAX : trt::ReduceOperation::kMIN, axes, keepdim, name);
  } else if (p == 0.0) {
    trt::ITensor* zero = scalarConstant(ctx, 0.0, trt::DataType::kFLOAT, name + " [zero]");
    trt::ITensor* isZero = addElementwise(ctx, E::kEQUAL, x, zero, name + " [== 0]")->getOutput(0);
    trt::ITensor* nonZero = unary(ctx, isZero, trt::UnaryOperation::kNOT, name + " [!= 0]");
    out = reduce(ctx, castTo(ctx, nonZero, trt::DataType::kFLOAT, name + " [count]"), trt::ReduceOperation::kSUM, axes,
                 keepdim, name);
  } else if (p == 1.0) {
    out = reduce(ctx, unary(ctx, x, trt::UnaryOperation::kABS, name + " [abs]"), trt::ReduceOperation::kSUM, axes,
                 keepdim, name);
  } else if (p == 2.0) {
    trt::ITensor* sq = addElementwise(ctx, E::kPROD, x, x, name + " [square]")->getOutput(0);
    out = unary(ctx, reduce(ctx, sq, trt::ReduceOperation::kSUM, axes, keepdim, name + " [sum]"),
                trt::UnaryOperation::kSQRT, name);
  } else {
    trt::ITensor* a = unary(ctx, x, trt::UnaryOperation::kABS, name + " [abs]");
    trt::ITensor* powered =
        addElementwise(ctx, E::kPOW, a, scalarConstant(ctx, p, trt::DataType::kFLOAT, name + " [p]"), name + " [^p]")
            ->getOutput(0);
    trt::ITensor* sum = reduce(ctx, powered, trt::ReduceOperation::kSUM, axes, keepdim, name + " [sum]");
    out = addElementwise(ctx, E::kPOW, sum, scalarConstant(ctx, 1.0 / p, trt::DataType::kFLOAT, name + " [1/p]"), name)
              ->getOutput(0);
  }
  return bindTensor(ctx, n, out) != nullptr;
}

double order(Var& v, double fallback) { return v.isNone() ? fallback : v.unwrapToScalar().toDouble(); }

bool linalgVectorNorm(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = castToDtypeArg(ctx, n, a[0].ITensorOrFreeze(ctx), a[4]);
  return vectorNorm(ctx, n, x, order(a[1], 2.0), reduceAxesMask(n, x, &a[2]), a[3].unwrapToBool());
}

bool normDim(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  return vectorNorm(ctx, n, x, order(a[1], 2.0), reduceAxesMask(n, x, &a[2]), a[3].unwrapToBool());
}

bool normAll(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  return vectorNorm(ctx, n, x, order(a[1], 2.0), reduceAxesMask(n, x, nullptr), false);
}

bool frobeniusNorm(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  return vectorNorm(ctx, n, x, 2.0, reduceAxesMask(n, x, &a[1]), a[2].unwrapToBool());
}

auto normRegistrations =
    RegisterNodeConversionPatterns()
        .pattern({"aten::linalg_vector_norm(Tensor self, Scalar ord=2, int[1]? dim=None, bool keepdim=False, *, "
                  "ScalarType? dtype=None) -> Tensor",
                  linalgVectorNorm})
        .pattern(
            {"aten::norm.ScalarOpt_dim(Tensor self, Scalar? p, int[1] dim, bool keepdim=False) -> Tensor", normDim})
        .pattern({"aten::norm.Scalar(Tensor self, Scalar p=2) -> Tensor", normAll})
        .pattern({"aten::frobenius_norm.dim(Tensor self, int[1] dim, bool keepdim=False) -> Tensor", frobeniusNorm});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
