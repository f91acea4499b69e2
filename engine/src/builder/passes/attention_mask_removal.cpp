// Builder pass: an attention whose mask is a constant that masks nothing (every float element zero,
// every bool element true) runs without it. softmax(s + 0) is softmax(s) exactly, and no row is fully
// masked by it, so the result is the same; the mask's work per layer (a bias read with every score, the
// live-row checks) goes. Models traced without an attention mask carry such a constant: Hugging Face's
// BERT builds an all-ones padding mask, which becomes an all-zero additive mask in every layer.
#include <cstring>
#include <string>

#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"

namespace trt {
namespace passes {

namespace {

// Whether the constant's every element masks nothing: a float zero of either sign, or a bool true.
bool masksNothing(const IConstantLayer& constant) {
  const SharedBytes& bytes = constant.bytes();
  const Weights w = constant.getWeights();
  const uint8_t* p = bytes.data();
  switch (w.type) {
    case DataType::kBOOL:
      for (size_t i = 0; i < bytes.size(); ++i)
        if (p[i] == 0) return false;
      return true;
    case DataType::kFLOAT:
      for (size_t i = 0; i + 4 <= bytes.size(); i += 4) {
        uint32_t bits;
        std::memcpy(&bits, p + i, 4);
        if (bits & 0x7fffffffu) return false;
      }
      return true;
    case DataType::kHALF:
    case DataType::kBF16:
      for (size_t i = 0; i + 2 <= bytes.size(); i += 2) {
        uint16_t bits;
        std::memcpy(&bits, p + i, 2);
        if (bits & 0x7fffu) return false;
      }
      return true;
    default:
      return false;
  }
}

}  // namespace

int32_t removeInertAttentionMasks(INetworkDefinition& network) {
  int32_t removed = 0;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    ILayer* layer = network.getLayer(l);
    if (layer->getType() != LayerType::kATTENTION || layer->getNbInputs() < 4 || !layer->getInput(3)) continue;
    const IConstantLayer* constant = constantProducer(layer->getInput(3));
    if (!constant || !masksNothing(*constant)) continue;
    auto* masked = static_cast<IAttentionLayer*>(layer);
    IAttentionLayer* bare =
        network.addAttention(*masked->getInput(0), *masked->getInput(1), *masked->getInput(2), nullptr);
    if (masked->hasScale()) bare->setScale(masked->scaleFor(1));
    bare->setCausal(masked->getCausal());
    bare->setZeroFullyMaskedRows(masked->getZeroFullyMaskedRows());
    if (masked->precisionIsSet()) bare->setPrecision(masked->getPrecision());
    bare->setName((std::string(masked->getName()) + " (mask masks nothing)").c_str());
    network.moveLayer(bare, network.indexOf(masked));
    network.replaceAllUses(*masked->getOutput(0), *bare->getOutput(0));
    ++removed;
    l = network.indexOf(masked);  // past the (now dead) masked layer
  }
  return removed;
}

}  // namespace passes
}  // namespace trt
