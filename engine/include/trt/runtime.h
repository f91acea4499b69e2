// Runtime: deserializes plans into engines and runs them through execution contexts.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "trt/builder.h"
#include "trt/network.h"

namespace trt {

class ICudaEngine;
struct PlanContents;
//! An engine over plan contents already read (engine internals: the builder's tuning run).
ICudaEngine* engineFromContents(std::unique_ptr<PlanContents> contents);
struct Schedule;
struct TacticRecord;
class BackendRunner;
struct RunState;

//! Whether a bound tensor is an engine input or output.
enum class TensorIOMode : int32_t { kNONE = 0, kINPUT = 1, kOUTPUT = 2 };

//! Runs an engine: binds buffers, checks shapes, executes layers on the engine's backend.
//! Receives network outputs whose shape is data-dependent (downstream of a NonZero layer): the
//! runtime asks for memory once the run knows the size, writes the output there, then tells the shape.
class IOutputAllocator {
 public:
  virtual ~IOutputAllocator() = default;
  //! Memory of at least `size` bytes for output `tensorName` (device memory on the CUDA backend,
  //! host memory on the CPU backend), aligned to `alignment`; nullptr fails the run.
  virtual void* reallocateOutput(const char* tensorName, void* currentMemory, uint64_t size, uint64_t alignment) = 0;
  //! The output's shape, once written.
  virtual void notifyShape(const char* tensorName, const Dims& dims) = 0;
};

//! Receives each layer's time of a run (TensorRT's IProfiler; trtexec --dumpProfile). Called once per
//! layer that runs, in execution order, after the run has finished. Layers that launch no work are not
//! reported: views (reshape-like layers whose output is their input's memory), Constants read in
//! place, and layers whose output is empty for the run's shapes.
class IProfiler {
 public:
  virtual ~IProfiler() = default;
  //! `ms`: wall time on the host (CPU backend) or between CUDA events around the layer's kernels on
  //! the run's stream (CUDA backend).
  virtual void reportLayerTime(const char* layerName, float ms) noexcept = 0;
};

class IExecutionContext {
 public:
  ~IExecutionContext();
  //! Sets the run-time shape of an input; refused (Error) when outside the active profile.
  bool setInputShape(const char* tensorName, Dims dims);
  //! The shape of an input or output for the current input shapes (outputs inferred). A data-dependent
  //! output has -1 where each run decides (its IOutputAllocator is told the run's shape).
  Dims getTensorShape(const char* tensorName) const;
  //! Binds the memory of an input or output (host memory on the CPU backend).
  bool setTensorAddress(const char* tensorName, void* data);
  //! The bound address, or nullptr.
  void* getTensorAddress(const char* tensorName) const;
  //! Chooses the optimization profile used by later calls.
  bool setOptimizationProfileAsync(int32_t profileIndex, void* stream);
  int32_t getOptimizationProfile() const { return profile_; }
  //! True once every input has a shape.
  bool allInputDimensionsSpecified() const;
  //! Runs the engine on `stream` (ignored on the CPU backend); throws Error on bad bindings.
  bool enqueueV3(void* stream);
  //! The engine this context runs.
  const ICudaEngine& getEngine() const { return engine_; }
  //! Bytes of activation memory for the current input shapes: intermediates share one arena, a block
  //! reused once its last reader has run (throws Error while an input shape is unset).
  size_t getActivationBytes() const;
  //! What the same intermediates would take with a buffer each (the memory planner's baseline).
  size_t getActivationBytesWithoutReuse() const;
  //! CUDA backend: when on, a run whose profile, input shapes and bound addresses repeat those of
  //! the captured run replays it as one CUDA graph (one launch instead of one per kernel). A run
  //! with anything new runs normally; when the next run repeats it, it is captured (after running).
  //! Off by default; no effect on the CPU backend.
  void setCudaGraphMode(bool enabled) { cudaGraphMode_ = enabled; }
  bool getCudaGraphMode() const { return cudaGraphMode_; }
  //! How many runs replayed a captured CUDA graph.
  int64_t getCudaGraphLaunches() const;
  //! Layer runs spent timing tactics (0 for a loaded engine: the builder chose its tactics and
  //! stored them in the plan; only the builder's own tuning runs time).
  int64_t getTacticTimingRuns() const;
  //! Engine internals (the builder's tuning run): lets kernels time the tactics the plan lacks, and
  //! returns what they timed.
  void setTacticTiming(bool allowed);
  void setTimingCache(ITimingCache::Entries* entries);
  std::vector<TacticRecord> timedTactics() const;
  //! Sets the allocator of an output with a data-dependent shape (getTensorShape has -1 in it before
  //! a run); such outputs take no address. The allocator is not owned.
  bool setOutputAllocator(const char* tensorName, IOutputAllocator* allocator);
  //! Times every layer of later runs and reports them to `profiler` (not owned; nullptr turns it off).
  //! While profiling, CUDA runs record an event after each layer (captured with the layers into a
  //! graph of the run's own when the run repeats the previous one's shapes and bindings), wait for the
  //! run's end before enqueueV3 returns, and never replay the context's CUDA graph.
  void setProfiler(IProfiler* profiler) { profiler_ = profiler; }
  IProfiler* getProfiler() const { return profiler_; }

 private:
  friend class ICudaEngine;
  explicit IExecutionContext(const ICudaEngine& engine);
  void resolveShapes();
  RunState runState();    // what the backend reads of this context to run (or prepare) the schedule
  void prepareBackend();  // the backend's per-shape preparation at the resolved shapes; nothing runs
  int32_t ioIndex(const char* name, const char* method) const;

  const ICudaEngine& engine_;
  int32_t profile_ = 0;
  std::vector<Dims> shapes_;         // per tensor of the plan network
  std::vector<void*> addresses_;     // per tensor; bound by the caller for I/O
  std::vector<size_t> arenaOffset_;  // per tensor; SIZE_MAX for bound or constant tensors
  bool shapesResolved_ = false;
  // Per step: a copy of the layer with its shape-tensor inputs' run-time values as static parameters
  // (a slice window computed from sizes), or null to run the plan's layer.
  std::vector<std::unique_ptr<ILayer>> resolvedLayers_;
  const ILayer& layerToRun(size_t step) const;
  // Data-dependent shapes (NonZero): shapes_ holds upper bounds while memory is planned, then the
  // actual shapes as the run learns them; exactShapes_ has -1 where only the run can tell.
  std::vector<Dims> exactShapes_;
  std::vector<std::vector<int64_t>> values_;  // shape tensors' values, per tensor
  std::vector<size_t> plannedBytes_;          // per tensor: bytes its arena block holds
  std::vector<int32_t> viewInput_;            // per step: the tensor whose memory its output is, or -1
  std::vector<bool> dataDependent_;           // per tensor: its shape waits for a NonZero to run
  bool hasDataDependentShapes_ = false;
  std::vector<IOutputAllocator*> outputAllocators_;  // per tensor
  void inferSteps(size_t first, bool upperBounds);
  void learnNonZeroCount(size_t step, int64_t count);
  void deliverDataDependentOutputs(const std::vector<void*>& data,
                                   const std::function<void(void*, const void*, size_t)>& copy);
  size_t arenaBytes_ = 0;
  size_t unplannedBytes_ = 0;
  std::unique_ptr<BackendRunner> runner_;  // the engine's backend for this context
  bool cudaGraphMode_ = false;
  IProfiler* profiler_ = nullptr;
};

//! A deserialized, ready-to-run engine.
class ICudaEngine {
 public:
  ~ICudaEngine();
  //! Creates a context; contexts of one engine may run concurrently.
  IExecutionContext* createExecutionContext() const;
  //! Number of inputs plus outputs.
  int32_t getNbIOTensors() const;
  //! Name of I/O tensor i (inputs first, in network order).
  const char* getIOTensorName(int32_t index) const;
  //! Whether a name is an input, an output or neither.
  TensorIOMode getTensorIOMode(const char* tensorName) const;
  //! Build-time shape of an I/O tensor (-1 for dynamic dims).
  Dims getTensorShape(const char* tensorName) const;
  //! Element type of an I/O tensor.
  DataType getTensorDataType(const char* tensorName) const;
  //! Number of optimization profiles.
  int32_t getNbOptimizationProfiles() const;
  //! min/opt/max of an input in a profile.
  Dims getProfileShape(const char* tensorName, int32_t profileIndex, OptProfileSelector select) const;
  //! Number of layers after optimization.
  int32_t getNbLayers() const;
  //! Serializes the engine back into a plan.
  IHostMemory* serialize() const;
  //! Backend the engine was built for.
  Backend getBackend() const;
  //! One line per layer: name, kind, input and output shapes, the precision it computes in (the engine inspector).
  std::string describeLayers() const;
  //! The engine inspector as JSON: backend, device, and per layer its name, kind, inputs and outputs
  //! (name, dims, dtype), the precision it computes in, its pinned precision and what the builder fused into it.
  std::string describeLayersJson() const;
  //! The optimized network (engine internals).
  const INetworkDefinition& network() const;
  const PlanContents& contents() const { return *contents_; }
  const Schedule& schedule() const { return *schedule_; }

 private:
  friend class IRuntime;
  friend ICudaEngine* engineFromContents(std::unique_ptr<PlanContents> contents);
  explicit ICudaEngine(std::unique_ptr<PlanContents> contents);
  std::unique_ptr<PlanContents> contents_;
  std::unique_ptr<Schedule> schedule_;
};

//! Deserializes plans.
class IRuntime {
 public:
  explicit IRuntime(ILogger& logger) : logger_(logger) {}
  //! Reads and validates a plan; throws Error naming the bad field (never crashes on bad bytes).
  ICudaEngine* deserializeCudaEngine(const void* blob, size_t size);
  //! The same for a plan the engine may keep: its large weights are used in place, not copied (plans
  //! of format 13 on align them), when they are at least half of the plan; otherwise they are copied and
  //! the plan is released, so the engine never holds weights twice.
  ICudaEngine* deserializeCudaEngine(std::shared_ptr<const std::string> plan);

 private:
  ILogger& logger_;
};

//! The plan format version this build writes (it reads this one and every earlier one).
uint32_t planFormatVersion();
//! Creates a runtime that logs to `logger`.
IRuntime* createInferRuntime(ILogger& logger);
//! True when this build of the engine includes the CUDA backend.
bool hasCudaBackend();

}  // namespace trt
