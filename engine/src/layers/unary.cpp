#include "layers/layer_util.h"
#include "layers/make_layer.h"
#include "layers/param_check.h"

namespace trt {
using namespace layer_util;

class UnaryLayer final : public LayerImpl<IUnaryLayer> {
 public:
  UnaryLayer() : LayerImpl(LayerType::kUNARY) {}
  void setOperation(UnaryOperation op) override;
  UnaryOperation getOperation() const override { return op_; }
  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  UnaryOperation op_ = UnaryOperation::kEXP;
};

namespace {
void checkOperation(const ParamCheck& c, int32_t op) {
  rules::enumBelow(c, "operation", "unary operation", op, kUNARY_OPERATION_COUNT);
}
}  // namespace

void UnaryLayer::setOperation(UnaryOperation op) {
  checkOperation(ParamCheck(*this), static_cast<int32_t>(op));
  op_ = op;
  markChanged();
}

std::vector<TensorDesc> UnaryLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
  requireInputs(*this, inputs, 1);
  if (op_ == UnaryOperation::kNOT) {
    if (inputs[0].type != DataType::kBOOL)
      throw Error(describe() + ": NOT needs a bool input, got " + dataTypeName(inputs[0].type));
    return {inputs[0]};
  }
  if (op_ == UnaryOperation::kBITWISE_NOT) {
    const DataType t = inputs[0].type;
    if (t != DataType::kINT32 && t != DataType::kINT64 && t != DataType::kBOOL)
      throw Error(describe() + ": BITWISE_NOT needs an int32, int64 or bool input, got " + dataTypeName(t));
    return {inputs[0]};
  }
  if (op_ == UnaryOperation::kABS || op_ == UnaryOperation::kNEG || op_ == UnaryOperation::kSIGN) {
    const DataType t = inputs[0].type;
    if (t != DataType::kFLOAT && t != DataType::kHALF && t != DataType::kBF16 && t != DataType::kINT32 &&
        t != DataType::kINT64)
      throw Error(describe() + ": needs a float32, float16, bfloat16, int32 or int64 input, got " + dataTypeName(t));
    return {inputs[0]};
  }
  requireFloat(*this, inputs[0], "input");
  if (op_ == UnaryOperation::kISINF || op_ == UnaryOperation::kISNAN) return {{inputs[0].dims, DataType::kBOOL}};
  return {inputs[0]};
}

void UnaryLayer::writeParams(PlanWriter& w) const { w.i32(static_cast<int32_t>(op_)); }

void UnaryLayer::readParams(PlanReader& r) {
  const int32_t op = r.i32("operation");
  checkOperation(ParamCheck(r), op);
  op_ = static_cast<UnaryOperation>(op);
}

std::unique_ptr<LayerBase> makeUnaryLayer() { return std::make_unique<UnaryLayer>(); }

}  // namespace trt
