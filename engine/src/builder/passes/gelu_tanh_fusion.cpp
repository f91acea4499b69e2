// GELU's tanh form written out as layers (Hugging Face's NewGELUActivation, GPT-2's `gelu_new`):
//   0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * pow(x, 3))))
// is eight passes over the tensor (GPT-2 at batch 32 spent 3.7 of its 6.8 ms in them); one GELU_TANH
// activation is one pass, keeps the intermediates in float instead of rounding each to the tensor's
// type, and can then fold into the product before it (activation fusion). The constants must be the
// formula's within float32 rounding; every factor is read only by the chain.
#include <cmath>
#include <string>

#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"

namespace trt {
namespace passes {

namespace {

bool near(float value, double expected) { return std::fabs(value - expected) <= 1e-6 * std::fabs(expected); }

// The operand of `layer` (an elementwise `op` read once) that is not the scalar constant `constant`;
// nullptr when `layer` is not that.
ITensor* otherThanScalar(const INetworkDefinition& network, const ITensor* t, ElementWiseOperation op,
                         double constant) {
  ILayer* layer = soleElementWise(network, t, op);
  if (!layer) return nullptr;
  const bool commutes = op == ElementWiseOperation::kPROD || op == ElementWiseOperation::kSUM;
  for (int side = 0; side < (commutes ? 2 : 1); ++side) {
    float value = 0.f;
    if (scalarValue(layer->getInput(1 - side), value) && near(value, constant) &&
        layer->getInput(side)->getDimensions() == t->getDimensions())
      return layer->getInput(side);
  }
  return nullptr;
}

// Whether `t` is 0.044715 * pow(x, 3) read once.
bool isCubicTerm(const INetworkDefinition& network, const ITensor* t, const ITensor* x) {
  ITensor* cube = otherThanScalar(network, t, ElementWiseOperation::kPROD, 0.044715);
  return cube && otherThanScalar(network, cube, ElementWiseOperation::kPOW, 3.0) == x;
}

// x when `t` is 1 + tanh(sqrt(2 / pi) * (x + 0.044715 * pow(x, 3))), else nullptr.
ITensor* tanhGateInput(const INetworkDefinition& network, const ITensor* t) {
  ITensor* tanhOut = otherThanScalar(network, t, ElementWiseOperation::kSUM, 1.0);
  ILayer* tanh = tanhOut ? soleUseProducer(network, tanhOut, LayerType::kACTIVATION) : nullptr;
  if (!tanh || static_cast<IActivationLayer*>(tanh)->getActivationType() != ActivationType::kTANH) return nullptr;
  ITensor* inner = otherThanScalar(network, tanh->getInput(0), ElementWiseOperation::kPROD, std::sqrt(2.0 / M_PI));
  ILayer* sum = inner ? soleUseSum(network, inner) : nullptr;
  if (!sum) return nullptr;
  for (int side = 0; side < 2; ++side) {
    ITensor* x = sum->getInput(side);
    if (x->getDimensions() == inner->getDimensions() && isCubicTerm(network, sum->getInput(1 - side), x)) return x;
  }
  return nullptr;
}

}  // namespace

int32_t fuseTanhGelu(INetworkDefinition& network) {
  int32_t fused = 0;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    ILayer* layer = network.getLayer(l);
    if (!isElementWise(layer, ElementWiseOperation::kPROD)) continue;
    ITensor* out = layer->getOutput(0);
    for (int side = 0; side < 2; ++side) {
      // (0.5 * x) * (1 + tanh(...)): the half and the gate read the same x.
      ITensor* x = otherThanScalar(network, layer->getInput(side), ElementWiseOperation::kPROD, 0.5);
      if (!x || !isFloating(x->getType()) || x->getDimensions() != out->getDimensions() ||
          tanhGateInput(network, layer->getInput(1 - side)) != x)
        continue;
      l = replaceByActivation(network, layer, *x, ActivationType::kGELU_TANH,
                              std::string(layer->getName()) + " (GELU, tanh form)");
      ++fused;
      break;
    }
  }
  return fused;
}

}  // namespace passes
}  // namespace trt
