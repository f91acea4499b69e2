// Scaled dot-product attention written out as layers becomes one Attention layer:
//   MatMul(Q, K^T) [alpha] -> optional PROD / DIV by a scalar constant -> SoftMax over the last axis
//   [optional additive mask, folded in by the softmax+mask fusion] -> MatMul(., V)
// with Q, K, V 4-D [B, H, S, D]. K^T is the product's transposed operand, or any 4-D tensor (K is then
// read through one shuffle: the head split's own permute changed, or a transpose added). The fused
// layer keeps the softmax's NaN for a row whose every score is -inf (setZeroFullyMaskedRows(false)), so
// its result is the chain's.
#include <cmath>
#include <string>
#include <utility>

#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"
#include "common/half.h"

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

// The single value of a scalar floating constant, or false.
bool scalarValue(const ITensor* t, float& value) {
  const IConstantLayer* c = constantProducer(t);
  if (!c) return false;
  const Weights w = c->getWeights();
  if (w.count != 1 || !w.values) return false;
  if (w.type == DataType::kFLOAT)
    value = *static_cast<const float*>(w.values);
  else if (w.type == DataType::kHALF)
    value = halfToFloat(*static_cast<const uint16_t*>(w.values));
  else if (w.type == DataType::kBF16)
    value = bf16ToFloat(*static_cast<const uint16_t*>(w.values));
  else
    return false;
  return std::isfinite(value);
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
  if (p && p->getType() == LayerType::kSHUFFLE && p->getNbInputs() == 1 && !p->precisionIsSet()) {
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

// Batch and head extents equal (a dynamic -1 only against -1: the same run-time
// size in the graphs that attention comes from; the product would broadcast a
// 1, the Attention layer does not).
bool sameLeadingDims(const Dims& a, const Dims& b) { return a.d[0] == b.d[0] && a.d[1] == b.d[1]; }
}  // namespace

int32_t fuseAttention(INetworkDefinition& network) {
  int32_t fused = 0;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    IMatrixMultiplyLayer* pv = plainProduct(network.getLayer(l));
    if (!pv || pv->getOperation(1) != MatrixOperation::kNONE || pv->getAlpha() != 1.f) continue;
    ITensor* v = pv->getInput(1);
    ILayer* softmax = soleUseProducer(network, pv->getInput(0), LayerType::kSOFTMAX);
    if (!softmax || softmax->precisionIsSet()) continue;
    const uint32_t axes = static_cast<ISoftMaxLayer*>(softmax)->getAxes();
    if (softmax->getInput(0)->getDimensions().nbDims != 4 || (axes != 0 && axes != 1u << 3)) continue;
    ITensor* mask = softmax->getNbInputs() > 1 ? softmax->getInput(1) : nullptr;
    // An optional scaling by a scalar constant between the product and the
    // softmax.
    ITensor* scores = softmax->getInput(0);
    float scale = 1.f;
    ILayer* scaling = soleUseProducer(network, scores, LayerType::kELEMENTWISE);
    if (scaling && !scaling->precisionIsSet()) {
      const ElementWiseOperation op = static_cast<IElementWiseLayer*>(scaling)->getOperation();
      float c = 0.f;
      for (int side = 0; side < (op == ElementWiseOperation::kPROD ? 2 : 1); ++side) {
        if ((op != ElementWiseOperation::kPROD && op != ElementWiseOperation::kDIV) ||
            !scalarValue(scaling->getInput(1 - side), c) ||
            scaling->getInput(side)->getDimensions() != scores->getDimensions())
          continue;
        scale = op == ElementWiseOperation::kPROD ? c : 1.f / c;
        scores = scaling->getInput(side);
        break;
      }
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
    ITensor* k = kOp == MatrixOperation::kTRANSPOSE ? kIn : untransposed(network, kIn, pv);
    IAttentionLayer* attention = network.addAttention(*q, *k, *v, mask);
    attention->setScale(scale * qk->getAlpha());
    attention->setZeroFullyMaskedRows(false);
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
