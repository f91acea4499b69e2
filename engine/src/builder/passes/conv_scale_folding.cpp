// Folds a per-output-channel multiply or add that follows a convolution into its weights and
// bias (inference batch norm lowers to exactly this pair).
#include <vector>

#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"

namespace trt {
namespace passes {

namespace {
// Values of `c` as one value per output channel of `conv`, or empty when `c` is not per-channel.
std::vector<float> perChannel(const IConstantLayer& c, const IConvolutionLayer& conv, const Dims& convOut) {
  const Dims d = c.getDimensions();
  const int64_t maps = conv.getNbOutputMaps();
  if (c.getWeights().type != DataType::kFLOAT || d.nbDims > convOut.nbDims) return {};
  const float* v = static_cast<const float*>(c.getWeights().values);
  if (d.volume() == 1) return std::vector<float>(maps, v[0]);
  for (int i = 0; i < d.nbDims; ++i) {
    int axis = convOut.nbDims - d.nbDims + i;  // right-aligned broadcasting
    int64_t want = axis == 1 ? maps : 1;
    if (d.d[i] != want) return {};
  }
  if (d.volume() != maps) return {};
  return std::vector<float>(v, v + maps);
}
}  // namespace

int32_t foldConvolutionScale(INetworkDefinition& net) {
  int32_t folded = 0;
  for (int l = 0; l < net.getNbLayers(); ++l) {
    ILayer* layer = net.getLayer(l);
    if (layer->getType() != LayerType::kELEMENTWISE) continue;
    auto op = static_cast<IElementWiseLayer*>(layer)->getOperation();
    if (op != ElementWiseOperation::kPROD && op != ElementWiseOperation::kSUM) continue;
    for (int side = 0; side < 2; ++side) {
      ITensor* convOut = layer->getInput(side);
      const IConstantLayer* constant = constantProducer(layer->getInput(1 - side));
      ILayer* producer = convOut->getProducer();
      if (!constant || !producer || producer->getType() != LayerType::kCONVOLUTION) continue;
      auto* conv = static_cast<IConvolutionLayer*>(producer);
      if (conv->getFusedActivation() >= 0 || convOut->isNetworkOutput() || countUses(net, convOut) != 1) continue;
      const Dims outDims = convOut->getDimensions();
      // The result must keep the convolution's shape (the constant only broadcasts into it).
      if (layer->getOutput(0)->getDimensions() != outDims) continue;
      std::vector<float> k = perChannel(*constant, *conv, outDims);
      if (k.empty()) continue;
      const int64_t maps = conv->getNbOutputMaps();
      Weights kw = conv->getKernelWeights(), bw = conv->getBiasWeights();
      std::vector<float> kernel(static_cast<const float*>(kw.values), static_cast<const float*>(kw.values) + kw.count);
      std::vector<float> bias = bw.count ? std::vector<float>(static_cast<const float*>(bw.values),
                                                              static_cast<const float*>(bw.values) + bw.count)
                                         : std::vector<float>(maps, 0.f);
      if (op == ElementWiseOperation::kPROD) {
        const int64_t per = static_cast<int64_t>(kernel.size()) / maps;
        for (int64_t o = 0; o < maps; ++o) {
          for (int64_t j = 0; j < per; ++j) kernel[o * per + j] *= k[o];
          bias[o] *= k[o];
        }
        conv->setKernelWeights({DataType::kFLOAT, kernel.data(), static_cast<int64_t>(kernel.size())});
      } else {
        for (int64_t o = 0; o < maps; ++o) bias[o] += k[o];
      }
      conv->setBiasWeights({DataType::kFLOAT, bias.data(), maps});
      net.replaceAllUses(*layer->getOutput(0), *convOut);
      ++folded;
      break;
    }
  }
  return folded;
}

}  // namespace passes
}  // namespace trt
