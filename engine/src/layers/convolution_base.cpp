// The parameters convolutions and deconvolutions share (IConvolutionBase): validated setters.
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

void IConvolutionBase::setNbOutputMaps(int32_t n) {
  checkNbOutputMaps(ParamCheck(*this), n);
  nbOutputMaps_ = n;
  markChanged();
}
void IConvolutionBase::setKernelSizeNd(Dims k) {
  checkKernelSize(ParamCheck(*this), k);
  kernelSize_ = k;
  markChanged();
}
void IConvolutionBase::setStrideNd(Dims s) {
  checkStride(ParamCheck(*this), s);
  stride_ = s;
  markChanged();
}
void IConvolutionBase::setPaddingNd(Dims p) {
  setPrePadding(p);
  setPostPadding(p);
}
void IConvolutionBase::setPrePadding(Dims p) {
  checkPrePadding(ParamCheck(*this), p);
  prePadding_ = p;
  markChanged();
}
void IConvolutionBase::setPostPadding(Dims p) {
  checkPostPadding(ParamCheck(*this), getType(), p);
  postPadding_ = p;
  markChanged();
}
void IConvolutionBase::setDilationNd(Dims d) {
  checkDilation(ParamCheck(*this), d);
  dilation_ = d;
  markChanged();
}
void IConvolutionBase::setNbGroups(int32_t g) {
  checkNbGroups(ParamCheck(*this), g);
  groups_ = g;
  markChanged();
}

void IConvolutionBase::readWindowParams(PlanReader& r) {
  const ParamCheck c(r);
  nbOutputMaps_ = r.i32("nb_output_maps");
  checkNbOutputMaps(c, nbOutputMaps_);
  kernelSize_ = r.dims("kernel_size");
  checkKernelSize(c, kernelSize_);
  stride_ = r.dims("stride");
  checkStride(c, stride_);
  prePadding_ = r.dims("pre_padding");
  checkPrePadding(c, prePadding_);
  postPadding_ = r.dims("post_padding");
  checkPostPadding(c, getType(), postPadding_);
  dilation_ = r.dims("dilation");
  checkDilation(c, dilation_);
  groups_ = r.i32("groups");
  checkNbGroups(c, groups_);
}

void IConvolutionBase::setKernelWeights(Weights w) {
  kernel_ = copyFloatWeights(*this, w, "kernel");
  markChanged();
}
void IConvolutionBase::setBiasWeights(Weights w) {
  bias_ = copyFloatWeights(*this, w, "bias");
  markChanged();
}
Weights IConvolutionBase::getKernelWeights() const {
  return {DataType::kFLOAT, kernel_.data(), static_cast<int64_t>(kernel_.size())};
}
Weights IConvolutionBase::getBiasWeights() const {
  return {DataType::kFLOAT, bias_.data(), static_cast<int64_t>(bias_.size())};
}

void IConvolutionBase::requireGroupedInput(const Dims& in, const char* kind) const {
  const int k = kernelSize_.nbDims;
  if (in.nbDims != k + 2) {
    throw Error(describe() + ": a " + std::to_string(k) + "-D " + kind + " needs a rank-" + std::to_string(k + 2) +
                " input [N, C, spatial...], got " + in.str());
  }
  if (in.d[1] < 0) throw Error(describe() + ": the channel dimension of input " + in.str() + " must be static");
  if (in.d[1] % groups_ != 0 || nbOutputMaps_ % groups_ != 0) {
    throw Error(describe() + ": input channels (" + std::to_string(in.d[1]) + ") and output maps (" +
                std::to_string(nbOutputMaps_) + ") must both divide by the number of groups (" +
                std::to_string(groups_) + ")");
  }
  if (!bias_.empty() && static_cast<int32_t>(bias_.size()) != nbOutputMaps_) {
    throw Error(describe() + ": bias holds " + std::to_string(bias_.size()) + " values, expected " +
                std::to_string(nbOutputMaps_));
  }
}

}  // namespace trt
