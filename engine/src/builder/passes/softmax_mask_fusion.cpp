#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"

#include <string>
#include <utility>

namespace trt {
namespace passes {

int32_t fuseSoftMaxMask(INetworkDefinition& network) {
  int32_t fused = 0;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    ILayer* layer = network.getLayer(l);
    if (layer->getType() != LayerType::kSOFTMAX || layer->getNbInputs() != 1) continue;
    ITensor* sum = layer->getInput(0);
    // A no-op cast between the sum and the softmax (T5's `softmax(scores.float())`) is skipped.
    if (ITensor* uncast = noOpCastInput(network, sum)) sum = uncast;
    ILayer* producer = soleUseSum(network, sum);
    if (!producer) continue;
    ITensor* a = producer->getInput(0);
    ITensor* b = producer->getInput(1);
    if (a->getType() != b->getType()) continue;
    // The operand of the sum's own shape is the input; the other (broadcast, as [B,1,1,S] against
    // attention scores [B,H,S,S]) becomes the mask.
    if (a->getDimensions() != sum->getDimensions()) std::swap(a, b);
    if (a->getDimensions() != sum->getDimensions() || b->getDimensions().nbDims > sum->getDimensions().nbDims) continue;
    layer->setInput(0, *a);
    layer->setInput(1, *b);
    layer->setName((std::string(producer->getName()) + " + " + layer->getName()).c_str());
    ++fused;
  }
  return fused;
}

}  // namespace passes
}  // namespace trt
