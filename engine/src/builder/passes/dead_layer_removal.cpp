#include <unordered_set>

#include "builder/passes/passes.h"

namespace trt {
namespace passes {

int32_t removeDeadLayers(INetworkDefinition& network) {
  // Walk backwards from the outputs; everything not reached is dead.
  std::unordered_set<const ITensor*> live;
  for (int i = 0; i < network.getNbOutputs(); ++i) live.insert(network.getOutput(i));
  std::vector<ILayer*> dead;
  for (int l = network.getNbLayers() - 1; l >= 0; --l) {
    ILayer* layer = network.getLayer(l);
    bool used = false;
    for (int o = 0; o < layer->getNbOutputs(); ++o) used |= live.count(layer->getOutput(o)) > 0;
    if (!used) {
      dead.push_back(layer);
      continue;
    }
    for (int i = 0; i < layer->getNbInputs(); ++i) live.insert(layer->getInput(i));
  }
  for (ILayer* layer : dead) network.removeLayer(layer);  // consumers first, so each is unused when removed
  return static_cast<int32_t>(dead.size());
}

}  // namespace passes
}  // namespace trt
