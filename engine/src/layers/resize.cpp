#include "layers/layer_util.h"
#include "layers/make_layer.h"
#include "layers/param_check.h"

namespace trt {
using namespace layer_util;

class ResizeLayer final : public LayerImpl<IResizeLayer> {
 public:
  ResizeLayer() : LayerImpl(LayerType::kRESIZE) {}
  void setOutputDimensions(Dims dims) override;
  Dims getOutputDimensions() const override { return outDims_; }
  void setResizeMode(InterpolationMode mode) override;
  InterpolationMode getResizeMode() const override { return mode_; }
  void setCoordinateTransformation(ResizeCoordinateTransformation transform) override;
  ResizeCoordinateTransformation getCoordinateTransformation() const override { return transform_; }
  void setScales(const std::vector<double>& ratios) override;
  const std::vector<double>& getScales() const override { return ratios_; }
  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  Dims outDims_;
  InterpolationMode mode_ = InterpolationMode::kNEAREST;
  ResizeCoordinateTransformation transform_ = ResizeCoordinateTransformation::kASYMMETRIC;
  std::vector<double> ratios_;
};

namespace {
// A ratio (1 / scale factor) multiplies output coordinates into input ones; beyond 2^31 no tensor
// dimension is large enough for it to mean anything, and an infinite one overflows the conversion
// of coordinates to integers.
constexpr double kMaxResizeRatio = 2147483648.0;

void checkOutputDims(const ParamCheck& c, const Dims& d) {
  rules::nonNegative(c, "output_dims", "resize output dims", d);
}
void checkMode(const ParamCheck& c, int32_t mode) {
  rules::enumBelow(c, "resize_mode", "resize mode", mode, kINTERPOLATION_MODE_COUNT);
}
void checkTransform(const ParamCheck& c, int32_t t) {
  rules::enumBelow(c, "coordinate_transformation", "coordinate transformation", t,
                   kRESIZE_COORDINATE_TRANSFORMATION_COUNT);
}
void checkRatioCount(const ParamCheck& c, size_t n) {
  if (n > static_cast<size_t>(Dims::MAX_DIMS))
    c.fail("ratio_count",
           std::to_string(n) + " resize ratios for at most " + std::to_string(Dims::MAX_DIMS) + " dimensions");
}
void checkRatio(const ParamCheck& c, double r) {
  if (!(r >= 0.0 && r <= kMaxResizeRatio))
    c.fail("ratio", "resize ratios must be finite, >= 0 (0 means in/out) and at most 2^31, got " + std::to_string(r));
}
}  // namespace

void ResizeLayer::setOutputDimensions(Dims dims) {
  checkOutputDims(ParamCheck(*this), dims);
  outDims_ = dims;
  markChanged();
}
void ResizeLayer::setResizeMode(InterpolationMode mode) {
  checkMode(ParamCheck(*this), static_cast<int32_t>(mode));
  mode_ = mode;
  markChanged();
}
void ResizeLayer::setCoordinateTransformation(ResizeCoordinateTransformation transform) {
  checkTransform(ParamCheck(*this), static_cast<int32_t>(transform));
  transform_ = transform;
  markChanged();
}
void ResizeLayer::setScales(const std::vector<double>& ratios) {
  const ParamCheck c(*this);
  checkRatioCount(c, ratios.size());
  for (double r : ratios) checkRatio(c, r);
  ratios_ = ratios;
  markChanged();
}

std::vector<TensorDesc> ResizeLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
  if (inputs.empty() || inputs.size() > 2)
    throw Error(describe() + ": expects the input and optionally a shape tensor of output dimensions, has " +
                std::to_string(inputs.size()) + " inputs");
  const Dims& in = inputs[0].dims;
  Dims outDims = outDims_;
  if (inputs.size() == 2) {  // output dims computed from shapes: unknown until the run's shapes are set
    const std::vector<int64_t>& values = shapeTensorValues(*this, inputs[1], 1, "output dimensions", in.nbDims);
    outDims.nbDims = in.nbDims;
    for (int i = 0; i < in.nbDims; ++i) {
      if (values[i] != kUnknownShapeValue && values[i] < 0)
        throw Error(describe() + ": output dimension " + std::to_string(values[i]) + " (input 1, element " +
                    std::to_string(i) + ") is negative");
      outDims.d[i] = values[i] == kUnknownShapeValue ? -1 : values[i];
    }
  }
  if (outDims.nbDims != in.nbDims)
    throw Error(describe() + ": output dims " + outDims.str() + " must have the input's rank " +
                std::to_string(in.nbDims));
  if (!ratios_.empty() && static_cast<int>(ratios_.size()) != in.nbDims)
    throw Error(describe() + ": " + std::to_string(ratios_.size()) + " ratios for an input of rank " +
                std::to_string(in.nbDims));
  requireFloat(*this, inputs[0], "input");
  int resized = 0;
  for (int i = 0; i < in.nbDims; ++i) {
    if (in.d[i] >= 0 && outDims.d[i] >= 0 && in.d[i] != outDims.d[i]) {
      ++resized;
      if (in.d[i] == 0) throw Error(describe() + ": cannot resize an empty dimension " + std::to_string(i));
    }
  }
  if (mode_ == InterpolationMode::kCUBIC && resized > 2)
    throw Error(describe() + ": cubic resize handles at most 2 resized dimensions, got " + std::to_string(resized));
  return {{outDims, inputs[0].type}};
}

void ResizeLayer::writeParams(PlanWriter& w) const {
  w.dims(outDims_);
  w.i32(static_cast<int32_t>(mode_));
  w.i32(static_cast<int32_t>(transform_));
  w.u32(static_cast<uint32_t>(ratios_.size()));
  for (double r : ratios_) w.f64(r);
}

void ResizeLayer::readParams(PlanReader& r) {
  const ParamCheck c(r);
  outDims_ = r.dims("output_dims");
  checkOutputDims(c, outDims_);
  const int32_t mode = r.i32("resize_mode");
  checkMode(c, mode);
  mode_ = static_cast<InterpolationMode>(mode);
  const int32_t transform = r.i32("coordinate_transformation");
  checkTransform(c, transform);
  transform_ = static_cast<ResizeCoordinateTransformation>(transform);
  const uint32_t n = r.count("ratio_count", 8);
  checkRatioCount(c, n);
  ratios_.resize(n);
  for (auto& v : ratios_) {
    v = r.f64("ratio");
    checkRatio(c, v);
  }
}

std::unique_ptr<LayerBase> makeResizeLayer() { return std::make_unique<ResizeLayer>(); }

}  // namespace trt
