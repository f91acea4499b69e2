// The CUDA backend: loads an engine's weights onto the GPU, runs its layers on the caller's stream
// (or replays them as one captured CUDA graph), and runs the tactics the builder stored in the plan.
#include <cstring>

#include "backends/backend.h"
#include "backends/cuda/attention_cudnn.h"
#include "backends/cuda/cuda_kernels.h"
#include "backends/cuda/kernel_trace.h"
#include "common/half.h"
#include "common/int8.h"
#include "plan/plan.h"
#include "runtime/runtime_impl.h"
#include "runtime/schedule.h"
#include "trt/runtime.h"

namespace trt {
namespace cuda {

const std::vector<int64_t>* LaunchContext::plannedTactic(const ILayer* layer, const std::vector<int64_t>& shape) const {
  auto it = plannedTactics.lower_bound({layer, shape});
  if (it == plannedTactics.end() || it->first.first != layer) return nullptr;
  if (!shape.empty() && it->first.second != shape) return nullptr;
  return &it->second;
}

const std::vector<uint8_t>* LaunchContext::plannedArtifact(const ILayer* layer,
                                                           const std::vector<int64_t>& shape) const {
  auto it = plannedArtifacts.find({layer, shape});
  return it == plannedArtifacts.end() ? nullptr : &it->second;
}

void LaunchContext::recordTactic(const ILayer* layer, const std::vector<int64_t>& shape, std::vector<int64_t> choice) {
  timedTactics[{layer, shape}] = std::move(choice);
}

namespace {

// Uploads the weights the engine's layers read, once per engine: every context reads the same copies.
void uploadWeights(Schedule& schedule) {
  // `bytes` from `source` go to the device under the key `host` (the weights the layers point at).
  auto upload = [&](const void* host, const void* source, size_t bytes) {
    void* dev = nullptr;
    check(cudaMalloc(&dev, bytes), "cudaMalloc (weights)");
    schedule.uploads[host] = dev;
    check(cudaMemcpy(dev, source, bytes, cudaMemcpyHostToDevice), "cudaMemcpy (weights)");
  };
  // Convolution weights are float32 in the plan; an FP16 or BF16 convolution reads them rounded to
  // its type once, here.
  auto uploadWeights = [&](const Weights& w, DataType type) {
    if (!w.values || w.count == 0 || schedule.uploads.count(w.values)) return;
    const auto* values = static_cast<const float*>(w.values);
    if (type != DataType::kHALF && type != DataType::kBF16)
      return upload(w.values, values, static_cast<size_t>(w.count) * sizeof(float));
    std::vector<uint16_t> rounded(static_cast<size_t>(w.count));
    for (int64_t i = 0; i < w.count; ++i)
      rounded[i] = type == DataType::kHALF ? floatToHalf(values[i]) : floatToBf16(values[i]);
    upload(w.values, rounded.data(), rounded.size() * sizeof(uint16_t));
  };
  // An INT8 layer's epilogue factors s_in * s_w[c] * alpha, under the key of its weight scales.
  auto uploadOutputScales = [&](float inputScale, const std::vector<float>& weightScales, float alpha) {
    if (weightScales.empty() || schedule.uploads.count(weightScales.data())) return;
    const std::vector<float> combined = int8::outputScales(inputScale, weightScales, alpha);
    upload(weightScales.data(), combined.data(), combined.size() * sizeof(float));
  };
  for (const auto& step : schedule.steps) {
    const ILayer* layer = step.layer;
    if (layer->getType() == LayerType::kCONVOLUTION && static_cast<const IConvolutionLayer*>(layer)->isInt8()) {
      // INT8 weights quantized once, here; the epilogue's per-map scale s_in * s_w[c] beside them.
      const auto* conv = static_cast<const IConvolutionLayer*>(layer);
      const Weights w = conv->getKernelWeights();
      if (w.count > 0 && !schedule.uploads.count(w.values)) {
        const std::vector<int8_t> q = quantizedConvolutionWeights(*conv);
        upload(w.values, q.data(), q.size());
      }
      // Codes out (an INT8 output scale): the epilogue's scale and bias divided by it, so that it rounds y / s_out.
      const float outputScale = conv->getInt8OutputScale();
      const float outputInverse = outputScale > 0.f ? int8::inverse(outputScale) : 1.f;
      uploadOutputScales(conv->getInt8InputScale(), conv->getInt8WeightScales(), outputInverse);
      const Weights bias = conv->getBiasWeights();
      if (outputScale > 0.f && bias.count > 0 && !schedule.uploads.count(bias.values)) {
        std::vector<float> scaled(static_cast<const float*>(bias.values),
                                  static_cast<const float*>(bias.values) + bias.count);
        for (float& b : scaled) b *= outputInverse;
        upload(bias.values, scaled.data(), scaled.size() * sizeof(float));
      }
      uploadWeights(bias, DataType::kFLOAT);
    } else if (layer->getType() == LayerType::kMATRIX_MULTIPLY &&
               static_cast<const IMatrixMultiplyLayer*>(layer)->isInt8()) {
      // The epilogue's per-column factor s_in * s_w[n] * alpha (the INT8 weights are a constant input).
      const auto* mm = static_cast<const IMatrixMultiplyLayer*>(layer);
      uploadOutputScales(mm->getInt8InputScale(), mm->getInt8WeightScales(), mm->getAlpha());
    } else if (layer->getType() == LayerType::kQUANTIZE || layer->getType() == LayerType::kDEQUANTIZE) {
      const std::vector<float>& scales = static_cast<const IQuantizationLayer*>(layer)->getScales();
      if (!schedule.uploads.count(scales.data())) upload(scales.data(), scales.data(), scales.size() * sizeof(float));
    } else if (layer->getType() == LayerType::kCONVOLUTION) {
      const auto* conv = static_cast<const IConvolutionLayer*>(layer);
      const DataType type = conv->getInput(0)->getType();
      uploadWeights(conv->getKernelWeights(), type);
      uploadWeights(conv->getBiasWeights(), type);
    } else if (layer->getType() == LayerType::kDECONVOLUTION) {
      const auto* deconv = static_cast<const IDeconvolutionLayer*>(layer);
      uploadWeights(deconv->getKernelWeights(), deconv->getInput(0)->getType());
      uploadWeights(deconv->getBiasWeights(), DataType::kFLOAT);  // added in FP32 by the col2im kernel
    } else if (layer->getType() == LayerType::kSCALE) {
      const auto* scale = static_cast<const IScaleLayer*>(layer);
      for (const std::vector<float>* v : {&scale->getShift(), &scale->getScale(), &scale->getPower()})
        if (!v->empty() && !schedule.uploads.count(v->data())) upload(v->data(), v->data(), v->size() * sizeof(float));
    } else if (layer->getType() == LayerType::kCONSTANT) {
      const auto& bytes = static_cast<const IConstantLayer*>(layer)->bytes();
      if (!bytes.empty() && !schedule.uploads.count(bytes.data())) upload(bytes.data(), bytes.data(), bytes.size());
    }
  }
}

// Per-layer timing for a profiler: CUDA events recorded on the run's stream, one before the first
// timed layer and one after each, so a layer's time runs from the previous layer's end to its own and
// the layers' times tile the run (one event a layer: each event in a captured graph is a node that
// costs GPU time too). Read once the run's last event has completed; kept for the next profiled run.
class CudaStepTimer : public StepTimer {
 public:
  ~CudaStepTimer() override {
    for (cudaEvent_t e : events_) cudaEventDestroy(e);
  }
  void bind(cudaStream_t stream) {
    stream_ = stream;
    steps_.clear();
    started_ = false;
  }
  void begin(size_t) override {
    if (started_) return;
    record(event(0));
    started_ = true;
  }
  void end(size_t step) override {
    record(event(steps_.size() + 1));
    steps_.push_back(step);
  }
  //! While deferred (a run being captured into a graph), finish() reads nothing: the events are only
  //! recorded when the graph runs, and the runner reads them after launching it (read()).
  void defer(bool deferred) { deferred_ = deferred; }
  std::vector<std::pair<size_t, float>> finish() override {
    if (deferred_) return {};
    return read();
  }
  //! The steps' times of the last run, once its events have completed.
  std::vector<std::pair<size_t, float>> read() {
    std::vector<std::pair<size_t, float>> times;
    if (steps_.empty()) return times;
    check(cudaEventSynchronize(events_[steps_.size()]), "cudaEventSynchronize (profiler)");
    for (size_t i = 0; i < steps_.size(); ++i) {
      float ms = 0.f;
      check(cudaEventElapsedTime(&ms, events_[i], events_[i + 1]), "cudaEventElapsedTime (profiler)");
      times.emplace_back(steps_[i], ms);
    }
    steps_.clear();
    started_ = false;
    return times;
  }

 private:
  // While a run is captured, a plain record would only order the capture's streams: External makes it
  // an event record node, which records the event each time the graph runs.
  void record(cudaEvent_t e) {
    check(deferred_ ? cudaEventRecordWithFlags(e, stream_, cudaEventRecordExternal) : cudaEventRecord(e, stream_),
          "cudaEventRecord (profiler)");
  }
  cudaEvent_t event(size_t i) {
    while (events_.size() <= i) {
      cudaEvent_t e = nullptr;
      check(cudaEventCreate(&e), "cudaEventCreate (profiler)");
      events_.push_back(e);
    }
    return events_[i];
  }
  cudaStream_t stream_ = nullptr;
  std::vector<cudaEvent_t> events_;  // the run's start at 0, the end of the i-th timed step at i + 1
  std::vector<size_t> steps_;        // the steps timed in this run, in order
  bool started_ = false;             // the start event is recorded
  bool deferred_ = false;
};

class CudaRunner : public BackendRunner {
 public:
  explicit CudaRunner(const CudaEngine& engine) : engine_(engine) {}
  ~CudaRunner() override {
    if (arena_) cudaFree(arena_);
  }

  void reserveArena(size_t) override {}  // allocated by the run, on its stream's device

  void allowTacticTiming(bool allowed) override { timingAllowed_ = allowed; }
  void useTimingCache(ITimingCache::Entries* entries) override { timingCache_ = entries; }
  int64_t tacticTimingRuns() const override { return launch_ ? launch_->timedRuns : 0; }
  int64_t graphLaunches() const override { return launch_ ? launch_->graphLaunches : 0; }

  std::vector<TacticRecord> timedTactics() const override {
    std::vector<TacticRecord> records;
    if (!launch_) return records;
    const INetworkDefinition& net = engine_.network();
    for (int l = 0; l < net.getNbLayers(); ++l) {
      auto it = launch_->timedTactics.lower_bound({net.getLayer(l), {}});
      for (; it != launch_->timedTactics.end() && it->first.first == net.getLayer(l); ++it) {
        records.push_back({l, it->first.second, it->second, {}});
        const auto artifact = launch_->timedArtifacts.find(it->first);
        if (artifact != launch_->timedArtifacts.end()) records.back().artifact = artifact->second;
      }
    }
    return records;
  }

  void run(RunState& state, void* stream) override {
    if (!launch_) createLaunchContext(state.schedule);
    LaunchContext& ctx = *launch_;
    ctx.timingAllowed = timingAllowed_;
    ctx.timingCache = timingCache_;
    ctx.bindStream(static_cast<cudaStream_t>(stream));
    // The previous run may still be in flight on another stream and uses the same arena.
    if (ctx.finishedOn != ctx.stream) check(cudaStreamWaitEvent(ctx.stream, ctx.finished, 0), "cudaStreamWaitEvent");
    // The arena grows only when a larger shape arrives; steady-state calls allocate nothing.
    if (state.arenaBytes > arenaCapacity_) {
      if (arena_) {
        check(cudaStreamSynchronize(ctx.stream), "cudaStreamSynchronize");
        check(cudaFree(arena_), "cudaFree (arena)");
        arena_ = nullptr;
        ctx.dropGraph();  // captured with the old arena's addresses
      }
      check(cudaMalloc(&arena_, state.arenaBytes), "cudaMalloc (arena)");
      arenaCapacity_ = state.arenaBytes;
    }
    // A run that reads a data-dependent count back to the host cannot be captured into a graph.
    // A profiled run times each layer with events: in a graph of its own (profiledRun) when it repeats
    // the previous run's key, else launched layer by layer.
    const bool capturable = state.graphMode && !state.hasDataDependentShapes;
    const bool graphMode = capturable && !state.profiler;
    std::vector<int64_t> key;
    if (capturable) key = graphKey(state);
    if (capturable && state.profiler && key == ctx.previousKey && profiledRun(state)) {
      check(cudaEventRecord(ctx.finished, ctx.stream), "cudaEventRecord");
      ctx.finishedOn = ctx.stream;
      return;
    }
    if (graphMode && ctx.graph && key == ctx.graphKey) {
      check(cudaGraphLaunch(ctx.graph, ctx.stream), "cudaGraphLaunch");
      ++ctx.graphLaunches;
    } else {
      launchLayers(state);
      if (capturable) key = graphKey(state);  // the run may have grown the scratch memory
    }
    check(cudaEventRecord(ctx.finished, ctx.stream), "cudaEventRecord");
    ctx.finishedOn = ctx.stream;
    // Captured when a run repeats the previous run's key (so alternating bindings never capture),
    // after a normal run of that key: its first-run work (scratch growth) must not happen inside a capture.
    if (graphMode && key == ctx.previousKey && key != ctx.graphKey && key != ctx.uncapturableKey)
      captureGraph(state, key);
    if (capturable) ctx.previousKey = std::move(key);
  }

 private:
  void createLaunchContext(const Schedule& schedule) {
    const PlanContents& plan = engine_.contents();
    auto ctx = std::make_unique<LaunchContext>();
    check(cublasCreate(&ctx->blas), "cublasCreate");
    ctx->blasWorkspaceBytes = size_t(32) << 20;  // PyTorch's default for Hopper
    check(cudaMalloc(&ctx->blasWorkspace, ctx->blasWorkspaceBytes), "cudaMalloc (cuBLAS workspace)");
    ctx->uploads = &schedule.uploads;
    ctx->allowTF32 = (plan.builderFlags >> static_cast<int>(BuilderFlag::kTF32)) & 1ull;
    ctx->workspaceLimit = static_cast<size_t>(plan.workspaceLimit);
    ctx->timingIterations = plan.timingIterations;
    for (const TacticRecord& t : plan.tactics) {
      ctx->plannedTactics[{engine_.network().getLayer(t.layer), t.shape}] = t.choice;
      if (!t.artifact.empty()) ctx->plannedArtifacts[{engine_.network().getLayer(t.layer), t.shape}] = t.artifact;
    }
    check(cudaEventCreateWithFlags(&ctx->finished, cudaEventDisableTiming), "cudaEventCreate");
    launch_ = std::move(ctx);
  }

  void launchLayers(RunState& state) {
    LaunchContext& ctx = *launch_;
    ++ctx.layerRuns;
    StepDevice device;
    device.constantData = [&](const IConstantLayer& constant) {
      return const_cast<void*>(ctx.device(constant.bytes().data()));
    };
    device.countNonZero = [&](const cpu::TensorView& in) { return countNonZero(ctx, in); };
    device.runLayer = [&](const ILayer& layer, const std::vector<cpu::TensorView>& in, cpu::TensorView& out) {
      launcherFor(layer.getType())(ctx, layer, in, out);
      if (!ctx.watches.empty())
        ctx.noteWritten(out.data, static_cast<size_t>(out.dims.volume()) * dataTypeSize(out.type));
    };
    device.copy = [&](void* dst, const void* src, size_t bytes) {
      check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, ctx.stream), "data-dependent output copy");
      if (!ctx.watches.empty()) ctx.noteWritten(dst, bytes);
    };
    if (state.profiler && tracing_) {
      device.timer = &trace_;
    } else if (state.profiler) {
      timer_.bind(ctx.stream);
      device.timer = &timer_;
    }
    // The convolutions' cuDNN graph plans built side by side before the layers ask for them one by one (with
    // runtime-compiled engines only, once per input shapes; nothing otherwise).
    prebuildConvolutionGraphs(ctx, state);
    runSteps(state, static_cast<uint8_t*>(arena_), device);
  }

  // What a captured graph depends on: profile, arena and scratch addresses, input shapes, bound addresses.
  std::vector<int64_t> graphKey(const RunState& state) const {
    const Schedule& s = state.schedule;
    std::vector<int64_t> key = {state.profile, static_cast<int64_t>(reinterpret_cast<uintptr_t>(arena_)),
                                static_cast<int64_t>(reinterpret_cast<uintptr_t>(launch_->scratch_)),
                                static_cast<int64_t>(launch_->scratchBytes_)};
    for (int32_t idx : s.inputIndices)
      for (int i = 0; i < state.shapes[idx].nbDims; ++i) key.push_back(state.shapes[idx].d[i]);
    // Only inputs and outputs are bound (every other tensor lives in the arena, part of the key).
    for (const auto* indices : {&s.inputIndices, &s.outputIndices})
      for (int32_t idx : *indices)
        key.push_back(static_cast<int64_t>(reinterpret_cast<uintptr_t>(state.addresses[idx])));
    return key;
  }

  void captureGraph(RunState& state, const std::vector<int64_t>& key) {
    LaunchContext& ctx = *launch_;
    // A launcher refusing inside the capture: this key runs uncaptured.
    const cudaGraphExec_t exec = ctx.captureGraphOf([&]() {
      launchLayers(state);
      return true;
    });
    if (!exec) {
      ctx.uncapturableKey = key;
      return;
    }
    if (ctx.graph) cudaGraphExecDestroy(ctx.graph);
    ctx.graph = exec;
    ctx.graphKey = key;
  }

  // A profiled run as the replayed graph runs: the layers captured into a graph that is launched once,
  // so the layers run back to back on the GPU. Launched one by one, each layer's time would include the
  // host's launch gaps (ResNet-50 at batch 8: the layers' times summed to 3.7x the replayed call's
  // latency). The layers are timed from CUPTI's records of the graph's kernels (kernel_trace.h), else by
  // events captured between them. False, with nothing launched, when the run cannot be captured.
  bool profiledRun(RunState& state) {
    LaunchContext& ctx = *launch_;
    tracing_ = !traceRefused_ && trace_.start(ctx.ensureCaptureStream());
    struct StopTracing {  // however the run ends, the trace session closes (collect() closed it already)
      CudaRunner& runner;
      ~StopTracing() {
        runner.trace_.abandon();
        runner.tracing_ = false;
      }
    } stopTracing{*this};
    timer_.defer(!tracing_);
    // A launcher refusing inside the capture: profiled layer by layer instead.
    const cudaGraphExec_t exec = ctx.captureGraphOf([&]() {
      launchLayers(state);
      return true;
    });
    timer_.defer(false);
    if (!exec) return false;
    const cudaError_t launched = cudaGraphLaunch(exec, ctx.stream);
    const cudaError_t done = launched == cudaSuccess ? cudaStreamSynchronize(ctx.stream) : launched;
    std::vector<std::pair<size_t, float>> times;
    std::string why;
    const bool traced = tracing_ && done == cudaSuccess && trace_.collect(exec, times, why);
    cudaGraphExecDestroy(exec);
    check(done, "cudaGraphLaunch (profiled run)");
    if (tracing_) {
      if (!traced) {  // this context times with events from now on; the run is repeated
        defaultLogger().log(ILogger::Severity::kWARNING,
                            ("profiled CUDA runs of this context are timed with events (adds GPU time per "
                             "layer): " +
                             why)
                                .c_str());
        traceRefused_ = true;
        tracing_ = false;
        return profiledRun(state);
      }
    } else {
      times = timer_.read();
    }
    const Schedule& s = state.schedule;
    for (const auto& [st, ms] : times) state.profiler->reportLayerTime(s.steps[st].layer->getName(), ms);
    return true;
  }

  const CudaEngine& engine_;
  std::unique_ptr<LaunchContext> launch_;  // created by the first run (on the caller's device)
  void* arena_ = nullptr;                  // intermediates
  size_t arenaCapacity_ = 0;
  bool timingAllowed_ = false;
  ITimingCache::Entries* timingCache_ = nullptr;  // the build's timing cache, when it has one
  CudaStepTimer timer_;                           // profiled runs without CUPTI
  KernelTraceTimer trace_;                        // profiled runs with CUPTI
  bool tracing_ = false;                          // the profiled run being captured is traced
  bool traceRefused_ = false;                     // CUPTI's records did not cover a run: events instead
};

class CudaBackend : public ExecutionBackend {
 public:
  void describeTarget(PlanContents& plan) const override {
    int count = 0;
    if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0)
      throw Error("the config targets the cuda backend but no CUDA GPU is visible; build for the CPU backend instead");
    currentDevice(plan.deviceName, plan.smMajor, plan.smMinor);
  }

  // Without a GPU, the Hopper GPU the project's kernels are tuned for (the passes ask only what the backend
  // computes, and FP8's check asks the SM).
  void describePreviewTarget(PlanContents& plan) const override {
    int count = 0;
    if (cudaGetDeviceCount(&count) == cudaSuccess && count > 0) return describeTarget(plan);
    plan.deviceName = "no GPU visible: layers previewed for sm_90";
    plan.smMajor = 9;
    plan.smMinor = 0;
  }

  // A CUDA plan runs only on a GPU of the SM it was built for (its kernels are compiled for it).
  void checkTarget(const PlanContents& c) const override {
    int count = 0;
    if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0)
      throw Error("this plan targets the cuda backend (" + c.deviceName +
                  ") but no CUDA GPU is visible; run it on a GPU machine or recompile the module for the CPU");
    std::string name;
    int major = 0, minor = 0;
    currentDevice(name, major, minor);
    if (major != c.smMajor || minor != c.smMinor)
      throw Error("this plan was built for sm_" + std::to_string(c.smMajor) + std::to_string(c.smMinor) + " (" +
                  c.deviceName + ") but the current GPU is sm_" + std::to_string(major) + std::to_string(minor) + " (" +
                  name + "); recompile the module on this GPU");
  }

  std::string describeTactic(const ILayer& layer, const std::vector<int64_t>& choice) const override {
    if (layer.getType() == LayerType::kCONVOLUTION)
      return describeConvolutionTactic(static_cast<const IConvolutionLayer&>(layer), choice);
    if (layer.getType() == LayerType::kMATRIX_MULTIPLY)
      return describeProductTactic(static_cast<const IMatrixMultiplyLayer&>(layer), choice);
    if (layer.getType() == LayerType::kATTENTION) return describeAttentionTactic(choice);
    return {};
  }

  void prepare(Schedule& schedule) const override {
    try {
      uploadWeights(schedule);
    } catch (...) {
      release(schedule);
      throw;
    }
  }

  void release(Schedule& schedule) const override {
    for (auto& kv : schedule.uploads) cudaFree(kv.second);
    schedule.uploads.clear();
  }

  std::unique_ptr<BackendRunner> createRunner(const CudaEngine& engine) const override {
    return std::make_unique<CudaRunner>(engine);
  }

  // Only the floating convolutions time their algorithms.
  uint64_t availableMemory() const override {
    size_t free = 0, total = 0;
    return cudaMemGetInfo(&free, &total) == cudaSuccess ? free : 0;
  }
  const char* memoryName() const override { return "GPU memory"; }
  // cuDNN's tensor-core kernels and the own depthwise kernel read NHWC; FP32 convolutions stay NCHW.
  bool prefersChannelsLast(DataType type) const override { return type == DataType::kHALF || type == DataType::kBF16; }
  bool runsInt8ConvolutionChannelsLast(const IConvolutionLayer& conv) const override {
    return int8ConvolutionRunsChannelsLast(conv);
  }
  bool quantizesConvolution(const IConvolutionLayer& conv) const override { return int8ConvolutionPays(conv); }
  bool readsInt8ConvolutionCodes(const IConvolutionLayer& conv) const override {
    return int8ConvolutionReadsCodes(conv);
  }
  bool writesInt8ConvolutionCodes(const IConvolutionLayer& conv) const override {
    return int8ConvolutionWritesCodes(conv);
  }
  bool readsInt8ConvolutionResidualCodes(const IConvolutionLayer& conv) const override {
    return int8ConvolutionReadsResidualCodes(conv);
  }
  // What cuBLASLt's epilogue computes: ReLU, and GELU's tanh form (GPT-2's feed-forward).
  bool fusesMatrixMultiplyActivation(ActivationType type) const override { return productFusesActivation(type); }
  // cuBLASLt's FP8 epilogue: ReLU and GELU's tanh form (the exact GELU took a separate pass).
  bool fusesFp8MatrixMultiplyActivation(ActivationType type) const override { return productEpilogueComputes(type); }
  // cuDNN's SDPA takes each tensor's strides; the composed path copies a sequence-major tensor itself.
  bool readsSequenceMajorAttention() const override { return true; }
  bool stacksSiblingProducts() const override { return true; }
  // The gather kernel moves rows of 16-byte multiples as vectors: one pass where a roll and a window cut took two.
  bool gathersRowMoves() const override { return true; }
  // cuDNN's first-layer kernels (`..._first_layer_..._k64c4r7s7`) read 4 channels: the transpose writes the
  // fourth where cuDNN's `nhwcAddPaddingKernel` would (ResNet-50 b64 on an H100: 30 us a call).
  bool readsFourChannelImages() const override { return true; }

  bool timesTactics(const INetworkDefinition& network) const override {
    for (int l = 0; l < network.getNbLayers(); ++l) {
      const ILayer* layer = network.getLayer(l);
      // INT8 convolutions only channels-last: CUTLASS's configurations (the channels-first path has one kernel).
      if (layer->getType() == LayerType::kCONVOLUTION &&
          (!static_cast<const IConvolutionLayer*>(layer)->isInt8() ||
           static_cast<const IConvolutionLayer*>(layer)->getChannelsLast()))
        return true;
      // A product with an epilogue runs as one cuBLASLt call whose algorithm the tuning run times; so does every FP8
      // product (cuBLASLt's FP8 GEMM, product_algorithms.h).
      if (layer->getType() == LayerType::kMATRIX_MULTIPLY) {
        const auto* mm = static_cast<const IMatrixMultiplyLayer*>(layer);
        if (mm->isFp8()) return true;
        if (!mm->isInt8() && (mm->getNbInputs() > 2 || mm->getFusedActivation() >= 0)) return true;
      }
      // cuDNN's SDPA plans (16-bit attention over more than 64 tokens; the tuning run times them where there are
      // several).
      if (layer->getType() == LayerType::kATTENTION && sdpa::available()) return true;
    }
    return false;
  }

  int32_t deviceOrdinal() const override {
    int device = 0;
    check(cudaGetDevice(&device), "cudaGetDevice");
    return device;
  }

  void* allocate(size_t bytes) const override {
    void* p = nullptr;
    check(cudaMalloc(&p, bytes > 0 ? bytes : 1), "cudaMalloc (builder run)");
    check(cudaMemset(p, 0, bytes > 0 ? bytes : 1), "cudaMemset (builder run)");
    return p;
  }

  void deallocate(void* memory) const override { cudaFree(memory); }

  void copyToHost(void* host, const void* memory, size_t bytes) const override {
    check(cudaDeviceSynchronize(), "builder run");
    check(cudaMemcpy(host, memory, bytes, cudaMemcpyDeviceToHost), "cudaMemcpy (builder run)");
  }

  void checkReadable(const void* memory, const std::string& what) const override {
    // Device, pinned and managed memory are the runtime's to read; pageable host memory (a std::vector's) only
    // where the GPU can address it (HMM), else the first kernel faults and a later call reports the fault.
    cudaPointerAttributes attributes{};
    if (cudaPointerGetAttributes(&attributes, memory) != cudaSuccess) {
      cudaGetLastError();  // clear the query's error: the memory is unknown to CUDA
      attributes.type = cudaMemoryTypeUnregistered;
    }
    if (attributes.type != cudaMemoryTypeUnregistered) return;
    int device = 0, pageable = 0;
    if (cudaGetDevice(&device) == cudaSuccess &&
        cudaDeviceGetAttribute(&pageable, cudaDevAttrPageableMemoryAccess, device) == cudaSuccess && pageable)
      return;
    throw Error(what +
                " is host memory the GPU cannot read (pageable, and this GPU has no pageable-memory access): give "
                "device memory (cudaMalloc, or a CUDA tensor's data_ptr()) for the CUDA backend");
  }
};

}  // namespace
}  // namespace cuda

const ExecutionBackend* cudaExecutionBackend() {
  static const cuda::CudaBackend backend;
  return &backend;
}

}  // namespace trt
