// Convolution through cuDNN when the build has it (algorithm from cuDNN's heuristics, TF32 tensor
// cores unless disabled), else as im2col + cuBLAS GEMM (1-D to 3-D as 3-D); then bias and the fused
// activation.
#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "backends/cuda/activation.cuh"
#include "backends/cuda/convolution_cudnn_graph.h"
#include "backends/cuda/convolution_depthwise.h"
#include "backends/cuda/convolution_few_channel.h"
#include "backends/cuda/convolution_grouped.h"
#include "backends/cuda/cuda_kernels.h"
#include "backends/cuda/cutlass_gemm.h"
#include "backends/cuda/float_types.cuh"
#include "backends/cuda/im2col.cuh"
#include "backends/cuda/tactic_timing.cuh"
#include "layers/conv_geometry.h"
#include "runtime/schedule.h"

#ifdef TORCHTRT_WITH_CUDNN
#include <cudnn.h>
#endif

namespace trt {
namespace cuda {

namespace {
using Geometry = ConvGeometry;

// A channels-last pointwise convolution's GEMM tactic at or above this runs CUTLASS configuration (tactic -
// kCutlassGemm) of runGemmBiasActivation, with the layer's activation in the product's epilogue.
constexpr int32_t kCutlassGemm = 100;

#ifdef TORCHTRT_WITH_CUDNN
void checkDnn(cudnnStatus_t status, const char* what) {
  if (status != CUDNN_STATUS_SUCCESS)
    throw Error(std::string("CUDA backend: ") + what + " failed: " + cudnnGetErrorString(status));
}

// Descriptors and algorithm of one convolution layer at one input shape.
struct DnnPlan {
  cudnnTensorDescriptor_t x = nullptr, y = nullptr;
  cudnnFilterDescriptor_t w = nullptr;
  cudnnConvolutionDescriptor_t conv = nullptr;
  cudnnConvolutionFwdAlgo_t algo = CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM;
  size_t workspace = 0;
  // Bias (+ residual) and ReLU or no activation fused into the convolution (cudnnConvolutionBiasActivationForward),
  // when the layer has a bias: cuDNN's identity form exists only for IMPLICIT_PRECOMP_GEMM (another algorithm refuses
  // the call and the epilogue pass runs), and saves a pass over the output of a projection that has no activation.
  cudnnTensorDescriptor_t bias = nullptr;
  cudnnActivationDescriptor_t activation = nullptr;
  // cuDNN's fastest algorithms by its own measurement of the plain convolution; the layer's real
  // call (with the fused bias, residual and ReLU, or the epilogue where cuDNN refuses the fused form)
  // is timed for each on the first run and the fastest kept.
  std::vector<cudnnConvolutionFwdAlgoPerf_t> candidates;
  bool timed = false;          // whether the candidates (and im2col + GEMM in FP32) were timed
  bool useDnn = true;          // cuDNN or im2col + GEMM, the faster (cuDNN's NCHW kernels can lose on small batches)
  bool useOwnKernel = false;   // the own channels-last depthwise, four-channel or grouped kernel, faster than both
                               // (convolution_depthwise.h, convolution_few_channel.h, convolution_grouped.h)
  int32_t ownVariant = 0;      // the own kernel's timed variant (depthwiseNhwcVariants, kFewChannelVariants); 0 for
                               // grouped
  int32_t gemmAlgorithm = -1;  // a channels-last pointwise GEMM's index into cuBLASLt's ranking (-1: its own pick),
                               // or kCutlassGemm + a CUTLASS configuration (cutlass_gemm.h's activation products)
  bool useGraph = false;       // a cuDNN graph-API plan with the epilogue fused (convolution_cudnn_graph.h), faster
  int32_t graphPlan = -1;      // that plan's index among those cuDNN built for the configuration
  bool graphRuntimeCompiled = false;  // the plan's candidates included runtime-compiled engines (its index counts them)
  bool graphChecked = false;          // a recorded graph choice was checked against this GPU and workspace (once)
  bool graphAdopted = false;          // the plan file's serialized graph plan was offered to the cache (once)
  bool artifactRecorded = false;      // the builder's run recorded the chosen graph plan, serialized (once)
  bool fusedFailed = false;           // cuDNN refused the fused bias (+ReLU) call for the chosen algorithm
  bool inherited = false;             // the tactic comes from this layer's timing at another shape, not yet run here
  std::vector<int64_t> key;           // the input shape (channels-first) this plan is for
  std::vector<int64_t> signature;     // what decides the timing: shapes, geometry, type, layout, fused parts
  const void* weights = nullptr;      // the filter on the device (a KRSC copy for channels-last layers)
  void* ownedWeights = nullptr;       // that copy, freed with the state
};

// Whether the builder times the own depthwise and grouped kernels as candidates (CudaTactics'
// TheOwnDepthwiseKernel... and TheOwnGroupedKernel... tests also force them through a plan's tactic record).
constexpr bool kTimeOwnKernels = true;

// TORCHTRT_CONV_TIMING=stream (a diagnostic, like TORCHTRT_LT_WORKSPACE_BYTES): every convolution candidate timed
// on the stream, as before session 41, instead of as the captured graph runs it; the A/B for a network whose engine
// got slower after that change (scripts/round-mbv3.sh).
bool convolutionTimingOnStream() {
  static const bool onStream = timingOnStreamAskedBy("TORCHTRT_CONV_TIMING");
  return onStream;
}

// The candidates and timing method, in the timing cache's signatures (an entry timed with other candidates or
// another method is timed again): 4 for cuBLASLt's ranked algorithms and the CUTLASS activation products among a
// pointwise GEMM's candidates, every candidate timed as a captured graph; 5 for the same candidates all timed on the
// stream (TORCHTRT_CONV_TIMING=stream). (2: cuBLASLt's ranked algorithms, as graphs.)
int64_t convolutionTimingMethod() { return convolutionTimingOnStream() ? 5 : 4; }

// How many of cuDNN's ranked algorithms are timed with the layer's own call.
constexpr int kTimedAlgorithms = 4;

// How many of the cuDNN graph API's execution plans (in its heuristic order) are built and timed: a runtime-fusion
// plan compiles its kernel when built, so the build's time grows with each.
constexpr int32_t kTimedGraphPlans = 3;

struct DnnState {
  cudnnHandle_t handle = nullptr;
  std::map<std::tuple<const ILayer*, std::vector<int64_t>>, DnnPlan> plans;
  // Choices timed in this context by signature: identical convolutions (ResNet's repeated blocks)
  // are timed once per build.
  std::map<std::vector<int64_t>, std::vector<int64_t>> timedBySignature;
  std::shared_ptr<convgraph::GraphCache> graphs;  // made on first use (channels-last 16-bit convolutions)
  ~DnnState() {
    for (auto& kv : plans) {
      cudnnDestroyTensorDescriptor(kv.second.x);
      cudnnDestroyTensorDescriptor(kv.second.y);
      cudnnDestroyFilterDescriptor(kv.second.w);
      cudnnDestroyConvolutionDescriptor(kv.second.conv);
      if (kv.second.bias) cudnnDestroyTensorDescriptor(kv.second.bias);
      if (kv.second.activation) cudnnDestroyActivationDescriptor(kv.second.activation);
      if (kv.second.ownedWeights) cudaFree(kv.second.ownedWeights);
    }
    if (handle) cudnnDestroy(handle);
  }
};

std::vector<int> packedStrides(const std::vector<int>& dims) {
  std::vector<int> s(dims.size(), 1);
  for (int i = static_cast<int>(dims.size()) - 2; i >= 0; --i) s[i] = s[i + 1] * dims[i + 1];
  return s;
}

// KCRS filter -> KRSC (channels-last filter for NHWC convolutions).
template <typename T>
__global__ void filterToChannelsLastKernel(const T* src, T* dst, int64_t k, int64_t c, int64_t rs) {
  const int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i >= k * c * rs) return;
  const int64_t ch = i % c, p = (i / c) % rs, map = i / (c * rs);
  dst[i] = src[(map * c + ch) * rs + p];
}

// Transform-domain algorithms (FFT, Winograd) round in the transformed domain: their FP32 results
// differ from a direct sum by more than FP32's own rounding (a ResNet-18 compiled with disable_tf32
// was 3e-4 off PyTorch's FP32 where the bar is 1e-4).
bool transformDomain(cudnnConvolutionFwdAlgo_t algo) {
  return algo == CUDNN_CONVOLUTION_FWD_ALGO_FFT || algo == CUDNN_CONVOLUTION_FWD_ALGO_FFT_TILING ||
         algo == CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD || algo == CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED;
}

// Keeps the algorithms the build allows: within the workspace limit, and exact FP32 where TF32 is off
// (for float data no tensor-op math and no transform-domain algorithm: disable_tf32 asks for FP32's
// accuracy).
void keepAllowed(LaunchContext& ctx, DnnPlan& plan, bool half, const cudnnConvolutionFwdAlgoPerf_t* perf, int found,
                 size_t most) {
  plan.candidates.clear();
  for (int i = 0; i < found && plan.candidates.size() < most; ++i) {
    if (perf[i].status != CUDNN_STATUS_SUCCESS) continue;
    if (ctx.workspaceLimit > 0 && perf[i].memory > ctx.workspaceLimit) continue;
    if (!half && !ctx.allowTF32 && (perf[i].mathType == CUDNN_TENSOR_OP_MATH || transformDomain(perf[i].algo)))
      continue;
    plan.candidates.push_back(perf[i]);
  }
}

// cuDNN's algorithms for the plan's shape ranked by its heuristics (nothing runs): the candidates the
// builder times, or, in a loaded engine at a shape its plan has no tactic for, the choice itself.
void rankAlgorithms(LaunchContext& ctx, DnnState& state, DnnPlan& plan, bool half, size_t most) {
  cudnnConvolutionFwdAlgoPerf_t perf[CUDNN_CONVOLUTION_FWD_ALGO_COUNT];
  int found = 0;
  checkDnn(cudnnGetConvolutionForwardAlgorithm_v7(state.handle, plan.x, plan.w, plan.conv, plan.y,
                                                  CUDNN_CONVOLUTION_FWD_ALGO_COUNT, &found, perf),
           "cudnnGetConvolutionForwardAlgorithm_v7");
  keepAllowed(ctx, plan, half, perf, found, most);
}

// cuDNN's algorithms for the plan's shape ranked by its own measurement of each (the builder's
// candidates: heuristics alone misrank depthwise and small convolutions, and this runs once per
// build and layer signature, never in a loaded engine).
void measureAlgorithms(LaunchContext& ctx, DnnState& state, DnnPlan& plan, bool half, size_t most) {
  cudnnConvolutionFwdAlgoPerf_t perf[CUDNN_CONVOLUTION_FWD_ALGO_COUNT];
  int found = 0;
  checkDnn(cudnnFindConvolutionForwardAlgorithm(state.handle, plan.x, plan.w, plan.conv, plan.y,
                                                CUDNN_CONVOLUTION_FWD_ALGO_COUNT, &found, perf),
           "cudnnFindConvolutionForwardAlgorithm");
  keepAllowed(ctx, plan, half, perf, found, most);
}

// The candidate for `algo` with its workspace at the plan's shape; false when cuDNN refuses it there
// or it exceeds the workspace limit.
bool candidateFor(LaunchContext& ctx, DnnState& state, DnnPlan& plan, int64_t algo) {
  if (algo < 0 || algo >= CUDNN_CONVOLUTION_FWD_ALGO_COUNT) return false;
  size_t bytes = 0;
  const auto a = static_cast<cudnnConvolutionFwdAlgo_t>(algo);
  if (cudnnGetConvolutionForwardWorkspaceSize(state.handle, plan.x, plan.w, plan.conv, plan.y, a, &bytes) !=
          CUDNN_STATUS_SUCCESS ||
      (ctx.workspaceLimit > 0 && bytes > ctx.workspaceLimit))
    return false;
  cudnnConvolutionFwdAlgoPerf_t chosen{};
  chosen.algo = a;
  chosen.status = CUDNN_STATUS_SUCCESS;
  chosen.memory = bytes;
  plan.candidates = {chosen};
  return true;
}

// A tactic as the plan stores it: {cuDNN algorithm, path}, path 0 im2col + GEMM, 1 cuDNN, 2 the own
// depthwise, four-channel or grouped kernel (the algorithm then the fallback where the kernel cannot run; a third
// entry, the kernel's variant, where it is not 0: plans before it have none and ran variant 0); path 3 a cuDNN
// graph-API plan, {its index, 3, 1 where runtime-compiled engines were candidates} (cuDNN's heuristic algorithm the
// fallback where it cannot run; format 17 plans have no third entry: they were built without them). Path 0 of a
// channels-last pointwise convolution (one cuBLASLt GEMM with its epilogue) has a third entry where the builder chose
// one of cuBLASLt's ranked algorithms (its index; plans before it have none and ran cuBLASLt's own pick), or a
// CUTLASS product with the layer's activation in its epilogue (kCutlassGemm + its configuration: SiLU, hard-swish).
constexpr int64_t kGraphPath = 3;
std::vector<int64_t> choiceOf(const DnnPlan& plan) {
  if (plan.useGraph) return {plan.graphPlan, kGraphPath, plan.graphRuntimeCompiled ? 1 : 0};
  if (!plan.useDnn && !plan.useOwnKernel && plan.gemmAlgorithm >= 0)
    return {static_cast<int64_t>(plan.algo), 0, plan.gemmAlgorithm};
  if (plan.useOwnKernel && plan.ownVariant > 0) return {static_cast<int64_t>(plan.algo), 2, plan.ownVariant};
  return {static_cast<int64_t>(plan.algo), plan.useOwnKernel ? 2 : plan.useDnn ? 1 : 0};
}
}  // namespace

std::string describeConvolutionTactic(const IConvolutionLayer& conv, const std::vector<int64_t>& choice) {
  static const char* const kAlgorithms[] = {
      "IMPLICIT_GEMM", "IMPLICIT_PRECOMP_GEMM", "GEMM", "DIRECT", "FFT", "FFT_TILING", "WINOGRAD", "WINOGRAD_NONFUSED"};
  if (choice.size() < 2) return {};
  if (conv.isInt8() && conv.getChannelsLast()) return describeInt8ConvolutionTactic(choice);
  const int64_t path = choice[1];
  auto algorithm = [&]() -> std::string {
    return choice[0] >= 0 && choice[0] < 8 ? std::string("cuDNN ") + kAlgorithms[choice[0]]
                                           : "cuDNN algorithm " + std::to_string(choice[0]);
  };
  if (path == 0) {
    if (!conv.getChannelsLast()) return "im2col + GEMM";
    if (choice.size() == 3 && choice[2] >= kCutlassGemm)
      return "one GEMM: " + gemmBiasActivationConfigName(static_cast<ActivationType>(conv.getFusedActivation()),
                                                         static_cast<int32_t>(choice[2] - kCutlassGemm));
    return choice.size() == 3 ? "one GEMM: cuBLASLt algorithm " + std::to_string(choice[2]) + " of its ranking"
                              : "one GEMM: cuBLASLt's own pick";
  }
  if (path == 1) return algorithm();
  if (path == 2) {
    const int64_t groups = conv.getNbGroups();
    const std::string variant = choice.size() == 3 ? " variant " + std::to_string(choice[2]) : "";
    const char* kernel = groups > 1 && groups == conv.getNbOutputMaps() ? "own channels-last depthwise kernel"
                         : groups == 1                                  ? "own four-channel stem kernel"
                                                                        : "own channels-last grouped kernel";
    return std::string(kernel) + variant + " (" + algorithm() + " where it cannot run)";
  }
  if (path == kGraphPath)
    return "cuDNN graph plan " + std::to_string(choice[0]) + " with the epilogue fused (" +
           (choice.size() == 3 && choice[2] == 1 ? "runtime-compiled engines among the candidates"
                                                 : "precompiled engines") +
           "; cuDNN's heuristic algorithm where it cannot run)";
  return {};
}

namespace {
void applyChoice(DnnPlan& plan, const std::vector<int64_t>& choice) {
  const int64_t path = choice[1];
  plan.useDnn = path != 0;
  plan.useOwnKernel = path == 2;
  plan.ownVariant = path == 2 && choice.size() == 3 ? static_cast<int32_t>(choice[2]) : 0;
  plan.gemmAlgorithm = path == 0 && choice.size() == 3 ? static_cast<int32_t>(choice[2]) : -1;
  plan.useGraph = path == kGraphPath;
  plan.graphPlan = plan.useGraph ? static_cast<int32_t>(choice[0]) : -1;
  plan.graphRuntimeCompiled = plan.useGraph && choice.size() == 3 && choice[2] == 1;
}

// Whether a recorded graph-plan tactic {index, kGraphPath[, 1 where runtime-compiled engines were candidates]} can be
// built here: the index names a candidate of the list the builder's setting gave (with or without runtime-compiled
// engines), which the plan is built from again; one with runtime-compiled engines only where they are allowed.
bool graphChoiceRunsHere(const std::vector<int64_t>& choice) {
  const int64_t builtWithRuntimeFusion = choice.size() == 3 ? choice[2] : 0;
  return choice.size() >= 2 && choice.size() <= 3 && choice[1] == kGraphPath && builtWithRuntimeFusion >= 0 &&
         builtWithRuntimeFusion <= 1 && (builtWithRuntimeFusion == 0 || convgraph::runtimeFusion()) && choice[0] >= 0 &&
         choice[0] < kTimedGraphPlans;
}

// Whether a recorded tactic {algorithm or graph plan, path} can stand at the plan's shape: the cuDNN algorithm's
// workspace (candidateFor), or for a graph plan (checked where it runs, which may refuse it) cuDNN's heuristic
// algorithm as its fallback.
bool usableChoice(LaunchContext& ctx, DnnState& state, DnnPlan& plan, bool half, const std::vector<int64_t>& choice) {
  if (choice.size() < 2) return false;
  // An own kernel's variant range (the depthwise kernel's is the widest): a launch refuses one it lacks (cuDNN runs).
  static_assert(kFewChannelVariants <= kDepthwiseRowVariants, "the variant range admits every four-channel variant");
  const bool ownVariant = choice[1] == 2 && choice.size() == 3 && choice[2] > 0 && choice[2] < kDepthwiseRowVariants;
  // A ranked GEMM algorithm's index (a ranking here without it runs cuBLASLt's own pick), or a CUTLASS configuration
  // (one this build lacks, or that refuses the problem where it runs, leaves the GEMM and the epilogue pass).
  const bool gemmAlgorithm =
      choice[1] == 0 && choice.size() == 3 && choice[2] >= 0 &&
      (choice[2] < kLtRankedAlgorithms || (choice[2] >= kCutlassGemm && choice[2] < kCutlassGemm + 16));
  if (choice[1] != kGraphPath)
    return (choice.size() == 2 || ownVariant || gemmAlgorithm) && candidateFor(ctx, state, plan, choice[0]);
  if (!graphChoiceRunsHere(choice)) return false;
  rankAlgorithms(ctx, state, plan, half, 1);
  return true;
}

// `inDims` / `outDims` channels-first whatever the layer's layout (the descriptors carry the layout).
DnnPlan& dnnPlan(LaunchContext& ctx, DnnState& state, const IConvolutionLayer& conv, const Dims& inDims,
                 const Dims& outDims, DataType type) {
  struct View {
    Dims dims;
  } in{inDims}, out{outDims};
  std::vector<int64_t> key(in.dims.d, in.dims.d + in.dims.nbDims);
  auto it = state.plans.find({&conv, key});
  if (it != state.plans.end()) return it->second;
  // From the canonical 3-D geometry: 4-D tensors for 1-D and 2-D convolutions (cuDNN's fastest
  // kernels), 5-D for 3-D.
  const ConvGeometry g = convGeometry(conv, in.dims, out.dims);
  const int first = conv.getKernelSizeNd().nbDims == 3 ? 0 : 1;
  std::vector<int> xDims = {static_cast<int>(in.dims.d[0]), static_cast<int>(in.dims.d[1])},
                   yDims = {static_cast<int>(out.dims.d[0]), static_cast<int>(out.dims.d[1])},
                   wDims = {static_cast<int>(out.dims.d[1]), static_cast<int>(in.dims.d[1] / conv.getNbGroups())};
  std::vector<int> pad, stride, dil;
  for (int i = first; i < 3; ++i) {
    xDims.push_back(static_cast<int>(g.in[i]));
    yDims.push_back(static_cast<int>(g.out[i]));
    wDims.push_back(static_cast<int>(g.k[i]));
    pad.push_back(static_cast<int>(g.pad[i]));
    stride.push_back(static_cast<int>(g.stride[i]));
    dil.push_back(static_cast<int>(g.dil[i]));
  }
  // FP16 or BF16 data with FP32 accumulation (cuDNN's "pseudo half" configuration) on tensor cores.
  const bool half = type == DataType::kHALF || type == DataType::kBF16;
  const bool channelsLast = conv.getChannelsLast();
  const cudnnDataType_t dataType = type == DataType::kHALF   ? CUDNN_DATA_HALF
                                   : type == DataType::kBF16 ? CUDNN_DATA_BFLOAT16
                                                             : CUDNN_DATA_FLOAT;
  DnnPlan plan;
  checkDnn(cudnnCreateTensorDescriptor(&plan.x), "cudnnCreateTensorDescriptor");
  checkDnn(cudnnCreateTensorDescriptor(&plan.y), "cudnnCreateTensorDescriptor");
  checkDnn(cudnnCreateFilterDescriptor(&plan.w), "cudnnCreateFilterDescriptor");
  checkDnn(cudnnCreateConvolutionDescriptor(&plan.conv), "cudnnCreateConvolutionDescriptor");
  const int rank = static_cast<int>(xDims.size());
  const cudnnTensorFormat_t format = channelsLast ? CUDNN_TENSOR_NHWC : CUDNN_TENSOR_NCHW;
  if (channelsLast) {  // 2-D only (the layer checks): logical NCHW sizes, NHWC memory
    checkDnn(cudnnSetTensor4dDescriptor(plan.x, format, dataType, xDims[0], xDims[1], xDims[2], xDims[3]),
             "cudnnSetTensor4dDescriptor (input)");
    checkDnn(cudnnSetTensor4dDescriptor(plan.y, format, dataType, yDims[0], yDims[1], yDims[2], yDims[3]),
             "cudnnSetTensor4dDescriptor (output)");
  } else {
    checkDnn(cudnnSetTensorNdDescriptor(plan.x, dataType, rank, xDims.data(), packedStrides(xDims).data()),
             "cudnnSetTensorNdDescriptor (input)");
    checkDnn(cudnnSetTensorNdDescriptor(plan.y, dataType, rank, yDims.data(), packedStrides(yDims).data()),
             "cudnnSetTensorNdDescriptor (output)");
  }
  checkDnn(cudnnSetFilterNdDescriptor(plan.w, dataType, format, rank, wDims.data()), "cudnnSetFilterNdDescriptor");
  plan.weights = ctx.device(conv.getKernelWeights().values);
  if (channelsLast) {
    const int64_t k = wDims[0], c = wDims[1], rs = static_cast<int64_t>(wDims[2]) * wDims[3];
    const size_t bytes = static_cast<size_t>(k * c * rs) * dataTypeSize(type);
    check(cudaMalloc(&plan.ownedWeights, bytes), "cudaMalloc (channels-last filter)");
    dispatchFloating(type, conv.describe(), [&](auto tag) {
      using T = decltype(tag);
      filterToChannelsLastKernel<<<static_cast<unsigned>((k * c * rs + 255) / 256), 256, 0, ctx.stream>>>(
          static_cast<const T*>(plan.weights), static_cast<T*>(plan.ownedWeights), k, c, rs);
    });
    check(cudaGetLastError(), "filter layout kernel launch");
    plan.weights = plan.ownedWeights;
  }
  checkDnn(cudnnSetConvolutionNdDescriptor(plan.conv, rank - 2, pad.data(), stride.data(), dil.data(),
                                           CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT),
           "cudnnSetConvolutionNdDescriptor");
  checkDnn(cudnnSetConvolutionGroupCount(plan.conv, conv.getNbGroups()), "cudnnSetConvolutionGroupCount");
  checkDnn(cudnnSetConvolutionMathType(plan.conv, half || ctx.allowTF32 ? CUDNN_TENSOR_OP_MATH : CUDNN_FMA_MATH),
           "cudnnSetConvolutionMathType");
  plan.key = key;
  // Led by the kind and cuDNN's version: a timing cache outlives both.
  plan.signature = {static_cast<int64_t>(LayerType::kCONVOLUTION), static_cast<int64_t>(cudnnGetVersion())};
  plan.signature.insert(plan.signature.end(), key.begin(), key.end());
  for (const Dims* d : {&out.dims}) plan.signature.insert(plan.signature.end(), d->d, d->d + d->nbDims);
  for (const std::vector<int>* v : {&wDims, &pad, &stride, &dil})
    plan.signature.insert(plan.signature.end(), v->begin(), v->end());
  plan.signature.insert(plan.signature.end(),
                        {static_cast<int64_t>(type), conv.getNbGroups(), channelsLast ? 1 : 0,
                         conv.getBiasWeights().count > 0 ? 1 : 0, conv.getFusedActivation(), conv.getNbInputs(),
                         // whether runtime-compiled cuDNN graph plans were candidates (a cache entry timed without
                         // them is timed again with them)
                         convgraph::runtimeFusion() ? 1 : 0, convolutionTimingMethod(),
                         // how many CUTLASS activation products this build holds (an entry from a build with other
                         // candidates is timed again)
                         gemmBiasActivationConfigs()});
  // The fused activation's parameters (a clip's bound decides which graph plans exist).
  for (float parameter : {conv.getFusedActivationAlpha(), conv.getFusedActivationBeta()}) {
    uint32_t bits = 0;
    std::memcpy(&bits, &parameter, sizeof bits);
    plan.signature.push_back(bits);
  }
  // Where the choice comes from, first found: the plan's tactic for this layer and shape (the builder
  // timed it); the same layer's tactic at another shape of its profile, as TensorRT picks tactics once
  // per profile (only the workspace is sized for this shape), from this context or the plan; timing
  // (the builder's runs only); else cuDNN's heuristics. A loaded engine therefore never times.
  const std::vector<int64_t>* planned = ctx.plannedTactic(&conv, key);
  const std::vector<int64_t>* sameLayer = planned ? nullptr : ctx.plannedTactic(&conv, {});
  const DnnPlan* timedBefore = nullptr;
  for (auto other = state.plans.lower_bound({&conv, {}});
       !planned && other != state.plans.end() && std::get<0>(other->first) == &conv; ++other)
    if (other->second.timed) {
      timedBefore = &other->second;
      break;
    }
  auto& timings = ctx.timingCache ? *ctx.timingCache : state.timedBySignature;
  const auto cached = timings.find(plan.signature);
  if (planned && usableChoice(ctx, state, plan, half, *planned)) {
    plan.timed = true;
    applyChoice(plan, *planned);
  } else if (ctx.timingAllowed && cached != timings.end() && usableChoice(ctx, state, plan, half, cached->second)) {
    plan.timed = true;
    applyChoice(plan, cached->second);
    ctx.recordTactic(&conv, key, cached->second);  // the plan needs it for this layer too
  } else if (timedBefore && candidateFor(ctx, state, plan, timedBefore->algo)) {
    plan.timed = true;
    plan.useDnn = timedBefore->useDnn;
    plan.useOwnKernel = timedBefore->useOwnKernel;
    plan.ownVariant = timedBefore->ownVariant;
    plan.gemmAlgorithm = timedBefore->gemmAlgorithm;
    plan.useGraph = timedBefore->useGraph;
    plan.graphPlan = timedBefore->graphPlan;
    plan.graphRuntimeCompiled = timedBefore->graphRuntimeCompiled;
    plan.inherited = true;
  } else if (sameLayer && usableChoice(ctx, state, plan, half, *sameLayer)) {
    plan.timed = true;
    applyChoice(plan, *sameLayer);
    plan.inherited = true;
  } else if (ctx.timingAllowed) {
    measureAlgorithms(ctx, state, plan, half, kTimedAlgorithms);
  } else {
    rankAlgorithms(ctx, state, plan, half, kTimedAlgorithms);
    plan.timed = true;  // heuristics' first choice; launchConvolution falls back along the ranking
    plan.inherited = true;
  }
  const bool chosen = !plan.candidates.empty();
  if (chosen) {
    plan.algo = plan.candidates[0].algo;
    plan.workspace = plan.candidates[0].memory;
  }
  if (!chosen && !plan.useGraph)
    throw Error(conv.describe() + ": cuDNN found no convolution algorithm for input " + in.dims.str() +
                (ctx.workspaceLimit > 0 ? " within the workspace limit of " + std::to_string(ctx.workspaceLimit) +
                                              " bytes; raise workspace_size"
                                        : std::string()));
  const bool fusedRelu = conv.getFusedActivation() == static_cast<int32_t>(ActivationType::kRELU);
  if (conv.getBiasWeights().count > 0 && (fusedRelu || conv.getFusedActivation() < 0)) {
    std::vector<int> biasDims(xDims.size(), 1);
    biasDims[1] = yDims[1];
    checkDnn(cudnnCreateTensorDescriptor(&plan.bias), "cudnnCreateTensorDescriptor (bias)");
    checkDnn(cudnnSetTensorNdDescriptor(plan.bias, dataType, rank, biasDims.data(), packedStrides(biasDims).data()),
             "cudnnSetTensorNdDescriptor (bias)");
    checkDnn(cudnnCreateActivationDescriptor(&plan.activation), "cudnnCreateActivationDescriptor");
    // NaN propagates, as PyTorch's relu keeps it (where cuDNN refuses, the fused call fails and the epilogue
    // kernel, which keeps NaN, runs instead).
    checkDnn(
        cudnnSetActivationDescriptor(plan.activation, fusedRelu ? CUDNN_ACTIVATION_RELU : CUDNN_ACTIVATION_IDENTITY,
                                     CUDNN_PROPAGATE_NAN, 0.0),
        "cudnnSetActivationDescriptor");
  }
  return state.plans.emplace(std::make_tuple(&conv, key), plan).first->second;
}

DnnState& dnnState(LaunchContext& ctx) {
  if (!ctx.convolutionState) {
    auto state = std::make_shared<DnnState>();
    checkDnn(cudnnCreate(&state->handle), "cudnnCreate");
    ctx.convolutionState = state;
  }
  auto& state = *static_cast<DnnState*>(ctx.convolutionState.get());
  checkDnn(cudnnSetStream(state.handle, ctx.stream), "cudnnSetStream");
  return state;
}

// Returns true when bias and activation were applied too (fused).
bool dnnConvolution(LaunchContext& ctx, DnnState& state, DnnPlan& plan, const IConvolutionLayer& conv,
                    const TensorView& in, const void* residual, TensorView& out) {
  void* workspace = plan.workspace ? ctx.scratch(plan.workspace) : nullptr;
  const float one = 1.f, zero = 0.f;
  if (plan.activation && !plan.fusedFailed) {
    // y = act(conv(x) + z + bias), act ReLU or the identity, z the residual (or y scaled by 0 when there is none).
    cudnnStatus_t status = cudnnConvolutionBiasActivationForward(
        state.handle, &one, plan.x, in.data, plan.w, plan.weights, plan.conv, plan.algo, workspace, plan.workspace,
        residual ? &one : &zero, plan.y, residual ? residual : out.data, plan.bias,
        ctx.device(conv.getBiasWeights().values), plan.activation, plan.y, out.data);
    if (status == CUDNN_STATUS_SUCCESS) return true;
    // Not every algorithm and type has the fused form; then bias, residual and ReLU run as an epilogue.
    if (status != CUDNN_STATUS_NOT_SUPPORTED && status != CUDNN_STATUS_BAD_PARAM)
      checkDnn(status, "cudnnConvolutionBiasActivationForward");
    plan.fusedFailed = true;
  }
  checkDnn(cudnnConvolutionForward(state.handle, &one, plan.x, in.data, plan.w, plan.weights, plan.conv, plan.algo,
                                   workspace, plan.workspace, &zero, plan.y, out.data),
           "cudnnConvolutionForward");
  return false;
}

#endif

// y = act(y + bias[channel] + residual) in one pass (bias, residual and activation optional).
template <typename T>
__global__ void epilogueKernel(T* out, const T* bias, const T* residual, FusedActivation act, int64_t channels,
                               int64_t plane, int64_t total) {
  int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i >= total) return;
  float v = load(out, i);
  if (bias) v += load(bias, (i / plane) % channels);
  if (residual) v += load(residual, i);
  store(out, i, applyFused<T>(act, v));
}

// The same for 16-bit (FP16 or BF16) channels-last tensors whose channel count is a multiple of 8:
// 8 channels (16 bytes) per thread, so the per-channel bias is one vector load too.
template <typename T>
__global__ void epilogueNhwc8Kernel(T* out, const T* bias, const T* residual, FusedActivation act, int64_t channels,
                                    int64_t vectors) {
  const int64_t v = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (v >= vectors) return;
  const int64_t first = v * 8;
  uint4 raw = *reinterpret_cast<const uint4*>(out + first);
  T* y = reinterpret_cast<T*>(&raw);
  uint4 rb{}, rr{};
  if (bias) rb = *reinterpret_cast<const uint4*>(bias + first % channels);
  if (residual) rr = *reinterpret_cast<const uint4*>(residual + first);
  const T* b = reinterpret_cast<const T*>(&rb);
  const T* r = reinterpret_cast<const T*>(&rr);
#pragma unroll
  for (int k = 0; k < 8; ++k) {
    float x = toFloat(y[k]);
    if (bias) x += toFloat(b[k]);
    if (residual) x += toFloat(r[k]);
    y[k] = fromFloat<T>(applyFused<T>(act, x));
  }
  *reinterpret_cast<uint4*>(out + first) = raw;
}

// A 1x1 kernel at stride 1 without padding on either side: each output pixel is a product of its input pixel's
// channels with the filter, no im2col needed.
bool isPointwise(const Geometry& g) {
  return g.k[0] * g.k[1] * g.k[2] == 1 && g.stride[0] == 1 && g.stride[1] == 1 && g.stride[2] == 1 && g.pad[0] == 0 &&
         g.pad[1] == 0 && g.pad[2] == 0 && g.out[0] == g.in[0] && g.out[1] == g.in[1] &&
         g.out[2] == g.in[2];  // no post-padding either (g.pad is the pre-padding)
}

// Without cuDNN, and where it is slower (small batches): one im2col for the whole batch, then one
// strided-batched GEMM per group (weights shared), in float32 (TF32 when allowed) or float16.
void im2colConvolution(LaunchContext& ctx, const IConvolutionLayer& conv, const Geometry& g, const TensorView& in,
                       TensorView& out) {
  const int64_t batch = in.dims.d[0], groups = conv.getNbGroups(), cin = in.dims.d[1], cout = out.dims.d[1];
  const int64_t cinG = cin / groups, coutG = cout / groups, kVol = g.k[0] * g.k[1] * g.k[2];
  const int64_t inPlane = g.in[0] * g.in[1] * g.in[2], outPlane = g.out[0] * g.out[1] * g.out[2];
  // Weights live on the device beside the layer (uploaded once by the engine, in the layer's type).
  const void* weights = ctx.device(conv.getKernelWeights().values);
  const size_t elem = dataTypeSize(in.type);
  const bool pointwise = isPointwise(g);
  const int64_t colElems = cinG * kVol * outPlane;
  const int64_t colTotal = colElems * batch;
  void* col = pointwise ? nullptr : ctx.scratch(static_cast<size_t>(colTotal) * elem);
  auto at = [elem](const void* base, int64_t offset) {
    return static_cast<const uint8_t*>(base) + static_cast<size_t>(offset) * elem;
  };
  for (int64_t grp = 0; grp < groups; ++grp) {
    const void* images = at(in.data, grp * cinG * inPlane);
    const void* B = images;
    int64_t strideB = cin * inPlane;
    if (!pointwise) {
      dispatchFloating(in.type, conv.describe(), [&](auto tag) {
        using T = decltype(tag);
        im2colKernel<<<static_cast<unsigned>((colTotal + 255) / 256), 256, 0, ctx.stream>>>(
            static_cast<const T*>(images), cin * inPlane, g, static_cast<T*>(col), colElems, colTotal);
      });
      check(cudaGetLastError(), "im2col kernel launch");
      B = col;
      strideB = colElems;
    }
    gemm(ctx, in.type, false, false, coutG, outPlane, cinG * kVol, at(weights, grp * coutG * cinG * kVol), 0, B,
         strideB, const_cast<uint8_t*>(at(out.data, grp * coutG * outPlane)), cout * outPlane, batch);
  }
}
}  // namespace

// Bias, residual and the fused activation after the convolution (when it did not apply them itself).
// Element i's channel is (i / channelStride) % channels: the plane size channels-first, 1 channels-last.
static void epilogue(LaunchContext& ctx, const IConvolutionLayer& conv, const void* residual, TensorView& out,
                     int64_t channels, int64_t channelStride) {
  const int64_t total = out.dims.volume(), cout = channels, outPlane = channelStride;
  const Weights bias = conv.getBiasWeights();
  const FusedActivation act = fusedActivationOf(conv);
  const void* biasData = bias.count > 0 ? ctx.device(bias.values) : nullptr;
  if (bias.count == 0 && !residual && act.type < 0) return;
  if (channelStride == 1 && (out.type == DataType::kHALF || out.type == DataType::kBF16) && cout % 8 == 0 &&
      allAligned16({out.data, biasData, residual})) {
    const int64_t vectors = total / 8;
    dispatchFloating(out.type, conv.describe(), [&](auto tag) {
      using T = decltype(tag);
      if constexpr (sizeof(T) == 2)
        epilogueNhwc8Kernel<<<static_cast<unsigned>((vectors + 255) / 256), 256, 0, ctx.stream>>>(
            static_cast<T*>(out.data), static_cast<const T*>(biasData), static_cast<const T*>(residual), act, cout,
            vectors);
    });
  } else {
    dispatchFloating(out.type, conv.describe(), [&](auto tag) {
      using T = decltype(tag);
      epilogueKernel<<<static_cast<unsigned>((total + 255) / 256), 256, 0, ctx.stream>>>(
          static_cast<T*>(out.data), static_cast<const T*>(biasData), static_cast<const T*>(residual), act, cout,
          outPlane, total);
    });
  }
  check(cudaGetLastError(), "convolution epilogue kernel launch");
}

#ifdef TORCHTRT_WITH_CUDNN
namespace {
// cuDNN pads both sides alike: a convolution with asymmetric padding stays on the im2col path.
bool symmetricPadding(const IConvolutionLayer& conv) {
  const Dims pre = conv.getPrePadding(), post = conv.getPostPadding();
  bool symmetric = post.nbDims == 0 || post.nbDims == pre.nbDims;
  for (int i = 0; symmetric && i < post.nbDims; ++i) symmetric = post.d[i] == pre.d[i];
  return symmetric;
}

// The cuDNN graph configuration of a channels-last 16-bit 2-D convolution whose activation the graph's epilogue
// computes (`inDims` / `outDims` channels-first), with runtime-compiled engines among its candidates where this
// process allows them; false where the graph path does not apply.
bool graphConfigOf(const IConvolutionLayer& conv, DataType type, const Dims& inDims, const Dims& outDims, bool residual,
                   convgraph::Config& config) {
  if (!conv.getChannelsLast() || (type != DataType::kHALF && type != DataType::kBF16) ||
      conv.getKernelSizeNd().nbDims != 2 || !convgraph::available() ||
      !convgraph::fusedActivationSupported(conv.getFusedActivation(), conv.getFusedActivationAlpha(),
                                           conv.getFusedActivationBeta()))
    return false;
  const Geometry g = convGeometry(conv, inDims, outDims);
  config = convgraph::Config{};
  config.type = type;
  config.n = inDims.d[0];
  config.c = inDims.d[1];
  config.h = g.in[1];
  config.w = g.in[2];
  config.k = outDims.d[1];
  config.r = g.k[1];
  config.s = g.k[2];
  config.groups = conv.getNbGroups();
  config.outH = g.out[1];
  config.outW = g.out[2];
  config.padH = g.pad[1];
  config.padW = g.pad[2];
  config.strideH = g.stride[1];
  config.strideW = g.stride[2];
  config.dilH = g.dil[1];
  config.dilW = g.dil[2];
  config.bias = conv.getBiasWeights().count > 0;
  config.residual = residual;
  config.activation = conv.getFusedActivation();
  config.alpha = conv.getFusedActivationAlpha();
  config.beta = conv.getFusedActivationBeta();
  config.runtimeCompiled = convgraph::runtimeFusion();
  return true;
}
}  // namespace

void prebuildConvolutionGraphs(LaunchContext& ctx, const RunState& state) {
  // With runtime-compiled engines only (their NVRTC compiles are what it spreads over threads).
  if (!convgraph::runtimeFusion()) return;
  const Schedule& s = state.schedule;
  // Once per input shapes (and whether tactics are timed). Bounded: a dynamic-shape engine called with ever new
  // shapes forgets the oldest keys, at worst prebuilding a configuration its cache already holds (a lookup).
  std::vector<int64_t> shapes = {state.profile, ctx.timingAllowed ? 1 : 0};
  for (int32_t idx : s.inputIndices)
    for (int i = 0; i < state.shapes[static_cast<size_t>(idx)].nbDims; ++i)
      shapes.push_back(state.shapes[static_cast<size_t>(idx)].d[i]);
  if (ctx.graphsPrebuiltFor.size() >= 256) ctx.graphsPrebuiltFor.clear();
  if (!ctx.graphsPrebuiltFor.insert(std::move(shapes)).second) return;
  std::vector<convgraph::Config> configs;
  std::vector<int32_t> most;
  for (const Schedule::Step& step : s.steps) {
    if (step.layer->getType() != LayerType::kCONVOLUTION || step.inputs.empty()) continue;
    // A shape that waits for a NonZero's count is not known before the run.
    if (state.dataDependent[static_cast<size_t>(step.inputs[0])] ||
        state.dataDependent[static_cast<size_t>(step.output)])
      continue;
    const auto& conv = static_cast<const IConvolutionLayer&>(*step.layer);
    const Dims& inShape = state.shapes[static_cast<size_t>(step.inputs[0])];
    if (conv.isInt8() || !conv.getChannelsLast() || inShape.nbDims != 4 || !symmetricPadding(conv)) continue;
    const Dims inDims = layer_util::channelsFirst(inShape);
    const Dims outDims = layer_util::channelsFirst(state.shapes[static_cast<size_t>(step.output)]);
    convgraph::Config config;
    if (!graphConfigOf(conv, s.tensors[static_cast<size_t>(step.inputs[0])]->getType(), inDims, outDims,
                       step.inputs.size() > 1, config))
      continue;
    // The plan's tactic for this layer and shape, where it has one: its graph plan alone (up to that index), none
    // where it chose another path or where its serialized plan will be adopted instead. Else, in the builder's
    // tuning run, the candidates it times.
    int32_t count = kTimedGraphPlans;
    const std::vector<int64_t> key(inDims.d, inDims.d + inDims.nbDims);
    if (const std::vector<int64_t>* choice = ctx.plannedTactic(&conv, key)) {
      if (choice->size() != 3 || !graphChoiceRunsHere(*choice)) continue;
      config.runtimeCompiled = (*choice)[2] == 1;
      const std::vector<uint8_t>* artifact = ctx.plannedArtifact(&conv, key);
      if (convgraph::adoptsSerializedPlans() && artifact &&
          convgraph::readableArtifact(config, static_cast<int32_t>((*choice)[0]), *artifact))
        continue;
      count = static_cast<int32_t>((*choice)[0]) + 1;
    } else if (!ctx.timingAllowed) {
      continue;  // a loaded engine without a tactic here runs cuDNN's heuristic algorithm
    }
    configs.push_back(config);
    most.push_back(count);
  }
  if (configs.empty()) return;
  // Only a head start: where cuDNN cannot start here, the layers build what they need themselves (or run other
  // tactics), as without it.
  try {
    DnnState& dnn = dnnState(ctx);
    if (!dnn.graphs) dnn.graphs = convgraph::makeGraphCache();
    // One thread a configuration, as many as the host has cores (NVRTC compiles each runtime-fusion plan).
    const int32_t threads = static_cast<int32_t>(std::max(1u, std::min(16u, std::thread::hardware_concurrency())));
    convgraph::prebuild(*dnn.graphs, configs, most, threads);
  } catch (const std::exception&) {
  }
}
#else
void prebuildConvolutionGraphs(LaunchContext&, const RunState&) {}
#endif

void launchConvolution(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const auto& conv = static_cast<const IConvolutionLayer&>(layer);
  if (conv.isInt8()) return launchInt8Convolution(ctx, layer, in, out);
  if (!isFloatingStorage(in[0].type))
    throw Error(layer.describe() + ": the CUDA backend convolves float32, float16 or bfloat16, not " +
                dataTypeName(in[0].type));
  const bool channelsLast = conv.getChannelsLast();
  const Dims inDims = channelsLast ? layer_util::channelsFirst(in[0].dims) : in[0].dims;
  const Dims outDims = channelsLast ? layer_util::channelsFirst(out.dims) : out.dims;
  const Geometry g = convGeometry(conv, inDims, outDims);
  const int64_t channels = outDims.d[1], channelStride = channelsLast ? 1 : g.out[0] * g.out[1] * g.out[2];
  const void* residual = in.size() > 1 ? in[1].data : nullptr;
  // A channels-last pointwise convolution of one group is the matrix product of the [N*H*W, Cin]
  // input rows with the [Cout, Cin] filter: cuBLAS runs it as one GEMM (for the 1x1 planes of
  // squeeze-and-excitation blocks cuDNN's choices are legacy kernels many times slower). Other
  // channels-last convolutions run through cuDNN only.
  const bool nhwcPointwise = channelsLast && conv.getNbGroups() == 1 && isPointwise(g);
  const bool gemmPossible = !channelsLast || nhwcPointwise;
  // The channels-last pointwise GEMM through cuBLASLt with its epilogue: `algorithm` indexes cuBLASLt's ranking (-1:
  // its own pick); with `query`, nothing runs (ltGemmEpilogue). False where the layer's epilogue is not cuBLASLt's or
  // cuBLASLt declines.
  auto ltPointwise = [&](int32_t algorithm, LtQuery* query) {
    const Weights bias = conv.getBiasWeights();
    const int32_t act = conv.getFusedActivation();
    const bool epilogueComputes = act < 0 || productEpilogueComputes(static_cast<ActivationType>(act));
    if (!nhwcPointwise || !epilogueComputes || (bias.count == 0 && !residual && act < 0)) return false;
    const int64_t rows = in[0].dims.volume() / inDims.d[1];
    return ltGemmEpilogue(ctx, in[0].type, false, true, rows, channels, inDims.d[1], in[0].data,
                          ctx.device(conv.getKernelWeights().values),
                          bias.count > 0 ? ctx.device(bias.values) : nullptr, residual, act, 1.f, out.data, LtBatch{},
                          algorithm, query);
  };
  // The channels-last pointwise GEMM through CUTLASS with the layer's activation (SiLU, hard-swish: cuBLASLt's
  // epilogue lacks them) and bias in its epilogue, configuration `config`; false where it cannot run (no such
  // activation, a 32-bit or unaligned operand, no bias, a GPU other than sm_90) or with `query` (only asks).
  const ActivationType fusedType = static_cast<ActivationType>(conv.getFusedActivation());
  const bool cutlassActivation = nhwcPointwise && conv.getFusedActivation() >= 0 && gemmBiasActivationExists(fusedType);
  auto cutlassPointwise = [&](int32_t config, bool query) {
    if (!cutlassActivation) return false;
    GemmBiasProblem problem;
    problem.type = in[0].type;
    problem.M = in[0].dims.volume() / inDims.d[1];
    problem.N = channels;
    problem.K = inDims.d[1];
    problem.A = in[0].data;
    problem.B = ctx.device(conv.getKernelWeights().values);
    const Weights bias = conv.getBiasWeights();
    problem.bias = bias.count > 0 ? ctx.device(bias.values) : nullptr;
    problem.residual = residual;
    problem.D = out.data;
    const int64_t bytes = gemmBiasActivationWorkspace(fusedType, config, problem);
    if (bytes < 0 || query) return bytes >= 0;
    return runGemmBiasActivation(fusedType, config, problem, bytes ? ctx.scratch(static_cast<size_t>(bytes)) : nullptr,
                                 ctx.stream);
  };
  int32_t gemmAlgorithm = -1;  // the plan's (below), or the candidate being timed
  auto viaGemm = [&]() {
    if (!gemmPossible) throw Error(layer.describe() + ": channels-last convolutions run through cuDNN only");
    if (nhwcPointwise) {
      const int64_t rows = in[0].dims.volume() / inDims.d[1];
      const void* weights = ctx.device(conv.getKernelWeights().values);
      if (gemmAlgorithm >= kCutlassGemm && cutlassPointwise(gemmAlgorithm - kCutlassGemm, false)) return;
      // Bias, residual and an activation cuBLASLt's epilogue computes (ReLU, GELU's tanh form) inside the
      // product: no separate pass over the output (EfficientNet's projections, ResNet's 1x1 convolutions).
      // (cuBLASLt's own pick where a CUTLASS choice refused: a plan built for another GPU.)
      if (ltPointwise(gemmAlgorithm >= kCutlassGemm ? -1 : gemmAlgorithm, nullptr)) return;
      gemm(ctx, in[0].type, false, true, rows, channels, inDims.d[1], in[0].data, 0, weights, 0, out.data, 0, 1);
    } else {
      im2colConvolution(ctx, conv, g, in[0], out);
    }
    epilogue(ctx, conv, residual, out, channels, channelStride);
  };
#ifdef TORCHTRT_WITH_CUDNN
  // The own kernels (16-bit channels-last; one channel a group, or narrow groups): bias, residual and
  // activation inside, no epilogue pass. False where they cannot run (a pointer not 16-byte aligned).
  const int64_t groups = conv.getNbGroups();
  const bool depthwise = channelsLast && depthwiseNhwcApplies(in[0].type, groups, inDims.d[1], channels, g);
  // A four-channel image's stem (the builder's few-channel padding): the own tensor-core kernel.
  const bool fewChannel = channelsLast && !depthwise &&
                          fewChannelNhwcApplies(in[0].type, groups, inDims.d[1], channels, g, residual != nullptr);
  const bool ownPossible =
      depthwise || fewChannel || (channelsLast && groupedNhwcApplies(in[0].type, groups, inDims.d[1], channels, g));
  auto viaOwn = [&](int variant) {
    const Weights bias = conv.getBiasWeights();
    const void* filter = ctx.device(conv.getKernelWeights().values);  // KCRS
    const void* biasData = bias.count > 0 ? ctx.device(bias.values) : nullptr;
    const bool ran =
        depthwise ? launchDepthwiseNhwc(ctx.stream, in[0].type, g, inDims.d[0], channels, in[0].data, filter, biasData,
                                        residual, fusedActivationOf(conv), out.data, variant)
        : fewChannel ? launchFewChannelNhwc(ctx.stream, in[0].type, g, inDims.d[0], channels, in[0].data, filter,
                                            biasData, fusedActivationOf(conv), out.data, variant)
                     : launchGroupedNhwc(ctx.stream, in[0].type, g, inDims.d[0], channels, groups, in[0].data, filter,
                                         biasData, residual, fusedActivationOf(conv), out.data);
    if (ran)
      check(cudaGetLastError(), depthwise    ? "depthwise convolution kernel launch"
                                : fewChannel ? "four-channel convolution kernel launch"
                                             : "grouped convolution kernel launch");
    return ran;
  };
  // cuDNN pads both sides alike; asymmetric padding stays on the im2col path.
  if (in[0].dims.nbDims <= 5 && symmetricPadding(conv)) {
    DnnState& state = dnnState(ctx);
    DnnPlan& plan = dnnPlan(ctx, state, conv, inDims, outDims, in[0].type);
    gemmAlgorithm = plan.gemmAlgorithm;
    auto viaDnn = [&]() {
      // On the stream bound now (a tactic's timing captures it on the capture stream).
      checkDnn(cudnnSetStream(state.handle, ctx.stream), "cudnnSetStream");
      if (!dnnConvolution(ctx, state, plan, conv, in[0], residual, out))
        epilogue(ctx, conv, residual, out, channels, channelStride);
    };
    // cuDNN's graph API (16-bit channels-last 2-D, an activation its epilogue computes): plan `index` with the bias,
    // residual and activation fused. False where it cannot run (cuDNN refused it; nothing was written). A recorded
    // graph choice names a candidate of the list it was built from (with or without runtime-compiled engines).
    convgraph::Config graphConfig;
    const bool graphPossible = graphConfigOf(conv, in[0].type, inDims, outDims, residual != nullptr, graphConfig);
    if (plan.useGraph) graphConfig.runtimeCompiled = plan.graphRuntimeCompiled;
    auto graphs = [&]() -> convgraph::GraphCache& {
      if (!state.graphs) state.graphs = convgraph::makeGraphCache();
      return *state.graphs;
    };
    // Plan `index`'s workspace, or -1 where it cannot run here (not built, over the workspace limit, an operand
    // not 16-byte aligned as the graph's tensors declare them: a view at an offset).
    auto graphWorkspace = [&](int32_t index) -> int64_t {
      const Weights bias = conv.getBiasWeights();
      if (!graphPossible || !allAligned16({in[0].data, plan.weights, bias.count > 0 ? ctx.device(bias.values) : nullptr,
                                           residual, out.data}))
        return -1;
      try {
        const int64_t bytes = convgraph::workspaceOf(graphs(), ctx.stream, graphConfig, index);
        return ctx.workspaceLimit > 0 && bytes > 0 && static_cast<size_t>(bytes) > ctx.workspaceLimit ? -1 : bytes;
      } catch (const Error&) {  // cuDNN could not start or take the stream: the other tactics run
        return -1;
      }
    };
    auto viaGraph = [&](int32_t index) {
      const int64_t bytes = graphWorkspace(index);
      if (bytes < 0) return false;
      const Weights bias = conv.getBiasWeights();
      convgraph::Buffers buffers;
      buffers.x = in[0].data;
      buffers.w = plan.weights;  // KRSC
      buffers.bias = bias.count > 0 ? ctx.device(bias.values) : nullptr;
      buffers.residual = residual;
      buffers.y = out.data;
      buffers.workspace = bytes > 0 ? ctx.scratch(static_cast<size_t>(bytes)) : nullptr;
      try {
        return convgraph::run(graphs(), ctx.stream, graphConfig, index, buffers);
      } catch (const Error&) {
        return false;
      }
    };
    // A loaded engine's graph plan from its plan file (serialized where the builder built it): a runtime-compiled
    // kernel is not compiled again. Where cuDNN cannot read it here, the plan is built as in the builder.
    if (plan.useGraph && !plan.graphAdopted && graphPossible) {
      plan.graphAdopted = true;
      if (const std::vector<uint8_t>* artifact = ctx.plannedArtifact(&conv, plan.key)) try {
          convgraph::adopt(graphs(), ctx.stream, graphConfig, plan.graphPlan, *artifact);
        } catch (const Error&) {  // cuDNN could not start: the other tactics run
        }
    }
    // A recorded graph choice this GPU, cuDNN or workspace cannot run (checked once per plan, not on every call): in
    // the builder's tuning run the layer is timed again (its other tactics), in a loaded engine cuDNN's heuristic
    // algorithm runs instead.
    if (plan.timed && plan.useGraph && !plan.graphChecked) {
      plan.graphChecked = true;
      if (graphWorkspace(plan.graphPlan) < 0) {
        plan.useGraph = false;
        // Timed again below among this process's candidates.
        graphConfig.runtimeCompiled = convgraph::runtimeFusion();
        if (ctx.timingAllowed) {
          measureAlgorithms(ctx, state, plan, in[0].type == DataType::kHALF || in[0].type == DataType::kBF16,
                            kTimedAlgorithms);
          if (!plan.candidates.empty()) plan.timed = false;
        }
      }
    }
    // im2col's column buffer counts against the workspace limit too (1x1 stride-1 needs none); asked
    // only while a tactic is chosen, not on every call.
    auto gemmFits = [&]() {
      if (!gemmPossible) return false;
      const int64_t kVol = g.k[0] * g.k[1] * g.k[2];
      const size_t colBytes = isPointwise(g) ? 0
                                             : static_cast<size_t>(inDims.d[0] * (inDims.d[1] / conv.getNbGroups()) *
                                                                   kVol * g.out[0] * g.out[1] * g.out[2]) *
                                                   dataTypeSize(in[0].type);
      return ctx.workspaceLimit == 0 || colBytes <= ctx.workspaceLimit;
    };
    if (plan.inherited) {  // a tactic timed at another shape: run it, or time this shape if it fails here
      plan.inherited = false;
      if (plan.useGraph && viaGraph(plan.graphPlan)) return;
      plan.useGraph = false;
      if (plan.useOwnKernel && ownPossible && viaOwn(plan.ownVariant)) return;
      try {
        if (!plan.useDnn && gemmFits()) {
          viaGemm();
        } else {
          plan.useDnn = true;
          viaDnn();
        }
        return;
      } catch (const Error&) {
        rankAlgorithms(ctx, state, plan, in[0].type == DataType::kHALF || in[0].type == DataType::kBF16,
                       kTimedAlgorithms);
        if (plan.candidates.empty())
          throw Error(layer.describe() + ": cuDNN found no convolution algorithm for input " + inDims.str());
        plan.timed = false;
        if (!ctx.timingAllowed) {  // a loaded engine: the first ranked algorithm cuDNN runs, untimed
          for (const auto& candidate : plan.candidates) {
            plan.algo = candidate.algo;
            plan.workspace = candidate.memory;
            plan.fusedFailed = false;
            try {
              viaDnn();
              plan.useDnn = plan.timed = true;
              return;
            } catch (const Error&) {
            }
          }
          if (!gemmFits())
            throw Error(layer.describe() + ": cuDNN refused every ranked algorithm for input " + inDims.str());
          plan.useDnn = false;
          plan.timed = true;
          viaGemm();
          return;
        }
      }
    }
    if (!plan.timed) {
      // Tactic choice, once per layer and shape on the first run (TensorRT times tactics at build): each candidate
      // algorithm with the layer's real call, then the GEMM path (im2col + GEMM channels-first; for a channels-last
      // pointwise convolution cuBLASLt's own pick and each of its ranked algorithms), the own kernels and cuDNN's graph
      // plans. Each is timed as the engine's captured graph runs it (a memset before a kernel, or an epilogue pass
      // after it, is a node of the candidate's); where some candidate cannot be captured, all are timed on the stream,
      // so that one method's figures are compared.
      auto choose = [&](bool asGraphs) {
        bool allCaptured = true;
        // `fn` returns false where the candidate cannot run (`ran` false); throws where cuDNN refuses it.
        auto timeTactic = [&](const std::function<bool()>& fn, bool& ran) {
          if (!asGraphs) return timeOnStreamIfRuns(ctx, fn, ran);
          bool captured = false;
          const float ms = timeAsGraph(ctx, fn, ran, captured);
          if (ran && !captured) allCaptured = false;
          return ms;
        };
        auto runs = [](const std::function<void()>& fn) {
          return [fn]() {
            fn();
            return true;
          };
        };
        float best = -1.f;
        cudnnConvolutionFwdAlgoPerf_t bestAlgo = plan.candidates[0];
        bool bestFusedFailed = false;
        for (const auto& candidate : plan.candidates) {
          plan.algo = candidate.algo;
          plan.workspace = candidate.memory;
          plan.fusedFailed = false;
          float ms = 0.f;
          bool ran = true;
          try {
            ms = timeTactic(runs(viaDnn), ran);
          } catch (const Error&) {  // cuDNN ranks algorithms it then refuses for some configurations
            continue;
          }
          if (ran && (best < 0.f || ms < best)) {
            best = ms;
            bestAlgo = candidate;
            bestFusedFailed = plan.fusedFailed;
          }
        }
        plan.algo = bestAlgo.algo;
        plan.workspace = bestAlgo.memory;
        plan.fusedFailed = bestFusedFailed;
        // Where cuDNN refused every candidate, im2col + GEMM runs the layer (channels-first only).
        if (best < 0.f && !gemmPossible)
          throw Error(layer.describe() + ": cuDNN refused every algorithm for this channels-last convolution");
        const bool gemmFitsHere = gemmFits();
        if (best < 0.f && !gemmFitsHere)
          throw Error(layer.describe() + ": no convolution algorithm fits the workspace limit of " +
                      std::to_string(ctx.workspaceLimit) + " bytes; raise workspace_size");
        // The GEMM path: cuBLASLt's own pick, then its ranked algorithms where its epilogue takes the layer's.
        float gemmBest = -1.f;
        plan.gemmAlgorithm = -1;
        if (gemmFitsHere) {
          LtQuery query;
          const int32_t ranked = ltPointwise(-1, &query) ? std::min(query.candidates, kLtRankedAlgorithms) : 0;
          // Then the CUTLASS products with the layer's activation in their epilogue (the GEMM and the activation
          // pass otherwise).
          std::vector<int32_t> gemmCandidates;
          for (int32_t algorithm = -1; algorithm < ranked; ++algorithm) gemmCandidates.push_back(algorithm);
          for (int32_t config = 0; config < gemmBiasActivationConfigs(); ++config)
            if (cutlassPointwise(config, true)) gemmCandidates.push_back(kCutlassGemm + config);
          for (const int32_t algorithm : gemmCandidates) {
            gemmAlgorithm = algorithm;
            bool ran = true;
            float ms = 0.f;
            try {
              // A ranked algorithm cuBLASLt declines does not run (in a loaded engine its own pick would).
              ms = algorithm < 0 ? timeTactic(runs(viaGemm), ran)
                   : algorithm >= kCutlassGemm
                       ? timeTactic([&]() { return cutlassPointwise(algorithm - kCutlassGemm, false); }, ran)
                       : timeTactic([&]() { return ltPointwise(algorithm, nullptr); }, ran);
            } catch (const Error&) {
              continue;
            }
            if (ran && (gemmBest < 0.f || ms < gemmBest)) {
              gemmBest = ms;
              plan.gemmAlgorithm = algorithm;
            }
          }
          gemmAlgorithm = plan.gemmAlgorithm;
        }
        plan.useDnn = best >= 0.f && (gemmBest < 0.f || best <= gemmBest);
        if (plan.useDnn) plan.gemmAlgorithm = gemmAlgorithm = -1;
        plan.useOwnKernel = plan.useGraph = false;
        plan.ownVariant = 0;
        plan.graphPlan = -1;
        if ((kTimeOwnKernels && ownPossible) || graphPossible) {  // against the faster of the two above
          float chosen = plan.useDnn ? best : gemmBest;
          // The own kernel's variants (the depthwise row kernel's shapes), each timed.
          const int variants = kTimeOwnKernels && ownPossible ? (depthwise    ? depthwiseNhwcVariants(g)
                                                                 : fewChannel ? fewChannelVariantsTimed()
                                                                              : 1)
                                                              : 0;
          for (int variant = 0; variant < variants; ++variant) {
            if (fewChannel && !fewChannelVariantDiffers(channels, variant)) continue;  // the same launch as one timed
            bool ran = true;
            const float own = timeTactic([&]() { return viaOwn(variant); }, ran);
            if (ran && own < chosen) {
              chosen = own;
              plan.useOwnKernel = true;
              plan.ownVariant = variant;
            }
          }
          // cuDNN graph plans (the bias, residual and activation in the convolution's own epilogue).
          const int32_t graphPlans =
              graphPossible ? convgraph::planCount(graphs(), ctx.stream, graphConfig, kTimedGraphPlans) : 0;
          for (int32_t i = 0; i < graphPlans; ++i) {
            bool ran = true;
            const float ms = timeTactic([&]() { return viaGraph(i); }, ran);
            if (ran && ms < chosen) {
              chosen = ms;
              plan.useGraph = true;
              plan.graphPlan = i;
              plan.graphRuntimeCompiled = graphConfig.runtimeCompiled;
            }
          }
        }
        return allCaptured;
      };
      if (convolutionTimingOnStream() || !choose(true)) choose(false);
      plan.timed = true;
      ctx.recordTactic(&conv, plan.key, choiceOf(plan));
      (ctx.timingCache ? *ctx.timingCache : state.timedBySignature)[plan.signature] = choiceOf(plan);
    }
    // The builder's run keeps the chosen graph plan, serialized, beside its tactic in the plan file.
    if (ctx.timingAllowed && plan.useGraph && !plan.artifactRecorded && ctx.timedTactics.count({&conv, plan.key})) {
      plan.artifactRecorded = true;
      try {
        std::vector<uint8_t> bytes = convgraph::serialize(graphs(), ctx.stream, graphConfig, plan.graphPlan);
        if (!bytes.empty()) ctx.timedArtifacts[{&conv, plan.key}] = std::move(bytes);
      } catch (const Error&) {  // nothing kept: a loaded engine builds the plan itself
      }
    }
    if (plan.useGraph && viaGraph(plan.graphPlan)) return;
    if (plan.useOwnKernel && ownPossible && viaOwn(plan.ownVariant)) return;
    if (plan.useDnn)
      viaDnn();
    else
      viaGemm();
    return;
  }
#endif
  viaGemm();
}

#ifndef TORCHTRT_WITH_CUDNN
// Without cuDNN a convolution records no tactic (im2col + GEMM always runs).
std::string describeConvolutionTactic(const IConvolutionLayer&, const std::vector<int64_t>&) { return {}; }
#endif

}  // namespace cuda
}  // namespace trt
