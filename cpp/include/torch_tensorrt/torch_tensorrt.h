// Public C++ API of Torch-TensorRT (TorchScript path).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "torch/custom_class.h"
#include "torch/script.h"
#include "trt/builder.h"

namespace torch_tensorrt {

//! Element types an engine input may have, and the precisions layers may compute in (kFP8: FP8 E4M3,
//! torch.float8_e4m3fn, a compute precision only, never an input type).
class DataType {
 public:
  enum Value : int8_t { kLong, kDouble, kFloat, kHalf, kChar, kInt, kBool, kBFloat16, kFP8, kUnknown };
  DataType() = default;
  constexpr DataType(Value t) : value(t) {}
  //! From a Torch scalar type (throws for types engines cannot take).
  DataType(c10::ScalarType t);
  operator Value() const { return value; }
  explicit operator bool() = delete;
  at::ScalarType toScalarType() const;

 private:
  Value value = kUnknown;
};

//! An engine input: a static shape, or a min/opt/max range for dynamic shapes, and a dtype.
//! Memory layout of an input binding: contiguous [N, C, H, W], or channels-last ([N, H, W, C] in
//! memory, a `torch.channels_last` tensor read without a copy).
enum class TensorFormat : int8_t { kContiguous, kChannelsLast };

struct Input {
  std::vector<int64_t> min_shape, opt_shape, max_shape, shape;
  DataType dtype = DataType::kFloat;
  TensorFormat format = TensorFormat::kContiguous;
  bool input_is_dynamic = false;
  //! Values of the inputs partial compilation generates to learn shapes between segments: [lo, hi).
  std::vector<double> tensor_domain = {0.0, 2.0};

  Input() = default;
  //! A static shape.
  Input(std::vector<int64_t> shape, DataType dtype = DataType::kFloat);
  //! A dynamic shape range; min <= opt <= max in every dimension.
  Input(std::vector<int64_t> min_shape, std::vector<int64_t> opt_shape, std::vector<int64_t> max_shape,
        DataType dtype = DataType::kFloat);
  //! The shape and dtype of an example tensor.
  Input(at::Tensor tensor);
};

//! One forward argument for input_signature: an Input, or a tuple or list of arguments.
struct InputSignature {
  enum class Kind : int8_t { kInput, kTuple, kList };
  Kind kind = Kind::kInput;
  Input input;
  std::vector<InputSignature> elements;
  InputSignature(Input in) : input(std::move(in)) {}
  //! A tuple argument (Tuple[Tensor, ...], nested tuples allowed).
  static InputSignature Tuple(std::vector<InputSignature> elements);
  //! A List[Tensor] argument.
  static InputSignature List(std::vector<InputSignature> elements);
};

//! Where an engine runs.
struct Device {
  enum class DeviceType : int8_t { kGPU, kCPU };
  //! kGPU runs on a CUDA GPU (falls back to the CPU backend with a warning when none is visible).
  DeviceType device_type = DeviceType::kGPU;
  int64_t gpu_id = 0;
  bool allow_gpu_fallback = false;
  Device() = default;
  Device(DeviceType t, int64_t id = 0) : device_type(t), gpu_id(id) {}
};

//! What engines may be built for (TensorRT's EngineCapability): kSTANDARD is every engine this
//! library builds; kSAFETY and kDLA_STANDALONE (safety-certified runtimes, NVIDIA DLA) are refused.
enum class EngineCapability : int8_t { kSTANDARD, kSAFETY, kDLA_STANDALONE };

//! Makes GPU `gpu_id` the current CUDA device of the calling thread (throws when it is not visible).
void set_device(const int gpu_id);

namespace ts {

//! Settings of one compilation.
struct CompileSpec {
  CompileSpec() = default;
  CompileSpec(std::vector<Input> inputs) { graph_inputs.inputs = std::move(inputs); }
  CompileSpec(std::vector<std::vector<int64_t>> fixed_sizes);

  struct GraphInputs {
    std::vector<Input> inputs;  //!< one tensor per forward argument
    //! Used instead of `inputs` when forward takes tuples or lists (needs partial compilation).
    std::vector<InputSignature> input_signature;
  } graph_inputs;
  //! Precisions layers may run in. kFP8 needs per-tensor scales (ptq_calibrator, or a quantization-aware
  //! model's fake-quantize nodes) and a CUDA GPU of compute capability 8.9 or newer.
  std::set<DataType::Value> enabled_precisions = {DataType::kFloat};
  //! Layers pinned to a precision (TensorRT's per-layer precision; docs/precision.md). A key is an
  //! operator kind ("aten::softmax": every layer its nodes convert to) or a pattern over layer names as
  //! the engine inspector shows them ("*model.py:12:*"; * matches any run of characters, ? one); the
  //! value is kFloat, or kHalf/kBFloat16 when enabled_precisions has it. An operator kind's entry wins
  //! over patterns; converters' own float32 layers (PyTorch's float32 accumulations) stay float32.
  std::map<std::string, DataType::Value> layer_precisions;
  //! Keep FP32 matrix work off TF32 tensor cores.
  bool disable_tf32 = false;
  //! Scratch memory one layer's GPU kernel may use, in bytes (0 = no limit; negative is refused).
  int64_t workspace_size = 0;
  //! Timing iterations per tactic (at least 1).
  int64_t num_avg_timing_iters = 1;
  //! A timing cache file: read before the build (when it exists) and rewritten after it, so a rebuild
  //! on the same GPU times nothing it timed before ("" = none; CUDA engines only).
  std::string timing_cache_path;
  //! Build with debug settings (every layer output observable).
  bool debug = false;
  //! Fail instead of running unconvertible ops in TorchScript (one engine for the whole forward).
  bool require_full_compilation = false;
  //! Shortest run of convertible nodes worth an engine; shorter runs stay in TorchScript.
  int64_t min_block_size = 3;
  //! Operators that run in TorchScript even where a converter exists ("aten::relu").
  std::vector<std::string> torch_executed_ops;
  //! Module types whose forward runs in TorchScript ("torchvision.models.resnet.BasicBlock").
  std::vector<std::string> torch_executed_modules;
  //! Let float64 tensors enter engines as float32 (engines hold no float64); a warning names each one.
  bool truncate_long_and_double = false;
  //! Target device of the engine.
  Device device;
  //! INT8 post-training calibration (with kChar in enabled_precisions): a calibrator from
  //! torch_tensorrt::ptq (make_int8_calibrator, make_int8_cache_calibrator) or your own
  //! trt::IInt8Calibrator. Not owned; it must outlive the compile call.
  trt::IInt8Calibrator* ptq_calibrator = nullptr;
  //! Engine capability; only kSTANDARD is built (others are refused with the reason).
  EngineCapability capability = EngineCapability::kSTANDARD;
  //! Refused when true: 2:4 structured-sparse kernels are not in this build.
  bool sparse_weights = false;
  //! Refused when true: refittable engines (weights replaced after the build) are not in this build.
  bool refit = false;
  //! Accepted either way: sizes of dynamic dimensions always become shape tensors here.
  bool allow_shape_tensors = false;

  //! The one check of every option (compile, convert_method_to_trt_engine, the Python bindings,
  //! torchtrtc and the dynamo path all call it): throws c10::ValueError naming the first option
  //! whose value is refused, the value, and what is allowed. Adding an option? See
  //! docs/compile_options.md ("Adding an option").
  void validate() const;
};

//! An engine dtype under its torch name ("torch.float16"), as validation messages spell it.
std::string dtypeName(DataType t);

//! Compiles `forward` into a module whose forward runs an engine.
torch::jit::Module compile(const torch::jit::Module& module, CompileSpec info);
//! Compiles a method into a serialized plan.
std::string convert_method_to_trt_engine(const torch::jit::Module& module, std::string method_name, CompileSpec info);
//! The engine inspector's JSON (as get_layer_info gives it) of the engine convert_method_to_trt_engine would build:
//! its layers as the builder's optimization passes leave them, without timing tactics or writing a plan. A GPU spec
//! needs no GPU here (a CUDA build previews the layers for sm_90): what a GPU engine will run, seen from any machine.
std::string describe_engine_layers(const torch::jit::Module& module, std::string method_name, CompileSpec info);
//! Wraps a serialized plan in a module whose forward runs it.
torch::jit::Module embed_engine_in_new_module(const std::string& engine,
                                              std::vector<std::string> input_binding_names = {},
                                              std::vector<std::string> output_binding_names = {});
//! The same, with the device the engine runs on (Torch-TensorRT's signature): a GPU engine on GPU
//! `device.gpu_id`, a CPU engine on the CPU; a device that does not match the plan's backend is refused.
torch::jit::Module embed_engine_in_new_module(const std::string& engine, Device device,
                                              std::vector<std::string> input_binding_names = {},
                                              std::vector<std::string> output_binding_names = {});
//! True when every op of the method has a converter or evaluator; logs the others.
bool check_method_operator_support(const torch::jit::Module& module, std::string method_name);

}  // namespace ts

//! Version, build settings and backends of this library.
std::string get_build_info();
//! Prints get_build_info() to stdout.
void dump_build_info();

namespace runtime {
//! CUDA graph mode for every GPU engine in the process: a call whose input shapes repeat replays
//! the engine's kernels as one captured CUDA graph (inputs copied in, outputs copied out).
void set_cudagraphs_mode(bool enabled);
//! Whether CUDA graph mode is on.
bool get_cudagraphs_mode();
}  // namespace runtime

namespace logging {
enum Level { kINTERNAL_ERROR = 0, kERROR = 1, kWARNING = 2, kINFO = 3, kDEBUG = 4, kGRAPH = 5 };
void set_reportable_log_level(Level level);
Level get_reportable_log_level();
}  // namespace logging

}  // namespace torch_tensorrt
