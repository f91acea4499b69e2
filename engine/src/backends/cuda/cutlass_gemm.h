// Products whose epilogue cuBLASLt cannot compute, as CUTLASS sm_90a kernels (TMA, warp-specialized WGMMA):
// bias + the exact (erf) GELU inside the product, where cuBLASLt's GELU epilogue is the tanh form and would
// otherwise leave a pass of its own over the output (BERT's FFN up-projection: 14% of a call). Built only
// where the pinned CUTLASS headers are found (scripts/setup.sh); the host side needs no CUTLASS header.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include <cuda_runtime.h>

#include "trt/types.h"

namespace trt {
namespace cuda {

//! D[M, N] = GELU_erf(alpha * A[M, K] * B[N, K]^T + bias[N] (+ residual[M, N])), every matrix row-major and
//! densely packed, all of `type` (float16 or bfloat16), FP32 accumulation and epilogue math.
struct GemmBiasGeluProblem {
  DataType type = DataType::kHALF;
  int64_t M = 0, N = 0, K = 0;
  const void* A = nullptr;
  const void* B = nullptr;
  const void* bias = nullptr;
  const void* residual = nullptr;  //!< nullable: added before the GELU, as cuBLASLt's C
  void* D = nullptr;
  float alpha = 1.f;
};

//! Whether the current GPU runs sm_90a code (compute capability 9.0: H100, H200) and this build holds CUTLASS's
//! kernels; asked once per device.
bool deviceRunsSm90a();
//! How many CUTLASS products this process has launched (tests check that a forced tactic ran one).
int64_t gemmBiasGeluRuns();
//! How many tile configurations this build holds (0: built without CUTLASS).
int32_t gemmBiasGeluConfigs();
//! A configuration in words (the engine inspector's tactic).
std::string gemmBiasGeluConfigName(int32_t config);
//! Workspace bytes configuration `config` needs for the problem, or -1 where it cannot run it (not an sm_90
//! device, a type, shape, stride or address it does not take).
int64_t gemmBiasGeluWorkspace(int32_t config, const GemmBiasGeluProblem& problem);
//! Launches configuration `config` on `stream` with `workspace` (gemmBiasGeluWorkspace bytes); false where it
//! cannot run the problem.
bool runGemmBiasGelu(int32_t config, const GemmBiasGeluProblem& problem, void* workspace, cudaStream_t stream);

namespace cutlass_gemm {
// The kernels of one type (cutlass/gemm_bias_gelu_{fp16,bf16}.cu, compiled for sm_90a): the same contract as
// gemmBiasGeluWorkspace / runGemmBiasGelu, without the device and address checks.
int64_t workspaceHalf(int32_t config, const GemmBiasGeluProblem& problem);
bool runHalf(int32_t config, const GemmBiasGeluProblem& problem, void* workspace, cudaStream_t stream);
int64_t workspaceBFloat16(int32_t config, const GemmBiasGeluProblem& problem);
bool runBFloat16(int32_t config, const GemmBiasGeluProblem& problem, void* workspace, cudaStream_t stream);
// Configurations 3 and 4 (cutlass/gemm_bias_gelu_wide_{fp16,bf16}.cu), which the above hand on.
int64_t workspaceWideHalf(int32_t config, const GemmBiasGeluProblem& problem);
bool runWideHalf(int32_t config, const GemmBiasGeluProblem& problem, void* workspace, cudaStream_t stream);
int64_t workspaceWideBFloat16(int32_t config, const GemmBiasGeluProblem& problem);
bool runWideBFloat16(int32_t config, const GemmBiasGeluProblem& problem, void* workspace, cudaStream_t stream);
}  // namespace cutlass_gemm

}  // namespace cuda
}  // namespace trt
