#include <cmath>

#include "layers/layer_util.h"
#include "layers/make_layer.h"
#include "layers/param_check.h"

namespace trt {
using namespace layer_util;

class FillLayer final : public LayerImpl<IFillLayer> {
 public:
  FillLayer() : LayerImpl(LayerType::kFILL) {}
  void setOperation(FillOperation op) override;
  FillOperation getOperation() const override { return op_; }
  void setDimensions(Dims dims) override;
  Dims getDimensions() const override { return dims_; }
  void setDataType(DataType type) override;
  DataType getDataType() const override { return type_; }
  void setAlpha(double alpha) override;
  double getAlpha() const override { return alpha_; }
  void setBeta(std::vector<double> beta) override;
  const std::vector<double>& getBeta() const override { return beta_; }
  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  FillOperation op_ = FillOperation::kCONSTANT;
  Dims dims_{};
  DataType type_ = DataType::kFLOAT;
  double alpha_ = 0.0;
  std::vector<double> beta_;
};

namespace {
bool fillable(DataType t) {
  return t == DataType::kFLOAT || t == DataType::kHALF || t == DataType::kINT32 || t == DataType::kINT64 ||
         t == DataType::kBOOL;
}
// The rules of the fill parameters, applied by the setters and by readParams.
void checkOperation(const ParamCheck& c, int32_t op) {
  rules::enumBelow(c, "fill_operation", "fill operation", op, kFILL_OPERATION_COUNT);
}
void checkDims(const ParamCheck& c, const Dims& d) { rules::nonNegative(c, "dimensions", "fill dimensions", d); }
void checkDataType(const ParamCheck& c, int32_t type) {
  if (!isValidDataType(type) || !fillable(static_cast<DataType>(type)))
    c.fail("data_type", "fills float32, float16, int32, int64 or bool tensors, not data type " +
                            std::string(isValidDataType(type) ? dataTypeName(static_cast<DataType>(type))
                                                              : std::to_string(type).c_str()));
}
void checkBetaCount(const ParamCheck& c, size_t n) {
  if (n > static_cast<size_t>(Dims::MAX_DIMS))
    c.fail("beta", std::to_string(n) + " linspace steps for at most " + std::to_string(Dims::MAX_DIMS) + " dimensions");
}
}  // namespace

void FillLayer::setOperation(FillOperation op) {
  checkOperation(ParamCheck(*this), static_cast<int32_t>(op));
  op_ = op;
  markChanged();
}

void FillLayer::setDimensions(Dims dims) {
  checkDims(ParamCheck(*this), dims);
  dims_ = dims;
  markChanged();
}

void FillLayer::setDataType(DataType type) {
  checkDataType(ParamCheck(*this), static_cast<int32_t>(type));
  type_ = type;
  markChanged();
}

void FillLayer::setAlpha(double alpha) {
  alpha_ = alpha;
  markChanged();
}

void FillLayer::setBeta(std::vector<double> beta) {
  checkBetaCount(ParamCheck(*this), beta.size());
  beta_ = std::move(beta);
  markChanged();
}

std::vector<TensorDesc> FillLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
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

void FillLayer::writeParams(PlanWriter& w) const {
  w.i32(static_cast<int32_t>(op_));
  w.dims(dims_);
  w.i32(static_cast<int32_t>(type_));
  w.f64(alpha_);
  w.u32(static_cast<uint32_t>(beta_.size()));
  for (double b : beta_) w.f64(b);
}

void FillLayer::readParams(PlanReader& r) {
  const ParamCheck c(r);
  const int32_t op = r.i32("fill_operation");
  checkOperation(c, op);
  op_ = static_cast<FillOperation>(op);
  dims_ = r.dims("dimensions");
  checkDims(c, dims_);
  const int32_t type = r.i32("data_type");
  checkDataType(c, type);
  type_ = static_cast<DataType>(type);
  alpha_ = r.f64("alpha");
  const uint32_t n = r.count("beta", 8);
  checkBetaCount(c, n);
  beta_.resize(n);
  for (double& b : beta_) b = r.f64("beta");
}

std::unique_ptr<LayerBase> makeFillLayer() { return std::make_unique<FillLayer>(); }

}  // namespace trt
