#include <cmath>

#include "layers/convolution_base.h"
#include "layers/layer_util.h"
#include "layers/param_check.h"

namespace trt {
using namespace layer_util;

class ConvolutionLayer final : public ConvolutionBaseImpl<IConvolutionLayer> {
 public:
  ConvolutionLayer() : ConvolutionBaseImpl(LayerType::kCONVOLUTION) {}
  void setFusedActivation(int32_t activationOrMinusOne) override;
  int32_t getFusedActivation() const override { return fusedActivation_; }
  void setFusedActivationParameters(float alpha, float beta) override;
  float getFusedActivationAlpha() const override { return fusedAlpha_; }
  float getFusedActivationBeta() const override { return fusedBeta_; }
  void setChannelsLast(bool channelsLast) override {
    channelsLast_ = channelsLast;
    markChanged();
  }
  bool getChannelsLast() const override { return channelsLast_; }
  void setInt8Scales(float inputScale, std::vector<float> weightScales) override;
  float getInt8InputScale() const override { return int8InputScale_; }
  const std::vector<float>& getInt8WeightScales() const override { return int8WeightScales_; }
  bool isInt8() const override { return int8InputScale_ > 0.f; }
  void setInt8OutputScale(float scale) override;
  float getInt8OutputScale() const override { return int8OutputScale_; }
  void setInt8ResidualScale(float scale) override;
  float getInt8ResidualScale() const override { return int8ResidualScale_; }
  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  bool channelsLast_ = false;
  int32_t fusedActivation_ = -1;
  float fusedAlpha_ = 0.f, fusedBeta_ = 0.f;
  float int8InputScale_ = 0.f;
  std::vector<float> int8WeightScales_;
  float int8OutputScale_ = 0.f;
  float int8ResidualScale_ = 0.f;
};

void ConvolutionLayer::setFusedActivation(int32_t activationOrMinusOne) {
  rules::fusedActivation(ParamCheck(*this), "fused_activation", activationOrMinusOne);
  fusedActivation_ = activationOrMinusOne;
  markChanged();
}
void ConvolutionLayer::setFusedActivationParameters(float alpha, float beta) {
  // Any values, as the activation layer's (clip's bounds may be infinite).
  fusedAlpha_ = alpha;
  fusedBeta_ = beta;
  markChanged();
}
void ConvolutionLayer::setInt8Scales(float inputScale, std::vector<float> weightScales) {
  checkInt8Scales(*this, inputScale, weightScales);
  int8InputScale_ = inputScale;
  int8WeightScales_ = std::move(weightScales);
  markChanged();
}
void ConvolutionLayer::setInt8OutputScale(float scale) {
  if (!(scale >= 0.f) || !std::isfinite(scale))
    throw Error(describe() + ": the INT8 output scale must be 0 (a float output) or positive and finite, got " +
                std::to_string(scale));
  int8OutputScale_ = scale;
  markChanged();
}
void ConvolutionLayer::setInt8ResidualScale(float scale) {
  if (!(scale >= 0.f) || !std::isfinite(scale))
    throw Error(describe() + ": the INT8 residual scale must be 0 (a float residual) or positive and finite, got " +
                std::to_string(scale));
  int8ResidualScale_ = scale;
  markChanged();
}
std::vector<TensorDesc> ConvolutionLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
  if (inputs.size() != 1 && inputs.size() != 2)
    throw Error(describe() + ": expects the input and optionally a residual, has " + std::to_string(inputs.size()) +
                " inputs");
  // INT8 codes in (a Quantize's, with the input scale) only into an INT8 convolution.
  const bool codesIn = inputs[0].type == DataType::kINT8;
  if (codesIn && !isInt8())
    throw Error(describe() +
                ": an int8 input needs an INT8 convolution (setInt8Scales) whose input scale it was "
                "quantized with");
  if (!codesIn) requireFloat(*this, inputs[0], "input");
  if (int8OutputScale_ > 0.f && !isInt8())
    throw Error(describe() + ": an INT8 output scale needs an INT8 convolution (setInt8Scales)");
  const int k = kernelSize_.nbDims;
  if (channelsLast_ && (k != 2 || inputs[0].dims.nbDims != 4))
    throw Error(describe() + ": channels-last layout needs a 2-D convolution of a rank-4 input, got kernel " +
                kernelSize_.str() + " and input " + inputs[0].dims.str());
  // Channels-last shapes are checked and computed as channels-first ones.
  const Dims in = channelsLast_ ? channelsFirst(inputs[0].dims) : inputs[0].dims;
  requireGroupedInput(in, "convolution");
  int64_t expected = 0;
  if (__builtin_mul_overflow(static_cast<int64_t>(nbOutputMaps_) * (in.d[1] / groups_), kernelSize_.volume(),
                             &expected) ||
      static_cast<int64_t>(kernel_.size()) != expected) {
    throw Error(describe() + ": kernel weights hold " + std::to_string(kernel_.size()) + " values, expected " +
                std::to_string(expected) + " for " + std::to_string(nbOutputMaps_) + " maps x " +
                std::to_string(in.d[1] / groups_) + " channels x kernel " + kernelSize_.str());
  }
  Dims stride = spatialOr(stride_, k, 1), pre = spatialOr(prePadding_, k, 0), post = spatialOr(postPadding_, k, 0),
       dil = spatialOr(dilation_, k, 1);
  Dims out = in;
  out.d[1] = nbOutputMaps_;
  for (int i = 0; i < k; ++i) {
    out.d[2 + i] = windowOutput(in.d[2 + i], pre.d[i], post.d[i], kernelSize_.d[i], stride.d[i], dil.d[i], false);
    if (out.d[2 + i] == 0)
      throw Error(describe() + ": input " + in.str() + " is too small for kernel " + kernelSize_.str());
  }
  if (channelsLast_) out = channelsLast(out);
  if (isInt8()) {
    if (static_cast<int32_t>(int8WeightScales_.size()) != nbOutputMaps_)
      throw Error(describe() + ": " + std::to_string(int8WeightScales_.size()) + " INT8 weight scales for " +
                  std::to_string(nbOutputMaps_) + " output maps");
    if (inputs[0].type != DataType::kFLOAT && inputs[0].type != DataType::kHALF && !codesIn)
      throw Error(describe() + ": an INT8 convolution quantizes a float32 or float16 input, got " +
                  dataTypeName(inputs[0].type));
  }
  // The float type it computes y in: its input's, or for INT8 codes in the type requested for its output.
  DataType floatType = inputs[0].type;
  if (codesIn && !int8CodesFloatType(requestedOutputTypes(), int8OutputScale_ > 0.f, floatType))
    throw Error(describe() +
                ": a convolution of int8 codes writes floats of the type requested with "
                "setOutputType (float32 or float16), and none was requested");
  // An INT8 residual: codes of the residual scale, into an INT8 convolution.
  if (int8ResidualScale_ > 0.f && (!isInt8() || inputs.size() != 2))
    throw Error(describe() + ": an INT8 residual scale needs an INT8 convolution (setInt8Scales) with a residual");
  const DataType residualType = int8ResidualScale_ > 0.f ? DataType::kINT8 : floatType;
  if (inputs.size() == 2 && (inputs[1].dims != out || inputs[1].type != residualType))
    throw Error(describe() + ": the residual input " + inputs[1].dims.str() + " " + dataTypeName(inputs[1].type) +
                " must have the output's shape " + out.str() + " and type " + dataTypeName(residualType) +
                (int8ResidualScale_ > 0.f ? " (its INT8 residual scale is set)" : ""));
  return {{out, int8OutputScale_ > 0.f ? DataType::kINT8 : floatType}};
}

void ConvolutionLayer::writeParams(PlanWriter& w) const {
  w.i32(nbOutputMaps_);
  w.dims(kernelSize_);
  w.dims(stride_);
  w.dims(prePadding_);
  w.dims(postPadding_);
  w.dims(dilation_);
  w.i32(groups_);
  w.i32(fusedActivation_);
  writeFloats(w, kernel_);
  writeFloats(w, bias_);
  w.u8(channelsLast_ ? 1 : 0);
  writeInt8Scales(w, int8InputScale_, int8WeightScales_);  // format 5
  w.f32(fusedAlpha_);                                      // format 17
  w.f32(fusedBeta_);
  w.f32(int8OutputScale_);    // format 19
  w.f32(int8ResidualScale_);  // format 20
}

void ConvolutionLayer::readParams(PlanReader& r) {
  readWindowParams(r);
  fusedActivation_ = r.i32("fused_activation");
  rules::fusedActivation(ParamCheck(r), "fused_activation", fusedActivation_);
  kernel_ = readFloats(r, "kernel_weights");
  bias_ = readFloats(r, "bias_weights");
  channelsLast_ = r.remaining() > 0 ? r.boolean("channels_last") : false;                       // format 4
  if (r.remaining() > 0) readInt8Scales(r, nbOutputMaps_, int8InputScale_, int8WeightScales_);  // format 5
  if (r.remaining() > 0) {                                                                      // format 17
    fusedAlpha_ = r.f32("fused_activation_alpha");
    fusedBeta_ = r.f32("fused_activation_beta");
  }
  if (r.remaining() > 0) {  // format 19
    int8OutputScale_ = r.f32("int8_output_scale");
    if (!(int8OutputScale_ >= 0.f) || !std::isfinite(int8OutputScale_))
      r.fail("int8_output_scale", "must be 0 or positive and finite");
    if (int8OutputScale_ > 0.f && !(int8InputScale_ > 0.f))
      r.fail("int8_output_scale", "is set on a convolution that is not INT8");
  }
  if (r.remaining() > 0) {  // format 20
    int8ResidualScale_ = r.f32("int8_residual_scale");
    if (!(int8ResidualScale_ >= 0.f) || !std::isfinite(int8ResidualScale_))
      r.fail("int8_residual_scale", "must be 0 or positive and finite");
    if (int8ResidualScale_ > 0.f && !(int8InputScale_ > 0.f))
      r.fail("int8_residual_scale", "is set on a convolution that is not INT8");
  }
}

std::unique_ptr<LayerBase> makeConvolutionLayer() { return std::make_unique<ConvolutionLayer>(); }

}  // namespace trt
