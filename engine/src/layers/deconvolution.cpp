// Transposed convolution (TensorRT's IDeconvolutionLayer): every input element spreads its kernel
// over the output, inputs `stride` apart, the result cropped by the padding.
#include "layers/convolution_base.h"
#include "layers/layer_util.h"

namespace trt {
using namespace layer_util;

class DeconvolutionLayer final : public ConvolutionBaseImpl<IDeconvolutionLayer> {
 public:
  DeconvolutionLayer() : ConvolutionBaseImpl(LayerType::kDECONVOLUTION) {}
  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;
};

std::vector<TensorDesc> DeconvolutionLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
  if (inputs.size() != 1) throw Error(describe() + ": expects one input, has " + std::to_string(inputs.size()));
  requireFloat(*this, inputs[0], "input");
  const int k = kernelSize_.nbDims;
  const Dims& in = inputs[0].dims;
  requireGroupedInput(in, "deconvolution");
  int64_t expected = 0;
  if (__builtin_mul_overflow(in.d[1] * static_cast<int64_t>(nbOutputMaps_ / groups_), kernelSize_.volume(),
                             &expected) ||
      static_cast<int64_t>(kernel_.size()) != expected) {
    throw Error(describe() + ": kernel weights hold " + std::to_string(kernel_.size()) + " values, expected " +
                std::to_string(expected) + " for " + std::to_string(in.d[1]) + " input channels x " +
                std::to_string(nbOutputMaps_ / groups_) + " maps per group x kernel " + kernelSize_.str());
  }
  for (const Dims* d : {&stride_, &prePadding_, &postPadding_, &dilation_})
    if (d->nbDims != 0 && d->nbDims != k)
      throw Error(describe() + ": stride, padding and dilation need " + std::to_string(k) + " values each, got " +
                  d->str());
  const Dims stride = spatialOr(stride_, k, 1), pre = spatialOr(prePadding_, k, 0),
             post = spatialOr(postPadding_, k, 0), dil = spatialOr(dilation_, k, 1);
  Dims out = in;
  out.d[1] = nbOutputMaps_;
  for (int i = 0; i < k; ++i) {
    // An output element past the last input's reach (post < 0) gets only the bias, as in PyTorch.
    if (-post.d[i] >= std::max(stride.d[i], dil.d[i]))
      throw Error(describe() + ": post padding " + post.str() + " extends the output by " + std::to_string(-post.d[i]) +
                  ", which must be less than the stride or the dilation");
    if (in.d[2 + i] < 0) {
      out.d[2 + i] = -1;
      continue;
    }
    out.d[2 + i] = (in.d[2 + i] - 1) * stride.d[i] + dil.d[i] * (kernelSize_.d[i] - 1) + 1 - pre.d[i] - post.d[i];
    if (in.d[2 + i] == 0 || out.d[2 + i] <= 0)
      throw Error(describe() + ": input " + in.str() + " with kernel " + kernelSize_.str() + ", stride " +
                  stride.str() + " and padding " + pre.str() + "/" + post.str() + " leaves an empty output");
  }
  return {{out, inputs[0].type}};
}

void DeconvolutionLayer::writeParams(PlanWriter& w) const {
  w.i32(nbOutputMaps_);
  w.dims(kernelSize_);
  w.dims(stride_);
  w.dims(prePadding_);
  w.dims(postPadding_);
  w.dims(dilation_);
  w.i32(groups_);
  writeFloats(w, kernel_);
  writeFloats(w, bias_);
}

void DeconvolutionLayer::readParams(PlanReader& r) {
  readWindowParams(r);
  kernel_ = readFloats(r, "kernel_weights");
  bias_ = readFloats(r, "bias_weights");
}

std::unique_ptr<LayerBase> makeDeconvolutionLayer() { return std::make_unique<DeconvolutionLayer>(); }

}  // namespace trt
