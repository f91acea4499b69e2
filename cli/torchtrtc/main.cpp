// torchtrtc: compiles a saved TorchScript module into one with an embedded engine.
#include <dlfcn.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "core/conversion/converters/converters.h"
#include "core/conversion/evaluators/evaluators.h"
#include "core/runtime/runtime.h"
#include "core/util/atomic_file.h"
#include "torch_tensorrt/ptq.h"
#include "torch_tensorrt/torch_tensorrt.h"
#include "torchtrtc/analyze.h"
#include "torchtrtc/parse_args.h"

namespace {

// Writes into a file created exclusively beside the target (mkstemp), then renames it into place: no
// half-written output on failure, and no write through a symlink planted at a predictable name.
void writeAtomically(const std::string& path, const std::function<void(std::ostream&)>& write) {
  torch_tensorrt::core::util::writeFileAtomically(path, write);
}

// Runs both modules on the same random inputs (the specs' opt shapes) and compares every output.
bool withinTolerance(torch::jit::Module& original, torch::jit::Module& compiled,
                     const std::vector<torch_tensorrt::Input>& specs, double atol, double rtol, std::string* report) {
  std::vector<c10::IValue> args;
  c10::Device device(c10::kCPU);  // where the module's weights are
  for (const auto& p : original.parameters()) {
    device = p.device();
    break;
  }
  for (const auto& s : specs) {
    const at::ScalarType type = s.dtype.toScalarType();
    at::Tensor t = at::isFloatingType(type) ? at::rand(s.opt_shape).to(type) : at::randint(0, 2, s.opt_shape).to(type);
    args.push_back(t.to(device));
  }
  auto flatten = [](const c10::IValue& v) {
    std::vector<at::Tensor> out;
    if (v.isTensor()) out.push_back(v.toTensor());
    if (v.isTuple())
      for (const auto& e : v.toTupleRef().elements()) out.push_back(e.toTensor());
    if (v.isTensorList())
      for (const auto& e : v.toTensorVector()) out.push_back(e);
    return out;
  };
  original.eval();
  auto expected = flatten(original.forward(args));
  auto actual = flatten(compiled.forward(args));
  if (expected.size() != actual.size()) {
    *report = std::to_string(actual.size()) + " outputs instead of " + std::to_string(expected.size());
    return false;
  }
  double worst = 0;
  bool ok = true;
  for (size_t i = 0; i < expected.size(); ++i) {
    auto e = expected[i].to(at::kCPU).to(at::kDouble), a = actual[i].to(at::kCPU).to(at::kDouble);
    if (e.sizes() != a.sizes()) {
      *report = "output " + std::to_string(i) + " has another shape";
      return false;
    }
    worst = std::max(worst, (a - e).abs().max().item<double>());
    ok &= at::allclose(a, e, rtol, atol);
  }
  std::ostringstream worstText;  // %g: a difference of 1e-7 read "0.000000" in std::to_string's fixed notation
  worstText << std::setprecision(3) << worst;
  *report = "max abs diff " + worstText.str() + " over " + std::to_string(expected.size()) + " output(s)";
  return ok;
}

torch_tensorrt::Device deviceOf(const torchtrtc::Options& o) {
  torch_tensorrt::Device device(
      o.device_type == "cpu" ? torch_tensorrt::Device::DeviceType::kCPU : torch_tensorrt::Device::DeviceType::kGPU,
      o.gpu_id);
  device.allow_gpu_fallback = o.allow_gpu_fallback;
  return device;
}

int run(const torchtrtc::Options& o) {
  if (!o.print_and_exit.empty()) {
    std::cout << o.print_and_exit;
    return 0;
  }
  for (const auto& note : o.notes) std::cerr << "torchtrtc: warning: " << note << "\n";
  if (o.show_supported_ops) {
    for (const auto& s : torch_tensorrt::core::conversion::converters::getConverterList()) std::cout << s << "\n";
    for (const auto& s : torch_tensorrt::core::conversion::evaluators::getEvaluatorList())
      std::cout << s << " (evaluator)\n";
    return 0;
  }
  for (const auto* libs : {&o.custom_torch_ops, &o.custom_converters}) {
    for (const auto& lib : *libs) {
      // Self-registering libraries: loading them registers their ops / converters.
      if (!dlopen(lib.c_str(), RTLD_NOW | RTLD_GLOBAL)) {
        std::cerr << "torchtrtc: cannot load '" << lib << "': " << dlerror() << "\n";
        return 1;
      }
    }
  }
  if (o.verbosity >= 0)
    torch_tensorrt::logging::set_reportable_log_level(static_cast<torch_tensorrt::logging::Level>(o.verbosity));
  if (o.inspect || o.profile || o.benchmark) return torchtrtc::analyze(o);
  if (o.embed_engine) {
    std::ifstream in(o.input_path, std::ios::binary);
    if (!in) {
      std::cerr << "torchtrtc: cannot read engine file '" << o.input_path << "'\n";
      return 1;
    }
    std::string plan((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // -d / --gpu-id name the device the engine must run on (the plan's backend is checked against it).
    auto wrapped = o.device_given ? torch_tensorrt::ts::embed_engine_in_new_module(plan, deviceOf(o))
                                  : torch_tensorrt::ts::embed_engine_in_new_module(plan);
    writeAtomically(o.output_path, [&](std::ostream& out) { wrapped.save(out); });
    std::cout << "Saved a module running the engine from " << o.input_path << " to " << o.output_path << "\n";
    return 0;
  }
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
  // Canonical names (parse_args.cpp) to the spec's types.
  auto precisionType = [](const std::string& p) {
    return p == "f16"    ? torch_tensorrt::DataType::kHalf
           : p == "bf16" ? torch_tensorrt::DataType::kBFloat16
           : p == "i8"   ? torch_tensorrt::DataType::kChar
           : p == "f8"   ? torch_tensorrt::DataType::kFP8
                         : torch_tensorrt::DataType::kFloat;
  };
  if (!o.precisions.empty()) {
    spec.enabled_precisions.clear();
    for (const auto& p : o.precisions) spec.enabled_precisions.insert(precisionType(p));
  }
  for (const auto& pin : o.layer_precisions) spec.layer_precisions[pin.first] = precisionType(pin.second);
  // -p i8 with a cache file: the scales come from the cache (a QAT model needs neither).
  std::unique_ptr<trt::IInt8Calibrator> calibrator;
  if (!o.calibration_cache_file.empty()) {
    calibrator = torch_tensorrt::ptq::make_tensor_calibrator({}, trt::CalibrationAlgoType::kENTROPY_CALIBRATION_2,
                                                             o.calibration_cache_file, true, true);
    spec.ptq_calibrator = calibrator.get();
  }
  spec.disable_tf32 = o.disable_tf32;
  spec.require_full_compilation = o.require_full_compilation;
  spec.min_block_size = o.min_block_size;
  spec.workspace_size = o.workspace_size;
  spec.num_avg_timing_iters = o.num_avg_timing_iters;
  spec.timing_cache_path = o.timing_cache_path;
  spec.torch_executed_ops = o.torch_executed_ops;
  spec.torch_executed_modules = o.torch_executed_modules;
  spec.truncate_long_and_double = o.truncate_long_and_double;
  spec.allow_shape_tensors = o.allow_shape_tensors;
  spec.sparse_weights = o.sparse_weights;
  spec.capability = o.capability == "safety"           ? torch_tensorrt::EngineCapability::kSAFETY
                    : o.capability == "dla_standalone" ? torch_tensorrt::EngineCapability::kDLA_STANDALONE
                                                       : torch_tensorrt::EngineCapability::kSTANDARD;
  spec.debug = o.debug;
  spec.device = deviceOf(o);
  spec.validate();  // the one check (compile runs it too): refuse a value before any build work
  // The inspector: a JSON list with one object per engine, in the module's attribute order.
  auto writeLayerInfo = [&](const std::vector<std::string>& engines) {
    if (o.layer_info_path.empty()) return;
    writeAtomically(o.layer_info_path, [&](std::ostream& out) {
      out << "[";
      for (size_t i = 0; i < engines.size(); ++i) out << (i ? ",\n" : "\n") << engines[i];
      out << "]\n";
      if (!out) throw std::runtime_error("failed writing '" + o.layer_info_path + "'");
    });
  };
  if (o.save_engine) {
    std::string plan = torch_tensorrt::ts::convert_method_to_trt_engine(mod, o.method, spec);
    {
      std::unique_ptr<trt::IRuntime> runtime(trt::createInferRuntime(trt::defaultLogger()));
      std::unique_ptr<trt::ICudaEngine> engine(runtime->deserializeCudaEngine(plan.data(), plan.size()));
      writeLayerInfo({engine->describeLayersJson()});
    }
    writeAtomically(o.output_path, [&](std::ostream& out) {
      out.write(plan.data(), static_cast<std::streamsize>(plan.size()));
      if (!out) throw std::runtime_error("failed writing '" + o.output_path + "'");
    });
  } else {
    auto compiled = torch_tensorrt::ts::compile(mod, spec);
    if (o.atol >= 0 || o.rtol >= 0) {
      const double atol = o.atol >= 0 ? o.atol : 1e-8, rtol = o.rtol >= 0 ? o.rtol : 1e-5;
      std::string report;
      if (!withinTolerance(mod, compiled, o.inputs, atol, rtol, &report)) {
        std::cerr << "torchtrtc: the compiled module differs from TorchScript beyond atol=" << atol << ", rtol=" << rtol
                  << ": " << report << "; nothing was written\n";
        return 1;
      }
      std::cout << "Accuracy check passed (atol=" << atol << ", rtol=" << rtol << "): " << report << "\n";
    }
    std::vector<std::string> engines;
    for (const auto& attr : compiled.named_attributes(/*recurse=*/true))
      if (attr.value.isCustomClass())
        engines.push_back(attr.value.toCustomClass<torch_tensorrt::core::runtime::TRTEngine>()->layerInfoJson());
    writeLayerInfo(engines);
    writeAtomically(o.output_path, [&](std::ostream& out) { compiled.save(out); });
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
