// The bf16 bias + exact GELU products of configurations 5 and 6 (cutlass/gemm_bias_gelu.cuh's tall tiles and wide
// epilogue), a file of their own so that they build beside gemm_bias_gelu_bf16.cu and gemm_bias_gelu_wide_bf16.cu.
#include "backends/cuda/cutlass/gemm_bias_gelu.cuh"

namespace trt {
namespace cuda {
namespace cutlass_gemm {

int64_t workspaceMoreBFloat16(int32_t config, const GemmBiasProblem& problem) {
  return MoreConfigs<cutlass::bfloat16_t>::workspace(config - kFirstMoreConfig, problem);
}

bool runMoreBFloat16(int32_t config, const GemmBiasProblem& problem, void* workspace, cudaStream_t stream) {
  return MoreConfigs<cutlass::bfloat16_t>::run(config - kFirstMoreConfig, problem, workspace, stream);
}

}  // namespace cutlass_gemm
}  // namespace cuda
}  // namespace trt
