// Which layers run in INT8 and how they are switched over, shared by the Q/DQ fusion pass and
// calibration: convolutions keep their float weights (each backend quantizes them per output
// channel); a matrix multiply gets a new INT8 constant [N, K] quantized per output column.
#include <string>
#include <vector>

#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"
#include "common/int8.h"

namespace trt {
namespace passes {

bool canRunInInt8(const ILayer& layer) {
  // A layer pinned to a float type (ILayer::setPrecision) stays out of INT8.
  if (layer.precisionIsSet() && layer.getPrecision() != DataType::kINT8) return false;
  if (layer.getType() == LayerType::kCONVOLUTION) {
    const auto& conv = static_cast<const IConvolutionLayer&>(layer);
    return !conv.isInt8() && !conv.getChannelsLast() && conv.getInput(0)->getType() == DataType::kFLOAT;
  }
  if (layer.getType() != LayerType::kMATRIX_MULTIPLY) return false;
  const auto& mm = static_cast<const IMatrixMultiplyLayer&>(layer);
  const IConstantLayer* weights = constantProducer(mm.getInput(1));
  const MatrixOperation opB = mm.getOperation(1);
  return !mm.isInt8() && mm.getOperation(0) == MatrixOperation::kNONE &&
         (opB == MatrixOperation::kNONE || opB == MatrixOperation::kTRANSPOSE) &&
         mm.getInput(0)->getType() == DataType::kFLOAT && weights && weights->getWeights().type == DataType::kFLOAT &&
         weights->getDimensions().nbDims == 2;
}

bool switchToInt8(INetworkDefinition& network, ILayer& layer, float inputScale) {
  int64_t offGrid = 0;
  if (layer.getType() == LayerType::kCONVOLUTION) {
    auto& conv = static_cast<IConvolutionLayer&>(layer);
    const Weights w = conv.getKernelWeights();
    conv.setInt8Scales(
        inputScale, int8::weightScales(static_cast<const float*>(w.values), w.count, conv.getNbOutputMaps(), &offGrid));
    return offGrid == 0;
  }
  auto& mm = static_cast<IMatrixMultiplyLayer&>(layer);
  int64_t parts = 0, N = 0, K = 0;
  const std::vector<float> rows = productWeightRows(mm, parts, N, K);  // canRunInInt8: one matrix, parts 1
  std::vector<float> scales = int8::weightScales(rows.data(), N * K, N, &offGrid);
  const std::vector<int8_t> q = int8::quantizeRows(rows.data(), N, K, scales, K);
  useQuantizedWeights(network, mm, DataType::kINT8, q.data(), 1, N, K, " (int8 weights)");
  mm.setInt8Scales(inputScale, std::move(scales));
  return offGrid == 0;
}

}  // namespace passes
}  // namespace trt
