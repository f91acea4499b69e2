#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"

namespace trt {
namespace passes {

int32_t fuseNormalizationResidual(INetworkDefinition& network) {
  int32_t fused = 0;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    ILayer* layer = network.getLayer(l);
    if (layer->getType() != LayerType::kNORMALIZATION || layer->getNbInputs() != 3) continue;
    ITensor* sum = layer->getInput(0);
    ILayer* producer = soleUseSum(network, sum);
    if (!producer) continue;
    ITensor* a = producer->getInput(0);
    ITensor* b = producer->getInput(1);
    // Same shapes and types on both sides (no broadcasting): the sum is read element by element.
    if (a->getDimensions() != sum->getDimensions() || b->getDimensions() != sum->getDimensions() ||
        a->getType() != b->getType())
      continue;
    layer->setInput(0, *a);
    layer->setInput(3, *b);
    layer->setName((std::string(producer->getName()) + " + " + layer->getName()).c_str());
    ++fused;
  }
  return fused;
}

}  // namespace passes
}  // namespace trt
