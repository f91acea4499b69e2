// CUPTI activity records for the profiler (kernel_trace.h). libcupti is opened with dlopen, so the
// engine neither links it nor needs it to run: one the process has loaded already, else the file
// TORCHTRT_CUPTI_LIBRARY names (only that), else the loader's path, else the CUDA toolkit's directories.
#ifdef TORCHTRT_WITH_CUDA
#include "backends/cuda/kernel_trace.h"

#include <dlfcn.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "trt/types.h"

#if __has_include(<cupti.h>)
#include <cupti.h>
#define TORCHTRT_HAVE_CUPTI 1
#endif

namespace trt {
namespace cuda {

namespace {
std::atomic<int64_t> tracedRuns{0};
std::mutex sessionMutex;  // one traced run at a time: CUPTI's activity buffers are process-wide
}  // namespace

int64_t kernelTracedRuns() { return tracedRuns.load(); }

#ifndef TORCHTRT_HAVE_CUPTI
const std::string& kernelTraceUnavailable() {
  static const std::string why = "this build found no cupti.h (the CUDA toolkit's CUPTI headers)";
  return why;
}
KernelTraceTimer::~KernelTraceTimer() = default;
bool KernelTraceTimer::start(cudaStream_t) { return false; }
void KernelTraceTimer::end(size_t) {}
bool KernelTraceTimer::collect(cudaGraphExec_t, std::vector<std::pair<size_t, float>>&, std::string& why) {
  why = kernelTraceUnavailable();
  return false;
}
void KernelTraceTimer::abandon() {}
void KernelTraceTimer::stop() {}
#else

namespace {

// The CUPTI entry points the timer uses, from the library dlopen found.
struct Cupti {
  CUptiResult (*getVersion)(uint32_t*) = nullptr;
  CUptiResult (*registerCallbacks)(CUpti_BuffersCallbackRequestFunc, CUpti_BuffersCallbackCompleteFunc) = nullptr;
  CUptiResult (*enable)(CUpti_ActivityKind) = nullptr;
  CUptiResult (*disable)(CUpti_ActivityKind) = nullptr;
  CUptiResult (*flushAll)(uint32_t) = nullptr;
  CUptiResult (*nextRecord)(uint8_t*, size_t, CUpti_Activity**) = nullptr;
  CUptiResult (*graphNodeId)(CUgraphNode, uint64_t*) = nullptr;
  CUptiResult (*graphExecId)(CUgraphExec, uint32_t*) = nullptr;
  std::string failure;
};

// One GPU operation of a graph node: the node's and its graph's CUPTI ids and its GPU time stamps (ns).
struct Record {
  uint64_t node;
  uint32_t graph;
  uint64_t start;
  uint64_t end;
};

std::mutex recordsMutex;
std::vector<Record> records;              // filled by the buffer-completed callback during a session
std::unordered_set<uint8_t*> ourBuffers;  // what bufferRequested allocated (another client's are not ours)
bool collecting = false;                  // a traced run's session is open

constexpr CUpti_ActivityKind kKinds[] = {CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL, CUPTI_ACTIVITY_KIND_MEMCPY,
                                         CUPTI_ACTIVITY_KIND_MEMSET};

void CUPTIAPI bufferRequested(uint8_t** buffer, size_t* size, size_t* maxNumRecords) {
  constexpr size_t kBytes = size_t(4) << 20;
  *buffer = static_cast<uint8_t*>(std::aligned_alloc(8, kBytes));
  *size = *buffer ? kBytes : 0;
  *maxNumRecords = 0;  // as many as fit
  std::lock_guard<std::mutex> lock(recordsMutex);
  if (*buffer) ourBuffers.insert(*buffer);
}

const Cupti& cupti();

void CUPTIAPI bufferCompleted(CUcontext, uint32_t, uint8_t* buffer, size_t, size_t validSize) {
  std::lock_guard<std::mutex> lock(recordsMutex);
  // A buffer another CUPTI client (PyTorch's profiler) allocated before this engine registered its
  // callbacks is not ours to read or free.
  if (!buffer || !ourBuffers.erase(buffer)) return;
  CUpti_Activity* record = nullptr;
  while (collecting && cupti().nextRecord(buffer, validSize, &record) == CUPTI_SUCCESS) {
    // The structures are those of this build's cupti.h, whose major version the library matches (load()).
    switch (record->kind) {
      case CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL:
      case CUPTI_ACTIVITY_KIND_KERNEL: {
        const auto* k = reinterpret_cast<const CUpti_ActivityKernel10*>(record);
        records.push_back({k->graphNodeId, k->graphId, k->start, k->end});
        break;
      }
      case CUPTI_ACTIVITY_KIND_MEMCPY: {
        const auto* m = reinterpret_cast<const CUpti_ActivityMemcpy6*>(record);
        records.push_back({m->graphNodeId, m->graphId, m->start, m->end});
        break;
      }
      case CUPTI_ACTIVITY_KIND_MEMSET: {
        const auto* m = reinterpret_cast<const CUpti_ActivityMemset4*>(record);
        records.push_back({m->graphNodeId, m->graphId, m->start, m->end});
        break;
      }
      default:
        break;
    }
  }
  std::free(buffer);
}

std::vector<std::string> candidates() {
  std::vector<std::string> paths;
  // A named file is the only one tried (a path that does not exist turns the profiler to events).
  if (const char* path = std::getenv("TORCHTRT_CUPTI_LIBRARY"); path && *path) return {path};
  paths.push_back("libcupti.so." + std::to_string(CUPTI_API_VERSION / 10000));
  paths.push_back("libcupti.so");
#ifdef TORCHTRT_CUDA_TOOLKIT_LIBRARY_DIR
  for (const char* dir :
       {TORCHTRT_CUDA_TOOLKIT_LIBRARY_DIR, TORCHTRT_CUDA_TOOLKIT_LIBRARY_DIR "/../extras/CUPTI/lib64"})
    paths.push_back(std::string(dir) + "/libcupti.so");
#endif
  return paths;
}

Cupti load() {
  Cupti c;
  std::string tried;
  // A libcupti the process has loaded already (PyTorch's profiler's) comes first: one CUPTI a process.
  void* handle = dlopen(("libcupti.so." + std::to_string(CUPTI_API_VERSION / 10000)).c_str(), RTLD_NOW | RTLD_NOLOAD);
  for (const std::string& path : handle ? std::vector<std::string>{} : candidates()) {
    if ((handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL))) break;
    const char* error = dlerror();
    tried += (tried.empty() ? "" : "; ") + std::string(error ? error : path);
  }
  if (!handle) {
    c.failure = "cannot load libcupti (" + tried + "); TORCHTRT_CUPTI_LIBRARY may name it";
    return c;
  }
  auto get = [&](auto& fn, const char* name) {
    fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(handle, name));
    if (!fn && c.failure.empty()) c.failure = std::string("libcupti lacks ") + name;
  };
  get(c.getVersion, "cuptiGetVersion");
  get(c.registerCallbacks, "cuptiActivityRegisterCallbacks");
  get(c.enable, "cuptiActivityEnable");
  get(c.disable, "cuptiActivityDisable");
  get(c.flushAll, "cuptiActivityFlushAll");
  get(c.nextRecord, "cuptiActivityGetNextRecord");
  get(c.graphNodeId, "cuptiGetGraphNodeId");
  get(c.graphExecId, "cuptiGetGraphExecId");
  uint32_t version = 0;
  if (c.failure.empty() && (c.getVersion(&version) != CUPTI_SUCCESS || version / 10000 != CUPTI_API_VERSION / 10000))
    c.failure = "libcupti's API version " + std::to_string(version) + " is not of this build's major version " +
                std::to_string(CUPTI_API_VERSION / 10000) + " (its record layouts may differ)";
  if (c.failure.empty() && c.registerCallbacks(bufferRequested, bufferCompleted) != CUPTI_SUCCESS)
    c.failure = "cuptiActivityRegisterCallbacks failed";
  if (!c.failure.empty()) dlclose(handle);  // otherwise kept for the process's life (its callbacks)
  return c;
}

const Cupti& cupti() {
  static const Cupti once = [] {
    Cupti c = load();
    if (!c.failure.empty())
      defaultLogger().log(ILogger::Severity::kINFO,
                          ("profiled CUDA runs are timed with events (adds GPU time per layer): " + c.failure).c_str());
    return c;
  }();
  return once;
}

}  // namespace

const std::string& kernelTraceUnavailable() { return cupti().failure; }

KernelTraceTimer::~KernelTraceTimer() {
  if (session_.owns_lock()) stop();
}

bool KernelTraceTimer::start(cudaStream_t stream) {
  if (!cupti().failure.empty()) return false;
  session_ = std::unique_lock<std::mutex>(sessionMutex);
  {
    std::lock_guard<std::mutex> lock(recordsMutex);
    records.clear();
    collecting = true;
  }
  // Enabled before the capture: CUPTI traces a graph's nodes only when it knew of them at instantiation.
  for (CUpti_ActivityKind kind : kKinds) {
    if (cupti().enable(kind) != CUPTI_SUCCESS) {
      stop();
      return false;
    }
  }
  stream_ = stream;
  seen_.clear();
  nodeStep_.clear();
  steps_.clear();
  stepNodes_.clear();
  workNodes_ = 0;
  broken_ = false;
  return true;
}

void KernelTraceTimer::end(size_t step) {
  if (broken_ || !session_.owns_lock()) return;
  cudaStreamCaptureStatus status = cudaStreamCaptureStatusNone;
  cudaGraph_t graph = nullptr;
  size_t count = 0;
  if (cudaStreamGetCaptureInfo(stream_, &status, nullptr, &graph, nullptr, nullptr, nullptr) != cudaSuccess ||
      status != cudaStreamCaptureStatusActive || !graph || cudaGraphGetNodes(graph, nullptr, &count) != cudaSuccess) {
    broken_ = true;
    return;
  }
  std::vector<cudaGraphNode_t> nodes(count);
  if (count && cudaGraphGetNodes(graph, nodes.data(), &count) != cudaSuccess) {
    broken_ = true;
    return;
  }
  size_t added = 0;
  for (cudaGraphNode_t node : nodes) {
    if (!seen_.insert(node).second) continue;
    cudaGraphNodeType type;
    if (cudaGraphNodeGetType(node, &type) != cudaSuccess) continue;
    if (type != cudaGraphNodeTypeKernel && type != cudaGraphNodeTypeMemcpy && type != cudaGraphNodeTypeMemset)
      continue;  // event, empty and other nodes do no timed work
    uint64_t id = 0;
    if (cupti().graphNodeId(reinterpret_cast<CUgraphNode>(node), &id) == CUPTI_SUCCESS) nodeStep_[id] = steps_.size();
    ++added;
  }
  workNodes_ += added;
  steps_.push_back(step);
  stepNodes_.push_back(added);
}

void KernelTraceTimer::stop() {
  for (CUpti_ActivityKind kind : kKinds) cupti().disable(kind);
  {
    std::lock_guard<std::mutex> lock(recordsMutex);
    collecting = false;
    records.clear();
  }
  session_.unlock();
}

void KernelTraceTimer::abandon() {
  if (session_.owns_lock()) stop();
}

bool KernelTraceTimer::collect(cudaGraphExec_t exec, std::vector<std::pair<size_t, float>>& times, std::string& why) {
  times.clear();
  if (!session_.owns_lock()) {
    why = "no traced run";
    return false;
  }
  cupti().flushAll(CUPTI_ACTIVITY_FLAG_FLUSH_FORCED);
  std::vector<Record> taken;
  {
    std::lock_guard<std::mutex> lock(recordsMutex);
    taken.swap(records);
  }
  stop();
  if (broken_) {
    why = "the capture's graph could not be read";
    return false;
  }
  // Each layer's first start and last end, from the records of the nodes it added.
  constexpr uint64_t kNone = std::numeric_limits<uint64_t>::max();
  std::vector<std::pair<uint64_t, uint64_t>> span(steps_.size(), {kNone, 0});
  auto extend = [&](size_t step, const Record& r) {
    auto& [first, last] = span[step];
    first = std::min(first, r.start);
    last = std::max(last, r.end);
  };
  size_t matched = 0;
  for (const Record& r : taken) {
    auto it = r.node ? nodeStep_.find(r.node) : nodeStep_.end();
    if (it == nodeStep_.end() || r.start == 0 || r.end < r.start) continue;  // other work, or no time stamps
    extend(it->second, r);
    ++matched;
  }
  if (matched != workNodes_) {
    // The records name the nodes of the instantiated graph, which CUDA copied from the captured one
    // under new ids (as the H200's driver 580 does). The capture was one stream, so its nodes ran one
    // after another in the order they were added: the graph's records in time order are the steps'
    // nodes in step order, when there are exactly as many.
    // The records of this run's graph: by its CUPTI id where that selects exactly its nodes' count
    // (other graphs of the process may have run meanwhile), else every graph record of the session.
    // A record a forced flush returned without its time stamps counts as missing.
    uint32_t execId = 0;
    const bool haveExecId = cupti().graphExecId(reinterpret_cast<CUgraphExec>(exec), &execId) == CUPTI_SUCCESS;
    std::vector<Record> graphRecords, ofThisGraph;
    for (const Record& r : taken) {
      if (!r.node || r.start == 0 || r.end < r.start) continue;
      graphRecords.push_back(r);
      if (haveExecId && r.graph == execId) ofThisGraph.push_back(r);
    }
    if (ofThisGraph.size() == workNodes_) graphRecords.swap(ofThisGraph);
    if (graphRecords.size() != workNodes_) {
      why = "CUPTI reported " + std::to_string(graphRecords.size()) + " graph kernels, copies and memsets for the " +
            "run's " + std::to_string(workNodes_) + " (" + std::to_string(taken.size()) + " records in all)";
      return false;
    }
    std::sort(graphRecords.begin(), graphRecords.end(),
              [](const Record& a, const Record& b) { return a.start < b.start; });
    span.assign(steps_.size(), {kNone, 0});
    size_t next = 0;
    for (size_t i = 0; i < steps_.size(); ++i)
      for (size_t n = 0; n < stepNodes_[i]; ++n) extend(i, graphRecords[next++]);
  }
  uint64_t previousEnd = kNone;
  for (const auto& [first, last] : span)
    if (first != kNone) previousEnd = std::min(previousEnd, first);  // the run's first GPU work
  for (size_t i = 0; i < steps_.size(); ++i) {
    const auto& [first, last] = span[i];
    float ms = 0.f;
    if (first != kNone && last > previousEnd) {
      ms = static_cast<float>(static_cast<double>(last - previousEnd) * 1e-6);
      previousEnd = last;
    }
    times.emplace_back(steps_[i], ms);
  }
  ++tracedRuns;
  return true;
}

#endif  // TORCHTRT_HAVE_CUPTI

}  // namespace cuda
}  // namespace trt
#endif  // TORCHTRT_WITH_CUDA
