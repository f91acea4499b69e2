// Runtime: deserializes plans into engines and runs them through execution contexts.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "trt/builder.h"
#include "trt/network.h"

namespace trt {

class ICudaEngine;

//! Whether a bound tensor is an engine input or output.
enum class TensorIOMode : int32_t { kNONE = 0, kINPUT = 1, kOUTPUT = 2 };

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

//! Runs an engine: binds buffers, checks shapes and executes the layers on the engine's backend.
//! Made by ICudaEngine::createExecutionContext; the caller deletes it before the engine.
class IExecutionContext {
 public:
  virtual ~IExecutionContext() = default;
  //! Sets the run-time shape of an input; refused (Error) when outside the active profile.
  virtual bool setInputShape(const char* tensorName, Dims dims) = 0;
  //! The shape of an input or output for the current input shapes (outputs inferred). A data-dependent
  //! output has -1 where each run decides (its IOutputAllocator is told the run's shape).
  virtual Dims getTensorShape(const char* tensorName) const = 0;
  //! Binds the memory of an input or output (host memory on the CPU backend).
  virtual bool setTensorAddress(const char* tensorName, void* data) = 0;
  //! The bound address, or nullptr.
  virtual void* getTensorAddress(const char* tensorName) const = 0;
  //! Chooses the optimization profile used by later calls.
  virtual bool setOptimizationProfileAsync(int32_t profileIndex, void* stream) = 0;
  //! The optimization profile in use.
  virtual int32_t getOptimizationProfile() const = 0;
  //! True once every input has a shape.
  virtual bool allInputDimensionsSpecified() const = 0;
  //! Runs the engine on `stream` (ignored on the CPU backend); throws Error on bad bindings.
  virtual bool enqueueV3(void* stream) = 0;
  //! The engine this context runs.
  virtual const ICudaEngine& getEngine() const = 0;
  //! Bytes of activation memory for the current input shapes: intermediates share one arena, a block
  //! reused once its last reader has run (throws Error while an input shape is unset).
  virtual size_t getActivationBytes() const = 0;
  //! What the same intermediates would take with a buffer each (the memory planner's baseline).
  virtual size_t getActivationBytesWithoutReuse() const = 0;
  //! CUDA backend: when on, a run whose profile, input shapes and bound addresses repeat those of
  //! the captured run replays it as one CUDA graph (one launch instead of one per kernel). A run
  //! with anything new runs normally; when the next run repeats it, it is captured (after running).
  //! Off by default; no effect on the CPU backend.
  virtual void setCudaGraphMode(bool enabled) = 0;
  //! Whether CUDA-graph replay is on.
  virtual bool getCudaGraphMode() const = 0;
  //! How many runs replayed a captured CUDA graph.
  virtual int64_t getCudaGraphLaunches() const = 0;
  //! Layer runs spent timing tactics (0 for a loaded engine: the builder chose its tactics and
  //! stored them in the plan; only the builder's own tuning runs time).
  virtual int64_t getTacticTimingRuns() const = 0;
  //! Sets the allocator of an output with a data-dependent shape (getTensorShape has -1 in it before
  //! a run); such outputs take no address. The allocator is not owned.
  virtual bool setOutputAllocator(const char* tensorName, IOutputAllocator* allocator) = 0;
  //! Times every layer of later runs and reports them to `profiler` (not owned; nullptr turns it off).
  //! While profiling, CUDA runs record an event after each layer (captured with the layers into a
  //! graph of the run's own when the run repeats the previous one's shapes and bindings), wait for the
  //! run's end before enqueueV3 returns, and never replay the context's CUDA graph.
  virtual void setProfiler(IProfiler* profiler) = 0;
  //! The profiler set, or nullptr.
  virtual IProfiler* getProfiler() const = 0;
};

//! A deserialized, ready-to-run engine.
class ICudaEngine {
 public:
  virtual ~ICudaEngine() = default;
  //! Creates a context; contexts of one engine may run concurrently.
  virtual IExecutionContext* createExecutionContext() const = 0;
  //! Number of inputs plus outputs.
  virtual int32_t getNbIOTensors() const = 0;
  //! Name of I/O tensor i (inputs first, in network order).
  virtual const char* getIOTensorName(int32_t index) const = 0;
  //! Whether a name is an input, an output or neither.
  virtual TensorIOMode getTensorIOMode(const char* tensorName) const = 0;
  //! Build-time shape of an I/O tensor (-1 for dynamic dims).
  virtual Dims getTensorShape(const char* tensorName) const = 0;
  //! Element type of an I/O tensor.
  virtual DataType getTensorDataType(const char* tensorName) const = 0;
  //! Number of optimization profiles.
  virtual int32_t getNbOptimizationProfiles() const = 0;
  //! min/opt/max of an input in a profile.
  virtual Dims getProfileShape(const char* tensorName, int32_t profileIndex, OptProfileSelector select) const = 0;
  //! Number of layers after optimization.
  virtual int32_t getNbLayers() const = 0;
  //! Serializes the engine back into a plan.
  virtual IHostMemory* serialize() const = 0;
  //! Backend the engine was built for.
  virtual Backend getBackend() const = 0;
  //! One line per layer: name, kind, input and output shapes, the precision it computes in (the engine inspector).
  virtual std::string describeLayers() const = 0;
  //! The engine inspector as JSON: backend, device, and per layer its name, kind, inputs and outputs
  //! (name, dims, dtype), the precision it computes in, its pinned precision and what the builder fused into it.
  virtual std::string describeLayersJson() const = 0;
  //! The optimized network, read-only (the layers the engine runs, after the builder's passes).
  virtual const INetworkDefinition& network() const = 0;
};

//! Deserializes plans.
class IRuntime {
 public:
  virtual ~IRuntime() = default;
  //! Reads and validates a plan; throws Error naming the bad field (never crashes on bad bytes).
  virtual ICudaEngine* deserializeCudaEngine(const void* blob, size_t size) = 0;
  //! The same for a plan the engine may keep: its large weights are used in place, not copied (plans
  //! of format 13 on align them), when they are at least half of the plan; otherwise they are copied and
  //! the plan is released, so the engine never holds weights twice.
  virtual ICudaEngine* deserializeCudaEngine(std::shared_ptr<const std::string> plan) = 0;
};

//! The plan format version this build writes (it reads this one and every earlier one).
uint32_t planFormatVersion();
//! Creates a runtime that logs to `logger`.
IRuntime* createInferRuntime(ILogger& logger);
//! True when this build of the engine includes the CUDA backend.
bool hasCudaBackend();

}  // namespace trt
