// The depthwise kernels in float16 (convolution_depthwise_kernels.cuh), a translation unit of their own.
#include "backends/cuda/convolution_depthwise_kernels.cuh"

namespace trt {
namespace cuda {
namespace depthwise {

void launchHalf(cudaStream_t stream, const Launch& l, const void* x, const void* w, const void* bias,
                const void* residual, void* y, const ConvGeometry& g, int64_t channels, int taps,
                const FusedActivation& activation) {
  launchTyped<__half>(stream, l, x, w, bias, residual, y, g, channels, taps, activation);
}

}  // namespace depthwise
}  // namespace cuda
}  // namespace trt
