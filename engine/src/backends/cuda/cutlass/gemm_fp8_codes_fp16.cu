// The FP8 products writing FP8 codes through the exact GELU whose product is rounded through fp16
// (cutlass/gemm_fp8_codes.cuh); one file per type so that the two build in parallel.
#include "backends/cuda/cutlass/gemm_fp8_codes.cuh"

namespace trt {
namespace cuda {
namespace cutlass_fp8 {

int64_t workspaceHalf(int32_t config, const Fp8CodesProblem& problem) {
  return workspaceOf<__half, cutlass::half_t>(config, problem);
}

bool runHalf(int32_t config, const Fp8CodesProblem& problem, void* workspace, cudaStream_t stream) {
  return runOf<__half, cutlass::half_t>(config, problem, workspace, stream);
}

}  // namespace cutlass_fp8
}  // namespace cuda
}  // namespace trt
