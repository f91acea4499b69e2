// The few-stage configurations (6 to 8, two CTAs a multiprocessor) of conv_int8_relu_codes.cu's epilogue, a unit of
// their own so that no unit compiles all six configurations.
#include "backends/cuda/cutlass/conv_int8.cuh"

namespace trt {
namespace cuda {
namespace cutlass_conv {

int64_t workspaceReluCodesFewStages(int32_t config, const Int8ConvProblem& problem) {
  return workspaceOf<ConfigGroup::kFewStages, cutlass::epilogue::thread::ReLu, int8_t>(config, problem);
}

bool runReluCodesFewStages(int32_t config, const Int8ConvProblem& problem, void* workspace, cudaStream_t stream) {
  return runOf<ConfigGroup::kFewStages, cutlass::epilogue::thread::ReLu, int8_t>(config, problem, workspace, stream);
}

}  // namespace cutlass_conv
}  // namespace cuda
}  // namespace trt
