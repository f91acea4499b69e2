// pybind11 bindings behind the torch_tensorrt Python package.
#include <torch/extension.h>

#include <optional>

#include "core/compiler.h"
#include "core/conversion/converters/converters.h"
#include "core/conversion/evaluators/evaluators.h"
#include "core/util/logging.h"
#include "torch_tensorrt/ptq.h"
#include "torch_tensorrt/torch_tensorrt.h"

namespace py = pybind11;

namespace {

// input_signature from Python: an int (index into "inputs") or ("tuple" | "list", [elements]).
torch_tensorrt::InputSignature signatureFrom(const py::handle& h, const std::vector<torch_tensorrt::Input>& inputs) {
  if (py::isinstance<py::int_>(h)) return torch_tensorrt::InputSignature(inputs.at(h.cast<size_t>()));
  auto [kind, elements] = h.cast<std::pair<std::string, py::list>>();
  std::vector<torch_tensorrt::InputSignature> out;
  for (const auto& e : elements) out.push_back(signatureFrom(e, inputs));
  return kind == "tuple" ? torch_tensorrt::InputSignature::Tuple(out) : torch_tensorrt::InputSignature::List(out);
}

// Settings arrive as a dict built by torch_tensorrt.ts._native_spec (keys are the keyword names).
torch_tensorrt::ts::CompileSpec makeSpec(const py::dict& d) {
  std::vector<torch_tensorrt::Input> ins;
  for (const auto& item : d["inputs"].cast<py::list>()) {
    auto [mn, op, mx, dtype, domain, format] =
        item.cast<std::tuple<std::vector<int64_t>, std::vector<int64_t>, std::vector<int64_t>, std::string,
                             std::vector<double>, std::string>>();
    c10::ScalarType t = dtype == "float32"    ? at::kFloat
                        : dtype == "float16"  ? at::kHalf
                        : dtype == "bfloat16" ? at::kBFloat16
                        : dtype == "int32"    ? at::kInt
                        : dtype == "int8"     ? at::kChar
                        : dtype == "bool"     ? at::kBool
                        : dtype == "int64"    ? at::kLong
                                              : at::kDouble;
    TORCHTRT_CHECK(
        t != at::kDouble,
        "Input dtype '" << dtype << "' is not supported (use float32, float16, bfloat16, int32, int64, int8 or bool)");
    ins.emplace_back(mn, op, mx, torch_tensorrt::DataType(t));
    ins.back().tensor_domain = domain;
    if (format == "channels_last") ins.back().format = torch_tensorrt::TensorFormat::kChannelsLast;
  }
  torch_tensorrt::ts::CompileSpec spec(ins);
  if (d.contains("input_signature") && !d["input_signature"].is_none()) {
    spec.graph_inputs.inputs.clear();
    for (const auto& arg : d["input_signature"].cast<py::list>())
      spec.graph_inputs.input_signature.push_back(signatureFrom(arg, ins));
  }
  spec.enabled_precisions.clear();
  for (const auto& p : d["enabled_precisions"].cast<std::vector<std::string>>()) {
    if (p == "float32")
      spec.enabled_precisions.insert(torch_tensorrt::DataType::kFloat);
    else if (p == "float16")
      spec.enabled_precisions.insert(torch_tensorrt::DataType::kHalf);
    else if (p == "bfloat16")
      spec.enabled_precisions.insert(torch_tensorrt::DataType::kBFloat16);
    else if (p == "int8")
      spec.enabled_precisions.insert(torch_tensorrt::DataType::kChar);
    else
      TORCHTRT_THROW_ERROR("enabled_precisions contains " << p
                                                          << ", which engines do not compute in (use torch.float, "
                                                             "torch.half, torch.bfloat16 and torch.int8)");
  }
  spec.capability = static_cast<torch_tensorrt::EngineCapability>(d["capability"].cast<int>());
  spec.sparse_weights = d["sparse_weights"].cast<bool>();
  spec.refit = d["refit"].cast<bool>();
  spec.allow_shape_tensors = d["allow_shape_tensors"].cast<bool>();
  if (d.contains("calibrator") && !d["calibrator"].is_none())
    spec.ptq_calibrator = d["calibrator"].cast<trt::IInt8Calibrator*>();
  spec.disable_tf32 = d["disable_tf32"].cast<bool>();
  spec.debug = d["debug"].cast<bool>();
  spec.workspace_size = d["workspace_size"].cast<uint64_t>();
  spec.num_avg_timing_iters = d["num_avg_timing_iters"].cast<uint64_t>();
  spec.require_full_compilation = d["require_full_compilation"].cast<bool>();
  spec.min_block_size = d["min_block_size"].cast<uint64_t>();
  spec.torch_executed_ops = d["torch_executed_ops"].cast<std::vector<std::string>>();
  spec.torch_executed_modules = d["torch_executed_modules"].cast<std::vector<std::string>>();
  spec.truncate_long_and_double = d["truncate_long_and_double"].cast<bool>();
  auto device_type = d["device_type"].cast<std::string>();
  TORCHTRT_CHECK(device_type == "cuda" || device_type == "cpu",
                 "device type '" << device_type << "' is not cuda or cpu");
  spec.device = torch_tensorrt::Device(
      device_type == "cuda" ? torch_tensorrt::Device::DeviceType::kGPU : torch_tensorrt::Device::DeviceType::kCPU,
      d["gpu_id"].cast<int64_t>());
  return spec;
}

}  // namespace

PYBIND11_MODULE(_C, m) {
  m.doc() = "Torch-TensorRT native bindings";
  m.def("compile_graph", [](const torch::jit::Module& mod, const py::dict& settings) {
    auto spec = makeSpec(settings);
    py::gil_scoped_release release;
    return torch_tensorrt::ts::compile(mod, spec);
  });
  m.def("convert_graph_to_trt_engine",
        [](const torch::jit::Module& mod, const std::string& method, const py::dict& settings) {
          auto spec = makeSpec(settings);
          std::string plan;
          {
            py::gil_scoped_release release;
            plan = torch_tensorrt::ts::convert_method_to_trt_engine(mod, method, spec);
          }
          return py::bytes(plan);
        });
  m.def("embed_engine_in_new_module",
        [](const py::bytes& engine, std::vector<std::string> input_names, std::vector<std::string> output_names,
           std::optional<std::pair<std::string, int64_t>> device) {
          if (!device)
            return torch_tensorrt::ts::embed_engine_in_new_module(std::string(engine), input_names, output_names);
          torch_tensorrt::Device d(device->first == "cuda" ? torch_tensorrt::Device::DeviceType::kGPU
                                                           : torch_tensorrt::Device::DeviceType::kCPU,
                                   device->second);
          return torch_tensorrt::ts::embed_engine_in_new_module(std::string(engine), d, input_names, output_names);
        });
  m.def("set_device", &torch_tensorrt::set_device);
  m.def("check_method_op_support", [](const torch::jit::Module& mod, const std::string& method) {
    return torch_tensorrt::ts::check_method_operator_support(mod, method);
  });
  m.def("unsupported_operators", [](const torch::jit::Module& mod, const std::string& method) {
    return torch_tensorrt::core::UnsupportedOperators(mod, method);
  });
  py::class_<trt::IInt8Calibrator>(m, "Int8Calibrator");
  m.def(
      "make_tensor_calibrator",
      [](std::vector<std::vector<at::Tensor>> batches, int algorithm, const std::string& cache_file, bool use_cache,
         bool cache_only) {
        TORCHTRT_CHECK(algorithm >= 0 && algorithm < trt::kCALIBRATION_ALGO_TYPE_COUNT,
                       "unknown calibration algorithm " << algorithm);
        return torch_tensorrt::ptq::make_tensor_calibrator(
            std::move(batches), static_cast<trt::CalibrationAlgoType>(algorithm), cache_file, use_cache, cache_only);
      },
      py::arg("batches"), py::arg("algorithm"), py::arg("cache_file"), py::arg("use_cache"), py::arg("cache_only"));
  m.def(
      "make_stream_calibrator",
      [](py::function next_batch, int algorithm, const std::string& cache_file, bool use_cache) {
        TORCHTRT_CHECK(algorithm >= 0 && algorithm < trt::kCALIBRATION_ALGO_TYPE_COUNT,
                       "unknown calibration algorithm " << algorithm);
        // Called by the builder with the GIL released (compile releases it): take it per batch.
        auto fn = std::make_shared<py::function>(std::move(next_batch));
        torch_tensorrt::ptq::BatchSource source = [fn](std::vector<at::Tensor>& batch) {
          py::gil_scoped_acquire gil;
          py::object result = (*fn)();
          if (result.is_none()) return false;
          batch = result.cast<std::vector<at::Tensor>>();
          return true;
        };
        return torch_tensorrt::ptq::make_source_calibrator(
            std::move(source), static_cast<trt::CalibrationAlgoType>(algorithm), cache_file, use_cache);
      },
      py::arg("next_batch"), py::arg("algorithm"), py::arg("cache_file"), py::arg("use_cache"));
  m.def("get_converter_list", &torch_tensorrt::core::conversion::converters::get_converter_list);
  m.def("get_converter_overrides", &torch_tensorrt::core::conversion::converters::get_converter_overrides);
  m.def("get_evaluator_list", &torch_tensorrt::core::conversion::evaluators::getEvaluatorList);
  m.def("get_build_info", &torch_tensorrt::get_build_info);
  m.def("has_cuda_backend", &trt::hasCudaBackend);
  m.def("get_layer_kinds", []() {
    std::vector<std::string> kinds;
    for (int32_t k = 0; k < trt::kLAYER_TYPE_COUNT; ++k)
      kinds.push_back(trt::layerTypeName(static_cast<trt::LayerType>(k)));
    return kinds;
  });
  m.def("set_reportable_log_level", [](int level) {
    torch_tensorrt::core::util::logging::set_reportable_log_level(
        static_cast<torch_tensorrt::core::util::logging::LogLevel>(level));
  });
  m.def("get_reportable_log_level",
        []() { return static_cast<int>(torch_tensorrt::core::util::logging::get_reportable_log_level()); });
  m.def("set_logger_prefix", &torch_tensorrt::core::util::logging::set_logger_prefix);
  m.def("set_is_colored_output_on", &torch_tensorrt::core::util::logging::set_is_colored_output_on);
}
