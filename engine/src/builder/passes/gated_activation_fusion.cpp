// x * sigmoid(x) (SiLU, as aten::silu converts and as models write it by hand) and x * hardsigmoid(x)
// (hard-swish) are two full passes over the tensor; one SiLU or hard-swish activation is one pass,
// computes the gate in float without rounding it to the tensor's type first (as PyTorch's own
// kernels do), and can then fold into the convolution before it (activation fusion).
#include <cmath>

#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"

namespace trt {
namespace passes {

namespace {

// The single-activation form of `x * gate(x)` for this gate, or -1 when there is none.
int32_t gatedForm(const IActivationLayer& gate) {
  switch (gate.getActivationType()) {
    case ActivationType::kSIGMOID:  // sigmoid reads no parameters
      return static_cast<int32_t>(ActivationType::kSILU);
    case ActivationType::kHARD_SIGMOID:  // PyTorch's hardsigmoid: clamp(x / 6 + 1/2, 0, 1)
      return gate.getAlpha() == 1.f / 6.f && gate.getBeta() == 0.5f ? static_cast<int32_t>(ActivationType::kHARD_SWISH)
                                                                    : -1;
    default:
      return -1;
  }
}

}  // namespace

int32_t fuseGatedActivation(INetworkDefinition& network) {
  int32_t fused = 0;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    ILayer* layer = network.getLayer(l);
    if (!isElementWise(layer, ElementWiseOperation::kPROD)) continue;
    for (int side = 0; side < 2; ++side) {
      ITensor* x = layer->getInput(side);
      auto* gate =
          static_cast<IActivationLayer*>(soleUseProducer(network, layer->getInput(1 - side), LayerType::kACTIVATION));
      // Same tensor on both paths, so no broadcast and the product's shape and type are x's.
      if (!gate || gate->getInput(0) != x || !isFloating(x->getType())) continue;
      const int32_t form = gatedForm(*gate);
      if (form < 0) continue;
      l = replaceByActivation(network, layer, *x, static_cast<ActivationType>(form),
                              std::string(gate->getName()) + " * " + layer->getName());
      ++fused;
      break;
    }
  }
  return fused;
}

}  // namespace passes
}  // namespace trt
