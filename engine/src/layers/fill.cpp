#include <cmath>

#include "layers/layer_util.h"

namespace trt {
using namespace layer_util;

namespace {
bool fillable(DataType t) {
  return t == DataType::kFLOAT || t == DataType::kHALF || t == DataType::kINT32 || t == DataType::kINT64 ||
         t == DataType::kBOOL;
}
}  // namespace

void IFillLayer::setOperation(FillOperation op) {
  if (static_cast<int32_t>(op) < 0 || static_cast<int32_t>(op) >= kFILL_OPERATION_COUNT)
    throw Error(describe() + ": unknown fill operation " + std::to_string(static_cast<int32_t>(op)));
  op_ = op;
  markChanged();
}

void IFillLayer::setDimensions(Dims dims) {
  requireNonNegative(*this, dims, "fill dimensions");
  dims_ = dims;
  markChanged();
}

void IFillLayer::setDataType(DataType type) {
  if (!fillable(type))
    throw Error(describe() + ": fills float32, float16, int32, int64 or bool tensors, not " + dataTypeName(type));
  type_ = type;
  markChanged();
}

void IFillLayer::setAlpha(double alpha) {
  alpha_ = alpha;
  markChanged();
}

void IFillLayer::setBeta(std::vector<double> beta) {
  beta_ = std::move(beta);
  markChanged();
}

std::vector<TensorDesc> IFillLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
  if (inputs.size() > 1)
    throw Error(describe() + ": takes at most one input (a shape tensor of output dimensions), has " +
                std::to_string(inputs.size()));
  Dims out = dims_;
  if (inputs.size() == 1) {
    const std::vector<int64_t>& values = shapeTensorValues(*this, inputs[0], 0, "output dimensions");
    out.nbDims = static_cast<int32_t>(values.size());
    for (int i = 0; i < out.nbDims; ++i) {
      const int64_t v = values[i];
      if (v != kUnknownShapeValue && v < 0)
        throw Error(describe() + ": output dimension " + std::to_string(i) + " is " + std::to_string(v) +
                    " (input 0); dimensions must not be negative");
      out.d[i] = v == kUnknownShapeValue ? -1 : v;
    }
  }
  if (op_ == FillOperation::kLINSPACE) {
    if (type_ == DataType::kBOOL) throw Error(describe() + ": a linspace fill cannot be bool");
    if (static_cast<int32_t>(beta_.size()) != out.nbDims)
      throw Error(describe() + ": a linspace fill needs one beta (step) per output dimension: " +
                  std::to_string(beta_.size()) + " for output " + out.str());
  }
  if (!std::isfinite(alpha_)) throw Error(describe() + ": alpha must be finite");
  for (double b : beta_)
    if (!std::isfinite(b)) throw Error(describe() + ": every beta must be finite");
  return {{out, type_}};
}

void IFillLayer::writeParams(PlanWriter& w) const {
  w.i32(static_cast<int32_t>(op_));
  w.dims(dims_);
  w.i32(static_cast<int32_t>(type_));
  w.f64(alpha_);
  w.u32(static_cast<uint32_t>(beta_.size()));
  for (double b : beta_) w.f64(b);
}

void IFillLayer::readParams(PlanReader& r) {
  op_ = static_cast<FillOperation>(r.enumValue("fill_operation", kFILL_OPERATION_COUNT));
  dims_ = r.dims("dimensions");
  const int32_t type = r.i32("data_type");
  if (!isValidDataType(type)) r.fail("data_type", "unknown data type " + std::to_string(type));
  type_ = static_cast<DataType>(type);
  if (!fillable(type_)) r.fail("data_type", std::string("a fill cannot produce ") + dataTypeName(type_));
  alpha_ = r.f64("alpha");
  const uint32_t n = r.count("beta", 8);
  if (n > static_cast<uint32_t>(Dims::MAX_DIMS)) r.fail("beta", "more steps than dimensions");
  beta_.resize(n);
  for (double& b : beta_) b = r.f64("beta");
}

}  // namespace trt
