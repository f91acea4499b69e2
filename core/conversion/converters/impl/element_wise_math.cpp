// Elementwise math with PyTorch's promotion: atan2, fmod, remainder, the bitwise family (and the
// Python operators &, |, ^ on tensors), log2, log10, trunc / fix and isfinite.
#include "core/conversion/converters/converter_util.h"
#include "core/conversion/converters/type_promotion.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {
using E = trt::ElementWiseOperation;
using U = trt::UnaryOperation;

// Operands 0 and 1 promoted together; `floatResult` turns an integral result into float32 (atan2).
bool promotedBinary(ConversionCtx* ctx, const torch::jit::Node* n, args& a, E op, bool floatResult) {
  const std::string name = util::node_info(n);
  trt::DataType type;
  auto ops = promotedOperands(ctx, n, a, {0, 1}, &type);
  if (floatResult && !isFloatingType(type)) ops = operandsInFloat(ctx, n, a, {0, 1});
  TORCHTRT_CHECK(floatResult || type != trt::DataType::kBOOL,
                 "Unable to convert node: " << name << "\n"
                                            << n->kind().toQualString()
                                            << " is not defined for bool tensors (PyTorch raises)");
  auto* layer = ctx->net->addElementWise(*ops[0], *ops[1], op);
  return bindOutput(ctx, n, layer) != nullptr;
}

// Bitwise and / or / xor: integer or bool operands only, as in PyTorch.
bool bitwise(ConversionCtx* ctx, const torch::jit::Node* n, args& a, E op) {
  const std::string name = util::node_info(n);
  trt::DataType type;
  auto ops = promotedOperands(ctx, n, a, {0, 1}, &type);
  TORCHTRT_CHECK(type == trt::DataType::kBOOL || type == trt::DataType::kINT32 || type == trt::DataType::kINT64 ||
                     type == trt::DataType::kUINT8,
                 "Unable to convert node: " << name << "\n"
                                            << n->kind().toQualString() << " takes integer or bool tensors, not "
                                            << trt::dataTypeName(type) << " (PyTorch raises)");
  auto* layer = ctx->net->addElementWise(*ops[0], *ops[1], op);
  return bindOutput(ctx, n, layer) != nullptr;
}

bool bitwiseNot(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  const trt::DataType t = x->getType();
  TORCHTRT_CHECK(t == trt::DataType::kBOOL || t == trt::DataType::kINT32 || t == trt::DataType::kINT64,
                 "Unable to convert node: " << util::node_info(n) << "\nbitwise_not takes int32, int64 or bool tensors "
                                            << "here, not " << trt::dataTypeName(t)
                                            << "; it runs in TorchScript (require_full_compilation=False)");
  return bindOutput(ctx, n, ctx->net->addUnary(*x, U::kBITWISE_NOT)) != nullptr;
}

// log2 / log10: integers and bool compute in float32, as PyTorch promotes them.
bool floatUnary(ConversionCtx* ctx, const torch::jit::Node* n, args& a, U op) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  if (!isFloatingType(x->getType())) x = castTo(ctx, x, trt::DataType::kFLOAT, util::node_info(n) + " [to float]");
  return bindOutput(ctx, n, ctx->net->addUnary(*x, op)) != nullptr;
}

// trunc / fix: integers are already whole (PyTorch returns them unchanged).
bool trunc(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  if (!isFloatingType(x->getType())) return bindOutput(ctx, n, ctx->net->addIdentity(*x)) != nullptr;
  return bindOutput(ctx, n, ctx->net->addUnary(*x, U::kTRUNC)) != nullptr;
}

// isfinite: not inf and not nan for floats; every integer and bool is finite.
bool isfinite(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  const std::string name = util::node_info(n);
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  if (!isFloatingType(x->getType())) return bindOutput(ctx, n, ctx->net->addElementWise(*x, *x, E::kEQUAL)) != nullptr;
  auto* inf = ctx->net->addUnary(*x, U::kISINF);
  inf->setName((name + " [isinf]").c_str());
  auto* nan = ctx->net->addUnary(*x, U::kISNAN);
  nan->setName((name + " [isnan]").c_str());
  auto* either = ctx->net->addElementWise(*inf->getOutput(0), *nan->getOutput(0), E::kOR);
  either->setName((name + " [inf or nan]").c_str());
  return bindOutput(ctx, n, ctx->net->addUnary(*either->getOutput(0), U::kNOT)) != nullptr;
}

#define TORCHTRT_MATH(fn, ...) \
  [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool { return fn(ctx, n, a, __VA_ARGS__); }

auto mathRegistrations =
    RegisterNodeConversionPatterns()
        .pattern({"aten::atan2(Tensor self, Tensor other) -> Tensor", TORCHTRT_MATH(promotedBinary, E::kATAN2, true)})
        .pattern(
            {"aten::fmod.Tensor(Tensor self, Tensor other) -> Tensor", TORCHTRT_MATH(promotedBinary, E::kFMOD, false)})
        .pattern(
            {"aten::fmod.Scalar(Tensor self, Scalar other) -> Tensor", TORCHTRT_MATH(promotedBinary, E::kFMOD, false)})
        .pattern({"aten::remainder.Tensor(Tensor self, Tensor other) -> Tensor",
                  TORCHTRT_MATH(promotedBinary, E::kREMAINDER, false)})
        .pattern({"aten::remainder.Scalar(Tensor self, Scalar other) -> Tensor",
                  TORCHTRT_MATH(promotedBinary, E::kREMAINDER, false)})
        .pattern({"aten::remainder.Scalar_Tensor(Scalar self, Tensor other) -> Tensor",
                  TORCHTRT_MATH(promotedBinary, E::kREMAINDER, false)})
        .pattern(
            {"aten::bitwise_and.Tensor(Tensor self, Tensor other) -> Tensor", TORCHTRT_MATH(bitwise, E::kBITWISE_AND)})
        .pattern(
            {"aten::bitwise_and.Scalar(Tensor self, Scalar other) -> Tensor", TORCHTRT_MATH(bitwise, E::kBITWISE_AND)})
        .pattern(
            {"aten::bitwise_or.Tensor(Tensor self, Tensor other) -> Tensor", TORCHTRT_MATH(bitwise, E::kBITWISE_OR)})
        .pattern(
            {"aten::bitwise_or.Scalar(Tensor self, Scalar other) -> Tensor", TORCHTRT_MATH(bitwise, E::kBITWISE_OR)})
        .pattern(
            {"aten::bitwise_xor.Tensor(Tensor self, Tensor other) -> Tensor", TORCHTRT_MATH(bitwise, E::kBITWISE_XOR)})
        .pattern(
            {"aten::bitwise_xor.Scalar(Tensor self, Scalar other) -> Tensor", TORCHTRT_MATH(bitwise, E::kBITWISE_XOR)})
        .pattern({"aten::__and__.Tensor(Tensor self, Tensor other) -> Tensor", TORCHTRT_MATH(bitwise, E::kBITWISE_AND)})
        .pattern({"aten::__and__.Scalar(Tensor self, Scalar other) -> Tensor", TORCHTRT_MATH(bitwise, E::kBITWISE_AND)})
        .pattern({"aten::__or__.Tensor(Tensor self, Tensor other) -> Tensor", TORCHTRT_MATH(bitwise, E::kBITWISE_OR)})
        .pattern({"aten::__or__.Scalar(Tensor self, Scalar other) -> Tensor", TORCHTRT_MATH(bitwise, E::kBITWISE_OR)})
        .pattern({"aten::__xor__.Tensor(Tensor self, Tensor other) -> Tensor", TORCHTRT_MATH(bitwise, E::kBITWISE_XOR)})
        .pattern({"aten::__xor__.Scalar(Tensor self, Scalar other) -> Tensor", TORCHTRT_MATH(bitwise, E::kBITWISE_XOR)})
        .pattern({"aten::bitwise_not(Tensor self) -> Tensor", bitwiseNot})
        .pattern({"aten::log2(Tensor self) -> Tensor", TORCHTRT_MATH(floatUnary, U::kLOG2)})
        .pattern({"aten::log10(Tensor self) -> Tensor", TORCHTRT_MATH(floatUnary, U::kLOG10)})
        .pattern({"aten::trunc(Tensor self) -> Tensor", trunc})
        .pattern({"aten::fix(Tensor self) -> Tensor", trunc})
        .pattern({"aten::isfinite(Tensor self) -> Tensor", isfinite});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
