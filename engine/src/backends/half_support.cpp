#include "backends/half_support.h"

namespace trt {

// The values of TRT_LAYER_KINDS' CPU16 / CUDA16 columns.
#define TRT_COMPUTES_16_HALF true
#define TRT_COMPUTES_16_FP32 false

bool backendComputesInHalf(Backend backend, const ILayer& layer) {
  // Per kind, the CPU16 / CUDA16 columns of TRT_LAYER_KINDS (trt/types.h). The CPU backend stores FP16
  // tensors and computes in FP32 (rounding each output to half), so its FP16 engines give the numbers a
  // GPU's FP16 engine gives, without a GPU. Q/DQ quantize FP32 on every backend (the same numbers
  // everywhere); long running sums and products (Cumulative) lose too much in half. INT8 convolutions
  // and products take FP16 inputs and give FP16 outputs where FP16 is enabled (quantizing half values,
  // computing the epilogue in FP32): no casts around them.
  // What depends on a layer's parameters comes first: scatter reductions accumulate (and CUDA's atomics
  // take 32- and 64-bit words), so FP32 behind casts.
  if (layer.getType() == LayerType::kSCATTER &&
      static_cast<const IScatterLayer&>(layer).getReduction() != ScatterReduction::kNONE)
    return false;
  // A Quantize to FP8 reads 16-bit values as they are (FP8 products share it: a cast before it would cost
  // what it saves).
  if (layer.getType() == LayerType::kQUANTIZE &&
      static_cast<const IQuantizeLayer&>(layer).getToType() == DataType::kFP8)
    return true;
  switch (layer.getType()) {
#define TRT_HALF_CASE(name, stem, cpu16, cuda16) \
  case LayerType::name:                          \
    return backend == Backend::kCPU ? TRT_COMPUTES_16_##cpu16 : TRT_COMPUTES_16_##cuda16;
    TRT_LAYER_KINDS(TRT_HALF_CASE)
#undef TRT_HALF_CASE
  }
  return false;
}

bool backendComputesIn(Backend backend, const ILayer& layer, DataType type) {
  if (type == DataType::kHALF) return backendComputesInHalf(backend, layer);
  if (type != DataType::kBF16) return false;
  // BF16 goes where FP16 goes: the CPU emulates both the same way, and the CUDA kernels take either
  // 16-bit type (dispatchFloating; cuBLAS, cuBLASLt and cuDNN in bfloat16 with FP32 accumulation) --
  // except the INT8 layers, which quantize FP32 or FP16 inputs only.
  if (layer.getType() == LayerType::kCONVOLUTION && static_cast<const IConvolutionLayer&>(layer).isInt8()) return false;
  if (layer.getType() == LayerType::kMATRIX_MULTIPLY && static_cast<const IMatrixMultiplyLayer&>(layer).isInt8())
    return false;
  return backendComputesInHalf(backend, layer);
}

}  // namespace trt
