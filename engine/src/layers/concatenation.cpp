#include "layers/layer_util.h"
#include "layers/make_layer.h"
#include "layers/param_check.h"

namespace trt {
using namespace layer_util;

class ConcatenationLayer final : public LayerImpl<IConcatenationLayer> {
 public:
  ConcatenationLayer() : LayerImpl(LayerType::kCONCATENATION) {}
  void setAxis(int32_t axis) override;
  int32_t getAxis() const override { return axis_; }
  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  int32_t axis_ = 0;
  ScatterReduction reduction_ = ScatterReduction::kNONE;
  bool includeSelf_ = true;
  ScatterMode mode_ = ScatterMode::kELEMENT;
};

void ConcatenationLayer::setAxis(int32_t axis) {
  rules::axis(ParamCheck(*this), "axis", "axis", axis);
  axis_ = axis;
  markChanged();
}

std::vector<TensorDesc> ConcatenationLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
  if (inputs.empty()) throw Error(describe() + ": needs at least one input");
  if (axis_ >= inputs[0].dims.nbDims)
    throw Error(describe() + ": axis " + std::to_string(axis_) + " is beyond the rank of " + inputs[0].dims.str());
  return {{joinedDims(*this, inputs, axis_, "concatenation axis"), inputs[0].type}};
}

void ConcatenationLayer::writeParams(PlanWriter& w) const { w.i32(axis_); }

void ConcatenationLayer::readParams(PlanReader& r) {
  axis_ = r.i32("axis");
  rules::axis(ParamCheck(r), "axis", "axis", axis_);
}

std::unique_ptr<LayerBase> makeConcatenationLayer() { return std::make_unique<ConcatenationLayer>(); }

}  // namespace trt
