#include "torchtrtc/parse_args.h"

#include <sstream>

namespace torchtrtc {

namespace {
std::vector<int64_t> parseShape(const std::string& text, const std::string& spec) {
  std::string s = text;
  if (s.size() < 2 || s.front() != '(' || s.back() != ')')
    throw UsageError("input spec '" + spec + "': shape '" + text + "' must be written as (d0,d1,...)");
  s = s.substr(1, s.size() - 2);
  std::vector<int64_t> dims;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    try {
      size_t used = 0;
      long long v = std::stoll(item, &used);
      if (used != item.size() || v < 0) throw std::invalid_argument(item);
      dims.push_back(v);
    } catch (const std::exception&) {
      throw UsageError("input spec '" + spec + "': '" + item + "' is not a non-negative integer dimension");
    }
  }
  return dims;
}

torch_tensorrt::DataType parseDtype(const std::string& d, const std::string& spec) {
  if (d == "f32" || d == "float" || d == "float32") return torch_tensorrt::DataType::kFloat;
  if (d == "f16" || d == "half" || d == "float16") return torch_tensorrt::DataType::kHalf;
  if (d == "bf16" || d == "bfloat16") return torch_tensorrt::DataType::kBFloat16;
  if (d == "i32" || d == "int32") return torch_tensorrt::DataType::kInt;
  if (d == "i8" || d == "int8") return torch_tensorrt::DataType::kChar;
  if (d == "i64" || d == "int64" || d == "long") return torch_tensorrt::DataType::kLong;
  if (d == "b" || d == "bool") return torch_tensorrt::DataType::kBool;
  throw UsageError("input spec '" + spec + "': unknown dtype '" + d + "' (use f32, f16, bf16, i32, i64, i8 or bool)");
}
int64_t parseCount(const std::string& flag, const std::string& v, int64_t smallest) {
  try {
    size_t used = 0;
    long long n = std::stoll(v, &used);
    if (used != v.size() || n < smallest) throw std::invalid_argument(v);
    return n;
  } catch (const std::exception&) {
    throw UsageError(flag + " must be an integer >= " + std::to_string(smallest) + ", got '" + v + "'");
  }
}
}  // namespace

torch_tensorrt::Input parseInputSpec(const std::string& spec) {
  std::string shapes = spec, dtype, format;
  auto pct = shapes.find('%');
  if (pct != std::string::npos) {
    format = shapes.substr(pct + 1);
    shapes = shapes.substr(0, pct);
    if (format != "contiguous" && format != "linear" && format != "nchw" && format != "channels_last" &&
        format != "nhwc")
      throw UsageError("input spec '" + spec + "': format '" + format +
                       "' is not supported (use contiguous or channels_last)");
  }
  auto at = shapes.find('@');
  if (at != std::string::npos) {
    dtype = shapes.substr(at + 1);
    shapes = shapes.substr(0, at);
  }
  auto type = dtype.empty() ? torch_tensorrt::DataType(torch_tensorrt::DataType::kFloat) : parseDtype(dtype, spec);
  const auto layout = format == "channels_last" || format == "nhwc" ? torch_tensorrt::TensorFormat::kChannelsLast
                                                                    : torch_tensorrt::TensorFormat::kContiguous;
  auto withFormat = [layout](torch_tensorrt::Input in) {
    in.format = layout;
    return in;
  };
  if (!shapes.empty() && shapes.front() == '[') {
    if (shapes.back() != ']')
      throw UsageError("input spec '" + spec + "': a range must be written as [(min);(opt);(max)]");
    std::string inner = shapes.substr(1, shapes.size() - 2);
    std::vector<std::string> parts;
    std::stringstream ss(inner);
    std::string item;
    while (std::getline(ss, item, ';')) parts.push_back(item);
    if (parts.size() != 3)
      throw UsageError("input spec '" + spec + "': a range needs exactly three shapes (min;opt;max)");
    try {
      return withFormat(torch_tensorrt::Input(parseShape(parts[0], spec), parseShape(parts[1], spec),
                                              parseShape(parts[2], spec), type));
    } catch (const c10::Error& e) {
      throw UsageError("input spec '" + spec + "': " + e.what_without_backtrace());
    }
  }
  return withFormat(torch_tensorrt::Input(parseShape(shapes, spec), type));
}

std::string usage() {
  return "usage: torchtrtc [options] input_file_path output_file_path [input_specs...]\n"
         "  input spec: \"(N,C,H,W)\" or \"[(min);(opt);(max)]@f16%channels_last\"\n"
         "options:\n"
         "  -h, --help                       show this help\n"
         "  -v, --verbose / -i, --info / -w, --warnings   log level\n"
         "  --check-method-support           only check that every op of the method converts\n"
         "  -p, --enabled-precision=<f32|f16|bf16|i8> allow a precision (repeatable; i8 needs a quantization-aware\n"
         "                                   model or --calibration-cache-file)\n"
         "  --calibration-cache-file=<file>  INT8 scales written by an earlier calibration (with -p i8)\n"
         "  --disable-tf32                   keep FP32 matrix work off TF32\n"
         "  --save-engine                    write the serialized engine instead of a TorchScript module\n"
         "  --layer-info=<file>              also write the engine inspector (layers, shapes, dtypes, fusions) as "
         "JSON\n"
         "  --device-type=<gpu|cpu>          where the engine runs (default gpu; cpu when no GPU is visible)\n"
         "  --gpu-id=<n>                     which GPU (default 0)\n"
         "  --require-full-compilation       fail unless the whole forward becomes one engine\n"
         "  --min-block-size=<n>             shortest run of convertible ops worth an engine (default 3)\n"
         "  --workspace-size=<bytes>         scratch one layer's GPU kernel may use (default 0: no limit)\n"
         "  --num-avg-timing-iters=<n>       timing measurements averaged per GPU tactic (default 1)\n"
         "  --torch-executed-op=<op>         run this op in TorchScript, e.g. aten::relu (repeatable)\n"
         "  --torch-executed-mod=<type>      run this module type in TorchScript (repeatable)\n"
         "  --truncate-long-double           let float64 tensors enter engines as float32\n"
         "  --allow-shape-tensors            shape tensors in engines (always on: accepted, changes nothing)\n"
         "  --sparse-weights                 2:4 sparse kernels (refused: not in this build)\n"
         "  --capability=<standard|safety|dla_standalone>  engine capability (only standard is built)\n"
         "  --custom-converters=<lib.so>     load a library of converters first (repeatable)\n"
         "  --custom-torch-ops=<lib.so>      load a library of TorchScript ops first (repeatable)\n"
         "  --embed-engine                   input is a serialized engine: write a module that runs it\n"
         "  --atol=<x> / --rtol=<x>          check the result against TorchScript on random inputs\n"
         "  --supported-ops                  list every converter and evaluator\n";
}

Options parse(const std::vector<std::string>& args) {
  Options o;
  std::vector<std::string> positional;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i];
    std::string value;
    auto eq = a.find('=');
    bool isLong = a.rfind("--", 0) == 0;
    if (isLong && eq != std::string::npos) {
      value = a.substr(eq + 1);
      a = a.substr(0, eq);
    }
    auto needValue = [&](const std::string& flag) {
      if (!value.empty()) return value;
      if (i + 1 >= args.size()) throw UsageError("flag " + flag + " needs a value");
      return args[++i];
    };
    if (a == "-h" || a == "--help")
      o.show_help = true;
    else if (a == "-v" || a == "--verbose")
      o.verbosity = 4;
    else if (a == "-i" || a == "--info")
      o.verbosity = 3;
    else if (a == "-w" || a == "--warnings")
      o.verbosity = 2;
    else if (a == "--check-method-support")
      o.check_method_support = true;
    else if (a == "--save-engine")
      o.save_engine = true;
    else if (a == "--disable-tf32")
      o.disable_tf32 = true;
    else if (a == "--supported-ops")
      o.show_supported_ops = true;
    else if (a == "--device-type") {
      o.device_type = needValue(a);
      if (o.device_type != "gpu" && o.device_type != "cpu")
        throw UsageError("--device-type must be gpu or cpu, got '" + o.device_type + "'");
    } else if (a == "--layer-info") {
      o.layer_info_path = needValue(a);
    } else if (a == "--gpu-id") {
      o.gpu_id = parseCount(a, needValue(a), 0);
    } else if (a == "--min-block-size") {
      o.min_block_size = parseCount(a, needValue(a), 1);
    } else if (a == "--workspace-size") {
      o.workspace_size = parseCount(a, needValue(a), 0);
    } else if (a == "--num-avg-timing-iters") {
      o.num_avg_timing_iters = parseCount(a, needValue(a), 1);
    } else if (a == "--require-full-compilation") {
      o.require_full_compilation = true;
    } else if (a == "--allow-shape-tensors") {
      o.allow_shape_tensors = true;
    } else if (a == "--sparse-weights") {
      o.sparse_weights = true;
    } else if (a == "--capability") {
      o.capability = needValue(a);
      if (o.capability != "standard" && o.capability != "safety" && o.capability != "dla_standalone")
        throw UsageError("--capability must be standard, safety or dla_standalone, got '" + o.capability + "'");
    } else if (a == "--truncate-long-double") {
      o.truncate_long_and_double = true;
    } else if (a == "--torch-executed-op") {
      o.torch_executed_ops.push_back(needValue(a));
    } else if (a == "--torch-executed-mod") {
      o.torch_executed_modules.push_back(needValue(a));
    } else if (a == "--custom-converters") {
      o.custom_converters.push_back(needValue(a));
    } else if (a == "--custom-torch-ops") {
      o.custom_torch_ops.push_back(needValue(a));
    } else if (a == "--embed-engine") {
      o.embed_engine = true;
    } else if (a == "--atol" || a == "--rtol") {
      std::string v = needValue(a);
      double t = -1;
      try {
        size_t used = 0;
        t = std::stod(v, &used);
        if (used != v.size() || !(t >= 0)) throw std::invalid_argument(v);
      } catch (const std::exception&) {
        throw UsageError(a + " must be a number >= 0, got '" + v + "'");
      }
      (a == "--atol" ? o.atol : o.rtol) = t;
    } else if (a == "--calibration-cache-file") {
      o.calibration_cache_file = needValue(a);
    } else if (a == "-p" || a == "--enabled-precision") {
      std::string p = needValue(a);
      if (p != "f32" && p != "float" && p != "float32" && p != "f16" && p != "half" && p != "float16" && p != "bf16" &&
          p != "bfloat16" && p != "i8" && p != "int8" && p != "char")
        throw UsageError("precision '" + p + "' is not available (use f32, f16, bf16 or i8)");
      o.precisions.push_back(p);
    } else if (a.size() > 1 && a[0] == '-' && !(a[1] == '(' || a[1] == '[')) {
      throw UsageError("unknown flag '" + args[i] + "'; run torchtrtc --help for the list of flags");
    } else {
      positional.push_back(args[i]);
    }
  }
  if (o.show_help || o.show_supported_ops) return o;
  bool int8 = false;
  for (const auto& p : o.precisions) int8 |= p == "i8" || p == "int8" || p == "char";
  if (!o.calibration_cache_file.empty() && !int8)
    throw UsageError("--calibration-cache-file gives INT8 scales; add -p i8 (INT8) to use them");
  if (positional.empty()) throw UsageError("missing input_file_path");
  o.input_path = positional[0];
  if (o.check_method_support) return o;
  if (positional.size() < 2) throw UsageError("missing output_file_path");
  o.output_path = positional[1];
  if (o.embed_engine) {
    if (o.save_engine) throw UsageError("--embed-engine and --save-engine go in opposite directions; give one");
    if (positional.size() > 2) throw UsageError("--embed-engine takes no input specs (the engine records its inputs)");
    return o;
  }
  for (size_t i = 2; i < positional.size(); ++i) o.inputs.push_back(parseInputSpec(positional[i]));
  if (o.inputs.empty()) throw UsageError("no input specs given; add one per graph input, e.g. \"(1,3,224,224)\"");
  return o;
}

}  // namespace torchtrtc
