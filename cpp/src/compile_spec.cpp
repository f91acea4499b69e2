// CompileSpec::validate: the one place every compile option is checked. The Python bindings, the
// C++ API (compile, convert_method_to_trt_engine), torchtrtc and the dynamo path all call it, so
// each option has one refusal message: the option, the value given, and what is allowed.
#include <sstream>

#include "c10/util/Exception.h"
#include "torch_tensorrt/torch_tensorrt.h"

namespace torch_tensorrt {
namespace ts {

namespace {

// Refusals are ValueErrors: the value is wrong, not the library (Python sees ValueError).
[[noreturn]] void refuse(const std::string& message) { C10_THROW_ERROR(ValueError, message); }

#define REFUSE_UNLESS(cond, msg) \
  do {                           \
    if (!(cond)) {               \
      std::ostringstream ss_;    \
      ss_ << msg;                \
      refuse(ss_.str());         \
    }                            \
  } while (0)

const char* const kInputDtypes =
    "torch.float32, torch.float16, torch.bfloat16, torch.int32, torch.int64, torch.int8 or torch.bool";

void checkInput(const Input& in, const std::string& where) {
  const auto dtype = static_cast<DataType::Value>(in.dtype);
  REFUSE_UNLESS(dtype != DataType::kUnknown && dtype != DataType::kFP8,
                where << " has dtype " << dtypeName(in.dtype) << "; use " << kInputDtypes);
  REFUSE_UNLESS(in.tensor_domain.size() == 2 && in.tensor_domain[0] < in.tensor_domain[1],
                where << ".tensor_domain must be two numbers lo < hi (values are drawn from [lo, hi)), got "
                      << in.tensor_domain.size() << " number(s)"
                      << (in.tensor_domain.size() == 2 ? " [" + std::to_string(in.tensor_domain[0]) + ", " +
                                                             std::to_string(in.tensor_domain[1]) + ")"
                                                       : std::string()));
}

void checkSignature(const InputSignature& s, const std::string& where) {
  if (s.kind == InputSignature::Kind::kInput) return checkInput(s.input, where);
  for (size_t i = 0; i < s.elements.size(); ++i) checkSignature(s.elements[i], where + "[" + std::to_string(i) + "]");
}

bool isComputePrecision(DataType::Value p) {
  return p == DataType::kFloat || p == DataType::kHalf || p == DataType::kBFloat16 || p == DataType::kChar ||
         p == DataType::kFP8;
}

// One entry of layer_precisions: a key that names something, and a floating precision the build allows.
void checkLayerPrecision(const std::string& key, DataType::Value p, const std::set<DataType::Value>& enabled) {
  REFUSE_UNLESS(!key.empty(),
                "layer_precisions has an empty key; use an operator kind such as 'aten::softmax' or "
                "a pattern over layer names such as '*model.py:12:*'");
  const std::string entry = "layer_precisions['" + key + "']";
  REFUSE_UNLESS(p == DataType::kFloat || p == DataType::kHalf || p == DataType::kBFloat16,
                entry << " is " << dtypeName(p)
                      << "; layers are pinned to torch.float32, torch.float16 or torch.bfloat16 (INT8 and FP8 "
                         "come from enabled_precisions with scales)");
  REFUSE_UNLESS(p == DataType::kFloat || enabled.count(p), entry << " is " << dtypeName(p)
                                                                 << ", which enabled_precisions does not contain; add "
                                                                 << dtypeName(p) << " to enabled_precisions");
}

}  // namespace

std::string dtypeName(DataType t) {
  switch (static_cast<DataType::Value>(t)) {
    case DataType::kLong:
      return "torch.int64";
    case DataType::kDouble:
      return "torch.float64";
    case DataType::kFloat:
      return "torch.float32";
    case DataType::kHalf:
      return "torch.float16";
    case DataType::kChar:
      return "torch.int8";
    case DataType::kInt:
      return "torch.int32";
    case DataType::kBool:
      return "torch.bool";
    case DataType::kBFloat16:
      return "torch.bfloat16";
    case DataType::kFP8:
      return "torch.float8_e4m3fn";
    case DataType::kUnknown:
      break;
  }
  return "an unknown dtype";
}

void CompileSpec::validate() const {
  const auto& in = graph_inputs;
  REFUSE_UNLESS(in.inputs.empty() || in.input_signature.empty(),
                "inputs and input_signature are both given (" << in.inputs.size() << " and "
                                                              << in.input_signature.size()
                                                              << " entries); give either inputs or input_signature");
  for (size_t i = 0; i < in.inputs.size(); ++i) checkInput(in.inputs[i], "inputs[" + std::to_string(i) + "]");
  for (size_t i = 0; i < in.input_signature.size(); ++i)
    checkSignature(in.input_signature[i], "input_signature[" + std::to_string(i) + "]");

  REFUSE_UNLESS(!enabled_precisions.empty(),
                "enabled_precisions is empty; give at least one of torch.float32, torch.float16, torch.bfloat16, "
                "torch.int8 and torch.float8_e4m3fn");
  for (auto p : enabled_precisions)
    REFUSE_UNLESS(isComputePrecision(p), "enabled_precisions contains "
                                             << dtypeName(p)
                                             << ", which engines do not compute in; use torch.float32, torch.float16, "
                                                "torch.bfloat16, torch.int8 and torch.float8_e4m3fn");
  for (const auto& entry : layer_precisions) checkLayerPrecision(entry.first, entry.second, enabled_precisions);

  REFUSE_UNLESS(workspace_size >= 0,
                "workspace_size must be 0 (no limit) or a positive number of bytes, got " << workspace_size);
  REFUSE_UNLESS(num_avg_timing_iters >= 1,
                "num_avg_timing_iters must be at least 1 (timing measurements averaged "
                "per GPU tactic), got "
                    << num_avg_timing_iters);
  REFUSE_UNLESS(min_block_size >= 1, "min_block_size must be at least 1, got " << min_block_size);
  REFUSE_UNLESS(timing_cache_path.find('\0') == std::string::npos,
                "timing_cache_path must be a file path without NUL characters, got a string of "
                    << timing_cache_path.size() << " bytes");

  for (const auto& op : torch_executed_ops)
    REFUSE_UNLESS(op.find("::") != std::string::npos && op.find("::") > 0 && op.find("::") + 2 < op.size(),
                  "torch_executed_ops contains '" << op
                                                  << "', which is not an operator name; use the namespace::name form "
                                                     "such as 'aten::relu'");
  for (const auto& mod : torch_executed_modules)
    REFUSE_UNLESS(!mod.empty(),
                  "torch_executed_modules contains an empty name; use a module's qualified type name such as "
                  "'torchvision.models.resnet.BasicBlock'");

  REFUSE_UNLESS(device.device_type == Device::DeviceType::kGPU || device.device_type == Device::DeviceType::kCPU,
                "device type " << static_cast<int>(device.device_type) << " is not supported; use kGPU or kCPU");
  REFUSE_UNLESS(device.gpu_id >= 0, "device gpu_id must be 0 or more, got " << device.gpu_id);

  REFUSE_UNLESS(
      capability == EngineCapability::kSTANDARD,
      "capability " << (capability == EngineCapability::kSAFETY ? "kSAFETY" : "kDLA_STANDALONE") << " needs "
                    << (capability == EngineCapability::kSAFETY ? "a safety-certified runtime" : "NVIDIA DLA hardware")
                    << ", which this library does not target; use EngineCapability::kSTANDARD");
  REFUSE_UNLESS(!sparse_weights,
                "sparse_weights=true needs 2:4 structured-sparse kernels, which this build does not have; set it to "
                "false");
  REFUSE_UNLESS(!refit,
                "refit=true needs refittable engines (weights replaced after the build), which this build does not "
                "have; recompile to change weights, or set it to false");
  // disable_tf32, debug, require_full_compilation, truncate_long_and_double, allow_shape_tensors:
  // every value is valid. ptq_calibrator: any calibrator (or none) is valid.
}

}  // namespace ts
}  // namespace torch_tensorrt
