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
#include <system_error>
#include <thread>
#include <unordered_map>
#include <vector>

#include <cuda_runtime.h>
#endif

namespace trt {
namespace cuda {
namespace convgraph {

namespace {
std::atomic<int64_t> launched{0};
std::atomic<int64_t> plansBuiltCount{0};
std::atomic<int64_t> plansPrebuiltCount{0};
std::atomic<int64_t> configurationsPrebuiltCount{0};
}  // namespace

int64_t runs() { return launched.load(std::memory_order_relaxed); }

int64_t plansBuilt() { return plansBuiltCount.load(std::memory_order_relaxed); }

int64_t plansPrebuilt() { return plansPrebuiltCount.load(std::memory_order_relaxed); }

int64_t configurationsPrebuilt() { return configurationsPrebuiltCount.load(std::memory_order_relaxed); }

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
// asked yet); candidates are built in heuristic order, as far as the largest count asked for.
struct Built {
  // The handle the graph was built with, where not the cache's (prebuild); declared first: destroyed after the graph.
  std::shared_ptr<CudnnHandle> handle;
  std::shared_ptr<fe::graph::Graph> graph;
  std::vector<int64_t> plans;      // candidate indices that built, in heuristic order
  std::vector<int64_t> workspace;  // bytes, per entry of plans
  int64_t candidates = 0, next = 0;
};

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
          static_cast<int64_t>(c.activation == static_cast<int32_t>(ActivationType::kCLIP) ? bitsOf(c.beta) : 0),
          c.runtimeCompiled ? 1 : 0};
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
  // Engines compiled at run time (NVRTC, when a plan is built: ~0.1 s each on an H100, which prebuild() spreads
  // over threads) where the configuration asks for them; without, precompiled engines only (on an H200 cuDNN 9
  // offered none for these convolutions).
  if (!c.runtimeCompiled) graph->deselect_behavior_notes({fe::BehaviorNote_t::RUNTIME_COMPILATION});
  built.candidates = graph->get_execution_plan_count();
  built.graph = std::move(graph);
  return built;
}

// Builds candidates (a runtime-fusion engine compiles its kernel here, with NVRTC), in order, until `most` plans
// built or none is left (buildPlans).
void extend(Built& built, int32_t most) {
  plansBuiltCount.fetch_add(buildPlans(built, most), std::memory_order_relaxed);
}

// A serialized plan as the engine's plan file keeps it: a header naming what it was built for (cuDNN's and the
// frontend's versions, the configuration's key, the plan's index), then cuDNN's bytes (UBJSON). A plan file is
// untrusted input: adopt() reads the header and checks the UBJSON's fields before cuDNN sees them.
constexpr char kArtifactMagic[8] = {'T', 'T', 'C', 'D', 'N', 'G', 'P', '1'};

std::vector<int64_t> artifactHeader(const Config& config, int32_t index) {
  std::vector<int64_t> header = {static_cast<int64_t>(cudnnGetVersion()), CUDNN_FRONTEND_VERSION, index,
                                 config.runtimeCompiled ? 1 : 0};
  const std::vector<int64_t> key = keyOf(config);
  header.push_back(static_cast<int64_t>(key.size()));
  header.insert(header.end(), key.begin(), key.end());
  return header;
}

// The uids a configuration's graph reads and writes (its variant pack).
std::vector<int64_t> uidsOf(const Config& c) {
  std::vector<int64_t> uids = {kX, kW, kY};
  if (c.bias) uids.push_back(kBias);
  if (c.residual) uids.push_back(kResidual);
  std::sort(uids.begin(), uids.end());
  return uids;
}

// A SAX pass over UBJSON that refuses any container with a declared element count (std::size_t(-1): none declared),
// nesting deeper than kMaxDepth (the reader recurses once a level: a run of '[' would exhaust the stack) and more
// than kMaxValues values (each becomes a json node of tens of bytes). A plan's document is a few levels and a few
// dozen values: its backend data is one string.
struct NoDeclaredSizes : nlohmann::json_sax<nlohmann::json> {
  static constexpr std::size_t kUndeclared = static_cast<std::size_t>(-1);
  static constexpr std::size_t kMaxDepth = 32, kMaxValues = 1u << 16;
  std::size_t depth = 0, values = 0;
  bool value() { return ++values <= kMaxValues; }
  bool null() override { return value(); }
  bool boolean(bool) override { return value(); }
  bool number_integer(number_integer_t) override { return value(); }
  bool number_unsigned(number_unsigned_t) override { return value(); }
  bool number_float(number_float_t, const string_t&) override { return value(); }
  bool string(string_t&) override { return value(); }
  bool binary(binary_t&) override { return value(); }
  bool start_object(std::size_t elements) override {
    return elements == kUndeclared && ++depth <= kMaxDepth && value();
  }
  bool key(string_t&) override { return value(); }
  bool end_object() override {
    --depth;
    return true;
  }
  bool start_array(std::size_t elements) override { return elements == kUndeclared && ++depth <= kMaxDepth && value(); }
  bool end_array() override {
    --depth;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }
};

// Whether `j` has exactly the fields deserialize() reads, of the types it reads them as, for a plan of this
// configuration: no graph structure, the configuration's uids, nothing the frontend would write into the workspace
// or pass by value (a conv + pointwise graph has none).
bool plausiblePlan(const nlohmann::json& j, const Config& c) {
  if (!j.is_object() || j.contains("nodes") || j.contains("tensors")) return false;
  for (const char* key : {"json_version", "cudnn_backend_data", "behavior_notes", "variant_pack_uids",
                          "variant_pack_replacements", "fe_workspace_size"})
    if (!j.contains(key)) return false;
  if (!j["json_version"].is_string() || !j["cudnn_backend_data"].is_string() || !j["behavior_notes"].is_array() ||
      !j["variant_pack_uids"].is_array() || !j["fe_workspace_size"].is_number_integer() ||
      j["fe_workspace_size"].get<int64_t>() != 0 || !j["variant_pack_replacements"].empty())
    return false;
  for (const char* key : {"pass_by_values", "workspace_modifications", "tensors_to_dump"})
    if (j.contains(key) && !j[key].empty()) return false;
  if (j.contains("aligned_operands")) {
    if (!j["aligned_operands"].is_object()) return false;
    for (const auto& entry : j["aligned_operands"].items())
      if (!entry.value().is_array() || entry.value().size() != 2 || !entry.value()[0].is_number_integer() ||
          !entry.value()[1].is_number_integer())
        return false;
  }
  std::vector<int64_t> uids;
  for (const auto& uid : j["variant_pack_uids"]) {
    if (!uid.is_number_integer()) return false;
    uids.push_back(uid.get<int64_t>());
  }
  std::sort(uids.begin(), uids.end());
  return uids == uidsOf(c);
}
}  // namespace

// A plan read from a plan file (adopt()): its graph holds that one plan.
struct Adopted {
  std::shared_ptr<fe::graph::Graph> graph;
  int64_t workspace = 0;
};

class GraphCache {
 public:
  CudnnHandle handle;  // declared first: destroyed after the graphs
  std::map<std::vector<int64_t>, Built> graphs;
  // By configuration key and plan index; looked up first, so a layer whose plan was adopted builds nothing, while
  // the built graphs of the same configuration stay for layers that chose other plans.
  std::map<std::pair<std::vector<int64_t>, int32_t>, Adopted> adopted;
  // prebuild()'s threads' handles, one a thread, kept for its later calls (and by the graphs built with them).
  std::vector<std::shared_ptr<CudnnHandle>> workerHandles;

  // The graph of `c` on `stream` (built on first use) with at least `most` plans where it has them.
  Built& graphFor(void* stream, const Config& c, int32_t most) {
    handle.on(stream);
    const std::vector<int64_t> key = keyOf(c);
    auto it = graphs.find(key);
    if (it == graphs.end()) it = graphs.emplace(key, build(handle.get(), c)).first;
    extend(it->second, most);
    return it->second;
  }

  Adopted* adoptedPlan(const Config& c, int32_t index) {
    auto it = adopted.find({keyOf(c), index});
    return it == adopted.end() ? nullptr : &it->second;
  }

  // The handle that runs `built`'s plans, bound to `stream`.
  cudnnHandle_t handleOf(const Built& built, void* stream) {
    return built.handle ? built.handle->on(stream) : handle.on(stream);
  }
};

bool available() { return true; }

namespace {
// TORCHTRT_CUDNN_RUNTIME_FUSION: "1" (runtime fusion on, serialized plans adopted), else off. The side-by-side
// prebuild (prebuild()) was written to bring the builds' NVRTC time under issue 21's bar so that it can be on by
// default; it stays opt-in until a GPU run has measured that and passed the CUDA suites with it.
std::string runtimeFusionSetting() {
  const char* v = std::getenv("TORCHTRT_CUDNN_RUNTIME_FUSION");
  return v ? std::string(v) : std::string();
}
}  // namespace

bool runtimeFusion() {
  static const bool allowed = runtimeFusionSetting() == "1";
  return allowed;
}

bool adoptsSerializedPlans() {
  static const bool adopts = runtimeFusionSetting() == "1";
  return adopts;
}

void prebuild(GraphCache& cache, const std::vector<Config>& configs, const std::vector<int32_t>& most,
              int32_t threads) {
  // Distinct configurations the cache lacks, each with the largest count asked for it.
  std::vector<Config> todo;
  std::vector<int32_t> counts;
  std::map<std::vector<int64_t>, size_t> position;
  for (size_t i = 0; i < configs.size() && i < most.size(); ++i) {
    std::vector<int64_t> key = keyOf(configs[i]);
    if (cache.graphs.count(key)) continue;
    auto [it, fresh] = position.emplace(std::move(key), todo.size());
    if (fresh) {
      todo.push_back(configs[i]);
      counts.push_back(most[i]);
    } else {
      counts[it->second] = std::max(counts[it->second], most[i]);
    }
  }
  if (todo.empty()) return;
  int device = 0;
  if (cudaGetDevice(&device) != cudaSuccess) return;
  const size_t workers = std::min(todo.size(), static_cast<size_t>(std::max(threads, 1)));
  if (cache.workerHandles.size() < workers) cache.workerHandles.resize(workers);
  std::vector<Built> results(todo.size());
  std::vector<char> done(todo.size(), 0);
  std::atomic<size_t> next{0};
  // Worker w (the calling thread is worker 0) takes the next configuration until none is left, with handle w of the
  // cache (made on its first use, on that thread); a graph and its plans stay with that handle. A worker whose
  // handle cannot start builds nothing: its configurations are built later, one by one.
  auto work = [&](size_t w) {
    std::shared_ptr<CudnnHandle>& handle = cache.workerHandles[w];
    try {
      if (cudaSetDevice(device) != cudaSuccess) return;
      if (!handle) handle = std::make_shared<CudnnHandle>();
    } catch (const std::exception&) {
      return;
    }
    for (size_t j = next.fetch_add(1); j < todo.size(); j = next.fetch_add(1)) {
      try {
        Built built = build(handle->get(), todo[j]);
        extend(built, counts[j]);
        plansPrebuiltCount.fetch_add(static_cast<int64_t>(built.plans.size()), std::memory_order_relaxed);
        built.handle = handle;
        results[j] = std::move(built);
        done[j] = 1;
      } catch (const std::exception&) {  // the frontend threw: left to planCount()
      }
    }
  };
  std::vector<std::thread> pool;
  for (size_t w = 1; w < workers; ++w) {
    try {
      pool.emplace_back(work, w);
    } catch (const std::system_error&) {  // no more threads: the ones started share the rest
      break;
    }
  }
  work(0);
  for (std::thread& t : pool) t.join();
  // A refused build may leave a CUDA error on this thread, which the next launch's check must not report as its own.
  (void)cudaGetLastError();
  int64_t configurations = 0;
  for (size_t j = 0; j < todo.size(); ++j)
    if (done[j]) {
      configurations += results[j].plans.empty() ? 0 : 1;
      cache.graphs.emplace(keyOf(todo[j]), std::move(results[j]));
    }
  configurationsPrebuiltCount.fetch_add(configurations, std::memory_order_relaxed);
}

std::shared_ptr<GraphCache> makeGraphCache() { return std::make_shared<GraphCache>(); }

int32_t planCount(GraphCache& cache, void* stream, const Config& config, int32_t most) {
  return static_cast<int32_t>(cache.graphFor(stream, config, most).plans.size());
}

int64_t workspaceOf(GraphCache& cache, void* stream, const Config& config, int32_t index) {
  if (const Adopted* a = cache.adoptedPlan(config, index)) return a->workspace;
  // A configuration first seen here (a plan's recorded choice in a loaded engine) builds up to that index.
  const Built& built = cache.graphFor(stream, config, index + 1);
  if (index < 0 || index >= static_cast<int32_t>(built.plans.size())) return -1;
  return built.workspace[static_cast<size_t>(index)];
}

std::vector<uint8_t> serialize(GraphCache& cache, void* stream, const Config& config, int32_t index) {
  std::vector<uint8_t> bytes;
  Built& built = cache.graphFor(stream, config, index + 1);
  if (index < 0 || index >= static_cast<int32_t>(built.plans.size())) return bytes;
  // Building a built plan again only makes it the graph's current one (what serialize writes): nothing compiles.
  if (built.graph->build_plan_at_index(built.plans[static_cast<size_t>(index)]).is_bad() ||
      built.graph->serialize(bytes, kSerializeStructure).is_bad())
    return {};
  return wrapArtifact(config, index, bytes);
}

std::vector<uint8_t> wrapArtifact(const Config& config, int32_t index, const std::vector<uint8_t>& document) {
  const std::vector<int64_t> header = artifactHeader(config, index);
  std::vector<uint8_t> artifact(sizeof kArtifactMagic + header.size() * sizeof(int64_t));
  std::memcpy(artifact.data(), kArtifactMagic, sizeof kArtifactMagic);
  std::memcpy(artifact.data() + sizeof kArtifactMagic, header.data(), header.size() * sizeof(int64_t));
  artifact.insert(artifact.end(), document.begin(), document.end());
  return artifact;
}

namespace {
// The plan document of an artifact made for this cuDNN, frontend, configuration and plan index, checked before
// and after parsing (readableArtifact); false where any check fails.
bool readArtifact(const Config& config, int32_t index, const std::vector<uint8_t>& bytes, nlohmann::json& document) {
  const std::vector<int64_t> header = artifactHeader(config, index);
  const size_t headerBytes = sizeof kArtifactMagic + header.size() * sizeof(int64_t);
  if (bytes.size() <= headerBytes || std::memcmp(bytes.data(), kArtifactMagic, sizeof kArtifactMagic) != 0 ||
      std::memcmp(bytes.data() + sizeof kArtifactMagic, header.data(), header.size() * sizeof(int64_t)) != 0)
    return false;
  const auto first = bytes.begin() + static_cast<std::ptrdiff_t>(headerBytes);
  try {
    // The frontend writes containers without declared sizes; one with a declared size could make the parser
    // allocate for elements the bytes do not hold (a UBJSON array of 2^31 nulls is 10 bytes), deep nesting would
    // exhaust the parser's stack.
    NoDeclaredSizes check;
    if (!nlohmann::json::sax_parse(first, bytes.end(), &check, nlohmann::json::input_format_t::ubjson, true))
      return false;
    document = nlohmann::json::from_ubjson(first, bytes.end(), true, false);
  } catch (const std::exception&) {  // malformed bytes
    return false;
  }
  return !document.is_discarded() && plausiblePlan(document, config);
}
}  // namespace

bool readableArtifact(const Config& config, int32_t index, const std::vector<uint8_t>& bytes) {
  nlohmann::json document;
  return readArtifact(config, index, bytes, document);
}

bool adopt(GraphCache& cache, void* stream, const Config& config, int32_t index, const std::vector<uint8_t>& bytes) {
  // Only on request (TORCHTRT_CUDNN_RUNTIME_FUSION=1): cuDNN reads the plan's own description of its tensors, which
  // nothing here can check against the layer, so taking it is the user's choice (docs/security.md).
  if (!adoptsSerializedPlans() || index < 0 || cache.adoptedPlan(config, index)) return false;
  // What it was built for (this cuDNN, this frontend, this configuration and plan index) and well formed, else it
  // is not read.
  nlohmann::json j;
  if (!readArtifact(config, index, bytes, j)) return false;
  Adopted adopted;
  try {
    cache.handle.on(stream);
    adopted.graph = std::make_shared<fe::graph::Graph>();
    // No warm-up capture: the engine's first call runs the plan outside any capture before a graph is captured.
    if (adopted.graph->deserialize(cache.handle.get(), j, false, false).is_bad() ||
        adopted.graph->get_workspace_size(adopted.workspace).is_bad())
      return false;
  } catch (const std::exception&) {  // a field of a type the frontend does not expect
    return false;
  }
  cache.adopted[{keyOf(config), index}] = std::move(adopted);
  return true;
}

bool run(GraphCache& cache, void* stream, const Config& config, int32_t index, const Buffers& buffers) {
  std::unordered_map<int64_t, void*> pack = {
      {kX, const_cast<void*>(buffers.x)}, {kW, const_cast<void*>(buffers.w)}, {kY, buffers.y}};
  if (config.bias) pack[kBias] = const_cast<void*>(buffers.bias);
  if (config.residual) pack[kResidual] = const_cast<void*>(buffers.residual);
  if (const Adopted* a = cache.adoptedPlan(config, index)) {
    cache.handle.on(stream);
    if (a->graph->execute(cache.handle.get(), pack, a->workspace > 0 ? buffers.workspace : nullptr).is_bad())
      return false;
    launched.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  Built& built = cache.graphFor(stream, config, index + 1);
  if (index < 0 || index >= static_cast<int32_t>(built.plans.size())) return false;
  const size_t i = static_cast<size_t>(index);
  if (built.graph
          ->execute_plan_at_index(cache.handleOf(built, stream), pack,
                                  built.workspace[i] > 0 ? buffers.workspace : nullptr, built.plans[i])
          .is_bad())
    return false;
  launched.fetch_add(1, std::memory_order_relaxed);
  return true;
}

#else  // no frontend in this build

class GraphCache {};

bool available() { return false; }

bool runtimeFusion() { return false; }

bool adoptsSerializedPlans() { return false; }

void prebuild(GraphCache&, const std::vector<Config>&, const std::vector<int32_t>&, int32_t) {}

std::shared_ptr<GraphCache> makeGraphCache() {
  throw Error("CUDA backend: this build has no cuDNN frontend (cuDNN graph convolutions)");
}

int32_t planCount(GraphCache&, void*, const Config&, int32_t) { return 0; }

int64_t workspaceOf(GraphCache&, void*, const Config&, int32_t) { return -1; }

std::vector<uint8_t> serialize(GraphCache&, void*, const Config&, int32_t) { return {}; }

bool adopt(GraphCache&, void*, const Config&, int32_t, const std::vector<uint8_t>&) { return false; }

std::vector<uint8_t> wrapArtifact(const Config&, int32_t, const std::vector<uint8_t>& document) { return document; }

bool readableArtifact(const Config&, int32_t, const std::vector<uint8_t>&) { return false; }

bool run(GraphCache&, void*, const Config&, int32_t, const Buffers&) { return false; }

#endif

}  // namespace convgraph
}  // namespace cuda
}  // namespace trt
