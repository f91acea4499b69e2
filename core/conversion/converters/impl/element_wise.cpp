// Binary elementwise ops with tensor and scalar overloads and their in-place forms.
#include "core/conversion/converters/converter_util.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {
using Op = trt::ElementWiseOperation;

trt::ITensor* firstTensor(ConversionCtx* ctx, args& a) {
  return a[0].isITensor() ? a[0].ITensor() : a[0].ITensorOrFreeze(ctx);
}

bool binary(ConversionCtx* ctx, const torch::jit::Node* n, args& a, Op op, bool swap = false) {
  trt::ITensor* self = firstTensor(ctx, a);
  trt::ITensor* other = tensorOrScalar(ctx, a[1], self, util::node_info(n) + " [other]");
  if (swap) std::swap(self, other);
  return bindOutput(ctx, n, addElementwise(ctx, op, self, other, util::node_info(n))) != nullptr;
}

// self + alpha * other (add/sub with alpha); rsub is other - alpha * self.
bool addSub(ConversionCtx* ctx, const torch::jit::Node* n, args& a, Op op, bool reversed = false) {
  trt::ITensor* self = firstTensor(ctx, a);
  trt::ITensor* other = tensorOrScalar(ctx, a[1], self, util::node_info(n) + " [other]");
  if (a.size() > 2) {
    at::Scalar alpha = a[2].unwrapToScalar();
    if (alpha.toDouble() != 1.0) {
      trt::ITensor* scaled = reversed ? self : other;
      trt::ITensor* alphaT =
          scalarConstant(ctx, alpha,
                         scaled->getType() == trt::DataType::kINT32 && alpha.isIntegral(false) ? trt::DataType::kINT32
                                                                                               : trt::DataType::kFLOAT,
                         util::node_info(n) + " [alpha]");
      trt::ITensor* product =
          addElementwise(ctx, Op::kPROD, scaled, alphaT, util::node_info(n) + " [alpha]")->getOutput(0);
      (reversed ? self : other) = product;
    }
  }
  if (reversed) std::swap(self, other);
  return bindOutput(ctx, n, addElementwise(ctx, op, self, other, util::node_info(n))) != nullptr;
}

bool divide(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* self = firstTensor(ctx, a);
  trt::ITensor* other = tensorOrScalar(ctx, a[1], self, util::node_info(n) + " [other]");
  std::string mode = "none";
  if (a.size() > 2 && !a[2].isNone()) mode = a[2].unwrapToString();
  if (mode == "floor")
    return bindOutput(ctx, n, addElementwise(ctx, Op::kFLOOR_DIV, self, other, util::node_info(n))) != nullptr;
  TORCHTRT_CHECK(
      mode == "none" || mode == "trunc",
      "aten::div rounding_mode='" << mode << "' is not one of None, 'trunc', 'floor': " << util::node_info(n));
  const bool floating = self->getType() == trt::DataType::kFLOAT || self->getType() == trt::DataType::kHALF ||
                        self->getType() == trt::DataType::kBF16;
  if (mode == "trunc") {
    // Integers: the engine's integer division truncates. Floats: trunc(q) = sign(q) * floor(|q|).
    trt::ITensor* q = addElementwise(ctx, Op::kDIV, self, other, util::node_info(n) + " [quotient]")->getOutput(0);
    if (!floating) return bindTensor(ctx, n, q) != nullptr;
    auto unary = [&](trt::ITensor* t, trt::UnaryOperation op, const char* what) {
      auto* layer = ctx->net->addUnary(*t, op);
      layer->setName((util::node_info(n) + what).c_str());
      return layer->getOutput(0);
    };
    trt::ITensor* magnitude =
        unary(unary(q, trt::UnaryOperation::kABS, " [abs]"), trt::UnaryOperation::kFLOOR, " [floor]");
    trt::ITensor* sign = unary(q, trt::UnaryOperation::kSIGN, " [sign]");
    return bindOutput(ctx, n, addElementwise(ctx, Op::kPROD, sign, magnitude, util::node_info(n))) != nullptr;
  }
  // True division: integer operands are divided as float, as PyTorch does.
  if (!floating) self = castTo(ctx, self, trt::DataType::kFLOAT, util::node_info(n) + " [to float]");
  return bindOutput(ctx, n, addElementwise(ctx, Op::kDIV, self, other, util::node_info(n))) != nullptr;
}

bool compare(ConversionCtx* ctx, const torch::jit::Node* n, args& a, Op op, bool negate) {
  trt::ITensor* self = firstTensor(ctx, a);
  trt::ITensor* other = tensorOrScalar(ctx, a[1], self, util::node_info(n) + " [other]");
  trt::ILayer* cmp = addElementwise(ctx, op, self, other, util::node_info(n));
  if (!negate) return bindOutput(ctx, n, cmp) != nullptr;
  trt::ITensor* t = scalarConstant(ctx, true, trt::DataType::kBOOL, util::node_info(n) + " [true]");
  return bindOutput(ctx, n, ctx->net->addElementWise(*cmp->getOutput(0), *t, Op::kXOR)) != nullptr;
}

// a >= b is (a > b) or (a == b); a <= b is (a < b) or (a == b).
bool compareOrEqual(ConversionCtx* ctx, const torch::jit::Node* n, args& a, Op strict) {
  trt::ITensor* self = firstTensor(ctx, a);
  trt::ITensor* other = tensorOrScalar(ctx, a[1], self, util::node_info(n) + " [other]");
  trt::ITensor* s = addElementwise(ctx, strict, self, other, util::node_info(n) + " [strict]")->getOutput(0);
  trt::ITensor* e = addElementwise(ctx, Op::kEQUAL, self, other, util::node_info(n) + " [equal]")->getOutput(0);
  return bindOutput(ctx, n, ctx->net->addElementWise(*s, *e, Op::kOR)) != nullptr;
}

#define TORCHTRT_BINARY(fn, ...) \
  [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool { return fn(ctx, n, a, __VA_ARGS__); }

auto elementwiseRegistrations =
    RegisterNodeConversionPatterns()
        .pattern({"aten::add.Tensor(Tensor self, Tensor other, Scalar alpha=1) -> (Tensor)",
                  TORCHTRT_BINARY(addSub, Op::kSUM)})
        .pattern({"aten::add_.Tensor(Tensor(a!) self, Tensor other, *, Scalar alpha=1) -> (Tensor(a!))",
                  TORCHTRT_BINARY(addSub, Op::kSUM)})
        .pattern({"aten::add.Scalar(Tensor self, Scalar other, Scalar alpha=1) -> (Tensor)",
                  TORCHTRT_BINARY(addSub, Op::kSUM)})
        .pattern({"aten::add_.Scalar(Tensor(a!) self, Scalar other, Scalar alpha=1) -> (Tensor(a!))",
                  TORCHTRT_BINARY(addSub, Op::kSUM)})
        .pattern({"aten::sub.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> (Tensor)",
                  TORCHTRT_BINARY(addSub, Op::kSUB)})
        .pattern({"aten::sub_.Tensor(Tensor(a!) self, Tensor other, *, Scalar alpha=1) -> (Tensor(a!))",
                  TORCHTRT_BINARY(addSub, Op::kSUB)})
        .pattern({"aten::sub.Scalar(Tensor self, Scalar other, Scalar alpha=1) -> (Tensor)",
                  TORCHTRT_BINARY(addSub, Op::kSUB)})
        .pattern({"aten::sub_.Scalar(Tensor(a!) self, Scalar other, Scalar alpha=1) -> (Tensor(a!))",
                  TORCHTRT_BINARY(addSub, Op::kSUB)})
        .pattern({"aten::rsub.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> (Tensor)",
                  TORCHTRT_BINARY(addSub, Op::kSUB, true)})
        .pattern({"aten::rsub.Scalar(Tensor self, Scalar other, Scalar alpha=1) -> (Tensor)",
                  TORCHTRT_BINARY(addSub, Op::kSUB, true)})
        .pattern({"aten::mul.Tensor(Tensor self, Tensor other) -> (Tensor)", TORCHTRT_BINARY(binary, Op::kPROD)})
        .pattern(
            {"aten::mul_.Tensor(Tensor(a!) self, Tensor other) -> (Tensor(a!))", TORCHTRT_BINARY(binary, Op::kPROD)})
        .pattern({"aten::mul.Scalar(Tensor self, Scalar other) -> (Tensor)", TORCHTRT_BINARY(binary, Op::kPROD)})
        .pattern(
            {"aten::mul_.Scalar(Tensor(a!) self, Scalar other) -> (Tensor(a!))", TORCHTRT_BINARY(binary, Op::kPROD)})
        .pattern({"aten::div.Tensor(Tensor self, Tensor other) -> (Tensor)", divide})
        .pattern({"aten::div_.Tensor(Tensor(a!) self, Tensor other) -> (Tensor(a!))", divide})
        .pattern({"aten::div.Scalar(Tensor self, Scalar other) -> (Tensor)", divide})
        .pattern({"aten::div_.Scalar(Tensor(a!) self, Scalar other) -> (Tensor(a!))", divide})
        .pattern({"aten::div.Tensor_mode(Tensor self, Tensor other, *, str? rounding_mode) -> (Tensor)", divide})
        .pattern({"aten::div.Scalar_mode(Tensor self, Scalar other, *, str? rounding_mode) -> (Tensor)", divide})
        .pattern({"aten::floor_divide(Tensor self, Tensor other) -> (Tensor)", TORCHTRT_BINARY(binary, Op::kFLOOR_DIV)})
        .pattern({"aten::floor_divide.Scalar(Tensor self, Scalar other) -> (Tensor)",
                  TORCHTRT_BINARY(binary, Op::kFLOOR_DIV)})
        .pattern(
            {"aten::pow.Tensor_Tensor(Tensor self, Tensor exponent) -> (Tensor)", TORCHTRT_BINARY(binary, Op::kPOW)})
        .pattern(
            {"aten::pow.Tensor_Scalar(Tensor self, Scalar exponent) -> (Tensor)", TORCHTRT_BINARY(binary, Op::kPOW)})
        .pattern({"aten::maximum(Tensor self, Tensor other) -> (Tensor)", TORCHTRT_BINARY(binary, Op::kMAX)})
        .pattern({"aten::minimum(Tensor self, Tensor other) -> (Tensor)", TORCHTRT_BINARY(binary, Op::kMIN)})
        .pattern(
            {"aten::eq.Tensor(Tensor self, Tensor other) -> (Tensor)", TORCHTRT_BINARY(compare, Op::kEQUAL, false)})
        .pattern(
            {"aten::eq.Scalar(Tensor self, Scalar other) -> (Tensor)", TORCHTRT_BINARY(compare, Op::kEQUAL, false)})
        .pattern({"aten::ne.Tensor(Tensor self, Tensor other) -> (Tensor)", TORCHTRT_BINARY(compare, Op::kEQUAL, true)})
        .pattern({"aten::ne.Scalar(Tensor self, Scalar other) -> (Tensor)", TORCHTRT_BINARY(compare, Op::kEQUAL, true)})
        .pattern(
            {"aten::gt.Tensor(Tensor self, Tensor other) -> (Tensor)", TORCHTRT_BINARY(compare, Op::kGREATER, false)})
        .pattern(
            {"aten::gt.Scalar(Tensor self, Scalar other) -> (Tensor)", TORCHTRT_BINARY(compare, Op::kGREATER, false)})
        .pattern({"aten::lt.Tensor(Tensor self, Tensor other) -> (Tensor)", TORCHTRT_BINARY(compare, Op::kLESS, false)})
        .pattern({"aten::lt.Scalar(Tensor self, Scalar other) -> (Tensor)", TORCHTRT_BINARY(compare, Op::kLESS, false)})
        .pattern(
            {"aten::ge.Tensor(Tensor self, Tensor other) -> (Tensor)", TORCHTRT_BINARY(compareOrEqual, Op::kGREATER)})
        .pattern(
            {"aten::ge.Scalar(Tensor self, Scalar other) -> (Tensor)", TORCHTRT_BINARY(compareOrEqual, Op::kGREATER)})
        .pattern({"aten::le.Tensor(Tensor self, Tensor other) -> (Tensor)", TORCHTRT_BINARY(compareOrEqual, Op::kLESS)})
        .pattern(
            {"aten::le.Scalar(Tensor self, Scalar other) -> (Tensor)", TORCHTRT_BINARY(compareOrEqual, Op::kLESS)});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
