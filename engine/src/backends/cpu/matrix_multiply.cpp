// Batched matrix multiply with transposes, vectors and batch broadcasting, on top of gemm().
#include <cmath>

#include "backends/cpu/cpu_kernels.h"
#include "layers/layer_util.h"

namespace trt {
namespace cpu {

void runMatrixMultiply(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output) {
  const auto& mm = static_cast<const IMatrixMultiplyLayer&>(layer);
  if (mm.isInt8()) return runInt8MatrixMultiply(layer, inputs, output);
  if (mm.isFp8()) return runFp8MatrixMultiply(layer, inputs, output);
  requireFloat32(layer, inputs[0], "input 0");
  requireFloat32(layer, inputs[1], "input 1");
  const Dims& a = inputs[0].dims;
  const Dims& b = inputs[1].dims;
  const MatrixOperation opA = mm.getOperation(0), opB = mm.getOperation(1);
  const bool vecA = opA == MatrixOperation::kVECTOR, vecB = opB == MatrixOperation::kVECTOR;
  const int64_t ra = vecA ? 1 : a.d[a.nbDims - 2], ca = a.d[a.nbDims - 1];  // stored rows/cols of A
  const int64_t rb = vecB ? b.d[b.nbDims - 1] : b.d[b.nbDims - 2], cb = vecB ? 1 : b.d[b.nbDims - 1];
  const bool tA = opA == MatrixOperation::kTRANSPOSE, tB = opB == MatrixOperation::kTRANSPOSE;
  const int64_t M = tA ? ca : ra, K = tA ? ra : ca, N = tB ? rb : cb;
  // Element (i,k) of op(A): A[i*rs + k*cs].
  const int64_t rsA = tA ? 1 : ca, csA = tA ? ca : 1;
  int64_t rsB = tB ? 1 : cb, csB = tB ? cb : 1;
  if (vecB) {
    rsB = 1;
    csB = 1;
  }
  const int batchRankA = a.nbDims - (vecA ? 1 : 2), batchRankB = b.nbDims - (vecB ? 1 : 2);
  const int batchRank = output.dims.nbDims - (vecA ? 0 : 1) - (vecB ? 0 : 1);
  int64_t batch = 1;
  for (int i = 0; i < batchRank; ++i) batch *= output.dims.d[i];
  const int64_t matA = ra * ca, matB = rb * cb, matC = M * N;
  int64_t idx[Dims::MAX_DIMS] = {};
  for (int64_t bi = 0; bi < batch; ++bi) {
    int64_t offA = 0, offB = 0, strideA = 1, strideB = 1;
    for (int i = batchRank - 1; i >= 0; --i) {
      int ka = batchRankA - batchRank + i, kb = batchRankB - batchRank + i;
      if (ka >= 0) {
        offA += (a.d[ka] == 1 ? 0 : idx[i]) * strideA;
        strideA *= a.d[ka];
      }
      if (kb >= 0) {
        offB += (b.d[kb] == 1 ? 0 : idx[i]) * strideB;
        strideB *= b.d[kb];
      }
    }
    gemm(M, N, K, inputs[0].f32() + offA * matA, rsA, csA, inputs[1].f32() + offB * matB, rsB, csB,
         output.f32() + bi * matC, N, false);
    for (int i = batchRank - 1; i >= 0; --i) {
      if (++idx[i] < output.dims.d[i]) break;
      idx[i] = 0;
    }
  }
  // The fused scale, bias (one value per output column), residual and ReLU; another fused activation
  // (GELU, on the CPU backend) through the Activation layer's routine after them.
  const int32_t fused = mm.getFusedActivation();
  const bool relu = fused == static_cast<int32_t>(ActivationType::kRELU);
  const float alpha = mm.getAlpha();
  if (inputs.size() >= 3 || relu || alpha != 1.f) {
    const float* bias = inputs.size() >= 3 ? inputs[2].f32() : nullptr;
    // A bias row per product of the batch ([P, 1, N]), else one for every row.
    const int64_t biasBatch = bias && layer_util::isPerBatchBias(inputs[2].dims, output.dims) ? matC : 0;
    const float* residual = inputs.size() == 4 ? inputs[3].f32() : nullptr;
    float* y = output.f32();
    for (int64_t i = 0, n = output.dims.volume(); i < n; ++i) {
      float v = alpha * y[i] + (bias ? bias[(biasBatch ? i / biasBatch * N : 0) + i % N] : 0.f);
      if (residual) v += residual[i];
      y[i] = relu ? (v > 0.f ? v : (std::isnan(v) ? v : 0.f)) : v;
    }
  }
  if (fused >= 0 && !relu)
    applyActivation(static_cast<ActivationType>(fused), 0.f, 0.f, output.f32(), output.dims.volume());
}

}  // namespace cpu
}  // namespace trt
