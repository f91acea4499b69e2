#include <algorithm>
#include <cstring>
#include <sstream>
#include <unordered_map>

#include "backends/backend.h"
#include "builder/builder_impl.h"
#include "layers/shape_values.h"
#include "network/computed_precision.h"
#include "network/network_impl.h"
#include "plan/plan.h"
#include "plan/plan_io.h"
#include "runtime/memory_views.h"
#include "runtime/runtime_impl.h"
#include "runtime/schedule.h"
#include "trt/memory_limits.h"
#include "trt/runtime.h"

namespace trt {

Schedule makeSchedule(const INetworkDefinition& net) {
  Schedule s;
  std::unordered_map<const ITensor*, int32_t> index;
  auto add = [&](const ITensor* t) {
    index[t] = static_cast<int32_t>(s.tensors.size());
    s.tensors.push_back(t);
    s.lastUse.push_back(-1);
    s.isConstant.push_back(t->getProducer() && t->getProducer()->getType() == LayerType::kCONSTANT);
  };
  for (int i = 0; i < net.getNbInputs(); ++i) {
    add(net.getInput(i));
    s.inputIndices.push_back(index[net.getInput(i)]);
  }
  for (int l = 0; l < net.getNbLayers(); ++l) {
    const ILayer* layer = net.getLayer(l);
    Schedule::Step step{layer, {}, -1};
    for (int i = 0; i < layer->getNbInputs(); ++i) {
      int32_t idx = index.at(layer->getInput(i));
      step.inputs.push_back(idx);
      s.lastUse[idx] = l;
    }
    add(layer->getOutput(0));
    step.output = index[layer->getOutput(0)];
    s.steps.push_back(step);
  }
  for (int i = 0; i < net.getNbOutputs(); ++i) s.outputIndices.push_back(index.at(net.getOutput(i)));
  for (int32_t idx : s.inputIndices) s.ioNames.push_back(s.tensors[idx]->getName());
  for (int32_t idx : s.outputIndices) s.ioNames.push_back(s.tensors[idx]->getName());
  for (size_t i = 0; i < s.ioNames.size(); ++i)
    s.ioByName[s.ioNames[i]] =
        i < s.inputIndices.size() ? s.inputIndices[i] : s.outputIndices[i - s.inputIndices.size()];
  return s;
}

// ---------------- IRuntime / ICudaEngine ----------------

namespace {
//! Reads plans into engines, logging each load.
class Runtime final : public IRuntime {
 public:
  explicit Runtime(ILogger& logger) : logger_(logger) {}
  ICudaEngine* deserializeCudaEngine(const void* blob, size_t size) override;
  ICudaEngine* deserializeCudaEngine(std::shared_ptr<const std::string> plan) override;

 private:
  ILogger& logger_;
};
}  // namespace

const CudaEngine& internals(const ICudaEngine& engine) {
  auto* impl = dynamic_cast<const CudaEngine*>(&engine);
  if (!impl) throw Error("an engine that no IRuntime made was passed to the engine library");
  return *impl;
}

ExecutionContext& internals(IExecutionContext& context) {
  auto* impl = dynamic_cast<ExecutionContext*>(&context);
  if (!impl) throw Error("an execution context that no ICudaEngine made was passed to the engine library");
  return *impl;
}

const ICudaEngine& ExecutionContext::getEngine() const { return engine_; }

bool hasCudaBackend() { return cudaExecutionBackend() != nullptr; }

CudaEngine* engineFromContents(std::unique_ptr<PlanContents> contents) {
  if (contents->backend == Backend::kCUDA && !cudaExecutionBackend())
    throw Error(std::string("this plan targets the cuda backend (") + contents->deviceName +
                "), which this build of the engine does not include; rebuild with TORCHTRT_CUDA=ON or recompile the "
                "module for the CPU");
  executionBackend(contents->backend).checkTarget(*contents);
  return new CudaEngine(std::move(contents));
}

namespace {
// The bytes of weights a network read in place from [data, data + size), once it keeps them only where
// they are at least half of it (convolution weights are always copied into their layers, small
// constants too): otherwise those constants are copied as well, so the plan can be freed instead of
// holding most weights a second time. Returns 0 then.
size_t keepInPlaceWeightsIfMost(INetworkDefinition& network, const uint8_t* data, size_t size) {
  std::vector<IConstantLayer*> borrowing;
  size_t borrowed = 0;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    if (network.getLayer(l)->getType() != LayerType::kCONSTANT) continue;
    auto* constant = static_cast<IConstantLayer*>(network.getLayer(l));
    const uint8_t* at = constant->bytes().data();
    if (at >= data && at < data + size) {
      borrowing.push_back(constant);
      borrowed += constant->bytes().size();
    }
  }
  if (borrowed * 2 >= size) return borrowed;
  for (IConstantLayer* constant : borrowing) constant->setWeights(constant->getWeights());  // a copy
  return 0;
}

void logLoaded(ILogger& logger, size_t size, const ICudaEngine& engine, const std::string& detail) {
  const std::string loaded = "loaded a plan of " + std::to_string(size) + " bytes" + detail + ": " +
                             std::to_string(engine.getNbLayers()) + " layers for the " +
                             backendName(engine.getBackend()) + " backend";
  logger.log(ILogger::Severity::kVERBOSE, loaded.c_str());
}
}  // namespace

ICudaEngine* Runtime::deserializeCudaEngine(std::shared_ptr<const std::string> plan) {
  if (!plan) throw Error("invalid plan: no data (null pointer)");
  const auto* data = reinterpret_cast<const uint8_t*>(plan->data());
  const size_t size = plan->size();
  std::unique_ptr<PlanContents> contents = readPlan(data, size, nullptr, std::move(plan));
  const size_t inPlace = keepInPlaceWeightsIfMost(*contents->network, data, size);
  std::unique_ptr<CudaEngine> engine(engineFromContents(std::move(contents)));
  logLoaded(logger_, size, *engine, " (" + std::to_string(inPlace) + " bytes of weights read in place)");
  return engine.release();
}

ICudaEngine* Runtime::deserializeCudaEngine(const void* blob, size_t size) {
  std::unique_ptr<CudaEngine> engine(engineFromContents(readPlan(static_cast<const uint8_t*>(blob), size)));
  logLoaded(logger_, size, *engine, "");
  return engine.release();
}

IRuntime* createInferRuntime(ILogger& logger) { return new Runtime(logger); }

uint32_t planFormatVersion() { return kPlanFormatVersion; }

CudaEngine::CudaEngine(std::unique_ptr<PlanContents> contents)
    : contents_(std::move(contents)), schedule_(std::make_unique<Schedule>(makeSchedule(*contents_->network))) {
  executionBackend(contents_->backend).prepare(*schedule_);
}

CudaEngine::~CudaEngine() { executionBackend(contents_->backend).release(*schedule_); }

IExecutionContext* CudaEngine::createExecutionContext() const { return new ExecutionContext(*this); }
int32_t CudaEngine::getNbIOTensors() const { return static_cast<int32_t>(schedule_->ioNames.size()); }
const char* CudaEngine::getIOTensorName(int32_t index) const {
  return index >= 0 && index < getNbIOTensors() ? schedule_->ioNames[index].c_str() : nullptr;
}
TensorIOMode CudaEngine::getTensorIOMode(const char* name) const {
  if (!name) return TensorIOMode::kNONE;
  auto it = schedule_->ioByName.find(name);
  if (it == schedule_->ioByName.end()) return TensorIOMode::kNONE;
  return schedule_->tensors[it->second]->isNetworkInput() ? TensorIOMode::kINPUT : TensorIOMode::kOUTPUT;
}
Dims CudaEngine::getTensorShape(const char* name) const {
  auto it = name ? schedule_->ioByName.find(name) : schedule_->ioByName.end();
  if (it == schedule_->ioByName.end()) {
    Dims none;
    none.nbDims = -1;
    return none;
  }
  return schedule_->tensors[it->second]->getDimensions();
}
DataType CudaEngine::getTensorDataType(const char* name) const {
  auto it = name ? schedule_->ioByName.find(name) : schedule_->ioByName.end();
  if (it == schedule_->ioByName.end())
    throw Error(std::string("getTensorDataType: no I/O tensor named '") + (name ? name : "") + "'");
  return schedule_->tensors[it->second]->getType();
}
int32_t CudaEngine::getNbOptimizationProfiles() const {
  return std::max<int32_t>(1, static_cast<int32_t>(contents_->profiles.size()));
}
Dims CudaEngine::getProfileShape(const char* name, int32_t profileIndex, OptProfileSelector select) const {
  if (profileIndex >= 0 && profileIndex < static_cast<int32_t>(contents_->profiles.size()))
    return contents_->profiles[profileIndex].getDimensions(name, select);
  return getTensorShape(name);
}
int32_t CudaEngine::getNbLayers() const { return contents_->network->getNbLayers(); }
IHostMemory* CudaEngine::serialize() const { return new HostMemory(writePlan(*contents_)); }
Backend CudaEngine::getBackend() const { return contents_->backend; }
const INetworkDefinition& CudaEngine::network() const { return *contents_->network; }

std::string CudaEngine::describeLayers() const {
  std::ostringstream os;
  const INetworkDefinition& net = *contents_->network;
  for (int l = 0; l < net.getNbLayers(); ++l) {
    const ILayer* layer = net.getLayer(l);
    os << l << ": " << layerTypeName(layer->getType()) << " '" << layer->getName() << "' (";
    for (int i = 0; i < layer->getNbInputs(); ++i) os << (i ? ", " : "") << layer->getInput(i)->getDimensions().str();
    os << ") -> " << layer->getOutput(0)->getDimensions().str() << " " << dataTypeName(layer->getOutput(0)->getType());
    if ((layer->getType() == LayerType::kCONVOLUTION && static_cast<const IConvolutionLayer*>(layer)->isInt8()) ||
        (layer->getType() == LayerType::kMATRIX_MULTIPLY && static_cast<const IMatrixMultiplyLayer*>(layer)->isInt8()))
      os << " [int8]";
    if (layer->getType() == LayerType::kMATRIX_MULTIPLY && static_cast<const IMatrixMultiplyLayer*>(layer)->isFp8())
      os << " [fp8]";
    os << " precision=" << dataTypeName(computedPrecision(*layer))
       << (layer->precisionIsSet() ? std::string(" (pinned ") + dataTypeName(layer->getPrecision()) + ")"
                                   : std::string());
    os << "\n";
  }
  return os.str();
}

// ---------------- IExecutionContext ----------------

ExecutionContext::ExecutionContext(const CudaEngine& engine)
    : engine_(engine), runner_(executionBackend(engine.getBackend()).createRunner(engine)) {
  const Schedule& s = engine.schedule();
  shapes_.resize(s.tensors.size());
  addresses_.assign(s.tensors.size(), nullptr);
  outputAllocators_.assign(s.tensors.size(), nullptr);
  for (int32_t idx : s.inputIndices) shapes_[idx] = s.tensors[idx]->getDimensions();
  // Static shapes: what a run needs is made now (the CPU's oneDNN primitives; their weights are
  // reordered at the first run, so a context made but never run holds the weights once), as TensorRT's
  // contexts are ready when created. A failure here (the activations' memory, ...) is not
  // lost: nothing is marked done, so the first enqueueV3 meets it again and raises it.
  if (runner_->preparesAtCreation() && allInputDimensionsSpecified()) {
    try {
      resolveShapes();
      prepareBackend();
    } catch (const Error&) {
    }
  }
}

RunState ExecutionContext::runState() {
  RunState state{engine_.schedule(),
                 shapes_,
                 addresses_,
                 arenaOffset_,
                 viewInput_,
                 viewOffset_,
                 arenaBytes_,
                 dataDependent_,
                 hasDataDependentShapes_,
                 profile_,
                 cudaGraphMode_,
                 [this](size_t step) -> const ILayer& { return layerToRun(step); },
                 [this](size_t step, int64_t count) { learnNonZeroCount(step, count); },
                 [this](const std::vector<void*>& data, const std::function<void(void*, const void*, size_t)>& copy) {
                   deliverDataDependentOutputs(data, copy);
                 }};
  state.profiler = profiler_;
  return state;
}

void ExecutionContext::prepareBackend() {
  RunState state = runState();
  runner_->prepare(state);
}

ExecutionContext::~ExecutionContext() = default;

int32_t ExecutionContext::ioIndex(const char* name, const char* method) const {
  const Schedule& s = engine_.schedule();
  auto it = name ? s.ioByName.find(name) : s.ioByName.end();
  if (it == s.ioByName.end()) {
    std::string known;
    for (const auto& n : s.ioNames) known += (known.empty() ? "" : ", ") + ("'" + n + "'");
    throw Error(std::string(method) + ": the engine has no input or output named '" + (name ? name : "") +
                "' (it has " + known + ")");
  }
  return it->second;
}

bool ExecutionContext::setOptimizationProfileAsync(int32_t profileIndex, void*) {
  if (profileIndex < 0 || profileIndex >= engine_.getNbOptimizationProfiles())
    throw Error("setOptimizationProfileAsync: profile " + std::to_string(profileIndex) +
                " does not exist (the engine has " + std::to_string(engine_.getNbOptimizationProfiles()) + ")");
  profile_ = profileIndex;
  shapesResolved_ = false;
  return true;
}

bool ExecutionContext::setInputShape(const char* name, Dims dims) {
  int32_t idx = ioIndex(name, "setInputShape");
  const ITensor* t = engine_.schedule().tensors[idx];
  if (!t->isNetworkInput())
    throw Error(std::string("setInputShape: '") + name + "' is an output; only inputs take shapes");
  Dims declared = t->getDimensions();
  if (dims.nbDims != declared.nbDims)
    throw Error(std::string("input '") + name + "' expects rank " + std::to_string(declared.nbDims) + " " +
                declared.str() + ", got shape " + dims.str());
  for (int i = 0; i < dims.nbDims; ++i) {
    if (dims.d[i] < 0)
      throw Error(std::string("input '") + name + "': shape " + dims.str() + " has a negative dimension");
    if (declared.d[i] >= 0 && dims.d[i] != declared.d[i])
      throw Error(std::string("input '") + name + "' expects shape " + declared.str() + ", got " + dims.str());
  }
  const auto& profiles = engine_.contents().profiles;
  if (!declared.isStatic() && profile_ < static_cast<int32_t>(profiles.size())) {
    Dims lo = profiles[profile_].getDimensions(name, OptProfileSelector::kMIN);
    Dims hi = profiles[profile_].getDimensions(name, OptProfileSelector::kMAX);
    for (int i = 0; i < dims.nbDims && lo.nbDims == dims.nbDims; ++i) {
      if (dims.d[i] < lo.d[i] || dims.d[i] > hi.d[i]) {
        throw Error(std::string("input '") + name + "' has shape " + dims.str() + ", outside optimization profile " +
                    std::to_string(profile_) + " (min " + lo.str() + ", max " + hi.str() +
                    "); recompile with a wider range");
      }
    }
  }
  if (shapes_[idx] != dims) {
    shapes_[idx] = dims;
    shapesResolved_ = false;
  }
  return true;
}

bool ExecutionContext::allInputDimensionsSpecified() const {
  for (int32_t idx : engine_.schedule().inputIndices)
    if (!shapes_[idx].isStatic()) return false;
  return true;
}

void ExecutionContext::resolveShapes() {
  const Schedule& s = engine_.schedule();
  for (int32_t idx : s.inputIndices)
    if (!shapes_[idx].isStatic())
      throw Error(std::string("input '") + s.tensors[idx]->getName() + "' has dynamic shape " + shapes_[idx].str() +
                  "; call setInputShape first");
  // Shape tensors' values (reshape dimensions, slice windows computed from sizes), known exactly now.
  values_.assign(s.tensors.size(), {});
  resolvedLayers_.clear();
  resolvedLayers_.resize(s.steps.size());
  inferSteps(0, false);
  exactShapes_ = shapes_;
  dataDependent_.assign(s.tensors.size(), false);
  hasDataDependentShapes_ = false;
  for (size_t t = 0; t < s.tensors.size(); ++t) {
    dataDependent_[t] = !shapes_[t].isStatic();  // inputs are set: only a NonZero leaves -1 behind
    hasDataDependentShapes_ = hasDataDependentShapes_ || dataDependent_[t];
  }
  // Memory for the largest sizes a data-dependent count allows (every element nonzero).
  if (hasDataDependentShapes_) inferSteps(0, true);
  // Memory planning: intermediates share one arena; a block is reused once its last reader has run.
  arenaOffset_.assign(s.tensors.size(), SIZE_MAX);
  struct Block {
    size_t offset, size;
  };
  std::vector<Block> freeBlocks;
  std::vector<std::pair<int32_t, Block>> live;  // (last use, block)
  size_t top = 0, unplanned = 0;
  std::vector<bool> isOutput(s.tensors.size(), false);
  for (int32_t idx : s.outputIndices) isOutput[idx] = !dataDependent_[idx];  // those are copied out at the end
  plannedBytes_.assign(s.tensors.size(), 0);
  viewInput_.assign(s.steps.size(), -1);
  viewOffset_.assign(s.steps.size(), 0);
  // Per tensor: the start of the arena block holding it (a view at an offset lives in its input's block).
  std::vector<size_t> blockOf(s.tensors.size(), SIZE_MAX);
  for (size_t st = 0; st < s.steps.size(); ++st) {
    const auto& step = s.steps[st];
    int32_t t = step.output;
    if (isOutput[t] || s.isConstant[t]) continue;
    size_t bytes = 0;
    if (__builtin_mul_overflow(static_cast<size_t>(shapes_[t].volume()), dataTypeSize(s.tensors[t]->getType()),
                               &bytes) ||
        bytes > (SIZE_MAX >> 2))
      throw Error(s.steps[st].layer->describe() + ": its output " + shapes_[t].str() +
                  " is too large to allocate; check the input shapes");
    bytes = (bytes + 63) / 64 * 64;
    plannedBytes_[t] = bytes;
    unplanned += bytes;
    // A reshape-like layer's output is its input's memory (a contiguous slice's, a block of it at an
    // offset): nothing runs, the block lives on.
    const int32_t in = step.inputs.empty() ? -1 : step.inputs[0];
    size_t viewBytes = 0;
    if (in >= 0 && !dataDependent_[t] && !dataDependent_[in] &&
        runsAsView(*step.layer, shapes_[in], shapes_[t], viewBytes)) {
      viewInput_[st] = in;
      viewOffset_[st] = viewBytes;
      if (arenaOffset_[in] != SIZE_MAX) {
        arenaOffset_[t] = arenaOffset_[in] + viewOffset_[st];
        blockOf[t] = blockOf[in];
        for (auto& entry : live)
          if (entry.second.offset == blockOf[in])
            entry.first = std::max<int32_t>(entry.first, std::max<int32_t>(s.lastUse[t], static_cast<int32_t>(st)));
      }
      continue;
    }
    // Release blocks whose last reader ran before this step.
    for (auto it = live.begin(); it != live.end();) {
      if (it->first < static_cast<int32_t>(st)) {
        freeBlocks.push_back(it->second);
        it = live.erase(it);
      } else {
        ++it;
      }
    }
    Block chosen{SIZE_MAX, 0};
    for (auto it = freeBlocks.begin(); it != freeBlocks.end(); ++it) {
      if (it->size >= bytes && (chosen.offset == SIZE_MAX || it->size < chosen.size)) chosen = *it;
    }
    if (chosen.offset != SIZE_MAX) {
      freeBlocks.erase(std::find_if(freeBlocks.begin(), freeBlocks.end(),
                                    [&](const Block& b) { return b.offset == chosen.offset; }));
    } else {
      chosen = {top, bytes};
      if (top > (SIZE_MAX >> 2) - bytes)
        throw Error(
            "the engine's activations for these input shapes exceed the addressable memory; use smaller "
            "inputs");
      top += bytes;
    }
    arenaOffset_[t] = chosen.offset;
    blockOf[t] = chosen.offset;
    // A data-dependent output is copied out after the last layer: its block lives to the end.
    const bool copiedOut = dataDependent_[t] && s.tensors[t]->isNetworkOutput();
    live.push_back({copiedOut ? INT32_MAX : std::max<int32_t>(s.lastUse[t], static_cast<int32_t>(st)), chosen});
  }
  arenaBytes_ = top;
  unplannedBytes_ = unplanned;
  // Checked before anything is allocated: a plan's shapes can ask for more than the machine has.
  if (top > 0) {
    size_t largest = 0;
    for (size_t t = 0; t < s.tensors.size(); ++t)
      if (plannedBytes_[t] > plannedBytes_[largest]) largest = t;
    const ExecutionBackend& backend = executionBackend(engine_.getBackend());
    checkMemoryDemand("the activations of these input shapes (largest: " +
                          describeTensor(*s.tensors[largest], shapes_[largest]) + ")",
                      top, backend.availableMemory(), backend.memoryName());
  }
  runner_->reserveArena(top);
  shapesResolved_ = true;
}

void ExecutionContext::inferSteps(size_t first, bool upperBounds) {
  const Schedule& s = engine_.schedule();
  for (size_t st = first; st < s.steps.size(); ++st) {
    const auto& step = s.steps[st];
    std::vector<TensorDesc> ins;
    for (int32_t i : step.inputs) ins.push_back({shapes_[i], s.tensors[i]->getType(), values_[i]});
    TensorDesc out;
    try {
      out = internals(*step.layer).inferOutputs(ins)[0];
    } catch (const Error&) {
      // The largest count need not be a consistent one (a scatter's updates have the actual count's
      // rows): a layer whose shape does not depend on the count keeps the shape it has.
      if (!upperBounds || !exactShapes_[step.output].isStatic()) throw;
      out = {exactShapes_[step.output], s.tensors[step.output]->getType()};
    }
    if (step.layer->getType() == LayerType::kNON_ZERO && upperBounds) out.dims.d[1] = ins[0].dims.volume();
    shapes_[step.output] = out.dims;
    values_[step.output] = evaluateShapeValues(*step.layer, ins, out);
    resolvedLayers_[st] = resolveShapeInputs(*step.layer, ins);
  }
}

void ExecutionContext::learnNonZeroCount(size_t step, int64_t count) {
  const Schedule& s = engine_.schedule();
  const int32_t out = s.steps[step].output;
  shapes_[out].d[1] = count;
  // Later layers' shapes follow the count; each must fit the memory planned for the largest count.
  inferSteps(step + 1, false);
  for (size_t st = step; st < s.steps.size(); ++st) {
    const int32_t t = s.steps[st].output;
    if (!dataDependent_[t] || !shapes_[t].isStatic()) continue;  // a later NonZero decides the rest
    const size_t bytes = static_cast<size_t>(shapes_[t].volume()) * dataTypeSize(s.tensors[t]->getType());
    if (bytes > plannedBytes_[t] && !s.isConstant[t])
      throw Error(s.steps[st].layer->describe() + ": its output " + shapes_[t].str() +
                  " after a data-dependent size needs more memory than planned for the largest size (" +
                  std::to_string(plannedBytes_[t]) + " bytes); this network's shapes do not grow with the count");
  }
}

void ExecutionContext::deliverDataDependentOutputs(const std::vector<void*>& data,
                                                   const std::function<void(void*, const void*, size_t)>& copy) {
  const Schedule& s = engine_.schedule();
  for (int32_t idx : s.outputIndices) {
    if (!dataDependent_[idx]) continue;
    const char* name = s.tensors[idx]->getName();
    if (!shapes_[idx].isStatic())
      throw Error(std::string("enqueueV3: output '") + name + "' still has shape " + shapes_[idx].str() +
                  " after every data-dependent size was found");
    const size_t bytes = static_cast<size_t>(shapes_[idx].volume()) * dataTypeSize(s.tensors[idx]->getType());
    void* dst = outputAllocators_[idx]->reallocateOutput(name, nullptr, bytes, 256);
    if (!dst && bytes > 0)
      throw Error(std::string("enqueueV3: the output allocator of '") + name + "' gave no memory for " +
                  std::to_string(bytes) + " bytes");
    if (bytes > 0) copy(dst, data[idx], bytes);
    outputAllocators_[idx]->notifyShape(name, shapes_[idx]);
  }
}

bool ExecutionContext::setOutputAllocator(const char* name, IOutputAllocator* allocator) {
  int32_t idx = ioIndex(name, "setOutputAllocator");
  if (engine_.schedule().tensors[idx]->isNetworkInput())
    throw Error(std::string("setOutputAllocator: '") + name + "' is an input; only outputs take allocators");
  outputAllocators_[idx] = allocator;
  return true;
}

const ILayer& ExecutionContext::layerToRun(size_t step) const {
  return resolvedLayers_[step] ? resolvedLayers_[step]->api() : *engine_.schedule().steps[step].layer;
}

size_t ExecutionContext::getActivationBytes() const {
  if (!shapesResolved_) const_cast<ExecutionContext*>(this)->resolveShapes();
  return arenaBytes_;
}

size_t ExecutionContext::getActivationBytesWithoutReuse() const {
  if (!shapesResolved_) const_cast<ExecutionContext*>(this)->resolveShapes();
  return unplannedBytes_;
}

Dims ExecutionContext::getTensorShape(const char* name) const {
  int32_t idx = ioIndex(name, "getTensorShape");
  if (!shapesResolved_) const_cast<ExecutionContext*>(this)->resolveShapes();
  return exactShapes_[idx];
}

bool ExecutionContext::setTensorAddress(const char* name, void* data) {
  addresses_[ioIndex(name, "setTensorAddress")] = data;
  return true;
}

void* ExecutionContext::getTensorAddress(const char* name) const {
  return addresses_[ioIndex(name, "getTensorAddress")];
}

bool ExecutionContext::enqueueV3(void* stream) {
  const Schedule& s = engine_.schedule();
  // A later run keeps the memory plan: each NonZero re-infers the shapes after it from its new count.
  if (!shapesResolved_) resolveShapes();
  // Empty tensors (a zero-size dimension) may have no memory at all.
  for (int32_t idx : s.outputIndices)
    if (dataDependent_[idx] && !outputAllocators_[idx])
      throw Error(std::string("enqueueV3: output '") + s.tensors[idx]->getName() + "' has a data-dependent shape " +
                  exactShapes_[idx].str() +
                  " (it follows a NonZero layer); set an output allocator with "
                  "IExecutionContext::setOutputAllocator");
  for (int32_t idx : s.inputIndices)
    if (!addresses_[idx] && shapes_[idx].volume() != 0)
      throw Error(std::string("enqueueV3: input '") + s.tensors[idx]->getName() +
                  "' has no address; call setTensorAddress");
  for (int32_t idx : s.outputIndices)
    if (!dataDependent_[idx] && !addresses_[idx] && shapes_[idx].volume() != 0)
      throw Error(std::string("enqueueV3: output '") + s.tensors[idx]->getName() +
                  "' has no address; call setTensorAddress");
  RunState state = runState();
  runner_->run(state, stream);
  return true;
}

void ExecutionContext::setTacticTiming(bool allowed) { runner_->allowTacticTiming(allowed); }

void ExecutionContext::setTimingCache(ITimingCache::Entries* entries) { runner_->useTimingCache(entries); }

std::vector<TacticRecord> ExecutionContext::timedTactics() const { return runner_->timedTactics(); }

int64_t ExecutionContext::getTacticTimingRuns() const { return runner_->tacticTimingRuns(); }

int64_t ExecutionContext::getCudaGraphLaunches() const { return runner_->graphLaunches(); }

}  // namespace trt
