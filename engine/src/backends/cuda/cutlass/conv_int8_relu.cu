// The INT8 convolutions whose epilogue ends in a ReLU (cutlass/conv_int8.cuh); one file per activation so that
// the two build in parallel.
#include "backends/cuda/cutlass/conv_int8.cuh"

namespace trt {
namespace cuda {
namespace cutlass_conv {

int64_t workspaceRelu(int32_t config, const Int8ConvProblem& problem) {
  return workspaceOf<ConfigGroup::kOneCta, cutlass::epilogue::thread::ReLu>(config, problem);
}

bool runRelu(int32_t config, const Int8ConvProblem& problem, void* workspace, cudaStream_t stream) {
  return runOf<ConfigGroup::kOneCta, cutlass::epilogue::thread::ReLu>(config, problem, workspace, stream);
}

}  // namespace cutlass_conv
}  // namespace cuda
}  // namespace trt
