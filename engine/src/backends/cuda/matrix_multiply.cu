// Batched matrix multiply through cuBLAS, with transposes, vectors and batch broadcasting.
#include "backends/cuda/cuda_kernels.h"

namespace trt {
namespace cuda {

void launchMatrixMultiply(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const auto& mm = static_cast<const IMatrixMultiplyLayer&>(layer);
  if ((in[0].type != DataType::kFLOAT && in[0].type != DataType::kHALF) || in[1].type != in[0].type)
    throw Error(layer.describe() + ": the CUDA backend multiplies float32 or float16 matrices of one type, not " +
                dataTypeName(in[0].type) + " and " + dataTypeName(in[1].type));
  const DataType type = in[0].type;
  const size_t elem = dataTypeSize(type);
  auto at = [elem](const TensorView& t, int64_t elems) { return static_cast<uint8_t*>(t.data) + elems * elem; };
  const Dims& a = in[0].dims;
  const Dims& b = in[1].dims;
  const MatrixOperation opA = mm.getOperation(0), opB = mm.getOperation(1);
  const bool vecA = opA == MatrixOperation::kVECTOR, vecB = opB == MatrixOperation::kVECTOR;
  const bool tA = opA == MatrixOperation::kTRANSPOSE, tB = opB == MatrixOperation::kTRANSPOSE;
  const int64_t ra = vecA ? 1 : a.d[a.nbDims - 2], ca = a.d[a.nbDims - 1];
  const int64_t rb = vecB ? b.d[b.nbDims - 1] : b.d[b.nbDims - 2], cb = vecB ? 1 : b.d[b.nbDims - 1];
  const int64_t M = tA ? ca : ra, K = tA ? ra : ca, N = tB ? rb : cb;
  const int batchRankA = a.nbDims - (vecA ? 1 : 2), batchRankB = b.nbDims - (vecB ? 1 : 2);
  const int batchRank = out.dims.nbDims - (vecA ? 0 : 1) - (vecB ? 0 : 1);
  int64_t batch = 1, batchA = 1, batchB = 1;
  for (int i = 0; i < batchRank; ++i) batch *= out.dims.d[i];
  for (int i = 0; i < batchRankA; ++i) batchA *= a.d[i];
  for (int i = 0; i < batchRankB; ++i) batchB *= b.d[i];
  const int64_t matA = ra * ca, matB = rb * cb, matC = M * N;
  // One strided call when each side is either fully batched or shared; else one call per batch.
  if ((batchA == batch || batchA == 1) && (batchB == batch || batchB == 1)) {
    gemm(ctx, type, tA, tB && !vecB, M, N, K, in[0].data, batchA == 1 ? 0 : matA, in[1].data, batchB == 1 ? 0 : matB,
         out.data, matC, batch);
    return;
  }
  int64_t idx[Dims::MAX_DIMS] = {};
  for (int64_t bi = 0; bi < batch; ++bi) {
    int64_t offA = 0, offB = 0, sA = 1, sB = 1;
    for (int i = batchRank - 1; i >= 0; --i) {
      int ka = batchRankA - batchRank + i, kb = batchRankB - batchRank + i;
      if (ka >= 0) {
        offA += (a.d[ka] == 1 ? 0 : idx[i]) * sA;
        sA *= a.d[ka];
      }
      if (kb >= 0) {
        offB += (b.d[kb] == 1 ? 0 : idx[i]) * sB;
        sB *= b.d[kb];
      }
    }
    gemm(ctx, type, tA, tB && !vecB, M, N, K, at(in[0], offA * matA), 0, at(in[1], offB * matB), 0, at(out, bi * matC),
         0, 1);
    for (int i = batchRank - 1; i >= 0; --i) {
      if (++idx[i] < out.dims.d[i]) break;
      idx[i] = 0;
    }
  }
}

}  // namespace cuda
}  // namespace trt
