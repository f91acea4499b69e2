// FP8 codes out of an FP8 product (issue 23: FP8 between consecutive FP8 layers). A quantization to FP8 that alone
// reads an FP8 product (BERT's FFN: the up-projection's output, through the exact GELU folded into the quantization,
// is read only by the down-projection's input quantization) becomes the product's output scale
// (IMatrixMultiplyLayer::setFp8OutputScale), its activation the product's: the product writes the E4M3 codes the
// quantization wrote, so the 16-bit tensor between the two is never written nor read back. The folded product
// computes what the two did, q(T(act(T(z))) / s): its value z rounded to its float type T as the product stored it,
// then the activation (the quantization's, or the product's own where that is ReLU, which commutes with the
// rounding) rounded to T as the quantization rounded it. A product's own GELU, computed before any rounding, keeps
// the two apart. A backend says which it computes (`writesCodes`).
#include <functional>

#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"
#include "common/floating_types.h"

namespace trt {
namespace passes {

namespace {
// The activations a product may carry (IMatrixMultiplyLayer::setFusedActivation's rule).
bool productCarries(int32_t activation) {
  return activation < 0 || activation == static_cast<int32_t>(ActivationType::kRELU) ||
         activation == static_cast<int32_t>(ActivationType::kGELU_ERF) ||
         activation == static_cast<int32_t>(ActivationType::kGELU_TANH);
}
}  // namespace

int32_t foldFp8QuantizeIntoProduct(INetworkDefinition& network,
                                   const std::function<bool(const IMatrixMultiplyLayer&, int32_t)>& writesCodes) {
  if (!writesCodes) return 0;
  int32_t folded = 0;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    ILayer* layer = network.getLayer(l);
    if (layer->getType() != LayerType::kQUANTIZE || layer->precisionIsSet()) continue;
    auto* q = static_cast<IQuantizeLayer*>(layer);
    if (q->getToType() != DataType::kFP8 || q->getScales().size() != 1 || q->getOutput(0)->isNetworkOutput()) continue;
    ILayer* producer = soleUseProducer(network, q->getInput(0), LayerType::kMATRIX_MULTIPLY);
    if (!producer) continue;
    auto* mm = static_cast<IMatrixMultiplyLayer*>(producer);
    const int32_t own = mm->getFusedActivation(), quantizations = q->getFusedActivation();
    // One activation at most between the two, one the product may carry, the product's own only ReLU; no residual
    // (the fused form takes none); weights of one matrix (a stack's P blocks write float: its readers slice them).
    if (!mm->isFp8() || mm->getFp8OutputScale() > 0.f || mm->getNbInputs() == 4 ||
        mm->getInput(1)->getDimensions().nbDims != 2 || (own >= 0 && quantizations >= 0) ||
        (own >= 0 && own != static_cast<int32_t>(ActivationType::kRELU)))
      continue;
    const int32_t activation = own >= 0 ? own : quantizations;
    if (!productCarries(activation) || !isFloating(mm->getOutput(0)->getType()) || !writesCodes(*mm, activation))
      continue;
    mm->setFusedActivation(activation);
    mm->setFp8OutputScale(q->getScales()[0]);
    network.replaceAllUses(*q->getOutput(0), *mm->getOutput(0));
    // Gone at once: left for the dead-layer pass, the Quantize would read the codes it cannot.
    network.removeLayer(q);
    --l;
    ++folded;
  }
  return folded;
}

}  // namespace passes
}  // namespace trt
