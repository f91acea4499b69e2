// The factory the plan reader and the network's add methods create layers with, generated from
// TRT_LAYER_KINDS (trt/types.h).
#include "layers/make_layer.h"

namespace trt {

std::unique_ptr<LayerBase> makeLayer(LayerType type) {
  switch (type) {
#define TRT_MAKE_LAYER_CASE(name, stem, cpu16, cuda16) \
  case LayerType::name:                                \
    return make##stem##Layer();
    TRT_LAYER_KINDS(TRT_MAKE_LAYER_CASE)
#undef TRT_MAKE_LAYER_CASE
  }
  throw Error("makeLayer: unknown layer type " + std::to_string(static_cast<int32_t>(type)) + " (not one of the " +
              std::to_string(kLAYER_TYPE_COUNT) + " kinds of this version)");
}

}  // namespace trt
