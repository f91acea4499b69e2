// Quantize and Dequantize: INT8 with per-tensor or per-axis scales (symmetric, zero point 0).
#include <cmath>

#include "layers/layer_util.h"

namespace trt {
using namespace layer_util;

namespace {
void checkScales(const ILayer& layer, const std::vector<float>& scales) {
  if (scales.empty()) throw Error(layer.describe() + ": needs at least one scale");
  for (float s : scales)
    if (!(s > 0.f) || !std::isfinite(s))
      throw Error(layer.describe() + ": scales must be positive and finite, got " + std::to_string(s));
}

// The axis exists and its size matches the number of scales (or one scale, per tensor).
void checkAxis(const ILayer& layer, const Dims& in, const std::vector<float>& scales, int32_t axis) {
  if (axis < 0) {
    if (scales.size() != 1)
      throw Error(layer.describe() + ": " + std::to_string(scales.size()) +
                  " scales need an axis (setAxis); a per-tensor scale is one value");
    return;
  }
  if (axis >= in.nbDims)
    throw Error(layer.describe() + ": axis " + std::to_string(axis) + " is beyond the input's rank " +
                std::to_string(in.nbDims) + " " + in.str());
  if (in.d[axis] >= 0 && static_cast<int64_t>(scales.size()) != in.d[axis] && scales.size() != 1)
    throw Error(layer.describe() + ": " + std::to_string(scales.size()) + " scales for axis " + std::to_string(axis) +
                " of size " + std::to_string(in.d[axis]) + " in " + in.str());
}

void writeScales(PlanWriter& w, const std::vector<float>& scales, int32_t axis) {
  writeFloats(w, scales);
  w.i32(axis);
}

void readScales(PlanReader& r, std::vector<float>& scales, int32_t& axis) {
  scales = readFloats(r, "scales");
  if (scales.empty()) r.fail("scales", "is empty");
  for (float s : scales)
    if (!(s > 0.f) || !std::isfinite(s)) r.fail("scales", "holds a scale that is not positive and finite");
  axis = r.i32("axis");
  if (axis < -1 || axis >= Dims::MAX_DIMS) r.fail("axis", "must be -1 or a dimension index");
}
}  // namespace

void IQuantizeLayer::setScales(std::vector<float> scales) {
  checkScales(*this, scales);
  scales_ = std::move(scales);
  markChanged();
}
void IQuantizeLayer::setAxis(int32_t axis) {
  if (axis < -1 || axis >= Dims::MAX_DIMS) throw Error(describe() + ": axis must be -1 or a dimension index");
  axis_ = axis;
  markChanged();
}
std::vector<TensorDesc> IQuantizeLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
  requireInputs(*this, inputs, 1);
  if (inputs[0].type != DataType::kFLOAT)
    throw Error(describe() + ": quantizes float32 tensors, got " + dataTypeName(inputs[0].type));
  checkAxis(*this, inputs[0].dims, scales_, axis_);
  return {{inputs[0].dims, DataType::kINT8}};
}
void IQuantizeLayer::writeParams(PlanWriter& w) const { writeScales(w, scales_, axis_); }
void IQuantizeLayer::readParams(PlanReader& r) { readScales(r, scales_, axis_); }

void IDequantizeLayer::setScales(std::vector<float> scales) {
  checkScales(*this, scales);
  scales_ = std::move(scales);
  markChanged();
}
void IDequantizeLayer::setAxis(int32_t axis) {
  if (axis < -1 || axis >= Dims::MAX_DIMS) throw Error(describe() + ": axis must be -1 or a dimension index");
  axis_ = axis;
  markChanged();
}
std::vector<TensorDesc> IDequantizeLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
  requireInputs(*this, inputs, 1);
  if (inputs[0].type != DataType::kINT8)
    throw Error(describe() + ": dequantizes int8 tensors, got " + dataTypeName(inputs[0].type));
  checkAxis(*this, inputs[0].dims, scales_, axis_);
  return {{inputs[0].dims, DataType::kFLOAT}};
}
void IDequantizeLayer::writeParams(PlanWriter& w) const { writeScales(w, scales_, axis_); }
void IDequantizeLayer::readParams(PlanReader& r) { readScales(r, scales_, axis_); }

}  // namespace trt
