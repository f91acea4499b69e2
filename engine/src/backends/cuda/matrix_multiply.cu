// Batched matrix multiply through cuBLAS, with transposes, vectors and batch broadcasting; a fused
// bias, residual (cuBLASLt's C) and activation (ReLU, GELU's tanh form) through cuBLASLt's epilogue when
// the product is one GEMM, else an epilogue kernel.
#include "backends/cuda/activation.cuh"
#include "backends/cuda/cuda_kernels.h"
#include "backends/cuda/float_types.cuh"
#include "layers/layer_util.h"

namespace trt {
namespace cuda {

namespace {
// biasBatch: elements of one product's output when the bias holds a row per product ([P, 1, N]), else 0.
template <typename T>
__global__ void biasActivationKernel(T* y, const T* bias, const T* residual, int32_t activation, int64_t columns,
                                     int64_t biasBatch, int64_t total) {
  int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i >= total) return;
  float v = load(y, i) + (bias ? load(bias, (biasBatch ? i / biasBatch * columns : 0) + i % columns) : 0.f);
  if (residual) v += load(residual, i);
  if (activation >= 0) v = activate(static_cast<ActivationType>(activation), 0.f, 0.f, v);
  store(y, i, v);
}

// Sets a layout's strided batch: `count` matrices `stride` elements apart (0: the same one for each).
bool batched(cublasLtMatrixLayout_t layout, int64_t count, int64_t stride) {
  const int32_t n = static_cast<int32_t>(count);
  return count <= INT32_MAX &&
         cublasLtMatrixLayoutSetAttribute(layout, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &n, sizeof(n)) ==
             CUBLAS_STATUS_SUCCESS &&
         cublasLtMatrixLayoutSetAttribute(layout, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &stride,
                                          sizeof(stride)) == CUBLAS_STATUS_SUCCESS;
}

}  // namespace

bool ltGemmEpilogue(LaunchContext& ctx, DataType type, bool tA, bool tB, int64_t M, int64_t N, int64_t K, const void* A,
                    const void* B, const void* bias, const void* residual, int32_t activation, float alpha, void* Y,
                    const LtBatch& batch) {
  if (!ctx.blasLt) check(cublasLtCreate(&ctx.blasLt), "cublasLtCreate");
  const bool reduced = type == DataType::kHALF || type == DataType::kBF16;  // 16-bit data, FP32 accumulation
  const cudaDataType_t dt = type == DataType::kHALF ? CUDA_R_16F : type == DataType::kBF16 ? CUDA_R_16BF : CUDA_R_32F;
  const cublasComputeType_t compute = !reduced && ctx.allowTF32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
  cublasLtMatmulDesc_t op = nullptr;
  cublasLtMatrixLayout_t la = nullptr, lb = nullptr, ly = nullptr;
  bool ok = false;
  // Column-major view: Y^T [N,M] = op(B)^T [N,K] * op(A)^T [K,M]; the bias runs along Y^T's rows.
  const cublasOperation_t opFirst = tB ? CUBLAS_OP_T : CUBLAS_OP_N, opSecond = tA ? CUBLAS_OP_T : CUBLAS_OP_N;
  if (activation >= 0 && !productEpilogueComputes(static_cast<ActivationType>(activation))) return false;
  // cuBLASLt's kernels (chosen without alignment preferences) read every operand, the bias and the batches in
  // 16-byte units: a view at an offset (an outer-axis slice) may not be; the caller's GEMM and epilogue
  // kernel take those.
  const size_t elem = dataTypeSize(type);
  if (!allAligned16({A, B, Y, bias, residual}) ||
      (batch.count > 1 && ((batch.strideA * elem) % 16 || (batch.strideB * elem) % 16 || (batch.strideY * elem) % 16 ||
                           (batch.strideBias * elem) % 16)))
    return false;
  const bool relu = activation == static_cast<int32_t>(ActivationType::kRELU);
  const bool gelu = activation == static_cast<int32_t>(ActivationType::kGELU_TANH);  // cuBLASLt's GELU is this form
  const cublasLtEpilogue_t epilogue = bias ? (relu   ? CUBLASLT_EPILOGUE_RELU_BIAS
                                              : gelu ? CUBLASLT_EPILOGUE_GELU_BIAS
                                                     : CUBLASLT_EPILOGUE_BIAS)
                                           : (relu   ? CUBLASLT_EPILOGUE_RELU
                                              : gelu ? CUBLASLT_EPILOGUE_GELU
                                                     : CUBLASLT_EPILOGUE_DEFAULT);
  // The residual is cuBLASLt's C (Y = alpha A B + 1 * C, before bias and ReLU).
  const float beta = residual ? 1.f : 0.f;
  if (cublasLtMatmulDescCreate(&op, compute, CUDA_R_32F) == CUBLAS_STATUS_SUCCESS &&
      cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_TRANSA, &opFirst, sizeof(opFirst)) ==
          CUBLAS_STATUS_SUCCESS &&
      cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_TRANSB, &opSecond, sizeof(opSecond)) ==
          CUBLAS_STATUS_SUCCESS &&
      cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_EPILOGUE, &epilogue, sizeof(epilogue)) ==
          CUBLAS_STATUS_SUCCESS &&
      (!bias || (cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof(bias)) ==
                     CUBLAS_STATUS_SUCCESS &&
                 cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE, &dt, sizeof(dt)) ==
                     CUBLAS_STATUS_SUCCESS)) &&
      cublasLtMatrixLayoutCreate(&la, dt, tB ? K : N, tB ? N : K, tB ? K : N) == CUBLAS_STATUS_SUCCESS &&
      cublasLtMatrixLayoutCreate(&lb, dt, tA ? M : K, tA ? K : M, tA ? M : K) == CUBLAS_STATUS_SUCCESS &&
      cublasLtMatrixLayoutCreate(&ly, dt, N, M, N) == CUBLAS_STATUS_SUCCESS &&
      (batch.count == 1 ||
       (batched(la, batch.count, batch.strideB) && batched(lb, batch.count, batch.strideA) &&
        batched(ly, batch.count, batch.strideY) &&
        (!bias || cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_BIAS_BATCH_STRIDE, &batch.strideBias,
                                                 sizeof(int64_t)) == CUBLAS_STATUS_SUCCESS)))) {
    // cuBLASLt picks its kernel for the workspace it gets: 32 MiB, or the builder's limit when lower.
    const size_t workspaceBytes =
        ctx.workspaceLimit > 0 && ctx.workspaceLimit < (size_t(32) << 20) ? ctx.workspaceLimit : size_t(32) << 20;
    void* workspace = ctx.scratch(workspaceBytes);
    ok = cublasLtMatmul(ctx.blasLt, op, &alpha, B, la, A, lb, &beta, residual ? residual : Y, ly, Y, ly, nullptr,
                        workspace, workspaceBytes, ctx.stream) == CUBLAS_STATUS_SUCCESS;
  }
  if (ly) cublasLtMatrixLayoutDestroy(ly);
  if (lb) cublasLtMatrixLayoutDestroy(lb);
  if (la) cublasLtMatrixLayoutDestroy(la);
  if (op) cublasLtMatmulDescDestroy(op);
  return ok;
}
bool productEpilogueComputes(ActivationType type) {
  return type == ActivationType::kRELU || type == ActivationType::kGELU_TANH;
}

int32_t fusedProductActivation(const IMatrixMultiplyLayer& mm) {
  const int32_t fused = mm.getFusedActivation();
  if (fused >= 0 && !productEpilogueComputes(static_cast<ActivationType>(fused)))
    throw Error(mm.describe() +
                ": the CUDA backend fuses only ReLU and GELU's tanh form into a matrix multiply; this plan fuses "
                "activation " +
                std::to_string(fused) + ": rebuild it for the CUDA backend");
  return fused;
}

void launchMatrixMultiply(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const auto& mm = static_cast<const IMatrixMultiplyLayer&>(layer);
  if (mm.isInt8()) return launchInt8MatrixMultiply(ctx, layer, in, out);
  if (mm.isFp8()) return launchFp8MatrixMultiply(ctx, layer, in, out);
  if (!isFloatingStorage(in[0].type) || in[1].type != in[0].type)
    throw Error(layer.describe() +
                ": the CUDA backend multiplies float32, float16 or bfloat16 matrices of one type, not " +
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
  const void* bias = in.size() >= 3 ? in[2].data : nullptr;
  const void* residual = in.size() == 4 ? in[3].data : nullptr;  // the output's shape, read as cuBLASLt's C
  // A bias row per product of the batch (a stacked product's [P, 1, N]), else one for every row.
  const bool perBatchBias = bias && layer_util::isPerBatchBias(in[2].dims, out.dims);
  const int32_t activation = fusedProductActivation(mm);
  const bool sidesStride = (batchA == batch || batchA == 1) && (batchB == batch || batchB == 1);
  if (bias || residual || activation >= 0) {
    // One GEMM: a single product, or a batch of A against one shared B (rows of A stack up).
    const bool single = !perBatchBias && (batch == 1 || (batchB == 1 && batchA == batch && !tA && !vecA));
    if (single && ltGemmEpilogue(ctx, type, tA, tB && !vecB, batch == 1 ? M : batch * M, N, K, in[0].data, in[1].data,
                                 bias, residual, activation, mm.getAlpha(), out.data))
      return;
    // Else one strided-batched cuBLASLt call (a shared side read with stride 0; a stacked product's Q, K, V).
    LtBatch strided;
    strided.count = batch;
    strided.strideA = batchA == 1 ? 0 : matA;
    strided.strideB = batchB == 1 ? 0 : matB;
    strided.strideY = matC;
    strided.strideBias = perBatchBias ? N : 0;
    if (!single && batch > 1 && sidesStride && !vecA && !vecB &&
        ltGemmEpilogue(ctx, type, tA, tB, M, N, K, in[0].data, in[1].data, bias, residual, activation, mm.getAlpha(),
                       out.data, strided))
      return;
  }
  auto epilogue = [&]() {
    if (!bias && !residual && activation < 0) return;
    const int64_t total = out.dims.volume();
    dispatchFloating(type, layer.describe(), [&](auto tag) {
      using T = decltype(tag);
      biasActivationKernel<<<static_cast<unsigned>((total + 255) / 256), 256, 0, ctx.stream>>>(
          static_cast<T*>(out.data), static_cast<const T*>(bias), static_cast<const T*>(residual), activation, N,
          perBatchBias ? matC : 0, total);
    });
    check(cudaGetLastError(), "matrix multiply epilogue kernel launch");
  };
  // One strided call when each side is either fully batched or shared; else one call per batch.
  if (sidesStride) {
    gemm(ctx, type, tA, tB && !vecB, M, N, K, in[0].data, batchA == 1 ? 0 : matA, in[1].data, batchB == 1 ? 0 : matB,
         out.data, matC, batch, mm.getAlpha());
    epilogue();
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
         0, 1, mm.getAlpha());
    for (int i = batchRank - 1; i >= 0; --i) {
      if (++idx[i] < out.dims.d[i]) break;
      idx[i] = 0;
    }
  }
  epilogue();
}

}  // namespace cuda
}  // namespace trt
