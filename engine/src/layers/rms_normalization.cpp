// RMSNormalization: x / sqrt(mean(x^2) + epsilon) * scale over the input's last dimensions.
#include <cfloat>

#include "layers/layer_util.h"
#include "layers/param_check.h"
#include "network/attach.h"

namespace trt {
using namespace layer_util;

class RMSNormalizationLayer final : public LayerImpl<IRMSNormalizationLayer> {
 public:
  RMSNormalizationLayer() : LayerImpl(LayerType::kRMS_NORMALIZATION) {}
  void setEpsilon(float eps) override;
  float getEpsilon() const override { return epsilon_; }
  void setAxes(uint32_t axesMask) override;
  uint32_t getAxes() const override { return axes_; }
  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  float epsilon_ = FLT_EPSILON;  // PyTorch's default for float32, float16 and bfloat16 inputs
  uint32_t axes_ = 1;
};

namespace {
void checkEpsilon(const ParamCheck& c, float eps) { rules::finiteNonNegative(c, "epsilon", "epsilon", eps); }
// The mask names the last dimensions, whatever the rank: its set bits are contiguous from some bit on.
void checkAxes(const ParamCheck& c, uint32_t axesMask) {
  const uint32_t lowest = axesMask & (~axesMask + 1);
  if (axesMask == 0 || (axesMask >> Dims::MAX_DIMS) != 0 || ((axesMask + lowest) & axesMask) != 0)
    c.fail("axes", "the axes mask must name a run of consecutive dimensions (the input's last ones) among the first " +
                       std::to_string(Dims::MAX_DIMS) + ", got " + std::to_string(axesMask));
}
}  // namespace

void RMSNormalizationLayer::setEpsilon(float eps) {
  checkEpsilon(ParamCheck(*this), eps);
  epsilon_ = eps;
  markChanged();
}

void RMSNormalizationLayer::setAxes(uint32_t axesMask) {
  checkAxes(ParamCheck(*this), axesMask);
  axes_ = axesMask;
  markChanged();
}

std::vector<TensorDesc> RMSNormalizationLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
  if (inputs.size() != 1 && inputs.size() != 2)
    throw Error(describe() + ": expects the input and optionally a scale, has " + std::to_string(inputs.size()) +
                " inputs");
  requireFloat(*this, inputs[0], "input");
  const Dims& x = inputs[0].dims;
  if (axes_ >> x.nbDims != 0 || (axes_ >> (x.nbDims - 1)) != 1)
    throw Error(describe() + ": axes mask " + std::to_string(axes_) + " must name the last dimensions of the rank-" +
                std::to_string(x.nbDims) + " input " + x.str());
  if (inputs.size() == 2) {
    if (inputs[1].type != inputs[0].type)
      throw Error(describe() + ": the scale is " + dataTypeName(inputs[1].type) + " but the input is " +
                  dataTypeName(inputs[0].type) + "; cast it with an Identity layer");
    if (broadcastShapes(*this, x, inputs[1].dims) != x)
      throw Error(describe() + ": the scale " + inputs[1].dims.str() + " does not broadcast to the input " + x.str());
  }
  return {inputs[0]};
}

void RMSNormalizationLayer::writeParams(PlanWriter& w) const {
  w.u32(axes_);
  w.f32(epsilon_);
}

void RMSNormalizationLayer::readParams(PlanReader& r) {
  const ParamCheck c(r);
  axes_ = r.u32("axes");
  checkAxes(c, axes_);
  epsilon_ = r.f32("epsilon");
  checkEpsilon(c, epsilon_);
}

std::unique_ptr<LayerBase> makeRMSNormalizationLayer() { return std::make_unique<RMSNormalizationLayer>(); }

IRMSNormalizationLayer* INetworkDefinition::addRMSNormalization(ITensor& input, ITensor* scale, uint32_t axesMask) {
  auto layer = newLayer<IRMSNormalizationLayer>();
  layer->setAxes(axesMask);
  std::vector<ITensor*> inputs = {&input};
  if (scale) inputs.push_back(scale);
  return attach(*this, std::move(layer), inputs, 1, "addRMSNormalization");
}

}  // namespace trt
