// Channels-last layout for the CUDA backend's FP16 convolutions: cuDNN's tensor-core kernels work
// in NHWC, and on NCHW tensors cuDNN transposes every input and output itself (over half of
// ResNet-50's FP16 time). Connected regions of 2-D FP16 convolutions, 2-D pooling and the
// elementwise layers between them switch to NHWC; transposes are inserted only where a region
// meets the rest of the network.
#include <numeric>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"

namespace trt {
namespace passes {

namespace {
bool symmetricPadding(const IConvolutionLayer& conv) {
  const Dims pre = conv.getPrePadding(), post = conv.getPostPadding();
  if (post.nbDims != 0 && post.nbDims != pre.nbDims) return false;
  for (int i = 0; i < post.nbDims; ++i)
    if (post.d[i] != pre.d[i]) return false;
  return true;
}

bool rank4(const ITensor* t) { return t->getDimensions().nbDims == 4; }

// The smallest static batch whose convolutions go channels-last (a dynamic batch, -1, stays channels-first).
constexpr int64_t kMinChannelsLastBatch = 8;

// Layers that may hold NHWC tensors: convolutions and pooling with an NHWC form, and layers that
// compute element by element (their result does not depend on the layout when every input shares it).
bool canBeChannelsLast(const ILayer* layer, bool& isConvolution) {
  isConvolution = false;
  switch (layer->getType()) {
    case LayerType::kCONVOLUTION: {
      const auto* conv = static_cast<const IConvolutionLayer*>(layer);
      // Grouped convolutions stay channels-first: cuDNN's NHWC support for them varies by version.
      // Small batches too: there im2col + GEMM (channels-first only) wins; ResNet-50 FP16 on an H200
      // took 0.92 ms channels-first and 2.75 ms channels-last at batch 1, 6.34 and 5.75 ms at 64.
      // INT8 convolutions read channels-first tensors (their quantizing im2col walks NCHW).
      isConvolution =
          !conv->isInt8() && conv->getKernelSizeNd().nbDims == 2 && rank4(layer->getInput(0)) &&
          (layer->getInput(0)->getType() == DataType::kHALF || layer->getInput(0)->getType() == DataType::kBF16) &&
          symmetricPadding(*conv) && conv->getNbGroups() == 1 &&
          layer->getInput(0)->getDimensions().d[0] >= kMinChannelsLastBatch;
      return isConvolution;
    }
    case LayerType::kPOOLING:
      return static_cast<const IPoolingLayer*>(layer)->getWindowSizeNd().nbDims == 2 && rank4(layer->getInput(0));
    case LayerType::kACTIVATION:
    case LayerType::kUNARY:
    case LayerType::kIDENTITY:
    case LayerType::kELEMENTWISE:
      for (int i = 0; i < layer->getNbInputs(); ++i)
        if (!rank4(layer->getInput(i))) return false;
      return rank4(layer->getOutput(0));
    default:
      return false;
  }
}

// The NHWC tensor `t` is a pure [N, H, W, C] -> [N, C, H, W] transpose of (a channels-last input
// binding, say), or nullptr.
ITensor* transposedFromChannelsLast(ITensor* t) {
  const ILayer* p = t->getProducer();
  if (!p || p->getType() != LayerType::kSHUFFLE) return nullptr;
  const auto* s = static_cast<const IShuffleLayer*>(p);
  const Permutation first = s->getFirstTranspose(), second = s->getSecondTranspose();
  if (s->hasReshape() || !rank4(s->getInput(0))) return nullptr;
  const int32_t toFirst[4] = {0, 3, 1, 2};
  for (int i = 0; i < 4; ++i)
    if (first.order[i] != toFirst[i] || second.order[i] != i) return nullptr;
  return s->getInput(0);
}

int find(std::vector<int>& parent, int i) {
  while (parent[i] != i) i = parent[i] = parent[parent[i]];
  return i;
}

IShuffleLayer* addTranspose(INetworkDefinition& net, ITensor& t, const int32_t (&order)[4], const char* suffix) {
  IShuffleLayer* shuffle = net.addShuffle(t);
  Permutation p;
  for (int i = 0; i < 4; ++i) p.order[i] = order[i];
  shuffle->setFirstTranspose(p);
  shuffle->setName((std::string(t.getName()) + suffix).c_str());
  return shuffle;
}
}  // namespace

int32_t useChannelsLast(INetworkDefinition& net) {
  std::vector<ILayer*> layers;
  for (int l = 0; l < net.getNbLayers(); ++l) layers.push_back(net.getLayer(l));
  const int n = static_cast<int>(layers.size());
  std::unordered_map<const ILayer*, int> index;
  std::vector<char> candidate(n, 0), convolution(n, 0);
  for (int l = 0; l < n; ++l) {
    index[layers[l]] = l;
    bool isConv = false;
    candidate[l] = canBeChannelsLast(layers[l], isConv);
    convolution[l] = isConv;
  }
  // Regions: candidates joined through the tensors they pass each other.
  std::vector<int> parent(n);
  std::iota(parent.begin(), parent.end(), 0);
  for (int l = 0; l < n; ++l) {
    if (!candidate[l]) continue;
    for (int i = 0; i < layers[l]->getNbInputs(); ++i) {
      const ILayer* p = layers[l]->getInput(i)->getProducer();
      auto it = p ? index.find(p) : index.end();
      if (it != index.end() && candidate[it->second]) parent[find(parent, l)] = find(parent, it->second);
    }
  }
  std::unordered_set<int> regionsWithConvolution;
  for (int l = 0; l < n; ++l)
    if (convolution[l]) regionsWithConvolution.insert(find(parent, l));
  std::unordered_set<const ILayer*> chosen;
  for (int l = 0; l < n; ++l)
    if (candidate[l] && regionsWithConvolution.count(find(parent, l))) chosen.insert(layers[l]);
  if (chosen.empty()) return 0;

  static const int32_t kToLast[4] = {0, 2, 3, 1}, kToFirst[4] = {0, 3, 1, 2};
  std::unordered_map<ITensor*, ITensor*> asLast;
  int32_t added = 0;
  for (ILayer* layer : layers) {
    if (!chosen.count(layer)) continue;
    // Inputs from outside the region (network inputs, constants, other layers) enter through a transpose.
    for (int i = 0; i < layer->getNbInputs(); ++i) {
      ITensor* t = layer->getInput(i);
      if (t->getProducer() && chosen.count(t->getProducer())) continue;
      auto it = asLast.find(t);
      if (it == asLast.end() && transposedFromChannelsLast(t)) {
        // Undo the transpose instead of adding its inverse (channels-last inputs arrive this way).
        it = asLast.emplace(t, transposedFromChannelsLast(t)).first;
      }
      if (it == asLast.end()) {
        IShuffleLayer* s = addTranspose(net, *t, kToLast, " to NHWC [layout]");
        net.moveLayer(s, net.indexOf(layer));
        ++added;
        it = asLast.emplace(t, s->getOutput(0)).first;
      }
      layer->setInput(i, *it->second);
    }
    if (layer->getType() == LayerType::kCONVOLUTION) static_cast<IConvolutionLayer*>(layer)->setChannelsLast(true);
    if (layer->getType() == LayerType::kPOOLING) static_cast<IPoolingLayer*>(layer)->setChannelsLast(true);
  }
  // Outputs read outside the region (or bound as network outputs) leave through a transpose back.
  for (ILayer* layer : layers) {
    if (!chosen.count(layer)) continue;
    ITensor* out = layer->getOutput(0);
    std::vector<std::pair<ILayer*, int>> outside;
    for (int l = 0; l < net.getNbLayers(); ++l) {
      ILayer* consumer = net.getLayer(l);
      if (chosen.count(consumer)) continue;
      for (int i = 0; i < consumer->getNbInputs(); ++i)
        if (consumer->getInput(i) == out) outside.emplace_back(consumer, i);
    }
    if (outside.empty() && !out->isNetworkOutput()) continue;
    IShuffleLayer* s = addTranspose(net, *out, kToFirst, " to NCHW [layout]");
    net.moveLayer(s, net.indexOf(layer) + 1);
    ++added;
    for (const auto& use : outside) use.first->setInput(use.second, *s->getOutput(0));
    if (out->isNetworkOutput()) net.replaceOutput(*out, *s->getOutput(0));
  }
  return static_cast<int32_t>(chosen.size()) + added;
}

}  // namespace passes
}  // namespace trt
