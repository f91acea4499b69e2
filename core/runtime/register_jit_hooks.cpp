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
      .def("__str__", &TRTEngine::toStr)
      .def("__repr__", &TRTEngine::toStr)
      .def("get_layer_info", &TRTEngine::layerInfo)
      .def("get_layer_info_json", &TRTEngine::layerInfoJson)
      .def("num_layers", &TRTEngine::numLayers)
      .def("cuda_graph_launches", &TRTEngine::cudaGraphLaunches)
      .def("enable_profiling", &TRTEngine::enableProfiling)
      .def("profiling", &TRTEngine::profiling)
      .def("layer_times", &TRTEngine::layerTimes)
      .def_pickle(
          [](const c10::intrusive_ptr<TRTEngine>& self) -> std::vector<std::string> { return self->serialize(); },
          [](std::vector<std::string> state) -> c10::intrusive_ptr<TRTEngine> {
            return c10::make_intrusive<TRTEngine>(std::move(state));
          });
  m.def("execute_engine(Tensor[] inputs, __torch__.torch.classes.tensorrt.Engine engine) -> Tensor[]", executeEngine);
  m.def("accepts_shapes(Tensor[] inputs, __torch__.torch.classes.tensorrt.Engine engine) -> bool", acceptsShapes);
  m.def("ABI_VERSION() -> str", []() -> std::string { return ABI_VERSION; });
  m.def("set_cudagraphs_mode(bool enabled) -> ()", setCudagraphsMode);
  m.def("get_cudagraphs_mode() -> bool", getCudagraphsMode);
}

}  // namespace
}  // namespace runtime
}  // namespace core
}  // namespace torch_tensorrt
