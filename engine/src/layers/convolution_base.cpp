// The parameters convolutions and deconvolutions share (IConvolutionBase): validated setters.
#include "layers/layer_util.h"

namespace trt {
using namespace layer_util;

void IConvolutionBase::setNbOutputMaps(int32_t n) {
  if (n <= 0) throw Error(describe() + ": number of output maps must be positive, got " + std::to_string(n));
  nbOutputMaps_ = n;
  markChanged();
}
void IConvolutionBase::setKernelSizeNd(Dims k) {
  if (k.nbDims < 1 || k.nbDims > 3)
    throw Error(describe() + ": kernel size " + k.str() + " must have 1 to 3 dimensions");
  requirePositive(*this, k, "kernel size");
  kernelSize_ = k;
  markChanged();
}
void IConvolutionBase::setStrideNd(Dims s) {
  requirePositive(*this, s, "stride");
  stride_ = s;
  markChanged();
}
void IConvolutionBase::setPaddingNd(Dims p) {
  setPrePadding(p);
  setPostPadding(p);
}
void IConvolutionBase::setPrePadding(Dims p) {
  requireNonNegative(*this, p, "padding");
  prePadding_ = p;
  markChanged();
}
void IConvolutionBase::setPostPadding(Dims p) {
  // A deconvolution's output grows where its post padding is negative; a convolution's cannot.
  if (getType() == LayerType::kCONVOLUTION) requireNonNegative(*this, p, "padding");
  postPadding_ = p;
  markChanged();
}
void IConvolutionBase::setDilationNd(Dims d) {
  requirePositive(*this, d, "dilation");
  dilation_ = d;
  markChanged();
}
void IConvolutionBase::setNbGroups(int32_t g) {
  if (g <= 0) throw Error(describe() + ": number of groups must be positive, got " + std::to_string(g));
  groups_ = g;
  markChanged();
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
