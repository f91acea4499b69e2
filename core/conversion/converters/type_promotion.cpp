#include "core/conversion/converters/type_promotion.h"

#include <cmath>
#include <limits>

#include "core/conversion/converters/converter_util.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {

namespace {
at::ScalarType promoteSkippingUndefined(at::ScalarType a, at::ScalarType b) {
  if (a == at::ScalarType::Undefined) return b;
  if (b == at::ScalarType::Undefined) return a;
  return c10::promoteTypes(a, b);
}

// ATen's combine_categories: the higher-priority result stands unless the lower one is of a higher
// category (a float scalar with an integer tensor), or the higher one is bool.
at::ScalarType combineCategories(at::ScalarType higher, at::ScalarType lower) {
  if (c10::isFloatingType(higher)) return higher;
  if (higher == at::kBool || c10::isFloatingType(lower)) return promoteSkippingUndefined(higher, lower);
  if (higher != at::ScalarType::Undefined) return higher;
  return lower;
}

// The dtype of a number-typed graph value computed at run time (an int or float of sizes).
at::ScalarType numberType(const c10::TypePtr& type, trt::DataType engineType) {
  if (type->kind() == c10::TypeKind::IntType) return at::kLong;
  if (type->kind() == c10::TypeKind::FloatType) return at::kDouble;
  if (type->kind() == c10::TypeKind::BoolType) return at::kBool;
  return isFloatingType(engineType) ? at::kDouble : engineType == trt::DataType::kBOOL ? at::kBool : at::kLong;
}
}  // namespace

bool isFloatingType(trt::DataType type) {
  return type == trt::DataType::kFLOAT || type == trt::DataType::kHALF || type == trt::DataType::kBF16;
}

bool isIntegerType(trt::DataType type) {
  return type == trt::DataType::kINT8 || type == trt::DataType::kUINT8 || type == trt::DataType::kINT32 ||
         type == trt::DataType::kINT64;
}

PromotionOperand promotionOperand(const torch::jit::Node* n, size_t index, Var& arg) {
  const torch::jit::Value* v = n->inputs()[index];
  if (arg.isITensor()) {
    trt::ITensor* t = arg.ITensor();
    if (v->type()->kind() == c10::TypeKind::TensorType)
      return {util::TRTDataTypeToScalarType(t->getType()),
              t->getDimensions().nbDims == 0 ? OperandKind::kZeroDim : OperandKind::kDimensioned};
    return {numberType(v->type(), t->getType()), OperandKind::kNumber};
  }
  const torch::jit::IValue* iv = arg.IValue();
  if (iv->isTensor()) {
    const at::Tensor& t = iv->toTensor();
    // A trace records a Python number as a wrapped-number tensor constant (x + 100): it promotes as the
    // number it was, not as a 0-dim int64 / float64 tensor (int8 + 100 stays int8, as eager and the trace run).
    if (t.unsafeGetTensorImpl()->is_wrapped_number()) return {t.scalar_type(), OperandKind::kNumber};
    return {t.scalar_type(), t.dim() == 0 ? OperandKind::kZeroDim : OperandKind::kDimensioned};
  }
  if (iv->isBool()) return {at::kBool, OperandKind::kNumber};
  if (iv->isInt()) return {at::kLong, OperandKind::kNumber};
  if (iv->isDouble()) return {at::kDouble, OperandKind::kNumber};
  TORCHTRT_THROW_ERROR("Unable to convert node: " << util::node_info(n) << "\ninput " << index << " is a "
                                                  << iv->tagKind() << ", not a tensor or a number");
}

at::ScalarType resultType(const std::vector<PromotionOperand>& operands) {
  at::ScalarType dimensioned = at::ScalarType::Undefined, zeroDim = at::ScalarType::Undefined,
                 number = at::ScalarType::Undefined;
  for (const auto& op : operands) {
    switch (op.kind) {
      case OperandKind::kDimensioned:
        dimensioned = promoteSkippingUndefined(dimensioned, op.type);
        break;
      case OperandKind::kZeroDim:
        zeroDim = promoteSkippingUndefined(zeroDim, op.type);
        break;
      case OperandKind::kNumber:
        // A Python float takes the default dtype (float32), as a wrapped number does in ATen.
        number = promoteSkippingUndefined(number, c10::isFloatingType(op.type) ? at::kFloat : op.type);
        break;
    }
  }
  at::ScalarType result = combineCategories(dimensioned, combineCategories(zeroDim, number));
  return result == at::kDouble ? at::kFloat : result;  // the engine computes float64 as float32
}

trt::DataType engineTypeOf(const torch::jit::Node* n, at::ScalarType type) {
  if (type == at::kDouble) type = at::kFloat;
  switch (type) {
    case at::kFloat:
    case at::kHalf:
    case at::kBFloat16:
    case at::kChar:
    case at::kByte:
    case at::kInt:
    case at::kLong:
    case at::kBool:
      return util::ScalarTypeToTRTDataType(type);
    default:
      break;
  }
  TORCHTRT_THROW_ERROR("Unable to convert node: " << util::node_info(n) << "\nits result type torch."
                                                  << c10::toString(type)
                                                  << " has no engine type (float32, float16, bfloat16, int8, uint8, "
                                                     "int32, int64 and bool do); run this op in PyTorch "
                                                     "(torch_executed_ops)");
}

namespace {
// The value of a scalar operand (a number, or a 0-d constant tensor) in `value`; false for tensors and non-numbers.
bool scalarOperandValue(Var& arg, double& value) {
  if (arg.isITensor()) return false;
  const torch::jit::IValue* iv = arg.IValue();
  if (iv->isTensor() && iv->toTensor().dim() > 0) return false;
  const at::Scalar scalar = iv->isTensor() ? iv->toTensor().item() : arg.unwrapToScalar();
  if (!scalar.isFloatingPoint() && !scalar.isIntegral(false)) return false;
  value = scalar.toDouble();
  return true;
}

// A scalar operand whose value the 16-bit type cannot hold: float16's beyond 65504 or nonzero below 2^-14;
// bfloat16's (float32's exponents) finite ones that round to inf (float32's largest, torch.finfo(torch.float32).min
// in a mask).
bool scalarBeyond16Bit(Var& arg, trt::DataType type) {
  double value = 0.0;
  if (!scalarOperandValue(arg, value)) return false;
  const double v = std::fabs(value);
  if (type == trt::DataType::kBF16) {
    const float single = static_cast<float>(v);
    return std::isfinite(single) && std::isinf(static_cast<float>(c10::BFloat16(single)));
  }
  const double largest = std::numeric_limits<c10::Half>::max(), smallestNormal = std::numeric_limits<c10::Half>::min();
  return std::isfinite(v) && (v > largest || (v != 0.0 && v < smallestNormal));
}

// A scalar operand the 16-bit type holds only rounded (0.001 in float16). PyTorch divides a 16-bit tensor by a
// number in float32 with the number unrounded; a rounded divisor moves a floor or trunc division by a whole unit
// (floor(1.1587 / 0.001) is 1158 with float16's 0.0010004, 1159 in float32). (Its remainder and fmod round the
// number to the tensor's type first, as the engine does; its products and true divisions with the unrounded number
// differ from the engine's by one unit in the last place at most.)
bool scalarRoundedIn16Bit(Var& arg, trt::DataType type) {
  double v = 0.0;
  if (!scalarOperandValue(arg, v) || !std::isfinite(v)) return false;
  const float single = static_cast<float>(v);
  const double rounded = type == trt::DataType::kBF16 ? static_cast<double>(static_cast<float>(c10::BFloat16(single)))
                                                      : static_cast<double>(static_cast<float>(c10::Half(single)));
  return rounded != static_cast<double>(single);
}

// Ops whose result jumps by a whole unit with a rounded divisor and which PyTorch computes with it unrounded: floor
// and trunc division.
bool roundsToWholeUnits(const torch::jit::Node* n) {
  const std::string kind = n->kind().toQualString();
  if (kind == "aten::floor_divide" || kind == "aten::__floordiv__") return true;
  if (kind != "aten::div" || n->inputs().size() < 3) return false;
  const auto mode = torch::jit::toIValue(n->inputs()[2]);
  return !mode || !mode->isNone();  // a rounding mode, or one known only later
}
}  // namespace

std::vector<trt::ITensor*> promotedOperands(ConversionCtx* ctx, const torch::jit::Node* n, args& a,
                                            const std::vector<size_t>& indices, trt::DataType* type,
                                            trt::DataType* computeType) {
  std::vector<PromotionOperand> operands;
  for (size_t i : indices) operands.push_back(promotionOperand(n, i, a[i]));
  const at::ScalarType torchType = resultType(operands);
  trt::DataType target = engineTypeOf(n, torchType);
  if (type) *type = target;
  if (computeType) {
    *computeType = target;
    if (target == trt::DataType::kHALF || target == trt::DataType::kBF16)
      for (size_t i : indices)
        if (scalarBeyond16Bit(a[i], target) || (roundsToWholeUnits(n) && scalarRoundedIn16Bit(a[i], target)))
          *computeType = target = trt::DataType::kFLOAT;
  }
  std::vector<trt::ITensor*> out;
  for (size_t i : indices) {
    const std::string name = util::node_info(n) + " [input " + std::to_string(i) + "]";
    if (a[i].isITensor()) {
      out.push_back(castTo(ctx, a[i].ITensor(), target, name + " [cast]"));
      continue;
    }
    const torch::jit::IValue* iv = a[i].IValue();
    if (iv->isTensor() && iv->toTensor().dim() > 0) {
      // Created in the result type itself (int64 stays int64; a float constant never passes through int).
      auto* layer = ctx->net->addConstant(util::toDims(iv->toTensor().sizes()),
                                          ctx->toWeights(iv->toTensor().to(util::TRTDataTypeToScalarType(target))));
      layer->setName(name.c_str());
      out.push_back(layer->getOutput(0));
      continue;
    }
    at::Scalar value = iv->isTensor() ? iv->toTensor().item() : a[i].unwrapToScalar();
    // An integer number into a narrower integer type wraps, as PyTorch casts it (int8 // 255 divides by -1).
    if (value.isIntegral(false) && !isFloatingType(target) && target != trt::DataType::kBOOL)
      value = at::scalar_tensor(value.toLong(), at::kLong).to(util::TRTDataTypeToScalarType(target)).item();
    out.push_back(scalarConstant(ctx, value, target, name));
  }
  return out;
}

std::vector<trt::ITensor*> operandsInFloat(ConversionCtx* ctx, const torch::jit::Node* n, args& a,
                                           const std::vector<size_t>& indices) {
  std::vector<trt::ITensor*> out;
  for (size_t i : indices) {
    const std::string name = util::node_info(n) + " [input " + std::to_string(i) + " in float]";
    if (a[i].isITensor()) {
      out.push_back(castTo(ctx, a[i].ITensor(), trt::DataType::kFLOAT, name));
      continue;
    }
    const torch::jit::IValue* iv = a[i].IValue();
    if (iv->isTensor() && iv->toTensor().dim() > 0) {
      auto* layer =
          ctx->net->addConstant(util::toDims(iv->toTensor().sizes()), ctx->toWeights(iv->toTensor().to(at::kFloat)));
      layer->setName(name.c_str());
      out.push_back(layer->getOutput(0));
      continue;
    }
    const at::Scalar value = iv->isTensor() ? iv->toTensor().item() : a[i].unwrapToScalar();
    out.push_back(scalarConstant(ctx, value.toDouble(), trt::DataType::kFLOAT, name));
  }
  return out;
}

trt::DataType promotedListType(const torch::jit::Node* n, const std::vector<trt::ITensor*>& tensors) {
  std::vector<PromotionOperand> operands;
  for (auto* t : tensors) operands.push_back({util::TRTDataTypeToScalarType(t->getType()), OperandKind::kDimensioned});
  return engineTypeOf(n, resultType(operands));
}

std::vector<trt::ITensor*> promotedList(ConversionCtx* ctx, const torch::jit::Node* n,
                                        const std::vector<trt::ITensor*>& tensors) {
  const trt::DataType target = promotedListType(n, tensors);
  std::vector<trt::ITensor*> out;
  for (size_t i = 0; i < tensors.size(); ++i)
    out.push_back(castTo(ctx, tensors[i], target, util::node_info(n) + " [cast " + std::to_string(i) + "]"));
  return out;
}

}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
