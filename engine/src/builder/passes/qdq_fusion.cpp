// Q/DQ fusion: a convolution reading dequantize(quantize(x)) with one scale s computes in INT8 what
// the FP32 convolution of the fake-quantized x computes: x quantized with s, the weights on their own
// per-output-channel scales (the grid a quantization-aware model trained them on, when they are on one).
#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"
#include "common/int8.h"

namespace trt {
namespace passes {

namespace {
// Layers that commute with quantization (monotone, 0 -> 0): quantize(f(x)) == f(quantize(x)), so a
// dequantize may sit before them and the convolution after them still reads quantized values.
bool commutesWithQuantization(const ILayer* layer) {
  if (layer->getType() == LayerType::kACTIVATION)
    return static_cast<const IActivationLayer*>(layer)->getActivationType() == ActivationType::kRELU;
  if (layer->getType() == LayerType::kPOOLING) {
    const auto* pool = static_cast<const IPoolingLayer*>(layer);
    return pool->getPoolingType() == PoolingType::kMAX;
  }
  return false;
}
}  // namespace

int32_t fuseQuantizedConvolution(INetworkDefinition& network) {
  int32_t fused = 0;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    ILayer* layer = network.getLayer(l);
    if (layer->getType() != LayerType::kCONVOLUTION) continue;
    auto* conv = static_cast<IConvolutionLayer*>(layer);
    if (conv->isInt8()) continue;
    // dequantize -> (relu | max pool, each read only by the next)* -> convolution.
    ILayer* dqLayer = conv->getInput(0)->getProducer();
    ILayer* firstCommuting = nullptr;
    bool chain = true;
    while (dqLayer && commutesWithQuantization(dqLayer) && chain) {
      chain = countUses(network, dqLayer->getOutput(0)) == 1 && !dqLayer->getOutput(0)->isNetworkOutput();
      firstCommuting = dqLayer;
      dqLayer = dqLayer->getInput(0)->getProducer();
    }
    if (!chain || !dqLayer || dqLayer->getType() != LayerType::kDEQUANTIZE) continue;
    if (firstCommuting && countUses(network, dqLayer->getOutput(0)) != 1) continue;
    auto* dq = static_cast<IDequantizeLayer*>(dqLayer);
    ILayer* qLayer = dq->getInput(0)->getProducer();
    if (!qLayer || qLayer->getType() != LayerType::kQUANTIZE) continue;
    auto* q = static_cast<IQuantizeLayer*>(qLayer);
    if (q->getScales().size() != 1 || dq->getScales().size() != 1 || q->getScales()[0] != dq->getScales()[0]) continue;
    const Weights w = conv->getKernelWeights();
    if (firstCommuting)
      firstCommuting->setInput(0, *q->getInput(0));  // the chain now computes on x; the convolution quantizes
    else
      conv->setInput(0, *q->getInput(0));
    conv->setInt8Scales(q->getScales()[0],
                        int8::weightScales(static_cast<const float*>(w.values), w.count, conv->getNbOutputMaps()));
    conv->setName((std::string(conv->getName()) + " [int8 from " + q->getName() + "]").c_str());
    ++fused;
  }
  return fused;
}

}  // namespace passes
}  // namespace trt
