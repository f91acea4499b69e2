#include "layers/layer_util.h"

namespace trt {
using namespace layer_util;

void IGridSampleLayer::setInterpolationMode(InterpolationMode mode) {
  if (static_cast<int32_t>(mode) < 0 || static_cast<int32_t>(mode) >= kINTERPOLATION_MODE_COUNT)
    throw Error(describe() + ": unknown interpolation mode " + std::to_string(static_cast<int32_t>(mode)));
  mode_ = mode;
  markChanged();
}

void IGridSampleLayer::setAlignCorners(bool alignCorners) {
  alignCorners_ = alignCorners;
  markChanged();
}

void IGridSampleLayer::setSampleMode(SampleMode mode) {
  if (mode != SampleMode::kFILL && mode != SampleMode::kCLAMP && mode != SampleMode::kREFLECT)
    throw Error(describe() +
                ": grid sampling reads outside the input as zeros (kFILL), the border (kCLAMP) or "
                "mirrored (kREFLECT), not sample mode " +
                std::to_string(static_cast<int32_t>(mode)));
  sampleMode_ = mode;
  markChanged();
}

std::vector<TensorDesc> IGridSampleLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
  requireInputs(*this, inputs, 2);
  requireFloat(*this, inputs[0], "input");
  const Dims& in = inputs[0].dims;
  const Dims& grid = inputs[1].dims;
  if (in.nbDims != 4 || grid.nbDims != 4 || (grid.d[3] >= 0 && grid.d[3] != 2))
    throw Error(describe() + ": samples a 4-D input [N, C, H, W] at a grid [N, Ho, Wo, 2], got input " + in.str() +
                " and grid " + grid.str());
  if (in.d[0] >= 0 && grid.d[0] >= 0 && in.d[0] != grid.d[0])
    throw Error(describe() + ": the grid " + grid.str() + " and the input " + in.str() + " differ in batch size");
  if (inputs[1].type != inputs[0].type)
    throw Error(describe() + ": the grid is " + dataTypeName(inputs[1].type) + " but the input is " +
                dataTypeName(inputs[0].type));
  Dims out = in;
  out.d[2] = grid.d[1];
  out.d[3] = grid.d[2];
  return {{out, inputs[0].type}};
}

void IGridSampleLayer::writeParams(PlanWriter& w) const {
  w.i32(static_cast<int32_t>(mode_));
  w.u8(alignCorners_ ? 1 : 0);
  w.i32(static_cast<int32_t>(sampleMode_));
}

void IGridSampleLayer::readParams(PlanReader& r) {
  mode_ = static_cast<InterpolationMode>(r.enumValue("interpolation_mode", kINTERPOLATION_MODE_COUNT));
  alignCorners_ = r.boolean("align_corners");
  sampleMode_ = static_cast<SampleMode>(r.i32("sample_mode"));
  if (sampleMode_ != SampleMode::kFILL && sampleMode_ != SampleMode::kCLAMP && sampleMode_ != SampleMode::kREFLECT)
    r.fail("sample_mode", "must be kFILL, kCLAMP or kREFLECT");
}

}  // namespace trt
