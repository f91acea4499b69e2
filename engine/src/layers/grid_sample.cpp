#include "layers/layer_util.h"
#include "layers/make_layer.h"
#include "layers/param_check.h"

namespace trt {
using namespace layer_util;

class GridSampleLayer final : public LayerImpl<IGridSampleLayer> {
 public:
  GridSampleLayer() : LayerImpl(LayerType::kGRID_SAMPLE) {}
  void setInterpolationMode(InterpolationMode mode) override;
  InterpolationMode getInterpolationMode() const override { return mode_; }
  void setAlignCorners(bool alignCorners) override;
  bool getAlignCorners() const override { return alignCorners_; }
  void setSampleMode(SampleMode mode) override;
  SampleMode getSampleMode() const override { return sampleMode_; }
  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  InterpolationMode mode_ = InterpolationMode::kLINEAR;
  bool alignCorners_ = false;
  SampleMode sampleMode_ = SampleMode::kFILL;
};

namespace {
void checkInterpolationMode(const ParamCheck& c, int32_t mode) {
  rules::enumBelow(c, "interpolation_mode", "interpolation mode", mode, kINTERPOLATION_MODE_COUNT);
}
void checkSampleMode(const ParamCheck& c, int32_t mode) {
  if (mode != static_cast<int32_t>(SampleMode::kFILL) && mode != static_cast<int32_t>(SampleMode::kCLAMP) &&
      mode != static_cast<int32_t>(SampleMode::kREFLECT))
    c.fail("sample_mode",
           "grid sampling reads outside the input as zeros (kFILL), the border (kCLAMP) or mirrored (kREFLECT), not "
           "sample mode " +
               std::to_string(mode));
}
}  // namespace

void GridSampleLayer::setInterpolationMode(InterpolationMode mode) {
  checkInterpolationMode(ParamCheck(*this), static_cast<int32_t>(mode));
  mode_ = mode;
  markChanged();
}

void GridSampleLayer::setAlignCorners(bool alignCorners) {
  alignCorners_ = alignCorners;
  markChanged();
}

void GridSampleLayer::setSampleMode(SampleMode mode) {
  checkSampleMode(ParamCheck(*this), static_cast<int32_t>(mode));
  sampleMode_ = mode;
  markChanged();
}

std::vector<TensorDesc> GridSampleLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
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

void GridSampleLayer::writeParams(PlanWriter& w) const {
  w.i32(static_cast<int32_t>(mode_));
  w.u8(alignCorners_ ? 1 : 0);
  w.i32(static_cast<int32_t>(sampleMode_));
}

void GridSampleLayer::readParams(PlanReader& r) {
  const ParamCheck c(r);
  const int32_t mode = r.i32("interpolation_mode");
  checkInterpolationMode(c, mode);
  mode_ = static_cast<InterpolationMode>(mode);
  alignCorners_ = r.boolean("align_corners");
  const int32_t sampleMode = r.i32("sample_mode");
  checkSampleMode(c, sampleMode);
  sampleMode_ = static_cast<SampleMode>(sampleMode);
}

std::unique_ptr<LayerBase> makeGridSampleLayer() { return std::make_unique<GridSampleLayer>(); }

}  // namespace trt
