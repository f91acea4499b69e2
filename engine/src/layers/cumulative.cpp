#include "layers/layer_util.h"
#include "layers/make_layer.h"
#include "layers/param_check.h"

namespace trt {
using namespace layer_util;

class CumulativeLayer final : public LayerImpl<ICumulativeLayer> {
 public:
  CumulativeLayer() : LayerImpl(LayerType::kCUMULATIVE) {}
  void setOperation(CumulativeOperation op) override;
  CumulativeOperation getOperation() const override { return op_; }
  void setAxis(int32_t axis) override;
  int32_t getAxis() const override { return axis_; }
  void setExclusive(bool exclusive) override;
  bool getExclusive() const override { return exclusive_; }
  void setReverse(bool reverse) override;
  bool getReverse() const override { return reverse_; }
  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  CumulativeOperation op_ = CumulativeOperation::kSUM;
  int32_t axis_ = 0;
  bool exclusive_ = false;
  bool reverse_ = false;
};

namespace {
void checkOperation(const ParamCheck& c, int32_t op) {
  rules::enumBelow(c, "operation", "cumulative operation", op, kCUMULATIVE_OPERATION_COUNT);
}
}  // namespace

void CumulativeLayer::setOperation(CumulativeOperation op) {
  checkOperation(ParamCheck(*this), static_cast<int32_t>(op));
  op_ = op;
  markChanged();
}
void CumulativeLayer::setAxis(int32_t axis) {
  rules::axis(ParamCheck(*this), "axis", "axis", axis);
  axis_ = axis;
  markChanged();
}
void CumulativeLayer::setExclusive(bool exclusive) {
  exclusive_ = exclusive;
  markChanged();
}
void CumulativeLayer::setReverse(bool reverse) {
  reverse_ = reverse;
  markChanged();
}

std::vector<TensorDesc> CumulativeLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
  requireInputs(*this, inputs, 1);
  const DataType t = inputs[0].type;
  if (t != DataType::kFLOAT && t != DataType::kHALF && t != DataType::kINT32 && t != DataType::kINT64)
    throw Error(describe() + ": accumulates float32, float16, int32 or int64 tensors, got " + dataTypeName(t));
  if (axis_ >= inputs[0].dims.nbDims)
    throw Error(describe() + ": axis " + std::to_string(axis_) + " is beyond the input's rank " +
                std::to_string(inputs[0].dims.nbDims) + " " + inputs[0].dims.str());
  return {inputs[0]};
}

void CumulativeLayer::writeParams(PlanWriter& w) const {
  w.i32(static_cast<int32_t>(op_));
  w.i32(axis_);
  w.u8(exclusive_ ? 1 : 0);
  w.u8(reverse_ ? 1 : 0);
}

void CumulativeLayer::readParams(PlanReader& r) {
  const ParamCheck c(r);
  const int32_t op = r.i32("operation");
  checkOperation(c, op);
  op_ = static_cast<CumulativeOperation>(op);
  axis_ = r.i32("axis");
  rules::axis(c, "axis", "axis", axis_);
  exclusive_ = r.boolean("exclusive");
  reverse_ = r.boolean("reverse");
}

std::unique_ptr<LayerBase> makeCumulativeLayer() { return std::make_unique<CumulativeLayer>(); }

}  // namespace trt
