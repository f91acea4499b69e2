// The bf16 bias + silu products (cutlass/gemm_bias_activation.cuh), a file of their own so that the four
// activation-and-type units build side by side.
#include "backends/cuda/cutlass/gemm_bias_activation.cuh"

namespace trt {
namespace cuda {
namespace cutlass_gemm {

int64_t workspaceSiluBFloat16(int32_t config, const GemmBiasProblem& problem) {
  return ActivationConfigs<SiluEpilogue, cutlass::bfloat16_t>::workspace(config, problem);
}

bool runSiluBFloat16(int32_t config, const GemmBiasProblem& problem, void* workspace, cudaStream_t stream) {
  return ActivationConfigs<SiluEpilogue, cutlass::bfloat16_t>::run(config, problem, workspace, stream);
}

}  // namespace cutlass_gemm
}  // namespace cuda
}  // namespace trt
