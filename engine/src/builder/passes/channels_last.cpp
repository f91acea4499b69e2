// Channels-last layout for the CUDA backend's FP16 convolutions: cuDNN's tensor-core kernels work
// in NHWC, and on NCHW tensors cuDNN transposes every input and output itself (over half of
// ResNet-50's FP16 time). Connected regions of 2-D FP16 convolutions (grouped and depthwise
// included), 2-D pooling, reductions, concatenations, scales, spatial resizes and the elementwise
// layers between them switch to NHWC, so a MobileNet / EfficientNet block (depthwise convolution, squeeze-and-
// excitation pool, 1x1 convolutions, sigmoid, excitation multiply) stays NHWC end to end;
// transposes are inserted only where a region meets the rest of the network.
#include <functional>
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

// Every static batch goes channels-last (a dynamic batch, -1, stays channels-first). Once NHWC had its
// own depthwise kernel and a GEMM tactic for pointwise convolutions it won at small batches too (H200,
// FP16, ms channels-first -> channels-last: ResNet-50 b1 0.80 -> 0.47, b4 1.66 -> 0.61; ResNeXt-50 b1
// 0.89 -> 0.40; EfficientNet-B0 b4 0.90 -> 0.81), at the cost of 6% for MobileNetV3-L and
// EfficientNet-B0 at b1 (0.436 -> 0.461, 0.611 -> 0.647).
constexpr int64_t kMinChannelsLastBatch = 1;

// How a layer takes part in an NHWC region.
struct Role {
  bool candidate = false;
  bool convolution = false;  // a region needs one to be worth its transposes
  bool sink = false;         // NHWC input, layout-free output: a global pool without kept dims ([N, C] either way)
};

// The spatial reduce axes of a rank-4 tensor (H and W: bits 2 and 3 in NCHW, 1 and 2 in NHWC).
constexpr uint32_t kSpatialFirst = 0xCu, kSpatialLast = 0x6u;

// NCHW axis -> NHWC axis.
constexpr int32_t kAxisToLast[4] = {0, 3, 1, 2};

bool allRank4(const ILayer* layer) {
  for (int i = 0; i < layer->getNbInputs(); ++i)
    if (!rank4(layer->getInput(i))) return false;
  return true;
}

// An elementwise layer's inputs: rank 4, or a lower rank of static dims that broadcasts from the right
// (ConvNeXt's layer scale, a [C, 1, 1] weight), which enters a region as [1, 1, 1, C] (reshaped to
// rank 4, then transposed: constant folding then makes it a constant of that shape).
bool elementwiseInputs(const ILayer* layer) {
  for (int i = 0; i < layer->getNbInputs(); ++i) {
    const ITensor* t = layer->getInput(i);
    if (!rank4(t) && (t->getDimensions().nbDims > 4 || !t->getDimensions().isStatic())) return false;
  }
  return true;
}

// Layers that may hold NHWC tensors: convolutions and pooling with an NHWC form, layers whose axis
// attribute moves with the layout (reduce, concatenation, per-channel scale) and layers that compute
// element by element (their result does not depend on the layout when every input shares it, the
// SE excitation's [N, C, 1, 1] * [N, C, H, W] included: both operands are transposed alike).
Role roleOf(const ILayer* layer, const std::function<bool(DataType)>& convolutionType,
            const std::function<bool(const IConvolutionLayer&)>& int8Convolution) {
  Role role;
  // A convolution or pooling already set channels-last through the API reads and writes [N, H, W, C]
  // tensors as they are: no region may transpose around it again.
  if ((layer->getType() == LayerType::kCONVOLUTION &&
       static_cast<const IConvolutionLayer*>(layer)->getChannelsLast()) ||
      (layer->getType() == LayerType::kPOOLING && static_cast<const IPoolingLayer*>(layer)->getChannelsLast()))
    return role;
  switch (layer->getType()) {
    case LayerType::kCONVOLUTION: {
      const auto* conv = static_cast<const IConvolutionLayer*>(layer);
      // Grouped and depthwise convolutions too: cuDNN 9 runs them in NHWC (filters [K, R, S, C/groups]).
      // INT8 convolutions where the backend has an NHWC kernel for them (CUDA: CUTLASS's implicit GEMM on
      // sm_90), else channels-first (the quantizing im2col walks NCHW).
      const bool int8 = conv->isInt8() && int8Convolution && int8Convolution(*conv);
      role.convolution = (!conv->isInt8() || int8) && conv->getKernelSizeNd().nbDims == 2 &&
                         rank4(layer->getInput(0)) && convolutionType(layer->getInput(0)->getType()) &&
                         symmetricPadding(*conv) && layer->getInput(0)->getDimensions().d[0] >= kMinChannelsLastBatch;
      role.candidate = role.convolution;
      break;
    }
    case LayerType::kPOOLING:
      role.candidate =
          static_cast<const IPoolingLayer*>(layer)->getWindowSizeNd().nbDims == 2 && rank4(layer->getInput(0));
      break;
    case LayerType::kREDUCE: {
      // With kept dims the result is NHWC too (the axes remapped); without, only the spatial mean
      // before a classifier: [N, C] in both layouts.
      const auto* reduce = static_cast<const IReduceLayer*>(layer);
      if (!rank4(layer->getInput(0))) break;
      role.candidate = reduce->getKeepDimensions() || reduce->getReduceAxes() == kSpatialFirst;
      role.sink = role.candidate && !reduce->getKeepDimensions();
      break;
    }
    case LayerType::kSCALE: {
      // Per-element coefficients follow the NCHW order; uniform and per-channel ones do not care.
      const auto* scale = static_cast<const IScaleLayer*>(layer);
      role.candidate =
          rank4(layer->getInput(0)) && (scale->getMode() == ScaleMode::kUNIFORM ||
                                        (scale->getMode() == ScaleMode::kCHANNEL && scale->getChannelAxis() == 1));
      break;
    }
    case LayerType::kCONCATENATION: {
      const int32_t axis = static_cast<const IConcatenationLayer*>(layer)->getAxis();
      role.candidate = allRank4(layer) && axis >= -4 && axis < 4;
      break;
    }
    case LayerType::kRESIZE: {
      // A spatial resize (the FPN's and segmentation heads' upsampling): batch and channels kept, the
      // output dims set at build time. Its kernels resize whatever axes the dims say, so NHWC is the same
      // layer with its dims and ratios reordered.
      const auto* resize = static_cast<const IResizeLayer*>(layer);
      const Dims in = layer->getInput(0)->getDimensions(), out = resize->getOutputDimensions();
      const std::vector<double>& ratios = resize->getScales();
      const auto keeps = [&](int axis) {
        return in.d[axis] >= 0 && out.d[axis] == in.d[axis] &&
               (ratios.empty() || ratios[axis] == 0.0 || ratios[axis] == 1.0);
      };
      // One that writes a network output (a segmentation head's last upsampling) stays outside: the region's
      // transpose back then moves its small input, not its large output.
      role.candidate = layer->getNbInputs() == 1 && !layer->getOutput(0)->isNetworkOutput() &&
                       rank4(layer->getInput(0)) && out.nbDims == 4 && keeps(0) && keeps(1);
      break;
    }
    case LayerType::kIDENTITY:
      // The cast of a network input (float32 to the engine's 16-bit type) or to a network output (back to
      // float32) stays outside: the region's transpose then moves 16-bit elements (10 bytes an element
      // for cast and transpose together instead of 14).
      if (layer->getInput(0)->isNetworkInput() || layer->getOutput(0)->isNetworkOutput()) break;
      role.candidate = allRank4(layer) && rank4(layer->getOutput(0));
      break;
    case LayerType::kACTIVATION:
    case LayerType::kUNARY:
      role.candidate = allRank4(layer) && rank4(layer->getOutput(0));
      break;
    case LayerType::kELEMENTWISE:
      role.candidate = elementwiseInputs(layer) && rank4(layer->getOutput(0));
      break;
    default:
      break;
  }
  return role;
}

// Rewrites a chosen layer's axis attributes for NHWC tensors.
void remapAxes(ILayer* layer) {
  switch (layer->getType()) {
    case LayerType::kCONVOLUTION:
      static_cast<IConvolutionLayer*>(layer)->setChannelsLast(true);
      break;
    case LayerType::kPOOLING:
      static_cast<IPoolingLayer*>(layer)->setChannelsLast(true);
      break;
    case LayerType::kREDUCE: {
      auto* reduce = static_cast<IReduceLayer*>(layer);
      uint32_t axes = 0;
      for (int i = 0; i < 4; ++i)
        if (reduce->getReduceAxes() & (1u << i)) axes |= 1u << kAxisToLast[i];
      reduce->setReduceAxes(axes);
      break;
    }
    case LayerType::kCONCATENATION: {
      auto* concat = static_cast<IConcatenationLayer*>(layer);
      concat->setAxis(kAxisToLast[(concat->getAxis() + 4) % 4]);
      break;
    }
    case LayerType::kSCALE: {
      auto* scale = static_cast<IScaleLayer*>(layer);
      if (scale->getMode() == ScaleMode::kCHANNEL) scale->setChannelAxis(3);
      break;
    }
    case LayerType::kRESIZE: {
      auto* resize = static_cast<IResizeLayer*>(layer);
      const Dims out = resize->getOutputDimensions();
      std::vector<double> ratios = resize->getScales();
      Dims last = out;
      std::vector<double> lastRatios = ratios;
      for (int a = 0; a < 4; ++a) {
        last.d[kAxisToLast[a]] = out.d[a];
        if (!ratios.empty()) lastRatios[kAxisToLast[a]] = ratios[a];
      }
      resize->setOutputDimensions(last);
      resize->setScales(lastRatios);
      break;
    }
    default:
      break;
  }
}

// The NHWC tensor `t` is a pure [N, H, W, C] -> [N, C, H, W] transpose of (a channels-last input
// binding, say), or nullptr.
ITensor* transposedFromChannelsLast(ITensor* t) {
  const ILayer* p = t->getProducer();
  if (!isMovingShuffle(p)) return nullptr;
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

// `d`: t's dimensions, read before the pass changed any layer (reading them later would infer the
// network's shapes half-way through the change).
IShuffleLayer* addTranspose(INetworkDefinition& net, ITensor& t, const Dims& d, const int32_t (&order)[4],
                            const char* suffix) {
  IShuffleLayer* shuffle = net.addShuffle(t);
  Permutation p;
  for (int i = 0; i < 4; ++i) p.order[i] = order[i];
  if (d.nbDims < 4) {  // a broadcast operand of lower rank: ones in front (right-aligned), then transposed
    Dims four{1, 1, 1, 1};
    for (int i = 0; i < d.nbDims; ++i) four.d[4 - d.nbDims + i] = d.d[i];
    shuffle->setZeroIsPlaceholder(false);  // a 0 is an empty dimension here, not "copy the input's"
    shuffle->setReshapeDimensions(four);
    shuffle->setSecondTranspose(p);
  } else {
    shuffle->setFirstTranspose(p);
  }
  shuffle->setName((std::string(t.getName()) + suffix).c_str());
  return shuffle;
}
}  // namespace

int32_t useChannelsLast(INetworkDefinition& net, const std::function<bool(DataType)>& convolutionType,
                        int32_t minConvolutions, const std::function<bool(const IConvolutionLayer&)>& int8Convolution) {
  std::vector<ILayer*> layers;
  for (int l = 0; l < net.getNbLayers(); ++l) layers.push_back(net.getLayer(l));
  const int n = static_cast<int>(layers.size());
  std::unordered_map<const ILayer*, int> index;
  std::vector<Role> roles(n);
  for (int l = 0; l < n; ++l) {
    index[layers[l]] = l;
    roles[l] = roleOf(layers[l], convolutionType, int8Convolution);
  }
  // Regions: candidates joined through the NHWC tensors they pass each other (a sink's output is not one).
  std::vector<int> parent(n);
  std::iota(parent.begin(), parent.end(), 0);
  for (int l = 0; l < n; ++l) {
    if (!roles[l].candidate) continue;
    for (int i = 0; i < layers[l]->getNbInputs(); ++i) {
      const ILayer* p = layers[l]->getInput(i)->getProducer();
      auto it = p ? index.find(p) : index.end();
      if (it != index.end() && roles[it->second].candidate && !roles[it->second].sink)
        parent[find(parent, l)] = find(parent, it->second);
    }
  }
  std::unordered_map<int, int32_t> convolutionsOfRegion;
  for (int l = 0; l < n; ++l)
    if (roles[l].convolution) ++convolutionsOfRegion[find(parent, l)];
  std::unordered_set<int> regionsWithConvolution;
  for (const auto& [region, convolutions] : convolutionsOfRegion)
    if (convolutions >= minConvolutions) regionsWithConvolution.insert(region);
  std::unordered_set<const ILayer*> chosen, sinks;
  for (int l = 0; l < n; ++l)
    if (roles[l].candidate && regionsWithConvolution.count(find(parent, l))) {
      chosen.insert(layers[l]);
      if (roles[l].sink) sinks.insert(layers[l]);
    }
  if (chosen.empty()) return 0;
  // Whether `t` is an NHWC tensor of the region (made by a chosen layer that is not a sink).
  auto insideRegion = [&](const ITensor* t) {
    return t->getProducer() && chosen.count(t->getProducer()) && !sinks.count(t->getProducer());
  };

  static const int32_t kToLast[4] = {0, 2, 3, 1}, kToFirst[4] = {0, 3, 1, 2};
  std::unordered_map<ITensor*, ITensor*> asLast;
  std::unordered_map<const ITensor*, Dims> dimsBefore;  // of every region layer's input and output
  // Region inputs that are [N, H, W, C] -> [N, C, H, W] transposes of a tensor outside the region (a
  // channels-last input binding, ConvNeXt's permute back after its channels-last MLP) read that tensor
  // instead. Found before any layer changes: once a region layer is NHWC, the shapes of the layers
  // outside that read it are inconsistent until the region's exits get their transposes below, and
  // inferring them (a product, a normalization) would throw.
  for (ILayer* layer : layers) {
    if (!chosen.count(layer)) continue;
    dimsBefore[layer->getOutput(0)] = layer->getOutput(0)->getDimensions();
    for (int i = 0; i < layer->getNbInputs(); ++i) {
      ITensor* t = layer->getInput(i);
      dimsBefore[t] = t->getDimensions();
      if (insideRegion(t) || asLast.count(t)) continue;
      ITensor* source = transposedFromChannelsLast(t);
      if (source && !insideRegion(source)) asLast.emplace(t, source);
    }
  }
  int32_t added = 0;
  for (ILayer* layer : layers) {
    if (!chosen.count(layer)) continue;
    // Inputs from outside the region (network inputs, constants, other layers) enter through a
    // transpose, one per tensor however many layers read it.
    for (int i = 0; i < layer->getNbInputs(); ++i) {
      ITensor* t = layer->getInput(i);
      if (insideRegion(t)) continue;
      auto it = asLast.find(t);
      if (it == asLast.end()) {
        IShuffleLayer* s = addTranspose(net, *t, dimsBefore.at(t), kToLast, " to NHWC [layout]");
        net.moveLayer(s, net.indexOf(layer));
        ++added;
        it = asLast.emplace(t, s->getOutput(0)).first;
      }
      layer->setInput(i, *it->second);
    }
    remapAxes(layer);
  }
  // Outputs read outside the region (or bound as network outputs) leave through a transpose back;
  // a sink's output is channels-first already.
  for (ILayer* layer : layers) {
    if (!chosen.count(layer) || sinks.count(layer)) continue;
    ITensor* out = layer->getOutput(0);
    std::vector<std::pair<ILayer*, int>> outside;
    for (int l = 0; l < net.getNbLayers(); ++l) {
      ILayer* consumer = net.getLayer(l);
      if (chosen.count(consumer)) continue;
      for (int i = 0; i < consumer->getNbInputs(); ++i)
        if (consumer->getInput(i) == out) outside.emplace_back(consumer, i);
    }
    if (outside.empty() && !out->isNetworkOutput()) continue;
    IShuffleLayer* s = addTranspose(net, *out, dimsBefore.at(out), kToFirst, " to NCHW [layout]");
    net.moveLayer(s, net.indexOf(layer) + 1);
    ++added;
    for (const auto& use : outside) use.first->setInput(use.second, *s->getOutput(0));
    if (out->isNetworkOutput()) net.replaceOutput(*out, *s->getOutput(0));
  }
  return static_cast<int32_t>(chosen.size()) + added;
}

}  // namespace passes
}  // namespace trt
