// INT8 convolutions as CUTLASS sm_90a implicit-GEMM kernels (TMA im2col loads, warp-specialized WGMMA on INT8
// tensor cores, twice the FP16 rate on Hopper): NHWC INT8 activations and [K, R, S, C] INT8 filters, INT32 sums,
// and an epilogue that turns them into FP16 with the layer's per-channel scale, bias, residual and ReLU (or into INT8
// codes). 1x1 convolutions of stride 1 also as persistent sm_90a GEMMs (configurations 3 to 5). Built
// where the pinned CUTLASS headers are found (as cutlass_gemm.h); the host side needs no CUTLASS header.
#pragma once

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

#include <cuda_runtime.h>

namespace trt {
namespace cuda {

//! out[n, p, q, k] = act(alpha[k] * sum_{r,s,c} in[n, h, w, c] * filter[k, r, s, c] + bias[k] (+ residual[n, p, q, k]))
//! with h = p * strideH - padH + r * dilationH (w alike); in and filter INT8, densely packed, C a multiple of 16;
//! out and residual FP16 [N, P, Q, K], K a multiple of 8; alpha and bias float32 [K]; the residual added times
//! `residualScale`. With `codesOut`, out is INT8 [N, P, Q, K] (K a multiple of 16) holding
//! clamp(round_half_even(...), -128, 127), alpha, bias and residualScale already divided by the output's scale,
//! ReLU only; its residual FP16, or INT8 codes with `residualCodes` (codes out only).
struct Int8ConvProblem {
  int64_t N = 0, H = 0, W = 0, C = 0;
  int64_t K = 0, R = 0, S = 0;
  int64_t P = 0, Q = 0;
  int32_t padH = 0, padW = 0, strideH = 1, strideW = 1, dilationH = 1, dilationW = 1;
  const void* input = nullptr;
  const void* filter = nullptr;
  const float* alpha = nullptr;
  const float* bias = nullptr;     //!< nullable
  const void* residual = nullptr;  //!< nullable: added before the activation
  void* output = nullptr;
  float residualScale = 1.f;
  bool relu = false;
  bool codesOut = false;
  bool residualCodes = false;
};

//! The problem's extents and geometry, in one order (N, H, W, C, K, R, S, P, Q, pads, strides, dilations): what
//! keys a kept kernel and a timing-cache entry.
inline std::vector<int64_t> int8ConvExtents(const Int8ConvProblem& p) {
  return {p.N, p.H, p.W, p.C, p.K, p.R, p.S, p.P, p.Q, p.padH, p.padW, p.strideH, p.strideW, p.dilationH, p.dilationW};
}

//! Whether the problem is a product (configurations 3 to 5 take it): one tap, stride 1, no padding.
inline bool int8ConvIsPointwise(const Int8ConvProblem& p) {
  return p.R == 1 && p.S == 1 && p.strideH == 1 && p.strideW == 1 && p.padH == 0 && p.padW == 0 && p.P == p.H &&
         p.Q == p.W;
}

//! What keys an initialized (kept) CUTLASS kernel of `p` on `device` (cutlass/kept_kernels.cuh): the extents, the
//! residual's factor and every address its arguments hold.
inline std::vector<int64_t> int8ConvKeptKey(int device, const Int8ConvProblem& p, const void* workspace) {
  std::vector<int64_t> key = int8ConvExtents(p);
  key.insert(key.begin(), device);
  uint32_t residualScaleBits = 0;
  std::memcpy(&residualScaleBits, &p.residualScale, sizeof(residualScaleBits));
  key.push_back(residualScaleBits);
  for (const void* address : {p.input, p.filter, static_cast<const void*>(p.alpha), static_cast<const void*>(p.bias),
                              p.residual, static_cast<const void*>(p.output), workspace})
    key.push_back(reinterpret_cast<intptr_t>(address));
  return key;
}

//! How many INT8 convolutions through CUTLASS this process has launched (tests check that one ran).
int64_t int8ConvRuns();
//! How many tile configurations this build holds (0: built without CUTLASS).
int32_t int8ConvConfigs();
//! A configuration in words (the engine inspector's tactic).
std::string int8ConvConfigName(int32_t config);
//! Whether this build and the current GPU run CUTLASS's INT8 convolutions at all (sm_90 and CUTLASS compiled in).
bool int8ConvAvailable();
//! Workspace bytes configuration `config` needs, or -1 where it cannot run the problem (not an sm_90 device,
//! extents, padding or addresses it does not take).
int64_t int8ConvWorkspace(int32_t config, const Int8ConvProblem& problem);
//! Launches configuration `config` on `stream`; false where it cannot run the problem.
bool runInt8Conv(int32_t config, const Int8ConvProblem& problem, void* workspace, cudaStream_t stream);

namespace cutlass_conv {
// The kernels (cutlass/conv_int8_*.cu, sm_90a): the contract above without the device and address checks.
int64_t workspaceRelu(int32_t config, const Int8ConvProblem& problem);
bool runRelu(int32_t config, const Int8ConvProblem& problem, void* workspace, cudaStream_t stream);
int64_t workspaceLinear(int32_t config, const Int8ConvProblem& problem);
bool runLinear(int32_t config, const Int8ConvProblem& problem, void* workspace, cudaStream_t stream);
int64_t workspaceReluCodes(int32_t config, const Int8ConvProblem& problem);
bool runReluCodes(int32_t config, const Int8ConvProblem& problem, void* workspace, cudaStream_t stream);
int64_t workspaceReluCodesFp16Residual(int32_t config, const Int8ConvProblem& problem);
bool runReluCodesFp16Residual(int32_t config, const Int8ConvProblem& problem, void* workspace, cudaStream_t stream);
// The same for the few-stage configurations 6 to 8 (cutlass/conv_int8_*_few_stages.cu; the ones above take 0 to 2).
int64_t workspaceReluFewStages(int32_t config, const Int8ConvProblem& problem);
bool runReluFewStages(int32_t config, const Int8ConvProblem& problem, void* workspace, cudaStream_t stream);
int64_t workspaceLinearFewStages(int32_t config, const Int8ConvProblem& problem);
bool runLinearFewStages(int32_t config, const Int8ConvProblem& problem, void* workspace, cudaStream_t stream);
int64_t workspaceReluCodesFewStages(int32_t config, const Int8ConvProblem& problem);
bool runReluCodesFewStages(int32_t config, const Int8ConvProblem& problem, void* workspace, cudaStream_t stream);
int64_t workspaceReluCodesFp16ResidualFewStages(int32_t config, const Int8ConvProblem& problem);
bool runReluCodesFp16ResidualFewStages(int32_t config, const Int8ConvProblem& problem, void* workspace,
                                       cudaStream_t stream);
// The 1x1 convolutions as GEMMs (cutlass/pointwise_int8_*.cu, configurations 3 to 5), the same contract.
int64_t workspacePointwiseRelu(int32_t config, const Int8ConvProblem& problem);
bool runPointwiseRelu(int32_t config, const Int8ConvProblem& problem, void* workspace, cudaStream_t stream);
int64_t workspacePointwiseLinear(int32_t config, const Int8ConvProblem& problem);
bool runPointwiseLinear(int32_t config, const Int8ConvProblem& problem, void* workspace, cudaStream_t stream);
int64_t workspacePointwiseReluCodes(int32_t config, const Int8ConvProblem& problem);
bool runPointwiseReluCodes(int32_t config, const Int8ConvProblem& problem, void* workspace, cudaStream_t stream);
int64_t workspacePointwiseReluCodesFp16Residual(int32_t config, const Int8ConvProblem& problem);
bool runPointwiseReluCodesFp16Residual(int32_t config, const Int8ConvProblem& problem, void* workspace,
                                       cudaStream_t stream);
// Configurations 9 and 10 (cutlass/pointwise_int8_*_more.cu).
int64_t workspacePointwiseReluMore(int32_t config, const Int8ConvProblem& problem);
bool runPointwiseReluMore(int32_t config, const Int8ConvProblem& problem, void* workspace, cudaStream_t stream);
int64_t workspacePointwiseLinearMore(int32_t config, const Int8ConvProblem& problem);
bool runPointwiseLinearMore(int32_t config, const Int8ConvProblem& problem, void* workspace, cudaStream_t stream);
int64_t workspacePointwiseReluCodesMore(int32_t config, const Int8ConvProblem& problem);
bool runPointwiseReluCodesMore(int32_t config, const Int8ConvProblem& problem, void* workspace, cudaStream_t stream);
int64_t workspacePointwiseReluCodesFp16ResidualMore(int32_t config, const Int8ConvProblem& problem);
bool runPointwiseReluCodesFp16ResidualMore(int32_t config, const Int8ConvProblem& problem, void* workspace,
                                           cudaStream_t stream);
}  // namespace cutlass_conv

}  // namespace cuda
}  // namespace trt
