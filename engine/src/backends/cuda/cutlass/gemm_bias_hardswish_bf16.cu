// The bf16 bias + hardswish products (cutlass/gemm_bias_activation.cuh), a file of their own so that the four
// activation-and-type units build side by side.
#include "backends/cuda/cutlass/gemm_bias_activation.cuh"

namespace trt {
namespace cuda {
namespace cutlass_gemm {

int64_t workspaceHardSwishBFloat16(int32_t config, const GemmBiasProblem& problem) {
  return ActivationConfigs<HardSwishEpilogue, cutlass::bfloat16_t>::workspace(config, problem);
}

bool runHardSwishBFloat16(int32_t config, const GemmBiasProblem& problem, void* workspace, cudaStream_t stream) {
  return ActivationConfigs<HardSwishEpilogue, cutlass::bfloat16_t>::run(config, problem, workspace, stream);
}

}  // namespace cutlass_gemm
}  // namespace cuda
}  // namespace trt
