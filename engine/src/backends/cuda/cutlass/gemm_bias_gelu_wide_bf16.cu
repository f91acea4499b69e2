// The bf16 bias + exact GELU products of configurations 3 and 4 (cutlass/gemm_bias_gelu.cuh's wide rows in turns),
// a file of their own so that they build beside gemm_bias_gelu_bf16.cu.
#include "backends/cuda/cutlass/gemm_bias_gelu.cuh"

namespace trt {
namespace cuda {
namespace cutlass_gemm {

int64_t workspaceWideBFloat16(int32_t config, const GemmBiasProblem& problem) {
  return WideConfigs<cutlass::bfloat16_t>::workspace(config - kFirstWideConfig, problem);
}

bool runWideBFloat16(int32_t config, const GemmBiasProblem& problem, void* workspace, cudaStream_t stream) {
  return WideConfigs<cutlass::bfloat16_t>::run(config - kFirstWideConfig, problem, workspace, stream);
}

}  // namespace cutlass_gemm
}  // namespace cuda
}  // namespace trt
