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

using torch_tensorrt::DataType;
using torch_tensorrt::Device;
using torch_tensorrt::Input;
using torch_tensorrt::InputSignature;
using torch_tensorrt::ts::CompileSpec;

// The compile spec's types as Python classes: torch_tensorrt.ts._compile_spec.compile_spec fills a
// CompileSpec from compile()'s keyword arguments and CompileSpec.validate() checks it (the one check).
void bindCompileSpec(py::module_& m) {
  py::enum_<DataType::Value>(m, "DataType")
      .value("kLong", DataType::kLong)
      .value("kDouble", DataType::kDouble)
      .value("kFloat", DataType::kFloat)
      .value("kHalf", DataType::kHalf)
      .value("kChar", DataType::kChar)
      .value("kInt", DataType::kInt)
      .value("kBool", DataType::kBool)
      .value("kBFloat16", DataType::kBFloat16)
      .value("kFP8", DataType::kFP8)
      .value("kUnknown", DataType::kUnknown);
  py::enum_<torch_tensorrt::TensorFormat>(m, "TensorFormat")
      .value("kContiguous", torch_tensorrt::TensorFormat::kContiguous)
      .value("kChannelsLast", torch_tensorrt::TensorFormat::kChannelsLast);
  py::enum_<torch_tensorrt::EngineCapability>(m, "EngineCapability")
      .value("kSTANDARD", torch_tensorrt::EngineCapability::kSTANDARD)
      .value("kSAFETY", torch_tensorrt::EngineCapability::kSAFETY)
      .value("kDLA_STANDALONE", torch_tensorrt::EngineCapability::kDLA_STANDALONE);

  // Shapes are read-only: the constructor checks them (rank, min <= opt <= max, no negative dim).
  py::class_<Input>(m, "Input")
      .def(py::init([](std::vector<int64_t> mn, std::vector<int64_t> op, std::vector<int64_t> mx, DataType::Value t) {
             return Input(std::move(mn), std::move(op), std::move(mx), DataType(t));
           }),
           py::arg("min_shape"), py::arg("opt_shape"), py::arg("max_shape"), py::arg("dtype"))
      .def_readonly("min_shape", &Input::min_shape)
      .def_readonly("opt_shape", &Input::opt_shape)
      .def_readonly("max_shape", &Input::max_shape)
      .def_property(
          "dtype", [](const Input& in) { return static_cast<DataType::Value>(in.dtype); },
          [](Input& in, DataType::Value t) { in.dtype = DataType(t); })
      .def_readwrite("format", &Input::format)
      .def_readwrite("tensor_domain", &Input::tensor_domain);

  py::class_<InputSignature>(m, "InputSignature")
      .def(py::init<Input>())
      .def_static("Tuple", &InputSignature::Tuple)
      .def_static("List", &InputSignature::List);

  py::class_<Device> device(m, "Device");
  py::enum_<Device::DeviceType>(device, "DeviceType")
      .value("kGPU", Device::DeviceType::kGPU)
      .value("kCPU", Device::DeviceType::kCPU);
  device.def(py::init<Device::DeviceType, int64_t>(), py::arg("device_type"), py::arg("gpu_id") = 0)
      .def_readwrite("device_type", &Device::device_type)
      .def_readwrite("gpu_id", &Device::gpu_id)
      .def_readwrite("allow_gpu_fallback", &Device::allow_gpu_fallback);

  py::class_<CompileSpec>(m, "CompileSpec")
      .def(py::init<>())
      .def_property(
          "inputs", [](const CompileSpec& s) { return s.graph_inputs.inputs; },
          [](CompileSpec& s, std::vector<Input> v) { s.graph_inputs.inputs = std::move(v); })
      .def_property(
          "input_signature", [](const CompileSpec& s) { return s.graph_inputs.input_signature; },
          [](CompileSpec& s, std::vector<InputSignature> v) { s.graph_inputs.input_signature = std::move(v); })
      .def_readwrite("enabled_precisions", &CompileSpec::enabled_precisions)
      .def_readwrite("layer_precisions", &CompileSpec::layer_precisions)
      .def_readwrite("disable_tf32", &CompileSpec::disable_tf32)
      .def_readwrite("workspace_size", &CompileSpec::workspace_size)
      .def_readwrite("num_avg_timing_iters", &CompileSpec::num_avg_timing_iters)
      .def_readwrite("timing_cache_path", &CompileSpec::timing_cache_path)
      .def_readwrite("debug", &CompileSpec::debug)
      .def_readwrite("require_full_compilation", &CompileSpec::require_full_compilation)
      .def_readwrite("min_block_size", &CompileSpec::min_block_size)
      .def_readwrite("torch_executed_ops", &CompileSpec::torch_executed_ops)
      .def_readwrite("torch_executed_modules", &CompileSpec::torch_executed_modules)
      .def_readwrite("truncate_long_and_double", &CompileSpec::truncate_long_and_double)
      .def_readwrite("device", &CompileSpec::device)
      // The spec does not own the calibrator: keep_alive ties the Python object to the spec.
      .def_property(
          "ptq_calibrator", [](const CompileSpec& s) { return s.ptq_calibrator; },
          py::cpp_function([](CompileSpec& s, trt::IInt8Calibrator* c) { s.ptq_calibrator = c; },
                           py::keep_alive<1, 2>()),
          py::return_value_policy::reference_internal)
      .def_readwrite("capability", &CompileSpec::capability)
      .def_readwrite("sparse_weights", &CompileSpec::sparse_weights)
      .def_readwrite("refit", &CompileSpec::refit)
      .def_readwrite("allow_shape_tensors", &CompileSpec::allow_shape_tensors)
      .def("validate", &CompileSpec::validate,
           "Checks every option; raises ValueError naming the option, the value and what is allowed.");
}

}  // namespace

PYBIND11_MODULE(_C, m) {
  m.doc() = "Torch-TensorRT native bindings";
  py::class_<trt::IInt8Calibrator>(m, "Int8Calibrator");
  bindCompileSpec(m);
  m.def("compile_graph", [](const torch::jit::Module& mod, const CompileSpec& spec) {
    py::gil_scoped_release release;
    return torch_tensorrt::ts::compile(mod, spec);
  });
  m.def("convert_graph_to_trt_engine",
        [](const torch::jit::Module& mod, const std::string& method, const CompileSpec& spec) {
          std::string plan;
          {
            py::gil_scoped_release release;
            plan = torch_tensorrt::ts::convert_method_to_trt_engine(mod, method, spec);
          }
          return py::bytes(plan);
        });
  m.def("describe_engine_layers",
        [](const torch::jit::Module& mod, const std::string& method, const CompileSpec& spec) {
          py::gil_scoped_release release;
          return torch_tensorrt::ts::describe_engine_layers(mod, method, spec);
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
  m.def("get_converter_list", &torch_tensorrt::core::conversion::converters::getConverterList);
  m.def("get_converter_overrides", &torch_tensorrt::core::conversion::converters::getConverterOverrides);
  m.def("get_evaluator_list", &torch_tensorrt::core::conversion::evaluators::getEvaluatorList);
  m.def("get_build_info", &torch_tensorrt::get_build_info);
  m.def("has_cuda_backend", &trt::hasCudaBackend);
  m.def("get_layer_kinds", []() {
    std::vector<std::string> kinds;
    for (int32_t k = 0; k < trt::kLAYER_TYPE_COUNT; ++k)
      kinds.push_back(trt::layerTypeName(static_cast<trt::LayerType>(k)));
    return kinds;
  });
  m.def("set_progress", &torch_tensorrt::core::util::logging::setProgress);
  m.def("get_progress", &torch_tensorrt::core::util::logging::getProgress);
  m.def("set_reportable_log_level", [](int level) {
    torch_tensorrt::core::util::logging::setReportableLogLevel(
        static_cast<torch_tensorrt::core::util::logging::LogLevel>(level));
  });
  m.def("get_reportable_log_level",
        []() { return static_cast<int>(torch_tensorrt::core::util::logging::getReportableLogLevel()); });
  m.def("set_logger_prefix", &torch_tensorrt::core::util::logging::setLoggerPrefix);
  m.def("set_is_colored_output_on", &torch_tensorrt::core::util::logging::setIsColoredOutputOn);
}
