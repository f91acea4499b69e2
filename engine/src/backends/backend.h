// The seam between the engine and a device. The runtime, the builder and calibration talk to an
// ExecutionBackend and never to CUDA (or any other device API) directly: a backend loads an engine
// (prepare), runs it (a BackendRunner per execution context), and lends its memory to the builder's
// own runs (calibration, tactic timing). Each backend is one unit under backends/<name>/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "backends/cpu/cpu_kernels.h"
#include "plan/plan.h"
#include "trt/network.h"

namespace trt {

struct Schedule;
class CudaEngine;
class IProfiler;

//! What one run hands its backend: the engine's schedule, this run's shapes and memory plan, and
//! the runtime's hooks for data-dependent shapes. Tensor-indexed vectors follow Schedule::tensors.
struct RunState {
  const Schedule& schedule;
  const std::vector<Dims>& shapes;         //!< current shapes (a NonZero updates later ones during the run)
  const std::vector<void*>& addresses;     //!< bound inputs and outputs (nullptr elsewhere)
  const std::vector<size_t>& arenaOffset;  //!< per tensor: its block in the activation arena, SIZE_MAX if none
  const std::vector<int32_t>& viewInput;   //!< per step: the tensor whose memory its output is (nothing runs), or -1
  const std::vector<size_t>& viewOffset;   //!< per step: bytes into viewInput's memory where the output begins
  size_t arenaBytes;                       //!< the arena's size for these shapes
  const std::vector<bool>& dataDependent;  //!< per tensor: its shape waits for a NonZero count
  bool hasDataDependentShapes;
  int32_t profile;
  bool graphMode;  //!< CUDA-graph replay requested (IExecutionContext::setCudaGraphMode)
  //! The layer to run at a step (with its shape-tensor inputs' run-time values resolved).
  std::function<const ILayer&(size_t step)> layerToRun;
  //! Tells the runtime a NonZero's count, before the layers after it run.
  std::function<void(size_t step, int64_t count)> learnNonZeroCount;
  //! Hands the data-dependent outputs to their allocators; `copy` moves bytes within the backend's memory.
  std::function<void(const std::vector<void*>& data, const std::function<void(void*, const void*, size_t)>& copy)>
      deliverDataDependentOutputs;
  //! Per-layer timing requested (IExecutionContext::setProfiler); nullptr when off.
  IProfiler* profiler = nullptr;
};

//! The per-context executor of one backend (streams, handles, arenas, captured graphs).
class BackendRunner {
 public:
  virtual ~BackendRunner() = default;
  //! Called when shapes change: makes room for `bytes` of activations (throws Error when it can't).
  virtual void reserveArena(size_t bytes) = 0;
  //! Runs every step of `state` on `stream` (ignored by host backends).
  virtual void run(RunState& state, void* stream) = 0;
  //! Lets this runner time tactics it has no plan entry for (the builder's tuning runs only).
  virtual void allowTacticTiming(bool allowed) { (void)allowed; }
  //! Timings by layer signature to read before timing and to extend (the build's ITimingCache), or nullptr.
  virtual void useTimingCache(ITimingCache::Entries* entries) { (void)entries; }
  //! Kernel runs spent timing tactics (0 for an engine whose tactics came from its plan).
  virtual int64_t tacticTimingRuns() const { return 0; }
  //! Runs that replayed a captured CUDA graph.
  virtual int64_t graphLaunches() const { return 0; }
  //! The tactics this runner timed, by layer index (what the builder stores in the plan).
  virtual std::vector<TacticRecord> timedTactics() const { return {}; }
  //! Creates what runs at `state`'s shapes need before the first of them (the CPU backend's oneDNN
  //! primitives); a run at new shapes prepares them itself.
  virtual void prepare(RunState& state) { (void)state; }
  //! Whether a context with static input shapes prepares when it is created (the CPU's primitives are
  //! made at load, not at the first call).
  virtual bool preparesAtCreation() const { return false; }
  //! What runs each prepared layer of the plan ("oneDNN convolution brg:avx2", "engine kernel"), where
  //! the backend tells; the inspector shows it.
  virtual std::unordered_map<const ILayer*, std::string> layerImplementations() const { return {}; }
};

//! Times the steps of one run for a profiler: begin/end bracket a step's work, finish (after the last
//! step) returns each timed step with its milliseconds, in the order they ran.
class StepTimer {
 public:
  virtual ~StepTimer() = default;
  virtual void begin(size_t step) = 0;
  virtual void end(size_t step) = 0;
  virtual std::vector<std::pair<size_t, float>> finish() = 0;
};

//! Host wall-clock timing (steady_clock) for backends whose layers run on the calling thread.
class HostStepTimer : public StepTimer {
 public:
  void begin(size_t step) override;
  void end(size_t step) override;
  std::vector<std::pair<size_t, float>> finish() override;

 private:
  std::vector<std::pair<size_t, float>> times_;
  int64_t startNs_ = 0;
};

//! How a backend runs one step; runSteps drives them over a schedule.
struct StepDevice {
  //! Where a Constant layer's bytes are read (in place: the host copy or the engine's device copy).
  std::function<void*(const IConstantLayer&)> constantData;
  //! A NonZero input's count (the backend synchronizes to read it).
  std::function<int64_t(const cpu::TensorView&)> countNonZero;
  std::function<void(const ILayer&, const std::vector<cpu::TensorView>&, cpu::TensorView&)> runLayer;
  //! Copies bytes within the backend's memory (data-dependent outputs).
  std::function<void(void*, const void*, size_t)> copy;
  //! Times each layer when RunState::profiler is set (required then; not owned).
  StepTimer* timer = nullptr;
};

//! Runs every step of `state` with intermediates at `arena` + their offsets: the loop both backends share.
void runSteps(RunState& state, uint8_t* arena, const StepDevice& device);

//! Hands every step that runs a kernel to `prepare` (plan layer, layer to run, inputs, output) with the
//! tensors a run would give it, without running anything; stops at the first step whose shapes only a
//! run can tell (after a NonZero).
using PrepareLayer = std::function<void(const ILayer& planLayer, const ILayer& layer,
                                        const std::vector<cpu::TensorView>& inputs, const cpu::TensorView& output)>;
void prepareSteps(RunState& state, uint8_t* arena, const StepDevice& device, const PrepareLayer& prepare);

//! One backend (CPU, CUDA): what the engine needs from a device.
class ExecutionBackend {
 public:
  virtual ~ExecutionBackend() = default;
  //! Fills the plan's target (device name, SM version); throws Error when this machine has none.
  virtual void describeTarget(PlanContents& plan) const = 0;
  //! The target of a preview of the optimized layers (IBuilder::describeOptimizedNetwork): this machine's device
  //! where there is one, else the device the backend assumes (no Error: nothing will run).
  virtual void describePreviewTarget(PlanContents& plan) const { describeTarget(plan); }
  //! Throws Error when a plan for this backend cannot run on this machine (missing or other device).
  virtual void checkTarget(const PlanContents& plan) const = 0;
  //! Loads an engine: device copies of the weights its layers read, recorded in the schedule.
  virtual void prepare(Schedule& schedule) const = 0;
  //! Frees what prepare() made.
  virtual void release(Schedule& schedule) const = 0;
  //! A runner for one execution context of `engine`.
  virtual std::unique_ptr<BackendRunner> createRunner(const CudaEngine& engine) const = 0;
  //! Whether the builder should run `network` once per profile to time its tactics.
  virtual bool timesTactics(const INetworkDefinition& network) const {
    (void)network;
    return false;
  }
  //! Whether convolutions reading `type` run faster channels-last (NHWC) on this backend, so that the
  //! builder keeps regions around them in that layout (builder/passes/channels_last.cpp).
  virtual bool prefersChannelsLast(DataType type) const {
    (void)type;
    return false;
  }
  //! Whether INT8 convolution `conv` (its input's type set) runs channels-last on this backend, reading and
  //! writing 16-bit NHWC tensors, so that the builder may take it into a region.
  virtual bool runsInt8ConvolutionChannelsLast(const IConvolutionLayer& conv) const {
    (void)conv;
    return false;
  }
  //! Whether calibration should make float convolution `conv` INT8 on this backend: false where its INT8 form is
  //! slower than the float one (the layer then keeps the float precision the build gives it).
  virtual bool quantizesConvolution(const IConvolutionLayer& conv) const {
    (void)conv;
    return true;
  }
  //! Whether channels-last INT8 convolution `conv` can read INT8 codes (an explicit Quantize's NHWC output)
  //! instead of quantizing its 16-bit input itself (builder/passes/int8_convolution_chaining.cpp).
  virtual bool readsInt8ConvolutionCodes(const IConvolutionLayer& conv) const {
    (void)conv;
    return false;
  }
  //! Whether channels-last INT8 convolution `conv` can write INT8 codes of its output (a requantizing epilogue).
  virtual bool writesInt8ConvolutionCodes(const IConvolutionLayer& conv) const {
    (void)conv;
    return false;
  }
  //! Whether channels-last INT8 convolution `conv` can read its residual as INT8 codes (with a residual scale).
  virtual bool readsInt8ConvolutionResidualCodes(const IConvolutionLayer& conv) const {
    (void)conv;
    return false;
  }
  //! Whether the backend's FP8 matrix multiplies compute activation `type` in their own epilogue (else the builder
  //! moves it into the FP8 quantization that reads the product, where there is one).
  virtual bool fusesFp8MatrixMultiplyActivation(ActivationType type) const {
    (void)type;
    return true;
  }
  //! Whether FP8 product `mm` can write the FP8 codes of its output through `activation` (-1: none) (the builder
  //! then folds the quantization that alone reads it into it). The CPU reference computes every such product.
  virtual bool writesFp8ProductCodes(const IMatrixMultiplyLayer& mm, int32_t activation) const {
    (void)mm;
    (void)activation;
    return true;
  }
  //! Whether the backend's matrix multiplies apply activation `type` after their bias (a fused epilogue).
  virtual bool fusesMatrixMultiplyActivation(ActivationType type) const { return type == ActivationType::kRELU; }
  //! Whether the backend's attention reads and writes [B, S, H, D] tensors through their strides (the builder
  //! then drops the permutes of the head split and merge around each attention).
  virtual bool readsSequenceMajorAttention() const { return false; }
  //! Whether products of one input by same-shaped constant matrices run faster stacked into one product by
  //! [P, K, N] weights (a strided-batched GEMM; oneDNN 2.6 runs that form on its reference kernel).
  virtual bool stacksSiblingProducts() const { return false; }
  //! Whether a run of layers that move whole rows (two or more copies) runs faster as one gather of rows.
  virtual bool gathersRowMoves() const { return false; }
  //! Whether channels-last 16-bit convolutions of 3 input channels run faster on an image padded to 4 channels by
  //! the transpose that makes it (cuDNN's first-layer kernels read 4 and pad a 3-channel image in a kernel of their
  //! own).
  virtual bool readsFourChannelImages() const { return false; }
  //! The fewest such convolutions a channels-last region needs to pay for its transposes.
  virtual int32_t channelsLastMinConvolutions() const { return 1; }
  //! What a tactic the builder recorded for `layer` runs, in words ("cuDNN IMPLICIT_PRECOMP_GEMM", "cuBLASLt's own
  //! pick"), for the inspector; empty where the backend has no words for it.
  virtual std::string describeTactic(const ILayer& layer, const std::vector<int64_t>& choice) const {
    (void)layer, (void)choice;
    return {};
  }
  //! Bytes of the backend's memory still free (0 when unknown), and the memory's name in errors.
  virtual uint64_t availableMemory() const = 0;
  virtual const char* memoryName() const { return "host memory"; }
  //! The device ordinal engines of this backend run on (-1 for the host).
  virtual int32_t deviceOrdinal() const { return -1; }
  //! Zeroed memory of the backend for the builder's own runs, and its release.
  virtual void* allocate(size_t bytes) const = 0;
  virtual void deallocate(void* memory) const = 0;
  //! Copies backend memory to the host, after the work queued before it has finished.
  virtual void copyToHost(void* host, const void* memory, size_t bytes) const = 0;
  //! Throws Error naming `what` where the backend's kernels cannot read `memory` (the CUDA backend: pageable host
  //! memory on a GPU without pageable-memory access), before a run would fault on it. Memory a user's object gave the
  //! builder (a calibrator's batches) is checked here.
  virtual void checkReadable(const void* memory, const std::string& what) const {
    (void)memory;
    (void)what;
  }
};

//! The backend of `kind`; throws Error naming how to get it when this build does not include it.
const ExecutionBackend& executionBackend(Backend kind);

//! Each backend's instance (nullptr when this build does not include it).
const ExecutionBackend* cpuExecutionBackend();
const ExecutionBackend* cudaExecutionBackend();

}  // namespace trt
