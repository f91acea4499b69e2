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

//! D[M, N] = act(alpha * A[M, K] * B[N, K]^T + bias[N] (+ residual[M, N])), every matrix row-major and densely
//! packed, all of `type` (float16 or bfloat16), FP32 accumulation and epilogue math; act the exact GELU
//! (runGemmBiasGelu) or the activation runGemmBiasActivation is given.
struct GemmBiasProblem {
  DataType type = DataType::kHALF;
  int64_t M = 0, N = 0, K = 0;
  const void* A = nullptr;
  const void* B = nullptr;
  const void* bias = nullptr;
  const void* residual = nullptr;  //!< nullable: added before the activation, as cuBLASLt's C
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
int64_t gemmBiasGeluWorkspace(int32_t config, const GemmBiasProblem& problem);
//! Launches configuration `config` on `stream` with `workspace` (gemmBiasGeluWorkspace bytes); false where it
//! cannot run the problem.
bool runGemmBiasGelu(int32_t config, const GemmBiasProblem& problem, void* workspace, cudaStream_t stream);

//! Whether CUTLASS products with `activation` in their epilogue exist (runGemmBiasActivation): SiLU and
//! hard-swish, which cuBLASLt's epilogues lack (the channels-last 1x1 convolutions of EfficientNet and MobileNetV3
//! otherwise write their output, then read and write it again in an activation pass).
bool gemmBiasActivationExists(ActivationType activation);
//! How many tile configurations each activation has in this build (0: built without CUTLASS).
int32_t gemmBiasActivationConfigs();
//! A configuration in words (the engine inspector's tactic).
std::string gemmBiasActivationConfigName(ActivationType activation, int32_t config);
//! Workspace bytes, or -1 where configuration `config` of `activation` cannot run the problem (as
//! gemmBiasGeluWorkspace).
int64_t gemmBiasActivationWorkspace(ActivationType activation, int32_t config, const GemmBiasProblem& problem);
//! Launches configuration `config` of `activation` on `stream`; false where it cannot run the problem.
bool runGemmBiasActivation(ActivationType activation, int32_t config, const GemmBiasProblem& problem, void* workspace,
                           cudaStream_t stream);
//! How many of those products this process has launched (tests check that a forced tactic ran one).
int64_t gemmBiasActivationRuns();

namespace cutlass_gemm {
// The kernels of one type (cutlass/gemm_bias_gelu_{fp16,bf16}.cu, compiled for sm_90a): the same contract as
// gemmBiasGeluWorkspace / runGemmBiasGelu, without the device and address checks.
int64_t workspaceHalf(int32_t config, const GemmBiasProblem& problem);
bool runHalf(int32_t config, const GemmBiasProblem& problem, void* workspace, cudaStream_t stream);
int64_t workspaceBFloat16(int32_t config, const GemmBiasProblem& problem);
bool runBFloat16(int32_t config, const GemmBiasProblem& problem, void* workspace, cudaStream_t stream);
// Configurations 3 and 4 (cutlass/gemm_bias_gelu_wide_{fp16,bf16}.cu), which the above hand on.
int64_t workspaceWideHalf(int32_t config, const GemmBiasProblem& problem);
bool runWideHalf(int32_t config, const GemmBiasProblem& problem, void* workspace, cudaStream_t stream);
int64_t workspaceWideBFloat16(int32_t config, const GemmBiasProblem& problem);
bool runWideBFloat16(int32_t config, const GemmBiasProblem& problem, void* workspace, cudaStream_t stream);
// Configurations 5 and 6 (cutlass/gemm_bias_gelu_more_{fp16,bf16}.cu), which the above hand on.
int64_t workspaceMoreHalf(int32_t config, const GemmBiasProblem& problem);
bool runMoreHalf(int32_t config, const GemmBiasProblem& problem, void* workspace, cudaStream_t stream);
int64_t workspaceMoreBFloat16(int32_t config, const GemmBiasProblem& problem);
bool runMoreBFloat16(int32_t config, const GemmBiasProblem& problem, void* workspace, cudaStream_t stream);
// SiLU and hard-swish (cutlass/gemm_bias_{silu,hardswish}_{fp16,bf16}.cu), one file each so that they build side by
// side: the same contract as gemmBiasActivationWorkspace / runGemmBiasActivation without the device and address
// checks.
int64_t workspaceSiluHalf(int32_t config, const GemmBiasProblem& problem);
bool runSiluHalf(int32_t config, const GemmBiasProblem& problem, void* workspace, cudaStream_t stream);
int64_t workspaceSiluBFloat16(int32_t config, const GemmBiasProblem& problem);
bool runSiluBFloat16(int32_t config, const GemmBiasProblem& problem, void* workspace, cudaStream_t stream);
int64_t workspaceHardSwishHalf(int32_t config, const GemmBiasProblem& problem);
bool runHardSwishHalf(int32_t config, const GemmBiasProblem& problem, void* workspace, cudaStream_t stream);
int64_t workspaceHardSwishBFloat16(int32_t config, const GemmBiasProblem& problem);
bool runHardSwishBFloat16(int32_t config, const GemmBiasProblem& problem, void* workspace, cudaStream_t stream);
}  // namespace cutlass_gemm

}  // namespace cuda
}  // namespace trt
