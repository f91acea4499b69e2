// The INT8 convolutions that write INT8 codes after a ReLU, with no residual or an INT8 one (cutlass/conv_int8.cuh):
// the requantizing epilogue that keeps INT8 tensors between INT8 convolutions
// (builder/passes/int8_convolution_chaining.cpp). A file of its own so that it builds beside the FP16-output ones.
#include "backends/cuda/cutlass/conv_int8.cuh"

namespace trt {
namespace cuda {
namespace cutlass_conv {

int64_t workspaceReluCodes(int32_t config, const Int8ConvProblem& problem) {
  return workspaceOf<ConfigGroup::kOneCta, cutlass::epilogue::thread::ReLu, int8_t>(config, problem);
}

bool runReluCodes(int32_t config, const Int8ConvProblem& problem, void* workspace, cudaStream_t stream) {
  return runOf<ConfigGroup::kOneCta, cutlass::epilogue::thread::ReLu, int8_t>(config, problem, workspace, stream);
}

}  // namespace cutlass_conv
}  // namespace cuda
}  // namespace trt
