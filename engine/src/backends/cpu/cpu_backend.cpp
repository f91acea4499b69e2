// The CPU backend: runs the layers oneDNN covers on its primitives (backends/cpu/onednn/), every
// other layer with the reference kernels of backends/cpu/, on host memory. TORCHTRT_CPU_KERNELS=reference
// runs every layer on the reference kernels (the tests' oracle).
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

#include "backends/backend.h"
#include "trt/memory_limits.h"
#include "backends/cpu/onednn/layer_runs.h"
#include "plan/plan.h"
#include "runtime/schedule.h"
#ifdef TORCHTRT_WITH_ONEDNN
#include "backends/cpu/onednn/onednn_kernels.h"
#endif

namespace trt {
namespace {

//! Whether this context runs the fast kernels: TORCHTRT_CPU_KERNELS "fast", or unset / "reference".
//! The reference is the default until oneDNN's results are PyTorch's in every case: its max pooling
//! does not propagate NaN as PyTorch does, and a grouped convolution with bias inside a PyTorch
//! process fails to execute (tests/py/test_reliability.py, Converters.Convolution2dWithBiasStridePaddingGroups).
bool useFastKernels() {
  const char* env = std::getenv("TORCHTRT_CPU_KERNELS");
  const std::string choice = env ? env : "";
  if (choice.empty() || choice == "reference") return false;
  if (choice != "fast")
    throw Error("TORCHTRT_CPU_KERNELS is '" + choice +
                "'; set it to 'reference' (the loop kernels, the default) or 'fast' (oneDNN where it covers a "
                "layer), or unset it");
  return true;
}

class CpuRunner : public BackendRunner {
 public:
  CpuRunner() {
#ifdef TORCHTRT_WITH_ONEDNN
    if (useFastKernels()) {
      if (cpu::onednn::libraryIsOurs()) {
        fast_ = std::make_unique<cpu::onednn::Kernels>();
      } else {
        static std::once_flag warned;
        std::call_once(warned, [] {
          defaultLogger().log(ILogger::Severity::kWARNING,
                              "another oneDNN is loaded in this process first (PyTorch's libtorch_cpu brings "
                              "its own) and would take the engine's oneDNN calls: the CPU backend runs its "
                              "reference kernels");
        });
      }
    }
#else
    (void)useFastKernels();  // still rejects a misspelt value
#endif
  }

  // The runtime has checked `bytes` against the host's available memory and the cap (memory_limits.h).
  void reserveArena(size_t bytes) override {
    try {
      arena_.resize(bytes);
    } catch (const std::exception&) {  // bad_alloc, length_error
      throw Error("the engine needs " + std::to_string(bytes) +
                  " bytes of activation memory for these input shapes, more than the host can allocate; use "
                  "smaller inputs");
    }
  }

  void run(RunState& state, void*) override {
    StepDevice device;
    device.constantData = [](const IConstantLayer& constant) { return const_cast<uint8_t*>(constant.bytes().data()); };
    device.countNonZero = [](const cpu::TensorView& in) { return cpu::countNonZero(in); };
    device.runLayer = [this](const ILayer& layer, const std::vector<cpu::TensorView>& in, cpu::TensorView& out) {
#ifdef TORCHTRT_WITH_ONEDNN
      if (fast_ && fast_->run(layer, in, out)) return;
#endif
      cpu::runLayer(layer, in, out);
    };
    device.copy = [](void* dst, const void* src, size_t bytes) { std::memcpy(dst, src, bytes); };
    HostStepTimer timer;
    device.timer = &timer;
    runSteps(state, arena_.data(), device);
  }

 private:
  std::vector<uint8_t> arena_;  // intermediates, sized by reserveArena
#ifdef TORCHTRT_WITH_ONEDNN
  std::unique_ptr<cpu::onednn::Kernels> fast_;  // nullptr: the reference kernels only
#endif
};

class CpuBackend : public ExecutionBackend {
 public:
  uint64_t availableMemory() const override { return availableHostMemory(); }
  void describeTarget(PlanContents&) const override {}
  void checkTarget(const PlanContents&) const override {}
  void prepare(Schedule&) const override {}  // layers read their weights in place
  void release(Schedule&) const override {}
  std::unique_ptr<BackendRunner> createRunner(const ICudaEngine&) const override {
    return std::make_unique<CpuRunner>();
  }
  void* allocate(size_t bytes) const override {
    void* p = std::calloc(bytes > 0 ? bytes : 1, 1);
    if (!p) throw Error("out of host memory allocating " + std::to_string(bytes) + " bytes");
    return p;
  }
  void deallocate(void* memory) const override { std::free(memory); }
  void copyToHost(void* host, const void* memory, size_t bytes) const override { std::memcpy(host, memory, bytes); }
};

}  // namespace

#ifndef TORCHTRT_WITH_ONEDNN
int64_t cpu::onednn::layerRuns() { return -1; }
#endif

const ExecutionBackend* cpuExecutionBackend() {
  static const CpuBackend backend;
  return &backend;
}

}  // namespace trt
