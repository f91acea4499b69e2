// Command-line parsing for torchtrtc (CLI11): every spelling of Torch-TensorRT's torchtrtc, input
// specs "(1,3,224,224)" and "[(min); (opt); (max)]@fp16%NHWC", with errors that name what was wrong.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "torch_tensorrt/torch_tensorrt.h"

namespace torchtrtc {

struct Options {
  std::string input_path, output_path;
  std::vector<torch_tensorrt::Input> inputs;
  std::vector<std::string> precisions;  // canonical: f32, f16, bf16, i8 or f8 (any accepted spelling maps to one)
  //! --layer-precision KEY=PRECISION: operator kind or layer name pattern, canonical precision.
  std::vector<std::pair<std::string, std::string>> layer_precisions;
  bool allow_shape_tensors = false;
  bool sparse_weights = false;
  std::string capability = "standard";
  std::string calibration_cache_file;  // INT8 scales of an earlier calibration (with -p i8)
  bool check_method_support = false;
  bool save_engine = false;
  bool disable_tf32 = false;
  bool debug = false;               // --build-debuggable-engine
  bool allow_gpu_fallback = false;  // DLA only upstream; recorded in the device
  std::string print_and_exit;       // --help / --version text: print it and exit 0
  bool show_supported_ops = false;
  int verbosity = -1;  // -1: default (warnings)
  std::string method = "forward";
  std::string device_type = "gpu";  // gpu falls back to the CPU backend (with a warning) when no GPU is visible
  bool device_given = false;        // -d or --gpu-id was on the command line
  int64_t gpu_id = 0;
  bool require_full_compilation = false;
  uint64_t min_block_size = 3;
  uint64_t workspace_size = 0;        // bytes one layer's kernel may use (0: no limit)
  uint64_t num_avg_timing_iters = 1;  // timing measurements averaged per tactic
  std::string timing_cache_path;      // --timing-cache-file: tactic timings reused across builds
  std::vector<std::string> torch_executed_ops, torch_executed_modules;
  bool truncate_long_and_double = false;
  std::vector<std::string> custom_converters, custom_torch_ops;  // shared libraries loaded first
  bool embed_engine = false;       // input file is a serialized engine to wrap in a module
  double atol = -1, rtol = -1;     // >= 0: check the compiled module against TorchScript
  std::string layer_info_path;     // non-empty: write the engine inspector's JSON there
  std::vector<std::string> notes;  // warnings about accepted flags that change nothing here
  // Analysis of a saved module or plan (no compile): --inspect [--json], --profile, --benchmark.
  bool inspect = false, json = false, profile = false, benchmark = false;
  int iterations = 100;  // timed runs of --profile / --benchmark
  int warmup = 10;       // untimed runs before them
};

//! Thrown for bad command lines; main prints the message and the usage line and exits with 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

//! Throws UsageError for a bad command line, std::runtime_error for a request this build cannot
//! serve (-d dla).
Options parse(const std::vector<std::string>& args);
torch_tensorrt::Input parseInputSpec(const std::string& spec);
//! Canonical precision name (f32, f16, bf16, i8, f8) of any accepted spelling; throws UsageError.
std::string canonicalPrecision(const std::string& name);
//! The short usage line printed after a command-line error.
std::string usage();
//! The full --help text: every flag and examples.
std::string help();

}  // namespace torchtrtc
