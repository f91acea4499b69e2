// torchtrtc: compiles a saved TorchScript module into one with an embedded engine.
#include <cstdio>
#include <fstream>
#include <iostream>

#include "core/conversion/converters/converters.h"
#include "core/conversion/evaluators/evaluators.h"
#include "torch_tensorrt/torch_tensorrt.h"
#include "torchtrtc/parse_args.h"

namespace {

// Writes to a temporary file beside the target, then renames: no half-written output on failure.
template <typename WriteFn>
void writeAtomically(const std::string& path, WriteFn write) {
  std::string tmp = path + ".partial";
  try {
    write(tmp);
  } catch (...) {
    std::remove(tmp.c_str());
    throw;
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw std::runtime_error("cannot write output file '" + path + "' (check that its folder exists and is writable)");
  }
}

int run(const torchtrtc::Options& o) {
  if (o.show_help) {
    std::cout << torchtrtc::usage();
    return 0;
  }
  if (o.show_supported_ops) {
    for (const auto& s : torch_tensorrt::core::conversion::converters::get_converter_list()) std::cout << s << "\n";
    for (const auto& s : torch_tensorrt::core::conversion::evaluators::getEvaluatorList())
      std::cout << s << " (evaluator)\n";
    return 0;
  }
  if (o.verbosity >= 0)
    torch_tensorrt::logging::set_reportable_log_level(static_cast<torch_tensorrt::logging::Level>(o.verbosity));
  torch::jit::Module mod;
  try {
    mod = torch::jit::load(o.input_path);
  } catch (const std::exception& e) {
    std::cerr << "torchtrtc: cannot load '" << o.input_path
              << "' as a TorchScript module: " << std::string(e.what()).substr(0, std::string(e.what()).find('\n'))
              << "\n";
    return 1;
  }
  if (o.check_method_support) {
    bool ok = torch_tensorrt::ts::check_method_operator_support(mod, o.method);
    std::cout << (ok ? "The method is supported end to end\n"
                     : "The method is not supported end to end (see the list above)\n");
    return ok ? 0 : 1;
  }
  torch_tensorrt::ts::CompileSpec spec(o.inputs);
  if (!o.precisions.empty()) {
    spec.enabled_precisions.clear();
    for (const auto& p : o.precisions)
      spec.enabled_precisions.insert(p[0] == 'f' && p != "float" && p != "f32" && p != "float32"
                                         ? torch_tensorrt::DataType::kHalf
                                         : torch_tensorrt::DataType::kFloat);
  }
  spec.disable_tf32 = o.disable_tf32;
  spec.require_full_compilation = o.require_full_compilation;
  spec.min_block_size = o.min_block_size;
  spec.torch_executed_ops = o.torch_executed_ops;
  spec.torch_executed_modules = o.torch_executed_modules;
  spec.truncate_long_and_double = o.truncate_long_and_double;
  spec.device = torch_tensorrt::Device(
      o.device_type == "cpu" ? torch_tensorrt::Device::DeviceType::kCPU : torch_tensorrt::Device::DeviceType::kGPU,
      o.gpu_id);
  if (o.save_engine) {
    std::string plan = torch_tensorrt::ts::convert_method_to_trt_engine(mod, o.method, spec);
    writeAtomically(o.output_path, [&](const std::string& tmp) {
      std::ofstream out(tmp, std::ios::binary);
      if (!out) throw std::runtime_error("cannot write output file '" + o.output_path + "'");
      out.write(plan.data(), static_cast<std::streamsize>(plan.size()));
      if (!out) throw std::runtime_error("failed writing '" + o.output_path + "'");
    });
  } else {
    auto compiled = torch_tensorrt::ts::compile(mod, spec);
    writeAtomically(o.output_path, [&](const std::string& tmp) { compiled.save(tmp); });
  }
  std::cout << "Saved " << (o.save_engine ? "engine" : "compiled module") << " to " << o.output_path << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    return run(torchtrtc::parse(args));
  } catch (const torchtrtc::UsageError& e) {
    std::cerr << "torchtrtc: " << e.what() << "\n" << torchtrtc::usage();
    return 2;
  } catch (const c10::Error& e) {
    std::cerr << "torchtrtc: " << e.what_without_backtrace() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "torchtrtc: " << e.what() << "\n";
    return 1;
  }
}
