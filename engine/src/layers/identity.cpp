#include "layers/layer_util.h"
#include "layers/make_layer.h"

namespace trt {
using namespace layer_util;

class IdentityLayer final : public LayerImpl<IIdentityLayer> {
 public:
  IdentityLayer() : LayerImpl(LayerType::kIDENTITY) {}
  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;
};

std::vector<TensorDesc> IdentityLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
  requireInputs(*this, inputs, 1);
  TensorDesc out = inputs[0];
  if (!requestedOutputTypes().empty() && requestedOutputTypes()[0] >= 0)
    out.type = static_cast<DataType>(requestedOutputTypes()[0]);
  return {out};
}

void IdentityLayer::writeParams(PlanWriter&) const {}
void IdentityLayer::readParams(PlanReader&) {}

std::unique_ptr<LayerBase> makeIdentityLayer() { return std::make_unique<IdentityLayer>(); }

}  // namespace trt
