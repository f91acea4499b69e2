#include <atomic>
#include <set>
#include <sstream>

#include "ATen/core/grad_mode.h"
#include "c10/core/InferenceMode.h"
#include "core/runtime/runtime.h"
#include "core/util/macros.h"
#include "core/util/trt_util.h"
#include "trt/memory_limits.h"
#ifdef TORCHTRT_WITH_CUDA
#include "c10/cuda/CUDAException.h"
#include "c10/cuda/CUDAFunctions.h"
#include "c10/cuda/CUDAGuard.h"
#include "c10/cuda/CUDAStream.h"
#endif

namespace torch_tensorrt {
namespace core {
namespace runtime {

namespace {
std::string joinNames(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) out += (i ? "," : "") + names[i];
  return out;
}
std::vector<std::string> splitNames(const std::string& s) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(item);
  return out;
}
}  // namespace

TRTEngine::TRTEngine(std::string name_, const std::string& plan, std::string device_info_,
                     std::vector<std::string> inputs, std::vector<std::string> outputs)
    : name(std::move(name_)),
      device_info(std::move(device_info_)),
      input_names(std::move(inputs)),
      output_names(std::move(outputs)) {
  load(plan);
}

TRTEngine::TRTEngine(std::vector<std::string> info) {
  TORCHTRT_CHECK(!info.empty(), "the serialized engine is empty; the saved module is corrupted");
  TORCHTRT_CHECK(info[ABI_TARGET_IDX] == ABI_VERSION,
                 "the saved engine has runtime ABI version "
                     << info[ABI_TARGET_IDX] << " but this runtime reads version " << ABI_VERSION
                     << "; recompile the module with this version of torch_tensorrt");
  TORCHTRT_CHECK(info.size() == SERIALIZATION_LEN, "the serialized engine has " << info.size() << " fields, expected "
                                                                                << SERIALIZATION_LEN
                                                                                << "; the saved module is corrupted");
  name = info[NAME_IDX];
  device_info = info[DEVICE_IDX];
  input_names = splitNames(info[INPUT_BINDING_NAMES_IDX]);
  output_names = splitNames(info[OUTPUT_BINDING_NAMES_IDX]);
  // Moved out of the state; the engine keeps it and reads its large weights in place (no copy of
  // them), and a saved module writes the plan again from the engine (see serializedPlan).
  load(std::make_shared<const std::string>(std::move(info[ENGINE_IDX])));
}

TRTEngine::~TRTEngine() = default;

void TRTEngine::load(const std::string& plan) {
  runtime_.reset(trt::createInferRuntime(trt::defaultLogger()));
  try {
    engine_.reset(runtime_->deserializeCudaEngine(plan.data(), plan.size()));
  } catch (const trt::Error& e) {
    TORCHTRT_THROW_ERROR("cannot load engine '" << name << "': " << e.what());
  }
  context_.reset(engine_->createExecutionContext());
  checkBindingNames();
  prepareForFirstCall();
}

void TRTEngine::load(std::shared_ptr<const std::string> plan) {
  runtime_.reset(trt::createInferRuntime(trt::defaultLogger()));
  try {
    engine_.reset(runtime_->deserializeCudaEngine(std::move(plan)));
  } catch (const trt::Error& e) {
    TORCHTRT_THROW_ERROR("cannot load engine '" << name << "': " << e.what());
  }
  context_.reset(engine_->createExecutionContext());
  checkBindingNames();
  prepareForFirstCall();
}

void TRTEngine::prepareForFirstCall() {
  warmTorchScriptExecutor();
#ifdef TORCHTRT_WITH_CUDA
  if (engine_->getBackend() != trt::Backend::kCUDA || c10::cuda::device_count() == 0) return;
  const at::Device device(at::kCUDA, c10::cuda::current_device());
  std::vector<at::Tensor> zeros;
  for (const std::string& bind : input_names) {
    trt::Dims dims = engine_->getTensorShape(bind.c_str());
    if (!dims.isStatic() && engine_->getNbOptimizationProfiles() > 0)
      dims = engine_->getProfileShape(bind.c_str(), 0, trt::OptProfileSelector::kOPT);
    if (!dims.isStatic()) return;
    const auto dtype = util::TRTDataTypeToScalarType(engine_->getTensorDataType(bind.c_str()));
    zeros.push_back(at::zeros(dims.toVector(), at::TensorOptions().dtype(dtype).device(device)));
  }
  int64_t inputBytes = 0;
  for (const at::Tensor& z : zeros) inputBytes += static_cast<int64_t>(z.nbytes());
  // Through the buffers only where the copies in and out cost less than the launches they save (small inputs
  // and outputs: batch 1); a larger engine runs once, directly, as before.
  const bool throughBuffers = !zeros.empty() && inputBytes <= kPreparedGraphMaxBytes;
  struct Preparing {  // however prepare ends, calls are the user's again
    bool& flag;
    Preparing(bool& f, bool value) : flag(f) { flag = value; }
    ~Preparing() { flag = false; }
  } preparing{preparing_through_buffers_, throughBuffers};
  try {
    // Run (the first-run work), run again and capture (the key repeats), replay (the graph's upload).
    for (int run = 0; run < (throughBuffers ? 3 : 1); ++run) execute(zeros);
    C10_CUDA_CHECK(cudaStreamSynchronize(c10::cuda::getCurrentCUDAStream(device.index()).stream()));
    int64_t bufferBytes = 0;
    for (const auto* buffers : {&graph_inputs_, &graph_outputs_})
      for (const at::Tensor& b : *buffers) bufferBytes += b.defined() ? static_cast<int64_t>(b.nbytes()) : 0;
    prepared_graph_ =
        throughBuffers && context_->getCudaGraphLaunches() > 0 && bufferBytes <= 2 * kPreparedGraphMaxBytes;
  } catch (const std::exception& e) {
    LOG_DEBUG("engine '" << name << "': not prepared while loading (its first call will be): " << e.what());
  }
  prepared_launches_ = context_->getCudaGraphLaunches();
  if (!prepared_graph_) {  // not capturable (data-dependent shapes), too large or not run: the buffers go
    graph_inputs_.clear();
    graph_outputs_.clear();
  }
#endif
}

namespace {
// The buffers outlive the call that makes them: never inference tensors (an engine prepared while loading under
// torch.inference_mode() would refuse, outside it, the copies into them).
at::Tensor ordinaryEmpty(c10::IntArrayRef sizes, const at::TensorOptions& options) {
  c10::InferenceMode ordinary(false);
  return at::empty(sizes, options);
}
}  // namespace

bool TRTEngine::replaysPreparedGraph(const std::vector<at::Tensor>& inputs) const {
  if (!prepared_graph_ || inputs.empty() || graph_inputs_.size() != inputs.size()) return false;
  for (size_t i = 0; i < inputs.size(); ++i)
    if (!graph_inputs_[i].defined() || graph_inputs_[i].sizes() != inputs[i].sizes() ||
        graph_inputs_[i].device() != inputs[i].device())
      return false;
  return true;
}

// The binding lists must name each of the engine's inputs and outputs exactly once: a name listed
// twice binds two tensors to one engine tensor, and the one written first was returned uninitialised;
// a name left out leaves an engine tensor without a buffer.
void TRTEngine::checkBindingNames() const {
  int32_t engineInputs = 0, engineOutputs = 0;
  for (int32_t i = 0; i < engine_->getNbIOTensors(); ++i)
    ++(engine_->getTensorIOMode(engine_->getIOTensorName(i)) == trt::TensorIOMode::kINPUT ? engineInputs
                                                                                          : engineOutputs);
  std::set<std::string> seen;
  auto check = [&](const std::vector<std::string>& names, trt::TensorIOMode mode, const char* kind, int32_t count) {
    for (const auto& n : names) {
      TORCHTRT_CHECK(!n.empty() && n.find(',') == std::string::npos,
                     "engine '" << name << "': " << kind << " binding name '" << n
                                << "' is empty or holds a comma (the saved state separates names with commas); "
                                << "the saved module is corrupted");
      TORCHTRT_CHECK(seen.insert(n).second,
                     "engine '" << name << "' lists the binding '" << n << "' twice; the saved module is corrupted");
      TORCHTRT_CHECK(engine_->getTensorIOMode(n.c_str()) == mode, "engine '" << name << "' has no " << kind
                                                                             << " named '" << n
                                                                             << "'; the saved module is corrupted");
    }
    TORCHTRT_CHECK(static_cast<int32_t>(names.size()) == count,
                   "engine '" << name << "' has " << count << " " << kind << "(s) but the saved state binds "
                              << names.size() << "; the saved module is corrupted");
  };
  check(input_names, trt::TensorIOMode::kINPUT, "input", engineInputs);
  check(output_names, trt::TensorIOMode::kOUTPUT, "output", engineOutputs);
}

std::string TRTEngine::serializedPlan() const {
  std::unique_ptr<trt::IHostMemory> mem(engine_->serialize());
  return std::string(static_cast<const char*>(mem->data()), mem->size());
}

std::vector<std::string> TRTEngine::serialize() const {
  std::vector<std::string> info(SERIALIZATION_LEN);
  info[ABI_TARGET_IDX] = ABI_VERSION;
  info[NAME_IDX] = name;
  info[DEVICE_IDX] = device_info;
  info[ENGINE_IDX] = serializedPlan();
  info[INPUT_BINDING_NAMES_IDX] = joinNames(input_names);
  info[OUTPUT_BINDING_NAMES_IDX] = joinNames(output_names);
  return info;
}

// The outputs' sizes against the memory cap and, on the host, the memory available, before any is
// allocated: a tiny plan can ask for outputs of many GB. (GPU outputs meet PyTorch's allocator,
// which refuses with an out-of-memory error; the cap applies to them too.)
void TRTEngine::checkOutputMemory(bool onGpu) const {
  const trt::INetworkDefinition& net = engine_->network();
  const uint64_t available = onGpu ? 0 : trt::availableHostMemory();
  const char* where = onGpu ? "GPU memory" : "host memory";
  uint64_t total = 0;
  for (int32_t i = 0; i < net.getNbOutputs(); ++i) {
    const trt::ITensor& t = *net.getOutput(i);
    const trt::Dims dims = context_->getTensorShape(t.getName());
    if (!dims.isStatic()) continue;  // data-dependent: sized by the run, which checks its arena
    const uint64_t bytes = trt::tensorBytes(dims, t.getType());
    const std::string what = "engine '" + name + "': " + trt::describeTensor(t, dims);
    try {
      trt::checkMemoryDemand(what, bytes, available, where);
    } catch (const trt::Error& e) {
      TORCHTRT_THROW_ERROR(e.what());
    }
    total = bytes > UINT64_MAX - total ? UINT64_MAX : total + bytes;
  }
  try {
    trt::checkMemoryDemand("engine '" + name + "': its outputs together", total, available, where);
  } catch (const trt::Error& e) {
    TORCHTRT_THROW_ERROR(e.what());
  }
}

void TRTEngine::LayerTimes::reportLayerTime(const char* layerName, float ms) noexcept {
  try {
    auto [it, added] = index.emplace(layerName, names.size());
    if (added) {
      names.emplace_back(layerName);
      calls.push_back(0);
      totalMs.push_back(0);
    }
    ++calls[it->second];
    totalMs[it->second] += ms;
  } catch (...) {  // out of memory: this report is lost, the run goes on
  }
}

void TRTEngine::enableProfiling(bool enabled) {
  std::lock_guard<std::mutex> lock(exec_mutex_);
  if (enabled && !profiling_) layer_times_ = LayerTimes();
  profiling_ = enabled;
  context_->setProfiler(enabled ? &layer_times_ : nullptr);
}

std::tuple<std::vector<std::string>, std::vector<int64_t>, std::vector<double>> TRTEngine::layerTimes() {
  std::lock_guard<std::mutex> lock(exec_mutex_);
  return {layer_times_.names, layer_times_.calls, layer_times_.totalMs};
}

std::string TRTEngine::layerInfo() const { return engine_->describeLayers(); }
std::string TRTEngine::layerInfoJson() const { return engine_->describeLayersJson(); }

std::string TRTEngine::toStr() const {
  std::stringstream ss;
  ss << "Torch-TensorRT engine '" << name << "' (" << trt::backendName(engine_->getBackend()) << ", "
     << engine_->getNbLayers() << " layers)\n  inputs:";
  for (const auto& n : input_names)
    ss << " " << n << engine_->getTensorShape(n.c_str()).str() << ":"
       << trt::dataTypeName(engine_->getTensorDataType(n.c_str()));
  ss << "\n  outputs:";
  for (const auto& n : output_names)
    ss << " " << n << engine_->getTensorShape(n.c_str()).str() << ":"
       << trt::dataTypeName(engine_->getTensorDataType(n.c_str()));
  return ss.str();
}

namespace {
std::atomic<bool> cudagraphs_mode{false};
}  // namespace

void setCudagraphsMode(bool enabled) { cudagraphs_mode = enabled; }
bool getCudagraphsMode() { return cudagraphs_mode; }

namespace {
// Receives an output whose shape only the run knows (after a NonZero layer): bytes as a Torch
// tensor on the engine's device, then viewed with the shape the run reports.
class TensorOutputAllocator : public trt::IOutputAllocator {
 public:
  TensorOutputAllocator(at::ScalarType dtype, at::Device device) : dtype_(dtype), device_(device) {}
  void* reallocateOutput(const char*, void*, uint64_t size, uint64_t) override {
    bytes_ = at::empty({static_cast<int64_t>(size)}, at::TensorOptions().dtype(at::kByte).device(device_));
    return bytes_.data_ptr();
  }
  void notifyShape(const char*, const trt::Dims& dims) override { dims_ = dims.toVector(); }
  at::Tensor result() const {
    if (bytes_.numel() == 0) return at::empty(dims_, at::TensorOptions().dtype(dtype_).device(device_));
    return bytes_.view(dtype_).view(dims_);
  }

 private:
  at::ScalarType dtype_;
  at::Device device_;
  at::Tensor bytes_;
  std::vector<int64_t> dims_;
};
}  // namespace

std::vector<at::Tensor> TRTEngine::execute(std::vector<at::Tensor> inputs) {
  TORCHTRT_CHECK(inputs.size() == input_names.size(), "engine '" << name << "' expects " << input_names.size()
                                                                 << " input(s) but was given " << inputs.size());
  std::lock_guard<std::mutex> lock(exec_mutex_);
  const bool onGpu = engine_->getBackend() == trt::Backend::kCUDA;
  at::Device device = onGpu ? inputs.empty() ? at::Device(at::kCUDA, 0) : inputs[0].device() : at::Device(at::kCPU);
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::string& bind = input_names[i];
    const at::Tensor& t = inputs[i];
    TORCHTRT_CHECK(t.defined(), "input " << i << " ('" << bind << "') of engine '" << name << "' is undefined");
    TORCHTRT_CHECK(t.layout() == at::kStrided, "input " << i << " ('" << bind << "') of engine '" << name << "' is a "
                                                        << t.layout()
                                                        << " tensor; engines take dense (strided) tensors: pass "
                                                           "tensor.to_dense()");
    if (onGpu) {
      TORCHTRT_CHECK(t.is_cuda(), "input " << i << " ('" << bind << "') of engine '" << name << "' is on " << t.device()
                                           << " but this engine runs on the GPU (" << device_info
                                           << "); move the input to the GPU");
      TORCHTRT_CHECK(t.device() == device, "input " << i << " ('" << bind << "') is on " << t.device()
                                                    << " but input 0 is on " << device
                                                    << "; all inputs of an engine must be on one GPU");
    } else {
      TORCHTRT_CHECK(t.device().is_cpu(),
                     "input " << i << " ('" << bind << "') of engine '" << name << "' is on " << t.device()
                              << " but this engine runs on the CPU backend; move the input to the CPU "
                              << "or recompile for the GPU");
    }
    auto expected = util::TRTDataTypeToScalarType(engine_->getTensorDataType(bind.c_str()));
    TORCHTRT_CHECK(t.scalar_type() == expected, "input " << i << " ('" << bind << "') of engine '" << name
                                                         << "' expects dtype " << c10::toString(expected) << " but got "
                                                         << c10::toString(t.scalar_type()));
  }
  // GPU engines replay a captured CUDA graph whenever a call repeats the previous call's shapes and
  // buffer addresses (common in serving loops: PyTorch's allocator hands back the same blocks), which
  // removes the per-kernel launch cost. CUDA graph mode (`graphs`) makes the addresses repeat by
  // copying through fixed buffers; so do calls of the shapes whose graph was captured while loading.
  void* stream = nullptr;
  bool capturing = false;  // the caller is capturing a CUDA graph of its own (torch.cuda.graph)
#ifdef TORCHTRT_WITH_CUDA
  std::optional<c10::cuda::CUDAGuard> guard;
  if (onGpu) {
    guard.emplace(device);
    stream = c10::cuda::getCurrentCUDAStream(device.index()).stream();
    cudaStreamCaptureStatus status = cudaStreamCaptureStatusNone;
    C10_CUDA_CHECK(cudaStreamIsCapturing(static_cast<cudaStream_t>(stream), &status));
    capturing = status != cudaStreamCaptureStatusNone;
  }
#else
  TORCHTRT_CHECK(!onGpu, "engine '" << name << "' targets the GPU but this build has no CUDA backend");
#endif
  const bool graphs =
      onGpu && (cudagraphs_mode || preparing_through_buffers_ || (!capturing && replaysPreparedGraph(inputs)));
  context_->setCudaGraphMode(onGpu);
#ifdef TORCHTRT_WITH_CUDA
  // The buffers are shared by every stream: a call on another stream than the last one that used them waits for
  // that stream, whose copies out of them may still be queued (the default stream's handle is null, hence the
  // flag); so does freeing them below.
  if (graph_stream_used_ && graph_stream_ != stream && (graphs || !graph_inputs_.empty() || !graph_outputs_.empty()))
    C10_CUDA_CHECK(cudaStreamSynchronize(static_cast<cudaStream_t>(graph_stream_)));
#endif
  std::vector<at::Tensor> keep;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::string& bind = input_names[i];
    at::Tensor t = graphs ? inputs[i] : inputs[i].contiguous();  // copy_ below reads any strides
    try {
      context_->setInputShape(bind.c_str(), util::toDims(t.sizes()));
    } catch (const trt::Error& e) {
      TORCHTRT_THROW_ERROR("input " << i << " of engine '" << name << "': " << e.what());
    }
    if (graphs) {
      // A fixed buffer per input (same address every call), refilled on the caller's stream.
      if (graph_inputs_.size() <= i) graph_inputs_.resize(i + 1);
      if (!graph_inputs_[i].defined() || graph_inputs_[i].sizes() != t.sizes() ||
          graph_inputs_[i].device() != t.device())
        graph_inputs_[i] = ordinaryEmpty(t.sizes(), t.options().memory_format(c10::MemoryFormat::Contiguous));
      graph_inputs_[i].copy_(t, /*non_blocking=*/true);
      t = graph_inputs_[i];
    }
    keep.push_back(t);
    context_->setTensorAddress(bind.c_str(), t.data_ptr());
  }
  if (graphs) {
    graph_stream_ = stream;
    graph_stream_used_ = true;
  } else {  // only once the call's shapes were accepted: a refused call keeps the prepared graph
    graph_inputs_.clear();
    graph_outputs_.clear();
    prepared_graph_ = false;
  }
  checkOutputMemory(onGpu);
  std::vector<at::Tensor> outputs;
  std::vector<std::unique_ptr<TensorOutputAllocator>> allocators(output_names.size());
  for (size_t o = 0; o < output_names.size(); ++o) {
    const std::string& bind = output_names[o];
    trt::Dims dims = context_->getTensorShape(bind.c_str());
    auto dtype = util::TRTDataTypeToScalarType(engine_->getTensorDataType(bind.c_str()));
    at::Tensor out;
    if (!dims.isStatic()) {  // a data-dependent size: the run allocates it
      allocators[o] = std::make_unique<TensorOutputAllocator>(dtype, device);
      context_->setOutputAllocator(bind.c_str(), allocators[o].get());
      outputs.emplace_back();
      continue;
    }
    if (graphs) {
      if (graph_outputs_.size() <= o) graph_outputs_.resize(o + 1);
      if (!graph_outputs_[o].defined() || graph_outputs_[o].sizes() != c10::IntArrayRef(dims.toVector()) ||
          graph_outputs_[o].device() != device)
        graph_outputs_[o] = ordinaryEmpty(dims.toVector(), at::TensorOptions().dtype(dtype).device(device));
      out = graph_outputs_[o];
    } else {
      out = at::empty(dims.toVector(), at::TensorOptions().dtype(dtype).device(device));
    }
    context_->setTensorAddress(bind.c_str(), out.data_ptr());
    outputs.push_back(out);
  }
  try {
    context_->enqueueV3(stream);
  } catch (const trt::Error& e) {
    TORCHTRT_THROW_ERROR("engine '" << name << "' failed: " << e.what());
  }
  for (size_t o = 0; o < outputs.size(); ++o) {
    if (allocators[o]) {
      outputs[o] = allocators[o]->result();
      context_->setOutputAllocator(output_names[o].c_str(), nullptr);
    } else if (graphs) {
      // The fixed output buffers are overwritten by the next call: callers get their own copies.
      outputs[o] = outputs[o].clone();
    }
  }
  return outputs;
}

bool TRTEngine::acceptsShapes(const std::vector<at::Tensor>& inputs) const {
  if (inputs.size() != input_names.size()) return false;
  const bool profiled = engine_->getNbOptimizationProfiles() > 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const char* name = input_names[i].c_str();
    const trt::Dims declared = engine_->getTensorShape(name);
    if (!inputs[i].defined() || inputs[i].dim() != declared.nbDims) return false;
    const trt::Dims lo = profiled ? engine_->getProfileShape(name, 0, trt::OptProfileSelector::kMIN) : declared;
    const trt::Dims hi = profiled ? engine_->getProfileShape(name, 0, trt::OptProfileSelector::kMAX) : declared;
    for (int d = 0; d < declared.nbDims; ++d) {
      const int64_t size = inputs[i].size(d);
      if (declared.d[d] >= 0 ? size != declared.d[d]
                             : lo.nbDims == declared.nbDims && (size < lo.d[d] || size > hi.d[d]))
        return false;
    }
  }
  return true;
}

bool acceptsShapes(const std::vector<at::Tensor>& inputs, const c10::intrusive_ptr<TRTEngine>& engine) {
  return engine->acceptsShapes(inputs);
}

std::vector<at::Tensor> executeEngine(std::vector<at::Tensor> inputs, c10::intrusive_ptr<TRTEngine> engine) {
  // Engines compute inference only: outputs never carry autograd history. Said once per process, since
  // a training loop would otherwise repeat it every step.
  static std::atomic<bool> warnedAboutGrad{false};
  if (at::GradMode::is_enabled() && !warnedAboutGrad.load(std::memory_order_relaxed)) {
    for (const at::Tensor& t : inputs) {
      if (!t.defined() || !t.requires_grad() || warnedAboutGrad.exchange(true)) continue;
      LOG_WARNING("engine '" << engine->name
                             << "' got an input that requires grad; engines compute inference only, "
                                "so their outputs are detached (requires_grad=False) and no gradient "
                                "reaches the inputs. Call the module under torch.no_grad() or "
                                "torch.inference_mode(), or keep the part to train in PyTorch (said "
                                "once per process)");
      break;
    }
  }
  return engine->execute(std::move(inputs));
}

}  // namespace runtime
}  // namespace core
}  // namespace torch_tensorrt
