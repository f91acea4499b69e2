#include "layers/layer_util.h"
#include "layers/make_layer.h"

namespace trt {
using namespace layer_util;

class NonZeroLayer final : public LayerImpl<INonZeroLayer> {
 public:
  NonZeroLayer() : LayerImpl(LayerType::kNON_ZERO) {}
  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;
};

std::vector<TensorDesc> NonZeroLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
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

void NonZeroLayer::writeParams(PlanWriter&) const {}

void NonZeroLayer::readParams(PlanReader&) {}

std::unique_ptr<LayerBase> makeNonZeroLayer() { return std::make_unique<NonZeroLayer>(); }

}  // namespace trt
