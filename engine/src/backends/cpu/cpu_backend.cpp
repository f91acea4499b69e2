// The CPU backend: runs the layers oneDNN covers on its primitives (the plugin of backends/cpu/onednn/),
// every other layer with the reference kernels of backends/cpu/, on host memory.
// TORCHTRT_CPU_KERNELS=reference runs every layer on the reference kernels (the tests' oracle).
#include <cstdlib>
#include <cstring>
#include <string>

#include "backends/backend.h"
#include "backends/cpu/onednn/onednn_kernels.h"
#include "backends/cpu/onednn/plugin_loader.h"
#include "plan/plan.h"
#include "runtime/schedule.h"
#include "trt/memory_limits.h"

namespace trt {
namespace {

//! Whether this context runs the fast kernels: TORCHTRT_CPU_KERNELS unset or "fast" (the default;
//! the reference where the oneDNN plugin cannot load), or "reference".
bool useFastKernels() {
  const char* env = std::getenv("TORCHTRT_CPU_KERNELS");
  const std::string choice = env ? env : "";
  if (choice.empty() || choice == "fast") return true;
  if (choice == "reference") return false;
  throw Error("TORCHTRT_CPU_KERNELS is '" + choice +
              "'; set it to 'fast' (oneDNN where it covers a layer, the default) or 'reference' (the loop "
              "kernels for every layer), or unset it");
}

class CpuRunner : public BackendRunner {
 public:
  CpuRunner() : fastMode_(useFastKernels()) {
    if (fastMode_)
      if (const torchtrt_onednn_api* api = cpu::onednn::pluginApi())
        fast_ = std::make_unique<cpu::onednn::Kernels>(*api);
  }

  // The runtime has checked `bytes` against the host's available memory and the cap (memory_limits.h).
  void reserveArena(size_t bytes) override {
    prepared_ = false;  // called whenever shapes change
    try {
      arena_.resize(bytes);
    } catch (const std::exception&) {  // bad_alloc, length_error
      throw Error("the engine needs " + std::to_string(bytes) +
                  " bytes of activation memory for these input shapes, more than the host can allocate; use "
                  "smaller inputs");
    }
  }

  void prepare(RunState& state) override {
    if (prepared_) return;  // already at these shapes (at creation, then again for the inspector)
    StepDevice device;
    device.constantData = constantData;
    implementations_.clear();
    prepareSteps(state, arena_.data(), device,
                 [this](const ILayer& planLayer, const ILayer& layer, const std::vector<cpu::TensorView>& in,
                        const cpu::TensorView& out) {
                   std::string name = fast_ ? fast_->prepare(layer, in, out) : "";
                   // A shuffle with a folded cast moves float32 values on widened copies too.
                   const bool movesOwnType = movesBytes(layer) && in[0].type == out.type;
                   if (name.empty() && fastMode_ && cpu::widensSixteenBit(layer, in, out) && !movesOwnType)
                     name = widensInCache(layer, in, out) ? "engine kernel, widened a row or chunk at a time"
                                                          : "float32 kernels on widened copies";
                   if (name.empty()) name = fastMode_ ? "engine kernel" : "reference kernel";
                   implementations_[&planLayer] = std::move(name);
                 });
    prepared_ = true;
  }

  std::unordered_map<const ILayer*, std::string> layerImplementations() const override { return implementations_; }
  bool preparesAtCreation() const override { return true; }

  void run(RunState& state, void*) override {
    // The primitives of these shapes are made before any layer runs (their weights reordered at the first run).
    if (!prepared_) prepare(state);
    StepDevice device;
    device.constantData = constantData;
    device.countNonZero = [](const cpu::TensorView& in) { return cpu::countNonZero(in); };
    device.runLayer = [this](const ILayer& layer, const std::vector<cpu::TensorView>& in, cpu::TensorView& out) {
      if (!fastMode_) {
        cpu::runLayer(layer, in, out);
        return;
      }
      // Transposes, concatenations, slices and gathers move bytes of any type: widening them would convert all
      // of their input (BERT-base's bfloat16 embedding table, 23 M values, took 72 ms a call).
      if (movesBytes(layer)) {
        const auto moveBytes = [](const ILayer& l, const std::vector<cpu::TensorView>& from, cpu::TensorView& to) {
          if (!(l.getType() == LayerType::kSHUFFLE && cpu::runShuffleParallel(l, from, to)))
            cpu::kernelFor(l.getType())(l, from, to);
        };
        // A shuffle with a folded cast (its output type differs) moves float32 values: its 16-bit side widened
        // before or rounded after, as the reference does.
        if (out.type != in[0].type)
          cpu::runWidened(layer, in, out, moveBytes, &widening_);
        else
          moveBytes(layer, in, out);
        return;
      }
      // Other 16-bit layers: oneDNN in their own type where it runs it (bfloat16 on AVX-512 BF16), else
      // the fast path's float32 kernels on widened copies (the reference widens the same way, around its
      // own kernels).
      if (cpu::widensSixteenBit(layer, in, out)) {
        if (fast_ && fast_->run(layer, in, out)) return;
        // bfloat16 layer norms and elementwise arithmetic widen a row or chunk at a time (widensInCache).
        const LayerType type = layer.getType();
        if (type == LayerType::kNORMALIZATION && cpu::runNormalizationRows(layer, in, out)) return;
        if (type == LayerType::kELEMENTWISE && cpu::runElementWiseParallel(layer, in, out)) return;
        cpu::runWidened(
            layer, in, out,
            [this](const ILayer& l, const std::vector<cpu::TensorView>& fin, cpu::TensorView& fout) {
              runFloat(l, fin, fout);
            },
            &widening_);
        return;
      }
      runFloat(layer, in, out);
    };
    device.copy = [](void* dst, const void* src, size_t bytes) { std::memcpy(dst, src, bytes); };
    HostStepTimer timer;
    device.timer = &timer;
    runSteps(state, arena_.data(), device);
  }

 private:
  // bfloat16 layer norms and elementwise arithmetic that widen a row or chunk at a time, in cache (the
  // inspector's name; a run just tries those kernels, which decline the rest).
  static bool widensInCache(const ILayer& layer, const std::vector<cpu::TensorView>& in, const cpu::TensorView& out) {
    if (out.type != DataType::kBF16) return false;
    if (layer.getType() == LayerType::kNORMALIZATION) return cpu::normalizationRowsApply(layer, in, out);
    if (layer.getType() == LayerType::kELEMENTWISE) return cpu::elementWiseParallelApplies(layer, in, out);
    return false;
  }

  // Kinds whose reference kernel copies elements by their size, whatever their type.
  static bool movesBytes(const ILayer& layer) {
    switch (layer.getType()) {
      case LayerType::kSHUFFLE:
      case LayerType::kCONCATENATION:
      case LayerType::kSLICE:  // its fill value is written in the output's type
        return true;
      case LayerType::kGATHER:
        return static_cast<const IGatherLayer&>(layer).getMode() == GatherMode::kDEFAULT;
      default:
        return false;
    }
  }

  // The fast path for float32 tensors (kinds that only move bytes excepted): oneDNN, then the project's
  // parallel kernels, then the reference.
  void runFloat(const ILayer& layer, const std::vector<cpu::TensorView>& in, cpu::TensorView& out) {
    if (fast_ && fast_->run(layer, in, out)) return;
    const LayerType type = layer.getType();
    if (type == LayerType::kATTENTION && cpu::runAttentionGemm(layer, in, out)) return;
    if (type == LayerType::kNORMALIZATION && cpu::runNormalizationRows(layer, in, out)) return;
    if (type == LayerType::kSOFTMAX && cpu::runSoftMaxRows(layer, in, out)) return;
    if (type == LayerType::kELEMENTWISE && cpu::runElementWiseParallel(layer, in, out)) return;
    if (type == LayerType::kACTIVATION && cpu::runActivationChunks(layer, in, out)) return;
    if (type == LayerType::kIDENTITY && cpu::castBf16Parallel(in[0], out)) return;
    cpu::runLayer(layer, in, out);
  }

  static void* constantData(const IConstantLayer& constant) { return const_cast<uint8_t*>(constant.bytes().data()); }

  std::vector<uint8_t> arena_;                  // intermediates, sized by reserveArena
  bool fastMode_;                               // TORCHTRT_CPU_KERNELS: fast (default) or reference
  std::unique_ptr<cpu::onednn::Kernels> fast_;  // the oneDNN plugin's kernels, nullptr where it cannot load
  bool prepared_ = false;                       // prepare ran since the shapes last changed
  std::unordered_map<const ILayer*, std::string> implementations_;  // by plan layer, from prepare
  cpu::WideningBuffers widening_;  // float32 copies of 16-bit layers' tensors, kept between calls
};

class CpuBackend : public ExecutionBackend {
 public:
  uint64_t availableMemory() const override { return availableHostMemory(); }
  // oneDNN's convolutions read and write NHWC without reordering (its blocked formats cost a reorder at
  // each end of every NCHW primitive): 2 cores, FP32, MobileNetV3-L b8 78 -> 43 ms, EfficientNet-B0 b8
  // 161 -> 95 ms, ResNet-50 b8 513 -> 392 ms. A build for the reference kernels keeps the network's
  // own layout (the tests' oracle). bfloat16 likewise where oneDNN runs it (AVX-512 BF16).
  bool prefersChannelsLast(DataType type) const override {
    const bool onOneDnn = type == DataType::kFLOAT || (type == DataType::kBF16 && cpu::onednn::cpuHasBf16());
    return onOneDnn && useFastKernels() && cpu::onednn::pluginApi() != nullptr;
  }
  // GELU after a product (a transformer's feed-forward): a oneDNN post-op on the fast path, the reference's
  // routine after the product otherwise. BERT-base b1 spent 14 ms of 170 in a separate GELU pass.
  bool fusesMatrixMultiplyActivation(ActivationType type) const override {
    return type == ActivationType::kRELU || type == ActivationType::kGELU_ERF || type == ActivationType::kGELU_TANH;
  }
  // A lone convolution gains nothing: its two transposes cost what oneDNN's two reorders did.
  int32_t channelsLastMinConvolutions() const override { return 2; }
  void describeTarget(PlanContents&) const override {}
  void checkTarget(const PlanContents&) const override {}
  void prepare(Schedule&) const override {}  // layers read their weights in place
  void release(Schedule&) const override {}
  std::unique_ptr<BackendRunner> createRunner(const CudaEngine&) const override {
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

const ExecutionBackend* cpuExecutionBackend() {
  static const CpuBackend backend;
  return &backend;
}

}  // namespace trt
