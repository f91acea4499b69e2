// Few-channel padding: a channels-last 16-bit convolution reading 3 channels (an RGB stem) from the transpose
// that brings the network's NCHW image to NHWC gets that transpose's output padded with zero channels to 4, and
// zero weights for them. cuDNN's first-layer kernels read 4 channels a pixel: given 3, cuDNN pads the image itself
// in a kernel of its own before each call (ResNet-50 at batch 64 on an H100: `nhwcAddPaddingKernel` 30 us of a
// 1.95 ms call, after the transpose's 23 us), while the transpose writes the fourth channel for ~2 us more. The
// zeros add nothing to any output element. One and two channels stay as they are (not measured: padding them
// would double or quadruple the bytes the transpose writes).
#include <vector>

#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"

namespace trt {
namespace passes {

namespace {
constexpr int64_t kPaddedChannels = 4;

// The convolution whose input this pass pads: channels-last, float16 or bfloat16 (not INT8), one group, 2-D, 3
// static input channels, float32 kernel weights of its [K, C, kH, kW] size.
bool readsFewChannels(const IConvolutionLayer& conv) {
  const ITensor* x = conv.getInput(0);
  const Dims d = x->getDimensions(), k = conv.getKernelSizeNd();
  if (!conv.getChannelsLast() || conv.isInt8() || conv.getNbGroups() != 1 || conv.getNbInputs() != 1 ||
      (x->getType() != DataType::kHALF && x->getType() != DataType::kBF16) || d.nbDims != 4 || k.nbDims != 2)
    return false;
  const int64_t channels = d.d[3];
  const Weights w = conv.getKernelWeights();
  return channels == 3 && w.type == DataType::kFLOAT &&
         w.count == static_cast<int64_t>(conv.getNbOutputMaps()) * channels * k.d[0] * k.d[1];
}
}  // namespace

int32_t padFewChannelConvolutionInputs(INetworkDefinition& network) {
  int32_t padded = 0;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    ILayer* layer = network.getLayer(l);
    if (layer->getType() != LayerType::kCONVOLUTION) continue;
    auto* conv = static_cast<IConvolutionLayer*>(layer);
    if (!readsFewChannels(*conv)) continue;
    // The transpose that writes the image only for this convolution, without a reshape or padding of its own.
    auto* shuffle = static_cast<IShuffleLayer*>(soleUseProducer(network, conv->getInput(0), LayerType::kSHUFFLE));
    if (!shuffle || shuffle->getNbInputs() != 1 || shuffle->hasReshape() || shuffle->getZeroPaddedLastDimension() > 0)
      continue;
    const int64_t channels = conv->getInput(0)->getDimensions().d[3];
    const Dims k = conv->getKernelSizeNd();
    const int64_t maps = conv->getNbOutputMaps(), taps = k.d[0] * k.d[1];
    const auto* w = static_cast<const float*>(conv->getKernelWeights().values);
    // [K, C, kH, kW] -> [K, 4, kH, kW], the new input channels' taps 0.
    std::vector<float> kernel(static_cast<size_t>(maps * kPaddedChannels * taps), 0.f);
    for (int64_t o = 0; o < maps; ++o)
      for (int64_t c = 0; c < channels; ++c)
        for (int64_t t = 0; t < taps; ++t)
          kernel[static_cast<size_t>((o * kPaddedChannels + c) * taps + t)] = w[(o * channels + c) * taps + t];
    conv->setKernelWeights({DataType::kFLOAT, kernel.data(), static_cast<int64_t>(kernel.size())});
    shuffle->setZeroPaddedLastDimension(kPaddedChannels);
    ++padded;
  }
  return padded;
}

}  // namespace passes
}  // namespace trt
