// FP8 E4M3 matrix multiply (IMatrixMultiplyLayer::isFp8): one kernel quantizes the float32, float16 or
// bfloat16 input per tensor (q(x / s_in), saturating, rounded as common/fp8.h rounds on every backend), then
// one cuBLASLt FP8 GEMM (its algorithm timed by the builder, as the 16-bit products') by the FP8 weights [N, K] (both
// operands K-major, as FP8 tensor-core GEMMs read them) with FP32 accumulation, alpha = s_in * s_w * alpha and the
// bias, residual (cuBLASLt's C) and ReLU or GELU (tanh form) in its epilogue, writing the input's type. Where cuBLASLt
// declines a configuration (an operand not 16-byte aligned, a GPU without FP8 kernels) the GEMM runs without the
// epilogue and an epilogue kernel follows; where it declines the product itself, a plain kernel sums the same E4M3
// products in float32. A product writing FP8 codes (IMatrixMultiplyLayer::setFp8OutputScale) writes its value to
// scratch and the quantization kernel writes the codes, or, through the exact GELU, a CUTLASS kernel computes the codes
// in its epilogue (cutlass_fp8_codes.h), whichever the builder timed faster. A stack of P matrices [P, N, K] by one
// input (the builder's stacked Q, K and V projections) is one strided-batched cuBLASLt call, the input's batch stride
// 0 and a bias row per matrix; where cuBLASLt declines it (a float32 output's bias) the P products run one by one.
#include <cublasLt.h>
#include <cuda_fp8.h>

#include <algorithm>

#include "backends/cuda/activation.cuh"
#include "backends/cuda/cuda_kernels.h"
#include "backends/cuda/cutlass_fp8_codes.h"
#include "backends/cuda/float_types.cuh"
#include "backends/cuda/fp8_codes.cuh"
#include "backends/cuda/fp8_quantize_table.h"
#include "backends/cuda/product_algorithms.h"
#include "common/fp8.h"
#include "layers/layer_util.h"

namespace trt {
namespace cuda {

namespace {
// q[i] = quantize(x[i]) for i < total, eight elements a thread (one 8-byte store of their codes) where q allows
// (fp8_codes.cuh: activated, quantizePair).
// Eight consecutive values at p (16-byte aligned), widened to float.
template <typename T>
__device__ __forceinline__ void loadEight(const T* p, float (&v)[8]) {
  if constexpr (sizeof(T) == 4) {
    const float4 a = reinterpret_cast<const float4*>(p)[0], b = reinterpret_cast<const float4*>(p)[1];
    v[0] = a.x, v[1] = a.y, v[2] = a.z, v[3] = a.w, v[4] = b.x, v[5] = b.y, v[6] = b.z, v[7] = b.w;
  } else {
    const uint4 raw = *reinterpret_cast<const uint4*>(p);
    const T* e = reinterpret_cast<const T*>(&raw);
#pragma unroll
    for (int k = 0; k < 8; ++k) v[k] = toFloat(e[k]);
  }
}

// The activation (-1: none) in float first (a quantization with an activation folded in). `vectorized`: x 16-byte
// and q 8-byte aligned, eight elements a thread in one load and one store; else one a thread.
template <typename T>
__global__ void quantizeFp8Kernel(const T* x, float scale, uint8_t* q, int64_t total, bool vectorized,
                                  int32_t activation) {
  const int64_t thread = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (vectorized) {
    const int64_t first = thread * 8;
    if (first >= total) return;
    if (first + 8 <= total) {
      float v[8];
      loadEight(x + first, v);
      uint2 packed;
      uint16_t* pairs = reinterpret_cast<uint16_t*>(&packed);
#pragma unroll
      for (int k = 0; k < 4; ++k)
        pairs[k] = quantizePair(activated<T>(v[2 * k], activation), activated<T>(v[2 * k + 1], activation), scale);
      *reinterpret_cast<uint2*>(q + first) = packed;
      return;
    }
    for (int64_t i = first; i < total; ++i) q[i] = fp8::quantize(activated<T>(load(x, i), activation), scale);
    return;
  }
  if (thread < total) q[thread] = fp8::quantize(activated<T>(load(x, thread), activation), scale);
}

// y[i] = act(y[i] + bias[i % columns] + residual[i]) after a cuBLASLt GEMM that wrote the scaled product (where its
// own epilogue declined the bias, residual or activation: a view at an offset, GELU's exact form; a 16-bit product is
// then rounded twice). `vectorized`: every pointer 16-byte aligned and the columns a multiple of 8, eight elements
// of one row a thread.
template <typename T>
__global__ void fp8EpilogueKernel(T* y, const T* bias, const T* residual, int32_t activation, int64_t columns,
                                  int64_t total, bool vectorized) {
  const int64_t thread = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  // The CPU reference's order: the bias, then the residual, each only where there is one (-0 stays -0).
  auto finish = [&](float v, float b, float r) {
    if (bias) v += b;
    if (residual) v += r;
    return activation >= 0 ? activate<T>(static_cast<ActivationType>(activation), 0.f, 0.f, v) : v;
  };
  if (vectorized) {
    const int64_t first = thread * 8;
    if (first >= total) return;
    float v[8], b[8] = {}, r[8] = {};
    loadEight(y + first, v);
    if (bias) loadEight(bias + first % columns, b);
    if (residual) loadEight(residual + first, r);
#pragma unroll
    for (int k = 0; k < 8; ++k) store(y, first + k, finish(v[k], b[k], r[k]));
    return;
  }
  if (thread >= total) return;
  store(y, thread,
        finish(load(y, thread), bias ? load(bias, thread % columns) : 0.f, residual ? load(residual, thread) : 0.f));
}

// y[m][n] = act(scale * sum_k e4m3(a[m][k]) * e4m3(w[n][k]) + bias[n] + residual[m][n]) in float32, one rounding
// to T: the product where cuBLASLt has no FP8 kernel or declines its epilogue (scaled before the sum meets the bias:
// the bare sums of codes reach ~448^2 K, beyond float16's range).
template <typename T>
__global__ void fp8PlainGemmKernel(const uint8_t* a, const uint8_t* w, T* y, float scale, int64_t M, int64_t N,
                                   int64_t K, const T* bias, const T* residual, int32_t activation) {
  const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= M * N) return;
  const int64_t m = i / N, n = i % N;
  float sum = 0.f;
  for (int64_t k = 0; k < K; ++k) sum += fp8::toFloat(a[m * K + k]) * fp8::toFloat(w[n * K + k]);
  float v = sum * scale;
  if (bias) v += load(bias, n);
  if (residual) v += load(residual, i);
  if (activation >= 0) v = activate<T>(static_cast<ActivationType>(activation), 0.f, 0.f, v);
  store(y, i, v);
}

}  // namespace

void quantizeToFp8(LaunchContext& ctx, DataType type, const void* x, float scale, uint8_t* q, int64_t total,
                   const std::string& where, int32_t activation) {
  if (total == 0) return;
  // Eight codes a thread need 8-byte aligned stores and 16-byte aligned loads; the scratch and planned blocks are,
  // views may not be.
  const bool vectorized = reinterpret_cast<uintptr_t>(q) % 8 == 0 && reinterpret_cast<uintptr_t>(x) % 16 == 0;
  // A large 16-bit quantization with an activation folded in (BERT's GELU before the FFN's second product) looks its
  // codes up in a table of every 16-bit value's (fp8_quantize_table.h): the same bits, at the memory's speed.
  if (vectorized && activation >= 0 && quantizeToFp8ByTable(ctx, type, x, scale, q, total, activation)) return;
  const int64_t threads = vectorized ? (total + 7) / 8 : total;
  dispatchFloating(type, where, [&](auto tag) {
    using T = decltype(tag);
    quantizeFp8Kernel<T><<<static_cast<unsigned>((threads + 255) / 256), 256, 0, ctx.stream>>>(
        static_cast<const T*>(x), scale, q, total, vectorized, activation);
  });
  check(cudaGetLastError(), "FP8 quantization kernel launch");
}

namespace {
cudaDataType_t cudaType(DataType t) {
  return t == DataType::kHALF ? CUDA_R_16F : t == DataType::kBF16 ? CUDA_R_16BF : CUDA_R_32F;
}

// Row-major Y[M, N] = act(alpha * Aq[M, K] . Wq[N, K]^T + bias + residual) through cuBLASLt's FP8 GEMM (bias,
// residual and activation each optional), or `batch.count` of them strided (a stack's P products of one Aq: its
// stride 0); false when cuBLASLt declines it. `algorithm`: an index into cuBLASLt's ranking of this configuration
// (product_algorithms.h), -1 for its own pick inside the call; with `query`, nothing runs: it receives the ranking's
// size and the configuration.
bool ltFp8Gemm(LaunchContext& ctx, DataType type, int64_t M, int64_t N, int64_t K, const uint8_t* Aq, const uint8_t* Wq,
               const void* bias, const void* residual, int32_t activation, float alpha, void* Y, void* workspace,
               size_t workspaceBytes, const LtBatch& batch = LtBatch{}, int32_t algorithm = -1,
               LtQuery* query = nullptr) {
  if (!ctx.blasLt) check(cublasLtCreate(&ctx.blasLt), "cublasLtCreate");
  const cudaDataType_t dt = cudaType(type);
  // The bias of a float32 FP8 product would be bfloat16 in cuBLASLt: the epilogue kernel adds it instead.
  if (bias && type == DataType::kFLOAT) return false;
  const float beta = residual ? 1.f : 0.f;
  // Column-major view: Y^T [N, M] = Wq [N, K] (stored [K, N] column-major: transposed) . Aq^T [K, M].
  LtDescriptors lt;
  cublasLtMatmulDesc_t& op = lt.op;
  cublasLtMatrixLayout_t &lw = lt.a, &la = lt.b, &lc = lt.c;
  if (!ltMatmulDescriptor(op, CUBLAS_COMPUTE_32F, CUBLAS_OP_T, CUBLAS_OP_N, bias, dt, activation) ||
      cublasLtMatrixLayoutCreate(&lw, CUDA_R_8F_E4M3, K, N, K) != CUBLAS_STATUS_SUCCESS ||
      cublasLtMatrixLayoutCreate(&la, CUDA_R_8F_E4M3, K, M, K) != CUBLAS_STATUS_SUCCESS ||
      cublasLtMatrixLayoutCreate(&lc, dt, N, M, N) != CUBLAS_STATUS_SUCCESS)
    return false;
  // FP8 operands, 1 byte an element; C and the bias of `type`.
  if (!batch.aligned16(1, static_cast<int64_t>(dataTypeSize(type)))) return false;
  if (batch.count > 1 &&
      !(ltStridedBatch(lw, batch.count, batch.strideB) && ltStridedBatch(la, batch.count, batch.strideA) &&
        ltStridedBatch(lc, batch.count, batch.strideY) &&
        (!bias || cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_BIAS_BATCH_STRIDE, &batch.strideBias,
                                                 sizeof(int64_t)) == CUBLAS_STATUS_SUCCESS)))
    return false;
  const cublasLtMatmulAlgo_t* algo = nullptr;
  if (algorithm >= 0 || query) {
    const uint32_t align[4] = {ltAlignmentOf(Wq), ltAlignmentOf(Aq), ltAlignmentOf(residual ? residual : Y),
                               ltAlignmentOf(Y)};
    // FP8 first: no 16-bit or float product's configuration starts with it (theirs start with their type).
    const std::vector<int64_t> key = {static_cast<int64_t>(DataType::kFP8),
                                      static_cast<int64_t>(type),
                                      M,
                                      N,
                                      K,
                                      bias != nullptr,
                                      residual != nullptr,
                                      activation,
                                      static_cast<int64_t>(workspaceBytes),
                                      align[0],
                                      align[1],
                                      align[2],
                                      align[3],
                                      bias ? ltAlignmentOf(bias) : 0,
                                      batch.count,
                                      batch.strideA,
                                      batch.strideB,
                                      batch.strideY,
                                      batch.strideBias};
    const auto& ranked = rankedLtAlgorithms(ctx, key, op, lw, la, lc, workspaceBytes, align);
    if (query) {
      *query = LtQuery{static_cast<int32_t>(ranked.size()), key};
      return true;
    }
    if (algorithm < static_cast<int32_t>(ranked.size())) algo = &ranked[algorithm].algo;
  }
  bool ok = cublasLtMatmul(ctx.blasLt, op, &alpha, Wq, lw, Aq, la, &beta, residual ? residual : Y, lc, Y, lc, algo,
                           workspace, workspaceBytes, ctx.stream) == CUBLAS_STATUS_SUCCESS;
  // A ranked algorithm the call then refuses: cuBLASLt's own pick instead (not while tactics are timed, where the
  // refusal must count as one).
  if (!ok && algo && !ctx.timingAllowed)
    ok = cublasLtMatmul(ctx.blasLt, op, &alpha, Wq, lw, Aq, la, &beta, residual ? residual : Y, lc, Y, lc, nullptr,
                        workspace, workspaceBytes, ctx.stream) == CUBLAS_STATUS_SUCCESS;
  return ok;
}

// The product's value in its float type `type` at Y (act(alpha * s_in * s_w * A.W^T + bias + residual)) where cuBLASLt
// declined the fused call: cuBLASLt's bare scaled product, then the epilogue kernel; where cuBLASLt has no FP8 kernel
// at all, the plain kernel computes the whole (the bias and residual meeting the product before its one rounding, as
// cuBLASLt's epilogue and PyTorch's _scaled_mm add them).
void unfusedFp8Product(LaunchContext& ctx, const ILayer& layer, DataType type, int64_t rows, int64_t N, int64_t K,
                       const uint8_t* quantized, const uint8_t* weights, const void* bias, const void* residual,
                       int32_t activation, float scale, void* Y, void* workspace, size_t workspaceBytes) {
  const unsigned blocks = static_cast<unsigned>((rows * N + 255) / 256);
  const bool epilogue = bias || residual || activation >= 0;
  const bool vectorized = N % 8 == 0 && allAligned16({Y, bias, residual});
  const unsigned epilogueBlocks = vectorized ? static_cast<unsigned>((rows * N / 8 + 255) / 256) : blocks;
  if (allAligned16({Y, weights, quantized}) &&
      ltFp8Gemm(ctx, type, rows, N, K, quantized, weights, nullptr, nullptr, -1, scale, Y, workspace, workspaceBytes)) {
    if (!epilogue) return;
    dispatchFloating(type, layer.describe(), [&](auto tag) {
      using T = decltype(tag);
      fp8EpilogueKernel<T><<<epilogueBlocks, 256, 0, ctx.stream>>>(static_cast<T*>(Y), static_cast<const T*>(bias),
                                                                   static_cast<const T*>(residual), activation, N,
                                                                   rows * N, vectorized);
    });
    check(cudaGetLastError(), "FP8 epilogue kernel launch");
    return;
  }
  dispatchFloating(type, layer.describe(), [&](auto tag) {
    using T = decltype(tag);
    fp8PlainGemmKernel<T><<<blocks, 256, 0, ctx.stream>>>(quantized, weights, static_cast<T*>(Y), scale, rows, N, K,
                                                          static_cast<const T*>(bias), static_cast<const T*>(residual),
                                                          activation);
  });
  check(cudaGetLastError(), "FP8 plain GEMM kernel launch");
}

// What a codes-out product's timing signature adds to cuBLASLt's configuration: the same GEMM writing a float
// output is another choice (its time has no quantization in it).
constexpr int64_t kCodesOutMarker = 0x7F8C0DE5;
}  // namespace

void launchFp8MatrixMultiply(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in,
                             TensorView& out) {
  const auto& mm = static_cast<const IMatrixMultiplyLayer&>(layer);
  // Codes out (IMatrixMultiplyLayer::setFp8OutputScale): the value is computed in its float type, then quantized.
  const float outputScale = mm.getFp8OutputScale();
  const bool codesOut = outputScale > 0.f;
  if ((!isFloatingStorage(in[0].type) && in[0].type != DataType::kFP8) || in[1].type != DataType::kFP8 ||
      (codesOut ? out.type != DataType::kFP8 : !isFloatingStorage(out.type)))
    throw Error(layer.describe() +
                ": the CUDA FP8 matrix multiply reads a float32, float16, bfloat16 or FP8 input and FP8 weights and "
                "writes a float output, or FP8 codes with an output scale");
  const DataType type =
      !codesOut ? out.type
                : layer_util::fp8ProductFloatType(in[0].type, in.size() >= 3, in.size() >= 3 ? in[2].type : in[0].type);
  // A stack's P products of the one input matrix run in one strided call.
  const layer_util::Fp8ProductShape shape =
      layer_util::fp8ProductShape(in[1].dims, out.dims, in.size() >= 3 ? &in[2].dims : nullptr);
  const int64_t parts = shape.parts, N = shape.n, K = shape.k, rows = shape.rows;
  if (rows == 0 || N == 0) return;
  // One scratch block: the quantized input, a codes-out product's float value, then cuBLASLt's workspace (32 MiB, or
  // what the builder's limit leaves beside the other two).
  const auto blocksOf = [](size_t bytes) { return (bytes + 255) / 256 * 256; };
  const size_t quantizedBytes = in[0].type == DataType::kFP8 ? 0 : blocksOf(static_cast<size_t>(rows * K));
  const size_t valueBytes = codesOut ? blocksOf(static_cast<size_t>(rows * N) * dataTypeSize(type)) : 0;
  size_t workspaceBytes = size_t(32) << 20;
  if (ctx.workspaceLimit > 0)
    workspaceBytes = std::min(workspaceBytes, ctx.workspaceLimit > quantizedBytes + valueBytes
                                                  ? ctx.workspaceLimit - quantizedBytes - valueBytes
                                                  : 0);
  if (ltWorkspaceCap() >= 0) workspaceBytes = std::min(workspaceBytes, static_cast<size_t>(ltWorkspaceCap()));
  auto* scratch = static_cast<uint8_t*>(ctx.scratch(quantizedBytes + valueBytes + workspaceBytes));
  uint8_t* workspace = scratch + quantizedBytes + valueBytes;
  // An FP8 input was quantized with the input scale already (a shared Quantize layer); a float one is here.
  const uint8_t* quantized = static_cast<const uint8_t*>(in[0].data);
  if (in[0].type != DataType::kFP8) {
    quantizeToFp8(ctx, in[0].type, in[0].data, mm.getFp8InputScale(), scratch, rows * K, layer.describe());
    quantized = scratch;
  }

  const auto* weights = static_cast<const uint8_t*>(in[1].data);
  const int32_t activation = fusedProductActivation(mm);
  const void* bias = in.size() >= 3 ? in[2].data : nullptr;
  const void* residual = in.size() == 4 ? in[3].data : nullptr;
  const float scale = mm.getFp8InputScale() * mm.getFp8WeightScale() * mm.getAlpha();
  LtBatch stack;
  stack.count = parts;
  stack.strideB = N * K;  // the weights' blocks; A (stride 0) is the one input matrix
  stack.strideY = rows * N;
  stack.strideBias = shape.biasPerMatrix ? N : 0;
  // Where the float value goes: the output, or for codes the scratch the quantization kernel then reads, which applies
  // the activation to the stored value (IMatrixMultiplyLayer::setFp8OutputScale); only ReLU, which commutes with the
  // rounding, may be cuBLASLt's then.
  void* value = codesOut ? static_cast<void*>(scratch + quantizedBytes) : out.data;
  const bool ltActivates =
      activation < 0 || (codesOut ? activation == static_cast<int32_t>(ActivationType::kRELU)
                                  : productEpilogueComputes(static_cast<ActivationType>(activation)));
  const int32_t ltActivation = codesOut && !ltActivates ? -1 : activation;
  const auto quantizeValue = [&]() {
    quantizeToFp8(ctx, type, value, outputScale, static_cast<uint8_t*>(out.data), rows * N, layer.describe(),
                  ltActivates ? -1 : activation);
  };
  // A codes-out product through the exact GELU: CUTLASS's kernels write the codes themselves (cutlass_fp8_codes.h).
  Fp8CodesProblem codes;
  codes.type = type;
  codes.M = rows;
  codes.N = N;
  codes.K = K;
  codes.A = quantized;
  codes.B = weights;
  codes.bias = bias;
  codes.D = out.data;
  codes.alpha = scale;
  codes.outputScale = outputScale;
  const bool cutlassForm = codesOut && activation == static_cast<int32_t>(ActivationType::kGELU_ERF) && !residual;
  const auto cutlassRuns = [&](int32_t config) {
    const int64_t bytes = cutlassForm ? fp8CodesGemmWorkspace(config, codes) : -1;
    return bytes >= 0 && static_cast<size_t>(bytes) <= workspaceBytes;
  };
  // cuBLASLt reads its operands in 16-byte units: the bias and residual join its epilogue when aligned. Its
  // algorithm is the builder's, timed among cuBLASLt's ranking (and CUTLASS's configurations) and kept in the plan as
  // the layer's tactic.
  const bool epilogueAligned = allAligned16({value, bias, residual, weights, quantized});
  auto fusedGemm = [&](int32_t algorithm, LtQuery* query) {
    if (algorithm >= cutlassProductTactic(0)) {
      const int32_t config = algorithm - cutlassProductTactic(0);
      return cutlassRuns(config) && runFp8CodesGemm(config, codes, workspace, ctx.stream);
    }
    if (!epilogueAligned || !ltFp8Gemm(ctx, type, rows, N, K, quantized, weights, bias, residual, ltActivation, scale,
                                       value, workspace, workspaceBytes, stack, algorithm, query))
      return false;
    if (codesOut && query) query->configuration.push_back(kCodesOutMarker);
    if (codesOut && !query) quantizeValue();
    return true;
  };
  TensorView inputCodes = in[0];  // the tactic's shape is the input's; the alignment the GEMM reads, the codes'
  inputCodes.data = const_cast<uint8_t*>(quantized);
  if (fusedGemm(timedProductAlgorithm(ctx, layer, inputCodes, weights, residual, value, bias, fusedGemm, activation,
                                      cutlassRuns, codesOut ? fp8CodesGemmConfigs() : 0),
                nullptr))
    return;
  // One product at a time where cuBLASLt declined the fused call.
  const size_t valueElem = dataTypeSize(type);
  for (int64_t p = 0; p < parts; ++p)
    unfusedFp8Product(
        ctx, layer, type, rows, N, K, quantized, weights + p * N * K,
        bias ? static_cast<const uint8_t*>(bias) + (shape.biasPerMatrix ? p * N * valueElem : 0) : nullptr,
        residual ? static_cast<const uint8_t*>(residual) + p * rows * N * valueElem : nullptr, ltActivation, scale,
        static_cast<uint8_t*>(value) + p * rows * N * valueElem, workspace, workspaceBytes);
  if (codesOut) quantizeValue();
}

}  // namespace cuda
}  // namespace trt
