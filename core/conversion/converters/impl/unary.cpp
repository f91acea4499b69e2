// Unary math ops (and their in-place forms), rsqrt, clamp family.
#include <cmath>

#include "core/conversion/converters/converter_util.h"
#include "core/conversion/converters/type_promotion.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {
using U = trt::UnaryOperation;

bool isFloat(trt::DataType t) {
  return t == trt::DataType::kFLOAT || t == trt::DataType::kHALF || t == trt::DataType::kBF16;
}

// Float functions of integer tensors compute in float, as PyTorch promotes them.
trt::ITensor* asFloat(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* t) {
  return isFloat(t->getType()) ? t : castTo(ctx, t, trt::DataType::kFLOAT, util::node_info(n) + " [to float]");
}

bool unary(ConversionCtx* ctx, const torch::jit::Node* n, args& a, U op) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  const bool integerOk = op == U::kABS || op == U::kNEG || op == U::kSIGN;
  // sign of a bool is the bool itself (PyTorch keeps the dtype).
  const bool integerIdentity =
      op == U::kCEIL || op == U::kFLOOR || op == U::kROUND || (x->getType() == trt::DataType::kBOOL && op == U::kSIGN);
  if (!isFloat(x->getType())) {
    if (integerIdentity) return bindTensor(ctx, n, x) != nullptr;
    if (!integerOk || x->getType() == trt::DataType::kBOOL) x = asFloat(ctx, n, x);
  }
  return bindOutput(ctx, n, ctx->net->addUnary(*x, op)) != nullptr;
}

bool rsqrt(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = asFloat(ctx, n, a[0].ITensorOrFreeze(ctx));
  auto* s = ctx->net->addUnary(*x, U::kSQRT);
  s->setName((util::node_info(n) + " [sqrt]").c_str());
  return bindOutput(ctx, n, ctx->net->addUnary(*s->getOutput(0), U::kRECIP)) != nullptr;
}

bool logicalNot(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  if (x->getType() != trt::DataType::kBOOL) x = castTo(ctx, x, trt::DataType::kBOOL, util::node_info(n) + " [to bool]");
  return bindOutput(ctx, n, ctx->net->addUnary(*x, U::kNOT)) != nullptr;
}

bool predicate(ConversionCtx* ctx, const torch::jit::Node* n, args& a, U op) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  if (!isFloat(x->getType())) {  // integers are never inf or nan
    auto* z = ctx->net->addElementWise(*x, *x, trt::ElementWiseOperation::kLESS);
    return bindOutput(ctx, n, z) != nullptr;
  }
  return bindOutput(ctx, n, ctx->net->addUnary(*x, op)) != nullptr;
}

// round(x, decimals=d) as ATen computes it, in float32 for float32 and 16-bit x (its opmath type; the result
// rounded once to x's type): nearbyint(x * 10^d) / 10^d for d > 0, nearbyint(x / 10^-d) * 10^-d for d < 0 (half
// to even); integers are unchanged.
bool roundDecimals(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  const std::string name = util::node_info(n);
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  const int64_t decimals = a[1].unwrapToInt();
  if (!isFloat(x->getType())) return bindOutput(ctx, n, ctx->net->addIdentity(*x)) != nullptr;
  if (decimals == 0) return bindOutput(ctx, n, ctx->net->addUnary(*x, U::kROUND)) != nullptr;
  const trt::DataType type = x->getType();
  x = castTo(ctx, x, trt::DataType::kFLOAT, name + " [float]");
  const double tenPow = std::pow(10.0, static_cast<double>(decimals > 0 ? decimals : -decimals));
  trt::ITensor* p = scalarConstant(ctx, tenPow, trt::DataType::kFLOAT, name + " [10^d]");
  using E = trt::ElementWiseOperation;
  trt::ITensor* scaled = ctx->net->addElementWise(*x, *p, decimals > 0 ? E::kPROD : E::kDIV)->getOutput(0);
  trt::ITensor* rounded = ctx->net->addUnary(*scaled, U::kROUND)->getOutput(0);
  trt::ITensor* y = ctx->net->addElementWise(*rounded, *p, decimals > 0 ? E::kDIV : E::kPROD)->getOutput(0);
  return bindTensor(ctx, n, castTo(ctx, y, type, name + " [to type]")) != nullptr;
}

// clamp(x, min, max): bounds may be None; NaN stays NaN as in PyTorch.
bool clamp(ConversionCtx* ctx, const torch::jit::Node* n, args& a, bool hasMin, bool hasMax) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  Var* lo = hasMin ? &a[1] : nullptr;
  Var* hi = hasMax ? &a[hasMin ? 2 : 1] : nullptr;
  if (lo && lo->isNone()) lo = nullptr;
  if (hi && hi->isNone()) hi = nullptr;
  TORCHTRT_CHECK(lo || hi, "clamp needs at least one of min and max in " << util::node_info(n));
  const std::string name = util::node_info(n);
  // torch.result_type of self and the bounds given: a 0-d bound does not widen a dimensioned self of its category
  // (clamp(x_half, tensor(-0.5), tensor(1.5)) is float16), a float bound makes an integer self float.
  std::vector<size_t> indices = {0};
  if (lo) indices.push_back(1);
  if (hi) indices.push_back(hasMin ? 2 : 1);
  trt::DataType type;
  auto ops = promotedOperands(ctx, n, a, indices, &type);
  x = ops[0];
  if (type == trt::DataType::kFLOAT && lo && hi && lo->isIValue() && hi->isIValue() && lo->IValue()->isScalar() &&
      hi->IValue()->isScalar()) {
    auto* clip = ctx->net->addActivation(*x, trt::ActivationType::kCLIP);
    clip->setAlpha(static_cast<float>(lo->unwrapToDouble()));
    clip->setBeta(static_cast<float>(hi->unwrapToDouble()));
    return bindOutput(ctx, n, clip) != nullptr;
  }
  trt::ITensor* out = x;
  if (lo)
    out = addElementwise(ctx, trt::ElementWiseOperation::kMAX, out, ops[1], name + " [max with min]")->getOutput(0);
  if (hi)
    out = addElementwise(ctx, trt::ElementWiseOperation::kMIN, out, ops[lo ? 2 : 1], name + " [min with max]")
              ->getOutput(0);
  ctx->AssociateValueAndTensor(n->outputs()[0], out);
  return true;
}

#define TORCHTRT_UNARY(name, op)                                                                                     \
  .pattern({"aten::" #name "(Tensor self) -> (Tensor)",                                                              \
            [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool { return unary(ctx, n, a, U::op); }}) \
      .pattern(                                                                                                      \
          {"aten::" #name "_(Tensor(a!) self) -> (Tensor(a!))",                                                      \
           [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool { return unary(ctx, n, a, U::op); }})

#define TORCHTRT_CLAMP(fn, lo, hi) \
  [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool { return fn(ctx, n, a, lo, hi); }

auto unaryRegistrations =
    RegisterNodeConversionPatterns() TORCHTRT_UNARY(exp, kEXP) TORCHTRT_UNARY(log, kLOG) TORCHTRT_UNARY(sqrt, kSQRT)
        TORCHTRT_UNARY(reciprocal, kRECIP) TORCHTRT_UNARY(abs, kABS) TORCHTRT_UNARY(neg, kNEG) TORCHTRT_UNARY(
            sin, kSIN) TORCHTRT_UNARY(cos, kCOS) TORCHTRT_UNARY(tan, kTAN) TORCHTRT_UNARY(sinh, kSINH)
            TORCHTRT_UNARY(cosh, kCOSH) TORCHTRT_UNARY(asin, kASIN) TORCHTRT_UNARY(acos, kACOS) TORCHTRT_UNARY(
                atan, kATAN) TORCHTRT_UNARY(asinh, kASINH) TORCHTRT_UNARY(acosh, kACOSH) TORCHTRT_UNARY(atanh, kATANH)
                TORCHTRT_UNARY(ceil, kCEIL) TORCHTRT_UNARY(floor, kFLOOR) TORCHTRT_UNARY(round, kROUND)
                    TORCHTRT_UNARY(erf, kERF) TORCHTRT_UNARY(sign, kSIGN)
                        .pattern({"aten::rsqrt(Tensor self) -> (Tensor)", rsqrt})
                        .pattern({"aten::rsqrt_(Tensor(a!) self) -> (Tensor(a!))", rsqrt})
                        .pattern({"aten::logical_not(Tensor self) -> (Tensor)", logicalNot})
                        .pattern({"aten::isinf(Tensor self) -> (Tensor)",
                                  [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool {
                                    return predicate(ctx, n, a, U::kISINF);
                                  }})
                        .pattern({"aten::isnan(Tensor self) -> (Tensor)",
                                  [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool {
                                    return predicate(ctx, n, a, U::kISNAN);
                                  }})
                        .pattern({"aten::clamp(Tensor self, Scalar? min=None, Scalar? max=None) -> (Tensor)",
                                  TORCHTRT_CLAMP(clamp, true, true)})
                        .pattern({"aten::clamp_(Tensor(a!) self, Scalar? min=None, Scalar? max=None) -> (Tensor(a!))",
                                  TORCHTRT_CLAMP(clamp, true, true)})
                        .pattern({"aten::clamp.Tensor(Tensor self, Tensor? min=None, Tensor? max=None) -> (Tensor)",
                                  TORCHTRT_CLAMP(clamp, true, true)})
                        .pattern({"aten::clamp_min(Tensor self, Scalar min) -> (Tensor)",
                                  TORCHTRT_CLAMP(clamp, true, false)})
                        .pattern({"aten::clamp_min_(Tensor(a!) self, Scalar min) -> (Tensor(a!))",
                                  TORCHTRT_CLAMP(clamp, true, false)})
                        .pattern({"aten::clamp_max(Tensor self, Scalar max) -> (Tensor)",
                                  TORCHTRT_CLAMP(clamp, false, true)})
                        .pattern({"aten::clamp_max_(Tensor(a!) self, Scalar max) -> (Tensor(a!))",
                                  TORCHTRT_CLAMP(clamp, false, true)})
                        .pattern({"aten::clamp_min.Tensor(Tensor self, Tensor min) -> Tensor",
                                  TORCHTRT_CLAMP(clamp, true, false)})
                        .pattern({"aten::clamp_max.Tensor(Tensor self, Tensor max) -> Tensor",
                                  TORCHTRT_CLAMP(clamp, false, true)})
                        .pattern({"aten::round.decimals(Tensor self, *, int decimals) -> Tensor", roundDecimals});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
