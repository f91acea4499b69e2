// Scaled dot-product attention on the GPU.
// - FP16 and BF16 over sequences of at most 64 through the own small-sequence kernel (attention_small.cu).
// - Other FP16 and BF16 through cuDNN's fused SDPA (attention_cudnn.h: the frontend's graph API, when the
//   build found its headers). Its graphs are built once per shape, type and mask configuration and
//   kept in the context. A mask becomes an additive bias [B or 1, H or 1, Sq or 1, Sk] (one row read
//   with a zero stride for a padding mask); rows whose every key is masked out are rewritten afterwards
//   (0 or NaN, the layer's rule), so what cuDNN does with them does not matter.
// - Otherwise (FP32, no frontend, a configuration cuDNN refuses): float32 scores = Q K^T * scale by a
//   batched GEMM into scratch, the masked softmax below, then P V by a second GEMM.
// Tensors the builder made sequence-major ([B, S, H, D], layers/attention_layout.h) are read by cuDNN
// through their strides; the composed path copies them to [B, H, S, D] first (and its output back).
#include <algorithm>
#include <cfloat>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <list>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "backends/cuda/attention_cudnn.h"
#include "backends/cuda/attention_kernels.cuh"
#include "backends/cuda/cuda_kernels.h"
#include "backends/cuda/float_types.cuh"
#include "backends/cuda/tactic_timing.cuh"
#include "layers/attention_layout.h"
#include "layers/layer_util.h"

namespace trt {
namespace cuda {

namespace {

// One warp per query row of the float32 scores [B*H*Sq, Sk] (already scaled): mask, causal triangle
// and softmax (FP32 math, the row's maximum subtracted), the weights written in T (over the scores when
// T is float). A row whose every score is -inf gets weights 0 when `zeroEmptyRows` (PyTorch's safe
// softmax), else the plain softmax's NaN.
template <typename T>
__global__ void maskedSoftmaxKernel(const float* scores, T* weights, MaskView mask, Geometry g, bool causal,
                                    bool zeroEmptyRows) {
  const int64_t row = (static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / 32;
  const int lane = threadIdx.x % 32;
  if (row >= g.b * g.h * g.sq) return;
  const int64_t i = row % g.sq, bh = row / g.sq, bi = bh / g.h, hi = bh % g.h;
  const int64_t maskRow = mask.st.rowOffset(bi, hi, i);
  const float* x = scores + row * g.sk;
  T* w = weights + row * g.sk;
  auto value = [&](int64_t j) {
    float add;
    if (maskedOut<T>(mask, causal, maskRow, i, j, add)) return -INFINITY;
    return x[j] + add;
  };
  float mx = -INFINITY;
  bool any = false;  // a score other than -inf
  for (int64_t j = lane; j < g.sk; j += 32) {
    const float v = value(j);
    mx = fmaxf(mx, v);
    any |= v != -INFINITY;
  }
  for (int s = 16; s > 0; s >>= 1) mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, s));
  any = __any_sync(0xffffffffu, any);
  if (!any && zeroEmptyRows) {
    for (int64_t j = lane; j < g.sk; j += 32) w[j] = fromFloat<T>(0.f);
    return;
  }
  float sum = 0.f;
  for (int64_t j = lane; j < g.sk; j += 32) sum += expf(value(j) - mx);
  for (int s = 16; s > 0; s >>= 1) sum += __shfl_xor_sync(0xffffffffu, sum, s);
  const float inv = 1.f / sum;
  // Each lane rewrites only the elements it read, so reading x[j] again is safe where w is x.
  for (int64_t j = lane; j < g.sk; j += 32) w[j] = fromFloat<T>(expf(value(j) - mx) * inv);
}

// scores[b] = Q[b] K[b]^T * scale in float32 for 16-bit Q and K (FP32 accumulation and output, as
// PyTorch keeps 16-bit attention's logits in float32: rounding a logit of ~100 to 16 bits moves it by
// ~0.06). Row-major [Sq, Sk] = column-major [Sk, Sq] = K Q^T.
void halfScores(LaunchContext& ctx, DataType type, const Geometry& g, const void* q, const void* k, float* scores,
                float scale) {
  const cudaDataType_t dt = type == DataType::kHALF ? CUDA_R_16F : CUDA_R_16BF;
  const float beta = 0.f;
  check(cublasSetMathMode(ctx.blas, CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
  check(cublasGemmStridedBatchedEx(ctx.blas, CUBLAS_OP_T, CUBLAS_OP_N, static_cast<int>(g.sk), static_cast<int>(g.sq),
                                   static_cast<int>(g.d), &scale, k, dt, static_cast<int>(g.d), g.sk * g.d, q, dt,
                                   static_cast<int>(g.d), g.sq * g.d, &beta, scores, CUDA_R_32F, static_cast<int>(g.sk),
                                   g.sq * g.sk, static_cast<int>(g.b * g.h), CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT),
        "cublasGemmStridedBatchedEx (attention scores)");
}

// The composed path: two batched GEMMs around the masked softmax; the float32 scores (and, for 16-bit
// types, the weights in that type) in scratch.
size_t composedScratchBytes(DataType type, const Geometry& g) {
  const int64_t rows = g.b * g.h * g.sq;
  const size_t scoreBytes = static_cast<size_t>(rows * g.sk) * sizeof(float);
  const size_t weightOffset = (scoreBytes + 255) / 256 * 256;
  return type != DataType::kFLOAT ? weightOffset + static_cast<size_t>(rows * g.sk) * dataTypeSize(type) : scoreBytes;
}

// Q, K, V and the output [B, H, S, D] packed; `scratch` holds composedScratchBytes().
void composedAttention(LaunchContext& ctx, const IAttentionLayer& layer, const std::vector<TensorView>& in,
                       TensorView& out, const Geometry& g, char* scratch) {
  const DataType type = in[0].type;
  const bool sixteen = type != DataType::kFLOAT;
  const int64_t batch = g.b * g.h, rows = batch * g.sq;
  const size_t scoreBytes = static_cast<size_t>(rows * g.sk) * sizeof(float);
  const size_t weightOffset = (scoreBytes + 255) / 256 * 256;
  float* scores = reinterpret_cast<float*>(scratch);
  void* weights = sixteen ? static_cast<void*>(scratch + weightOffset) : static_cast<void*>(scores);
  if (sixteen)
    halfScores(ctx, type, g, in[0].data, in[1].data, scores, layer.scaleFor(g.d));
  else
    gemm(ctx, type, false, true, g.sq, g.sk, g.d, in[0].data, g.sq * g.d, in[1].data, g.sk * g.d, scores, g.sq * g.sk,
         batch, layer.scaleFor(g.d));
  const MaskView mask = maskView(in);
  dispatchFloating(type, layer.describe(), [&](auto tag) {
    using T = decltype(tag);
    constexpr int kThreads = 128;
    const int64_t blocks = (rows * 32 + kThreads - 1) / kThreads;
    maskedSoftmaxKernel<T><<<static_cast<unsigned>(blocks), kThreads, 0, ctx.stream>>>(
        scores, static_cast<T*>(weights), mask, g, layer.getCausal(), layer.getZeroFullyMaskedRows());
  });
  check(cudaGetLastError(), "attention softmax kernel launch");
  gemm(ctx, type, false, false, g.sq, g.dv, g.sk, weights, g.sq * g.sk, in[2].data, g.sk * g.dv, out.data, g.sq * g.dv,
       batch);
}

// The additive bias cuDNN reads, [bb, bh, rows, Sk] (bb, bh: the mask's batch and head extents, 1 or
// B / H; rows: 1 when the mask has one row of keys for every query, else Sq): the float mask, or
// 0 / masked from a bool mask.
template <typename T>
__global__ void denseBiasKernel(MaskView m, Geometry g, int64_t bb, int64_t bhd, int64_t rows, T* bias) {
  const int64_t n = bb * bhd * rows * g.sk;
  const int64_t e = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (e >= n) return;
  const int64_t j = e % g.sk, i = (e / g.sk) % rows, h = (e / (g.sk * rows)) % bhd, b = e / (g.sk * rows * bhd);
  const int64_t off = m.st.rowOffset(b, h, i) + j * m.st.key;
  // Masked-out keys get a large finite negative bias, not -inf: cuDNN's online softmax can compute
  // exp(-inf - -inf) = NaN for a tile whose keys are all masked, and spread it into a row that still
  // has live keys (PyTorch and JAX feed cuDNN a finite value for the same reason). exp(-30000 - max)
  // is 0 in float, so live rows are unchanged; rows with no live key are rewritten afterwards from the
  // original mask.
  constexpr float kMasked = -30000.f;
  float v;
  if (m.isBool) {
    v = static_cast<const uint8_t*>(m.data)[off] ? 0.f : kMasked;
  } else {
    v = toFloat(static_cast<const T*>(m.data)[off]);
    if (v == -INFINITY) v = kMasked;
  }
  bias[e] = fromFloat<T>(v);
}

// Which query rows have no live key, computed once per distinct row of the mask: [eb, eh, ei] with
// extents B or 1, H or 1, Sq or 1 as the mask varies along them (Sq with the causal triangle, which
// depends on the row). A warp per distinct row; live[r] is 1 when some key is live.
template <typename T>
__global__ void liveRowsKernel(MaskView m, Geometry g, bool causal, int64_t eh, int64_t ei, int64_t count,
                               uint8_t* live) {
  const int64_t r = (static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / 32;
  const int lane = threadIdx.x % 32;
  if (r >= count) return;
  const int64_t i = r % ei, h = (r / ei) % eh, b = r / (ei * eh);
  const int64_t maskRow = m.st.rowOffset(b, h, i);
  bool any = false;
  for (int64_t j = lane; j < g.sk && !any; j += 32) {
    float add;
    any = !maskedOut<T>(m, causal, maskRow, i, j, add) && add != -INFINITY;
  }
  any = __any_sync(0xffffffffu, any);
  if (lane == 0) live[r] = any ? 1 : 0;
}

// Rows without a live key (the causal triangle and the mask together): the output row becomes 0 or
// NaN, the layer's rule, whatever cuDNN computed there. A thread per output row, which reads its
// distinct mask row's flag.
template <typename T>
__global__ void emptyRowsKernel(const uint8_t* live, Geometry g, int64_t eb, int64_t eh, int64_t ei, bool zero,
                                AttentionStrides os, T* out) {
  const int64_t row = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (row >= g.b * g.h * g.sq) return;
  const int64_t i = row % g.sq, h = (row / g.sq) % g.h, b = row / (g.sq * g.h);
  const int64_t r = ((eb > 1 ? b : 0) * eh + (eh > 1 ? h : 0)) * ei + (ei > 1 ? i : 0);
  if (live[r]) return;
  const T fill = fromFloat<T>(zero ? 0.f : NAN);
  T* o = out + b * os.b + h * os.h + i * os.s;
  for (int64_t c = 0; c < g.dv; ++c) o[c] = fill;
}

// What a mask becomes for cuDNN: the additive bias it reads and the live-row flags. Every layer of a
// transformer reads the same padding mask (often through a reshape, a view of the same memory), so the
// first attention of a run that reads it computes them and the others reuse them (BERT's 12 layers
// recomputing them took 6% of a call). Kept per context in device memory of their own (the scratch is
// the next layer's), so a captured graph replays them too. They are reused while the run is the same
// and no layer has written the mask's memory since (LaunchContext::watches).
struct MaskProducts {
  std::vector<int64_t> key;  // the mask's address, dims and type, the geometry and the bias layout
  int64_t run = -1;          // LaunchContext::layerRuns when they were last computed
  std::list<LaunchContext::Watch>::iterator watch;  // the mask's memory
  void* device = nullptr;                           // the bias, then the flags
  MaskProducts() = default;
  MaskProducts(const MaskProducts&) = delete;
  MaskProducts& operator=(const MaskProducts&) = delete;
  ~MaskProducts() {
    if (device) cudaFree(device);
  }
};

// Distinct masks kept at once (an encoder-decoder reads two or three; a new shape adds one).
constexpr size_t kMaxMaskProducts = 8;

struct SdpaState {
  std::shared_ptr<sdpa::GraphCache> graphs;
  std::list<MaskProducts> masks;  // most recently used first
  // Plan choices by configuration (planSignature) where the build has no timing cache.
  std::map<std::vector<int64_t>, std::vector<int64_t>> timed;
};

SdpaState& sdpaState(LaunchContext& ctx) {
  auto& slot = ctx.kindState[LayerType::kATTENTION];
  if (!slot) slot = std::make_shared<SdpaState>(SdpaState{sdpa::makeGraphCache(), {}, {}});
  return *static_cast<SdpaState*>(slot.get());
}

struct MaskProductsSlot {
  void* device = nullptr;  // nullptr: none free (every kept one serves this run): compute in scratch
  bool current = false;    // computed by this run from the mask as it is now
};

// Where the products of the mask at [maskBegin, maskEnd) with this `key` live (`bytes` of device memory).
MaskProductsSlot maskProducts(LaunchContext& ctx, std::vector<int64_t> key, uintptr_t maskBegin, uintptr_t maskEnd,
                              size_t bytes) {
  std::list<MaskProducts>& masks = sdpaState(ctx).masks;
  for (auto it = masks.begin(); it != masks.end(); ++it) {
    if (it->key != key) continue;
    masks.splice(masks.begin(), masks, it);
    const bool current = it->run == ctx.layerRuns && !it->watch->written;
    it->run = ctx.layerRuns;
    it->watch->written = false;
    return {it->device, current};
  }
  if (masks.size() >= kMaxMaskProducts) {
    if (masks.back().run == ctx.layerRuns) return {};  // all in use by this run: no eviction mid-run
    check(cudaStreamSynchronize(ctx.stream), "cudaStreamSynchronize (attention mask products)");
    ctx.dropGraph();  // it may read the memory freed here
    ctx.watches.erase(masks.back().watch);
    masks.pop_back();
  }
  void* device = nullptr;
  if (cudaMalloc(&device, bytes) != cudaSuccess) {  // out of memory: the products go in the scratch
    (void)cudaGetLastError();
    return {};
  }
  masks.emplace_front();
  MaskProducts& made = masks.front();
  made.device = device;
  made.key = std::move(key);
  made.run = ctx.layerRuns;
  made.watch = ctx.watches.insert(ctx.watches.end(), LaunchContext::Watch{maskBegin, maskEnd, false});
  return {device, false};
}

sdpa::GraphCache& graphCache(LaunchContext& ctx) { return *sdpaState(ctx).graphs; }

bool aligned16(const void* p) { return reinterpret_cast<uintptr_t>(p) % 16 == 0; }

size_t padded256(size_t bytes) { return (bytes + 255) / 256 * 256; }

// Plan `plan`'s workspace where it runs here within the builder's workspace limit beside `reserved` bytes of the
// scratch (the mask's products where they cannot be kept), else -1.
int64_t runnableWorkspace(LaunchContext& ctx, const sdpa::Config& config, int32_t plan, size_t reserved) {
  const int64_t bytes = sdpa::prepare(graphCache(ctx), ctx.stream, config, plan);
  return bytes < 0 || (ctx.workspaceLimit > 0 && static_cast<size_t>(bytes) + reserved > ctx.workspaceLimit) ? -1
                                                                                                             : bytes;
}

// The timing cache's key of a configuration's plan choice (with cuDNN's and the frontend's versions: the plans
// differ between versions).
std::vector<int64_t> planSignature(const sdpa::Config& config) {
  std::vector<int64_t> signature = {static_cast<int64_t>(LayerType::kATTENTION), sdpa::versionKey()};
  const std::vector<int64_t> key = sdpa::configurationKey(config);
  signature.insert(signature.end(), key.begin(), key.end());
  return signature;
}

// Which of a configuration's plans runs, and the workspace to provide: the plan file's choice, else the timing
// cache's, else in the builder's tuning run every runnable plan (`timed`: the workspace is the largest of theirs and
// timePlans() chooses once the buffers exist), else the first runnable (cuDNN's heuristic pick). Plan -1: none runs.
// Plans are built as far as asked: a loaded engine builds those up to the one it runs.
struct PlanChoice {
  int32_t plan = -1;
  int64_t workspace = -1;
  bool timed = false;
};

PlanChoice choosePlan(LaunchContext& ctx, const IAttentionLayer& layer, const TensorView& q, const sdpa::Config& config,
                      size_t reserved) {
  PlanChoice choice;
  auto take = [&](int64_t plan) {
    if (plan < 0 || plan >= sdpa::kMostPlans) return false;
    choice.workspace = runnableWorkspace(ctx, config, static_cast<int32_t>(plan), reserved);
    choice.plan = choice.workspace < 0 ? -1 : static_cast<int32_t>(plan);
    return choice.plan >= 0;
  };
  const std::vector<int64_t> shape(q.dims.d, q.dims.d + q.dims.nbDims);
  if (const std::vector<int64_t>* planned = ctx.plannedTactic(&layer, shape))
    if (planned->size() == 1 && take((*planned)[0])) return choice;
  const int32_t plans = ctx.timingAllowed ? sdpa::planCount(graphCache(ctx), ctx.stream, config, sdpa::kMostPlans) : 0;
  if (plans > 1) {
    const auto& timings = ctx.timingCache ? *ctx.timingCache : sdpaState(ctx).timed;
    const auto cached = timings.find(planSignature(config));
    if (cached != timings.end() && cached->second.size() == 1 && take(cached->second[0])) {
      ctx.recordTactic(&layer, shape, {choice.plan});
      return choice;
    }
    int32_t runnable = 0;
    for (int32_t plan = 0; plan < plans; ++plan) {
      const int64_t bytes = runnableWorkspace(ctx, config, plan, reserved);
      if (bytes < 0) continue;
      ++runnable;
      if (choice.plan < 0) choice.plan = plan;
      choice.workspace = std::max(choice.workspace, bytes);
    }
    choice.timed = runnable > 1;
    if (!choice.timed && choice.plan >= 0) ctx.recordTactic(&layer, shape, {choice.plan});
    return choice;
  }
  for (int32_t plan = 0; plan < sdpa::kMostPlans; ++plan)
    if (take(plan)) break;
  return choice;
}

// The builder's choice among a configuration's runnable plans: each timed as the engine's captured graph runs it
// (a memset cuDNN puts before a plan's kernel counts against that plan), on `buffers`, which hold the largest
// workspace. Recorded in the plan and the timing cache; where none ran, nothing is recorded and `first` runs.
int32_t timePlans(LaunchContext& ctx, const IAttentionLayer& layer, const TensorView& q, const sdpa::Config& config,
                  size_t reserved, int32_t first, const sdpa::Buffers& buffers) {
  const int32_t plans = sdpa::planCount(graphCache(ctx), ctx.stream, config, sdpa::kMostPlans);
  std::vector<TimedTactic> timed;
  auto runPlan = [&](int32_t plan) { return sdpa::run(graphCache(ctx), ctx.stream, config, plan, buffers); };
  for (int32_t plan = 0; plan < plans; ++plan) {
    if (runnableWorkspace(ctx, config, plan, reserved) < 0) continue;
    bool ran = true, asGraph = false;
    float ms = 0.f;
    try {
      ms = timeAsGraph(
          ctx, [&]() { return runPlan(plan); }, ran, asGraph);
    } catch (const Error&) {
      continue;
    }
    // TORCHTRT_LOG_ATTENTION_TACTICS=1: every timed plan on stderr.
    static const bool logTimings = std::getenv("TORCHTRT_LOG_ATTENTION_TACTICS") != nullptr;
    if (logTimings)
      std::fprintf(stderr, "attention tactic timing: %s, cuDNN plan %d (workspace %lld bytes): %s\n", layer.getName(),
                   plan, static_cast<long long>(sdpa::prepare(graphCache(ctx), ctx.stream, config, plan)),
                   ran ? (std::to_string(ms) + (asGraph ? " as a graph" : " on the stream")).c_str() : "did not run");
    if (ran) timed.push_back({plan, ms, asGraph});
  }
  const int32_t best = static_cast<int32_t>(fastestOfOneMethod(timed, [&](int64_t plan, float& ms) {
    bool ran = true;
    ms = timeOnStreamIfRuns(
        ctx, [&]() { return runPlan(static_cast<int32_t>(plan)); }, ran);
    return ran;
  }));
  if (best < 0) return first;
  const std::vector<int64_t> shape(q.dims.d, q.dims.d + q.dims.nbDims);
  ctx.recordTactic(&layer, shape, {best});
  (ctx.timingCache ? *ctx.timingCache : sdpaState(ctx).timed)[planSignature(config)] = {best};
  return best;
}

// Runs the layer through cuDNN's SDPA; false when cuDNN does not take this configuration.
bool dnnAttention(LaunchContext& ctx, const IAttentionLayer& layer, const std::vector<TensorView>& in, TensorView& out,
                  const Geometry& g) {
  const DataType type = in[0].type;
  if (!sdpa::available() || (type != DataType::kHALF && type != DataType::kBF16) || g.sq == 0 || g.sk == 0)
    return false;
  if (!aligned16(in[0].data) || !aligned16(in[1].data) || !aligned16(in[2].data) || !aligned16(out.data)) return false;
  const MaskView mask = maskView(in);
  const bool causal = layer.getCausal();
  sdpa::Config config;
  config.type = type;
  config.b = g.b, config.h = g.h, config.sq = g.sq, config.sk = g.sk, config.d = g.d, config.dv = g.dv;
  config.causal = causal;
  config.scale = layer.scaleFor(g.d);
  config.sequenceMajor = attentionSequenceMajor(layer);
  if (mask.data) {
    config.biasBatch = mask.st.outer || mask.st.period > 1 ? g.b : 1;
    config.biasHeads = mask.st.head ? g.h : 1;
    config.biasRows = mask.st.row ? g.sq : 1;
  }
  sdpa::GraphCache& graphs = graphCache(ctx);
  if (sdpa::planCount(graphs, ctx.stream, config, 1) == 0 && config.biasRows == 1) {
    config.biasRows = g.sq;  // a zero-stride bias refused: the bias materialized per row
    if (sdpa::planCount(graphs, ctx.stream, config, 1) == 0) return false;
  }
  // The mask's products (the bias, then the live-row flags, 256-byte aligned) once per run where they
  // can be kept, else in the scratch before cuDNN's workspace.
  const int64_t biasCount = config.biasBatch * config.biasHeads * config.biasRows * g.sk;
  const int64_t eb = config.biasBatch > 1 ? g.b : 1, eh = config.biasHeads > 1 ? g.h : 1,
                ei = (mask.data && mask.st.row) || causal ? g.sq : 1;
  const int64_t liveCount = mask.data ? eb * eh * ei : 0;
  const size_t biasBytes = padded256(static_cast<size_t>(biasCount) * 2);
  const size_t liveBytes = padded256(static_cast<size_t>(liveCount));
  // A plan is chosen among those whose workspace fits the limit beside the products in the scratch (the worst case).
  const size_t reserved = mask.data ? biasBytes + liveBytes : 0;
  const PlanChoice choice = choosePlan(ctx, layer, in[0], config, reserved);
  if (choice.plan < 0) return false;
  const int64_t workspace = choice.workspace;
  // Refused before the mask's products are claimed: a kept entry marked computed must be computed.
  if (ctx.workspaceLimit > 0 && static_cast<size_t>(workspace) > ctx.workspaceLimit) return false;
  MaskProductsSlot slot;
  // Kept only within the builder's workspace limit (else they go in the scratch, which it bounds).
  if (mask.data && (ctx.workspaceLimit == 0 || biasBytes + liveBytes <= ctx.workspaceLimit)) {
    const uintptr_t maskBegin = reinterpret_cast<uintptr_t>(mask.data);
    const uintptr_t maskEnd = maskBegin + static_cast<size_t>(in[3].dims.volume()) * dataTypeSize(in[3].type);
    std::vector<int64_t> key = {static_cast<int64_t>(maskBegin), static_cast<int64_t>(in[3].type), in[3].dims.nbDims};
    for (int i = 0; i < in[3].dims.nbDims; ++i) key.push_back(in[3].dims.d[i]);
    key.insert(key.end(), {static_cast<int64_t>(type), causal, g.b, g.h, g.sq, g.sk, config.biasBatch, config.biasHeads,
                           config.biasRows});
    slot = maskProducts(ctx, std::move(key), maskBegin, maskEnd, biasBytes + liveBytes);
  }
  const size_t inScratch = mask.data && !slot.device ? biasBytes + liveBytes : 0;
  if (ctx.workspaceLimit > 0 && inScratch + static_cast<size_t>(workspace) > ctx.workspaceLimit)
    return false;  // (no kept entry was claimed) the composed path, within the limit or with its own clear error
  char* scratch = static_cast<char*>(ctx.scratch(inScratch + static_cast<size_t>(workspace) + 1));
  sdpa::Buffers buffers;
  buffers.q = in[0].data, buffers.k = in[1].data, buffers.v = in[2].data, buffers.o = out.data;
  buffers.workspace = workspace > 0 ? scratch + inScratch : nullptr;
  char* products = slot.device ? static_cast<char*>(slot.device) : scratch;
  if (mask.data) {
    if (!slot.current) {
      uint8_t* live = reinterpret_cast<uint8_t*>(products + biasBytes);
      dispatchFloating(type, layer.describe(), [&](auto tag) {
        using T = decltype(tag);
        denseBiasKernel<T><<<static_cast<unsigned>((biasCount + 255) / 256), 256, 0, ctx.stream>>>(
            mask, g, config.biasBatch, config.biasHeads, config.biasRows, reinterpret_cast<T*>(products));
        check(cudaGetLastError(), "attention bias kernel launch");
        liveRowsKernel<T><<<static_cast<unsigned>((liveCount * 32 + 127) / 128), 128, 0, ctx.stream>>>(
            mask, g, causal, eh, ei, liveCount, live);
        check(cudaGetLastError(), "attention live-row kernel launch");
      });
    }
    buffers.bias = products;
  }
  int32_t plan = choice.plan;
  if (choice.timed) plan = timePlans(ctx, layer, in[0], config, reserved, choice.plan, buffers);
  if (!sdpa::run(graphs, ctx.stream, config, plan, buffers)) return false;
  if (mask.data) {
    const uint8_t* live = reinterpret_cast<const uint8_t*>(products + biasBytes);
    dispatchFloating(type, layer.describe(), [&](auto tag) {
      using T = decltype(tag);
      const int64_t rows = g.b * g.h * g.sq;
      emptyRowsKernel<T><<<static_cast<unsigned>((rows + 255) / 256), 256, 0, ctx.stream>>>(
          live, g, eb, eh, ei, layer.getZeroFullyMaskedRows(),
          attentionStrides(out.dims, config.sequenceMajor & kOutputSequenceMajor), static_cast<T*>(out.data));
    });
    check(cudaGetLastError(), "attention empty-row kernel launch");
  }
  return true;
}

}  // namespace

std::string describeAttentionTactic(const std::vector<int64_t>& choice) {
  if (choice.size() != 1) return {};
  return "cuDNN SDPA plan " + std::to_string(choice[0]) + (choice[0] == 0 ? " (its heuristic pick)" : "");
}

void launchAttention(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const auto& attention = static_cast<const IAttentionLayer&>(layer);
  const uint32_t major = attentionSequenceMajor(attention);
  const Dims q = attentionLogicalDims(in[0].dims, major & kQuerySequenceMajor);
  const Dims v = attentionLogicalDims(in[2].dims, major & kValueSequenceMajor);
  const Geometry g{q.d[0], q.d[1], q.d[2], v.d[2], q.d[3], v.d[3]};
  if (g.b * g.h * g.sq * g.dv == 0) return;
  if (g.sk == 0) {  // no keys: every row is empty, 0 under either rule for empty rows (as the CPU)
    check(
        cudaMemsetAsync(out.data, 0, static_cast<size_t>(g.b * g.h * g.sq * g.dv) * dataTypeSize(out.type), ctx.stream),
        "attention (no keys)");
    return;
  }
  if (g.d == 0) throw Error(layer.describe() + ": the CUDA backend does not run attention over a head dimension of 0");
  // Sequences of at most 64: the whole score matrix of a head fits one block (cuDNN's flash kernel tiles
  // 64 x 128 and pipelines across tiles there are none of).
  if (smallSequenceAttention(ctx, attention, in, out, g)) return;
  if (dnnAttention(ctx, attention, in, out, g)) return;
  if (!major) {
    composedAttention(ctx, attention, in, out, g, static_cast<char*>(ctx.scratch(composedScratchBytes(in[0].type, g))));
    return;
  }
  // Sequence-major tensors copied to [B, H, S, D] in scratch before the composed path, the output after.
  constexpr int32_t kSwapHeads[4] = {0, 2, 1, 3};
  const size_t elem = dataTypeSize(in[0].type);
  const size_t bytes[4] = {padded256(static_cast<size_t>(g.b * g.h * g.sq * g.d) * elem),
                           padded256(static_cast<size_t>(g.b * g.h * g.sk * g.d) * elem),
                           padded256(static_cast<size_t>(g.b * g.h * g.sk * g.dv) * elem),
                           padded256(static_cast<size_t>(g.b * g.h * g.sq * g.dv) * elem)};
  const size_t copies = bytes[0] + bytes[1] + bytes[2] + bytes[3];
  char* scratch = static_cast<char*>(ctx.scratch(copies + composedScratchBytes(in[0].type, g)));
  std::vector<TensorView> packedIn = in;
  char* copy = scratch;  // Q's copy, then K's, V's and the output's
  for (int i = 0; i < 3; copy += bytes[i], ++i) {
    if (!(major & (1u << i))) continue;
    permute(ctx, in[i].data, in[i].dims, kSwapHeads, copy, elem);  // [B, S, H, D] -> [B, H, S, D]
    packedIn[i].data = copy;
    packedIn[i].dims = attentionLogicalDims(in[i].dims, true);
  }
  TensorView packedOut = out;
  if (major & kOutputSequenceMajor) {
    packedOut.data = copy;
    packedOut.dims = attentionLogicalDims(out.dims, true);
  }
  composedAttention(ctx, attention, packedIn, packedOut, g, scratch + copies);
  if (major & kOutputSequenceMajor) permute(ctx, packedOut.data, packedOut.dims, kSwapHeads, out.data, elem);
}

}  // namespace cuda
}  // namespace trt
