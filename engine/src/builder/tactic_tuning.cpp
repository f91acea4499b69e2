#include "builder/tactic_tuning.h"

#include <map>
#include <memory>
#include <string>

#include "backends/backend.h"
#include "runtime/runtime_impl.h"
#include "trt/runtime.h"

namespace trt {

namespace {
// Backend memory for the tuning run's bindings, released with it.
class TuningMemory : public IOutputAllocator {
 public:
  explicit TuningMemory(const ExecutionBackend& backend) : backend_(backend) {}
  ~TuningMemory() override {
    for (void* p : owned_) backend_.deallocate(p);
  }
  void* zeroed(size_t bytes) {
    owned_.push_back(backend_.allocate(bytes));
    return owned_.back();
  }
  void* reallocateOutput(const char*, void*, uint64_t size, uint64_t) override {
    return zeroed(static_cast<size_t>(size));
  }
  void notifyShape(const char*, const Dims&) override {}

 private:
  const ExecutionBackend& backend_;
  std::vector<void*> owned_;
};
}  // namespace

std::vector<TacticRecord> tuneTactics(std::unique_ptr<PlanContents> plan, ILogger& logger, int64_t& timingRuns,
                                      ITimingCache::Entries* timingCache) {
  std::unique_ptr<CudaEngine> engine(engineFromContents(std::move(plan)));
  const ExecutionBackend& backend = executionBackend(engine->getBackend());
  std::unique_ptr<ExecutionContext> context(static_cast<ExecutionContext*>(engine->createExecutionContext()));
  context->setTacticTiming(true);
  context->setTimingCache(timingCache);
  TuningMemory memory(backend);
  const PlanContents& contents = engine->contents();
  const int32_t profiles = engine->getNbOptimizationProfiles();
  try {
    for (int32_t p = 0; p < profiles; ++p) {
      context->setOptimizationProfileAsync(p, nullptr);
      for (int32_t i = 0; i < engine->getNbIOTensors(); ++i) {
        const char* name = engine->getIOTensorName(i);
        if (engine->getTensorIOMode(name) != TensorIOMode::kINPUT) continue;
        Dims dims = engine->getTensorShape(name);
        if (!dims.isStatic() && p < static_cast<int32_t>(contents.profiles.size()))
          dims = contents.profiles[p].getDimensions(name, OptProfileSelector::kOPT);
        context->setInputShape(name, dims);
        const size_t bytes = static_cast<size_t>(dims.volume()) * dataTypeSize(engine->getTensorDataType(name));
        context->setTensorAddress(name, memory.zeroed(bytes));
      }
      for (int32_t i = 0; i < engine->getNbIOTensors(); ++i) {
        const char* name = engine->getIOTensorName(i);
        if (engine->getTensorIOMode(name) != TensorIOMode::kOUTPUT) continue;
        const Dims dims = context->getTensorShape(name);
        if (!dims.isStatic()) {
          context->setOutputAllocator(name, &memory);
          continue;
        }
        const size_t bytes = static_cast<size_t>(dims.volume()) * dataTypeSize(engine->getTensorDataType(name));
        context->setTensorAddress(name, memory.zeroed(bytes));
      }
      context->enqueueV3(nullptr);
    }
    uint8_t done = 0;  // waits for the runs to finish before their memory goes
    void* flag = memory.zeroed(1);
    backend.copyToHost(&done, flag, 1);
  } catch (const Error& e) {
    const std::string message = std::string("tactic timing stopped (") + e.what() +
                                "); layers it did not reach choose by heuristics when the engine runs";
    logger.log(ILogger::Severity::kWARNING, message.c_str());
  }
  timingRuns += context->getTacticTimingRuns();
  return context->timedTactics();
}

}  // namespace trt
