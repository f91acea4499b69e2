#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"

namespace trt {
namespace passes {

int32_t fuseActivation(INetworkDefinition& network) {
  int32_t fused = 0;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    ILayer* layer = network.getLayer(l);
    if (layer->getType() != LayerType::kACTIVATION ||
        static_cast<IActivationLayer*>(layer)->getActivationType() != ActivationType::kRELU)
      continue;
    ITensor* in = layer->getInput(0);
    const auto relu = static_cast<int32_t>(ActivationType::kRELU);
    ILayer* target = nullptr;
    if (auto* conv = static_cast<IConvolutionLayer*>(soleUseProducer(network, in, LayerType::kCONVOLUTION))) {
      if (conv->getFusedActivation() < 0) {
        conv->setFusedActivation(relu);
        target = conv;
      }
    } else if (auto* mm =
                   static_cast<IMatrixMultiplyLayer*>(soleUseProducer(network, in, LayerType::kMATRIX_MULTIPLY))) {
      if (mm->getFusedActivation() < 0 && mm->getOperation(1) != MatrixOperation::kVECTOR) {
        mm->setFusedActivation(relu);
        target = mm;
      }
    }
    if (!target) continue;
    target->setName((std::string(target->getName()) + " + " + layer->getName()).c_str());
    network.replaceAllUses(*layer->getOutput(0), *in);
    ++fused;
  }
  return fused;
}

}  // namespace passes
}  // namespace trt
