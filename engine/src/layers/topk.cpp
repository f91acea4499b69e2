#include "layers/layer_util.h"
#include "layers/make_layer.h"
#include "layers/param_check.h"

namespace trt {
using namespace layer_util;

class TopKLayer final : public LayerImpl<ITopKLayer> {
 public:
  TopKLayer() : LayerImpl(LayerType::kTOPK) {}
  void setOperation(TopKOperation op) override;
  TopKOperation getOperation() const override { return op_; }
  void setK(int64_t k) override;
  int64_t getK() const override { return k_; }
  void setReduceAxes(uint32_t axes) override;
  uint32_t getReduceAxes() const override { return axes_; }
  void setOutputKind(TopKOutput kind) override;
  TopKOutput getOutputKind() const override { return output_; }
  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  TopKOperation op_ = TopKOperation::kMAX;
  int64_t k_ = 1;
  uint32_t axes_ = 1;
  TopKOutput output_ = TopKOutput::kVALUES;
};

namespace {
void checkOperation(const ParamCheck& c, int32_t op) {
  rules::enumBelow(c, "operation", "TopK operation", op, kTOPK_OPERATION_COUNT);
}
void checkK(const ParamCheck& c, int64_t k) {
  if (k < 0) c.fail("k", "k must be >= 0, got " + std::to_string(k));
}
void checkOutputKind(const ParamCheck& c, int32_t kind) {
  rules::enumBelow(c, "output", "TopK output kind", kind, kTOPK_OUTPUT_COUNT);
}
}  // namespace

void TopKLayer::setOperation(TopKOperation op) {
  checkOperation(ParamCheck(*this), static_cast<int32_t>(op));
  op_ = op;
  markChanged();
}
void TopKLayer::setK(int64_t k) {
  checkK(ParamCheck(*this), k);
  k_ = k;
  markChanged();
}
void TopKLayer::setReduceAxes(uint32_t axes) {
  rules::oneAxis(ParamCheck(*this), "reduce_axes", "TopK selects along exactly one axis: reduce axes", axes);
  axes_ = axes;
  markChanged();
}
void TopKLayer::setOutputKind(TopKOutput kind) {
  checkOutputKind(ParamCheck(*this), static_cast<int32_t>(kind));
  output_ = kind;
  markChanged();
}

std::vector<TensorDesc> TopKLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
  if (inputs.empty() || inputs.size() > 2)
    throw Error(describe() + ": expects the input and optionally k as a shape tensor, has " +
                std::to_string(inputs.size()) + " inputs");
  const Dims& in = inputs[0].dims;
  int64_t k = k_;
  if (inputs.size() == 2) {  // k computed from sizes: unknown until the run's shapes are set
    k = shapeTensorValues(*this, inputs[1], 1, "k", 1)[0];
    if (k != kUnknownShapeValue && k < 0)
      throw Error(describe() + ": k (input 1) must be >= 0, got " + std::to_string(k));
  }
  int axis = 0;
  while (!((axes_ >> axis) & 1u)) ++axis;
  if (axis >= in.nbDims)
    throw Error(describe() + ": axis " + std::to_string(axis) + " is beyond the input's rank " +
                std::to_string(in.nbDims));
  const bool known = k != kUnknownShapeValue;
  if (known && in.d[axis] >= 0 && k > in.d[axis])
    throw Error(describe() + ": k = " + std::to_string(k) + " exceeds the size " + std::to_string(in.d[axis]) +
                " of axis " + std::to_string(axis));
  const DataType t = inputs[0].type;
  if (t != DataType::kFLOAT && t != DataType::kHALF && t != DataType::kBF16 && t != DataType::kINT32 &&
      t != DataType::kINT64)
    throw Error(describe() + ": TopK takes float32, float16, bfloat16, int32 or int64 data, got " + dataTypeName(t));
  Dims out = in;
  out.d[axis] = known ? k : -1;
  return {{out, output_ == TopKOutput::kINDICES ? DataType::kINT64 : t}};
}

void TopKLayer::writeParams(PlanWriter& w) const {
  w.i32(static_cast<int32_t>(op_));
  w.i64(k_);
  w.u32(axes_);
  w.i32(static_cast<int32_t>(output_));
}

void TopKLayer::readParams(PlanReader& r) {
  const ParamCheck c(r);
  const int32_t op = r.i32("operation");
  checkOperation(c, op);
  op_ = static_cast<TopKOperation>(op);
  k_ = r.i64("k");
  checkK(c, k_);
  axes_ = r.u32("reduce_axes");
  rules::oneAxis(c, "reduce_axes", "TopK selects along exactly one axis: reduce axes", axes_);
  const int32_t output = r.i32("output");
  checkOutputKind(c, output);
  output_ = static_cast<TopKOutput>(output);
}

std::unique_ptr<LayerBase> makeTopKLayer() { return std::make_unique<TopKLayer>(); }

}  // namespace trt
