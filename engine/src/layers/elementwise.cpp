#include "common/floating_types.h"
#include "layers/layer_util.h"
#include "layers/make_layer.h"
#include "layers/param_check.h"

namespace trt {
using namespace layer_util;

class ElementWiseLayer final : public LayerImpl<IElementWiseLayer> {
 public:
  ElementWiseLayer() : LayerImpl(LayerType::kELEMENTWISE) {}
  void setOperation(ElementWiseOperation op) override;
  ElementWiseOperation getOperation() const override { return op_; }
  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  ElementWiseOperation op_ = ElementWiseOperation::kSUM;
};

namespace {
void checkOperation(const ParamCheck& c, int32_t op) {
  rules::enumBelow(c, "operation", "elementwise operation", op, kELEMENTWISE_OPERATION_COUNT);
}
}  // namespace

void ElementWiseLayer::setOperation(ElementWiseOperation op) {
  checkOperation(ParamCheck(*this), static_cast<int32_t>(op));
  op_ = op;
  markChanged();
}

std::vector<TensorDesc> ElementWiseLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
  requireInputs(*this, inputs, 2);
  if (inputs[0].type != inputs[1].type) {
    throw Error(describe() + ": input types differ (" + dataTypeName(inputs[0].type) + " and " +
                dataTypeName(inputs[1].type) + "); insert an Identity layer with setOutputType to cast one of them");
  }
  bool logical =
      op_ == ElementWiseOperation::kAND || op_ == ElementWiseOperation::kOR || op_ == ElementWiseOperation::kXOR;
  if (logical && inputs[0].type != DataType::kBOOL) throw Error(describe() + ": logical operations need bool inputs");
  const DataType t = inputs[0].type;
  const bool floating = isFloating(t);
  const bool integer = t == DataType::kINT32 || t == DataType::kINT64 || t == DataType::kUINT8 || t == DataType::kINT8;
  const bool bitwise = op_ == ElementWiseOperation::kBITWISE_AND || op_ == ElementWiseOperation::kBITWISE_OR ||
                       op_ == ElementWiseOperation::kBITWISE_XOR;
  if (bitwise && !integer && t != DataType::kBOOL)
    throw Error(describe() + ": bitwise operations need int32, int64, int8, uint8 or bool inputs, got " +
                dataTypeName(t));
  if (op_ == ElementWiseOperation::kATAN2 && !floating)
    throw Error(describe() + ": ATAN2 needs float32, float16 or bfloat16 inputs, got " + dataTypeName(t));
  if ((op_ == ElementWiseOperation::kFMOD || op_ == ElementWiseOperation::kREMAINDER) && !floating && !integer)
    throw Error(describe() + ": FMOD and REMAINDER need float or int32/int64/int8/uint8 inputs, got " +
                dataTypeName(t));
  bool comparison = op_ == ElementWiseOperation::kEQUAL || op_ == ElementWiseOperation::kGREATER ||
                    op_ == ElementWiseOperation::kLESS;
  Dims out = broadcastShapes(*this, inputs[0].dims, inputs[1].dims);
  return {{out, comparison ? DataType::kBOOL : inputs[0].type}};
}

void ElementWiseLayer::writeParams(PlanWriter& w) const { w.i32(static_cast<int32_t>(op_)); }

void ElementWiseLayer::readParams(PlanReader& r) {
  const int32_t op = r.i32("operation");
  checkOperation(ParamCheck(r), op);
  op_ = static_cast<ElementWiseOperation>(op);
}

std::unique_ptr<LayerBase> makeElementWiseLayer() { return std::make_unique<ElementWiseLayer>(); }

}  // namespace trt
