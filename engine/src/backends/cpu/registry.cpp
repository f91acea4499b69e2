#include "backends/cpu/cpu_kernels.h"

namespace trt {
namespace cpu {

Kernel kernelFor(LayerType type) {
  switch (type) {
    case LayerType::kCONVOLUTION:
      return runConvolution;
    case LayerType::kACTIVATION:
      return runActivation;
    case LayerType::kPOOLING:
      return runPooling;
    case LayerType::kELEMENTWISE:
      return runElementWise;
    case LayerType::kMATRIX_MULTIPLY:
      return runMatrixMultiply;
    case LayerType::kSHUFFLE:
      return runShuffle;
    case LayerType::kCONSTANT:
      return runConstant;
    case LayerType::kREDUCE:
      return runReduce;
    case LayerType::kSOFTMAX:
      return runSoftMax;
    case LayerType::kCONCATENATION:
      return runConcatenation;
    case LayerType::kIDENTITY:
      return runIdentity;
    case LayerType::kUNARY:
      return runUnary;
    case LayerType::kSLICE:
      return runSlice;
    case LayerType::kSELECT:
      return runSelect;
    case LayerType::kGATHER:
      return runGather;
    case LayerType::kRESIZE:
      return runResize;
    case LayerType::kTOPK:
      return runTopK;
    case LayerType::kNORMALIZATION:
      return runNormalization;
    case LayerType::kQUANTIZE:
      return runQuantize;
    case LayerType::kDEQUANTIZE:
      return runDequantize;
    case LayerType::kCUMULATIVE:
      return runCumulative;
    case LayerType::kSCATTER:
      return runScatter;
    case LayerType::kGRID_SAMPLE:
      return runGridSample;
    case LayerType::kSHAPE:
      return runShape;
    case LayerType::kFILL:
      return runFill;
    case LayerType::kNON_ZERO:
      return runNonZero;
    case LayerType::kEINSUM:
      return runEinsum;
    case LayerType::kONE_HOT:
      return runOneHot;
    case LayerType::kSCALE:
      return runScale;
    case LayerType::kPARAMETRIC_RELU:
      return runParametricReLU;
    case LayerType::kDECONVOLUTION:
      return runDeconvolution;
  }
  throw Error("CPU backend: no kernel for layer type " + std::to_string(static_cast<int32_t>(type)));
}

void requireFloat32(const ILayer& layer, const TensorView& t, const char* what) {
  if (t.type != DataType::kFLOAT) {
    throw Error(layer.describe() + ": the CPU backend runs this layer kind in float32 only, but " + what + " is " +
                dataTypeName(t.type) + "; cast it with an Identity layer");
  }
}

}  // namespace cpu
}  // namespace trt
