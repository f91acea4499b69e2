#include "layers/layer_util.h"
#include "layers/make_layer.h"

namespace trt {
using namespace layer_util;

class ShapeLayer final : public LayerImpl<IShapeLayer> {
 public:
  ShapeLayer() : LayerImpl(LayerType::kSHAPE) {}
  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;
};

std::vector<TensorDesc> ShapeLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
  requireInputs(*this, inputs, 1);
  Dims out;
  out.nbDims = 1;
  out.d[0] = inputs[0].dims.nbDims;
  return {{out, DataType::kINT64}};
}

void ShapeLayer::writeParams(PlanWriter&) const {}

void ShapeLayer::readParams(PlanReader&) {}

std::unique_ptr<LayerBase> makeShapeLayer() { return std::make_unique<ShapeLayer>(); }

}  // namespace trt
