// Q/DQ fusion: a convolution or a matrix multiply by constant weights reading dequantize(quantize(x))
// with one scale s computes in INT8 what the FP32 layer computes on the fake-quantized x: x quantized
// with s, the weights on their own per-output-channel scales (the grid a quantization-aware model
// trained them on; max|w| / 127 for weights on none).
#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"

namespace trt {
namespace passes {

namespace {
// Layers that commute with per-tensor quantization (monotone with 0 -> 0, or moving values only):
// quantize(f(x)) == f(quantize(x)), so a dequantize may sit before them and the layer after them
// still reads quantized values (a flatten between a quantized activation and a linear layer).
bool commutesWithQuantization(const ILayer* layer) {
  if (layer->getType() == LayerType::kSHUFFLE) return true;
  if (layer->getType() == LayerType::kACTIVATION)
    return static_cast<const IActivationLayer*>(layer)->getActivationType() == ActivationType::kRELU;
  if (layer->getType() == LayerType::kPOOLING) {
    const auto* pool = static_cast<const IPoolingLayer*>(layer);
    return pool->getPoolingType() == PoolingType::kMAX;
  }
  return false;
}
}  // namespace

int32_t fuseQuantizedLayers(INetworkDefinition& network, std::vector<std::string>* offGrid) {
  int32_t fused = 0;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    ILayer* layer = network.getLayer(l);
    if (!canRunInInt8(*layer)) continue;
    // dequantize -> (relu | max pool | shuffle, each read only by the next)* -> the layer's input 0.
    ILayer* dqLayer = layer->getInput(0)->getProducer();
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
    if (q->getToType() != DataType::kINT8) continue;  // FP8 pairs: fuseFp8QuantizedProducts
    if (q->getScales().size() != 1 || dq->getScales().size() != 1 || q->getScales()[0] != dq->getScales()[0]) continue;
    if (firstCommuting)
      firstCommuting->setInput(0, *q->getInput(0));  // the chain now computes on x; the layer quantizes
    else
      layer->setInput(0, *q->getInput(0));
    // Weights on no INT8 grid (not fake-quantized) are quantized per output channel, as calibrated weights are:
    // the INT8 layer then differs from the float one by their rounding (named for the build's warning).
    if (!switchToInt8(network, *layer, q->getScales()[0]) && offGrid) offGrid->push_back(layer->getName());
    layer->setName((std::string(layer->getName()) + " [int8 from " + q->getName() + "]").c_str());
    ++fused;
  }
  return fused;
}

}  // namespace passes
}  // namespace trt
