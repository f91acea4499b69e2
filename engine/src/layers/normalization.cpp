#include "layers/layer_util.h"
#include "layers/make_layer.h"
#include "layers/param_check.h"

namespace trt {
using namespace layer_util;

class NormalizationLayer final : public LayerImpl<INormalizationLayer> {
 public:
  NormalizationLayer() : LayerImpl(LayerType::kNORMALIZATION) {}
  void setEpsilon(float eps) override;
  float getEpsilon() const override { return epsilon_; }
  void setAxes(uint32_t axesMask) override;
  uint32_t getAxes() const override { return axes_; }
  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  float epsilon_ = 1e-5f;
  uint32_t axes_ = 1;
};

namespace {
void checkEpsilon(const ParamCheck& c, float eps) { rules::finiteNonNegative(c, "epsilon", "epsilon", eps); }
void checkAxes(const ParamCheck& c, uint32_t axesMask) {
  if (axesMask == 0 || (axesMask >> Dims::MAX_DIMS) != 0)
    c.fail("axes", "the axes mask must name at least one of the first " + std::to_string(Dims::MAX_DIMS) +
                       " dimensions, got " + std::to_string(axesMask));
}
}  // namespace

void NormalizationLayer::setEpsilon(float eps) {
  checkEpsilon(ParamCheck(*this), eps);
  epsilon_ = eps;
  markChanged();
}

void NormalizationLayer::setAxes(uint32_t axesMask) {
  checkAxes(ParamCheck(*this), axesMask);
  axes_ = axesMask;
  markChanged();
}

std::vector<TensorDesc> NormalizationLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
  if (inputs.size() != 3 && inputs.size() != 4)
    throw Error(describe() + ": expects input, scale, bias and optionally a residual, has " +
                std::to_string(inputs.size()) + " inputs");
  requireFloat(*this, inputs[0], "input");
  if (inputs.size() == 4 && (inputs[3].dims != inputs[0].dims || inputs[3].type != inputs[0].type))
    throw Error(describe() + ": the residual " + inputs[3].dims.str() + " " + dataTypeName(inputs[3].type) +
                " must have the input's shape and type " + inputs[0].dims.str() + " " + dataTypeName(inputs[0].type));
  const Dims& x = inputs[0].dims;
  if ((axes_ >> x.nbDims) != 0)
    throw Error(describe() + ": axes mask " + std::to_string(axes_) + " names a dimension beyond the input's rank " +
                std::to_string(x.nbDims));
  const char* names[] = {"input", "scale", "bias"};
  for (int i = 1; i < 3; ++i) {
    if (inputs[i].type != inputs[0].type)
      throw Error(describe() + ": " + names[i] + " is " + dataTypeName(inputs[i].type) + " but the input is " +
                  dataTypeName(inputs[0].type) + "; cast it with an Identity layer");
    if (broadcastShapes(*this, x, inputs[i].dims) != x)
      throw Error(describe() + ": " + names[i] + " " + inputs[i].dims.str() + " does not broadcast to the input " +
                  x.str());
  }
  return {inputs[0]};
}

void NormalizationLayer::writeParams(PlanWriter& w) const {
  w.u32(axes_);
  w.f32(epsilon_);
}

void NormalizationLayer::readParams(PlanReader& r) {
  const ParamCheck c(r);
  axes_ = r.u32("axes");
  checkAxes(c, axes_);
  epsilon_ = r.f32("epsilon");
  checkEpsilon(c, epsilon_);
}

std::unique_ptr<LayerBase> makeNormalizationLayer() { return std::make_unique<NormalizationLayer>(); }

}  // namespace trt
