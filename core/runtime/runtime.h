// The runtime inside TorchScript: the Engine custom class holding a plan and the
// tensorrt::execute_engine op. Built as its own small library (libtorchtrt_runtime.so).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "ATen/core/ivalue.h"
#include "torch/custom_class.h"
#include "trt/trt.h"

namespace torch_tensorrt {
namespace core {
namespace runtime {

//! Version of the pickled state; bumped when the state's layout changes.
constexpr const char* ABI_VERSION = "1";

//! Indices into the pickled state (a list of strings).
enum SerializedInfoIndex : int {
  ABI_TARGET_IDX = 0,
  NAME_IDX,
  DEVICE_IDX,
  ENGINE_IDX,
  INPUT_BINDING_NAMES_IDX,
  OUTPUT_BINDING_NAMES_IDX,
  SERIALIZATION_LEN,
};

struct TRTEngine : torch::CustomClassHolder {
  //! `plan` is read, not kept (by reference: a copy would hold the weights once more while loading).
  TRTEngine(std::string name, const std::string& plan, std::string device_info, std::vector<std::string> input_names,
            std::vector<std::string> output_names);
  //! Rebuilds an engine from its pickled state; throws with "recompile" when the version is not readable.
  explicit TRTEngine(std::vector<std::string> serialized_info);
  ~TRTEngine() override;

  //! The pickled state.
  std::vector<std::string> serialize() const;
  //! The engine's plan, written again from the loaded engine. The engine holds its weights once: an
  //! engine loaded from a saved state keeps the plan's bytes when most of them are large weights it
  //! reads in place (else it copies them and frees the plan); one built by a compile copies them.
  std::string serializedPlan() const;
  //! Runs the engine on inputs (checked for count, dtype, rank, shape and device).
  std::vector<at::Tensor> execute(std::vector<at::Tensor> inputs);
  //! Whether the inputs' count, ranks and sizes are ones the engine takes: its static dims, and its first profile's
  //! range where dynamic. (A partitioned module asks before an engine whose range its shape analysis may not have
  //! covered, and runs the engine's TorchScript instead when not.)
  bool acceptsShapes(const std::vector<at::Tensor>& inputs) const;
  //! Layer table of the engine (the inspector).
  std::string layerInfo() const;
  std::string layerInfoJson() const;
  int64_t numLayers() const { return engine_->getNbLayers(); }
  //! Calls that replayed a captured CUDA graph (the replay made while loading not counted).
  int64_t cudaGraphLaunches() const { return context_->getCudaGraphLaunches() - prepared_launches_; }
  std::string toStr() const;
  //! Per-layer profiling (torch_tensorrt.runtime.profile): while on, every call times each layer
  //! (GPU engines then wait for each call's end and never replay a CUDA graph). Turning it on clears
  //! earlier times.
  void enableProfiling(bool enabled);
  bool profiling() const { return profiling_; }
  //! The layers timed since profiling was turned on, in first-run order: names, calls, total ms.
  std::tuple<std::vector<std::string>, std::vector<int64_t>, std::vector<double>> layerTimes();

  std::string name;
  std::string device_info;
  std::vector<std::string> input_names;
  std::vector<std::string> output_names;

 private:
  //! Loads a plan read by reference (its weights copied into the engine).
  void load(const std::string& plan);
  //! Loads a plan the engine keeps (its large weights used in place).
  void load(std::shared_ptr<const std::string> plan);
  //! Refuses binding lists that name an engine input or output twice, leave one out, or name none.
  void checkBindingNames() const;
  //! A GPU engine runs on zeros of its inputs' shapes (the first profile's optimal ones where dynamic) while
  //! loading, so that what a first call pays once per process (cuBLAS and cuDNN handles, kernel modules, cuDNN
  //! plans built from the plan's choices, the memory arena) is paid then, as TensorRT's deserialization does;
  //! where its inputs and outputs are small (kPreparedGraphMaxBytes), through the CUDA graph buffers three
  //! times (run, capture, replay), so that calls of those shapes replay the captured graph from the first on
  //! (prepared_graph_). A run that fails (inputs whose zeros are no valid values) leaves that work to the first
  //! call.
  void prepareForFirstCall();
  //! Inputs of at most this many bytes (and outputs of twice that) get a graph prepared while loading: the
  //! copies through its buffers cost a few microseconds there, less than the launches a replay saves.
  static constexpr int64_t kPreparedGraphMaxBytes = int64_t(4) << 20;
  //! Whether a call of these inputs, outside CUDA graph mode, replays the graph prepared while loading: its
  //! shapes and device are those of the buffers that graph reads.
  bool replaysPreparedGraph(const std::vector<at::Tensor>& inputs) const;
  //! Refuses outputs larger than the memory cap or (on the host) the memory available.
  void checkOutputMemory(bool onGpu) const;
  std::unique_ptr<trt::IRuntime> runtime_;
  std::unique_ptr<trt::ICudaEngine> engine_;
  std::unique_ptr<trt::IExecutionContext> context_;
  std::mutex exec_mutex_;  // one context per engine; calls from several threads take turns
  // CUDA graph mode and the prepared graph: inputs are copied into these and outputs cloned from them, so the
  // bound addresses repeat and the context replays its captured graph. Reallocated when shapes change.
  std::vector<at::Tensor> graph_inputs_, graph_outputs_;
  // The graph captured while loading replays every call of the buffers' shapes, as torch.compile's
  // reduce-overhead mode replays its graphs through static input buffers: a loaded engine's first call costs
  // a replay, not one launch (and host-side cuDNN call) a layer. Dropped with the buffers by a call of
  // other shapes outside CUDA graph mode.
  bool prepared_graph_ = false;
  int64_t prepared_launches_ = 0;   // the context's replays while loading
  bool graph_stream_used_ = false;  // graph_stream_ names a stream (the default stream's handle is null)
  void* graph_stream_ = nullptr;    // the stream of the last call in CUDA graph mode
  // Sums the profiler's reports per layer name, in the order layers first ran.
  struct LayerTimes : trt::IProfiler {
    std::vector<std::string> names;
    std::vector<int64_t> calls;
    std::vector<double> totalMs;
    std::unordered_map<std::string, size_t> index;
    void reportLayerTime(const char* layerName, float ms) noexcept override;
  };
  LayerTimes layer_times_;
  bool profiling_ = false;
  bool preparing_through_buffers_ = false;  // prepareForFirstCall's runs of a small engine
};

//! CUDA graph mode for every engine in the process (Torch-TensorRT's runtime.set_cudagraphs_mode):
//! GPU engines replay a captured CUDA graph when a call's input shapes repeat.
void setCudagraphsMode(bool enabled);
bool getCudagraphsMode();

//! Once per process (the first engine's load calls it): the graph executor's one-time work at a graph's first
//! run (compiling autodiff's gradient scripts, ~25 ms) is paid there, not at a loaded engine module's first call
//! (executor_warmup.cpp).
void warmTorchScriptExecutor();

//! The op behind tensorrt::execute_engine.
std::vector<at::Tensor> executeEngine(std::vector<at::Tensor> inputs, c10::intrusive_ptr<TRTEngine> engine);
//! tensorrt::accepts_shapes: TRTEngine::acceptsShapes as an op.
bool acceptsShapes(const std::vector<at::Tensor>& inputs, const c10::intrusive_ptr<TRTEngine>& engine);

}  // namespace runtime
}  // namespace core
}  // namespace torch_tensorrt
