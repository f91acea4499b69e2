// Quantize and Dequantize: INT8 with per-tensor or per-axis scales (symmetric, zero point 0), or FP8 E4M3
// with one scale per tensor.
#include <cmath>

#include "common/activation_kinds.h"
#include "layers/layer_util.h"
#include "layers/make_layer.h"
#include "layers/param_check.h"

namespace trt {
using namespace layer_util;

namespace {
void checkScales(const ParamCheck& c, const std::vector<float>& scales) {
  if (scales.empty()) c.fail("scales", "needs at least one scale");
  for (float s : scales)
    if (!(s > 0.f) || !std::isfinite(s))
      c.fail("scales", "scales must be positive and finite, got " + std::to_string(s));
}
void checkAxis(const ParamCheck& c, int32_t axis) {
  if (axis < -1 || axis >= Dims::MAX_DIMS)
    c.fail("axis", "axis " + std::to_string(axis) + " must be -1 (per tensor) or a dimension index");
}
}  // namespace

//! What Quantize and Dequantize share: the scales and their axis.
template <class I>
class QuantizationImpl : public LayerImpl<I> {
 public:
  void setScales(std::vector<float> scales) override;
  const std::vector<float>& getScales() const override { return scales_; }
  void setAxis(int32_t axis) override;
  int32_t getAxis() const override { return axis_; }
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 protected:
  explicit QuantizationImpl(LayerType type) : LayerImpl<I>(type) {}
  //! Checks one input of type `expected` whose axis matches the scales.
  void checkInput(const std::vector<TensorDesc>& inputs, DataType expected, const char* verb) const;

 private:
  std::vector<float> scales_{1.f};
  int32_t axis_ = -1;
};

template <class I>
void QuantizationImpl<I>::setScales(std::vector<float> scales) {
  checkScales(ParamCheck(*this), scales);
  scales_ = std::move(scales);
  this->markChanged();
}

template <class I>
void QuantizationImpl<I>::setAxis(int32_t axis) {
  checkAxis(ParamCheck(*this), axis);
  axis_ = axis;
  this->markChanged();
}

template <class I>
void QuantizationImpl<I>::checkInput(const std::vector<TensorDesc>& inputs, DataType expected, const char* verb) const {
  requireInputs(*this, inputs, 1);
  if (inputs[0].type != expected)
    throw Error(this->describe() + ": " + verb + " " + dataTypeName(expected) + " tensors, got " +
                dataTypeName(inputs[0].type));
  const Dims& in = inputs[0].dims;
  if (axis_ < 0) {
    if (scales_.size() != 1)
      throw Error(this->describe() + ": " + std::to_string(scales_.size()) +
                  " scales need an axis (setAxis); a per-tensor scale is one value");
    return;
  }
  if (axis_ >= in.nbDims)
    throw Error(this->describe() + ": axis " + std::to_string(axis_) + " is beyond the input's rank " +
                std::to_string(in.nbDims) + " " + in.str());
  if (in.d[axis_] >= 0 && static_cast<int64_t>(scales_.size()) != in.d[axis_] && scales_.size() != 1)
    throw Error(this->describe() + ": " + std::to_string(scales_.size()) + " scales for axis " + std::to_string(axis_) +
                " of size " + std::to_string(in.d[axis_]) + " in " + in.str());
}

template <class I>
void QuantizationImpl<I>::writeParams(PlanWriter& w) const {
  writeFloats(w, scales_);
  w.i32(axis_);
}

template <class I>
void QuantizationImpl<I>::readParams(PlanReader& r) {
  const ParamCheck c(r);
  scales_ = readFloats(r, "scales");
  checkScales(c, scales_);
  axis_ = r.i32("axis");
  checkAxis(c, axis_);
}

void checkToType(const ParamCheck& c, int32_t type) {
  if (type != static_cast<int32_t>(DataType::kINT8) && type != static_cast<int32_t>(DataType::kFP8))
    c.fail("to_type", "a Quantize layer writes int8 (" + std::to_string(static_cast<int32_t>(DataType::kINT8)) +
                          ") or fp8 (" + std::to_string(static_cast<int32_t>(DataType::kFP8)) + "), got " +
                          std::to_string(type));
}

void checkFusedActivation(const ParamCheck& c, int32_t a) {
  if (a != -1 && (a < 0 || a >= kACTIVATION_TYPE_COUNT || !isParameterlessActivation(static_cast<ActivationType>(a))))
    c.fail("fused_activation",
           "a quantization computes an activation without parameters first (ReLU, sigmoid, tanh, softsign, GELU, "
           "SiLU, hard-swish) or none (-1), got activation " +
               std::to_string(a));
}

class QuantizeLayer final : public QuantizationImpl<IQuantizeLayer> {
 public:
  QuantizeLayer() : QuantizationImpl(LayerType::kQUANTIZE) {}
  void setFusedActivation(int32_t activation) override {
    checkFusedActivation(ParamCheck(*this), activation);
    fusedActivation_ = activation;
    markChanged();
  }
  int32_t getFusedActivation() const override { return fusedActivation_; }
  void setToType(DataType type) override {
    checkToType(ParamCheck(*this), static_cast<int32_t>(type));
    toType_ = type;
    markChanged();
  }
  DataType getToType() const override { return toType_; }
  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& w) const override {
    QuantizationImpl::writeParams(w);
    w.i32(static_cast<int32_t>(toType_));  // format 16
    w.i32(fusedActivation_);
  }
  void readParams(PlanReader& r) override {
    QuantizationImpl::readParams(r);
    // Plans before version 16 end here (INT8 only).
    if (r.remaining() == 0) return;
    const int32_t type = r.i32("to_type");
    checkToType(ParamCheck(r), type);
    toType_ = static_cast<DataType>(type);
    fusedActivation_ = r.i32("fused_activation");
    checkFusedActivation(ParamCheck(r), fusedActivation_);
  }

 private:
  DataType toType_ = DataType::kINT8;
  int32_t fusedActivation_ = -1;
};

// The FP8 form reads a floating input of any width and takes one scale for the tensor.
void checkFp8Scales(const ILayer& layer, const std::vector<TensorDesc>& inputs, const std::vector<float>& scales,
                    int32_t axis, const char* verb) {
  requireInputs(layer, inputs, 1);
  if (scales.size() != 1 || axis >= 0)
    throw Error(layer.describe() + ": " + verb + " FP8 with one scale for the tensor, got " +
                std::to_string(scales.size()) + " scale(s) along axis " + std::to_string(axis));
}

class DequantizeLayer final : public QuantizationImpl<IDequantizeLayer> {
 public:
  DequantizeLayer() : QuantizationImpl(LayerType::kDEQUANTIZE) {}
  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
};

std::vector<TensorDesc> QuantizeLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
  if (toType_ == DataType::kFP8) {
    checkFp8Scales(*this, inputs, getScales(), getAxis(), "quantizes to");
    const DataType t = inputs[0].type;
    if (t != DataType::kFLOAT && t != DataType::kHALF && t != DataType::kBF16)
      throw Error(describe() + ": quantizes float32, float16 or bfloat16 tensors to FP8, got " + dataTypeName(t));
    return {{inputs[0].dims, DataType::kFP8}};
  }
  if (fusedActivation_ >= 0)
    throw Error(describe() + ": only a quantization to FP8 computes an activation first (setToType(kFP8))");
  // Float16 too: the builder's shared quantization before channels-last INT8 convolutions reads their FP16 input.
  std::vector<TensorDesc> checked = inputs;
  if (!checked.empty() && checked[0].type == DataType::kHALF) checked[0].type = DataType::kFLOAT;
  checkInput(checked, DataType::kFLOAT, "quantizes float16 or");
  return {{inputs[0].dims, DataType::kINT8}};
}

std::vector<TensorDesc> DequantizeLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
  if (!inputs.empty() && inputs[0].type == DataType::kFP8) {
    checkFp8Scales(*this, inputs, getScales(), getAxis(), "dequantizes");
    return {{inputs[0].dims, DataType::kFLOAT}};
  }
  checkInput(inputs, DataType::kINT8, "dequantizes");
  return {{inputs[0].dims, DataType::kFLOAT}};
}

std::unique_ptr<LayerBase> makeQuantizeLayer() { return std::make_unique<QuantizeLayer>(); }
std::unique_ptr<LayerBase> makeDequantizeLayer() { return std::make_unique<DequantizeLayer>(); }

}  // namespace trt
