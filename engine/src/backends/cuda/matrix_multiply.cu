// Batched matrix multiply through cuBLAS, with transposes, vectors and batch broadcasting; a fused
// bias, residual (cuBLASLt's C) and activation (ReLU, GELU's tanh form) through cuBLASLt's epilogue when
// the product is one GEMM, else an epilogue kernel. The exact GELU, which cuBLASLt's epilogue lacks: a
// CUTLASS kernel with it in the epilogue (cutlass_gemm.h) where the builder timed one faster, else a pass
// after cuBLASLt's product.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "backends/cuda/activation.cuh"
#include "backends/cuda/cuda_kernels.h"
#include "backends/cuda/cutlass_fp8_codes.h"
#include "backends/cuda/cutlass_gemm.h"
#include "backends/cuda/float_types.cuh"
#include "backends/cuda/product_algorithms.h"
#include "backends/cuda/tactic_timing.cuh"
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
  if (activation >= 0) v = activate<T>(static_cast<ActivationType>(activation), 0.f, 0.f, v);
  store(y, i, v);
}

}  // namespace

bool ltStridedBatch(cublasLtMatrixLayout_t layout, int64_t count, int64_t stride) {
  const int32_t n = static_cast<int32_t>(count);
  return count <= INT32_MAX &&
         cublasLtMatrixLayoutSetAttribute(layout, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &n, sizeof(n)) ==
             CUBLAS_STATUS_SUCCESS &&
         cublasLtMatrixLayoutSetAttribute(layout, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &stride,
                                          sizeof(stride)) == CUBLAS_STATUS_SUCCESS;
}

uint32_t ltAlignmentOf(const void* p) {
  const uintptr_t a = reinterpret_cast<uintptr_t>(p);
  uint32_t align = 256;
  while (align > 16 && a % align) align /= 2;
  return align;
}

namespace {

// The alignments cuBLASLt's ranking of a product depends on: its operands, C, D and the bias (0: none).
std::vector<int64_t> ltAlignments(const void* A, const void* B, const void* residual, const void* Y, const void* bias) {
  return {ltAlignmentOf(B), ltAlignmentOf(A), ltAlignmentOf(residual ? residual : Y), ltAlignmentOf(Y),
          bias ? ltAlignmentOf(bias) : 0};
}

// cuBLASLt's ranked algorithms per GEMM configuration, asked once per execution context (the heuristic query
// costs host time that a call should not pay again).
struct LtAlgorithms {
  std::map<std::vector<int64_t>, std::vector<cublasLtMatmulHeuristicResult_t>> byConfig;
  //! Choices timed in this context by signature, where the build has no timing cache (identical products, BERT's
  //! twelve layers', are timed once).
  std::map<std::vector<int64_t>, std::vector<int64_t>> timed;
};
// cuBLASLt's best algorithms asked for each workspace size: rankedLtAlgorithms ranks up to twice this many.
constexpr int kLtCandidates = 8;
constexpr int kLtRanked = 2 * kLtCandidates;
static_assert(kLtRanked == kLtRankedAlgorithms, "cuda_kernels.h's bound of a ranked algorithm's index");
// TORCHTRT_PRODUCT_TIMING=stream (a diagnostic, as TORCHTRT_CONV_TIMING for convolutions): every product candidate
// timed on the stream, as before session 40, instead of as the captured graph runs it (scripts/round-mbv3.sh's A/B).
bool productTimingOnStream() {
  static const bool onStream = timingOnStreamAskedBy("TORCHTRT_PRODUCT_TIMING");
  return onStream;
}

// The products' candidates and timing method, in the timing cache's signatures: 2 for the ranking with the
// workspace-free algorithms appended, timed as captured graphs (timeAsGraph); 3 for the same timed on the stream
// (TORCHTRT_PRODUCT_TIMING=stream).
int64_t productTimingMethod() { return productTimingOnStream() ? 3 : 2; }
// A product's tactic at or above this is CUTLASS configuration (tactic - kCutlassTactic) (cutlass_gemm.h).
constexpr int32_t kCutlassTactic = 100;

LtAlgorithms& ltAlgorithms(LaunchContext& ctx) {
  auto& slot = ctx.kindState[LayerType::kMATRIX_MULTIPLY];
  if (!slot) slot = std::make_shared<LtAlgorithms>();
  return *static_cast<LtAlgorithms*>(slot.get());
}

}  // namespace

const std::vector<cublasLtMatmulHeuristicResult_t>& rankedLtAlgorithms(
    LaunchContext& ctx, const std::vector<int64_t>& key, cublasLtMatmulDesc_t op, cublasLtMatrixLayout_t la,
    cublasLtMatrixLayout_t lb, cublasLtMatrixLayout_t ly, size_t workspaceBytes, const uint32_t (&align)[4]) {
  auto& cache = ltAlgorithms(ctx).byConfig;
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  // cuBLASLt's best kLtCandidates for `bytes` of workspace that it says it can run.
  auto rankFor = [&](size_t bytes) {
    std::vector<cublasLtMatmulHeuristicResult_t> results(kLtCandidates);
    int found = 0;
    cublasLtMatmulPreference_t pref = nullptr;
    const cublasLtMatmulPreferenceAttributes_t alignments[4] = {
        CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES,
        CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES};
    bool ok = cublasLtMatmulPreferenceCreate(&pref) == CUBLAS_STATUS_SUCCESS &&
              cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &bytes,
                                                   sizeof(bytes)) == CUBLAS_STATUS_SUCCESS;
    for (int i = 0; ok && i < 4; ++i)
      ok = cublasLtMatmulPreferenceSetAttribute(pref, alignments[i], &align[i], sizeof(align[i])) ==
           CUBLAS_STATUS_SUCCESS;
    if (ok && cublasLtMatmulAlgoGetHeuristic(ctx.blasLt, op, la, lb, ly, ly, pref, kLtCandidates, results.data(),
                                             &found) != CUBLAS_STATUS_SUCCESS)
      found = 0;
    if (pref) cublasLtMatmulPreferenceDestroy(pref);
    results.resize(static_cast<size_t>(ok ? found : 0));
    results.erase(
        std::remove_if(results.begin(), results.end(),
                       [](const cublasLtMatmulHeuristicResult_t& r) { return r.state != CUBLAS_STATUS_SUCCESS; }),
        results.end());
    return results;
  };
  std::vector<cublasLtMatmulHeuristicResult_t> ranked = rankFor(workspaceBytes);
  // Then the best of those that need no workspace, not already ranked: cuBLASLt clears the workspace of many of its
  // workspace kernels first, and in a captured graph that memset is a node of its own before the kernel (on an H100,
  // BERT-base's 24 of them a call cost 0.085 ms). Appended, so that a plan's earlier choices keep their meaning.
  if (workspaceBytes > 0) {
    const size_t withWorkspace = ranked.size();
    for (const auto& free : rankFor(0)) {
      bool seen = false;
      for (size_t i = 0; i < withWorkspace && !seen; ++i)
        seen = std::memcmp(&ranked[i].algo, &free.algo, sizeof(free.algo)) == 0;
      if (!seen) ranked.push_back(free);
    }
  }
  return cache.emplace(key, std::move(ranked)).first->second;
}

long long ltWorkspaceCap() {
  static const long long cap = [] {
    const char* v = std::getenv("TORCHTRT_LT_WORKSPACE_BYTES");
    return v && *v ? std::atoll(v) : -1LL;
  }();
  return cap;
}

bool ltGemmEpilogue(LaunchContext& ctx, DataType type, bool tA, bool tB, int64_t M, int64_t N, int64_t K, const void* A,
                    const void* B, const void* bias, const void* residual, int32_t activation, float alpha, void* Y,
                    const LtBatch& batch, int32_t algorithm, LtQuery* query) {
  if (!ctx.blasLt) check(cublasLtCreate(&ctx.blasLt), "cublasLtCreate");
  const bool reduced = type == DataType::kHALF || type == DataType::kBF16;  // 16-bit data, FP32 accumulation
  const cudaDataType_t dt = type == DataType::kHALF ? CUDA_R_16F : type == DataType::kBF16 ? CUDA_R_16BF : CUDA_R_32F;
  const cublasComputeType_t compute = !reduced && ctx.allowTF32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
  LtDescriptors lt;
  cublasLtMatmulDesc_t& op = lt.op;
  cublasLtMatrixLayout_t &la = lt.a, &lb = lt.b, &ly = lt.c;
  bool ok = false;
  // Column-major view: Y^T [N,M] = op(B)^T [N,K] * op(A)^T [K,M]; the bias runs along Y^T's rows.
  const cublasOperation_t opFirst = tB ? CUBLAS_OP_T : CUBLAS_OP_N, opSecond = tA ? CUBLAS_OP_T : CUBLAS_OP_N;
  if (activation >= 0 && !productEpilogueComputes(static_cast<ActivationType>(activation))) return false;
  // cuBLASLt's kernels (chosen without alignment preferences) read every operand, the bias and the batches in
  // 16-byte units: a view at an offset (an outer-axis slice) may not be; the caller's GEMM and epilogue
  // kernel take those.
  const int64_t elem = static_cast<int64_t>(dataTypeSize(type));
  if (!allAligned16({A, B, Y, bias, residual}) || !batch.aligned16(elem, elem)) return false;
  // The residual is cuBLASLt's C (Y = alpha A B + 1 * C, before bias and ReLU).
  const float beta = residual ? 1.f : 0.f;
  if (ltMatmulDescriptor(op, compute, opFirst, opSecond, bias, dt, activation) &&
      cublasLtMatrixLayoutCreate(&la, dt, tB ? K : N, tB ? N : K, tB ? K : N) == CUBLAS_STATUS_SUCCESS &&
      cublasLtMatrixLayoutCreate(&lb, dt, tA ? M : K, tA ? K : M, tA ? M : K) == CUBLAS_STATUS_SUCCESS &&
      cublasLtMatrixLayoutCreate(&ly, dt, N, M, N) == CUBLAS_STATUS_SUCCESS &&
      (batch.count == 1 ||
       (ltStridedBatch(la, batch.count, batch.strideB) && ltStridedBatch(lb, batch.count, batch.strideA) &&
        ltStridedBatch(ly, batch.count, batch.strideY) &&
        (!bias || cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_BIAS_BATCH_STRIDE, &batch.strideBias,
                                                 sizeof(int64_t)) == CUBLAS_STATUS_SUCCESS)))) {
    // cuBLASLt picks its kernel for the workspace it gets: 32 MiB, or the builder's limit when lower.
    // TORCHTRT_LT_WORKSPACE_BYTES (a diagnostic, in bytes, for the 16-bit, float and FP8 products: its plans are this
    // process's only, since the ranking a plan's index points into depends on it) caps it further: with 0, cuBLASLt
    // offers only kernels that need no workspace, whose captured graphs have no memset before them.
    const long long workspaceCap = ltWorkspaceCap();
    size_t workspaceBytes =
        ctx.workspaceLimit > 0 && ctx.workspaceLimit < (size_t(32) << 20) ? ctx.workspaceLimit : size_t(32) << 20;
    if (workspaceCap >= 0 && static_cast<size_t>(workspaceCap) < workspaceBytes)
      workspaceBytes = static_cast<size_t>(workspaceCap);
    // The builder's choice among cuBLASLt's ranked algorithms (-1: cuBLASLt picks inside the call).
    const cublasLtMatmulAlgo_t* algo = nullptr;
    if (algorithm >= 0 || query) {
      const uint32_t align[4] = {ltAlignmentOf(B), ltAlignmentOf(A), ltAlignmentOf(residual ? residual : Y),
                                 ltAlignmentOf(Y)};
      const std::vector<int64_t> key = {static_cast<int64_t>(type),
                                        tA,
                                        tB,
                                        M,
                                        N,
                                        K,
                                        bias != nullptr,
                                        residual != nullptr,
                                        activation,
                                        batch.count,
                                        batch.strideA,
                                        batch.strideB,
                                        batch.strideY,
                                        batch.strideBias,
                                        static_cast<int64_t>(workspaceBytes),
                                        align[0],
                                        align[1],
                                        align[2],
                                        align[3],
                                        bias ? ltAlignmentOf(bias) : 0,  // the heuristics read the bias pointer too
                                        ctx.allowTF32};
      const auto& ranked = rankedLtAlgorithms(ctx, key, op, la, lb, ly, workspaceBytes, align);
      if (query) *query = LtQuery{static_cast<int32_t>(ranked.size()), key};
      if (algorithm >= 0 && algorithm < static_cast<int32_t>(ranked.size())) algo = &ranked[algorithm].algo;
    }
    if (query) {
      ok = true;  // asked about the algorithms, not to run
    } else {
      void* workspace = ctx.scratch(workspaceBytes);
      ok = cublasLtMatmul(ctx.blasLt, op, &alpha, B, la, A, lb, &beta, residual ? residual : Y, ly, Y, ly, algo,
                          workspace, workspaceBytes, ctx.stream) == CUBLAS_STATUS_SUCCESS;
      // A ranked algorithm the call then refuses: cuBLASLt's own pick instead (not while tactics are timed, where
      // the refusal must count as one).
      if (!ok && algo && !ctx.timingAllowed)
        ok = cublasLtMatmul(ctx.blasLt, op, &alpha, B, la, A, lb, &beta, residual ? residual : Y, ly, Y, ly, nullptr,
                            workspace, workspaceBytes, ctx.stream) == CUBLAS_STATUS_SUCCESS;
    }
  }
  return ok;
}
std::string describeProductTactic(const IMatrixMultiplyLayer& mm, const std::vector<int64_t>& choice) {
  if (choice.empty()) return {};
  const bool codes = mm.getFp8OutputScale() > 0.f;  // cutlass_fp8_codes.h's configurations, or cuBLASLt's + a pass
  if (choice[0] >= kCutlassTactic)
    return codes ? fp8CodesGemmConfigName(static_cast<int32_t>(choice[0] - kCutlassTactic))
                 : gemmBiasGeluConfigName(static_cast<int32_t>(choice[0] - kCutlassTactic));
  const std::string lt =
      choice[0] < 0 ? "cuBLASLt's own pick" : "cuBLASLt algorithm " + std::to_string(choice[0]) + " of its ranking";
  return codes ? lt + ", then the FP8 quantization kernel" : lt;
}

int32_t cutlassProductTactic(int32_t config) { return kCutlassTactic + config; }

namespace {
// The product's cuBLASLt algorithm: the plan's (the builder timed it at this input shape), else in the builder's
// tuning run the timing cache's choice for the configuration or the fastest of cuBLASLt's own pick, each ranked
// algorithm and each CUTLASS configuration for which `cutlassRuns(config)` holds (kCutlassTactic + its index; asked
// only of a plan's choice, or while timing), else cuBLASLt's own pick (-1). `activation` is the product's fused one:
// the timing cache keeps the exact GELU's products (cuBLASLt's key has no activation for them) apart from the others.
// `gemm(algorithm, query)` runs the GEMM (false where cuBLASLt declines it), or with a query says what cuBLASLt ranks.
// The tactic is keyed by input 0's dims; the operands' alignments (ltAlignments of A, B, the residual, Y and the
// bias) decide the ranking: a plan's choice is an index into the ranking for the alignments it was timed with,
// and stands only where they are the same.
template <typename Gemm>
int32_t productAlgorithm(LaunchContext& ctx, const ILayer& layer, const TensorView& A, const void* B,
                         const void* residual, const void* Y, const void* bias, Gemm gemm, int32_t activation = -1,
                         const std::function<bool(int32_t)>& cutlassRuns = {}, int32_t cutlassConfigs = 0) {
  auto known = [&](int64_t tactic, int32_t candidates) {
    if (tactic >= -1 && tactic < candidates) return true;
    return cutlassRuns && tactic >= kCutlassTactic && tactic < kCutlassTactic + cutlassConfigs &&
           cutlassRuns(static_cast<int32_t>(tactic - kCutlassTactic));
  };
  // A plan without tactics outside a tuning run (most calls): nothing to look up.
  if (!ctx.timingAllowed && ctx.plannedTactics.empty()) return -1;
  const std::vector<int64_t> shape(A.dims.d, A.dims.d + A.dims.nbDims);
  const std::vector<int64_t> alignments = ltAlignments(A.data, B, residual, Y, bias);
  if (const auto* planned = ctx.plannedTactic(&layer, shape)) {
    // A plan's choice outside the ranked range (another GPU's, a corrupted one) or timed at other alignments falls
    // back to cuBLASLt's pick.
    const bool sameAlignments = planned->size() == 1 + alignments.size() &&
                                std::equal(alignments.begin(), alignments.end(), planned->begin() + 1);
    const int64_t a = sameAlignments ? (*planned)[0] : -1;
    return known(a, kLtRanked) ? static_cast<int32_t>(a) : -1;
  }
  if (!ctx.timingAllowed) return -1;
  LtQuery query;
  if (!gemm(-1, &query)) return -1;
  // The timing method: a timing cache's choices made among fewer candidates or by another method are not reused.
  std::vector<int64_t> signature = {static_cast<int64_t>(LayerType::kMATRIX_MULTIPLY),
                                    static_cast<int64_t>(cublasLtGetVersion()), productTimingMethod()};
  signature.insert(signature.end(), query.configuration.begin(), query.configuration.end());
  std::vector<int32_t> configs;
  for (int32_t config = 0; cutlassRuns && config < cutlassConfigs; ++config)
    if (cutlassRuns(config)) configs.push_back(config);
  if (activation >= 0 && !productEpilogueComputes(static_cast<ActivationType>(activation))) {
    signature.push_back(activation);
    signature.push_back(static_cast<int64_t>(configs.size()));
  }
  auto& timings = ctx.timingCache ? *ctx.timingCache : ltAlgorithms(ctx).timed;
  auto cached = timings.find(signature);
  std::vector<int64_t> choice = {-1};
  choice.insert(choice.end(), alignments.begin(), alignments.end());
  if (cached != timings.end() && cached->second.size() == 1 && known(cached->second[0], query.candidates)) {
    choice[0] = cached->second[0];
    ctx.recordTactic(&layer, shape, choice);
    return static_cast<int32_t>(choice[0]);
  }
  std::vector<int32_t> tactics;
  for (int32_t a = -1; a < query.candidates; ++a) tactics.push_back(a);
  for (int32_t config : configs) tactics.push_back(kCutlassTactic + config);
  std::vector<TimedTactic> timed;
  for (int32_t a : tactics) {
    bool ran = true, asGraph = false;
    float ms = 0.f;
    try {
      // As the engine's captured graph runs it: a memset cuBLASLt puts before its kernel, or the exact GELU's pass
      // after cuBLASLt's product, costs the candidate its graph node.
      const auto candidate = [&]() { return gemm(a, nullptr); };
      ms =
          productTimingOnStream() ? timeOnStreamIfRuns(ctx, candidate, ran) : timeAsGraph(ctx, candidate, ran, asGraph);
    } catch (const Error&) {
      continue;
    }
    // TORCHTRT_LOG_PRODUCT_TACTICS=1: every timed candidate on stderr (which one wins where a profile cannot say).
    static const bool logTimings = std::getenv("TORCHTRT_LOG_PRODUCT_TACTICS") != nullptr;
    if (logTimings) {
      // Beside the builder's cold-L2 time, the candidate's steady-state time (where the two part, which one a
      // network's replayed graph would run faster).
      const float warm = ran ? timeBackToBack(ctx, [&]() { gemm(a, nullptr); }) : 0.f;
      std::fprintf(stderr, "product tactic timing: %s, tactic %d: %s\n", layer.getName(), a,
                   ran ? (std::to_string(ms) + (asGraph ? " as a graph" : " on the stream") +
                          " (back to back, L2 warm: " + std::to_string(warm) + ")")
                             .c_str()
                       : "did not run");
    }
    if (ran) timed.push_back({a, ms, asGraph});
  }
  const int32_t best = static_cast<int32_t>(fastestOfOneMethod(timed, [&](int64_t tactic, float& ms) {
    ms = timeOnStream(ctx, [&]() { gemm(static_cast<int32_t>(tactic), nullptr); });
    return true;
  }));
  choice[0] = best;
  ctx.recordTactic(&layer, shape, choice);
  timings[signature] = {best};
  return best;
}
}  // namespace

int32_t timedProductAlgorithm(LaunchContext& ctx, const ILayer& layer, const TensorView& A, const void* B,
                              const void* residual, const void* Y, const void* bias,
                              const std::function<bool(int32_t, LtQuery*)>& gemm, int32_t activation,
                              const std::function<bool(int32_t)>& cutlassRuns, int32_t cutlassConfigs) {
  return productAlgorithm(ctx, layer, A, B, residual, Y, bias, gemm, activation, cutlassRuns, cutlassConfigs);
}

bool ltMatmulDescriptor(cublasLtMatmulDesc_t& op, cublasComputeType_t compute, cublasOperation_t opA,
                        cublasOperation_t opB, const void* bias, cudaDataType_t biasType, int32_t activation) {
  const bool relu = activation == static_cast<int32_t>(ActivationType::kRELU);
  const bool gelu = activation == static_cast<int32_t>(ActivationType::kGELU_TANH);  // cuBLASLt's GELU is this form
  if (activation >= 0 && !relu && !gelu) return false;
  const cublasLtEpilogue_t epilogue = bias ? (relu   ? CUBLASLT_EPILOGUE_RELU_BIAS
                                              : gelu ? CUBLASLT_EPILOGUE_GELU_BIAS
                                                     : CUBLASLT_EPILOGUE_BIAS)
                                           : (relu   ? CUBLASLT_EPILOGUE_RELU
                                              : gelu ? CUBLASLT_EPILOGUE_GELU
                                                     : CUBLASLT_EPILOGUE_DEFAULT);
  return cublasLtMatmulDescCreate(&op, compute, CUDA_R_32F) == CUBLAS_STATUS_SUCCESS &&
         cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_TRANSA, &opA, sizeof(opA)) == CUBLAS_STATUS_SUCCESS &&
         cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_TRANSB, &opB, sizeof(opB)) == CUBLAS_STATUS_SUCCESS &&
         cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_EPILOGUE, &epilogue, sizeof(epilogue)) ==
             CUBLAS_STATUS_SUCCESS &&
         (!bias || (cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof(bias)) ==
                        CUBLAS_STATUS_SUCCESS &&
                    cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE, &biasType,
                                                   sizeof(biasType)) == CUBLAS_STATUS_SUCCESS));
}

bool productEpilogueComputes(ActivationType type) {
  return type == ActivationType::kRELU || type == ActivationType::kGELU_TANH;
}

bool productFusesActivation(ActivationType type) {
  return productEpilogueComputes(type) || type == ActivationType::kGELU_ERF;
}

int32_t fusedProductActivation(const IMatrixMultiplyLayer& mm) {
  const int32_t fused = mm.getFusedActivation();
  if (fused >= 0 && !productFusesActivation(static_cast<ActivationType>(fused)))
    throw Error(mm.describe() +
                ": the CUDA backend fuses only ReLU and GELU (exact or tanh form) into a matrix multiply; this plan "
                "fuses activation " +
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
  // cuBLASLt's epilogue takes ReLU and GELU's tanh form; the exact GELU runs in a CUTLASS epilogue or as a pass
  // over the output after cuBLASLt's product.
  const bool ltComputes = activation < 0 || productEpilogueComputes(static_cast<ActivationType>(activation));
  const int32_t ltActivation = ltComputes ? activation : -1;
  auto activationPass = [&]() {
    if (!ltComputes)
      activationInPlace(ctx, static_cast<ActivationType>(activation), 0.f, 0.f, out.data, type, out.dims.volume());
  };
  const bool sidesStride = (batchA == batch || batchA == 1) && (batchB == batch || batchB == 1);
  if (bias || residual || activation >= 0) {
    // One GEMM: a single product, or a batch of A against one shared B (rows of A stack up).
    const bool single = !perBatchBias && (batch == 1 || (batchB == 1 && batchA == batch && !tA && !vecA));
    GemmBiasProblem own;
    own.type = type;
    own.M = batch == 1 ? M : batch * M;
    own.N = N;
    own.K = K;
    own.A = in[0].data;
    own.B = in[1].data;
    own.bias = bias;
    own.residual = residual;
    own.D = out.data;
    own.alpha = mm.getAlpha();
    // The CUTLASS configurations that can run this product: exact GELU, A [M, K] and B [N, K] row-major.
    const bool cutlassShape =
        single && activation == static_cast<int32_t>(ActivationType::kGELU_ERF) && !tA && tB && !vecA && !vecB;
    auto cutlassRuns = [&](int32_t config) { return cutlassShape && gemmBiasGeluWorkspace(config, own) >= 0; };
    auto singleGemm = [&](int32_t algorithm, LtQuery* query) {
      if (algorithm >= kCutlassTactic) {
        const int64_t bytes = gemmBiasGeluWorkspace(algorithm - kCutlassTactic, own);
        return bytes >= 0 && runGemmBiasGelu(algorithm - kCutlassTactic, own,
                                             bytes ? ctx.scratch(static_cast<size_t>(bytes)) : nullptr, ctx.stream);
      }
      const bool ran = ltGemmEpilogue(ctx, type, tA, tB && !vecB, own.M, N, K, in[0].data, in[1].data, bias, residual,
                                      ltActivation, mm.getAlpha(), out.data, LtBatch{}, algorithm, query);
      if (ran && !query) activationPass();
      return ran;
    };
    if (single && singleGemm(productAlgorithm(ctx, layer, in[0], in[1].data, residual, out.data, bias, singleGemm,
                                              activation, cutlassRuns, gemmBiasGeluConfigs()),
                             nullptr))
      return;
    // Else one strided-batched cuBLASLt call (a shared side read with stride 0; a stacked product's Q, K, V).
    LtBatch strided;
    strided.count = batch;
    strided.strideA = batchA == 1 ? 0 : matA;
    strided.strideB = batchB == 1 ? 0 : matB;
    strided.strideY = matC;
    strided.strideBias = perBatchBias ? N : 0;
    auto stridedGemm = [&](int32_t algorithm, LtQuery* query) {
      const bool ran = ltGemmEpilogue(ctx, type, tA, tB, M, N, K, in[0].data, in[1].data, bias, residual, ltActivation,
                                      mm.getAlpha(), out.data, strided, algorithm, query);
      if (ran && !query) activationPass();
      return ran;
    };
    if (!single && batch > 1 && sidesStride && !vecA && !vecB &&
        stridedGemm(productAlgorithm(ctx, layer, in[0], in[1].data, residual, out.data, bias, stridedGemm, activation),
                    nullptr))
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
