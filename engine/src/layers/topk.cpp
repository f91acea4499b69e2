#include "layers/layer_util.h"

namespace trt {
using namespace layer_util;

void ITopKLayer::setOperation(TopKOperation op) {
  op_ = op;
  markChanged();
}
void ITopKLayer::setK(int64_t k) {
  if (k < 0) throw Error(describe() + ": k must be >= 0, got " + std::to_string(k));
  k_ = k;
  markChanged();
}
void ITopKLayer::setReduceAxes(uint32_t axes) {
  if (axes == 0 || (axes & (axes - 1)) != 0)
    throw Error(describe() + ": TopK selects along exactly one axis (one bit set), got mask " + std::to_string(axes));
  axes_ = axes;
  markChanged();
}
void ITopKLayer::setOutputKind(TopKOutput kind) {
  output_ = kind;
  markChanged();
}

std::vector<TensorDesc> ITopKLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
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

void ITopKLayer::writeParams(PlanWriter& w) const {
  w.i32(static_cast<int32_t>(op_));
  w.i64(k_);
  w.u32(axes_);
  w.i32(static_cast<int32_t>(output_));
}

void ITopKLayer::readParams(PlanReader& r) {
  op_ = static_cast<TopKOperation>(r.enumValue("operation", kTOPK_OPERATION_COUNT));
  k_ = r.i64("k");
  if (k_ < 0) r.fail("k", "is negative");
  axes_ = r.u32("reduce_axes");
  if (axes_ == 0 || (axes_ & (axes_ - 1)) != 0 || (axes_ >> Dims::MAX_DIMS))
    r.fail("reduce_axes", "must name one axis");
  output_ = static_cast<TopKOutput>(r.enumValue("output", kTOPK_OUTPUT_COUNT));
}

}  // namespace trt
