// The INT8 convolutions that write INT8 codes after a ReLU and add an FP16 residual (cutlass/conv_int8.cuh): a
// block's last convolution whose residual is a float tensor (a projection's output). A file of its own so that it
// builds beside the others.
#include "backends/cuda/cutlass/conv_int8.cuh"

namespace trt {
namespace cuda {
namespace cutlass_conv {

int64_t workspaceReluCodesFp16Residual(int32_t config, const Int8ConvProblem& problem) {
  return workspaceOf<ConfigGroup::kOneCta, cutlass::epilogue::thread::ReLu, int8_t, cutlass::half_t>(config, problem);
}

bool runReluCodesFp16Residual(int32_t config, const Int8ConvProblem& problem, void* workspace, cudaStream_t stream) {
  return runOf<ConfigGroup::kOneCta, cutlass::epilogue::thread::ReLu, int8_t, cutlass::half_t>(config, problem,
                                                                                               workspace, stream);
}

}  // namespace cutlass_conv
}  // namespace cuda
}  // namespace trt
