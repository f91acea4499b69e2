#include "layers/layer_util.h"

namespace trt {
using namespace layer_util;

std::vector<TensorDesc> IShapeLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
  requireInputs(*this, inputs, 1);
  Dims out;
  out.nbDims = 1;
  out.d[0] = inputs[0].dims.nbDims;
  return {{out, DataType::kINT64}};
}

void IShapeLayer::writeParams(PlanWriter&) const {}

void IShapeLayer::readParams(PlanReader&) {}

}  // namespace trt
