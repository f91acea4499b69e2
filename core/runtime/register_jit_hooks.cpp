// Registers the Engine custom class and the execute_engine op with TorchScript.
#include "core/runtime/runtime.h"
#include "torch/library.h"

namespace torch_tensorrt {
namespace core {
namespace runtime {
namespace {

TORCH_LIBRARY(tensorrt, m) {
  m.class_<TRTEngine>("Engine")
      .def(torch::init<std::vector<std::string>>())
      .def("__str__", &TRTEngine::to_str)
      .def("__repr__", &TRTEngine::to_str)
      .def("get_layer_info", &TRTEngine::layer_info)
      .def("get_layer_info_json", &TRTEngine::layer_info_json)
      .def("num_layers", &TRTEngine::num_layers)
      .def("cuda_graph_launches", &TRTEngine::cuda_graph_launches)
      .def("enable_profiling", &TRTEngine::enable_profiling)
      .def("profiling", &TRTEngine::profiling)
      .def("layer_times", &TRTEngine::layer_times)
      .def_pickle(
          [](const c10::intrusive_ptr<TRTEngine>& self) -> std::vector<std::string> { return self->serialize(); },
          [](std::vector<std::string> state) -> c10::intrusive_ptr<TRTEngine> {
            return c10::make_intrusive<TRTEngine>(std::move(state));
          });
  m.def("execute_engine(Tensor[] inputs, __torch__.torch.classes.tensorrt.Engine engine) -> Tensor[]", execute_engine);
  m.def("ABI_VERSION() -> str", []() -> std::string { return ABI_VERSION; });
  m.def("set_cudagraphs_mode(bool enabled) -> ()", set_cudagraphs_mode);
  m.def("get_cudagraphs_mode() -> bool", get_cudagraphs_mode);
}

}  // namespace
}  // namespace runtime
}  // namespace core
}  // namespace torch_tensorrt
