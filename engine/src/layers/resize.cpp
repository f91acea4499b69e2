#include "layers/layer_util.h"

namespace trt {
using namespace layer_util;

void IResizeLayer::setOutputDimensions(Dims dims) {
  requireNonNegative(*this, dims, "resize output dims");
  outDims_ = dims;
  markChanged();
}
void IResizeLayer::setResizeMode(InterpolationMode mode) {
  mode_ = mode;
  markChanged();
}
void IResizeLayer::setCoordinateTransformation(ResizeCoordinateTransformation transform) {
  transform_ = transform;
  markChanged();
}
void IResizeLayer::setScales(const std::vector<double>& ratios) {
  for (double r : ratios)
    if (!(r >= 0.0)) throw Error(describe() + ": resize ratios must be >= 0 (0 means in/out)");
  ratios_ = ratios;
  markChanged();
}

std::vector<TensorDesc> IResizeLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
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

void IResizeLayer::writeParams(PlanWriter& w) const {
  w.dims(outDims_);
  w.i32(static_cast<int32_t>(mode_));
  w.i32(static_cast<int32_t>(transform_));
  w.u32(static_cast<uint32_t>(ratios_.size()));
  for (double r : ratios_) w.f64(r);
}

void IResizeLayer::readParams(PlanReader& r) {
  outDims_ = r.dims("output_dims");
  mode_ = static_cast<InterpolationMode>(r.enumValue("resize_mode", kINTERPOLATION_MODE_COUNT));
  transform_ = static_cast<ResizeCoordinateTransformation>(
      r.enumValue("coordinate_transformation", kRESIZE_COORDINATE_TRANSFORMATION_COUNT));
  uint32_t n = r.count("ratio_count", 8);
  if (n > static_cast<uint32_t>(Dims::MAX_DIMS)) r.fail("ratio_count", "more ratios than dimensions");
  ratios_.resize(n);
  for (auto& v : ratios_) {
    v = r.f64("ratio");
    if (!(v >= 0.0)) r.fail("ratio", "must be >= 0");
  }
}

}  // namespace trt
