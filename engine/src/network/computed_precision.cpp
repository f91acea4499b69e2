#include "network/computed_precision.h"

#include "common/floating_types.h"

namespace trt {

namespace {
bool isInt8Layer(const ILayer& layer) {
  if (layer.getType() == LayerType::kCONVOLUTION) return static_cast<const IConvolutionLayer&>(layer).isInt8();
  if (layer.getType() == LayerType::kMATRIX_MULTIPLY) return static_cast<const IMatrixMultiplyLayer&>(layer).isInt8();
  return false;
}
}  // namespace

DataType computedPrecision(const ILayer& layer) {
  if (isInt8Layer(layer)) return DataType::kINT8;
  if (layer.getType() == LayerType::kMATRIX_MULTIPLY && static_cast<const IMatrixMultiplyLayer&>(layer).isFp8())
    return DataType::kFP8;
  // A cast (Identity), a Shape (it reads dimensions only) and a layer without floating inputs
  // (constants, shape arithmetic) compute in the type they write.
  if (layer.getType() != LayerType::kIDENTITY && layer.getType() != LayerType::kSHAPE) {
    // The precision pass gives every floating input of a layer one type, except a float32 input that
    // a 16-bit layer reads as is (none today); a 16-bit input then names the layer's precision.
    DataType found = DataType::kINT32;
    bool any = false;
    for (int i = 0; i < layer.getNbInputs(); ++i) {
      const ITensor* in = layer.getInput(i);
      if (!in || !isFloating(in->getType())) continue;
      if (!any || in->getType() != DataType::kFLOAT) found = in->getType();
      any = true;
    }
    if (any) return found;
  }
  return layer.getOutput(0)->getType();
}

}  // namespace trt
