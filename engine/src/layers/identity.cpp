#include "layers/layer_util.h"

namespace trt {
using namespace layer_util;

std::vector<TensorDesc> IIdentityLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
  requireInputs(*this, inputs, 1);
  TensorDesc out = inputs[0];
  if (!requestedOutputTypes().empty() && requestedOutputTypes()[0] >= 0)
    out.type = static_cast<DataType>(requestedOutputTypes()[0]);
  return {out};
}

void IIdentityLayer::writeParams(PlanWriter&) const {}
void IIdentityLayer::readParams(PlanReader&) {}

}  // namespace trt
