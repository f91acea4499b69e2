// Builder pass: an attention whose mask is a constant that masks nothing (every float element zero,
// every bool element true; for a causal layer, every element at a key the triangle keeps) runs without it,
// and one whose constant mask is exactly the causal triangle becomes causal without it. softmax(s +
// 0) is softmax(s) exactly, and no row is fully masked by it, so the result is the same; the mask's work per layer (a
// bias read with every score, the live-row checks) goes. Models traced without an attention mask carry such a constant:
// Hugging Face's BERT builds an all-ones padding mask, which becomes an all-zero additive mask in every layer.
#include <cstring>
#include <string>

#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"

namespace trt {
namespace passes {

namespace {

// Whether element `i` of the constant masks nothing: a float zero of either sign, or a bool true.
bool inert(DataType type, const uint8_t* p, size_t i) {
  switch (type) {
    case DataType::kBOOL:
      return p[i] != 0;
    case DataType::kFLOAT: {
      uint32_t bits;
      std::memcpy(&bits, p + 4 * i, 4);
      return (bits & 0x7fffffffu) == 0;
    }
    case DataType::kHALF:
    case DataType::kBF16: {
      uint16_t bits;
      std::memcpy(&bits, p + 2 * i, 2);
      return (bits & 0x7fffu) == 0;
    }
    default:
      return false;
  }
}

// Whether element `i` of the constant leaves its key out: a bool false, or a float at most -1e30 (-inf,
// or finfo.min as Hugging Face's additive masks hold): exp(value - max) is 0 in float.
bool masking(DataType type, const uint8_t* p, size_t i) {
  switch (type) {
    case DataType::kBOOL:
      return p[i] == 0;
    case DataType::kFLOAT: {
      float v;
      std::memcpy(&v, p + 4 * i, 4);
      return v <= -1e30f;
    }
    case DataType::kHALF:
    case DataType::kBF16: {  // -inf (FP16 holds nothing below -65504)
      uint16_t bits;
      std::memcpy(&bits, p + 2 * i, 2);
      return type == DataType::kHALF ? bits == 0xfc00u : bits == 0xff80u;
    }
    default:
      return false;
  }
}

// Whether the constant mask is exactly the top-left causal triangle over square scores (keys j <= i
// inert, the others masking), broadcast over batch and heads: the layer's causal flag computes the same
// (no row is left without a key), and cuDNN then skips the tiles above the diagonal.
bool isCausalTriangle(const IAttentionLayer& attention, const IConstantLayer& constant) {
  const Dims md = constant.getDimensions();
  const Dims qd = attention.getInput(0)->getDimensions();
  const Dims kd = attention.getInput(1)->getDimensions();
  if (md.nbDims < 2 || qd.nbDims != 4 || kd.nbDims != 4) return false;
  const int64_t n = qd.d[2];
  if (n <= 0 || kd.d[2] != n || md.d[md.nbDims - 2] != n || md.d[md.nbDims - 1] != n) return false;
  for (int i = 0; i < md.nbDims - 2; ++i)
    if (md.d[i] != 1) return false;
  const DataType type = constant.getWeights().type;
  const uint8_t* p = constant.bytes().data();
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j)
      if (j <= i ? !inert(type, p, static_cast<size_t>(i * n + j)) : !masking(type, p, static_cast<size_t>(i * n + j)))
        return false;
  return true;
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
      if (!inert(type, p, i)) return false;
    return true;
  }
  // The mask's rows: one per query (its second-last dim Sq) or one for all (1); its columns the keys.
  const int64_t rows = md.d[md.nbDims - 2], keys = md.d[md.nbDims - 1];
  if (rows != 1 && rows != qd.d[2]) return false;
  for (size_t e = 0; e < count; ++e) {
    const int64_t j = static_cast<int64_t>(e) % keys, i = (static_cast<int64_t>(e) / keys) % rows;
    const int64_t lastRow = rows == 1 ? qd.d[2] - 1 : i;  // a shared row serves every query
    if (j <= lastRow && !inert(type, p, e)) return false;
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
