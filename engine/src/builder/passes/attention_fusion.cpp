// Scaled dot-product attention written out as layers becomes one Attention layer:
//   MatMul(Q, K^T) [alpha] -> optional PROD / DIV by a scalar constant -> optional where() with a constant
//   causal triangle (becomes the layer's causal flag) -> optional + bias (T5's position bias; joins the mask)
//   -> SoftMax over the last axis [optional additive mask, folded in by the softmax+mask fusion]
//   -> MatMul(., V), no-op casts anywhere between
// with Q, K, V 4-D [B, H, S, D]. K^T is the product's transposed operand, or any 4-D tensor (K is then
// read through one shuffle: the head split's own permute changed, or a transpose added). The fused
// layer keeps the softmax's NaN for a row whose every score is -inf (setZeroFullyMaskedRows(false)), so
// its result is the chain's.
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <utility>

#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"

namespace trt {
namespace passes {

namespace {
// A product the fusion may absorb: two inputs, no bias, activation, INT8 or
// pinned precision.
IMatrixMultiplyLayer* plainProduct(ILayer* layer) {
  if (!layer || layer->getType() != LayerType::kMATRIX_MULTIPLY || layer->getNbInputs() != 2 || layer->precisionIsSet())
    return nullptr;
  auto* mm = static_cast<IMatrixMultiplyLayer*>(layer);
  if (mm->getFusedActivation() >= 0 || mm->isInt8() || mm->getOperation(0) != MatrixOperation::kNONE) return nullptr;
  return mm;
}

// K from K^T (4-D): a transpose-only shuffle's input read with its
// permutation's last two entries swapped (the head split's permute and the
// transpose folded into one: a new shuffle replaces it, or none when the
// swapped permutation is the identity), else a new shuffle transposing K^T. New
// layers are placed before `before`.
ITensor* untransposed(INetworkDefinition& network, ITensor* kt, ILayer* before) {
  ITensor* source = kt;
  Permutation order;
  order.order[2] = 3, order.order[3] = 2;
  const ILayer* p = kt->getProducer();
  if (isMovingShuffle(p) && p->getNbInputs() == 1 && !p->precisionIsSet()) {
    const auto* shuffle = static_cast<const IShuffleLayer*>(p);
    const Permutation first = shuffle->getFirstTranspose(), second = shuffle->getSecondTranspose();
    bool transposeOnly = !shuffle->hasReshape() && p->getInput(0)->getDimensions().nbDims == 4;
    for (int i = 0; i < 4; ++i) transposeOnly &= second.order[i] == i;
    if (transposeOnly) {
      source = p->getInput(0);
      order = first;
      std::swap(order.order[2], order.order[3]);
    }
  }
  bool identity = true;
  for (int i = 0; i < 4; ++i) identity &= order.order[i] == i;
  if (identity) return source;
  IShuffleLayer* transpose = network.addShuffle(*source);
  transpose->setFirstTranspose(order);
  transpose->setName((std::string(kt->getName()) + " [K for attention]").c_str());
  network.moveLayer(transpose, network.indexOf(before));
  return transpose->getOutput(0);
}

// Whether every row of the softmax's additive mask keeps a key at or before the diagonal: a constant
// whose row i (for a row shared by every query, row 0, the strictest) has a float above -1e30 or a bool
// true at some key j <= i. A row that masks all of those keys would weigh the where()'s filled keys
// equally with them in the chain (finfo.min + finfo.min rounds to finfo.min) and differ from causal
// attention; a mask computed at run time (a padding mask) is not known to keep them.
bool maskKeepsAKeyAtOrBeforeTheDiagonal(const ITensor* mask) {
  const IConstantLayer* constant = constantProducer(mask);
  if (!constant) return false;
  const Dims md = constant->getDimensions();
  const DataType type = constant->getWeights().type;
  if (md.nbDims < 1 || (type != DataType::kFLOAT && type != DataType::kBOOL)) return false;
  const int64_t keys = md.d[md.nbDims - 1], rows = md.nbDims >= 2 ? md.d[md.nbDims - 2] : 1;
  const int64_t count = constant->getWeights().count;
  if (keys <= 0 || rows <= 0 || count % (rows * keys) != 0) return false;
  const uint8_t* p = constant->bytes().data();
  for (int64_t r = 0; r < count / keys; ++r) {
    const int64_t i = rows == 1 ? 0 : r % rows;
    bool kept = false;
    for (int64_t j = 0; j <= i && j < keys && !kept; ++j)
      kept = !maskElementLeavesOut(type, p, static_cast<size_t>(r * keys + j));
    if (!kept) return false;
  }
  return true;
}

// The scores of `where(causal, scores, fill)` when only the softmax reads it: the condition a bool constant
// holding the top-left causal triangle over the last two dims of square scores (every row keeps key 0),
// `fill` a scalar at most -1e30 (GPT-2's finfo(float32).min; exactly that when the softmax also adds a
// mask, which must then keep a key at or before the diagonal in every row). exp(fill - max) is 0 in
// float, so the left-out keys weigh exactly 0, as in causal attention. Else nullptr.
ITensor* causalSelectInput(const INetworkDefinition& network, const ITensor* t, const ITensor* softmaxMask) {
  ILayer* p = soleUseProducer(network, t, LayerType::kSELECT);
  if (!p || p->precisionIsSet() || p->getNbInputs() != 3) return nullptr;
  ITensor* scores = p->getInput(1);
  const Dims sd = scores->getDimensions();
  if (sd != t->getDimensions() || sd.nbDims != 4 || sd.d[2] != sd.d[3] || sd.d[2] <= 0) return nullptr;
  float fill = 0.f;
  if (!scalarValue(p->getInput(2), fill) || fill > -1e30f) return nullptr;
  // With an additive mask after it, fill + mask must still weigh 0: finfo.min plus any mask value that
  // masks anything overflows to -inf (a fill nearer zero could round back to the mask's own value), and
  // every row must keep a live key of its own.
  if (softmaxMask && (fill != std::numeric_limits<float>::lowest() || !maskKeepsAKeyAtOrBeforeTheDiagonal(softmaxMask)))
    return nullptr;
  const IConstantLayer* condition = constantProducer(p->getInput(0));
  if (!condition || condition->getWeights().type != DataType::kBOOL || !isCausalTriangleConstant(*condition, sd.d[2]))
    return nullptr;
  return scores;
}

// Batch and head extents equal (a dynamic -1 only against -1: the same run-time
// size in the graphs that attention comes from; the product would broadcast a
// 1, the Attention layer does not).
bool sameLeadingDims(const Dims& a, const Dims& b) { return a.d[0] == b.d[0] && a.d[1] == b.d[1]; }

// The scores of `scores + bias` when only the softmax's chain reads the sum and `bias` (of the scores' type,
// static, at most 4-D) broadcasts to the scores: T5's relative-position bias [1, H, S, S]. Else nullptr.
ITensor* additiveBiasInput(const INetworkDefinition& network, const ITensor* t, ITensor*& bias) {
  ILayer* add = soleElementWise(network, t, ElementWiseOperation::kSUM);
  if (!add || add->precisionIsSet()) return nullptr;
  const Dims sd = t->getDimensions();
  // The scores side first where a product makes it (a full-shape bias may be either operand).
  const ILayer* first = add->getInput(0)->getProducer();
  const int firstSide = first && first->getType() == LayerType::kMATRIX_MULTIPLY ? 0 : 1;
  for (int i = 0; i < 2; ++i) {
    const int side = i == 0 ? firstSide : 1 - firstSide;
    ITensor* scores = add->getInput(side);
    ITensor* other = add->getInput(1 - side);
    const Dims bd = other->getDimensions();
    if (scores->getDimensions() != sd || other->getType() != scores->getType() || !bd.isStatic() || bd.nbDims > 4)
      continue;
    bool broadcasts = true;
    for (int i = 1; i <= bd.nbDims; ++i)
      broadcasts &= bd.d[bd.nbDims - i] == 1 || bd.d[bd.nbDims - i] == sd.d[sd.nbDims - i];
    if (!broadcasts) continue;
    bias = other;
    return scores;
  }
  return nullptr;
}

// Whether `mask` is a constant every element of which masks nothing (a float zero): adding it changes no score.
bool isInertConstant(const ITensor* mask) {
  const IConstantLayer* constant = constantProducer(mask);
  if (!constant) return false;
  const DataType type = constant->getWeights().type;
  const uint8_t* p = constant->bytes().data();
  for (size_t i = 0, n = static_cast<size_t>(constant->getWeights().count); i < n; ++i)
    if (!maskElementInert(type, p, i)) return false;
  return true;
}
}  // namespace

int32_t fuseAttention(INetworkDefinition& network) {
  int32_t fused = 0;
  // One sum per (bias, softmax mask) pair: T5's twelve layers read one position bias and one padding mask.
  std::map<std::pair<const ITensor*, const ITensor*>, ITensor*> combinedMasks;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    IMatrixMultiplyLayer* pv = plainProduct(network.getLayer(l));
    if (!pv || pv->getOperation(1) != MatrixOperation::kNONE || pv->getAlpha() != 1.f) continue;
    ITensor* v = pv->getInput(1);
    ITensor* weights = pv->getInput(0);
    if (ITensor* uncast = noOpCastInput(network, weights)) weights = uncast;
    ILayer* softmax = soleUseProducer(network, weights, LayerType::kSOFTMAX);
    if (!softmax || softmax->precisionIsSet()) continue;
    const uint32_t axes = static_cast<ISoftMaxLayer*>(softmax)->getAxes();
    if (softmax->getInput(0)->getDimensions().nbDims != 4 || (axes != 0 && axes != 1u << 3)) continue;
    ITensor* mask = softmax->getNbInputs() > 1 ? softmax->getInput(1) : nullptr;
    // Between the product and the softmax, in any order: an optional scaling by a scalar constant, an
    // optional causal where(), and no-op casts; nearest the softmax, an optional additive bias.
    ITensor* scores = softmax->getInput(0);
    ITensor* bias = nullptr;
    float scale = 1.f;
    bool scaled = false, causal = false;
    for (int step = 0; step < 7; ++step) {
      if (ITensor* uncast = noOpCastInput(network, scores)) {
        scores = uncast;
        continue;
      }
      // Only after the scaling (a scaling after it would scale the bias too) and outside the where() (whose
      // kept keys a run-time bias could all mask, leaving the filled ones weighed in the chain).
      if (ITensor* unbiased = bias || scaled || causal ? nullptr : additiveBiasInput(network, scores, bias)) {
        scores = unbiased;
        continue;
      }
      // The where() only between the scaling and the softmax: a scaling after it would scale the fill too.
      // Not below a bias either: the where()'s check that every row keeps a key covers the softmax's mask only.
      if (ITensor* unmasked = causal || scaled || bias ? nullptr : causalSelectInput(network, scores, mask)) {
        scores = unmasked;
        causal = true;
        continue;
      }
      ILayer* scaling = scaled ? nullptr : soleUseProducer(network, scores, LayerType::kELEMENTWISE);
      if (!scaling || scaling->precisionIsSet()) break;
      const ElementWiseOperation op = static_cast<IElementWiseLayer*>(scaling)->getOperation();
      float c = 0.f;
      for (int side = 0; side < (op == ElementWiseOperation::kPROD ? 2 : 1) && !scaled; ++side) {
        if ((op != ElementWiseOperation::kPROD && op != ElementWiseOperation::kDIV) ||
            !scalarValue(scaling->getInput(1 - side), c) ||
            scaling->getInput(side)->getDimensions() != scores->getDimensions())
          continue;
        scale = op == ElementWiseOperation::kPROD ? c : 1.f / c;
        scores = scaling->getInput(side);
        scaled = true;
      }
      if (!scaled) break;
    }
    IMatrixMultiplyLayer* qk = plainProduct(soleUseProducer(network, scores, LayerType::kMATRIX_MULTIPLY));
    if (!qk || !std::isfinite(scale * qk->getAlpha())) continue;
    ITensor* q = qk->getInput(0);
    const MatrixOperation kOp = qk->getOperation(1);
    ITensor* kIn = qk->getInput(1);
    const Dims qd = q->getDimensions(), kd = kIn->getDimensions(), vd = v->getDimensions();
    if ((kOp != MatrixOperation::kTRANSPOSE && kOp != MatrixOperation::kNONE) || qd.nbDims != 4 || kd.nbDims != 4 ||
        vd.nbDims != 4 || !sameLeadingDims(qd, kd) || !sameLeadingDims(qd, vd) || q->getType() != kIn->getType() ||
        q->getType() != v->getType())
      continue;
    // The bias joins the softmax's mask: alone when the mask adds zeros only, else through one sum of both.
    if (bias && (!mask || isInertConstant(mask))) {
      mask = bias;
    } else if (bias) {
      ITensor*& both = combinedMasks[{bias, mask}];
      if (!both) {
        IElementWiseLayer* sum = network.addElementWise(*bias, *mask, ElementWiseOperation::kSUM);
        sum->setName((std::string(softmax->getName()) + " [bias + mask for attention]").c_str());
        network.moveLayer(sum, network.indexOf(pv));
        both = sum->getOutput(0);
      }
      mask = both;
    }
    ITensor* k = kOp == MatrixOperation::kTRANSPOSE ? kIn : untransposed(network, kIn, pv);
    IAttentionLayer* attention = network.addAttention(*q, *k, *v, mask);
    attention->setScale(scale * qk->getAlpha());
    attention->setZeroFullyMaskedRows(false);
    attention->setCausal(causal);
    attention->setName((std::string(qk->getName()) + " + " + softmax->getName() + " + " + pv->getName()).c_str());
    network.moveLayer(attention, network.indexOf(pv));
    network.replaceAllUses(*pv->getOutput(0), *attention->getOutput(0));
    ++fused;
    l = network.indexOf(pv);  // past the (now dead) second product and the layers put before it
  }
  return fused;
}

}  // namespace passes
}  // namespace trt
