// cuDNN SDPA graphs (attention_cudnn.h). Built as host C++ with the frontend's headers only when the
// configure step found them (TORCHTRT_WITH_CUDNN_FRONTEND on this file alone); otherwise available()
// says so and nothing else is called.
#include "backends/cuda/attention_cudnn.h"

#include <cstring>
#include <vector>

#ifdef TORCHTRT_WITH_CUDNN_FRONTEND
#include "backends/cuda/cudnn_frontend_headers.h"

#include <algorithm>
#include <map>
#include <unordered_map>
#endif

namespace trt {
namespace cuda {
namespace sdpa {

std::vector<int64_t> configurationKey(const Config& c) {
  uint32_t scaleBits;
  std::memcpy(&scaleBits, &c.scale, 4);
  return {static_cast<int64_t>(c.type),
          c.b,
          c.h,
          c.sq,
          c.sk,
          c.d,
          c.dv,
          c.biasBatch,
          c.biasHeads,
          c.biasRows,
          c.causal ? 1 : 0,
          static_cast<int64_t>(scaleBits),
          static_cast<int64_t>(c.sequenceMajor)};
}

#ifdef TORCHTRT_WITH_CUDNN_FRONTEND
namespace fe = cudnn_frontend;

namespace {
enum Uid : int64_t { kQ = 1, kK, kV, kO, kBias };

// A built graph and its plans (indices into the frontend's candidate list that built, in the list's order, each with
// its workspace; -1 once cuDNN refused it at launch), or a configuration cuDNN refused (graph null).
struct Built {
  std::shared_ptr<fe::graph::Graph> graph;
  int64_t candidates = 0, next = 0;  // the frontend's candidates; the next one to build
  std::vector<int64_t> plans;
  std::vector<int64_t> workspace;
};

std::vector<int64_t> packed(const std::vector<int64_t>& d) {
  std::vector<int64_t> s(d.size(), 1);
  for (int i = static_cast<int>(d.size()) - 2; i >= 0; --i) s[i] = s[i + 1] * d[i + 1];
  return s;
}

Built build(cudnnHandle_t handle, const Config& c) {
  auto graph = std::make_shared<fe::graph::Graph>();
  graph->set_io_data_type(c.type == DataType::kHALF ? fe::DataType_t::HALF : fe::DataType_t::BFLOAT16)
      .set_intermediate_data_type(fe::DataType_t::FLOAT)
      .set_compute_data_type(fe::DataType_t::FLOAT);
  auto tensor = [&](const char* name, int64_t uid, std::vector<int64_t> dims, std::vector<int64_t> strides) {
    return graph->tensor(fe::graph::Tensor_attributes().set_name(name).set_uid(uid).set_dim(dims).set_stride(strides));
  };
  const std::vector<int64_t> qDims = {c.b, c.h, c.sq, c.d}, kDims = {c.b, c.h, c.sk, c.d},
                             vDims = {c.b, c.h, c.sk, c.dv};
  // [b, h, s, d] strides of a tensor stored [b, h, s, d], or [b, s, h, d] when its bit is set.
  auto strides = [&](const std::vector<int64_t>& dims, uint32_t bit) {
    if (!(c.sequenceMajor & bit)) return packed(dims);
    return std::vector<int64_t>{dims[1] * dims[2] * dims[3], dims[3], dims[1] * dims[3], 1};
  };
  auto q = tensor("Q", kQ, qDims, strides(qDims, 1u));
  auto k = tensor("K", kK, kDims, strides(kDims, 2u));
  auto v = tensor("V", kV, vDims, strides(vDims, 4u));
  auto options = fe::graph::SDPA_attributes().set_name("attention").set_generate_stats(false).set_attn_scale(c.scale);
  if (c.causal) options.set_causal_mask(true);
  if (c.biasBatch > 0) {
    // One row of keys for every query (a padding mask) is read with a zero stride, not materialized.
    const std::vector<int64_t> stored = packed({c.biasBatch, c.biasHeads, c.biasRows, c.sk});
    options.set_bias(tensor("bias", kBias, {c.biasBatch, c.biasHeads, c.sq, c.sk},
                            {stored[0], stored[1], c.biasRows == 1 ? 0 : stored[2], 1}));
  }
  auto outputs = graph->sdpa(q, k, v, options);
  const std::vector<int64_t> oDims = {c.b, c.h, c.sq, c.dv};
  outputs[0]->set_output(true).set_uid(kO).set_dim(oDims).set_stride(strides(oDims, 8u));
  Built built;
  // Heuristics' candidates and the fallback ones: the tuning run times the built ones (one heuristic pick can need a
  // workspace that cuDNN clears before its kernel, a node of its own in the engine's captured graph).
  if (graph->validate().is_bad() || graph->build_operation_graph(handle).is_bad() ||
      graph->create_execution_plans({fe::HeurMode_t::A, fe::HeurMode_t::FALLBACK}).is_bad())
    return built;
  // None that down-converts the inputs or reduces in lower precision (they would change the results).
  graph->deselect_numeric_notes(
      {fe::NumericalNote_t::DOWN_CONVERT_INPUTS, fe::NumericalNote_t::REDUCED_PRECISION_REDUCTION});
  if (graph->check_support(handle).is_bad()) return built;
  built.candidates = graph->get_execution_plan_count();
  built.graph = std::move(graph);
  return built;
}

// Builds candidates, in order, until `most` plans are built (at most kMostPlans: each costs build time, some compile
// at run time) or none is left: a loaded engine builds the plans up to the one it runs, the tuning run those it times.
void extend(Built& built, int32_t most) { buildPlans(built, std::min(most, kMostPlans)); }
}  // namespace

class GraphCache {
 public:
  CudnnHandle handle;  // declared first: destroyed after the graphs
  std::map<std::vector<int64_t>, Built> graphs;

  // The graph of `c` on `stream` (built on first use) with its first `most` plans where it has them.
  Built& graphFor(void* stream, const Config& c, int32_t most) {
    handle.on(stream);
    const std::vector<int64_t> key = configurationKey(c);
    auto it = graphs.find(key);
    if (it == graphs.end()) it = graphs.emplace(key, build(handle.get(), c)).first;
    extend(it->second, most);
    return it->second;
  }
};

bool available() { return true; }

int64_t versionKey() {
  return static_cast<int64_t>(cudnnGetVersion()) * 1000000 + static_cast<int64_t>(CUDNN_FRONTEND_VERSION);
}

std::shared_ptr<GraphCache> makeGraphCache() { return std::make_shared<GraphCache>(); }

int32_t planCount(GraphCache& cache, void* stream, const Config& config, int32_t most) {
  const Built& built = cache.graphFor(stream, config, most);
  return built.graph ? static_cast<int32_t>(built.plans.size()) : 0;
}

int64_t prepare(GraphCache& cache, void* stream, const Config& config, int32_t plan) {
  const Built& built = cache.graphFor(stream, config, plan + 1);
  if (!built.graph || plan < 0 || plan >= static_cast<int32_t>(built.plans.size())) return -1;
  return built.workspace[static_cast<size_t>(plan)];
}

bool run(GraphCache& cache, void* stream, const Config& config, int32_t plan, const Buffers& buffers) {
  Built& built = cache.graphFor(stream, config, plan + 1);
  if (!built.graph || plan < 0 || plan >= static_cast<int32_t>(built.plans.size()) ||
      built.workspace[static_cast<size_t>(plan)] < 0)
    return false;
  std::unordered_map<int64_t, void*> pack = {{kQ, const_cast<void*>(buffers.q)},
                                             {kK, const_cast<void*>(buffers.k)},
                                             {kV, const_cast<void*>(buffers.v)},
                                             {kO, buffers.o}};
  if (config.biasBatch > 0) pack[kBias] = const_cast<void*>(buffers.bias);
  const size_t at = static_cast<size_t>(plan);
  if (built.graph
          ->execute_plan_at_index(cache.handle.get(), pack, built.workspace[at] > 0 ? buffers.workspace : nullptr,
                                  built.plans[at])
          .is_bad()) {
    // Refused at launch (an alignment or a limit its support check does not see): this plan is not run again (its
    // index keeps its place: a plan's recorded choice names the others by theirs). Not for a refusal inside a
    // stream capture (a tactic's timing, the engine's graph mode): the caller runs it uncaptured instead.
    cudaStreamCaptureStatus capturing = cudaStreamCaptureStatusNone;
    if (cudaStreamIsCapturing(static_cast<cudaStream_t>(stream), &capturing) != cudaSuccess ||
        capturing == cudaStreamCaptureStatusNone)
      built.workspace[at] = -1;
    return false;
  }
  return true;
}

#else  // no frontend in this build

class GraphCache {};

bool available() { return false; }

int64_t versionKey() { return 0; }

std::shared_ptr<GraphCache> makeGraphCache() {
  throw Error("CUDA backend: this build has no cuDNN frontend (cuDNN SDPA)");
}

int32_t planCount(GraphCache&, void*, const Config&, int32_t) { return 0; }

int64_t prepare(GraphCache&, void*, const Config&, int32_t) { return -1; }

bool run(GraphCache&, void*, const Config&, int32_t, const Buffers&) { return false; }

#endif

}  // namespace sdpa
}  // namespace cuda
}  // namespace trt
