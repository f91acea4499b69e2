#include "torchtrtc/parse_args.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <sstream>

namespace torchtrtc {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

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

// Torch-TensorRT's dtype names (float, fp32, half, fp16, int, char, b, ...) and this project's.
torch_tensorrt::DataType parseDtype(const std::string& name, const std::string& spec) {
  const std::string d = lower(name);
  if (d == "f32" || d == "fp32" || d == "float" || d == "float32") return torch_tensorrt::DataType::kFloat;
  if (d == "f16" || d == "fp16" || d == "half" || d == "float16") return torch_tensorrt::DataType::kHalf;
  if (d == "bf16" || d == "bfloat16") return torch_tensorrt::DataType::kBFloat16;
  if (d == "i32" || d == "int" || d == "int32") return torch_tensorrt::DataType::kInt;
  if (d == "i8" || d == "int8" || d == "char") return torch_tensorrt::DataType::kChar;
  if (d == "i64" || d == "int64" || d == "long") return torch_tensorrt::DataType::kLong;
  if (d == "b" || d == "bool") return torch_tensorrt::DataType::kBool;
  throw UsageError("input spec '" + spec + "': unknown dtype '" + name +
                   "' (use f32, f16, bf16, i32, i64, i8 or bool; fp32, float, fp16, half, int, char are accepted too)");
}

torch_tensorrt::TensorFormat parseFormat(const std::string& name, const std::string& spec) {
  const std::string f = lower(name);
  if (f == "contiguous" || f == "linear" || f == "nchw" || f == "chw") return torch_tensorrt::TensorFormat::kContiguous;
  if (f == "channels_last" || f == "nhwc" || f == "hwc") return torch_tensorrt::TensorFormat::kChannelsLast;
  throw UsageError("input spec '" + spec + "': format '" + name +
                   "' is not supported (use contiguous or channels_last; linear, nchw, nhwc are accepted too)");
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

double parseTolerance(const std::string& flag, const std::string& v) {
  try {
    size_t used = 0;
    double t = std::stod(v, &used);
    if (used != v.size() || !(t >= 0)) throw std::invalid_argument(v);
    return t;
  } catch (const std::exception&) {
    throw UsageError(flag + " must be a number >= 0, got '" + v + "'");
  }
}

// Values as typed; checked after parsing so every error names the flag and the value.
struct Raw {
  bool verbose = false, info = false, warnings = false, version = false, strict_types = false, no_check = false;
  std::string check_method, device, gpu_id, capability, min_block_size, min_timing, avg_timing, workspace, max_batch,
      atol, rtol, threshold, input, output;
  std::string dla_core, dla_sram, dla_local_dram, dla_global_dram;
  std::vector<std::string> precisions, specs, layer_precisions;
};

const char* kExamples =
    "Examples:\n"
    "  torchtrtc model.ts model_trt.ts \"(1,3,224,224)\"\n"
    "  torchtrtc model.ts model_trt.ts \"[(1,3,300,300); (1,3,512,512); (1, 3, 1024, 1024)]@fp16%contiguous\" -p f16\n"
    "  torchtrtc model.ts model_trt.ts \"(3, 3, 32, 32)@f16%NHWC\" --enable-precision=fp16 -d gpu --gpu-id=0\n"
    "  torchtrtc model.ts model_trt.ts \"(1,3,224,224)\" --teo=aten::relu --tem=pkg.Block --mbs=1\n"
    "  torchtrtc model.ts model_trt.ts \"(1,3,224,224)\" --custom-torch-ops=libops.so --custom-converters=libconv.so\n"
    "  torchtrtc model.ts model.plan \"(1,3,224,224)\" --save-engine -d cpu --layer-info=layers.json\n"
    "  torchtrtc --embed-engine model.plan model_from_plan.ts\n"
    "  torchtrtc --check-method-support=forward model.ts\n"
    "  torchtrtc --inspect model_trt.ts            (or --inspect --json model.plan)\n"
    "  torchtrtc --profile --iterations=50 model_trt.ts\n"
    "  torchtrtc --benchmark model.plan\n"
    "\"--\" ends the flags: every later argument is a file or an input spec.\n"
    "Exit codes: 0 success, 1 the module, engine or accuracy check failed, 2 a bad command line.\n";

// Declares every flag; aliases are Torch-TensorRT's spellings (current and older releases).
void declare(CLI::App& app, Options& o, Raw& r) {
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.set_help_flag("-h,--help", "Print this help (every flag and examples) and exit");
  app.footer(kExamples);
  auto repeatable = [](CLI::Option* opt) {
    opt->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  };
  app.add_flag("--version", r.version, "Print the version, backends and libtorch of this build and exit");

  const std::string verbosity = "Verbosity (default: warnings and errors)";
  app.add_flag("-v,--verbose", r.verbose, "Debug messages about every compilation step")->group(verbosity);
  app.add_flag("-i,--i,--info", r.info, "Info messages (phases, engines built)")->group(verbosity);
  app.add_flag("-w,--warnings", r.warnings, "Errors only: warnings are not printed")->group(verbosity);

  const std::string build = "Building";
  repeatable(app.add_option("-p,--enable-precision,--enabled-precision", r.precisions,
                            "(Repeatable) A precision layers may run in: f32|fp32|float|float32, "
                            "f16|fp16|half|float16, bf16|bfloat16, i8|int8|char, fp8|f8|float8_e4m3fn (default "
                            "f32; i8 and fp8 need a quantization-aware model or --calibration-cache-file; "
                            "fp8 runs on GPUs of compute capability 8.9 or newer and is emulated on the CPU)")
                 ->type_name("PRECISION")
                 ->group(build));
  repeatable(app.add_option("--layer-precision", r.layer_precisions,
                            "(Repeatable) Pin layers to a precision: OP=PRECISION pins every layer of an operator "
                            "kind (aten::softmax=f32), PATTERN=PRECISION every layer whose name (as --inspect shows "
                            "it) matches the glob ('*model.py:12:*=f32'); f32, or f16/bf16 when -p enables it")
                 ->type_name("KEY=PRECISION")
                 ->group(build));
  app.add_option("-d,--device-type", r.device,
                 "Where engines run: gpu|cpu (default gpu, which falls back to cpu with a warning when no GPU "
                 "is visible); dla is refused (no NVIDIA DLA in this build)")
      ->type_name("TYPE")
      ->group(build);
  app.add_option("--gpu-id", r.gpu_id, "Which GPU (default 0)")->type_name("N")->group(build);
  app.add_option("--engine-capability,--capability", r.capability,
                 "standard|safety|dla_standalone (only standard is built; the others are refused)")
      ->type_name("CAPABILITY")
      ->group(build);
  app.add_option("--calibration-cache-file", o.calibration_cache_file,
                 "INT8/FP8 scales written by an earlier calibration (with -p i8 or -p fp8)")
      ->type_name("FILE")
      ->group(build);
  app.add_flag("--disable-tf32", o.disable_tf32, "Keep FP32 matrix work off TF32")->group(build);
  app.add_flag("--sparse-weights", o.sparse_weights, "2:4 sparse kernels (refused: not in this build)")->group(build);
  app.add_flag("--build-debuggable-engine", o.debug, "Build with debug settings (every layer output observable)")
      ->group(build);
  app.add_option("--workspace-size", r.workspace, "Scratch bytes one layer's GPU kernel may use (default 0: no limit)")
      ->type_name("BYTES")
      ->group(build);
  app.add_option("--num-avg-timing-iters", r.avg_timing, "Timing measurements averaged per GPU tactic (default 1)")
      ->type_name("N")
      ->group(build);
  app.add_option("--timing-cache-file", o.timing_cache_path,
                 "Tactic timings read before the build and rewritten after it (GPU engines; created when missing)")
      ->type_name("FILE")
      ->group(build);
  app.add_flag("--truncate-long-double,--truncate,--truncate-64bit", o.truncate_long_and_double,
               "Let float64/int64 tensors enter engines as float32/int32")
      ->group(build);
  app.add_flag("--allow-shape-tensors", o.allow_shape_tensors, "Shape tensors in engines (always on: accepted)")
      ->group(build);
  app.add_option("--layer-info", o.layer_info_path,
                 "Also write the engine inspector (layers, shapes, dtypes, fusions) as JSON")
      ->type_name("FILE")
      ->group(build);

  const std::string partial = "Partial compilation";
  app.add_flag("--require-full-compilation", o.require_full_compilation,
               "Fail unless the whole forward becomes one engine")
      ->group(partial);
  app.add_option("--mbs,--min-block-size", r.min_block_size,
                 "Shortest run of convertible ops worth an engine (default 3)")
      ->type_name("N")
      ->group(partial);
  repeatable(app.add_option("--teo,--torch-executed-op,--torch-executed-ops", o.torch_executed_ops,
                            "(Repeatable) Run this op in TorchScript, e.g. aten::relu")
                 ->type_name("OP")
                 ->group(partial));
  repeatable(app.add_option("--tem,--torch-executed-mod,--torch-executed-mods,--torch-executed-module",
                            o.torch_executed_modules, "(Repeatable) Run this module type in TorchScript")
                 ->type_name("TYPE")
                 ->group(partial));

  const std::string check = "Checks and other modes";
  app.add_flag("--check-method-support,--check-method-op-support,--check-support,--supported,--is-supported",
               r.check_method, "Only check that every op of the method converts (=METHOD; default forward)")
      ->type_name("[=METHOD]")
      ->group(check);
  app.add_option("--atol", r.atol, "Check the result against TorchScript on random inputs: absolute tolerance")
      ->type_name("X")
      ->group(check);
  app.add_option("--rtol", r.rtol, "The same check's relative tolerance (default 1e-5 when --atol is given)")
      ->type_name("X")
      ->group(check);
  app.add_option("-t,--threshold", r.threshold, "The same check with only an absolute tolerance (--atol=X --rtol=0)")
      ->type_name("X")
      ->group(check);
  app.add_flag("--no-threshold-check", r.no_check, "No accuracy check (the default unless --atol/--rtol/-t)")
      ->group(check);
  app.add_flag("--save-engine", o.save_engine, "Write the serialized engine instead of a TorchScript module")
      ->group(check);
  app.add_flag("--embed-engine", o.embed_engine, "The input is a serialized engine: write a module that runs it")
      ->group(check);
  repeatable(app.add_option("--custom-torch-ops", o.custom_torch_ops,
                            "(Repeatable) Load a library of TorchScript ops before loading the module")
                 ->type_name("LIB.so")
                 ->group(check));
  repeatable(app.add_option("--custom-converters", o.custom_converters,
                            "(Repeatable) Load a library of converters before compiling")
                 ->type_name("LIB.so")
                 ->group(check));
  app.add_flag("--supported-ops", o.show_supported_ops, "List every converter and evaluator and exit")->group(check);

  // Looking into a compiled module or plan instead of compiling (input_file_path only).
  const std::string analysis = "Inspect, profile or benchmark a saved module or engine (no compile)";
  app.add_flag("--inspect", o.inspect,
               "Print the engines' layers, fusions, precisions, tactics and activation memory and exit")
      ->group(analysis);
  app.add_flag("--json", o.json, "With --inspect: print the inspector's JSON (one object per engine)")->group(analysis);
  app.add_flag("--profile,--dump-profile,--dumpProfile", o.profile,
               "Run on random inputs and print each layer's time (trtexec --dumpProfile), then latency")
      ->group(analysis);
  app.add_flag("--benchmark", o.benchmark, "Run on random inputs and print latency percentiles and throughput")
      ->group(analysis);
  app.add_option("--iterations", o.iterations, "Timed runs of --profile / --benchmark (default 100)")
      ->type_name("N")
      ->check(CLI::PositiveNumber)
      ->group(analysis);
  app.add_option("--warmup", o.warmup, "Untimed runs before them (default 10)")
      ->type_name("N")
      ->check(CLI::NonNegativeNumber)
      ->group(analysis);

  // Accepted so that Torch-TensorRT command lines run unchanged; main warns that they do nothing.
  const std::string compat = "Accepted for Torch-TensorRT command lines (no effect here)";
  app.add_flag("--allow-gpu-fallback", o.allow_gpu_fallback, "DLA layers may fall back to the GPU")->group(compat);
  app.add_option("--dla-core", r.dla_core, "DLA core (with -d dla)")->type_name("N")->group(compat);
  app.add_option("--dla-sram-size", r.dla_sram, "DLA SRAM bytes (with -d dla)")->type_name("BYTES")->group(compat);
  app.add_option("--dla-local-dram-size", r.dla_local_dram, "DLA local DRAM bytes (with -d dla)")
      ->type_name("BYTES")
      ->group(compat);
  app.add_option("--dla-global-dram-size", r.dla_global_dram, "DLA global DRAM bytes (with -d dla)")
      ->type_name("BYTES")
      ->group(compat);
  app.add_flag("--use-strict-types", r.strict_types, "Older releases' strict precision flag")->group(compat);
  app.add_option("--num-min-timing-iter", r.min_timing, "Older releases' minimum timing iterations")
      ->type_name("N")
      ->group(compat);
  app.add_option("--max-batch-size", r.max_batch, "Older releases' implicit batch size")->type_name("N")->group(compat);

  app.add_option("input_file_path", r.input, "TorchScript module to compile (or, with --embed-engine, an engine)");
  app.add_option("output_file_path", r.output, "Compiled module (or, with --save-engine, engine) to write");
  app.add_option("input_specs", r.specs,
                 "One per forward input: \"(N,C,H,W)\" or \"[(min); (opt); (max)]\", optionally followed by "
                 "@dtype (f32, f16, bf16, i32, i64, i8, bool) and %format (contiguous, channels_last, NHWC); "
                 "spaces are allowed, e.g. \"(3, 3, 32, 32)@f16%NHWC\"")
      // One spec an argument: CLI11 would otherwise split a bracketed argument ("[(1,3);(4,3);(8,3)]") at its
      // commas as a list of values.
      ->allow_extra_args(false);
}

std::string removeSpaces(std::string s) {
  s.erase(std::remove_if(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c); }), s.end());
  return s;
}

}  // namespace

std::string canonicalPrecision(const std::string& name) {
  const std::string p = lower(name);
  if (p == "f32" || p == "fp32" || p == "float" || p == "float32") return "f32";
  if (p == "f16" || p == "fp16" || p == "half" || p == "float16") return "f16";
  if (p == "bf16" || p == "bfloat16") return "bf16";
  if (p == "i8" || p == "int8" || p == "char") return "i8";
  if (p == "f8" || p == "fp8" || p == "float8_e4m3fn" || p == "e4m3") return "f8";
  throw UsageError("precision '" + name +
                   "' is not available (use f32, f16, bf16, i8 or fp8; fp32, float, fp16, half, int8, char, "
                   "float8_e4m3fn are accepted too)");
}

torch_tensorrt::Input parseInputSpec(const std::string& original) {
  // Torch-TensorRT's own example writes "(1, 3, 1024, 1024)": spaces carry no meaning.
  const std::string spec = removeSpaces(original);
  std::string shapes = spec, dtype, format;
  // "@dtype" and "%format" may follow the shapes in either order.
  const auto cut = spec.find_first_of("@%");
  if (cut != std::string::npos) {
    shapes = spec.substr(0, cut);
    std::string rest = spec.substr(cut);
    while (!rest.empty()) {
      const char kind = rest[0];
      const auto next = rest.find_first_of("@%", 1);
      std::string value = rest.substr(1, next == std::string::npos ? std::string::npos : next - 1);
      (kind == '@' ? dtype : format) = value;
      rest = next == std::string::npos ? "" : rest.substr(next);
    }
  }
  const auto type =
      dtype.empty() ? torch_tensorrt::DataType(torch_tensorrt::DataType::kFloat) : parseDtype(dtype, original);
  const auto layout = format.empty() ? torch_tensorrt::TensorFormat::kContiguous : parseFormat(format, original);
  auto withFormat = [layout](torch_tensorrt::Input in) {
    in.format = layout;
    return in;
  };
  if (!shapes.empty() && shapes.front() == '[') {
    if (shapes.back() != ']')
      throw UsageError("input spec '" + original + "': a range must be written as [(min);(opt);(max)]");
    std::string inner = shapes.substr(1, shapes.size() - 2);
    std::vector<std::string> parts;
    std::stringstream ss(inner);
    std::string item;
    while (std::getline(ss, item, ';')) parts.push_back(item);
    if (parts.size() != 3)
      throw UsageError("input spec '" + original + "': a range needs exactly three shapes (min;opt;max)");
    try {
      return withFormat(torch_tensorrt::Input(parseShape(parts[0], original), parseShape(parts[1], original),
                                              parseShape(parts[2], original), type));
    } catch (const c10::Error& e) {
      throw UsageError("input spec '" + original + "': " + e.what_without_backtrace());
    }
  }
  try {
    return withFormat(torch_tensorrt::Input(parseShape(shapes, original), type));
  } catch (const c10::Error& e) {
    throw UsageError("input spec '" + original + "': " + e.what_without_backtrace());
  }
}

std::string usage() {
  return "usage: torchtrtc [OPTIONS] input_file_path output_file_path [input_specs...]\n"
         "Run torchtrtc --help for every flag and examples.\n";
}

std::string help() {
  CLI::App app(
      "torchtrtc compiles a saved TorchScript module into one whose forward runs optimized engines "
      "(or, with --save-engine, writes the engine itself).",
      "torchtrtc");
  Options o;
  Raw r;
  declare(app, o, r);
  return app.help();
}

Options parse(const std::vector<std::string>& args) {
  CLI::App app("torchtrtc", "torchtrtc");
  Options o;
  Raw r;
  declare(app, o, r);
  // Unknown flags are collected and reported with the project's wording instead of CLI11's.
  app.allow_extras(true);
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 consumes from the back
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    o.print_and_exit = help();
    return o;
  } catch (const CLI::ArgumentMismatch& e) {
    // CLI11 says "--mbs: 1 required N missing"; name the flag plainly.
    const std::string what = e.what();
    const auto colon = what.find(": ");
    if (what.find("required") != std::string::npos && what.find("missing") != std::string::npos &&
        colon != std::string::npos)
      throw UsageError("flag " + what.substr(0, colon) + " needs a value");
    throw UsageError(what);
  } catch (const CLI::ParseError& e) {
    throw UsageError(e.what());
  }
  for (const auto& extra : app.remaining()) {
    if (extra == "--") continue;  // with extras allowed, CLI11 keeps the end-of-flags mark here
    if (extra.size() > 1 && extra[0] == '-')
      throw UsageError("unknown flag '" + extra + "'; run torchtrtc --help for the list of flags");
    throw UsageError("unexpected argument '" + extra + "'");
  }
  if (r.version) {
    o.print_and_exit = "torchtrtc " + torch_tensorrt::get_build_info();
    return o;
  }
  if (r.verbose)
    o.verbosity = 4;
  else if (r.info)
    o.verbosity = 3;
  else if (r.warnings)
    o.verbosity = 1;  // Torch-TensorRT's -w: warnings off, errors only
  if (app.count("--check-method-support")) {
    o.check_method_support = true;
    // A bare flag stores CLI11's "true"; --check-method-support=NAME stores NAME.
    o.method = r.check_method.empty() || r.check_method == "true" ? "forward" : r.check_method;
  }
  if (!r.device.empty()) {
    o.device_type = lower(r.device);
    o.device_given = true;
    if (o.device_type == "dla")
      throw std::runtime_error(
          "-d dla: this build has no NVIDIA DLA backend; engines run on gpu or cpu (-d gpu, -d cpu)");
    if (o.device_type != "gpu" && o.device_type != "cpu")
      throw UsageError("--device-type must be gpu or cpu, got '" + r.device + "'");
  }
  if (!r.gpu_id.empty()) {
    o.gpu_id = parseCount("--gpu-id", r.gpu_id, 0);
    o.device_given = true;
  }
  if (!r.capability.empty()) {
    o.capability = lower(r.capability);
    if (o.capability != "standard" && o.capability != "safety" && o.capability != "dla_standalone")
      throw UsageError("--engine-capability must be standard, safety or dla_standalone, got '" + r.capability + "'");
  }
  if (!r.min_block_size.empty()) o.min_block_size = parseCount("--min-block-size", r.min_block_size, 1);
  if (!r.workspace.empty()) o.workspace_size = parseCount("--workspace-size", r.workspace, 0);
  if (!r.avg_timing.empty()) o.num_avg_timing_iters = parseCount("--num-avg-timing-iters", r.avg_timing, 1);
  if (!r.atol.empty()) o.atol = parseTolerance("--atol", r.atol);
  if (!r.rtol.empty()) o.rtol = parseTolerance("--rtol", r.rtol);
  if (!r.threshold.empty()) {
    o.atol = parseTolerance("--threshold", r.threshold);
    if (r.rtol.empty()) o.rtol = 0;
  }
  if (r.no_check) o.atol = o.rtol = -1;
  for (const auto& p : r.precisions) o.precisions.push_back(canonicalPrecision(p));
  for (const auto& entry : r.layer_precisions) {
    // The last '=' separates: a layer name pattern may contain '=' itself.
    const size_t eq = entry.rfind('=');
    if (eq == std::string::npos || eq == 0)
      throw UsageError("--layer-precision '" + entry +
                       "' must be KEY=PRECISION, such as aten::softmax=f32 or '*model.py:12:*=f32'");
    o.layer_precisions.emplace_back(entry.substr(0, eq), canonicalPrecision(entry.substr(eq + 1)));
  }
  for (const auto* dla : {&r.dla_core, &r.dla_sram, &r.dla_local_dram, &r.dla_global_dram})
    if (!dla->empty()) o.notes.push_back("the --dla-* settings apply to -d dla only; ignored");
  if (r.strict_types) o.notes.push_back("--use-strict-types (older releases) changes nothing here; ignored");
  if (!r.min_timing.empty())
    o.notes.push_back("--num-min-timing-iter (older releases) changes nothing here; use --num-avg-timing-iters");
  if (!r.max_batch.empty())
    o.notes.push_back("--max-batch-size (older releases) changes nothing here: the batch comes from the input specs");
  if (o.show_supported_ops) return o;

  const bool scaled = std::find(o.precisions.begin(), o.precisions.end(), "i8") != o.precisions.end() ||
                      std::find(o.precisions.begin(), o.precisions.end(), "f8") != o.precisions.end();
  if (!o.calibration_cache_file.empty() && !scaled)
    throw UsageError("--calibration-cache-file gives INT8/FP8 scales; add -p i8 (INT8) or -p fp8 to use them");
  if (r.input.empty()) throw UsageError("missing input_file_path");
  o.input_path = r.input;
  if (o.check_method_support) return o;
  if (o.json && !o.inspect) throw UsageError("--json goes with --inspect");
  if (o.inspect || o.profile || o.benchmark) {
    if (!r.output.empty() || !r.specs.empty())
      throw UsageError(
          "--inspect, --profile and --benchmark take only the module or engine file (they compile nothing)");
    return o;
  }
  if (r.output.empty()) throw UsageError("missing output_file_path");
  o.output_path = r.output;
  if (o.embed_engine) {
    if (o.save_engine) throw UsageError("--embed-engine and --save-engine go in opposite directions; give one");
    if (!r.specs.empty()) throw UsageError("--embed-engine takes no input specs (the engine records its inputs)");
    return o;
  }
  for (const auto& s : r.specs) o.inputs.push_back(parseInputSpec(s));
  if (o.inputs.empty()) throw UsageError("no input specs given; add one per graph input, e.g. \"(1,3,224,224)\"");
  return o;
}

}  // namespace torchtrtc
