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
  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  bool channelsLast_ = false;
  int32_t fusedActivation_ = -1;
  float fusedAlpha_ = 0.f, fusedBeta_ = 0.f;
  float int8InputScale_ = 0.f;
  std::vector<float> int8WeightScales_;
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
std::vector<TensorDesc> ConvolutionLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
  if (inputs.size() != 1 && inputs.size() != 2)
    throw Error(describe() + ": expects the input and optionally a residual, has " + std::to_string(inputs.size()) +
                " inputs");
  requireFloat(*this, inputs[0], "input");
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
    if (inputs[0].type != DataType::kFLOAT && inputs[0].type != DataType::kHALF)
      throw Error(describe() + ": an INT8 convolution quantizes a float32 or float16 input, got " +
                  dataTypeName(inputs[0].type));
  }
  if (inputs.size() == 2 && (inputs[1].dims != out || inputs[1].type != inputs[0].type))
    throw Error(describe() + ": the residual input " + inputs[1].dims.str() + " " + dataTypeName(inputs[1].type) +
                " must have the output's shape " + out.str() + " and type " + dataTypeName(inputs[0].type));
  return {{out, inputs[0].type}};
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
}

std::unique_ptr<LayerBase> makeConvolutionLayer() { return std::make_unique<ConvolutionLayer>(); }

}  // namespace trt
