// The FP8 products writing FP8 codes through the exact GELU whose product is rounded through bf16
// (cutlass/gemm_fp8_codes.cuh); one file per type so that the two build in parallel.
#include "backends/cuda/cutlass/gemm_fp8_codes.cuh"

namespace trt {
namespace cuda {
namespace cutlass_fp8 {

int64_t workspaceBFloat16(int32_t config, const Fp8CodesProblem& problem) {
  return workspaceOf<__nv_bfloat16, cutlass::bfloat16_t>(config, problem);
}

bool runBFloat16(int32_t config, const Fp8CodesProblem& problem, void* workspace, cudaStream_t stream) {
  return runOf<__nv_bfloat16, cutlass::bfloat16_t>(config, problem, workspace, stream);
}

}  // namespace cutlass_fp8
}  // namespace cuda
}  // namespace trt
