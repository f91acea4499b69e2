// Builder pass: `scores.masked_fill(m, fill)` (or `where(m, scores, fill)`) read only by a softmax over its last
// axis, with a fill of -inf or at most -1e30 (DistilBERT's finfo(float32).min), becomes
// `scores + where(m, fill, 0)` (or `where(m, 0, fill)`): an additive mask,
// which the softmax then takes as its mask (softmax+mask fusion) and the attention fusion after it. The mask
// is computed from m before its expand to the scores' shape (an AND with an all-true constant), so it stays
// [B, 1, 1, S] and broadcasts.
//
// Exact for finite scores (the models' case: a NaN or infinite score at a masked key, which masked_fill discards,
// would spread through the sum): a kept score is s + 0 = s. A masked one is s + fill, which rounds to fill itself while
// |s| is below half of fill's float spacing (2^103 for finfo(float32).min, 2^75 at -1e30; an infinite fill absorbs
// every finite s), so a row with a live key weighs masked keys exp(fill - max) = 0 either way, and a row whose every
// key is masked sees the same equal scores (uniform weights for a finite fill, NaN for -inf) as masked_fill.
#include <cmath>
#include <string>
#include <vector>

#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"

namespace trt {
namespace passes {

namespace {
// Fills that every score the softmax can see rounds to when added.
constexpr float kAbsorbingFill = -1e30f;

// `cond` before an expand to a larger shape (its AND with an all-true bool constant), or `cond` itself.
ITensor* beforeExpand(const INetworkDefinition& network, ITensor* cond) {
  ILayer* p = soleUseProducer(network, cond, LayerType::kELEMENTWISE);
  if (!p || static_cast<IElementWiseLayer*>(p)->getOperation() != ElementWiseOperation::kAND) return cond;
  for (int side = 0; side < 2; ++side) {
    const IConstantLayer* ones = constantProducer(p->getInput(1 - side));
    if (ones && uniformBool(*ones) == 1 && p->getInput(side)->getType() == DataType::kBOOL) return p->getInput(side);
  }
  return cond;
}
}  // namespace

int32_t foldMaskedFillIntoAdditiveMask(INetworkDefinition& network) {
  int32_t folded = 0;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    ILayer* softmax = network.getLayer(l);
    if (softmax->getType() != LayerType::kSOFTMAX || softmax->getNbInputs() != 1) continue;
    const Dims dims = softmax->getInput(0)->getDimensions();
    const uint32_t axes = static_cast<ISoftMaxLayer*>(softmax)->getAxes();
    // The last axis, set or (for attention's rank 4) the default, which is the last of the three innermost.
    if (dims.nbDims < 1 || (axes != 1u << (dims.nbDims - 1) && !(axes == 0 && dims.nbDims == 4))) continue;
    ILayer* select = soleUseProducer(network, softmax->getInput(0), LayerType::kSELECT);
    if (!select) continue;
    // masked_fill(scores, m, fill) is where(m, fill, scores); where(m, scores, fill) keeps where m holds.
    ITensor* cond = select->getInput(0);
    const bool fillWhereTrue = select->getInput(1)->getDimensions() != dims;
    ITensor* fill = select->getInput(fillWhereTrue ? 1 : 2);
    ITensor* scores = select->getInput(fillWhereTrue ? 2 : 1);
    float value = 0.f;
    if (cond->getType() != DataType::kBOOL || !isFloating(scores->getType()) || fill->getType() != scores->getType() ||
        !(scores->getDimensions() == dims) || !scalarValueOrInfinity(fill, value) || !(value <= kAbsorbingFill))
      continue;
    // A constant condition is the attention fusion's (a causal triangle becomes its causal flag) or the uniform
    // select fold's; a run-time one (a padding mask) is this pass's.
    ITensor* m = beforeExpand(network, cond);
    if (constantProducer(m) || constantProducer(cond)) continue;
    // The new layers (the zero, the mask, the sum) run where the select did: every input they read is computed
    // before it.
    const int32_t first = network.getNbLayers(), at = network.indexOf(select);
    // A zero of the fill's type and rank (so it broadcasts as the fill does); all-zero bytes are +0 in every
    // floating type.
    Dims ones = fill->getDimensions();
    for (int i = 0; i < ones.nbDims; ++i) ones.d[i] = 1;
    const std::vector<uint8_t> zeroBytes(dataTypeSize(fill->getType()), 0);
    ITensor* zeroTensor = network.addConstant(ones, {fill->getType(), zeroBytes.data(), 1})->getOutput(0);
    ISelectLayer* mask =
        fillWhereTrue ? network.addSelect(*m, *fill, *zeroTensor) : network.addSelect(*m, *zeroTensor, *fill);
    mask->setName((std::string(select->getName()) + " [as an additive mask]").c_str());
    IElementWiseLayer* sum = network.addElementWise(*scores, *mask->getOutput(0), ElementWiseOperation::kSUM);
    sum->setName((std::string(select->getName()) + " [scores + mask]").c_str());
    for (int32_t k = 0; first + k < network.getNbLayers(); ++k) network.moveLayer(network.getLayer(first + k), at + k);
    softmax->setInput(0, *sum->getOutput(0));
    ++folded;
    l = network.indexOf(softmax);
  }
  return folded;
}

}  // namespace passes
}  // namespace trt
