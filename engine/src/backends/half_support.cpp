#include "backends/half_support.h"

namespace trt {

namespace {
// The CUDA convolution runs FP16 through cuDNN only; the im2col path (asymmetric padding, no
// cuDNN in the build, more than 3 spatial dims) stays FP32.
bool cudaConvolutionInHalf(const IConvolutionLayer& conv) {
#ifdef TORCHTRT_WITH_CUDNN
  const Dims pre = conv.getPrePadding(), post = conv.getPostPadding();
  if (post.nbDims != 0 && post.nbDims != pre.nbDims) return false;
  for (int i = 0; i < post.nbDims; ++i)
    if (post.d[i] != pre.d[i]) return false;
  return conv.getKernelSizeNd().nbDims <= 3;
#else
  (void)conv;
  return false;
#endif
}
}  // namespace

bool backendComputesInHalf(Backend backend, const ILayer& layer) {
  // The CPU backend stores FP16 tensors and computes every kind in FP32 (rounding each output to
  // half), so its FP16 engines give the numbers a GPU's FP16 engine gives, without a GPU.
  if (backend == Backend::kCPU) return true;
  switch (layer.getType()) {
    case LayerType::kCONVOLUTION:
      return cudaConvolutionInHalf(static_cast<const IConvolutionLayer&>(layer));
    case LayerType::kACTIVATION:
    case LayerType::kPOOLING:
    case LayerType::kELEMENTWISE:
    case LayerType::kMATRIX_MULTIPLY:
    case LayerType::kSHUFFLE:
    case LayerType::kCONSTANT:
    case LayerType::kREDUCE:
    case LayerType::kSOFTMAX:
    case LayerType::kCONCATENATION:
    case LayerType::kIDENTITY:
    case LayerType::kUNARY:
    case LayerType::kSLICE:
    case LayerType::kSELECT:
    case LayerType::kGATHER:
    case LayerType::kNORMALIZATION:
      return true;
    case LayerType::kRESIZE:
    case LayerType::kTOPK:
      return false;
  }
  return false;
}

}  // namespace trt
