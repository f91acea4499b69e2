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
    for (int side = 0; side < 2; ++side) {
      ITensor* convOut = layer->getInput(side);
      ITensor* residual = layer->getInput(1 - side);
      auto* conv = static_cast<IConvolutionLayer*>(soleUseProducer(network, convOut, LayerType::kCONVOLUTION));
      if (!conv || conv->getNbInputs() != 1 || conv->getFusedActivation() >= 0) continue;
      // Same shape and type (no broadcasting).
      if (residual->getDimensions() != sum->getDimensions() || convOut->getDimensions() != sum->getDimensions() ||
          residual->getType() != convOut->getType())
        continue;
      // A residual computed after the convolution (an FPN's upsampled top-down map, traced after the lateral
      // convolution it is added to) is there once the convolution runs just before the sum: nothing else reads
      // its output, and its own inputs were there where it was.
      if (!availableBefore(network, residual, conv)) network.moveLayer(conv, network.indexOf(layer) - 1);
      conv->setInput(1, *residual);
      conv->setName((std::string(conv->getName()) + " + " + layer->getName()).c_str());
      network.replaceAllUses(*sum, *convOut);
      ++fused;
      break;
    }
  }
  return fused;
}

}  // namespace passes
}  // namespace trt
