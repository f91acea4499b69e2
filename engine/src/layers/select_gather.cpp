#include "layers/layer_util.h"
#include "layers/make_layer.h"
#include "layers/param_check.h"

namespace trt {
using namespace layer_util;

class SelectLayer final : public LayerImpl<ISelectLayer> {
 public:
  SelectLayer() : LayerImpl(LayerType::kSELECT) {}
  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;
};

class GatherLayer final : public LayerImpl<IGatherLayer> {
 public:
  GatherLayer() : LayerImpl(LayerType::kGATHER) {}
  void setGatherAxis(int32_t axis) override;
  int32_t getGatherAxis() const override { return axis_; }
  void setMode(GatherMode mode) override;
  GatherMode getMode() const override { return mode_; }
  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  int32_t axis_ = 0;
  GatherMode mode_ = GatherMode::kDEFAULT;
};

std::vector<TensorDesc> SelectLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
  requireInputs(*this, inputs, 3);
  if (inputs[0].type != DataType::kBOOL)
    throw Error(describe() + ": the condition must be bool, got " + dataTypeName(inputs[0].type));
  if (inputs[1].type != inputs[2].type)
    throw Error(describe() + ": the two value inputs differ in type (" + dataTypeName(inputs[1].type) + " and " +
                dataTypeName(inputs[2].type) + ")");
  Dims out = broadcastShapes(*this, broadcastShapes(*this, inputs[0].dims, inputs[1].dims), inputs[2].dims);
  return {{out, inputs[1].type}};
}
void SelectLayer::writeParams(PlanWriter&) const {}
void SelectLayer::readParams(PlanReader&) {}

namespace {
void checkMode(const ParamCheck& c, int32_t mode) {
  rules::enumBelow(c, "gather_mode", "gather mode", mode, kGATHER_MODE_COUNT);
}
}  // namespace

void GatherLayer::setGatherAxis(int32_t axis) {
  rules::axis(ParamCheck(*this), "axis", "gather axis", axis);
  axis_ = axis;
  markChanged();
}

void GatherLayer::setMode(GatherMode mode) {
  checkMode(ParamCheck(*this), static_cast<int32_t>(mode));
  mode_ = mode;
  markChanged();
}

std::vector<TensorDesc> GatherLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
  requireInputs(*this, inputs, 2);
  const Dims& data = inputs[0].dims;
  const Dims& idx = inputs[1].dims;
  if (mode_ == GatherMode::kELEMENT) {
    if (idx.nbDims != data.nbDims || axis_ >= data.nbDims)
      throw Error(describe() + ": element gather needs indices " + idx.str() + " of the data's rank " +
                  std::to_string(data.nbDims) + " and an axis below it");
    for (int i = 0; i < data.nbDims; ++i)
      if (i != axis_ && data.d[i] >= 0 && idx.d[i] > data.d[i])
        throw Error(describe() + ": indices " + idx.str() + " exceed data " + data.str() + " in dimension " +
                    std::to_string(i));
    if (inputs[1].type != DataType::kINT32 && inputs[1].type != DataType::kINT64)
      throw Error(describe() + ": indices must be int32 or int64, got " + dataTypeName(inputs[1].type));
    return {{idx, inputs[0].type}};
  }
  if (axis_ >= data.nbDims)
    throw Error(describe() + ": gather axis " + std::to_string(axis_) + " is beyond the data's rank " +
                std::to_string(data.nbDims));
  if (inputs[1].type != DataType::kINT32 && inputs[1].type != DataType::kINT64)
    throw Error(describe() + ": indices must be int32 or int64, got " + dataTypeName(inputs[1].type));
  if (data.nbDims - 1 + idx.nbDims > Dims::MAX_DIMS) throw Error(describe() + ": output rank exceeds 8");
  Dims out;
  for (int i = 0; i < axis_; ++i) out.d[out.nbDims++] = data.d[i];
  for (int i = 0; i < idx.nbDims; ++i) out.d[out.nbDims++] = idx.d[i];
  for (int i = axis_ + 1; i < data.nbDims; ++i) out.d[out.nbDims++] = data.d[i];
  return {{out, inputs[0].type}};
}

void GatherLayer::writeParams(PlanWriter& w) const {
  w.i32(axis_);
  w.i32(static_cast<int32_t>(mode_));  // since plan version 2; absent means the default mode
}
void GatherLayer::readParams(PlanReader& r) {
  const ParamCheck c(r);
  axis_ = r.i32("axis");
  rules::axis(c, "axis", "gather axis", axis_);
  if (r.remaining() == 0) return;  // version 1: the default mode
  const int32_t mode = r.i32("gather_mode");
  checkMode(c, mode);
  mode_ = static_cast<GatherMode>(mode);
}

std::unique_ptr<LayerBase> makeSelectLayer() { return std::make_unique<SelectLayer>(); }
std::unique_ptr<LayerBase> makeGatherLayer() { return std::make_unique<GatherLayer>(); }

}  // namespace trt
