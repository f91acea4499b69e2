#include "layers/layer_util.h"
#include "layers/make_layer.h"
#include "layers/param_check.h"

namespace trt {
using namespace layer_util;

class ScatterLayer final : public LayerImpl<IScatterLayer> {
 public:
  ScatterLayer() : LayerImpl(LayerType::kSCATTER) {}
  void setAxis(int32_t axis) override;
  int32_t getAxis() const override { return axis_; }
  void setMode(ScatterMode mode) override;
  ScatterMode getMode() const override { return mode_; }
  void setReduction(ScatterReduction reduction, bool includeSelf) override;
  ScatterReduction getReduction() const override { return reduction_; }
  bool getIncludeSelf() const override { return includeSelf_; }
  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  int32_t axis_ = 0;
  ScatterReduction reduction_ = ScatterReduction::kNONE;
  bool includeSelf_ = true;
  ScatterMode mode_ = ScatterMode::kELEMENT;
};

namespace {
void checkMode(const ParamCheck& c, int32_t mode) {
  rules::enumBelow(c, "mode", "scatter mode", mode, kSCATTER_MODE_COUNT);
}
void checkReduction(const ParamCheck& c, int32_t reduction) {
  rules::enumBelow(c, "reduction", "scatter reduction", reduction, kSCATTER_REDUCTION_COUNT);
}
}  // namespace

void ScatterLayer::setAxis(int32_t axis) {
  rules::axis(ParamCheck(*this), "axis", "axis", axis);
  axis_ = axis;
  markChanged();
}

void ScatterLayer::setMode(ScatterMode mode) {
  checkMode(ParamCheck(*this), static_cast<int32_t>(mode));
  mode_ = mode;
  markChanged();
}

void ScatterLayer::setReduction(ScatterReduction reduction, bool includeSelf) {
  checkReduction(ParamCheck(*this), static_cast<int32_t>(reduction));
  reduction_ = reduction;
  includeSelf_ = includeSelf;
  markChanged();
}

namespace {
// kND: indices [q..., k] address the data's first k dimensions; updates are [q..., data dims k...].
void checkNdShapes(const IScatterLayer& layer, const Dims& data, const Dims& idx, const Dims& updates) {
  const int64_t k = idx.nbDims > 0 ? idx.d[idx.nbDims - 1] : -1;
  if (idx.nbDims < 1 || k < 1 || k > data.nbDims)
    throw Error(layer.describe() + ": ND indices " + idx.str() +
                " must end in a static tuple length from 1 to the "
                "data's rank " +
                std::to_string(data.nbDims));
  Dims expected;
  expected.nbDims = idx.nbDims - 1 + data.nbDims - static_cast<int>(k);
  if (expected.nbDims > Dims::MAX_DIMS) throw Error(layer.describe() + ": updates would exceed rank 8");
  for (int i = 0; i < idx.nbDims - 1; ++i) expected.d[i] = idx.d[i];
  for (int i = static_cast<int>(k); i < data.nbDims; ++i) expected.d[idx.nbDims - 1 + i - k] = data.d[i];
  bool match = updates.nbDims == expected.nbDims;
  for (int i = 0; match && i < expected.nbDims; ++i)
    match = expected.d[i] < 0 || updates.d[i] < 0 || expected.d[i] == updates.d[i];
  if (!match)
    throw Error(layer.describe() + ": ND updates " + updates.str() +
                " must be the indices' leading dims and the "
                "data's dims after the first " +
                std::to_string(k) + ": " + expected.str());
}
}  // namespace

std::vector<TensorDesc> ScatterLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
  requireInputs(*this, inputs, 3);
  const Dims& data = inputs[0].dims;
  const Dims& idx = inputs[1].dims;
  const Dims& updates = inputs[2].dims;
  if (mode_ == ScatterMode::kND)
    checkNdShapes(*this, data, idx, updates);
  else if (idx.nbDims != data.nbDims || axis_ >= data.nbDims)
    throw Error(describe() + ": indices " + idx.str() + " must have the data's rank " + std::to_string(data.nbDims) +
                " and the axis " + std::to_string(axis_) + " must be below it");
  for (int i = 0; i < data.nbDims; ++i)
    if (i != axis_ && data.d[i] >= 0 && idx.d[i] > data.d[i])
      throw Error(describe() + ": indices " + idx.str() + " exceed the data " + data.str() + " in dimension " +
                  std::to_string(i));
  if (inputs[1].type != DataType::kINT32 && inputs[1].type != DataType::kINT64)
    throw Error(describe() + ": indices must be int32 or int64, got " + dataTypeName(inputs[1].type));
  if (mode_ == ScatterMode::kELEMENT && updates != idx)
    throw Error(describe() + ": updates " + updates.str() + " must have the indices' shape " + idx.str());
  if (inputs[2].type != inputs[0].type)
    throw Error(describe() + ": updates are " + dataTypeName(inputs[2].type) + " but the data is " +
                dataTypeName(inputs[0].type));
  const DataType t = inputs[0].type;
  const bool floating = t == DataType::kFLOAT || t == DataType::kHALF;
  if (reduction_ != ScatterReduction::kNONE && !floating && t != DataType::kINT32 && t != DataType::kINT64)
    throw Error(describe() + ": a scatter reduction takes float32, float16, int32 or int64 data, got " +
                dataTypeName(t));
  if (reduction_ == ScatterReduction::kMEAN && !floating)
    throw Error(describe() + ": a mean scatter reduction takes floating-point data, got " + dataTypeName(t));
  return {inputs[0]};
}

void ScatterLayer::writeParams(PlanWriter& w) const {
  w.i32(axis_);
  w.i32(static_cast<int32_t>(reduction_));  // format 6
  w.u8(includeSelf_ ? 1 : 0);
  w.i32(static_cast<int32_t>(mode_));
}

void ScatterLayer::readParams(PlanReader& r) {
  const ParamCheck c(r);
  axis_ = r.i32("axis");
  rules::axis(c, "axis", "axis", axis_);
  if (r.remaining() == 0) return;  // format 5: no reduction
  const int32_t reduction = r.i32("reduction");
  checkReduction(c, reduction);
  reduction_ = static_cast<ScatterReduction>(reduction);
  includeSelf_ = r.boolean("include_self");
  const int32_t mode = r.i32("mode");
  checkMode(c, mode);
  mode_ = static_cast<ScatterMode>(mode);
}

std::unique_ptr<LayerBase> makeScatterLayer() { return std::make_unique<ScatterLayer>(); }

}  // namespace trt
