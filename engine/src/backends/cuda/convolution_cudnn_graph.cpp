// cuDNN graph-API convolutions (convolution_cudnn_graph.h). Built as host C++ with the frontend's headers only when
// the configure step found them (TORCHTRT_WITH_CUDNN_FRONTEND on this file alone); otherwise available() says so and
// nothing else is called.
#include "backends/cuda/convolution_cudnn_graph.h"

#include <atomic>

#include "trt/types.h"

#ifdef TORCHTRT_WITH_CUDNN_FRONTEND
#include "backends/cuda/cudnn_frontend_headers.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>
#endif

namespace trt {
namespace cuda {
namespace convgraph {

namespace {
std::atomic<int64_t> launched{0};
std::atomic<int64_t> plansBuiltCount{0};
}  // namespace

int64_t runs() { return launched.load(std::memory_order_relaxed); }

int64_t plansBuilt() { return plansBuiltCount.load(std::memory_order_relaxed); }

bool fusedActivationSupported(int32_t activation, float alpha, float beta) {
  // ReLU and ReLU6 only: on an H200 a precompiled conv + bias + tanh engine returned NaN where tanh saturates to 1
  // (CudaBackend.ConvolutionEpilogueActivationsMatchTheCpu, fp16); the transcendental activations stay in the
  // engine's own epilogue until each is checked there.
  if (activation == static_cast<int32_t>(ActivationType::kCLIP)) return alpha == 0.f && beta > 0.f && beta < 1e30f;
  return activation == -1 || activation == static_cast<int32_t>(ActivationType::kRELU);
}

#ifdef TORCHTRT_WITH_CUDNN_FRONTEND
namespace fe = cudnn_frontend;

namespace {
enum Uid : int64_t { kX = 1, kW, kBias, kResidual, kY };

// A configuration's graph with the indices of the plans cuDNN built for it so far (none: unsupported, or not
// asked yet); candidates are built in heuristic order, as far as the largest count asked for. An adopted graph
// (deserialized from a plan file) holds one plan, its candidate 0, at the index it had where it was built: the
// entries before it are -1 (not available here).
struct Built {
  std::shared_ptr<fe::graph::Graph> graph;
  std::vector<int64_t> plans;      // candidate indices that built, in heuristic order (-1: not available)
  std::vector<int64_t> workspace;  // bytes, per entry of plans
  int64_t candidates = 0, next = 0;
};

bool runtimeFusionAllowed() {
  static const bool allowed = [] {
    const char* v = std::getenv("TORCHTRT_CUDNN_RUNTIME_FUSION");
    return !(v && std::string(v) == "0");
  }();
  return allowed;
}

// Serialized plans' bytes cuDNN reads back (with the plan's variant-pack uids; no graph structure, which the
// engine's layer gives again).
constexpr bool kSerializeStructure = false;

uint32_t bitsOf(float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, 4);
  return bits;
}

std::vector<int64_t> keyOf(const Config& c) {
  return {static_cast<int64_t>(c.type),
          c.n,
          c.c,
          c.h,
          c.w,
          c.k,
          c.r,
          c.s,
          c.groups,
          c.outH,
          c.outW,
          c.padH,
          c.padW,
          c.strideH,
          c.strideW,
          c.dilH,
          c.dilW,
          c.bias ? 1 : 0,
          c.residual ? 1 : 0,
          c.activation,
          static_cast<int64_t>(c.activation == static_cast<int32_t>(ActivationType::kCLIP) ? bitsOf(c.beta) : 0)};
}

// The strides of a logical [a, b, c, d] tensor stored [a, c, d, b] (NHWC, and KRSC for the filter).
std::vector<int64_t> channelsLastStrides(int64_t b, int64_t c, int64_t d) { return {b * c * d, 1, d * b, b}; }

fe::PointwiseMode_t modeOf(int32_t activation) {
  switch (static_cast<ActivationType>(activation)) {
    case ActivationType::kRELU:
    case ActivationType::kCLIP:  // to [0, beta]: with an upper clip
      return fe::PointwiseMode_t::RELU_FWD;
    case ActivationType::kSIGMOID:
      return fe::PointwiseMode_t::SIGMOID_FWD;
    case ActivationType::kTANH:
      return fe::PointwiseMode_t::TANH_FWD;
    case ActivationType::kSILU:
      return fe::PointwiseMode_t::SWISH_FWD;  // x * sigmoid(beta x), beta 1
    case ActivationType::kGELU_ERF:
      return fe::PointwiseMode_t::GELU_FWD;
    default:
      return fe::PointwiseMode_t::GELU_APPROX_TANH_FWD;
  }
}

Built build(cudnnHandle_t handle, const Config& c) {
  auto graph = std::make_shared<fe::graph::Graph>();
  graph->set_io_data_type(c.type == DataType::kHALF ? fe::DataType_t::HALF : fe::DataType_t::BFLOAT16)
      .set_intermediate_data_type(fe::DataType_t::FLOAT)
      .set_compute_data_type(fe::DataType_t::FLOAT);
  auto tensor = [&](const char* name, int64_t uid, std::vector<int64_t> dims, std::vector<int64_t> strides) {
    return graph->tensor(fe::graph::Tensor_attributes().set_name(name).set_uid(uid).set_dim(dims).set_stride(strides));
  };
  auto x = tensor("x", kX, {c.n, c.c, c.h, c.w}, channelsLastStrides(c.c, c.h, c.w));
  const int64_t cPerGroup = c.c / c.groups;
  auto w = tensor("w", kW, {c.k, cPerGroup, c.r, c.s}, channelsLastStrides(cPerGroup, c.r, c.s));
  auto y = graph->conv_fprop(x, w,
                             fe::graph::Conv_fprop_attributes()
                                 .set_name("convolution")
                                 .set_padding({c.padH, c.padW})
                                 .set_stride({c.strideH, c.strideW})
                                 .set_dilation({c.dilH, c.dilW}));
  // The epilogue in float, in the order of the engine's: y = act(conv + bias + residual).
  auto add = [&](std::shared_ptr<fe::graph::Tensor_attributes> a, std::shared_ptr<fe::graph::Tensor_attributes> b,
                 const char* name) {
    return graph->pointwise(a, b, fe::graph::Pointwise_attributes().set_name(name).set_mode(fe::PointwiseMode_t::ADD));
  };
  if (c.bias) y = add(y, tensor("bias", kBias, {1, c.k, 1, 1}, {c.k, 1, c.k, c.k}), "bias");
  if (c.residual)
    y = add(y, tensor("residual", kResidual, {c.n, c.k, c.outH, c.outW}, channelsLastStrides(c.k, c.outH, c.outW)),
            "residual");
  if (c.activation >= 0) {
    auto activation = fe::graph::Pointwise_attributes().set_name("activation").set_mode(modeOf(c.activation));
    if (c.activation == static_cast<int32_t>(ActivationType::kCLIP))
      activation.set_relu_lower_clip(0.f).set_relu_upper_clip(c.beta);
    y = graph->pointwise(y, activation);
  }
  y->set_output(true)
      .set_uid(kY)
      .set_dim({c.n, c.k, c.outH, c.outW})
      .set_stride(channelsLastStrides(c.k, c.outH, c.outW))
      .set_data_type(c.type == DataType::kHALF ? fe::DataType_t::HALF : fe::DataType_t::BFLOAT16);
  Built built;
  // Heuristics' engines and the fallback ones; none that down-converts the inputs or reduces in lower precision
  // (those would change the results; deselected plans fail to build, so the indices stay the same everywhere).
  if (graph->validate().is_bad() || graph->build_operation_graph(handle).is_bad() ||
      graph->create_execution_plans({fe::HeurMode_t::A, fe::HeurMode_t::FALLBACK}).is_bad())
    return built;
  graph->deselect_numeric_notes(
      {fe::NumericalNote_t::DOWN_CONVERT_INPUTS, fe::NumericalNote_t::REDUCED_PRECISION_REDUCTION});
  // Engines compiled at run time (NVRTC, when a plan is built) are taken too: the chosen plan goes into the engine's
  // plan file serialized, so a process loading it does not compile it again. TORCHTRT_CUDNN_RUNTIME_FUSION=0 leaves
  // them out (precompiled engines only; on an H200 cuDNN 9 offered none for these convolutions).
  if (!runtimeFusionAllowed()) graph->deselect_behavior_notes({fe::BehaviorNote_t::RUNTIME_COMPILATION});
  built.candidates = graph->get_execution_plan_count();
  built.graph = std::move(graph);
  return built;
}

// Builds candidates (a runtime-fusion engine compiles its kernel here, with NVRTC: ~0.1-0.3 s each), in order, until
// `most` plans built or none is left; the candidates still needed are built at once, a thread each (the frontend
// builds distinct plans of one graph in parallel), so a configuration's compile time is its slowest plan's.
void extend(Built& built, int32_t most) {
  while (built.graph && static_cast<int32_t>(built.plans.size()) < most && built.next < built.candidates) {
    const int64_t first = built.next;
    const int64_t count = std::min<int64_t>(most - static_cast<int64_t>(built.plans.size()), built.candidates - first);
    built.next += count;
    std::vector<char> ok(static_cast<size_t>(count), 0);
    std::vector<int64_t> bytes(static_cast<size_t>(count), 0);
    auto buildOne = [&](int64_t j) {
      const int64_t i = first + j;
      ok[static_cast<size_t>(j)] =
          built.graph->build_plan_at_index(i).is_good() &&
          built.graph->get_workspace_size_plan_at_index(i, bytes[static_cast<size_t>(j)]).is_good();
    };
    if (count == 1) {
      buildOne(0);
    } else {
      std::vector<std::thread> threads;
      for (int64_t j = 0; j < count; ++j) threads.emplace_back(buildOne, j);
      for (std::thread& t : threads) t.join();
    }
    for (int64_t j = 0; j < count; ++j) {
      if (!ok[static_cast<size_t>(j)]) continue;
      built.plans.push_back(first + j);
      built.workspace.push_back(bytes[static_cast<size_t>(j)]);
      plansBuiltCount.fetch_add(1, std::memory_order_relaxed);
    }
  }
}
}  // namespace

class GraphCache {
 public:
  CudnnHandle handle;  // declared first: destroyed after the graphs
  std::map<std::vector<int64_t>, Built> graphs;

  // The graph of `c` on `stream` (built on first use) with at least `most` plans where it has them.
  Built& graphFor(void* stream, const Config& c, int32_t most) {
    handle.on(stream);
    const std::vector<int64_t> key = keyOf(c);
    auto it = graphs.find(key);
    if (it == graphs.end()) it = graphs.emplace(key, build(handle.get(), c)).first;
    extend(it->second, most);
    return it->second;
  }
};

bool available() { return true; }

std::shared_ptr<GraphCache> makeGraphCache() { return std::make_shared<GraphCache>(); }

int32_t planCount(GraphCache& cache, void* stream, const Config& config, int32_t most) {
  return static_cast<int32_t>(cache.graphFor(stream, config, most).plans.size());
}

int64_t workspaceOf(GraphCache& cache, void* stream, const Config& config, int32_t index) {
  // A configuration first seen here (a plan's recorded choice in a loaded engine) builds up to that index.
  const Built& built = cache.graphFor(stream, config, index + 1);
  if (index < 0 || index >= static_cast<int32_t>(built.plans.size()) || built.plans[static_cast<size_t>(index)] < 0)
    return -1;
  return built.workspace[static_cast<size_t>(index)];
}

std::vector<uint8_t> serialize(GraphCache& cache, void* stream, const Config& config, int32_t index) {
  std::vector<uint8_t> bytes;
  Built& built = cache.graphFor(stream, config, index + 1);
  if (index < 0 || index >= static_cast<int32_t>(built.plans.size()) || built.plans[static_cast<size_t>(index)] < 0)
    return bytes;
  // Building a built plan again only makes it the graph's current one (what serialize writes): nothing compiles.
  if (built.graph->build_plan_at_index(built.plans[static_cast<size_t>(index)]).is_bad() ||
      built.graph->serialize(bytes, kSerializeStructure).is_bad())
    bytes.clear();
  return bytes;
}

bool adopt(GraphCache& cache, void* stream, const Config& config, int32_t index, const std::vector<uint8_t>& bytes) {
  cache.handle.on(stream);
  const std::vector<int64_t> key = keyOf(config);
  auto it = cache.graphs.find(key);
  if (index < 0 || (it != cache.graphs.end() && static_cast<int32_t>(it->second.plans.size()) > index)) return false;
  Built built;
  built.graph = std::make_shared<fe::graph::Graph>();
  int64_t workspace = 0;
  try {
    // No warm-up capture: the engine's first call runs the plan outside any capture before a graph is captured.
    if (built.graph->deserialize(cache.handle.get(), bytes, false, false).is_bad() ||
        built.graph->get_workspace_size(workspace).is_bad())
      return false;
  } catch (const std::exception&) {  // a malformed blob (the plan file's CRC passed, its content is cuDNN's)
    return false;
  }
  built.plans.assign(static_cast<size_t>(index) + 1, -1);
  built.workspace.assign(static_cast<size_t>(index) + 1, -1);
  built.plans.back() = 0;
  built.workspace.back() = workspace;
  cache.graphs[key] = std::move(built);
  return true;
}

bool run(GraphCache& cache, void* stream, const Config& config, int32_t index, const Buffers& buffers) {
  Built& built = cache.graphFor(stream, config, index + 1);
  if (index < 0 || index >= static_cast<int32_t>(built.plans.size()) || built.plans[static_cast<size_t>(index)] < 0)
    return false;
  std::unordered_map<int64_t, void*> pack = {
      {kX, const_cast<void*>(buffers.x)}, {kW, const_cast<void*>(buffers.w)}, {kY, buffers.y}};
  if (config.bias) pack[kBias] = const_cast<void*>(buffers.bias);
  if (config.residual) pack[kResidual] = const_cast<void*>(buffers.residual);
  const size_t i = static_cast<size_t>(index);
  if (built.graph
          ->execute_plan_at_index(cache.handle.get(), pack, built.workspace[i] > 0 ? buffers.workspace : nullptr,
                                  built.plans[i])
          .is_bad())
    return false;
  launched.fetch_add(1, std::memory_order_relaxed);
  return true;
}

#else  // no frontend in this build

class GraphCache {};

bool available() { return false; }

std::shared_ptr<GraphCache> makeGraphCache() {
  throw Error("CUDA backend: this build has no cuDNN frontend (cuDNN graph convolutions)");
}

int32_t planCount(GraphCache&, void*, const Config&, int32_t) { return 0; }

int64_t workspaceOf(GraphCache&, void*, const Config&, int32_t) { return -1; }

std::vector<uint8_t> serialize(GraphCache&, void*, const Config&, int32_t) { return {}; }

bool adopt(GraphCache&, void*, const Config&, int32_t, const std::vector<uint8_t>&) { return false; }

bool run(GraphCache&, void*, const Config&, int32_t, const Buffers&) { return false; }

#endif

}  // namespace convgraph
}  // namespace cuda
}  // namespace trt
