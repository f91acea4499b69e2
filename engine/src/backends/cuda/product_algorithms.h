// The cuBLASLt algorithm choice products share (matrix_multiply.cu's 16-bit and float products, and the FP8
// products of matrix_multiply_fp8.cu): cuBLASLt's ranking of a GEMM configuration, asked once per execution
// context, and the build-time timing of its candidates, kept in the plan as the product's tactic.
#pragma once

#include <cublasLt.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "backends/cuda/cuda_kernels.h"

namespace trt {
namespace cuda {

//! The largest power of two (up to 256, at least 16) dividing an address: what cuBLASLt's heuristics are told.
uint32_t ltAlignmentOf(const void* p);

//! Sets a layout's strided batch: `count` matrices `stride` elements apart (0: the same one for each); false where
//! cuBLASLt refuses it.
bool ltStridedBatch(cublasLtMatrixLayout_t layout, int64_t count, int64_t stride);

//! cuBLASLt's algorithms for the GEMM `op` (A `la`, B `lb`, C and D `ly`) that it says it can run with
//! `workspaceBytes` and the operands' alignments `align` (A, B, C, D), best first, at most 8, then at most 8 more that
//! need no workspace (a captured graph runs no memset before them); asked once per execution context under `key`
//! (which must name everything the ranking depends on).
const std::vector<cublasLtMatmulHeuristicResult_t>& rankedLtAlgorithms(
    LaunchContext& ctx, const std::vector<int64_t>& key, cublasLtMatmulDesc_t op, cublasLtMatrixLayout_t la,
    cublasLtMatrixLayout_t lb, cublasLtMatrixLayout_t ly, size_t workspaceBytes, const uint32_t (&align)[4]);

//! A product's cuBLASLt algorithm: the plan's choice (timed by the builder at this input shape), else in the
//! builder's tuning run the timing cache's or the fastest of cuBLASLt's own pick (-1) and each ranked algorithm (each
//! timed as a captured graph replays it), recorded as the layer's tactic; else -1. `gemm(algorithm, query)` runs the
//! GEMM (false where cuBLASLt declines it) or, with a query, says what cuBLASLt ranks. `A` gives the tactic's shape
//! and, with B, the residual, Y and the bias, the alignments the ranking depends on. CUTLASS configurations 0 ..
//! cutlassConfigs - 1 for which `cutlassRuns(config)` holds are candidates too, as tactics
//! cutlassProductTactic(config).
int32_t timedProductAlgorithm(LaunchContext& ctx, const ILayer& layer, const TensorView& A, const void* B,
                              const void* residual, const void* Y, const void* bias,
                              const std::function<bool(int32_t, LtQuery*)>& gemm, int32_t activation = -1,
                              const std::function<bool(int32_t)>& cutlassRuns = {}, int32_t cutlassConfigs = 0);
//! The tactic of CUTLASS configuration `config` of a product (beside cuBLASLt's ranked algorithms 0 .. 15).
int32_t cutlassProductTactic(int32_t config);

}  // namespace cuda
}  // namespace trt
