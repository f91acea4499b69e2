#include "layers/layer_util.h"

namespace trt {
using namespace layer_util;

std::vector<TensorDesc> INonZeroLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
  requireInputs(*this, inputs, 1);
  const DataType t = inputs[0].type;
  if (t != DataType::kFLOAT && t != DataType::kHALF && t != DataType::kBF16 && t != DataType::kINT32 &&
      t != DataType::kINT64 && t != DataType::kBOOL && t != DataType::kINT8 && t != DataType::kUINT8)
    throw Error(describe() + ": finds nonzero elements of float, half, integer or bool tensors, not " +
                dataTypeName(t));
  Dims out;
  out.nbDims = 2;
  out.d[0] = inputs[0].dims.nbDims;
  out.d[1] = -1;  // data-dependent: known once the layer has run
  return {{out, DataType::kINT64}};
}

void INonZeroLayer::writeParams(PlanWriter&) const {}

void INonZeroLayer::readParams(PlanReader&) {}

}  // namespace trt
