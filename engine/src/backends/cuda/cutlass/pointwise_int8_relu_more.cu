// Configurations 9 and 10 of the 1x1 INT8 convolutions as GEMMs whose epilogue ends in a ReLU
// (cutlass/pointwise_int8.cuh), a file of their own so that they build beside pointwise_int8_relu.cu.
#include "backends/cuda/cutlass/pointwise_int8.cuh"

namespace trt {
namespace cuda {
namespace cutlass_conv {

int64_t workspacePointwiseReluMore(int32_t config, const Int8ConvProblem& problem) {
  return MorePointwiseConfigs<cutlass::epilogue::thread::ReLu>::workspace(config - kFirstMorePointwiseConfig, problem);
}

bool runPointwiseReluMore(int32_t config, const Int8ConvProblem& problem, void* workspace, cudaStream_t stream) {
  return MorePointwiseConfigs<cutlass::epilogue::thread::ReLu>::run(config - kFirstMorePointwiseConfig, problem,
                                                                    workspace, stream);
}

}  // namespace cutlass_conv
}  // namespace cuda
}  // namespace trt
