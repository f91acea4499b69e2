// FP8 from a quantization-aware model's own scales. Its graph quantizes as PyTorch writes it,
// `(x / s).clamp(-448, 448).to(torch.float8_e4m3fn)`, and dequantizes as `q.to(torch.float32) * s`, which the
// frontend converts to a quantization and a dequantization with scale 1 around the division, clip and multiply.
// Here the scale moves into them (exactly: FP8 quantization divides, fp8::quantize), and a product by constant
// weights reading such a dequantization becomes an FP8 product reading the codes themselves, where its weights lie
// on an FP8 grid (a QAT model's fake-quantized weights) so that their codes are exact too.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"
#include "common/fp8.h"

namespace trt {
namespace passes {

namespace {
// A positive finite float32 scalar constant's value, or false.
bool positiveScalar(const ITensor* t, float& value) {
  const IConstantLayer* c = constantProducer(t);
  return c && c->getWeights().type == DataType::kFLOAT && scalarValue(t, value) && value > 0.f;
}

bool isFp8Quantize(const ILayer* layer) {
  return layer && layer->getType() == LayerType::kQUANTIZE &&
         static_cast<const IQuantizeLayer*>(layer)->getToType() == DataType::kFP8;
}

// Whether `v` is exactly its code times `scale` in float32 (as PyTorch's fake quantization computed it).
bool onGrid(float v, float scale) { return fp8::toFloat(fp8::quantize(v, scale)) * scale == v; }
}  // namespace

int32_t foldFp8QuantizationScales(INetworkDefinition& network) {
  int32_t changed = 0;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    ILayer* layer = network.getLayer(l);
    if (layer->precisionIsSet()) continue;
    if (isFp8Quantize(layer)) {
      auto* q = static_cast<IQuantizeLayer*>(layer);
      if (q->getScales().size() != 1 || q->getScales()[0] != 1.f || q->getFusedActivation() >= 0) continue;
      // A clip to at least [-448, 448] before it changes nothing: the quantization saturates there.
      ITensor* quotient = q->getInput(0);
      if (ILayer* clip = soleUseProducer(network, quotient, LayerType::kACTIVATION)) {
        const auto* act = static_cast<const IActivationLayer*>(clip);
        if (!clip->precisionIsSet() && act->getActivationType() == ActivationType::kCLIP &&
            act->getAlpha() <= -fp8::kMax && act->getBeta() >= fp8::kMax)
          quotient = clip->getInput(0);
      }
      // x / s in float32 before it: the quantization divides by its scale in float32 itself.
      ILayer* div = soleElementWise(network, quotient, ElementWiseOperation::kDIV);
      float s = 0.f;
      if (div && !div->precisionIsSet() && div->getOutput(0)->getType() == DataType::kFLOAT &&
          div->getInput(0)->getType() == DataType::kFLOAT &&
          div->getInput(0)->getDimensions() == div->getOutput(0)->getDimensions() &&
          positiveScalar(div->getInput(1), s)) {
        q->setInput(0, *div->getInput(0));
        q->setScales({s});
        ++changed;
      } else if (quotient != q->getInput(0)) {
        q->setInput(0, *quotient);
        ++changed;
      }
      continue;
    }
    // q.to(float32) * s: the dequantization multiplies by its scale in float32 (q exact in float32).
    if (layer->getType() != LayerType::kDEQUANTIZE || layer->getInput(0)->getType() != DataType::kFP8) continue;
    auto* dq = static_cast<IDequantizeLayer*>(layer);
    if (dq->getScales().size() != 1 || dq->getScales()[0] != 1.f) continue;
    ILayer* mul = soleConsumer(network, dq->getOutput(0));
    if (!mul || !isElementWise(mul, ElementWiseOperation::kPROD) || mul->precisionIsSet() ||
        mul->getOutput(0)->getType() != DataType::kFLOAT)
      continue;
    const int side = mul->getInput(0) == dq->getOutput(0) ? 0 : 1;
    float s = 0.f;
    if (!positiveScalar(mul->getInput(1 - side), s) ||
        mul->getOutput(0)->getDimensions() != dq->getOutput(0)->getDimensions())
      continue;
    dq->setScales({s});
    network.replaceAllUses(*mul->getOutput(0), *dq->getOutput(0));
    ++changed;
  }
  return changed;
}

bool fp8GridCodes(const std::vector<float>& values, float& scale, std::vector<uint8_t>& codes) {
  float amax = 0.f;
  for (float v : values) {
    if (!std::isfinite(v)) return false;
    amax = std::max(amax, std::fabs(v));
  }
  // amax / m for every positive finite E4M3 value m, largest m first, and the floats two steps either side of each
  // (amax / m need not round back to the model's scale s, from which amax = m s was rounded).
  std::vector<float> candidates;
  if (amax == 0.f) {
    candidates.push_back(1.f);
  } else {
    for (int code = 0x7E; code >= 0x01; --code) {
      const float base = amax / fp8::toFloat(static_cast<uint8_t>(code));
      float below = base, above = base;
      candidates.push_back(base);
      for (int step = 0; step < 2; ++step) {
        below = std::nextafter(below, 0.f);
        above = std::nextafter(above, INFINITY);
        candidates.push_back(below);
        candidates.push_back(above);
      }
    }
  }
  const size_t sample = std::min<size_t>(values.size(), 256);
  for (float s : candidates) {
    if (!std::isfinite(s) || s <= 0.f) continue;
    bool fits = true;
    for (size_t i = 0; fits && i < sample; ++i) fits = onGrid(values[i], s);
    for (size_t i = sample; fits && i < values.size(); ++i) fits = onGrid(values[i], s);
    if (!fits) continue;
    scale = s;
    codes.resize(values.size());
    for (size_t i = 0; i < values.size(); ++i) codes[i] = fp8::quantize(values[i], s);
    return true;
  }
  return false;
}

int32_t fuseFp8QuantizedProducts(INetworkDefinition& network) {
  int32_t fused = 0;
  ZeroBiases zeros;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    ILayer* layer = network.getLayer(l);
    if (layer->getType() != LayerType::kMATRIX_MULTIPLY || !canRunInFp8(*layer)) continue;
    auto* mm = static_cast<IMatrixMultiplyLayer*>(layer);
    ILayer* producer = mm->getInput(0)->getProducer();
    if (!producer || producer->getType() != LayerType::kDEQUANTIZE ||
        producer->getInput(0)->getType() != DataType::kFP8)
      continue;
    const auto* dq = static_cast<const IDequantizeLayer*>(producer);
    if (dq->getScales().size() != 1) continue;
    // Weights off every FP8 grid (not fake-quantized) would change in FP8: the product stays float, exact.
    int64_t parts = 0, N = 0, K = 0;
    const std::vector<float> rows = productWeightRows(*mm, parts, N, K);
    float weightScale = 0.f;
    std::vector<uint8_t> codes;
    if (!fp8GridCodes(rows, weightScale, codes)) continue;
    useQuantizedWeights(network, *mm, DataType::kFP8, codes.data(), parts, N, K, " (fp8 weights)");
    mm->setFp8Scales(dq->getScales()[0], weightScale);
    if (mm->getNbInputs() < 3) mm->setInput(2, *zeros.of(network, N, DataType::kFLOAT, mm->getName()));
    mm->setInput(0, *dq->getInput(0));
    mm->setName((std::string(mm->getName()) + " [fp8 from " + dq->getName() + "]").c_str());
    ++fused;
  }
  return fused;
}

}  // namespace passes
}  // namespace trt
