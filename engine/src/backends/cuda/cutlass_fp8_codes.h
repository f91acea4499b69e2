// FP8 products that write FP8 codes (IMatrixMultiplyLayer::setFp8OutputScale) through the exact (erf) GELU, as
// CUTLASS sm90a kernels (TMA, warp-specialized WGMMA over E4M3 operands): the epilogue rounds the product's value to
// its 16-bit type, applies the GELU, rounds again and writes q(y / s_out), the codes the quantization with the GELU
// folded in computes from the product's stored 16-bit output (BERT's FFN up-projection writing its down-projection's input: the 16-bit
// tensor between them is never written). Other activations run as cuBLASLt's FP8 GEMM and the quantization kernel.
#pragma once

#include <cstdint>
#include <string>

#include <cuda_runtime.h>

#include "trt/types.h"

namespace trt {
namespace cuda {

//! Codes D[M, N] = q(T(GELU_erf(T(alpha * A[M, K] . B[N, K]^T + bias[N]))) / outputScale), saturating; A, B and D
//! E4M3, bias of the 16-bit `type` T (float16 or bfloat16), every matrix row-major and densely packed, FP32
//! accumulation and epilogue math.
struct Fp8CodesProblem {
  DataType type = DataType::kHALF;
  int64_t M = 0, N = 0, K = 0;
  const void* A = nullptr;
  const void* B = nullptr;
  const void* bias = nullptr;
  void* D = nullptr;
  float alpha = 1.f;
  float outputScale = 1.f;
};

//! How many CUTLASS FP8-codes products this process has launched (tests check that a forced tactic ran one).
int64_t fp8CodesGemmRuns();
//! How many tile configurations this build holds (0: built without CUTLASS).
int32_t fp8CodesGemmConfigs();
//! A configuration in words (the engine inspector's tactic).
std::string fp8CodesGemmConfigName(int32_t config);
//! Workspace bytes configuration `config` needs for the problem, or -1 where it cannot run it (not an sm_90
//! device, a type, shape or address it does not take).
int64_t fp8CodesGemmWorkspace(int32_t config, const Fp8CodesProblem& problem);
//! Launches configuration `config` on `stream` with `workspace` (fp8CodesGemmWorkspace bytes); false where it
//! cannot run the problem.
bool runFp8CodesGemm(int32_t config, const Fp8CodesProblem& problem, void* workspace, cudaStream_t stream);

namespace cutlass_fp8 {
// The kernels of one 16-bit type (cutlass/gemm_fp8_codes_{fp16,bf16}.cu, compiled for sm_90a): the same contract
// as fp8CodesGemmWorkspace / runFp8CodesGemm, without the device and address checks.
int64_t workspaceHalf(int32_t config, const Fp8CodesProblem& problem);
bool runHalf(int32_t config, const Fp8CodesProblem& problem, void* workspace, cudaStream_t stream);
int64_t workspaceBFloat16(int32_t config, const Fp8CodesProblem& problem);
bool runBFloat16(int32_t config, const Fp8CodesProblem& problem, void* workspace, cudaStream_t stream);
}  // namespace cutlass_fp8

}  // namespace cuda
}  // namespace trt
