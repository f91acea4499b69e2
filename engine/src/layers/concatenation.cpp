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
  Dims out = inputs[0].dims;
  if (axis_ >= out.nbDims)
    throw Error(describe() + ": axis " + std::to_string(axis_) + " is beyond the rank of " + out.str());
  for (size_t i = 1; i < inputs.size(); ++i) {
    const Dims& d = inputs[i].dims;
    if (inputs[i].type != inputs[0].type)
      throw Error(describe() + ": input " + std::to_string(i) + " has type " + dataTypeName(inputs[i].type) +
                  ", input 0 has " + dataTypeName(inputs[0].type));
    if (d.nbDims != out.nbDims)
      throw Error(describe() + ": input " + std::to_string(i) + " " + d.str() + " has a different rank from input 0 " +
                  inputs[0].dims.str());
    for (int k = 0; k < d.nbDims; ++k) {
      if (k == axis_) {
        out.d[k] = (out.d[k] < 0 || d.d[k] < 0) ? -1 : out.d[k] + d.d[k];
      } else if (d.d[k] >= 0 && out.d[k] >= 0 && d.d[k] != out.d[k]) {
        throw Error(describe() + ": input " + std::to_string(i) + " " + d.str() + " differs from input 0 " +
                    inputs[0].dims.str() + " outside the concatenation axis " + std::to_string(axis_));
      }
    }
  }
  return {{out, inputs[0].type}};
}

void ConcatenationLayer::writeParams(PlanWriter& w) const { w.i32(axis_); }

void ConcatenationLayer::readParams(PlanReader& r) {
  axis_ = r.i32("axis");
  rules::axis(ParamCheck(r), "axis", "axis", axis_);
}

std::unique_ptr<LayerBase> makeConcatenationLayer() { return std::make_unique<ConcatenationLayer>(); }

}  // namespace trt
