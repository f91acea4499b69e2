// Binary elementwise ops with tensor and scalar overloads and their in-place forms.
#include "core/conversion/converters/converter_util.h"
#include "core/conversion/converters/type_promotion.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {
using Op = trt::ElementWiseOperation;

// An ElementWise layer over operands already in one type; bool sums and products are PyTorch's
// logical or / and (True + True is True), which the engine's integer arithmetic would not give.
trt::ILayer* sameTypeElementwise(ConversionCtx* ctx, Op op, trt::ITensor* x, trt::ITensor* y, const std::string& name) {
  if (x->getType() == trt::DataType::kBOOL) {
    if (op == Op::kSUM || op == Op::kMAX) op = Op::kOR;
    if (op == Op::kPROD || op == Op::kMIN) op = Op::kAND;
  }
  auto* layer = ctx->net->addElementWise(*x, *y, op);
  layer->setName(name.c_str());
  return layer;
}

// The layer's output in `type`: where a scalar float16 cannot hold made the operands float32 (promotedOperands'
// computeType), the float32 result rounded once to float16.
bool bindIn(ConversionCtx* ctx, const torch::jit::Node* n, trt::ILayer* layer, trt::DataType type,
            trt::DataType computed) {
  if (computed == type) return bindOutput(ctx, n, layer) != nullptr;
  return bindTensor(ctx, n, castTo(ctx, layer->getOutput(0), type, util::node_info(n) + " [rounded]")) != nullptr;
}

bool binary(ConversionCtx* ctx, const torch::jit::Node* n, args& a, Op op, bool swap = false) {
  trt::DataType type, computed;
  auto ops = promotedOperands(ctx, n, a, {0, 1}, &type, &computed);
  if (swap) std::swap(ops[0], ops[1]);
  return bindIn(ctx, n, sameTypeElementwise(ctx, op, ops[0], ops[1], util::node_info(n)), type, computed);
}

// self + alpha * other (add/sub with alpha); rsub is other - alpha * self.
bool addSub(ConversionCtx* ctx, const torch::jit::Node* n, args& a, Op op, bool reversed = false) {
  const std::string name = util::node_info(n);
  trt::DataType type, computed;
  auto ops = promotedOperands(ctx, n, a, {0, 1}, &type, &computed);
  TORCHTRT_CHECK(!(op == Op::kSUB && type == trt::DataType::kBOOL),
                 "Unable to convert node: " << name << "\nsubtraction of bool tensors is not defined (PyTorch raises); "
                                            << "use logical_xor or ~");
  if (a.size() > 2) {
    const at::Scalar alpha = a[2].unwrapToScalar();
    TORCHTRT_CHECK(
        isFloatingType(type) || !alpha.isFloatingPoint(),
        "Unable to convert node: " << name << "\nalpha must not be a float for integral inputs (PyTorch raises)");
    if (alpha.toDouble() != 1.0) {
      trt::ITensor*& scaled = reversed ? ops[0] : ops[1];
      scaled = sameTypeElementwise(ctx, Op::kPROD, scaled, scalarConstant(ctx, alpha, computed, name + " [alpha]"),
                                   name + " [alpha]")
                   ->getOutput(0);
    }
  }
  if (reversed) std::swap(ops[0], ops[1]);
  return bindIn(ctx, n, sameTypeElementwise(ctx, op, ops[0], ops[1], name), type, computed);
}

// div in PyTorch's three rounding modes, on the promoted type of its operands: true division of
// integers gives float32, 'trunc' and 'floor' keep integers integral.
bool divide(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  const std::string name = util::node_info(n);
  std::string mode = "none";
  if (a.size() > 2 && !a[2].isNone()) mode = a[2].unwrapToString();
  TORCHTRT_CHECK(mode == "none" || mode == "trunc" || mode == "floor",
                 "aten::div rounding_mode='" << mode << "' is not one of None, 'trunc', 'floor': " << name);
  trt::DataType type, computed;
  auto ops = promotedOperands(ctx, n, a, {0, 1}, &type, &computed);
  const bool floating = isFloatingType(type);
  if (mode == "none" && !floating) {
    ops = operandsInFloat(ctx, n, a, {0, 1});  // 255 beside int8 divides as 255.0, not as int8's wrapped -1
  } else if (!floating) {
    TORCHTRT_CHECK(type != trt::DataType::kBOOL,
                   "Unable to convert node: " << name << "\ndivision of bool tensors with rounding is not defined");
  }
  if (mode == "floor")
    return bindIn(ctx, n, sameTypeElementwise(ctx, Op::kFLOOR_DIV, ops[0], ops[1], name), type, computed);
  if (mode == "trunc" && !floating)  // the engine's integer division truncates
    return bindOutput(ctx, n, sameTypeElementwise(ctx, Op::kDIV, ops[0], ops[1], name)) != nullptr;
  trt::ILayer* quotient =
      sameTypeElementwise(ctx, Op::kDIV, ops[0], ops[1], name + (mode == "trunc" ? " [quotient]" : ""));
  if (mode == "none") return bindIn(ctx, n, quotient, type, computed);
  // PyTorch's trunc(a / b): a zero quotient keeps its sign (0 / -3 is -0), infinities stay.
  auto* truncated = ctx->net->addUnary(*quotient->getOutput(0), trt::UnaryOperation::kTRUNC);
  truncated->setName(name.c_str());
  return bindIn(ctx, n, truncated, type, computed);
}

// pow. A Scalar exponent of 2, 3, 0.5, -0.5, -1 or -2 on a float tensor takes PyTorch's own forms (x * x,
// x * x * x, sqrt, 1 / sqrt, 1 / x, 1 / (x * x)), which differ from pow at signed zeros and infinities (pow(-0, 0.5)
// is +0 where sqrt(-0) is -0, pow(-inf, 0.5) is inf where sqrt gives NaN) and in rounding. PyTorch raises for an
// integer tensor to a negative integer Scalar and for bool ** bool tensors; so is the op refused here.
bool power(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  const std::string name = util::node_info(n);
  trt::DataType type;
  auto ops = promotedOperands(ctx, n, a, {0, 1}, &type);
  auto pow = [&] { return bindOutput(ctx, n, sameTypeElementwise(ctx, Op::kPOW, ops[0], ops[1], name)) != nullptr; };
  const bool scalarExponent = a[1].isIValue() && a[1].IValue()->isScalar();
  if (!scalarExponent) {
    TORCHTRT_CHECK(type != trt::DataType::kBOOL,
                   "Unable to convert node: " << name << "\npow of bool tensors is not defined (PyTorch raises)");
    return pow();
  }
  const at::Scalar exponent = a[1].unwrapToScalar();
  if (!isFloatingType(type)) {
    TORCHTRT_CHECK(!(exponent.isIntegral(false) && exponent.toLong() < 0),
                   "Unable to convert node: " << name << "\nIntegers to negative integer powers are not allowed "
                                              << "(PyTorch raises); cast the tensor to a float type first");
    return pow();
  }
  const double e = exponent.toDouble();
  trt::ITensor* x = ops[0];
  auto product = [&](trt::ITensor* p, trt::ITensor* q, const char* what) {
    return sameTypeElementwise(ctx, Op::kPROD, p, q, name + what)->getOutput(0);
  };
  auto reciprocal = [&](trt::ITensor* p) {
    return sameTypeElementwise(ctx, Op::kDIV, scalarConstant(ctx, 1.0, type, name + " [one]"), p, name);
  };
  auto root = [&]() {
    auto* layer = ctx->net->addUnary(*x, trt::UnaryOperation::kSQRT);
    layer->setName((name + (e < 0 ? " [sqrt]" : "")).c_str());
    return layer;
  };
  if (e == 2.0) return bindOutput(ctx, n, sameTypeElementwise(ctx, Op::kPROD, x, x, name)) != nullptr;
  if (e == 3.0)
    return bindOutput(ctx, n, sameTypeElementwise(ctx, Op::kPROD, product(x, x, " [square]"), x, name)) != nullptr;
  if (e == 0.5) return bindOutput(ctx, n, root()) != nullptr;
  if (e == -0.5) return bindOutput(ctx, n, reciprocal(root()->getOutput(0))) != nullptr;
  if (e == -1.0) return bindOutput(ctx, n, reciprocal(x)) != nullptr;
  if (e == -2.0) return bindOutput(ctx, n, reciprocal(product(x, x, " [square]"))) != nullptr;
  return pow();
}

// Comparisons in the promoted type of both operands (an int tensor against 2.5 compares as float).
bool compare(ConversionCtx* ctx, const torch::jit::Node* n, args& a, Op op, bool negate) {
  auto ops = promotedOperands(ctx, n, a, {0, 1});
  trt::ILayer* cmp = sameTypeElementwise(ctx, op, ops[0], ops[1], util::node_info(n));
  if (!negate) return bindOutput(ctx, n, cmp) != nullptr;
  trt::ITensor* t = scalarConstant(ctx, true, trt::DataType::kBOOL, util::node_info(n) + " [true]");
  return bindOutput(ctx, n, ctx->net->addElementWise(*cmp->getOutput(0), *t, Op::kXOR)) != nullptr;
}

// a >= b is (a > b) or (a == b); a <= b is (a < b) or (a == b).
bool compareOrEqual(ConversionCtx* ctx, const torch::jit::Node* n, args& a, Op strict) {
  auto ops = promotedOperands(ctx, n, a, {0, 1});
  trt::ITensor* s = sameTypeElementwise(ctx, strict, ops[0], ops[1], util::node_info(n) + " [strict]")->getOutput(0);
  trt::ITensor* e = sameTypeElementwise(ctx, Op::kEQUAL, ops[0], ops[1], util::node_info(n) + " [equal]")->getOutput(0);
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
        .pattern({"aten::pow.Tensor_Tensor(Tensor self, Tensor exponent) -> (Tensor)", power})
        .pattern({"aten::pow.Tensor_Scalar(Tensor self, Scalar exponent) -> (Tensor)", power})
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
