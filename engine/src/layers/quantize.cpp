// Quantize and Dequantize: INT8 with per-tensor or per-axis scales (symmetric, zero point 0).
#include <cmath>

#include "layers/layer_util.h"
#include "layers/param_check.h"

namespace trt {
using namespace layer_util;

namespace {
void checkScales(const ParamCheck& c, const std::vector<float>& scales) {
  if (scales.empty()) c.fail("scales", "needs at least one scale");
  for (float s : scales)
    if (!(s > 0.f) || !std::isfinite(s))
      c.fail("scales", "scales must be positive and finite, got " + std::to_string(s));
}
void checkAxis(const ParamCheck& c, int32_t axis) {
  if (axis < -1 || axis >= Dims::MAX_DIMS)
    c.fail("axis", "axis " + std::to_string(axis) + " must be -1 (per tensor) or a dimension index");
}
}  // namespace

void IQuantizationLayer::setScales(std::vector<float> scales) {
  checkScales(ParamCheck(*this), scales);
  scales_ = std::move(scales);
  markChanged();
}

void IQuantizationLayer::setAxis(int32_t axis) {
  checkAxis(ParamCheck(*this), axis);
  axis_ = axis;
  markChanged();
}

void IQuantizationLayer::checkInput(const std::vector<TensorDesc>& inputs, DataType expected, const char* verb) const {
  requireInputs(*this, inputs, 1);
  if (inputs[0].type != expected)
    throw Error(describe() + ": " + verb + " " + dataTypeName(expected) + " tensors, got " +
                dataTypeName(inputs[0].type));
  const Dims& in = inputs[0].dims;
  if (axis_ < 0) {
    if (scales_.size() != 1)
      throw Error(describe() + ": " + std::to_string(scales_.size()) +
                  " scales need an axis (setAxis); a per-tensor scale is one value");
    return;
  }
  if (axis_ >= in.nbDims)
    throw Error(describe() + ": axis " + std::to_string(axis_) + " is beyond the input's rank " +
                std::to_string(in.nbDims) + " " + in.str());
  if (in.d[axis_] >= 0 && static_cast<int64_t>(scales_.size()) != in.d[axis_] && scales_.size() != 1)
    throw Error(describe() + ": " + std::to_string(scales_.size()) + " scales for axis " + std::to_string(axis_) +
                " of size " + std::to_string(in.d[axis_]) + " in " + in.str());
}

void IQuantizationLayer::writeParams(PlanWriter& w) const {
  writeFloats(w, scales_);
  w.i32(axis_);
}

void IQuantizationLayer::readParams(PlanReader& r) {
  const ParamCheck c(r);
  scales_ = readFloats(r, "scales");
  checkScales(c, scales_);
  axis_ = r.i32("axis");
  checkAxis(c, axis_);
}

std::vector<TensorDesc> IQuantizeLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
  checkInput(inputs, DataType::kFLOAT, "quantizes");
  return {{inputs[0].dims, DataType::kINT8}};
}

std::vector<TensorDesc> IDequantizeLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
  checkInput(inputs, DataType::kINT8, "dequantizes");
  return {{inputs[0].dims, DataType::kFLOAT}};
}

}  // namespace trt
