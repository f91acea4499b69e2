// Scaled dot-product attention on the GPU.
// - FP16 and BF16 through cuDNN's fused SDPA (the frontend's graph API, when the build found its
//   headers: TORCHTRT_WITH_CUDNN_FRONTEND). Its graphs are built once per shape, type and mask
//   configuration and kept in the context. A mask becomes a dense additive bias [B or 1, H or 1, Sq, Sk];
//   rows whose every key is masked out are rewritten afterwards (0 or NaN, the layer's rule), so what
//   cuDNN does with them does not matter.
// - Otherwise (FP32, no frontend, a configuration cuDNN refuses): float32 scores = Q K^T * scale by a
//   batched GEMM into scratch, the masked softmax below, then P V by a second GEMM.
// The frontend is heavy to compile: it is included here only.
#include <cfloat>
#include <cstring>
#include <map>
#include <memory>
#include <tuple>

#include "backends/cuda/cuda_kernels.h"
#include "backends/cuda/float_types.cuh"
#include "layers/layer_util.h"

#if defined(TORCHTRT_WITH_CUDNN) && defined(TORCHTRT_WITH_CUDNN_FRONTEND)
#include <cudnn_frontend.h>
#define TORCHTRT_ATTENTION_CUDNN 1
#endif

namespace trt {
namespace cuda {

namespace {

// Where the mask is read: element (b, h, i, j) of the scores reads mask[b*s0 + h*s1 + i*s2 + j*s3].
struct MaskView {
  const void* data = nullptr;  // nullptr: no mask
  bool isBool = false;
  int64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
};

struct Geometry {
  int64_t b, h, sq, sk, d, dv;
};

// Whether key j is left out of query row i's softmax (the causal triangle or a false bool mask),
// else the additive mask value (0 without a mask).
template <typename T>
__device__ __forceinline__ bool maskedOut(const MaskView& m, bool causal, int64_t row, int64_t i, int64_t j,
                                          float& add) {
  add = 0.f;
  if (causal && j > i) return true;
  if (!m.data) return false;
  const int64_t off = row + j * m.s3;
  if (m.isBool) return static_cast<const uint8_t*>(m.data)[off] == 0;
  add = toFloat(static_cast<const T*>(m.data)[off]);
  return false;
}

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
  const int64_t maskRow = bi * mask.s0 + hi * mask.s1 + i * mask.s2;
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

MaskView maskView(const std::vector<TensorView>& in, const Geometry& g) {
  MaskView m;
  if (in.size() < 4) return m;
  m.data = in[3].data;
  m.isBool = in[3].type == DataType::kBOOL;
  Dims scores;
  scores.nbDims = 4;
  scores.d[0] = g.b, scores.d[1] = g.h, scores.d[2] = g.sq, scores.d[3] = g.sk;
  int64_t s[4];
  layer_util::broadcastStrides(in[3].dims, scores, s);
  m.s0 = s[0], m.s1 = s[1], m.s2 = s[2], m.s3 = s[3];
  return m;
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
void composedAttention(LaunchContext& ctx, const IAttentionLayer& layer, const std::vector<TensorView>& in,
                       TensorView& out, const Geometry& g) {
  const DataType type = in[0].type;
  const bool sixteen = type != DataType::kFLOAT;
  const int64_t batch = g.b * g.h, rows = batch * g.sq;
  const size_t scoreBytes = static_cast<size_t>(rows * g.sk) * sizeof(float);
  const size_t weightOffset = (scoreBytes + 255) / 256 * 256;
  char* scratch = static_cast<char*>(
      ctx.scratch(sixteen ? weightOffset + static_cast<size_t>(rows * g.sk) * dataTypeSize(type) : scoreBytes));
  float* scores = reinterpret_cast<float*>(scratch);
  void* weights = sixteen ? static_cast<void*>(scratch + weightOffset) : static_cast<void*>(scores);
  if (sixteen)
    halfScores(ctx, type, g, in[0].data, in[1].data, scores, layer.scaleFor(g.d));
  else
    gemm(ctx, type, false, true, g.sq, g.sk, g.d, in[0].data, g.sq * g.d, in[1].data, g.sk * g.d, scores, g.sq * g.sk,
         batch, layer.scaleFor(g.d));
  const MaskView mask = maskView(in, g);
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

#ifdef TORCHTRT_ATTENTION_CUDNN
namespace fe = cudnn_frontend;

// The dense additive bias cuDNN reads, [bb, bh, Sq, Sk] (bb, bh: the mask's batch and head extents,
// 1 or B / H): the float mask broadcast, or 0 / masked from a bool mask.
template <typename T>
__global__ void denseBiasKernel(MaskView m, Geometry g, int64_t bb, int64_t bhd, T* bias) {
  const int64_t n = bb * bhd * g.sq * g.sk;
  const int64_t e = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (e >= n) return;
  const int64_t j = e % g.sk, i = (e / g.sk) % g.sq, h = (e / (g.sk * g.sq)) % bhd, b = e / (g.sk * g.sq * bhd);
  const int64_t off = b * m.s0 + h * m.s1 + i * m.s2 + j * m.s3;
  // Masked-out keys get a large finite negative bias, not -inf: cuDNN's online softmax can compute
  // exp(-inf - -inf) = NaN for a tile whose keys are all masked, and spread it into a row that still
  // has live keys (PyTorch and JAX feed cuDNN a finite value for the same reason). exp(-30000 - max)
  // is 0 in float, so live rows are unchanged; rows with no live key are rewritten by emptyRowsKernel
  // from the original mask.
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

// Rows whose every key is masked out (the causal triangle and the mask together): the output row becomes
// 0 or NaN, the layer's rule, whatever cuDNN computed there. A warp per row.
template <typename T>
__global__ void emptyRowsKernel(MaskView m, Geometry g, bool causal, bool zero, T* out) {
  const int64_t row = (static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / 32;
  const int lane = threadIdx.x % 32;
  if (row >= g.b * g.h * g.sq) return;
  const int64_t i = row % g.sq, bh = row / g.sq;
  const int64_t maskRow = (bh / g.h) * m.s0 + (bh % g.h) * m.s1 + i * m.s2;
  bool any = false;
  for (int64_t j = lane; j < g.sk && !any; j += 32) {
    float add;
    any = !maskedOut<T>(m, causal, maskRow, i, j, add) && add != -INFINITY;
  }
  if (__any_sync(0xffffffffu, any)) return;
  const float fill = zero ? 0.f : NAN;
  for (int64_t c = lane; c < g.dv; c += 32) out[row * g.dv + c] = fromFloat<T>(fill);
}

// A built cuDNN graph, or a configuration cuDNN refused (graph null: the composed path runs).
struct DnnGraph {
  std::shared_ptr<fe::graph::Graph> graph;
  int64_t workspace = 0;
};

struct AttentionState {
  cudnnHandle_t handle = nullptr;
  std::map<std::vector<int64_t>, DnnGraph> graphs;
  ~AttentionState() {
    graphs.clear();
    if (handle) cudnnDestroy(handle);
  }
};

enum Uid : int64_t { kQ = 1, kK, kV, kO, kBias };

std::vector<int64_t> packed(const std::vector<int64_t>& d) {
  std::vector<int64_t> s(d.size(), 1);
  for (int i = static_cast<int>(d.size()) - 2; i >= 0; --i) s[i] = s[i + 1] * d[i + 1];
  return s;
}

// Builds the graph for a configuration; a null graph when cuDNN does not support it.
DnnGraph buildGraph(cudnnHandle_t handle, DataType type, const Geometry& g, int64_t bb, int64_t bhd, bool causal,
                    float scale) {
  auto graph = std::make_shared<fe::graph::Graph>();
  graph->set_io_data_type(type == DataType::kHALF ? fe::DataType_t::HALF : fe::DataType_t::BFLOAT16)
      .set_intermediate_data_type(fe::DataType_t::FLOAT)
      .set_compute_data_type(fe::DataType_t::FLOAT);
  auto tensor = [&](const char* name, int64_t uid, std::vector<int64_t> dims) {
    return graph->tensor(
        fe::graph::Tensor_attributes().set_name(name).set_uid(uid).set_dim(dims).set_stride(packed(dims)));
  };
  auto q = tensor("Q", kQ, {g.b, g.h, g.sq, g.d});
  auto k = tensor("K", kK, {g.b, g.h, g.sk, g.d});
  auto v = tensor("V", kV, {g.b, g.h, g.sk, g.dv});
  auto options = fe::graph::SDPA_attributes().set_name("attention").set_generate_stats(false).set_attn_scale(scale);
  if (causal) options.set_causal_mask(true);
  if (bb > 0) options.set_bias(tensor("bias", kBias, {bb, bhd, g.sq, g.sk}));
  auto outputs = graph->sdpa(q, k, v, options);
  const std::vector<int64_t> oDims = {g.b, g.h, g.sq, g.dv};
  outputs[0]->set_output(true).set_uid(kO).set_dim(oDims).set_stride(packed(oDims));
  DnnGraph built;
  if (graph->validate().is_bad() || graph->build_operation_graph(handle).is_bad() ||
      graph->create_execution_plans({fe::HeurMode_t::A}).is_bad() || graph->check_support(handle).is_bad() ||
      graph->build_plans(handle).is_bad() || graph->get_workspace_size(built.workspace).is_bad())
    return built;
  built.graph = std::move(graph);
  return built;
}

AttentionState& attentionState(LaunchContext& ctx) {
  auto& slot = ctx.kindState[LayerType::kATTENTION];
  if (!slot) {
    auto state = std::make_shared<AttentionState>();
    if (cudnnCreate(&state->handle) != CUDNN_STATUS_SUCCESS) throw Error("CUDA backend: cudnnCreate failed");
    slot = state;
  }
  auto& state = *static_cast<AttentionState*>(slot.get());
  if (cudnnSetStream(state.handle, ctx.stream) != CUDNN_STATUS_SUCCESS)
    throw Error("CUDA backend: cudnnSetStream failed");
  return state;
}

bool aligned16(const void* p) { return reinterpret_cast<uintptr_t>(p) % 16 == 0; }

// Runs the layer through cuDNN's SDPA; false when cuDNN does not take this configuration.
bool dnnAttention(LaunchContext& ctx, const IAttentionLayer& layer, const std::vector<TensorView>& in, TensorView& out,
                  const Geometry& g) {
  const DataType type = in[0].type;
  if ((type != DataType::kHALF && type != DataType::kBF16) || g.sq == 0 || g.sk == 0) return false;
  if (!aligned16(in[0].data) || !aligned16(in[1].data) || !aligned16(in[2].data) || !aligned16(out.data)) return false;
  const MaskView mask = maskView(in, g);
  // The bias's batch and head extents (0: no bias).
  const int64_t bb = mask.data ? (mask.s0 ? g.b : 1) : 0, bhd = mask.data ? (mask.s1 ? g.h : 1) : 0;
  const float scale = layer.scaleFor(g.d);
  uint32_t scaleBits;
  std::memcpy(&scaleBits, &scale, 4);
  const std::vector<int64_t> key = {
      static_cast<int64_t>(type),     g.b, g.h, g.sq, g.sk, g.d, g.dv, bb, bhd, layer.getCausal() ? 1 : 0,
      static_cast<int64_t>(scaleBits)};
  AttentionState& state = attentionState(ctx);
  auto it = state.graphs.find(key);
  if (it == state.graphs.end())
    it = state.graphs.emplace(key, buildGraph(state.handle, type, g, bb, bhd, layer.getCausal(), scale)).first;
  DnnGraph& built = it->second;
  if (!built.graph) return false;
  // Scratch: the dense bias, then cuDNN's workspace (256-byte aligned).
  const size_t biasBytes = bb > 0 ? static_cast<size_t>(bb * bhd * g.sq * g.sk) * 2 : 0;
  const size_t biasPadded = (biasBytes + 255) / 256 * 256;
  if (ctx.workspaceLimit > 0 && biasPadded + static_cast<size_t>(built.workspace) > ctx.workspaceLimit)
    return false;  // the composed path, within the limit or with its own clear error
  char* scratch = static_cast<char*>(ctx.scratch(biasPadded + static_cast<size_t>(built.workspace) + 1));
  std::unordered_map<int64_t, void*> pack = {{kQ, in[0].data}, {kK, in[1].data}, {kV, in[2].data}, {kO, out.data}};
  dispatchFloating(type, layer.describe(), [&](auto tag) {
    using T = decltype(tag);
    if (biasBytes == 0) return;
    const int64_t n = bb * bhd * g.sq * g.sk;
    denseBiasKernel<T><<<static_cast<unsigned>((n + 255) / 256), 256, 0, ctx.stream>>>(mask, g, bb, bhd,
                                                                                       reinterpret_cast<T*>(scratch));
    check(cudaGetLastError(), "attention bias kernel launch");
    pack[kBias] = scratch;
  });
  auto status = built.graph->execute(state.handle, pack, built.workspace > 0 ? scratch + biasPadded : nullptr);
  if (status.is_bad()) {
    // Refused at launch (an alignment or a limit its support check does not see): this configuration
    // takes the composed path from now on. Nothing was written to the output.
    built.graph.reset();
    return false;
  }
  if (mask.data) {
    dispatchFloating(type, layer.describe(), [&](auto tag) {
      using T = decltype(tag);
      const int64_t rows = g.b * g.h * g.sq;
      emptyRowsKernel<T><<<static_cast<unsigned>((rows * 32 + 127) / 128), 128, 0, ctx.stream>>>(
          mask, g, layer.getCausal(), layer.getZeroFullyMaskedRows(), static_cast<T*>(out.data));
    });
    check(cudaGetLastError(), "attention empty-row kernel launch");
  }
  return true;
}
#endif  // TORCHTRT_ATTENTION_CUDNN

}  // namespace

void launchAttention(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const auto& attention = static_cast<const IAttentionLayer&>(layer);
  const Dims &q = in[0].dims, &v = in[2].dims;
  const Geometry g{q.d[0], q.d[1], q.d[2], v.d[2], q.d[3], v.d[3]};
  if (g.b * g.h * g.sq * g.dv == 0) return;
  if (g.sk == 0) {  // no keys: every row is empty, 0 under either rule for empty rows (as the CPU)
    check(
        cudaMemsetAsync(out.data, 0, static_cast<size_t>(g.b * g.h * g.sq * g.dv) * dataTypeSize(out.type), ctx.stream),
        "attention (no keys)");
    return;
  }
  if (g.d == 0) throw Error(layer.describe() + ": the CUDA backend does not run attention over a head dimension of 0");
#ifdef TORCHTRT_ATTENTION_CUDNN
  if (dnnAttention(ctx, attention, in, out, g)) return;
#endif
  composedAttention(ctx, attention, in, out, g);
}

}  // namespace cuda
}  // namespace trt
