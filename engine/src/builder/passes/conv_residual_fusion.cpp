#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"

namespace trt {
namespace passes {

// conv(x) + r -> one convolution reading r as its residual input (added before its activation).
int32_t fuseConvolutionResidual(INetworkDefinition& network) {
  int32_t fused = 0;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    ILayer* layer = network.getLayer(l);
    if (layer->getType() != LayerType::kELEMENTWISE) continue;
    if (static_cast<IElementWiseLayer*>(layer)->getOperation() != ElementWiseOperation::kSUM) continue;
    ITensor* sum = layer->getOutput(0);
    // The convolution on `side` that can take the other addend as its residual (same shape and type, no
    // broadcasting), or nullptr.
    auto candidate = [&](int side) -> IConvolutionLayer* {
      ITensor* convOut = layer->getInput(side);
      ITensor* residual = layer->getInput(1 - side);
      auto* conv = static_cast<IConvolutionLayer*>(soleUseProducer(network, convOut, LayerType::kCONVOLUTION));
      if (!conv || conv->getNbInputs() != 1 || conv->getFusedActivation() >= 0) return nullptr;
      if (residual->getDimensions() != sum->getDimensions() || convOut->getDimensions() != sum->getDimensions() ||
          residual->getType() != convOut->getType())
        return nullptr;
      return conv;
    };
    // First a convolution whose residual is there when it runs (a ResNet block's sum of two convolutions: the one
    // after the other in layer order takes it); else one whose residual is computed after it (an FPN's
    // upsampled top-down map, traced after the lateral convolution it is added to), moved to just before the sum:
    // nothing else reads its output, and its own inputs were there where it was.
    IConvolutionLayer* const convs[2] = {candidate(0), candidate(1)};
    int side = -1;
    for (int s = 0; s < 2 && side < 0; ++s)
      if (convs[s] && availableBefore(network, layer->getInput(1 - s), convs[s])) side = s;
    for (int s = 0; s < 2 && side < 0; ++s)
      if (convs[s]) {
        network.moveLayer(convs[s], network.indexOf(layer) - 1);
        side = s;
      }
    if (side < 0) continue;
    IConvolutionLayer* conv = convs[side];
    ITensor* convOut = layer->getInput(side);
    conv->setInput(1, *layer->getInput(1 - side));
    conv->setName((std::string(conv->getName()) + " + " + layer->getName()).c_str());
    network.replaceAllUses(*sum, *convOut);
    ++fused;
  }
  return fused;
}

}  // namespace passes
}  // namespace trt
