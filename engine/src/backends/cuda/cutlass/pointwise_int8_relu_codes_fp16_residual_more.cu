// Configurations 9 and 10 of the 1x1 INT8 convolutions as GEMMs that write INT8 codes after a ReLU and add an FP16
// residual (cutlass/pointwise_int8.cuh), a file of their own so that they build beside
// pointwise_int8_relu_codes_fp16_residual.cu.
#include "backends/cuda/cutlass/pointwise_int8.cuh"

namespace trt {
namespace cuda {
namespace cutlass_conv {

int64_t workspacePointwiseReluCodesFp16ResidualMore(int32_t config, const Int8ConvProblem& problem) {
  return MorePointwiseConfigs<cutlass::epilogue::thread::ReLu, int8_t, cutlass::half_t>::workspace(
      config - kFirstMorePointwiseConfig, problem);
}

bool runPointwiseReluCodesFp16ResidualMore(int32_t config, const Int8ConvProblem& problem, void* workspace,
                                           cudaStream_t stream) {
  return MorePointwiseConfigs<cutlass::epilogue::thread::ReLu, int8_t, cutlass::half_t>::run(
      config - kFirstMorePointwiseConfig, problem, workspace, stream);
}

}  // namespace cutlass_conv
}  // namespace cuda
}  // namespace trt
