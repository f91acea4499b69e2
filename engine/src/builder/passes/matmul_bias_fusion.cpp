#include <cmath>

#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"

namespace trt {
namespace passes {

namespace {
// True when `bias` broadcasts along every dimension of `out` but the last, where it has N values.
bool isColumnBias(const Dims& bias, const Dims& out) {
  if (out.nbDims == 0 || bias.nbDims == 0 || bias.nbDims > out.nbDims) return false;
  for (int i = 0; i < bias.nbDims - 1; ++i)
    if (bias.d[i] != 1) return false;
  return bias.d[bias.nbDims - 1] == out.d[out.nbDims - 1] && out.d[out.nbDims - 1] > 0;
}
}  // namespace

int32_t fuseMatrixMultiplyScale(INetworkDefinition& network) {
  int32_t fused = 0;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    ILayer* layer = network.getLayer(l);
    if (layer->getType() != LayerType::kELEMENTWISE) continue;
    const ElementWiseOperation op = static_cast<IElementWiseLayer*>(layer)->getOperation();
    if (op != ElementWiseOperation::kPROD && op != ElementWiseOperation::kDIV) continue;
    ITensor* result = layer->getOutput(0);
    // The product on either side of a multiply; only the dividend of a division.
    for (int side = 0; side < (op == ElementWiseOperation::kPROD ? 2 : 1); ++side) {
      ITensor* mmOut = layer->getInput(side);
      const IConstantLayer* scalar = constantProducer(layer->getInput(1 - side));
      auto* mm = static_cast<IMatrixMultiplyLayer*>(soleUseProducer(network, mmOut, LayerType::kMATRIX_MULTIPLY));
      if (!mm || !scalar || mm->getNbInputs() != 2 || mm->getFusedActivation() >= 0 || mm->getAlpha() != 1.f) continue;
      const Weights w = scalar->getWeights();
      if (w.type != DataType::kFLOAT || w.count != 1 || mmOut->getType() != DataType::kFLOAT ||
          result->getDimensions() != mmOut->getDimensions())
        continue;
      const float c = *static_cast<const float*>(w.values);
      const float alpha = op == ElementWiseOperation::kPROD ? c : 1.f / c;
      if (!std::isfinite(alpha)) continue;
      mm->setAlpha(alpha);
      mm->setName((std::string(mm->getName()) + " + " + layer->getName()).c_str());
      network.replaceAllUses(*result, *mmOut);
      ++fused;
      break;
    }
  }
  return fused;
}

int32_t fuseMatrixMultiplyBias(INetworkDefinition& network) {
  int32_t fused = 0;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    ILayer* layer = network.getLayer(l);
    if (layer->getType() == LayerType::kELEMENTWISE &&
        static_cast<IElementWiseLayer*>(layer)->getOperation() == ElementWiseOperation::kSUM) {
      ITensor* sum = layer->getOutput(0);
      for (int side = 0; side < 2; ++side) {
        ITensor* mmOut = layer->getInput(side);
        ITensor* bias = layer->getInput(1 - side);
        auto* mm = static_cast<IMatrixMultiplyLayer*>(soleUseProducer(network, mmOut, LayerType::kMATRIX_MULTIPLY));
        if (!mm || mm->getNbInputs() != 2 || mm->getFusedActivation() >= 0) continue;
        if (mm->getOperation(1) == MatrixOperation::kVECTOR || !constantProducer(bias)) continue;
        if (!isColumnBias(bias->getDimensions(), mmOut->getDimensions()) || bias->getType() != mmOut->getType() ||
            sum->getDimensions() != mmOut->getDimensions())
          continue;
        // Constants have no inputs: one made after the product moves up, keeping execution order valid.
        ILayer* biasLayer = bias->getProducer();
        if (network.indexOf(biasLayer) > network.indexOf(mm)) network.moveLayer(biasLayer, network.indexOf(mm));
        mm->setInput(2, *bias);
        mm->setName((std::string(mm->getName()) + " + " + layer->getName()).c_str());
        network.replaceAllUses(*sum, *mmOut);
        ++fused;
        break;
      }
    }
  }
  return fused;
}

}  // namespace passes
}  // namespace trt
