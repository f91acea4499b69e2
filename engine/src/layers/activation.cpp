#include "layers/layer_util.h"

namespace trt {
using namespace layer_util;

void IActivationLayer::setActivationType(ActivationType type) {
  if (static_cast<int32_t>(type) < 0 || static_cast<int32_t>(type) >= kACTIVATION_TYPE_COUNT)
    throw Error(describe() + ": unknown activation type " + std::to_string(static_cast<int32_t>(type)));
  activation_ = type;
  markChanged();
}
void IActivationLayer::setAlpha(float alpha) {
  alpha_ = alpha;
  markChanged();
}
void IActivationLayer::setBeta(float beta) {
  beta_ = beta;
  markChanged();
}

std::vector<TensorDesc> IActivationLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
  requireInputs(*this, inputs, 1);
  requireFloat(*this, inputs[0], "input");
  return {inputs[0]};
}

void IActivationLayer::writeParams(PlanWriter& w) const {
  w.i32(static_cast<int32_t>(activation_));
  w.f32(alpha_);
  w.f32(beta_);
}

void IActivationLayer::readParams(PlanReader& r) {
  activation_ = static_cast<ActivationType>(r.enumValue("activation_type", kACTIVATION_TYPE_COUNT));
  alpha_ = r.f32("alpha");
  beta_ = r.f32("beta");
}

}  // namespace trt
