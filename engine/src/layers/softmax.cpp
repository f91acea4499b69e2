#include "layers/layer_util.h"
#include "layers/make_layer.h"
#include "layers/param_check.h"

namespace trt {
using namespace layer_util;

class SoftMaxLayer final : public LayerImpl<ISoftMaxLayer> {
 public:
  SoftMaxLayer() : LayerImpl(LayerType::kSOFTMAX) {}
  void setAxes(uint32_t axes) override;
  uint32_t getAxes() const override { return axes_; }
  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  uint32_t axes_ = 0;  // 0 means "not set": TensorRT's default, the last of the three innermost
};

void SoftMaxLayer::setAxes(uint32_t axes) {
  rules::oneAxis(ParamCheck(*this), "axes", "softmax axes", axes);
  axes_ = axes;
  markChanged();
}

std::vector<TensorDesc> SoftMaxLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
  if (inputs.size() != 1 && inputs.size() != 2)
    throw Error(describe() + ": expects an input and optionally an additive mask, has " +
                std::to_string(inputs.size()) + " inputs");
  requireFloat(*this, inputs[0], "input");
  if (inputs[0].dims.nbDims < 1) throw Error(describe() + ": input must have at least one dimension");
  if (inputs.size() == 2) {
    if (inputs[1].type != inputs[0].type)
      throw Error(describe() + ": the mask is " + dataTypeName(inputs[1].type) + " but the input is " +
                  dataTypeName(inputs[0].type) + "; cast it with an Identity layer");
    bool broadcasts = inputs[1].dims.nbDims <= inputs[0].dims.nbDims;
    for (int i = 1; broadcasts && i <= inputs[1].dims.nbDims; ++i) {
      const int64_t m = inputs[1].dims.d[inputs[1].dims.nbDims - i], x = inputs[0].dims.d[inputs[0].dims.nbDims - i];
      broadcasts = m == 1 || m == x || m < 0 || x < 0;  // -1: dynamic, checked at run time
    }
    if (!broadcasts)
      throw Error(describe() + ": the mask " + inputs[1].dims.str() + " does not broadcast to the input " +
                  inputs[0].dims.str() + " (each of its dimensions must be 1 or the input's)");
  }
  if (axes_ != 0 && (axes_ >> inputs[0].dims.nbDims))
    throw Error(describe() + ": softmax axis is beyond the input's rank " + std::to_string(inputs[0].dims.nbDims));
  return {inputs[0]};
}

void SoftMaxLayer::writeParams(PlanWriter& w) const { w.u32(axes_); }

void SoftMaxLayer::readParams(PlanReader& r) {
  axes_ = r.u32("axes");
  // 0 is the value a softmax starts with (the default axis); setAxes can only replace it.
  if (axes_ != 0) rules::oneAxis(ParamCheck(r), "axes", "softmax axes", axes_);
}

std::unique_ptr<LayerBase> makeSoftMaxLayer() { return std::make_unique<SoftMaxLayer>(); }

}  // namespace trt
