#include "layers/layer_util.h"

namespace trt {
using namespace layer_util;

void ICumulativeLayer::setOperation(CumulativeOperation op) {
  if (static_cast<int32_t>(op) < 0 || static_cast<int32_t>(op) >= kCUMULATIVE_OPERATION_COUNT)
    throw Error(describe() + ": unknown cumulative operation " + std::to_string(static_cast<int32_t>(op)));
  op_ = op;
  markChanged();
}
void ICumulativeLayer::setAxis(int32_t axis) {
  if (axis < 0 || axis >= Dims::MAX_DIMS)
    throw Error(describe() + ": axis must be 0 to " + std::to_string(Dims::MAX_DIMS - 1) + ", got " +
                std::to_string(axis));
  axis_ = axis;
  markChanged();
}
void ICumulativeLayer::setExclusive(bool exclusive) {
  exclusive_ = exclusive;
  markChanged();
}
void ICumulativeLayer::setReverse(bool reverse) {
  reverse_ = reverse;
  markChanged();
}

std::vector<TensorDesc> ICumulativeLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
  requireInputs(*this, inputs, 1);
  const DataType t = inputs[0].type;
  if (t != DataType::kFLOAT && t != DataType::kHALF && t != DataType::kINT32 && t != DataType::kINT64)
    throw Error(describe() + ": accumulates float32, float16, int32 or int64 tensors, got " + dataTypeName(t));
  if (axis_ >= inputs[0].dims.nbDims)
    throw Error(describe() + ": axis " + std::to_string(axis_) + " is beyond the input's rank " +
                std::to_string(inputs[0].dims.nbDims) + " " + inputs[0].dims.str());
  return {inputs[0]};
}

void ICumulativeLayer::writeParams(PlanWriter& w) const {
  w.i32(static_cast<int32_t>(op_));
  w.i32(axis_);
  w.u8(exclusive_ ? 1 : 0);
  w.u8(reverse_ ? 1 : 0);
}

void ICumulativeLayer::readParams(PlanReader& r) {
  op_ = static_cast<CumulativeOperation>(r.enumValue("operation", kCUMULATIVE_OPERATION_COUNT));
  axis_ = r.i32("axis");
  if (axis_ < 0 || axis_ >= Dims::MAX_DIMS) r.fail("axis", "must be a dimension index");
  exclusive_ = r.boolean("exclusive");
  reverse_ = r.boolean("reverse");
}

}  // namespace trt
