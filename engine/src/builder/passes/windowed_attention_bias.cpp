// Shifted-window attention (Swin) adds its window mask through a 5-D view of the scores:
//   S = MatMul(Q, K^T) [B*nW, H, N, N] -> optional scaling by a scalar -> optional + P (relative-position bias,
//   constant [1, H, N, N])
//   -> reshape [B, nW, H, N, N] -> + M (constant [1, nW, 1, N, N]) -> reshape [B*nW, H, N, N]
//   -> SoftMax(last axis) -> MatMul(., V)
// The mask repeats every nW batches, which no 4-D bias broadcasts to. Read with batch B and nW*H heads
// instead (reshapes of Q, K, V and of the result: views), the two constants become one [1, nW*H, N, N] bias,
// and the chain is the plain attention the attention fusion takes whole.
#include <memory>
#include <string>
#include <vector>

#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"

namespace trt {
namespace passes {

namespace {
// A shuffle that only reshapes (no transposes, no run-time dims) read by nothing else.
IShuffleLayer* soleReshape(const INetworkDefinition& network, const ITensor* t) {
  ILayer* p = soleUseProducer(network, t, LayerType::kSHUFFLE);
  if (!p || p->getNbInputs() != 1 || p->precisionIsSet()) return nullptr;
  auto* shuffle = static_cast<IShuffleLayer*>(p);
  const Permutation first = shuffle->getFirstTranspose(), second = shuffle->getSecondTranspose();
  for (int i = 0; i < Dims::MAX_DIMS; ++i)
    if (first.order[i] != i || second.order[i] != i) return nullptr;
  return shuffle;
}

// A float32 constant whose dims, right-aligned to `rank`, broadcast to `full` with extent 1 in dim 0.
const IConstantLayer* broadcastConstant(const ITensor* t, const Dims& full) {
  const IConstantLayer* c = constantProducer(t);
  if (!c || c->getWeights().type != DataType::kFLOAT) return nullptr;
  const Dims d = c->getDimensions();
  if (d.nbDims > full.nbDims) return nullptr;
  for (int i = 1; i <= d.nbDims; ++i) {
    const int64_t e = d.d[d.nbDims - i], f = full.d[full.nbDims - i];
    if (e != 1 && (e != f || full.nbDims - i == 0)) return nullptr;
  }
  return c;
}

// Element `index` (of `full`'s rank) of a constant broadcast to `full`.
float broadcastValue(const IConstantLayer& c, const Dims& full, const int64_t* index) {
  const Dims d = c.getDimensions();
  const auto* values = reinterpret_cast<const float*>(c.bytes().data());
  int64_t offset = 0;
  for (int i = 0; i < d.nbDims; ++i) {
    const int64_t at = index[full.nbDims - d.nbDims + i];
    offset = offset * d.d[i] + (d.d[i] == 1 ? 0 : at);
  }
  return values[offset];
}

}  // namespace

int32_t foldWindowedAttentionBias(INetworkDefinition& network) {
  int32_t folded = 0;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    ILayer* layer = network.getLayer(l);
    if (layer->getType() != LayerType::kSOFTMAX || layer->getNbInputs() != 1 || layer->precisionIsSet()) continue;
    auto* softmax = static_cast<ISoftMaxLayer*>(layer);
    const Dims sd = softmax->getInput(0)->getDimensions();
    if (sd.nbDims != 4 || !sd.isStatic() || softmax->getAxes() != 1u << 3) continue;
    ILayer* pvLayer = soleConsumer(network, softmax->getOutput(0));
    if (!pvLayer || pvLayer->getType() != LayerType::kMATRIX_MULTIPLY || pvLayer->getNbInputs() != 2 ||
        pvLayer->getInput(0) != softmax->getOutput(0) || pvLayer->precisionIsSet())
      continue;
    auto* pv = static_cast<IMatrixMultiplyLayer*>(pvLayer);
    if (pv->getOperation(0) != MatrixOperation::kNONE || pv->getOperation(1) != MatrixOperation::kNONE ||
        pv->getFusedActivation() >= 0 || pv->isInt8() || pv->isFp8() || pv->getAlpha() != 1.f)
      continue;
    // reshape [B, nW, H, N, N] -> [B*nW, H, N, N] of (5-D scores + M) of reshape of the 4-D scores.
    IShuffleLayer* merge = soleReshape(network, softmax->getInput(0));
    if (!merge) continue;
    const Dims wd = merge->getInput(0)->getDimensions();
    if (wd.nbDims != 5 || wd.d[0] * wd.d[1] != sd.d[0] || wd.d[2] != sd.d[1] || wd.d[3] != sd.d[2] ||
        wd.d[4] != sd.d[3])
      continue;
    ILayer* maskAdd = soleElementWise(network, merge->getInput(0), ElementWiseOperation::kSUM);
    if (!maskAdd || maskAdd->precisionIsSet()) continue;
    IShuffleLayer* split = nullptr;
    const IConstantLayer* mask = nullptr;
    for (int side = 0; side < 2 && !split; ++side) {
      split = soleReshape(network, maskAdd->getInput(side));
      mask = broadcastConstant(maskAdd->getInput(1 - side), wd);
      if (!split || !mask || split->getOutput(0)->getDimensions() != wd || split->getInput(0)->getDimensions() != sd)
        split = nullptr;
    }
    if (!split || split->getInput(0)->getType() != DataType::kFLOAT) continue;
    // The 4-D scores: the product, optionally scaled by a scalar (Hugging Face's Swin divides by sqrt(d) there),
    // optionally plus a constant relative-position bias.
    ITensor* scores = split->getInput(0);
    const IConstantLayer* position = nullptr;
    float scale = 1.f;
    ILayer* scoreProducer = scores->getProducer();
    if (scoreProducer && isElementWise(scoreProducer, ElementWiseOperation::kSUM) && !scoreProducer->precisionIsSet() &&
        soleConsumer(network, scores) == split) {
      for (int side = 0; side < 2 && !position; ++side) {
        ITensor* product = scoreProducer->getInput(side);
        float s = 1.f;
        if (ITensor* unscaled = scalarScaled(network, product, s)) product = unscaled;
        const ILayer* p = product->getProducer();
        if (!p || p->getType() != LayerType::kMATRIX_MULTIPLY || scoreProducer->getInput(side)->getDimensions() != sd)
          continue;
        position = broadcastConstant(scoreProducer->getInput(1 - side), sd);
        if (!position) continue;
        scores = product;
        scale = s;
      }
      if (!position) continue;
    } else if (ITensor* unscaled = scalarScaled(network, scores, scale)) {
      scores = unscaled;
    }
    ILayer* qkLayer = soleUseProducer(network, scores, LayerType::kMATRIX_MULTIPLY);
    if (!qkLayer || qkLayer->getNbInputs() != 2 || qkLayer->precisionIsSet()) continue;
    auto* qk = static_cast<IMatrixMultiplyLayer*>(qkLayer);
    if (qk->getOperation(0) != MatrixOperation::kNONE || qk->getFusedActivation() >= 0 || qk->isInt8() || qk->isFp8() ||
        (qk->getOperation(1) != MatrixOperation::kNONE && qk->getOperation(1) != MatrixOperation::kTRANSPOSE))
      continue;
    ITensor* q = qk->getInput(0);
    ITensor* k = qk->getInput(1);
    MatrixOperation kOp = qk->getOperation(1);
    // K^T as a transpose of K's last two dims: K reshaped and read transposed by the product (attention then
    // reads K as it is; a reshape of K^T would need a transpose back).
    if (kOp == MatrixOperation::kNONE) {
      const ILayer* p = k->getProducer();
      if (isMovingShuffle(p) && p->getNbInputs() == 1 && !p->precisionIsSet()) {
        const auto* t = static_cast<const IShuffleLayer*>(p);
        const Permutation first = t->getFirstTranspose(), second = t->getSecondTranspose();
        bool swapsLastTwo = !t->hasReshape() && p->getInput(0)->getDimensions().nbDims == 4 && first.order[0] == 0 &&
                            first.order[1] == 1 && first.order[2] == 3 && first.order[3] == 2;
        for (int i = 0; i < Dims::MAX_DIMS; ++i) swapsLastTwo &= second.order[i] == i;
        if (swapsLastTwo) {
          k = p->getInput(0);
          kOp = MatrixOperation::kTRANSPOSE;
        }
      }
    }
    ITensor* v = pv->getInput(1);
    const Dims qd = q->getDimensions(), kd = k->getDimensions(), vd = v->getDimensions();
    auto sameBatch = [&](const Dims& d) {
      return d.nbDims == 4 && d.isStatic() && d.d[0] == sd.d[0] && d.d[1] == sd.d[1];
    };
    if (!sameBatch(qd) || !sameBatch(kd) || !sameBatch(vd)) continue;

    // The combined bias C[0, w * H + h, i, j] = P[h, i, j] + M[w, h, i, j] (each broadcast).
    const int64_t B = wd.d[0], nW = wd.d[1], H = wd.d[2], N = wd.d[3], N2 = wd.d[4];
    auto combined = std::make_shared<std::vector<float>>(static_cast<size_t>(nW * H * N * N2));
    int64_t at = 0;
    for (int64_t w = 0; w < nW; ++w)
      for (int64_t h = 0; h < H; ++h)
        for (int64_t i = 0; i < N; ++i)
          for (int64_t j = 0; j < N2; ++j) {
            const int64_t five[5] = {0, w, h, i, j}, four[4] = {0, h, i, j};
            (*combined)[static_cast<size_t>(at++)] =
                broadcastValue(*mask, wd, five) + (position ? broadcastValue(*position, sd, four) : 0.f);
          }
    IConstantLayer* bias =
        network.addConstant(Dims{1, nW * H, N, N2}, {DataType::kFLOAT, combined->data(), at}, combined);
    bias->setName((std::string(softmax->getName()) + " [window mask + position bias]").c_str());
    network.moveLayer(bias, network.indexOf(pv));
    ITensor* qr = reshapedBefore(network, *q, Dims{B, nW * H, qd.d[2], qd.d[3]}, pv,
                                 std::string(q->getName()) + " [queries by windows x heads]");
    ITensor* kr = reshapedBefore(network, *k, Dims{B, nW * H, kd.d[2], kd.d[3]}, pv,
                                 std::string(k->getName()) + " [keys by windows x heads]");
    ITensor* vr = reshapedBefore(network, *v, Dims{B, nW * H, vd.d[2], vd.d[3]}, pv,
                                 std::string(v->getName()) + " [values by windows x heads]");
    IMatrixMultiplyLayer* s = network.addMatrixMultiply(*qr, MatrixOperation::kNONE, *kr, kOp);
    s->setAlpha(qk->getAlpha() * scale);
    s->setName((std::string(qk->getName()) + " [by windows x heads]").c_str());
    network.moveLayer(s, network.indexOf(pv));
    IElementWiseLayer* sum = network.addElementWise(*s->getOutput(0), *bias->getOutput(0), ElementWiseOperation::kSUM);
    sum->setName((std::string(maskAdd->getName()) + " [by windows x heads]").c_str());
    network.moveLayer(sum, network.indexOf(pv));
    ISoftMaxLayer* weights = network.addSoftMax(*sum->getOutput(0));
    weights->setAxes(1u << 3);
    weights->setName((std::string(softmax->getName()) + " [by windows x heads]").c_str());
    network.moveLayer(weights, network.indexOf(pv));
    IMatrixMultiplyLayer* o =
        network.addMatrixMultiply(*weights->getOutput(0), MatrixOperation::kNONE, *vr, MatrixOperation::kNONE);
    o->setName((std::string(pv->getName()) + " [by windows x heads]").c_str());
    network.moveLayer(o, network.indexOf(pv));
    ITensor* out = reshapedBefore(network, *o->getOutput(0), pv->getOutput(0)->getDimensions(), pv,
                                  std::string(o->getOutput(0)->getName()) + " [output by windows x heads]");
    network.replaceAllUses(*pv->getOutput(0), *out);
    ++folded;
    l = network.indexOf(pv);
  }
  return folded;
}

}  // namespace passes
}  // namespace trt
