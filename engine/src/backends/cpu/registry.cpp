// The CPU kernel table, generated from TRT_LAYER_KINDS (trt/types.h).
#include "backends/cpu/cpu_kernels.h"

namespace trt {
namespace cpu {

Kernel kernelFor(LayerType type) {
  switch (type) {
#define TRT_CPU_KERNEL_CASE(name, stem, cpu16, cuda16) \
  case LayerType::name:                                \
    return run##stem;
    TRT_LAYER_KINDS(TRT_CPU_KERNEL_CASE)
#undef TRT_CPU_KERNEL_CASE
  }
  throw Error("CPU backend: no kernel for layer type " + std::to_string(static_cast<int32_t>(type)) +
              " (not one of the " + std::to_string(kLAYER_TYPE_COUNT) + " kinds of this version)");
}

void requireFloat32(const ILayer& layer, const TensorView& t, const char* what) {
  if (t.type != DataType::kFLOAT) {
    throw Error(layer.describe() + ": the CPU backend runs this layer kind in float32 only, but " + what + " is " +
                dataTypeName(t.type) + "; cast it with an Identity layer");
  }
}

}  // namespace cpu
}  // namespace trt
