#include "layers/layer_util.h"
#include "layers/make_layer.h"
#include "layers/param_check.h"

namespace trt {
using namespace layer_util;

class ActivationLayer final : public LayerImpl<IActivationLayer> {
 public:
  ActivationLayer() : LayerImpl(LayerType::kACTIVATION) {}
  void setActivationType(ActivationType type) override;
  ActivationType getActivationType() const override { return activation_; }
  void setAlpha(float alpha) override;
  float getAlpha() const override { return alpha_; }
  void setBeta(float beta) override;
  float getBeta() const override { return beta_; }
  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  ActivationType activation_ = ActivationType::kRELU;
  float alpha_ = 0.f, beta_ = 0.f;
};

namespace {
void checkActivationType(const ParamCheck& c, int32_t t) {
  rules::enumBelow(c, "activation_type", "activation type", t, kACTIVATION_TYPE_COUNT);
}
}  // namespace

void ActivationLayer::setActivationType(ActivationType type) {
  checkActivationType(ParamCheck(*this), static_cast<int32_t>(type));
  activation_ = type;
  markChanged();
}
void ActivationLayer::setAlpha(float alpha) {
  alpha_ = alpha;
  markChanged();
}
void ActivationLayer::setBeta(float beta) {
  beta_ = beta;
  markChanged();
}

std::vector<TensorDesc> ActivationLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
  requireInputs(*this, inputs, 1);
  requireFloat(*this, inputs[0], "input");
  return {inputs[0]};
}

void ActivationLayer::writeParams(PlanWriter& w) const {
  w.i32(static_cast<int32_t>(activation_));
  w.f32(alpha_);
  w.f32(beta_);
}

void ActivationLayer::readParams(PlanReader& r) {
  const int32_t type = r.i32("activation_type");
  checkActivationType(ParamCheck(r), type);
  activation_ = static_cast<ActivationType>(type);
  alpha_ = r.f32("alpha");
  beta_ = r.f32("beta");
}

std::unique_ptr<LayerBase> makeActivationLayer() { return std::make_unique<ActivationLayer>(); }

}  // namespace trt
