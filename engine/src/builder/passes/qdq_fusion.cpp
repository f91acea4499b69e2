// Q/DQ fusion: a convolution reading dequantize(quantize(x)) with one scale s computes in INT8 what
// the FP32 convolution of the fake-quantized x computes: x quantized with s, the weights on their own
// per-output-channel scales (the grid a quantization-aware model trained them on, when they are on one).
#include "builder/passes/passes.h"
#include "common/int8.h"

namespace trt {
namespace passes {

int32_t fuseQuantizedConvolution(INetworkDefinition& network) {
  int32_t fused = 0;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    ILayer* layer = network.getLayer(l);
    if (layer->getType() != LayerType::kCONVOLUTION) continue;
    auto* conv = static_cast<IConvolutionLayer*>(layer);
    if (conv->isInt8()) continue;
    ILayer* dqLayer = conv->getInput(0)->getProducer();
    if (!dqLayer || dqLayer->getType() != LayerType::kDEQUANTIZE) continue;
    auto* dq = static_cast<IDequantizeLayer*>(dqLayer);
    ILayer* qLayer = dq->getInput(0)->getProducer();
    if (!qLayer || qLayer->getType() != LayerType::kQUANTIZE) continue;
    auto* q = static_cast<IQuantizeLayer*>(qLayer);
    if (q->getScales().size() != 1 || dq->getScales().size() != 1 || q->getScales()[0] != dq->getScales()[0])
      continue;
    const Weights w = conv->getKernelWeights();
    std::vector<float> weights(static_cast<const float*>(w.values), static_cast<const float*>(w.values) + w.count);
    conv->setInput(0, *q->getInput(0));
    conv->setInt8Scales(q->getScales()[0], int8::weightScales(weights, conv->getNbOutputMaps()));
    conv->setName((std::string(conv->getName()) + " [int8 from " + q->getName() + "]").c_str());
    ++fused;
  }
  return fused;
}

}  // namespace passes
}  // namespace trt
