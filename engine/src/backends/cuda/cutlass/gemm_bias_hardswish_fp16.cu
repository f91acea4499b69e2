// The fp16 bias + hardswish products (cutlass/gemm_bias_activation.cuh), a file of their own so that the four
// activation-and-type units build side by side.
#include "backends/cuda/cutlass/gemm_bias_activation.cuh"

namespace trt {
namespace cuda {
namespace cutlass_gemm {

int64_t workspaceHardSwishHalf(int32_t config, const GemmBiasProblem& problem) {
  return ActivationConfigs<HardSwishEpilogue, cutlass::half_t>::workspace(config, problem);
}

bool runHardSwishHalf(int32_t config, const GemmBiasProblem& problem, void* workspace, cudaStream_t stream) {
  return ActivationConfigs<HardSwishEpilogue, cutlass::half_t>::run(config, problem, workspace, stream);
}

}  // namespace cutlass_gemm
}  // namespace cuda
}  // namespace trt
