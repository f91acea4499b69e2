// CUDA backend: one launcher per layer kind, run on device memory on the caller's stream.
// Floating kernels take float32 or float16 storage (FP32 math; which layers run in FP16 is the
// builder's choice, see backends/half_support.cpp). Compiled only when TORCHTRT_CUDA is ON.
#pragma once

#include <cublasLt.h>
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <functional>
#include <list>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "backends/backend.h"
#include "backends/cpu/cpu_kernels.h"
#include "trt/network.h"

namespace trt {
namespace cuda {

using cpu::TensorView;  // the same view, with device pointers

//! Per-context resources: the stream, a cuBLAS handle bound to it, and scratch memory.
struct LaunchContext {
  cudaStream_t stream = nullptr;
  cublasHandle_t blas = nullptr;
  cublasLtHandle_t blasLt = nullptr;  // created on first use (matrix multiplies with fused epilogues)
  bool allowTF32 = true;
  //! Bytes one layer's kernel may use as scratch (0: no limit), and timing measurements per tactic.
  size_t workspaceLimit = 0;
  int32_t timingIterations = 1;
  //! Kernel runs spent timing tactics so far (IExecutionContext::getTacticTimingRuns).
  int64_t timedRuns = 0;
  //! Tactics: the plan's (chosen by the builder), keyed by layer and input shape; whether a kernel may
  //! time what the plan lacks (only in the builder's tuning runs); and what was timed here.
  using TacticKey = std::pair<const ILayer*, std::vector<int64_t>>;
  std::map<TacticKey, std::vector<int64_t>> plannedTactics, timedTactics;
  bool timingAllowed = false;
  //! Choices by layer signature shared across builds (an ITimingCache's entries), or nullptr.
  std::map<std::vector<int64_t>, std::vector<int64_t>>* timingCache = nullptr;
  //! The plan's choice for `layer` at input shape `shape` (any shape of the layer when `shape` is
  //! empty), or nullptr.
  const std::vector<int64_t>* plannedTactic(const ILayer* layer, const std::vector<int64_t>& shape) const;
  //! Records a timed choice (the builder stores it in the plan).
  void recordTactic(const ILayer* layer, const std::vector<int64_t>& shape, std::vector<int64_t> choice);
  //! What was built for a choice (a serialized cuDNN graph plan): the plan's, keyed as the tactics, and what the
  //! builder's tuning run recorded for the plan (TacticRecord::artifact).
  std::map<TacticKey, std::vector<uint8_t>> plannedArtifacts, timedArtifacts;
  //! The plan's artifact for `layer` at `shape`, or nullptr.
  const std::vector<uint8_t>* plannedArtifact(const ILayer* layer, const std::vector<int64_t>& shape) const;
  //! Recorded on `stream` after each run: a run on another stream waits for it, so one context's
  //! arena and scratch are never used by two streams at once.
  cudaEvent_t finished = nullptr;
  cudaStream_t finishedOn = nullptr;
  //! cuBLAS's workspace, set explicitly so captured GEMMs never allocate.
  void* blasWorkspace = nullptr;
  size_t blasWorkspaceBytes = 0;
  //! Binds the handles to `s` (cuBLAS forgets its workspace on a stream change: set again).
  void bindStream(cudaStream_t s);
  //! `work` captured on captureStream (created on first use; the handles bound to it, the caller's stream bound
  //! again after): the instantiated graph, or nullptr where it could not be captured (`work` returned false or threw
  //! an Error: a launcher refused inside the capture). Nothing is left capturing whatever `work` throws; an exception
  //! other than Error propagates.
  cudaGraphExec_t captureGraphOf(const std::function<bool()>& work);
  //! captureStream, created on first use.
  cudaStream_t ensureCaptureStream();
  //! CUDA graph mode: the captured graph, what it was captured for, and a key that failed to capture.
  cudaStream_t captureStream = nullptr;
  cudaGraphExec_t graph = nullptr;
  std::vector<int64_t> graphKey, uncapturableKey, previousKey;
  int64_t graphLaunches = 0;
  //! Runs whose layers were launched (eagerly, into a capture or profiled): what a kernel computes once
  //! per run and reuses across layers (attention's padding-mask bias) is valid while this stays put.
  int64_t layerRuns = 0;
  //! Drops the captured graph (it holds device addresses about to be freed).
  void dropGraph();
  //! A device range a kernel derived data from and reuses within a run (attention's padding mask);
  //! `written` once a later layer's output overlaps it (the derived data is stale then).
  struct Watch {
    uintptr_t begin = 0, end = 0;
    bool written = false;
  };
  std::list<Watch> watches;
  //! Notes that a layer wrote [data, data + bytes) (the runner calls it after each layer's launch).
  void noteWritten(const void* data, size_t bytes);
  //! Scratch of at least `bytes` (grown on demand, owned by the execution context).
  void* scratch(size_t bytes);
  //! Device copy of host weights owned by the engine (uploaded once when the engine loads).
  const void* device(const void* host) const;
  const std::unordered_map<const void*, void*>* uploads = nullptr;
  //! State of the convolution kernels (the cuDNN handle and per-layer plans), freed with the context.
  std::shared_ptr<void> convolutionState;
  //! The runs' input shapes (with whether tactics were timed) for which the convolutions' cuDNN graph plans were
  //! prebuilt (prebuildConvolutionGraphs: once each).
  std::set<std::vector<int64_t>> graphsPrebuiltFor;
  //! State a layer kind's kernels keep per context (cuDNN handles, built cuDNN graphs), freed with it.
  std::map<LayerType, std::shared_ptr<void>> kindState;
  void* scratch_ = nullptr;
  size_t scratchBytes_ = 0;
  ~LaunchContext();
};

using Launcher = void (*)(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& inputs,
                          TensorView& output);

//! The launcher for a layer kind (every kind has one: the table is generated from TRT_LAYER_KINDS).
Launcher launcherFor(LayerType type);

//! Throws Error naming the call when a CUDA call failed.
void check(cudaError_t status, const char* what);
void check(cublasStatus_t status, const char* what);

//! Row-major Y[M,N] = act(alpha op(A)[M,K] op(B)[K,N] + residual[M,N] + bias[N]) as one cuBLASLt call (bias,
//! residual and the activation each optional: `activation` -1 for none, or an ActivationType cuBLASLt's
//! epilogue computes, ReLU or GELU's tanh form); false when cuBLASLt declines the configuration (the
//! caller then runs the plain GEMM and an epilogue kernel).
//! Strided batches of one ltGemmEpilogue call: `count` products, each operand's consecutive matrices
//! `stride*` elements apart (0: one matrix shared by every product); the residual strides as Y.
struct LtBatch {
  int64_t count = 1, strideA = 0, strideB = 0, strideY = 0, strideBias = 0;
  //! Whether every batch starts 16 bytes after the last (cuBLASLt reads in 16-byte units): operands A and B of
  //! `operandBytes` an element, Y and the bias of `outputBytes`. One product (count 1) always.
  bool aligned16(int64_t operandBytes, int64_t outputBytes) const {
    return count == 1 || ((strideA * operandBytes) % 16 == 0 && (strideB * operandBytes) % 16 == 0 &&
                          (strideY * outputBytes) % 16 == 0 && (strideBias * outputBytes) % 16 == 0);
  }
};
//! What a query of ltGemmEpilogue gives: how many ranked algorithms cuBLASLt has for the configuration, and the
//! configuration itself (what decides the ranking: types, sizes, epilogue, batches, workspace, alignments).
struct LtQuery {
  int32_t candidates = 0;
  std::vector<int64_t> configuration;
};
//! How many algorithms cuBLASLt's ranking of a configuration holds at most (a recorded index is below it).
constexpr int32_t kLtRankedAlgorithms = 16;
//! TORCHTRT_LT_WORKSPACE_BYTES (a diagnostic): the bytes of workspace cuBLASLt's products get at most, 16-bit, float
//! and FP8 alike (with 0 only kernels without a memset before them in the captured graph); -1 where unset.
long long ltWorkspaceCap();
//! `algorithm`: an index into cuBLASLt's ranked algorithms for this configuration (asked once per context with
//! the workspace and the operands' alignment), -1 for cuBLASLt's own pick inside the call. With `query`,
//! nothing runs: it receives the ranking's size and the configuration.
bool ltGemmEpilogue(LaunchContext& ctx, DataType type, bool tA, bool tB, int64_t M, int64_t N, int64_t K, const void* A,
                    const void* B, const void* bias, const void* residual, int32_t activation, float alpha, void* Y,
                    const LtBatch& batch = LtBatch{}, int32_t algorithm = -1, LtQuery* query = nullptr);
//! A cuBLASLt matmul's descriptor and its three matrix layouts (A, B, and C = D), destroyed with it.
struct LtDescriptors {
  cublasLtMatmulDesc_t op = nullptr;
  cublasLtMatrixLayout_t a = nullptr, b = nullptr, c = nullptr;
  LtDescriptors() = default;
  LtDescriptors(const LtDescriptors&) = delete;
  LtDescriptors& operator=(const LtDescriptors&) = delete;
  ~LtDescriptors() {
    for (cublasLtMatrixLayout_t layout : {c, b, a})
      if (layout) cublasLtMatrixLayoutDestroy(layout);
    if (op) cublasLtMatmulDescDestroy(op);
  }
};
//! A cuBLASLt matmul descriptor (FP32 scale type) with its transposes and the epilogue of `bias` (nullable, of
//! `biasType`) and `activation` (-1, ReLU or GELU's tanh form); false where cuBLASLt refuses it or the
//! activation is another (`op` may then hold a descriptor to destroy).
bool ltMatmulDescriptor(cublasLtMatmulDesc_t& op, cublasComputeType_t compute, cublasOperation_t opA,
                        cublasOperation_t opB, const void* bias, cudaDataType_t biasType, int32_t activation);
//! Whether cuBLASLt's epilogue computes this activation (a pointwise convolution's through cuBLASLt too).
bool productEpilogueComputes(ActivationType type);
//! Whether the backend computes this activation fused into a product (what the builder may fuse): cuBLASLt's,
//! and the exact GELU (a CUTLASS epilogue where one runs, else a pass after the product).
bool productFusesActivation(ActivationType type);

//! Row-major C[M,N] = op(A)[M,K] * op(B)[K,N] (batched with strides in elements; 0 stride broadcasts).
//! float32 (TF32 when allowed) or float16 with FP32 accumulation, all three of `type`.
void gemm(LaunchContext& ctx, DataType type, bool transA, bool transB, int64_t M, int64_t N, int64_t K, const void* A,
          int64_t strideA, const void* B, int64_t strideB, void* C, int64_t strideC, int64_t batch, float alpha = 1.f);
//! Applies an activation in place on the device (float32 or float16 data).
void activationInPlace(LaunchContext& ctx, ActivationType type, float alpha, float beta, void* data, DataType dtype,
                       int64_t n);
//! Permuted copy on the device (dst dim i = src dim perm[i]).
void permute(LaunchContext& ctx, const void* src, const Dims& dims, const int32_t* perm, void* dst, size_t elemSize);

// One launcher per layer kind, cuda::launch<Stem>, declared from TRT_LAYER_KINDS (trt/types.h): a kind
// without its launcher fails to link the CUDA build. launchNonZero gets the output's count already
// set (out.dims = [rank, countNonZero(input)]).
#define TRT_CUDA_LAUNCHER_DECLARATION(name, stem, cpu16, cuda16) \
  void launch##stem(LaunchContext&, const ILayer&, const std::vector<TensorView>&, TensorView&);
TRT_LAYER_KINDS(TRT_CUDA_LAUNCHER_DECLARATION)
#undef TRT_CUDA_LAUNCHER_DECLARATION
//! How many elements of `in` are nonzero; synchronizes the stream (the count decides later shapes).
int64_t countNonZero(LaunchContext& ctx, const TensorView& in);
//! A product's fused activation (-1: none): one productFusesActivation takes; any other is refused (a plan
//! that fuses it into a product was not built for this backend).
int32_t fusedProductActivation(const IMatrixMultiplyLayer& mm);

//! Builds, side by side on the host's cores, the cuDNN graph plans the run's channels-last convolutions will ask for
//! (the builder's: the timed candidates; a loaded engine's: each tactic's chosen plan), so that their runtime-compiled
//! kernels compile in parallel instead of one after another inside the run.
void prebuildConvolutionGraphs(LaunchContext& ctx, const RunState& state);
//! A convolution's, product's or attention's recorded tactic in words (ExecutionBackend::describeTactic); empty for
//! others.
std::string describeConvolutionTactic(const IConvolutionLayer& conv, const std::vector<int64_t>& choice);
std::string describeProductTactic(const IMatrixMultiplyLayer& mm, const std::vector<int64_t>& choice);
std::string describeAttentionTactic(const std::vector<int64_t>& choice);
//! An INT8 convolution (channels-first): quantizing im2col, INT32 GEMM with the dequantizing epilogue.
void launchInt8Convolution(LaunchContext&, const ILayer&, const std::vector<TensorView>&, TensorView&);
//! An INT8 matrix multiply: quantized input rows times INT8 weights [N, K], dequantizing epilogue.
void launchInt8MatrixMultiply(LaunchContext&, const ILayer&, const std::vector<TensorView>&, TensorView&);
//! An FP8 E4M3 matrix multiply: the input quantized per tensor, cuBLASLt's FP8 GEMM by FP8 weights [N, K].
void launchFp8MatrixMultiply(LaunchContext&, const ILayer&, const std::vector<TensorView>&, TensorView&);
//! q[i] = E4M3(act(x[i]) / scale), saturating (fp8::quantize), for `total` float32, float16 or bfloat16 values of
//! `type` (`activation` an ActivationType without parameters computed in float first, or -1 for none).
void quantizeToFp8(LaunchContext& ctx, DataType type, const void* x, float scale, uint8_t* q, int64_t total,
                   const std::string& where, int32_t activation = -1);
//! C[b][i][j] = sum_k A[b][i * lda + k] * B[b][j * ldb + k] in INT32 (C row-major, rows N long, batches
//! strideA / strideB / strideC elements apart): cuBLAS's INT8 tensor-core GEMM, or an own tiled kernel.
void int8Gemm(LaunchContext& ctx, int64_t M, int64_t N, int64_t K, const int8_t* A, int64_t lda, int64_t strideA,
              const int8_t* B, int64_t ldb, int64_t strideB, int32_t* C, int64_t strideC, int64_t batch);
//! y[i] = act(acc[i] * outScale[c] + bias[c] + residual[i]) with c = (i / plane) % channels (bias and
//! residual may be null), rounded as the CPU reference rounds; y and residual of `type`, bias of
//! `biasType` (float32 or float16 each).
void int8Epilogue(LaunchContext& ctx, const int32_t* acc, void* y, DataType type, const float* outScale,
                  const void* bias, DataType biasType, const void* residual, bool relu, int64_t channels, int64_t plane,
                  int64_t total);
//! The INT8 weights of a convolution, [out maps, in/groups x kernel] quantized per output map
//! (what the engine uploads for an INT8 convolution, under the key of its float weights); a channels-last one's
//! as quantizedChannelsLastWeights.
std::vector<int8_t> quantizedConvolutionWeights(const IConvolutionLayer& conv);
//! A channels-last INT8 convolution's weights: [K][R][S][C padded to 16] (convolution_int8_nhwc.cu).
std::vector<int8_t> quantizedChannelsLastWeights(const IConvolutionLayer& conv);
//! Whether INT8 convolution `conv` can run channels-last here: CUTLASS's sm_90 kernels built and on this GPU, a
//! 2-D convolution of one group, float16 input, output maps a multiple of 8.
bool int8ConvolutionRunsChannelsLast(const IConvolutionLayer& conv);
//! q[i] = INT8 codes of x[i] (common/int8.h) for `vectors` x 8 float16 values, x 16-byte and q 8-byte aligned
//! (quantize.cu; a per-tensor Quantize and a channels-last INT8 convolution's own input quantization).
void quantizeHalfVectors(cudaStream_t stream, const void* x, int64_t vectors, float inverseScale, void* q);
//! Whether float convolution `conv` (channels-first, before calibration) is worth making INT8: at least 16 input
//! channels a group (convolution_int8_nhwc.cu).
bool int8ConvolutionPays(const IConvolutionLayer& conv);
//! Whether channels-last INT8 convolution `conv` can read INT8 codes (input channels a multiple of 16).
bool int8ConvolutionReadsCodes(const IConvolutionLayer& conv);
//! Whether channels-last INT8 convolution `conv` can write INT8 codes (after a ReLU, output maps a multiple of 16).
bool int8ConvolutionWritesCodes(const IConvolutionLayer& conv);
//! Whether channels-last INT8 convolution `conv` can read its residual as INT8 codes (output maps a multiple of 16).
bool int8ConvolutionReadsResidualCodes(const IConvolutionLayer& conv);
//! A channels-last INT8 convolution's recorded tactic in words ({config, 4}: a CUTLASS configuration), else empty.
std::string describeInt8ConvolutionTactic(const std::vector<int64_t>& choice);
//! The channels-last INT8 convolution: float16 NHWC or INT8 codes in and out (convolution_int8_nhwc.cu).
void launchInt8ConvolutionChannelsLast(LaunchContext& ctx, const IConvolutionLayer& conv,
                                       const std::vector<TensorView>& in, TensorView& out);

//! Device name and SM version of the current device, for plans.
void currentDevice(std::string& name, int& smMajor, int& smMinor);

}  // namespace cuda
}  // namespace trt
