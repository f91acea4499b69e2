#include "layers/layer_util.h"
#include "layers/make_layer.h"
#include "layers/param_check.h"

namespace trt {
using namespace layer_util;

class OneHotLayer final : public LayerImpl<IOneHotLayer> {
 public:
  OneHotLayer() : LayerImpl(LayerType::kONE_HOT) {}
  void setDepth(int64_t depth) override;
  int64_t getDepth() const override { return depth_; }
  void setAxis(int32_t axis) override;
  int32_t getAxis() const override { return axis_; }
  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  int64_t depth_ = 1;
  int32_t axis_ = -1;
};

namespace {
void checkDepth(const ParamCheck& c, int64_t depth) {
  if (depth <= 0) c.fail("depth", "depth must be positive, got " + std::to_string(depth));
}
// Where the new axis goes: -8..7 (negative counts from the end of the output).
void checkAxis(const ParamCheck& c, int32_t axis) {
  if (axis < -Dims::MAX_DIMS || axis >= Dims::MAX_DIMS)
    c.fail("axis", "axis " + std::to_string(axis) + " is outside -" + std::to_string(Dims::MAX_DIMS) + ".." +
                       std::to_string(Dims::MAX_DIMS - 1));
}
}  // namespace

void OneHotLayer::setDepth(int64_t depth) {
  checkDepth(ParamCheck(*this), depth);
  depth_ = depth;
  markChanged();
}

void OneHotLayer::setAxis(int32_t axis) {
  checkAxis(ParamCheck(*this), axis);
  axis_ = axis;
  markChanged();
}

std::vector<TensorDesc> OneHotLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
  requireInputs(*this, inputs, 2);
  const TensorDesc& indices = inputs[0];
  if (indices.type != DataType::kINT32 && indices.type != DataType::kINT64)
    throw Error(describe() + ": indices must be int32 or int64, got " + dataTypeName(indices.type));
  if (inputs[1].dims.nbDims != 1 || (inputs[1].dims.d[0] >= 0 && inputs[1].dims.d[0] != 2))
    throw Error(describe() + ": values must be [off, on] (shape (2)), got " + inputs[1].dims.str());
  const int32_t rank = indices.dims.nbDims + 1;
  if (rank > Dims::MAX_DIMS) throw Error(describe() + ": output rank " + std::to_string(rank) + " exceeds 8");
  const int32_t axis = axis_ < 0 ? axis_ + rank : axis_;
  if (axis < 0 || axis >= rank)
    throw Error(describe() + ": axis " + std::to_string(axis_) + " is outside an output of rank " +
                std::to_string(rank));
  Dims out;
  out.nbDims = rank;
  for (int d = 0, k = 0; d < rank; ++d) out.d[d] = d == axis ? depth_ : indices.dims.d[k++];
  return {{out, inputs[1].type}};
}

void OneHotLayer::writeParams(PlanWriter& w) const {
  w.i64(depth_);
  w.i32(axis_);
}

void OneHotLayer::readParams(PlanReader& r) {
  const ParamCheck c(r);
  depth_ = r.i64("depth");
  checkDepth(c, depth_);
  axis_ = r.i32("axis");
  checkAxis(c, axis_);
}

std::unique_ptr<LayerBase> makeOneHotLayer() { return std::make_unique<OneHotLayer>(); }

}  // namespace trt
