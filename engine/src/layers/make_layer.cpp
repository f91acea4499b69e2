// The factory the plan reader creates layers with, generated from TRT_LAYER_KINDS (trt/types.h):
// a kind whose class I<Stem>Layer is missing fails to compile here.
#include "trt/network.h"

namespace trt {

std::unique_ptr<ILayer> makeLayer(LayerType type) {
  switch (type) {
#define TRT_MAKE_LAYER_CASE(name, stem, cpu16, cuda16) \
  case LayerType::name:                                \
    return std::make_unique<I##stem##Layer>();
    TRT_LAYER_KINDS(TRT_MAKE_LAYER_CASE)
#undef TRT_MAKE_LAYER_CASE
  }
  throw Error("makeLayer: unknown layer type " + std::to_string(static_cast<int32_t>(type)) + " (not one of the " +
              std::to_string(kLAYER_TYPE_COUNT) + " kinds of this version)");
}

}  // namespace trt
