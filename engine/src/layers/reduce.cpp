#include "layers/layer_util.h"
#include "layers/make_layer.h"
#include "layers/param_check.h"

namespace trt {
using namespace layer_util;

class ReduceLayer final : public LayerImpl<IReduceLayer> {
 public:
  ReduceLayer() : LayerImpl(LayerType::kREDUCE) {}
  void setOperation(ReduceOperation op) override;
  ReduceOperation getOperation() const override { return op_; }
  void setReduceAxes(uint32_t axes) override;
  uint32_t getReduceAxes() const override { return axes_; }
  void setKeepDimensions(bool keep) override;
  bool getKeepDimensions() const override { return keep_; }
  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  ReduceOperation op_ = ReduceOperation::kSUM;
  uint32_t axes_ = 0;
  bool keep_ = false;
};

namespace {
void checkOperation(const ParamCheck& c, int32_t op) {
  rules::enumBelow(c, "operation", "reduce operation", op, kREDUCE_OPERATION_COUNT);
}
}  // namespace

void ReduceLayer::setOperation(ReduceOperation op) {
  checkOperation(ParamCheck(*this), static_cast<int32_t>(op));
  op_ = op;
  markChanged();
}
void ReduceLayer::setReduceAxes(uint32_t axes) {
  rules::axesMask(ParamCheck(*this), "reduce_axes", "reduce axes", axes);
  axes_ = axes;
  markChanged();
}
void ReduceLayer::setKeepDimensions(bool keep) {
  keep_ = keep;
  markChanged();
}

std::vector<TensorDesc> ReduceLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
  requireInputs(*this, inputs, 1);
  const Dims& in = inputs[0].dims;
  if (axes_ == 0) throw Error(describe() + ": no reduce axes are set");
  const DataType t = inputs[0].type;
  const bool integer = t == DataType::kINT32 || t == DataType::kINT64;
  if (!integer && t != DataType::kFLOAT && t != DataType::kHALF && t != DataType::kBF16)
    throw Error(describe() + ": needs a float32, float16, bfloat16, int32 or int64 input, got " + dataTypeName(t));
  if (integer && op_ == ReduceOperation::kAVG)
    throw Error(describe() + ": AVG of an integer input is not defined; cast it to float first");
  if (axes_ >> in.nbDims)
    throw Error(describe() + ": reduce axes mask " + std::to_string(axes_) +
                " names a dimension beyond the input's rank " + std::to_string(in.nbDims));
  Dims out;
  for (int i = 0; i < in.nbDims; ++i) {
    if ((axes_ >> i) & 1u) {
      if (keep_) out.d[out.nbDims++] = 1;
    } else {
      out.d[out.nbDims++] = in.d[i];
    }
  }
  return {{out, inputs[0].type}};
}

void ReduceLayer::writeParams(PlanWriter& w) const {
  w.i32(static_cast<int32_t>(op_));
  w.u32(axes_);
  w.u8(keep_ ? 1 : 0);
}

void ReduceLayer::readParams(PlanReader& r) {
  const ParamCheck c(r);
  const int32_t op = r.i32("operation");
  checkOperation(c, op);
  op_ = static_cast<ReduceOperation>(op);
  axes_ = r.u32("reduce_axes");
  rules::axesMask(c, "reduce_axes", "reduce axes", axes_);
  keep_ = r.boolean("keep_dimensions");
}

std::unique_ptr<LayerBase> makeReduceLayer() { return std::make_unique<ReduceLayer>(); }

}  // namespace trt
