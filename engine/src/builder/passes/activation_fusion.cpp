#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"
#include "common/activation_kinds.h"

namespace trt {
namespace passes {

// Convolutions fold any activation (they keep its alpha and beta: MobileNetV2's ReLU6 is a clip to [0, 6], a
// detector's leaky ReLU has its slope); the other layers those that read no alpha or beta
// (isParameterlessActivation), stored as their type alone.
int32_t fuseActivation(INetworkDefinition& network,
                       const std::function<bool(ActivationType)>& matrixMultiplyActivation) {
  int32_t fused = 0;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    ILayer* layer = network.getLayer(l);
    if (layer->getType() != LayerType::kACTIVATION) continue;
    const auto* activation = static_cast<IActivationLayer*>(layer);
    const ActivationType type = activation->getActivationType();
    const bool parameterless = isParameterlessActivation(type);
    ITensor* in = layer->getInput(0);
    const auto code = static_cast<int32_t>(type);
    ILayer* target = nullptr;
    // An elementwise activation commutes with a shuffle, so one between the producer and the activation
    // (GPT-2's view of a product's [B*S, N] rows as [B, S, N]) is looked through.
    ITensor* produced = in;
    if (ILayer* view = soleUseProducer(network, in, LayerType::kSHUFFLE); view && view->getNbInputs() == 1) {
      // Through a shuffle the producer's pin is compared with the shuffle's: compare it with the activation's.
      const ILayer* beyond = view->getInput(0)->getProducer();
      if (beyond && samePrecisionPin(*beyond, *layer)) produced = view->getInput(0);
    }
    // Convolutions apply any of them in their epilogue; products those the backend's kernels fuse
    // (ReLU and GELU's tanh form in cuBLASLt's epilogue; on the CPU exact GELU too, as a oneDNN post-op).
    if (auto* conv = static_cast<IConvolutionLayer*>(soleUseProducer(network, produced, LayerType::kCONVOLUTION))) {
      if (conv->getFusedActivation() < 0) {
        conv->setFusedActivation(code);
        conv->setFusedActivationParameters(activation->getAlpha(), activation->getBeta());
        target = conv;
      }
    } else if (!parameterless) {
      continue;
    } else if (auto* scale = static_cast<IScaleLayer*>(soleUseProducer(network, produced, LayerType::kSCALE))) {
      if (scale->getFusedActivation() < 0) {  // a batch norm's Scale before its ReLU (DenseNet)
        scale->setFusedActivation(code);
        target = scale;
      }
    } else if (auto* mm = static_cast<IMatrixMultiplyLayer*>(
                   soleUseProducer(network, produced, LayerType::kMATRIX_MULTIPLY))) {
      if (matrixMultiplyActivation(type) && mm->getFusedActivation() < 0 &&
          mm->getOperation(1) != MatrixOperation::kVECTOR) {
        mm->setFusedActivation(code);
        target = mm;
      }
    }
    if (!target) continue;
    target->setName((std::string(target->getName()) + " + " + layer->getName()).c_str());
    network.replaceAllUses(*layer->getOutput(0), *in);
    ++fused;
  }
  return fused;
}

}  // namespace passes
}  // namespace trt
