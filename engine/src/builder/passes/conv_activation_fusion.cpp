#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"

namespace trt {
namespace passes {

int32_t fuseConvolutionActivation(INetworkDefinition& network) {
  int32_t fused = 0;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    ILayer* layer = network.getLayer(l);
    if (layer->getType() != LayerType::kACTIVATION) continue;
    auto* act = static_cast<IActivationLayer*>(layer);
    if (act->getActivationType() != ActivationType::kRELU) continue;
    ITensor* convOut = act->getInput(0);
    ILayer* producer = convOut->getProducer();
    if (!producer || producer->getType() != LayerType::kCONVOLUTION || convOut->isNetworkOutput()) continue;
    auto* conv = static_cast<IConvolutionLayer*>(producer);
    if (conv->getFusedActivation() >= 0) continue;
    if (countUses(network, convOut) != 1) continue;
    conv->setFusedActivation(static_cast<int32_t>(ActivationType::kRELU));
    conv->setName((std::string(conv->getName()) + " + " + act->getName()).c_str());
    network.replaceAllUses(*act->getOutput(0), *convOut);
    ++fused;
  }
  return fused;
}

}  // namespace passes
}  // namespace trt
