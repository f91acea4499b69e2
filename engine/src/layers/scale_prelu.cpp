#include <cmath>

#include "layers/layer_util.h"
#include "layers/param_check.h"

namespace trt {
using namespace layer_util;

namespace {
void checkMode(const ParamCheck& c, int32_t mode) {
  rules::enumBelow(c, "scale_mode", "scale mode", mode, kSCALE_MODE_COUNT);
}
}  // namespace

void IScaleLayer::setMode(ScaleMode mode) {
  checkMode(ParamCheck(*this), static_cast<int32_t>(mode));
  mode_ = mode;
  markChanged();
}

void IScaleLayer::setChannelAxis(int32_t axis) {
  rules::axis(ParamCheck(*this), "channel_axis", "channel axis", axis);
  channelAxis_ = axis;
  markChanged();
}

void IScaleLayer::setShift(std::vector<float> shift) {
  shift_ = std::move(shift);
  markChanged();
}

void IScaleLayer::setScale(std::vector<float> scale) {
  scale_ = std::move(scale);
  markChanged();
}

void IScaleLayer::setPower(std::vector<float> power) {
  power_ = std::move(power);
  markChanged();
}

int64_t IScaleLayer::coefficientCount(const Dims& dims) const {
  if (mode_ == ScaleMode::kUNIFORM) return 1;
  if (mode_ == ScaleMode::kCHANNEL) return dims.d[channelAxis_];
  int64_t n = 1;
  for (int d = channelAxis_; d < dims.nbDims; ++d) n *= dims.d[d];
  return n;
}

std::vector<TensorDesc> IScaleLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
  requireInputs(*this, inputs, 1);
  requireFloat(*this, inputs[0], "the input");
  const Dims& d = inputs[0].dims;
  if (mode_ != ScaleMode::kUNIFORM && (channelAxis_ < 0 || channelAxis_ >= d.nbDims))
    throw Error(describe() + ": channel axis " + std::to_string(channelAxis_) + " is outside the input " + d.str());
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

void IScaleLayer::writeParams(PlanWriter& w) const {
  w.i32(static_cast<int32_t>(mode_));
  w.i32(channelAxis_);
  writeFloats(w, shift_);
  writeFloats(w, scale_);
  writeFloats(w, power_);
}

void IScaleLayer::readParams(PlanReader& r) {
  const ParamCheck c(r);
  const int32_t mode = r.i32("scale_mode");
  checkMode(c, mode);
  mode_ = static_cast<ScaleMode>(mode);
  channelAxis_ = r.i32("channel_axis");
  rules::axis(c, "channel_axis", "channel axis", channelAxis_);
  shift_ = readFloats(r, "shift");
  scale_ = readFloats(r, "scale");
  power_ = readFloats(r, "power");
}

std::vector<TensorDesc> IParametricReLULayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
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

void IParametricReLULayer::writeParams(PlanWriter&) const {}

void IParametricReLULayer::readParams(PlanReader&) {}

}  // namespace trt
