#include <cmath>

#include "common/activation_kinds.h"
#include "layers/layer_util.h"
#include "layers/make_layer.h"
#include "layers/param_check.h"

namespace trt {
using namespace layer_util;

class ScaleLayer final : public LayerImpl<IScaleLayer> {
 public:
  ScaleLayer() : LayerImpl(LayerType::kSCALE) {}
  void setMode(ScaleMode mode) override;
  ScaleMode getMode() const override { return mode_; }
  void setChannelAxis(int32_t axis) override;
  int32_t getChannelAxis() const override { return channelAxis_; }
  void setShift(std::vector<float> shift) override;
  const std::vector<float>& getShift() const override { return shift_; }
  void setScale(std::vector<float> scale) override;
  const std::vector<float>& getScale() const override { return scale_; }
  void setPower(std::vector<float> power) override;
  const std::vector<float>& getPower() const override { return power_; }
  int64_t coefficientCount(const Dims& dims) const override;
  void setFusedActivation(int32_t activation) override;
  int32_t getFusedActivation() const override { return fusedActivation_; }
  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  ScaleMode mode_ = ScaleMode::kUNIFORM;
  int32_t channelAxis_ = 1;
  std::vector<float> shift_, scale_, power_;
  int32_t fusedActivation_ = -1;
};

class ParametricReLULayer final : public LayerImpl<IParametricReLULayer> {
 public:
  ParametricReLULayer() : LayerImpl(LayerType::kPARAMETRIC_RELU) {}
  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;
};

namespace {
void checkMode(const ParamCheck& c, int32_t mode) {
  rules::enumBelow(c, "scale_mode", "scale mode", mode, kSCALE_MODE_COUNT);
}
}  // namespace

void ScaleLayer::setMode(ScaleMode mode) {
  checkMode(ParamCheck(*this), static_cast<int32_t>(mode));
  mode_ = mode;
  markChanged();
}

void ScaleLayer::setChannelAxis(int32_t axis) {
  rules::axis(ParamCheck(*this), "channel_axis", "channel axis", axis);
  channelAxis_ = axis;
  markChanged();
}

void ScaleLayer::setShift(std::vector<float> shift) {
  shift_ = std::move(shift);
  markChanged();
}

void ScaleLayer::setScale(std::vector<float> scale) {
  scale_ = std::move(scale);
  markChanged();
}

void ScaleLayer::setPower(std::vector<float> power) {
  power_ = std::move(power);
  markChanged();
}

int64_t ScaleLayer::coefficientCount(const Dims& dims) const {
  if (mode_ == ScaleMode::kUNIFORM) return 1;
  if (mode_ == ScaleMode::kCHANNEL) return dims.d[channelAxis_];
  int64_t n = 1;
  for (int d = channelAxis_; d < dims.nbDims; ++d) n *= dims.d[d];
  return n;
}

std::vector<TensorDesc> ScaleLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
  if (inputs.empty()) throw Error(describe() + ": expects at least 1 input, has none");
  requireFloat(*this, inputs[0], "the input");
  if (mode_ != ScaleMode::kUNIFORM && (channelAxis_ < 0 || channelAxis_ >= inputs[0].dims.nbDims))
    throw Error(describe() + ": channel axis " + std::to_string(channelAxis_) + " is outside the input " +
                inputs[0].dims.str());
  // Several inputs are scaled as their concatenation along the channel axis (the builder folds a concatenation read
  // only by the scale into it).
  if (inputs.size() > 1 && mode_ != ScaleMode::kCHANNEL)
    throw Error(describe() + ": " + std::to_string(inputs.size()) +
                " inputs (scaled as their concatenation) need the per-channel mode");
  const Dims d = inputs.size() == 1 ? inputs[0].dims : joinedDims(*this, inputs, channelAxis_, "channel axis");
  bool known = mode_ == ScaleMode::kUNIFORM || d.d[channelAxis_] >= 0;
  for (int k = channelAxis_; mode_ == ScaleMode::kELEMENTWISE && k < d.nbDims; ++k) known = known && d.d[k] >= 0;
  const int64_t count = known ? coefficientCount(d) : -1;
  const char* names[] = {"shift", "scale", "power"};
  const std::vector<float>* lists[] = {&shift_, &scale_, &power_};
  for (int i = 0; i < 3; ++i)
    if (count >= 0 && !lists[i]->empty() && static_cast<int64_t>(lists[i]->size()) != count)
      throw Error(describe() + ": " + names[i] + " has " + std::to_string(lists[i]->size()) +
                  " coefficients, the mode needs " + std::to_string(count) + " for input " + d.str());
  return {{d, inputs[0].type}};
}

namespace {
void checkScaleActivation(const ParamCheck& c, int32_t a) {
  if (a != -1 && (a < 0 || a >= kACTIVATION_TYPE_COUNT || !isParameterlessActivation(static_cast<ActivationType>(a))))
    c.fail("fused_activation",
           "a Scale layer folds an activation without parameters (ReLU, sigmoid, tanh, softsign, "
           "GELU, SiLU, hard-swish) or none (-1), got activation " +
               std::to_string(a));
}
}  // namespace

void ScaleLayer::setFusedActivation(int32_t activation) {
  checkScaleActivation(ParamCheck(*this), activation);
  fusedActivation_ = activation;
  markChanged();
}

void ScaleLayer::writeParams(PlanWriter& w) const {
  w.i32(static_cast<int32_t>(mode_));
  w.i32(channelAxis_);
  writeFloats(w, shift_);
  writeFloats(w, scale_);
  writeFloats(w, power_);
  w.i32(fusedActivation_);  // format 16
}

void ScaleLayer::readParams(PlanReader& r) {
  const ParamCheck c(r);
  const int32_t mode = r.i32("scale_mode");
  checkMode(c, mode);
  mode_ = static_cast<ScaleMode>(mode);
  channelAxis_ = r.i32("channel_axis");
  rules::axis(c, "channel_axis", "channel axis", channelAxis_);
  shift_ = readFloats(r, "shift");
  scale_ = readFloats(r, "scale");
  power_ = readFloats(r, "power");
  // Plans before version 16 end here (no fused activation).
  fusedActivation_ = r.remaining() > 0 ? r.i32("fused_activation") : -1;
  checkScaleActivation(c, fusedActivation_);
}

std::vector<TensorDesc> ParametricReLULayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
  requireInputs(*this, inputs, 2);
  requireFloat(*this, inputs[0], "the input");
  if (inputs[1].type != inputs[0].type)
    throw Error(describe() + ": the slope is " + dataTypeName(inputs[1].type) + " but the input is " +
                dataTypeName(inputs[0].type));
  if (broadcastShapes(*this, inputs[0].dims, inputs[1].dims) != inputs[0].dims)
    throw Error(describe() + ": the slope " + inputs[1].dims.str() + " does not broadcast to the input " +
                inputs[0].dims.str());
  return {{inputs[0].dims, inputs[0].type}};
}

void ParametricReLULayer::writeParams(PlanWriter&) const {}

void ParametricReLULayer::readParams(PlanReader&) {}

std::unique_ptr<LayerBase> makeScaleLayer() { return std::make_unique<ScaleLayer>(); }
std::unique_ptr<LayerBase> makeParametricReLULayer() { return std::make_unique<ParametricReLULayer>(); }

}  // namespace trt
