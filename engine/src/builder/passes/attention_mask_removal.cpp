// Builder pass: an attention whose mask is a constant that masks nothing (every float element zero,
// every bool element true; for a causal layer, every element at a key the triangle keeps) runs without
// it, and one whose constant mask is exactly the causal triangle becomes causal without it. softmax(s + 0)
// is softmax(s) exactly, and no row is fully masked by such a mask, so the result is the same; the mask's
// work per layer (a bias read with every score, the live-row checks) goes. Models traced without an
// attention mask carry such a constant: Hugging Face's BERT builds an all-ones padding mask, which
// becomes an all-zero additive mask in every layer.
#include <string>

#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"

namespace trt {
namespace passes {

namespace {

// Whether the constant mask is exactly the top-left causal triangle over the layer's square scores: the
// layer's causal flag computes the same (no row is left without a key), and cuDNN then skips the tiles
// above the diagonal.
bool isCausalTriangle(const IAttentionLayer& attention, const IConstantLayer& constant) {
  const Dims qd = attention.getInput(0)->getDimensions();
  const Dims kd = attention.getInput(1)->getDimensions();
  return qd.nbDims == 4 && kd.nbDims == 4 && kd.d[2] == qd.d[2] && isCausalTriangleConstant(constant, qd.d[2]);
}

// Whether the constant mask of `attention` masks nothing the layer does not leave out already: every
// element inert, or for a causal layer every element at a key the row keeps (key j <= query i; the
// others are left out whatever the mask holds: GPT-2's additive causal mask repeats the triangle).
bool masksNothing(const IAttentionLayer& attention, const IConstantLayer& constant, bool causal) {
  const DataType type = constant.getWeights().type;
  const uint8_t* p = constant.bytes().data();
  const size_t count = static_cast<size_t>(constant.getWeights().count);
  const Dims md = constant.getDimensions();
  const Dims qd = attention.getInput(0)->getDimensions();
  if (!causal || md.nbDims < 2 || qd.nbDims != 4 || qd.d[2] < 0) {
    for (size_t i = 0; i < count; ++i)
      if (!maskElementInert(type, p, i)) return false;
    return true;
  }
  // The mask's rows: one per query (its second-last dim Sq) or one for all (1); its columns the keys.
  const int64_t rows = md.d[md.nbDims - 2], keys = md.d[md.nbDims - 1];
  if (rows != 1 && rows != qd.d[2]) return false;
  for (size_t e = 0; e < count; ++e) {
    const int64_t j = static_cast<int64_t>(e) % keys, i = (static_cast<int64_t>(e) / keys) % rows;
    const int64_t lastRow = rows == 1 ? qd.d[2] - 1 : i;  // a shared row serves every query
    if (j <= lastRow && !maskElementInert(type, p, e)) return false;
  }
  return true;
}

}  // namespace

int32_t removeInertAttentionMasks(INetworkDefinition& network) {
  int32_t removed = 0;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    ILayer* layer = network.getLayer(l);
    if (layer->getType() != LayerType::kATTENTION || layer->getNbInputs() < 4 || !layer->getInput(3)) continue;
    const IConstantLayer* constant = constantProducer(layer->getInput(3));
    auto* masked = static_cast<IAttentionLayer*>(layer);
    if (!constant) continue;
    const bool causal = masked->getCausal() || isCausalTriangle(*masked, *constant);
    if (!masksNothing(*masked, *constant, causal)) continue;
    IAttentionLayer* bare =
        network.addAttention(*masked->getInput(0), *masked->getInput(1), *masked->getInput(2), nullptr);
    if (masked->hasScale()) bare->setScale(masked->scaleFor(1));
    bare->setCausal(causal);
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
