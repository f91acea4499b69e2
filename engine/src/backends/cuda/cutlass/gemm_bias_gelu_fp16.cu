// The fp16 bias + exact GELU products (cutlass/gemm_bias_gelu.cuh); one file per type so that the two build in
// parallel (each takes about two minutes through nvcc).
#include "backends/cuda/cutlass/gemm_bias_gelu.cuh"

namespace trt {
namespace cuda {
namespace cutlass_gemm {

int64_t workspaceHalf(int32_t config, const GemmBiasProblem& problem) {
  return config < kFirstWideConfig   ? FirstConfigs<cutlass::half_t>::workspace(config, problem)
         : config < kFirstMoreConfig ? workspaceWideHalf(config, problem)
                                     : workspaceMoreHalf(config, problem);
}

bool runHalf(int32_t config, const GemmBiasProblem& problem, void* workspace, cudaStream_t stream) {
  return config < kFirstWideConfig   ? FirstConfigs<cutlass::half_t>::run(config, problem, workspace, stream)
         : config < kFirstMoreConfig ? runWideHalf(config, problem, workspace, stream)
                                     : runMoreHalf(config, problem, workspace, stream);
}

}  // namespace cutlass_gemm
}  // namespace cuda
}  // namespace trt
