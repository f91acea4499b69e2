#include "backends/half_support.h"

namespace trt {

bool backendComputesInHalf(Backend backend, const ILayer& layer) {
  // The CPU backend stores FP16 tensors and computes every kind in FP32 (rounding each output to
  // half), so its FP16 engines give the numbers a GPU's FP16 engine gives, without a GPU.
  // The Q/DQ layers quantize FP32 on every backend (the same numbers everywhere). INT8 convolutions and
  // products take FP16 inputs and give FP16 outputs where FP16 is enabled (quantizing half values,
  // computing the epilogue in FP32): no casts around them.
  if (layer.getType() == LayerType::kQUANTIZE || layer.getType() == LayerType::kDEQUANTIZE) return false;
  // Long running sums and products lose too much in half: FP32 behind casts, everywhere.
  if (layer.getType() == LayerType::kCUMULATIVE) return false;
  // Scatter reductions accumulate too (and CUDA's atomics take 32- and 64-bit words): FP32 behind casts.
  if (layer.getType() == LayerType::kSCATTER &&
      static_cast<const IScatterLayer&>(layer).getReduction() != ScatterReduction::kNONE)
    return false;
  if (backend == Backend::kCPU) return true;
  switch (layer.getType()) {
    case LayerType::kCONVOLUTION:  // cuDNN, or im2col + a half GEMM (asymmetric padding, no cuDNN)
    case LayerType::kACTIVATION:
    case LayerType::kPOOLING:
    case LayerType::kELEMENTWISE:
    case LayerType::kMATRIX_MULTIPLY:
    case LayerType::kSHUFFLE:
    case LayerType::kCONSTANT:
    case LayerType::kREDUCE:
    case LayerType::kSOFTMAX:
    case LayerType::kCONCATENATION:
    case LayerType::kIDENTITY:
    case LayerType::kUNARY:
    case LayerType::kSLICE:
    case LayerType::kSELECT:
    case LayerType::kGATHER:
    case LayerType::kNORMALIZATION:
    case LayerType::kSCATTER:  // moves elements: any element size
    case LayerType::kGRID_SAMPLE:
    case LayerType::kSHAPE:     // reads no data
    case LayerType::kFILL:      // writes the type it is given
    case LayerType::kNON_ZERO:  // compares with zero in any type
    case LayerType::kEINSUM:    // FP32 accumulation
    case LayerType::kONE_HOT:   // moves the given values
    case LayerType::kSCALE:
    case LayerType::kPARAMETRIC_RELU:
    case LayerType::kDECONVOLUTION:  // GEMM with FP32 accumulation, col2im sums in FP32
      return true;
    case LayerType::kRESIZE:
    case LayerType::kTOPK:
    case LayerType::kQUANTIZE:
    case LayerType::kDEQUANTIZE:
    case LayerType::kCUMULATIVE:
      return false;
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
