// The fp16 bias + exact GELU products of configurations 5 and 6 (cutlass/gemm_bias_gelu.cuh's tall tiles and wide
// epilogue), a file of their own so that they build beside gemm_bias_gelu_fp16.cu and gemm_bias_gelu_wide_fp16.cu.
#include "backends/cuda/cutlass/gemm_bias_gelu.cuh"

namespace trt {
namespace cuda {
namespace cutlass_gemm {

int64_t workspaceMoreHalf(int32_t config, const GemmBiasProblem& problem) {
  return MoreConfigs<cutlass::half_t>::workspace(config - kFirstMoreConfig, problem);
}

bool runMoreHalf(int32_t config, const GemmBiasProblem& problem, void* workspace, cudaStream_t stream) {
  return MoreConfigs<cutlass::half_t>::run(config - kFirstMoreConfig, problem, workspace, stream);
}

}  // namespace cutlass_gemm
}  // namespace cuda
}  // namespace trt
