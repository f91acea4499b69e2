// More elementwise ops: logical and/or/xor, square, scalar ** tensor, addcmul/addcdiv, max/min of two tensors, mish.
#include "core/conversion/converters/converter_util.h"
#include "core/conversion/converters/type_promotion.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {
using E = trt::ElementWiseOperation;

trt::ITensor* toBool(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* t) {
  return castTo(ctx, t, trt::DataType::kBOOL, util::node_info(n) + " [to bool]");
}

bool logical(ConversionCtx* ctx, const torch::jit::Node* n, args& a, E op) {
  trt::ITensor* x = toBool(ctx, n, a[0].ITensorOrFreeze(ctx));
  trt::ITensor* y = toBool(ctx, n, a[1].ITensorOrFreeze(ctx));
  return bindOutput(ctx, n, ctx->net->addElementWise(*x, *y, op)) != nullptr;
}

// square of bool is int64 in PyTorch (x * x promoted as pow does).
bool square(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  if (x->getType() == trt::DataType::kBOOL) x = castTo(ctx, x, trt::DataType::kINT64, util::node_info(n) + " [int64]");
  return bindOutput(ctx, n, ctx->net->addElementWise(*x, *x, E::kPROD)) != nullptr;
}

bool scalarPow(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* exponent = a[1].ITensorOrFreeze(ctx);
  trt::ITensor* base = tensorOrScalar(ctx, a[0], exponent, util::node_info(n) + " [base]");
  return bindOutput(ctx, n, addElementwise(ctx, E::kPOW, base, exponent, util::node_info(n))) != nullptr;
}

// self + (value * t1) op t2, in torch.result_type of the three tensors (a 0-d one does not widen the others of its
// category); addcdiv of integers is refused, as PyTorch does.
bool addcOp(ConversionCtx* ctx, const torch::jit::Node* n, args& a, E op) {
  const std::string name = util::node_info(n);
  trt::DataType type;
  auto ops = promotedOperands(ctx, n, a, {0, 1, 2}, &type);
  TORCHTRT_CHECK(op != E::kDIV || isFloatingType(type),
                 "Unable to convert node: " << name << "\nInteger division with addcdiv is not supported (PyTorch "
                                            << "raises); use floating-point inputs");
  // 16-bit floats are computed in float32 and rounded once, as PyTorch's kernels do (a float16 t1 * t2 beyond
  // 65504 scaled back by value stays finite there).
  const bool widened = type == trt::DataType::kHALF || type == trt::DataType::kBF16;
  if (widened)
    for (size_t i = 0; i < ops.size(); ++i)
      ops[i] = castTo(ctx, ops[i], trt::DataType::kFLOAT, name + " [float " + std::to_string(i) + "]");
  trt::ITensor* self = ops[0];
  // PyTorch's order: self + (value * t1) op t2.
  trt::ITensor* t1 = ops[1];
  double value = a[3].unwrapToDouble();
  if (value != 1.0)
    t1 = addElementwise(ctx, E::kPROD, t1, scalarConstant(ctx, value, t1->getType(), name + " [value]"),
                        name + " [value * t1]")
             ->getOutput(0);
  trt::ITensor* t = addElementwise(ctx, op, t1, ops[2], name + " [t1 op t2]")->getOutput(0);
  trt::ITensor* sum = addElementwise(ctx, E::kSUM, self, t, name + (widened ? " [sum]" : ""))->getOutput(0);
  if (widened) sum = castTo(ctx, sum, type, name);
  return bindOutput(ctx, n, sum->getProducer()) != nullptr;
}

bool binaryTensors(ConversionCtx* ctx, const torch::jit::Node* n, args& a, E op) {
  return bindOutput(ctx, n,
                    addElementwise(ctx, op, a[0].ITensorOrFreeze(ctx), a[1].ITensorOrFreeze(ctx),
                                   util::node_info(n))) != nullptr;
}

// mish(x) = x * tanh(softplus(x)), softplus with PyTorch's threshold of 20.
bool mish(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  auto* sp = ctx->net->addActivation(*x, trt::ActivationType::kSOFTPLUS);
  sp->setAlpha(1.f);
  sp->setBeta(1.f);
  auto* th = ctx->net->addActivation(*sp->getOutput(0), trt::ActivationType::kTANH);
  return bindOutput(ctx, n, ctx->net->addElementWise(*x, *th->getOutput(0), E::kPROD)) != nullptr;
}

#define TORCHTRT_EW(fn, op) \
  [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool { return fn(ctx, n, a, op); }

auto elementwiseExtraRegistrations =
    RegisterNodeConversionPatterns()
        .pattern({"aten::logical_and(Tensor self, Tensor other) -> Tensor", TORCHTRT_EW(logical, E::kAND)})
        .pattern({"aten::logical_or(Tensor self, Tensor other) -> Tensor", TORCHTRT_EW(logical, E::kOR)})
        .pattern({"aten::logical_xor(Tensor self, Tensor other) -> Tensor", TORCHTRT_EW(logical, E::kXOR)})
        .pattern({"aten::square(Tensor self) -> Tensor", square})
        .pattern({"aten::square_(Tensor(a!) self) -> Tensor(a!)", square})
        .pattern({"aten::pow.Scalar(Scalar self, Tensor exponent) -> Tensor", scalarPow})
        .pattern({"aten::addcmul(Tensor self, Tensor tensor1, Tensor tensor2, *, Scalar value=1) -> Tensor",
                  TORCHTRT_EW(addcOp, E::kPROD)})
        .pattern({"aten::addcdiv(Tensor self, Tensor tensor1, Tensor tensor2, *, Scalar value=1) -> Tensor",
                  TORCHTRT_EW(addcOp, E::kDIV)})
        .pattern({"aten::max.other(Tensor self, Tensor other) -> Tensor", TORCHTRT_EW(binaryTensors, E::kMAX)})
        .pattern({"aten::min.other(Tensor self, Tensor other) -> Tensor", TORCHTRT_EW(binaryTensors, E::kMIN)})
        .pattern({"aten::mish(Tensor self) -> Tensor", mish});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
