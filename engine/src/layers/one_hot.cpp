#include "layers/layer_util.h"

namespace trt {
using namespace layer_util;

void IOneHotLayer::setDepth(int64_t depth) {
  if (depth <= 0) throw Error(describe() + ": depth must be positive, got " + std::to_string(depth));
  depth_ = depth;
  markChanged();
}

void IOneHotLayer::setAxis(int32_t axis) {
  axis_ = axis;
  markChanged();
}

std::vector<TensorDesc> IOneHotLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
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

void IOneHotLayer::writeParams(PlanWriter& w) const {
  w.i64(depth_);
  w.i32(axis_);
}

void IOneHotLayer::readParams(PlanReader& r) {
  depth_ = r.i64("depth");
  if (depth_ <= 0) r.fail("depth", "must be positive");
  axis_ = r.i32("axis");
  if (axis_ < -Dims::MAX_DIMS || axis_ >= Dims::MAX_DIMS) r.fail("axis", "out of range");
}

}  // namespace trt
