#include "layers/layer_util.h"

namespace trt {
using namespace layer_util;

void ISoftMaxLayer::setAxes(uint32_t axes) {
  if (bitCount(axes) != 1)
    throw Error(describe() + ": softmax axes mask must have exactly one bit set, got " + std::to_string(axes));
  axes_ = axes;
  markChanged();
}

std::vector<TensorDesc> ISoftMaxLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
  requireInputs(*this, inputs, 1);
  requireFloat(*this, inputs[0], "input");
  if (inputs[0].dims.nbDims < 1) throw Error(describe() + ": input must have at least one dimension");
  if (axes_ != 0 && (axes_ >> inputs[0].dims.nbDims))
    throw Error(describe() + ": softmax axis is beyond the input's rank " + std::to_string(inputs[0].dims.nbDims));
  return {inputs[0]};
}

void ISoftMaxLayer::writeParams(PlanWriter& w) const { w.u32(axes_); }

void ISoftMaxLayer::readParams(PlanReader& r) {
  axes_ = r.u32("axes");
  if (axes_ != 0 && (bitCount(axes_) != 1 || (axes_ >> Dims::MAX_DIMS)))
    r.fail("axes", "must name exactly one dimension below 8");
}

}  // namespace trt
