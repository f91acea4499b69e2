// RMS normalization written out as layers (T5's T5LayerNorm, LLaMA's RMSNorm before torch had rms_norm):
//   [w *] (x * rsqrt(mean(pow(x, 2), last axes, keepdim) + eps))     (rsqrt as 1 / sqrt, no-op casts anywhere)
// is six passes over the rows (T5-base's 25 of them took a third of its batch-32 call); one
// RMSNormalization layer is one, computing in FP32 and rounding once. x may be read through no-op casts
// (T5 squares `x.to(float32)` and scales x itself); every intermediate is read only by the chain.
#include <string>

#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"

namespace trt {
namespace passes {

namespace {

// The unary `op` producing `t` when only `t`'s consumer reads it, else nullptr.
ILayer* soleUnary(const INetworkDefinition& network, const ITensor* t, UnaryOperation op) {
  ILayer* p = soleUseProducer(network, t, LayerType::kUNARY);
  return p && static_cast<IUnaryLayer*>(p)->getOperation() == op ? p : nullptr;
}

struct RmsMatch {
  ITensor* x = nullptr;  // what is normalized
  uint32_t axes = 0;     // the reduced (last) dimensions
  float epsilon = 0.f;
};

// Whether `t` is x^2: pow(x, 2) or x * x, with x read through no-op casts; sets `x`.
bool isSquare(const INetworkDefinition& network, const ITensor* t, const ITensor*& x) {
  if (ILayer* pow = soleElementWise(network, t, ElementWiseOperation::kPOW)) {
    float e = 0.f;
    if (!scalarValue(pow->getInput(1), e) || e != 2.f) return false;
    x = castsSkipped(pow->getInput(0));
    return true;
  }
  if (ILayer* prod = soleElementWise(network, t, ElementWiseOperation::kPROD)) {
    x = castsSkipped(prod->getInput(0));
    return castsSkipped(prod->getInput(1)) == x;
  }
  return false;
}

// Whether `r` is rsqrt(mean(x^2) + eps) over x's last dims (keepdim), for x == `x` modulo no-op casts.
bool isInverseRms(const INetworkDefinition& network, const ITensor* r, const ITensor* x, RmsMatch& m) {
  if (ITensor* uncast = noOpCastInput(network, r)) r = uncast;
  ILayer* recip = soleUnary(network, r, UnaryOperation::kRECIP);
  ILayer* sqrt = recip ? soleUnary(network, recip->getInput(0), UnaryOperation::kSQRT) : nullptr;
  ILayer* sum = sqrt ? soleElementWise(network, sqrt->getInput(0), ElementWiseOperation::kSUM) : nullptr;
  if (!sum) return false;
  for (int side = 0; side < 2; ++side) {
    float eps = 0.f;
    if (!scalarValue(sum->getInput(1 - side), eps) || eps < 0.f) continue;
    ILayer* mean = soleUseProducer(network, sum->getInput(side), LayerType::kREDUCE);
    if (!mean || mean->precisionIsSet()) continue;
    const auto* reduce = static_cast<IReduceLayer*>(mean);
    const Dims xd = x->getDimensions();
    const uint32_t axes = reduce->getReduceAxes();
    // The axes: the last dims of x, at least one.
    uint32_t last = 0;
    for (int i = xd.nbDims - 1; i >= 0 && (axes >> i) & 1u; --i) last |= 1u << i;
    if (reduce->getOperation() != ReduceOperation::kAVG || !reduce->getKeepDimensions() || axes == 0 || axes != last)
      continue;
    const ITensor* squared = nullptr;
    if (!isSquare(network, mean->getInput(0), squared) || squared != castsSkipped(x)) continue;
    m.axes = axes;
    m.epsilon = eps;
    return true;
  }
  return false;
}

// Whether the product `prod` is x * rsqrt(mean(x^2) + eps) (either order); fills `m`.
bool matchProduct(const INetworkDefinition& network, const ILayer* prod, RmsMatch& m) {
  const ITensor* out = prod->getOutput(0);
  for (int side = 0; side < 2; ++side) {
    ITensor* x = prod->getInput(side);
    if (x->getDimensions() != out->getDimensions() || !isFloating(x->getType())) continue;
    if (isInverseRms(network, prod->getInput(1 - side), x, m)) {
      m.x = x;
      return true;
    }
  }
  return false;
}

// Whether `w` broadcasts to `x` (trailing dims equal or 1).
bool broadcastsTo(const Dims& w, const Dims& x) {
  if (w.nbDims > x.nbDims) return false;
  for (int i = 1; i <= w.nbDims; ++i)
    if (w.d[w.nbDims - i] != 1 && w.d[w.nbDims - i] != x.d[x.nbDims - i]) return false;
  return true;
}

}  // namespace

int32_t fuseRmsNormalization(INetworkDefinition& network) {
  int32_t fused = 0;
  // First `w * normalized(x)` with w a constant of x's type broadcast to x, then the unscaled form.
  for (bool scaled : {true, false}) {
    for (int l = 0; l < network.getNbLayers(); ++l) {
      ILayer* layer = network.getLayer(l);
      if (!isElementWise(layer, ElementWiseOperation::kPROD) || layer->precisionIsSet()) continue;
      ITensor* out = layer->getOutput(0);
      RmsMatch m;
      ITensor* scale = nullptr;
      if (scaled) {
        for (int side = 0; side < 2 && !m.x; ++side) {
          ITensor* w = layer->getInput(1 - side);
          ILayer* inner = soleUseProducer(network, layer->getInput(side), LayerType::kELEMENTWISE);
          if (!constantProducer(w) || w->getType() != out->getType() || !inner ||
              !isElementWise(inner, ElementWiseOperation::kPROD))
            continue;
          if (matchProduct(network, inner, m) && m.x->getDimensions() == out->getDimensions() &&
              broadcastsTo(w->getDimensions(), out->getDimensions()))
            scale = w;
          else
            m = RmsMatch{};
        }
      } else {
        matchProduct(network, layer, m);  // sets m.x only on a match
      }
      if (!m.x) continue;
      IRMSNormalizationLayer* norm = network.addRMSNormalization(*m.x, scale, m.axes);
      norm->setEpsilon(m.epsilon);
      norm->setName((std::string(layer->getName()) + " (RMS normalization)").c_str());
      network.moveLayer(norm, network.indexOf(layer));
      network.replaceAllUses(*out, *norm->getOutput(0));
      ++fused;
      l = network.indexOf(layer);
    }
  }
  return fused;
}

}  // namespace passes
}  // namespace trt
