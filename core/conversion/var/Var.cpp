#include "core/conversion/var/Var.h"

#include "core/conversion/conversionctx/ConversionCtx.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {

std::string Var::type_name() const {
  switch (type_) {
    case kITensor:
      return "engine tensor";
    case kIValue:
      return ivalue_->tagKind();
    case kITensorList:
      return "list of engine tensors";
    case kNone:
      return "unset";
  }
  return "unknown";
}

const torch::jit::IValue* Var::checkedIValue(const char* wanted) const {
  TORCHTRT_CHECK(type_ == kIValue, "a converter asked for " << wanted << " but the argument is a " << type_name()
                                                            << " (its value is only known at run time)");
  return ivalue_;
}

trt::ITensor* Var::ITensor() {
  TORCHTRT_CHECK(type_ == kITensor, "a converter asked for an engine tensor but the argument is a " << type_name());
  return tensor_;
}

trt::ITensor* Var::ITensorOrFreeze(ConversionCtx* ctx) {
  if (type_ == kITensor) return tensor_;
  const auto* iv = checkedIValue("a tensor");
  at::Tensor t;
  if (iv->isTensor())
    t = iv->toTensor();
  else if (iv->isDouble())
    t = at::scalar_to_tensor(iv->toDouble()).to(at::kFloat);
  else if (iv->isInt())
    t = at::scalar_to_tensor(iv->toInt()).to(at::kInt);
  else if (iv->isBool())
    t = at::scalar_to_tensor(iv->toBool());
  else
    TORCHTRT_THROW_ERROR("cannot turn a " << iv->tagKind() << " into an engine tensor");
  return ctx->constantTensor(t, "frozen constant");
}

const torch::jit::IValue* Var::IValue() const { return checkedIValue("a compile-time value"); }

int64_t Var::unwrapToInt() {
  const auto* iv = checkedIValue("an int");
  TORCHTRT_CHECK(iv->isInt() || iv->isBool(), "expected an int argument, got " << iv->tagKind());
  return iv->isBool() ? iv->toBool() : iv->toInt();
}
double Var::unwrapToDouble() {
  const auto* iv = checkedIValue("a float");
  TORCHTRT_CHECK(iv->isDouble() || iv->isInt(), "expected a float argument, got " << iv->tagKind());
  return iv->isDouble() ? iv->toDouble() : static_cast<double>(iv->toInt());
}
bool Var::unwrapToBool() {
  const auto* iv = checkedIValue("a bool");
  TORCHTRT_CHECK(iv->isBool() || iv->isInt(), "expected a bool argument, got " << iv->tagKind());
  return iv->isBool() ? iv->toBool() : iv->toInt() != 0;
}
at::Scalar Var::unwrapToScalar() {
  const auto* iv = checkedIValue("a scalar");
  TORCHTRT_CHECK(iv->isScalar() || (iv->isTensor() && iv->toTensor().numel() == 1),
                 "expected a scalar argument, got " << iv->tagKind());
  return iv->isScalar() ? iv->toScalar() : iv->toTensor().item();
}
c10::List<int64_t> Var::unwrapToIntList() {
  const auto* iv = checkedIValue("an int list");
  if (iv->isInt()) return c10::List<int64_t>({iv->toInt()});
  TORCHTRT_CHECK(iv->isIntList(), "expected an int list argument, got " << iv->tagKind());
  return iv->toIntList();
}
c10::List<double> Var::unwrapToDoubleList() {
  const auto* iv = checkedIValue("a float list");
  TORCHTRT_CHECK(iv->isDoubleList(), "expected a float list argument, got " << iv->tagKind());
  return iv->toDoubleList();
}
c10::List<bool> Var::unwrapToBoolList() {
  const auto* iv = checkedIValue("a bool list");
  TORCHTRT_CHECK(iv->isBoolList(), "expected a bool list argument, got " << iv->tagKind());
  return iv->toBoolList();
}
at::Tensor Var::unwrapToTensor() {
  const auto* iv = checkedIValue("a constant tensor");
  TORCHTRT_CHECK(iv->isTensor(), "expected a tensor argument, got " << iv->tagKind());
  return iv->toTensor();
}
std::vector<trt::ITensor*> Var::unwrapToITensorList(ConversionCtx* ctx) {
  if (type_ == kITensorList) return *list_;
  const auto* iv = checkedIValue("a tensor list");
  TORCHTRT_CHECK(iv->isTensorList(), "expected a tensor list argument, got " << iv->tagKind());
  std::vector<trt::ITensor*> out;
  for (const at::Tensor& t : iv->toTensorVector()) out.push_back(ctx->constantTensor(t, "frozen list element"));
  return out;
}

std::string Var::unwrapToString() {
  const auto* iv = checkedIValue("a string");
  TORCHTRT_CHECK(iv->isString(), "expected a string argument, got " << iv->tagKind());
  return iv->toStringRef();
}

}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
