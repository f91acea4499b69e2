// The parameters convolutions and deconvolutions share (IConvolutionBase): validated setters.
#include "layers/convolution_base.h"
#include "layers/layer_util.h"
#include "layers/param_check.h"

namespace trt {
using namespace layer_util;

namespace {
// The rules of the window parameters, applied by the setters and by readWindowParams.
void checkNbOutputMaps(const ParamCheck& c, int32_t n) {
  if (n <= 0) c.fail("nb_output_maps", "number of output maps must be positive, got " + std::to_string(n));
}
void checkKernelSize(const ParamCheck& c, const Dims& k) { rules::window(c, "kernel_size", "kernel size", k); }
void checkStride(const ParamCheck& c, const Dims& s) { rules::positive(c, "stride", "stride", s); }
void checkPrePadding(const ParamCheck& c, const Dims& p) { rules::nonNegative(c, "pre_padding", "padding", p); }
void checkPostPadding(const ParamCheck& c, LayerType kind, const Dims& p) {
  // A deconvolution's output grows where its post padding is negative; a convolution's cannot.
  if (kind == LayerType::kCONVOLUTION) rules::nonNegative(c, "post_padding", "padding", p);
}
void checkDilation(const ParamCheck& c, const Dims& d) { rules::positive(c, "dilation", "dilation", d); }
void checkNbGroups(const ParamCheck& c, int32_t g) {
  if (g <= 0) c.fail("groups", "number of groups must be positive, got " + std::to_string(g));
}
}  // namespace

template <class I>
void ConvolutionBaseImpl<I>::setNbOutputMaps(int32_t n) {
  checkNbOutputMaps(ParamCheck(*this), n);
  nbOutputMaps_ = n;
  this->markChanged();
}
template <class I>
void ConvolutionBaseImpl<I>::setKernelSizeNd(Dims k) {
  checkKernelSize(ParamCheck(*this), k);
  kernelSize_ = k;
  this->markChanged();
}
template <class I>
void ConvolutionBaseImpl<I>::setStrideNd(Dims s) {
  checkStride(ParamCheck(*this), s);
  stride_ = s;
  this->markChanged();
}
template <class I>
void ConvolutionBaseImpl<I>::setPaddingNd(Dims p) {
  setPrePadding(p);
  setPostPadding(p);
}
template <class I>
void ConvolutionBaseImpl<I>::setPrePadding(Dims p) {
  checkPrePadding(ParamCheck(*this), p);
  prePadding_ = p;
  this->markChanged();
}
template <class I>
void ConvolutionBaseImpl<I>::setPostPadding(Dims p) {
  checkPostPadding(ParamCheck(*this), this->getType(), p);
  postPadding_ = p;
  this->markChanged();
}
template <class I>
void ConvolutionBaseImpl<I>::setDilationNd(Dims d) {
  checkDilation(ParamCheck(*this), d);
  dilation_ = d;
  this->markChanged();
}
template <class I>
void ConvolutionBaseImpl<I>::setNbGroups(int32_t g) {
  checkNbGroups(ParamCheck(*this), g);
  groups_ = g;
  this->markChanged();
}

template <class I>
void ConvolutionBaseImpl<I>::readWindowParams(PlanReader& r) {
  const ParamCheck c(r);
  nbOutputMaps_ = r.i32("nb_output_maps");
  checkNbOutputMaps(c, nbOutputMaps_);
  kernelSize_ = r.dims("kernel_size");
  checkKernelSize(c, kernelSize_);
  stride_ = r.dims("stride");
  checkStride(c, stride_);
  prePadding_ = r.dims("pre_padding");
  checkPrePadding(c, prePadding_);
  postPadding_ = r.dims("post_padding", this->getType() == LayerType::kDECONVOLUTION);
  checkPostPadding(c, this->getType(), postPadding_);
  dilation_ = r.dims("dilation");
  checkDilation(c, dilation_);
  groups_ = r.i32("groups");
  checkNbGroups(c, groups_);
}

template <class I>
void ConvolutionBaseImpl<I>::setKernelWeights(Weights w) {
  kernel_ = copyFloatWeights(*this, w, "kernel");
  this->markChanged();
}
template <class I>
void ConvolutionBaseImpl<I>::setBiasWeights(Weights w) {
  bias_ = copyFloatWeights(*this, w, "bias");
  this->markChanged();
}
template <class I>
Weights ConvolutionBaseImpl<I>::getKernelWeights() const {
  return {DataType::kFLOAT, kernel_.data(), static_cast<int64_t>(kernel_.size())};
}
template <class I>
Weights ConvolutionBaseImpl<I>::getBiasWeights() const {
  return {DataType::kFLOAT, bias_.data(), static_cast<int64_t>(bias_.size())};
}

template <class I>
void ConvolutionBaseImpl<I>::requireGroupedInput(const Dims& in, const char* kind) const {
  const int k = kernelSize_.nbDims;
  if (in.nbDims != k + 2) {
    throw Error(this->describe() + ": a " + std::to_string(k) + "-D " + kind + " needs a rank-" +
                std::to_string(k + 2) + " input [N, C, spatial...], got " + in.str());
  }
  if (in.d[1] < 0) throw Error(this->describe() + ": the channel dimension of input " + in.str() + " must be static");
  if (in.d[1] % groups_ != 0 || nbOutputMaps_ % groups_ != 0) {
    throw Error(this->describe() + ": input channels (" + std::to_string(in.d[1]) + ") and output maps (" +
                std::to_string(nbOutputMaps_) + ") must both divide by the number of groups (" +
                std::to_string(groups_) + ")");
  }
  if (!bias_.empty() && static_cast<int32_t>(bias_.size()) != nbOutputMaps_) {
    throw Error(this->describe() + ": bias holds " + std::to_string(bias_.size()) + " values, expected " +
                std::to_string(nbOutputMaps_));
  }
}

template class ConvolutionBaseImpl<IConvolutionLayer>;
template class ConvolutionBaseImpl<IDeconvolutionLayer>;

}  // namespace trt
