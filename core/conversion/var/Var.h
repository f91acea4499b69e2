// A converter argument: either an engine tensor or a compile-time Torch value.
#pragma once

#include <string>

#include "ATen/core/ivalue.h"
#include "core/util/macros.h"
#include "trt/trt.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {

struct ConversionCtx;

class Var {
 public:
  enum Type { kITensor, kIValue, kITensorList, kNone };
  Var() : type_(kNone) {}
  Var(const std::vector<trt::ITensor*>* list) : list_(list), type_(kITensorList) {}
  Var(const torch::jit::IValue* p) : ivalue_(p), type_(kIValue) {}
  Var(trt::ITensor* p) : tensor_(p), type_(kITensor) {}

  //! The engine tensor; throws when the argument is a compile-time value.
  trt::ITensor* ITensor();
  //! The engine tensor, adding a constant layer when the argument is a constant Torch tensor.
  trt::ITensor* ITensorOrFreeze(ConversionCtx* ctx);
  //! The compile-time value; throws when the argument is an engine tensor.
  const torch::jit::IValue* IValue() const;
  bool isITensor() const { return type_ == kITensor; }
  bool isIValue() const { return type_ == kIValue; }
  //! True for a compile-time None.
  bool isNone() const { return type_ == kIValue && ivalue_->isNone(); }
  //! True for a compile-time tensor or an engine tensor.
  bool isITensorOrTensor() const { return isITensor() || (isIValue() && ivalue_->isTensor()); }
  Type type() const { return type_; }
  std::string type_name() const;

  int64_t unwrapToInt();
  double unwrapToDouble();
  bool unwrapToBool();
  at::Scalar unwrapToScalar();
  c10::List<int64_t> unwrapToIntList();
  c10::List<double> unwrapToDoubleList();
  c10::List<bool> unwrapToBoolList();
  at::Tensor unwrapToTensor();
  std::string unwrapToString();
  //! A list of tensors (engine tensors, or constant Torch tensors frozen into constant layers).
  std::vector<trt::ITensor*> unwrapToITensorList(ConversionCtx* ctx);

  int64_t unwrapToInt(int64_t default_value) { return isNone() ? default_value : unwrapToInt(); }
  double unwrapToDouble(double default_value) { return isNone() ? default_value : unwrapToDouble(); }
  bool unwrapToBool(bool default_value) { return isNone() ? default_value : unwrapToBool(); }

 private:
  const torch::jit::IValue* checkedIValue(const char* wanted) const;
  union {
    const torch::jit::IValue* ivalue_;
    trt::ITensor* tensor_;
    const std::vector<trt::ITensor*>* list_;
  };
  Type type_;
};

}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
