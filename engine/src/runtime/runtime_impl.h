// The engine's side of trt/runtime.h: the execution context, the engine and the runtime with their
// state, and what only the engine calls (the builder's tuning run, the backends, the inspector).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "network/network_impl.h"
#include "trt/runtime.h"

namespace trt {

struct PlanContents;
struct Schedule;
struct TacticRecord;
class BackendRunner;
struct RunState;
class CudaEngine;

class ExecutionContext final : public IExecutionContext {
 public:
  explicit ExecutionContext(const CudaEngine& engine);
  ~ExecutionContext() override;
  bool setInputShape(const char* tensorName, Dims dims) override;
  Dims getTensorShape(const char* tensorName) const override;
  bool setTensorAddress(const char* tensorName, void* data) override;
  void* getTensorAddress(const char* tensorName) const override;
  bool setOptimizationProfileAsync(int32_t profileIndex, void* stream) override;
  int32_t getOptimizationProfile() const override { return profile_; }
  bool allInputDimensionsSpecified() const override;
  bool enqueueV3(void* stream) override;
  const ICudaEngine& getEngine() const override;
  size_t getActivationBytes() const override;
  size_t getActivationBytesWithoutReuse() const override;
  void setCudaGraphMode(bool enabled) override { cudaGraphMode_ = enabled; }
  bool getCudaGraphMode() const override { return cudaGraphMode_; }
  int64_t getCudaGraphLaunches() const override;
  int64_t getTacticTimingRuns() const override;
  bool setOutputAllocator(const char* tensorName, IOutputAllocator* allocator) override;
  void setProfiler(IProfiler* profiler) override { profiler_ = profiler; }
  IProfiler* getProfiler() const override { return profiler_; }

  //! The builder's tuning run: lets kernels time the tactics the plan lacks, and returns what they timed.
  void setTacticTiming(bool allowed);
  void setTimingCache(ITimingCache::Entries* entries);
  std::vector<TacticRecord> timedTactics() const;

 private:
  friend class CudaEngine;  // the inspector prepares a context to name what runs each layer
  void resolveShapes();
  RunState runState();    // what the backend reads of this context to run (or prepare) the schedule
  void prepareBackend();  // the backend's per-shape preparation at the resolved shapes; nothing runs
  int32_t ioIndex(const char* name, const char* method) const;

  const CudaEngine& engine_;
  int32_t profile_ = 0;
  std::vector<Dims> shapes_;         // per tensor of the plan network
  std::vector<void*> addresses_;     // per tensor; bound by the caller for I/O
  std::vector<size_t> arenaOffset_;  // per tensor; SIZE_MAX for bound or constant tensors
  bool shapesResolved_ = false;
  // Per step: a copy of the layer with its shape-tensor inputs' run-time values as static parameters
  // (a slice window computed from sizes), or null to run the plan's layer.
  std::vector<std::unique_ptr<LayerBase>> resolvedLayers_;
  const ILayer& layerToRun(size_t step) const;
  // Data-dependent shapes (NonZero): shapes_ holds upper bounds while memory is planned, then the
  // actual shapes as the run learns them; exactShapes_ has -1 where only the run can tell.
  std::vector<Dims> exactShapes_;
  std::vector<std::vector<int64_t>> values_;  // shape tensors' values, per tensor
  std::vector<size_t> plannedBytes_;          // per tensor: bytes its arena block holds
  std::vector<int32_t> viewInput_;            // per step: the tensor whose memory its output is, or -1
  std::vector<size_t> viewOffset_;            // per step: bytes into that memory where its output begins
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

class CudaEngine final : public ICudaEngine {
 public:
  explicit CudaEngine(std::unique_ptr<PlanContents> contents);
  ~CudaEngine() override;
  IExecutionContext* createExecutionContext() const override;
  int32_t getNbIOTensors() const override;
  const char* getIOTensorName(int32_t index) const override;
  TensorIOMode getTensorIOMode(const char* tensorName) const override;
  Dims getTensorShape(const char* tensorName) const override;
  DataType getTensorDataType(const char* tensorName) const override;
  int32_t getNbOptimizationProfiles() const override;
  Dims getProfileShape(const char* tensorName, int32_t profileIndex, OptProfileSelector select) const override;
  int32_t getNbLayers() const override;
  IHostMemory* serialize() const override;
  Backend getBackend() const override;
  std::string describeLayers() const override;
  std::string describeLayersJson() const override;
  const INetworkDefinition& network() const override;

  //! The plan the engine was read from (tactics, profiles, the backend's target).
  const PlanContents& contents() const { return *contents_; }
  //! The steps a context runs.
  const Schedule& schedule() const { return *schedule_; }

 private:
  std::unique_ptr<PlanContents> contents_;
  std::unique_ptr<Schedule> schedule_;
};

//! The engine's view of an engine or a context this library made.
const CudaEngine& internals(const ICudaEngine& engine);
ExecutionContext& internals(IExecutionContext& context);

//! An engine over plan contents already read (the builder's tuning run).
CudaEngine* engineFromContents(std::unique_ptr<PlanContents> contents);

}  // namespace trt
