#include "layers/layer_util.h"
#include "layers/param_check.h"

namespace trt {
using namespace layer_util;

namespace {
void checkActivationType(const ParamCheck& c, int32_t t) {
  rules::enumBelow(c, "activation_type", "activation type", t, kACTIVATION_TYPE_COUNT);
}
}  // namespace

void IActivationLayer::setActivationType(ActivationType type) {
  checkActivationType(ParamCheck(*this), static_cast<int32_t>(type));
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
  const int32_t type = r.i32("activation_type");
  checkActivationType(ParamCheck(r), type);
  activation_ = static_cast<ActivationType>(type);
  alpha_ = r.f32("alpha");
  beta_ = r.f32("beta");
}

}  // namespace trt
