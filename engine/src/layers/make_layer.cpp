#include "trt/network.h"

namespace trt {

std::unique_ptr<ILayer> makeLayer(LayerType type) {
  switch (type) {
    case LayerType::kCONVOLUTION:
      return std::make_unique<IConvolutionLayer>();
    case LayerType::kACTIVATION:
      return std::make_unique<IActivationLayer>();
    case LayerType::kPOOLING:
      return std::make_unique<IPoolingLayer>();
    case LayerType::kELEMENTWISE:
      return std::make_unique<IElementWiseLayer>();
    case LayerType::kMATRIX_MULTIPLY:
      return std::make_unique<IMatrixMultiplyLayer>();
    case LayerType::kSHUFFLE:
      return std::make_unique<IShuffleLayer>();
    case LayerType::kCONSTANT:
      return std::make_unique<IConstantLayer>();
    case LayerType::kREDUCE:
      return std::make_unique<IReduceLayer>();
    case LayerType::kSOFTMAX:
      return std::make_unique<ISoftMaxLayer>();
    case LayerType::kCONCATENATION:
      return std::make_unique<IConcatenationLayer>();
    case LayerType::kIDENTITY:
      return std::make_unique<IIdentityLayer>();
    case LayerType::kUNARY:
      return std::make_unique<IUnaryLayer>();
    case LayerType::kSLICE:
      return std::make_unique<ISliceLayer>();
    case LayerType::kSELECT:
      return std::make_unique<ISelectLayer>();
    case LayerType::kGATHER:
      return std::make_unique<IGatherLayer>();
    case LayerType::kRESIZE:
      return std::make_unique<IResizeLayer>();
    case LayerType::kTOPK:
      return std::make_unique<ITopKLayer>();
    case LayerType::kQUANTIZE:
      return std::make_unique<IQuantizeLayer>();
    case LayerType::kDEQUANTIZE:
      return std::make_unique<IDequantizeLayer>();
    case LayerType::kCUMULATIVE:
      return std::make_unique<ICumulativeLayer>();
    case LayerType::kSCATTER:
      return std::make_unique<IScatterLayer>();
    case LayerType::kGRID_SAMPLE:
      return std::make_unique<IGridSampleLayer>();
    case LayerType::kSHAPE:
      return std::make_unique<IShapeLayer>();
    case LayerType::kFILL:
      return std::make_unique<IFillLayer>();
    case LayerType::kNON_ZERO:
      return std::make_unique<INonZeroLayer>();
    case LayerType::kEINSUM:
      return std::make_unique<IEinsumLayer>();
    case LayerType::kONE_HOT:
      return std::make_unique<IOneHotLayer>();
    case LayerType::kSCALE:
      return std::make_unique<IScaleLayer>();
    case LayerType::kPARAMETRIC_RELU:
      return std::make_unique<IParametricReLULayer>();
    case LayerType::kDECONVOLUTION:
      return std::make_unique<IDeconvolutionLayer>();
    case LayerType::kNORMALIZATION:
      return std::make_unique<INormalizationLayer>();
  }
  throw Error("makeLayer: unknown layer type " + std::to_string(static_cast<int32_t>(type)));
}

}  // namespace trt
