// The bf16 bias + exact GELU products (cutlass/gemm_bias_gelu.cuh); one file per type so that the two build in
// parallel (each takes about two minutes through nvcc).
#include "backends/cuda/cutlass/gemm_bias_gelu.cuh"

namespace trt {
namespace cuda {
namespace cutlass_gemm {

int64_t workspaceBFloat16(int32_t config, const GemmBiasProblem& problem) {
  return config < kFirstWideConfig   ? FirstConfigs<cutlass::bfloat16_t>::workspace(config, problem)
         : config < kFirstMoreConfig ? workspaceWideBFloat16(config, problem)
                                     : workspaceMoreBFloat16(config, problem);
}

bool runBFloat16(int32_t config, const GemmBiasProblem& problem, void* workspace, cudaStream_t stream) {
  return config < kFirstWideConfig   ? FirstConfigs<cutlass::bfloat16_t>::run(config, problem, workspace, stream)
         : config < kFirstMoreConfig ? runWideBFloat16(config, problem, workspace, stream)
                                     : runMoreBFloat16(config, problem, workspace, stream);
}

}  // namespace cutlass_gemm
}  // namespace cuda
}  // namespace trt
