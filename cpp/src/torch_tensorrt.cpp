#include "torch_tensorrt/torch_tensorrt.h"

#include <iostream>
#include <sstream>

#include "c10/core/impl/DeviceGuardImplInterface.h"
#include "core/compiler.h"
#include "core/runtime/runtime.h"
#include "core/util/logging.h"
#include "core/util/macros.h"
#include "torch/cuda.h"
#include "torch/version.h"

namespace torch_tensorrt {

DataType::DataType(c10::ScalarType t) {
  switch (t) {
    case at::kLong:
      value = kLong;
      break;
    case at::kDouble:
      value = kDouble;
      break;
    case at::kFloat:
      value = kFloat;
      break;
    case at::kHalf:
      value = kHalf;
      break;
    case at::kBFloat16:
      value = kBFloat16;
      break;
    case at::kChar:
      value = kChar;
      break;
    case at::kInt:
      value = kInt;
      break;
    case at::kBool:
      value = kBool;
      break;
    default:
      TORCHTRT_THROW_ERROR("engines cannot take inputs of dtype " << c10::toString(t)
                                                                  << "; use float, half, int8, int32 or bool");
  }
}

at::ScalarType DataType::toScalarType() const {
  switch (value) {
    case kLong:
      return at::kLong;
    case kDouble:
      return at::kDouble;
    case kFloat:
      return at::kFloat;
    case kHalf:
      return at::kHalf;
    case kBFloat16:
      return at::kBFloat16;
    case kFP8:
      return at::kFloat8_e4m3fn;
    case kChar:
      return at::kChar;
    case kInt:
      return at::kInt;
    case kBool:
      return at::kBool;
    case kUnknown:
      break;
  }
  TORCHTRT_THROW_ERROR("unknown DataType");
}

namespace {
void checkShape(const std::vector<int64_t>& s, const char* what) {
  for (int64_t d : s)
    TORCHTRT_CHECK(
        d >= 0, "Input " << what << " has a negative dimension " << d << "; use min/opt/max shapes for dynamic dims");
}
}  // namespace

Input::Input(std::vector<int64_t> s, DataType t) : min_shape(s), opt_shape(s), max_shape(s), shape(s), dtype(t) {
  checkShape(s, "shape");
}

Input::Input(std::vector<int64_t> mn, std::vector<int64_t> op, std::vector<int64_t> mx, DataType t)
    : min_shape(mn), opt_shape(op), max_shape(mx), dtype(t) {
  TORCHTRT_CHECK(mn.size() == op.size() && op.size() == mx.size(),
                 "Input min_shape, opt_shape and max_shape must have the same rank (got "
                     << mn.size() << ", " << op.size() << ", " << mx.size() << ")");
  checkShape(mn, "min_shape");
  for (size_t i = 0; i < mn.size(); ++i) {
    TORCHTRT_CHECK(mn[i] <= op[i] && op[i] <= mx[i], "Input dimension " << i << ": min " << mn[i] << " <= opt " << op[i]
                                                                        << " <= max " << mx[i] << " does not hold");
    if (mn[i] != mx[i]) input_is_dynamic = true;
  }
  shape = op;
  if (input_is_dynamic)
    for (size_t i = 0; i < mn.size(); ++i)
      if (mn[i] != mx[i]) shape[i] = -1;
}

Input::Input(at::Tensor t) : Input(t.sizes().vec(), DataType(t.scalar_type())) {}

InputSignature InputSignature::Tuple(std::vector<InputSignature> elements) {
  InputSignature s(Input{});
  s.kind = Kind::kTuple;
  s.elements = std::move(elements);
  return s;
}

InputSignature InputSignature::List(std::vector<InputSignature> elements) {
  InputSignature s(Input{});
  s.kind = Kind::kList;
  s.elements = std::move(elements);
  return s;
}

namespace ts {

CompileSpec::CompileSpec(std::vector<std::vector<int64_t>> fixed_sizes) {
  for (auto& s : fixed_sizes) graph_inputs.inputs.emplace_back(s);
}

namespace {
// Flattens a signature into the leaves' Inputs (in order) and the structure that packs them.
core::partitioning::ArgumentStructure flatten(const InputSignature& sig, std::vector<Input>* leaves) {
  core::partitioning::ArgumentStructure s;
  if (sig.kind == InputSignature::Kind::kInput) {
    s.flat_index = leaves->size();
    leaves->push_back(sig.input);
    return s;
  }
  s.kind = sig.kind == InputSignature::Kind::kTuple ? core::partitioning::ArgumentStructure::Kind::kTuple
                                                    : core::partitioning::ArgumentStructure::Kind::kList;
  for (const auto& e : sig.elements) s.elements.push_back(flatten(e, leaves));
  return s;
}

// `preview`: the layers are only described (describe_engine_layers), so a GPU spec keeps the CUDA backend on a
// machine without that GPU.
core::CompileSpec toInternal(const CompileSpec& spec, bool preview = false) {
  spec.validate();  // the one check of every option; below only translates
  std::vector<core::conversion::InputRange> ranges;
  std::vector<core::partitioning::ArgumentStructure> signature;
  std::vector<Input> leaves = spec.graph_inputs.inputs;
  if (!spec.graph_inputs.input_signature.empty()) {
    for (const auto& arg : spec.graph_inputs.input_signature) signature.push_back(flatten(arg, &leaves));
  }
  for (const Input& in : leaves) {
    core::conversion::InputRange r;
    r.min = in.min_shape;
    r.opt = in.opt_shape;
    r.max = in.max_shape;
    r.dtype = in.dtype.toScalarType();
    r.domain_lo = in.tensor_domain[0];
    r.domain_hi = in.tensor_domain[1];
    r.channels_last = in.format == TensorFormat::kChannelsLast;
    ranges.push_back(r);
  }
  core::CompileSpec internal(ranges);
  internal.input_signature = signature;
  auto& s = internal.convert_info.engine_settings;
  s.enabled_precisions.clear();
  for (auto p : spec.enabled_precisions) s.enabled_precisions.insert(DataType(p).toScalarType());
  for (const auto& entry : spec.layer_precisions)
    s.layer_precisions[entry.first] = DataType(entry.second).toScalarType();
  s.backend = trt::Backend::kCPU;
  internal.device_info = "cpu";
  if (spec.device.device_type == Device::DeviceType::kGPU) {
    if (!trt::hasCudaBackend()) {
      LOG_WARNING("the GPU was requested but this build has no CUDA backend; building for the CPU backend");
    } else if (!preview && static_cast<int64_t>(torch::cuda::device_count()) <= spec.device.gpu_id) {
      LOG_WARNING("the GPU was requested but GPU " << spec.device.gpu_id
                                                   << " is not visible; building for the CPU backend");
    } else {
      s.backend = trt::Backend::kCUDA;
      internal.device_info = "cuda:" + std::to_string(spec.device.gpu_id);
    }
  }
  s.gpu_id = spec.device.gpu_id;
  s.disable_tf32 = spec.disable_tf32;
  s.debug = spec.debug;
  s.workspace_size = spec.workspace_size;
  s.num_avg_timing_iters = spec.num_avg_timing_iters;
  s.timing_cache_path = spec.timing_cache_path;
  s.truncate_long_and_double = spec.truncate_long_and_double;
  s.calibrator = spec.ptq_calibrator;
  // allow_shape_tensors: sizes of dynamic dimensions always become shape tensors here (the engine
  // evaluates them on the host), so either value compiles the same engine.
  auto& p = internal.partitioning_info;
  p.enabled = !spec.require_full_compilation;
  p.min_block_size = static_cast<uint64_t>(spec.min_block_size);
  p.forced_fallback_operators.insert(spec.torch_executed_ops.begin(), spec.torch_executed_ops.end());
  p.forced_fallback_modules.insert(spec.torch_executed_modules.begin(), spec.torch_executed_modules.end());
  p.truncate_long_and_double = spec.truncate_long_and_double;
  return internal;
}
}  // namespace

torch::jit::Module compile(const torch::jit::Module& module, CompileSpec info) {
  return core::CompileGraph(module, toInternal(info));
}

std::string convert_method_to_trt_engine(const torch::jit::Module& module, std::string method_name, CompileSpec info) {
  return core::ConvertGraphToTRTEngine(module, method_name, toInternal(info));
}

std::string describe_engine_layers(const torch::jit::Module& module, std::string method_name, CompileSpec info) {
  return core::DescribeGraphEngine(module, method_name, toInternal(info, true));
}

namespace {
torch::jit::Module embed(const std::string& engine, const Device* requested, std::vector<std::string> input_names,
                         std::vector<std::string> output_names) {
  std::unique_ptr<trt::IRuntime> rt(trt::createInferRuntime(core::util::logging::engineLogger()));
  std::unique_ptr<trt::ICudaEngine> e;
  try {
    e.reset(rt->deserializeCudaEngine(engine.data(), engine.size()));
  } catch (const trt::Error& err) {
    TORCHTRT_THROW_ERROR("cannot embed the engine: " << err.what());
  }
  if (input_names.empty() && output_names.empty()) {
    // Default binding names: the plan's own I/O names in order (input_i / output_i from the compiler).
    for (int i = 0; i < e->getNbIOTensors(); ++i) {
      const char* n = e->getIOTensorName(i);
      (e->getTensorIOMode(n) == trt::TensorIOMode::kINPUT ? input_names : output_names).push_back(n);
    }
  }
  const bool gpuPlan = e->getBackend() == trt::Backend::kCUDA;
  std::string device = gpuPlan ? "cuda:0" : "cpu";
  if (requested) {
    const bool gpuRequested = requested->device_type == Device::DeviceType::kGPU;
    TORCHTRT_CHECK(gpuRequested == gpuPlan, "the engine was built for the " << (gpuPlan ? "cuda" : "cpu")
                                                                            << " backend but the device given is "
                                                                            << (gpuRequested ? "a GPU" : "the CPU")
                                                                            << "; pass the device it was built for");
    if (gpuPlan) device = "cuda:" + std::to_string(requested->gpu_id);
  }
  return core::EmbedEngineInNewModule(
      engine, device, input_names, output_names,
      output_names.size() == 1 ? core::OutputStructure::kSingle : core::OutputStructure::kTuple);
}
}  // namespace

torch::jit::Module embed_engine_in_new_module(const std::string& engine, std::vector<std::string> input_names,
                                              std::vector<std::string> output_names) {
  return embed(engine, nullptr, std::move(input_names), std::move(output_names));
}

torch::jit::Module embed_engine_in_new_module(const std::string& engine, Device device,
                                              std::vector<std::string> input_names,
                                              std::vector<std::string> output_names) {
  return embed(engine, &device, std::move(input_names), std::move(output_names));
}

bool check_method_operator_support(const torch::jit::Module& module, std::string method_name) {
  return core::CheckMethodOperatorSupport(module, method_name);
}

}  // namespace ts

void set_device(const int gpu_id) {
  const int64_t count = static_cast<int64_t>(torch::cuda::device_count());
  TORCHTRT_CHECK(gpu_id >= 0 && gpu_id < count, "set_device(" << gpu_id << "): " << count
                                                              << " CUDA GPU(s) are visible; pass an id from 0 to "
                                                              << count - 1);
  c10::impl::getDeviceGuardImpl(c10::kCUDA)->setDevice(c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(gpu_id)));
}

std::string get_build_info() {
  std::stringstream ss;
  ss << "Torch-TensorRT version: 0.1.0\n";
  ss << "Engine: own (TensorRT-shaped API), plan format " << trt::planFormatVersion() << "\n";
  ss << "Backends: cpu";
#ifdef TORCHTRT_WITH_CUDA
  ss << ", cuda";
#endif
  ss << "\nLibtorch: " << TORCH_VERSION << "\n";
  return ss.str();
}

void dump_build_info() { std::cout << get_build_info() << std::endl; }

namespace runtime {
void set_cudagraphs_mode(bool enabled) { core::runtime::setCudagraphsMode(enabled); }
bool get_cudagraphs_mode() { return core::runtime::getCudagraphsMode(); }
}  // namespace runtime

namespace logging {
void set_reportable_log_level(Level level) {
  core::util::logging::setReportableLogLevel(static_cast<core::util::logging::LogLevel>(level));
}
Level get_reportable_log_level() { return static_cast<Level>(core::util::logging::getReportableLogLevel()); }
}  // namespace logging

}  // namespace torch_tensorrt
