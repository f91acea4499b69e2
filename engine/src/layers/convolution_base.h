// What convolutions and deconvolutions share (IConvolutionBase): output maps, the kernel window and
// float32 weights, with validated setters. Instantiated for both kinds in convolution_base.cpp.
#pragma once

#include <vector>

#include "layers/make_layer.h"
#include "plan/plan_io.h"

namespace trt {

template <class I>
class ConvolutionBaseImpl : public LayerImpl<I> {
 public:
  int32_t getNbOutputMaps() const override { return nbOutputMaps_; }
  void setNbOutputMaps(int32_t n) override;
  Dims getKernelSizeNd() const override { return kernelSize_; }
  void setKernelSizeNd(Dims k) override;
  void setStrideNd(Dims stride) override;
  Dims getStrideNd() const override { return stride_; }
  void setPaddingNd(Dims padding) override;
  Dims getPaddingNd() const override { return prePadding_; }
  void setPrePadding(Dims padding) override;
  Dims getPrePadding() const override { return prePadding_; }
  void setPostPadding(Dims padding) override;
  Dims getPostPadding() const override { return postPadding_; }
  void setDilationNd(Dims dilation) override;
  Dims getDilationNd() const override { return dilation_; }
  void setNbGroups(int32_t groups) override;
  int32_t getNbGroups() const override { return groups_; }
  void setKernelWeights(Weights w) override;
  Weights getKernelWeights() const override;
  void setBiasWeights(Weights w) override;
  Weights getBiasWeights() const override;

 protected:
  explicit ConvolutionBaseImpl(LayerType type) : LayerImpl<I>(type) {}
  //! Checks `in` is [N, C, spatial...] for the kernel, with static C splitting into the groups, and
  //! that the bias (if any) has one value per output map.
  void requireGroupedInput(const Dims& in, const char* kind) const;
  //! Reads output maps, kernel size, stride, paddings, dilation and groups from a plan, checked by the
  //! rules the setters apply.
  void readWindowParams(PlanReader& reader);
  int32_t nbOutputMaps_ = 0;
  Dims kernelSize_;
  Dims stride_, prePadding_, postPadding_, dilation_;
  int32_t groups_ = 1;
  std::vector<float> kernel_;
  std::vector<float> bias_;
};

extern template class ConvolutionBaseImpl<IConvolutionLayer>;
extern template class ConvolutionBaseImpl<IDeconvolutionLayer>;

}  // namespace trt
