// INT8 tensors between INT8 convolutions (issue 23: INT8 end to end). A channels-last INT8 convolution quantizes
// its FP16 input itself, a pass over memory of its own before every convolution; when the tensor was written by
// another INT8 convolution that could have written the codes directly, that pass and half of the tensor's bytes
// are waste. Two steps, each a plain layer change the CPU reference runs too:
// 1. shareInt8ConvolutionQuantization: the INT8 convolutions that read one float tensor (FP16 on CUDA) with one
//    input scale read one explicit Quantize of it instead (the FP8 products' shared quantization, for convolutions).
// 2. foldQuantizeIntoInt8Convolution: a Quantize whose input an INT8 convolution writes for it alone becomes that
//    convolution's output scale (IConvolutionLayer::setInt8OutputScale): the convolution writes the codes, its
//    epilogue requantizing y = act(sum * s_in * s_w + bias) with 1 / s_out.
//    Where the tensor's other readers are INT8 convolutions reading it as their residual (a ResNet block's output:
//    the next block's first convolution reads its Quantize, the next block's last convolution adds it), those read
//    the codes too (IConvolutionLayer::setInt8ResidualScale: the residual becomes q * s, the quantized value the
//    next block's convolutions see as their input; TensorRT's INT8 residual adds behave alike).
// In a ResNet every convolution but the last block's last then writes INT8 codes for the next.
#include <algorithm>
#include <functional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"

namespace trt {
namespace passes {

int32_t shareInt8ConvolutionQuantization(INetworkDefinition& network,
                                         const std::function<bool(const IConvolutionLayer&)>& readsCodes) {
  if (!readsCodes) return 0;
  // INT8 convolutions by the float tensor they read and its scale, in network order.
  std::vector<std::pair<ITensor*, std::vector<IConvolutionLayer*>>> groups;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    ILayer* layer = network.getLayer(l);
    if (layer->getType() != LayerType::kCONVOLUTION) continue;
    auto* conv = static_cast<IConvolutionLayer*>(layer);
    const DataType inputType = conv->getInput(0)->getType();
    if (!conv->isInt8() || !conv->getChannelsLast() ||
        (inputType != DataType::kHALF && inputType != DataType::kFLOAT) || !readsCodes(*conv))
      continue;
    auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) {
      return g.first == conv->getInput(0) && g.second[0]->getInt8InputScale() == conv->getInt8InputScale();
    });
    if (it == groups.end())
      groups.push_back({conv->getInput(0), {conv}});
    else
      it->second.push_back(conv);
  }
  int32_t changed = 0;
  for (auto& [tensor, convolutions] : groups) {
    IQuantizeLayer* q = network.addQuantize(*tensor, {convolutions[0]->getInt8InputScale()});
    // Two scales of one tensor (a quantization-aware model's) make two Quantizes: the scale tells them apart.
    std::ostringstream name;
    name << tensor->getName() << " (int8, scale " << convolutions[0]->getInt8InputScale() << ")";
    q->setName(name.str().c_str());
    network.moveLayer(q, network.indexOf(convolutions[0]));
    const DataType floatType = tensor->getType();
    for (IConvolutionLayer* conv : convolutions) {
      // Its float output keeps the type it had (its input's), now requested: the input no longer says it.
      conv->setOutputType(0, floatType);
      conv->setInput(0, *q->getOutput(0));
      ++changed;
    }
  }
  return changed;
}

namespace {
// The layers other than `quantize` that read `t`, each with the input index it reads `t` at (several entries for a
// layer reading it twice).
std::vector<std::pair<ILayer*, int>> otherReaders(INetworkDefinition& network, const ITensor* t,
                                                  const ILayer* quantize) {
  std::vector<std::pair<ILayer*, int>> readers;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    ILayer* layer = network.getLayer(l);
    if (layer == quantize) continue;
    for (int i = 0; i < layer->getNbInputs(); ++i)
      if (layer->getInput(i) == t) readers.emplace_back(layer, i);
  }
  return readers;
}

// Whether every reader in `readers` is a channels-last INT8 convolution reading the tensor as its float residual
// (input 1 only), pinned as `producer` is, that `readsResidualCodes` accepts.
bool residualReadersTakeCodes(const std::vector<std::pair<ILayer*, int>>& readers, const ILayer& producer,
                              const std::function<bool(const IConvolutionLayer&)>& readsResidualCodes) {
  if (!readsResidualCodes) return readers.empty();
  for (const auto& [layer, input] : readers) {
    if (input != 1 || layer->getType() != LayerType::kCONVOLUTION || !samePrecisionPin(producer, *layer)) return false;
    const auto* conv = static_cast<const IConvolutionLayer*>(layer);
    if (!conv->isInt8() || !conv->getChannelsLast() || conv->getInput(0) == conv->getInput(1) ||
        conv->getInt8ResidualScale() > 0.f || !readsResidualCodes(*conv))
      return false;
  }
  return true;
}
}  // namespace

int32_t foldQuantizeIntoInt8Convolution(INetworkDefinition& network,
                                        const std::function<bool(const IConvolutionLayer&)>& writesCodes,
                                        const std::function<bool(const IConvolutionLayer&)>& readsResidualCodes) {
  if (!writesCodes) return 0;
  int32_t folded = 0;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    ILayer* layer = network.getLayer(l);
    if (layer->getType() != LayerType::kQUANTIZE || layer->precisionIsSet()) continue;
    auto* q = static_cast<IQuantizeLayer*>(layer);
    ITensor* tensor = q->getInput(0);
    ILayer* producer = tensor->getProducer();
    if (q->getToType() != DataType::kINT8 || q->getScales().size() != 1 || q->getOutput(0)->isNetworkOutput() ||
        tensor->isNetworkOutput() || !producer || producer->getType() != LayerType::kCONVOLUTION ||
        !samePrecisionPin(*producer, *q))
      continue;
    const auto readers = otherReaders(network, tensor, q);
    // The Quantize alone (as soleUseProducer asks of a fusion), or with residual readers that take the codes.
    if (readers.empty() ? !soleUseProducer(network, tensor, LayerType::kCONVOLUTION)
                        : !residualReadersTakeCodes(readers, *producer, readsResidualCodes))
      continue;
    auto* conv = static_cast<IConvolutionLayer*>(producer);
    if (!conv->isInt8() || !conv->getChannelsLast() || conv->getInt8OutputScale() > 0.f || !writesCodes(*conv))
      continue;
    const float scale = q->getScales()[0];
    conv->setInt8OutputScale(scale);
    for (const auto& reader : readers) static_cast<IConvolutionLayer*>(reader.first)->setInt8ResidualScale(scale);
    network.replaceAllUses(*q->getOutput(0), *conv->getOutput(0));
    // Gone at once: left for the dead-layer pass, the Quantize would read the codes it can't (a type error for the
    // next predicate that asks a tensor's dims, which infers the network).
    network.removeLayer(q);
    --l;
    ++folded;
  }
  return folded;
}

}  // namespace passes
}  // namespace trt
