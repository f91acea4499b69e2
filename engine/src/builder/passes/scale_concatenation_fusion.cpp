#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"

namespace trt {
namespace passes {

// DenseNet's dense layers each concatenate every earlier feature map and read the result only through a batch
// norm + ReLU (a per-channel Scale): reading the pieces in the Scale saves writing and re-reading the joined tensor.
int32_t foldConcatenationIntoScale(INetworkDefinition& network) {
  int32_t folded = 0;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    ILayer* layer = network.getLayer(l);
    if (layer->getType() != LayerType::kSCALE || layer->getNbInputs() != 1) continue;
    auto* scale = static_cast<IScaleLayer*>(layer);
    if (scale->getMode() != ScaleMode::kCHANNEL) continue;
    auto* concat =
        static_cast<IConcatenationLayer*>(soleUseProducer(network, scale->getInput(0), LayerType::kCONCATENATION));
    if (!concat || concat->getAxis() != scale->getChannelAxis()) continue;
    const std::string name = std::string(concat->getName()) + " + " + scale->getName();
    scale->setInput(0, *concat->getInput(0));
    for (int i = 1; i < concat->getNbInputs(); ++i) scale->setInput(i, *concat->getInput(i));
    scale->setName(name.c_str());
    ++folded;
  }
  return folded;
}

}  // namespace passes
}  // namespace trt
