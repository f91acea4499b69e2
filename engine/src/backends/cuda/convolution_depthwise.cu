#include <algorithm>
#include <atomic>
#include <climits>

#include "backends/cuda/convolution_depthwise_kernels.cuh"

namespace trt {
namespace cuda {

namespace {
using namespace depthwise;

// The row kernel's filter width, or 0 where it does not apply (the pixel-a-thread kernel runs): stride 1 or 2 and
// dilation 1 along the width (MobileNet's and EfficientNet's stride-2 depthwise layers too).
int rowKernelWidth(const ConvGeometry& g) {
  const bool step = (g.stride[2] == 1 || g.stride[2] == 2) && g.dil[2] == 1;
  return step && (g.k[2] == 3 || g.k[2] == 5 || g.k[2] == 7) ? static_cast<int>(g.k[2]) : 0;
}

// Whether the tile kernel (R output rows a thread) takes the geometry: the row kernel's, with a square filter and the
// same stride and dilation (1) along the height as along the width.
bool tileKernelApplies(const ConvGeometry& g) {
  return rowKernelWidth(g) > 0 && g.k[1] == g.k[2] && g.stride[1] == g.stride[2] && g.dil[1] == 1;
}

// The row and tile kernels' work items: `rows` output rows by `pixels` output pixels (the last ones partial).
int64_t rowItems(const ConvGeometry& g, int64_t batch, int pixels, int rows) {
  return batch * g.out[0] * ((g.out[1] + rows - 1) / rows) * ((g.out[2] + pixels - 1) / pixels);
}

// Channel vectors per block: the largest divisor of the channels' vectors up to 32 whose taps fit in shared memory,
// so no lane idles (ConvNeXt's 96, 192 and 384 channels at 8 a thread: 12, 24 and 24 lanes; a power of two left a
// quarter of them idle), or a power of two when no divisor of at least 4 fits. About 16 blocks a multiprocessor
// over the whole grid (a few waves), each looping over its pixels.
Launch planLaunch(const ConvGeometry& g, int64_t batch, int64_t channels, int variant) {
  Launch l{};
  const int taps = static_cast<int>(g.k[0] * g.k[1] * g.k[2]);
  const int64_t pixels = batch * g.out[0] * g.out[1] * g.out[2];
  const int64_t inElements = batch * g.in[0] * g.in[1] * g.in[2] * channels;
  l.narrow =
      inElements < INT32_MAX && pixels * channels < INT32_MAX && static_cast<int64_t>(taps) * channels < INT32_MAX;
  l.rows = rowKernelWidth(g) > 0;
  // 64-bit offsets (tensors past 2^31 elements) have the first row shape only: fewer kernels to compile.
  l.variant = l.rows && l.narrow ? variant : 0;
  l.shape = l.rows ? kRowShapes[l.variant] : RowShape{kVec, 1, 1};
  const int v = l.shape.channels;
  const int64_t vectors = channels / v;
  auto fits = [&](int64_t lanes) { return static_cast<size_t>(taps) * lanes * v * sizeof(float) <= kSharedBytes; };
  int lanes = 1;
  for (int64_t c = std::min<int64_t>(32, vectors); c >= 1 && lanes == 1; --c)
    if (vectors % c == 0 && fits(c)) lanes = static_cast<int>(c);
  if (lanes < 4 && vectors > 4) {
    lanes = 32;
    while (lanes > 1 && (lanes / 2) >= vectors) lanes /= 2;
    while (lanes > 1 && !fits(lanes)) lanes /= 2;
  }
  l.block = dim3(static_cast<unsigned>(lanes), static_cast<unsigned>(kThreads / lanes));
  const int64_t channelBlocks = (vectors + lanes - 1) / lanes;
  l.work = l.rows ? rowItems(g, batch, l.shape.pixels, l.shape.rows) : pixels;
  const int64_t pixelBlocks = (l.work + l.block.y - 1) / l.block.y;
  const int64_t wanted = std::max<int64_t>(1, (static_cast<int64_t>(multiprocessorCount()) * 16) / channelBlocks);
  const int64_t gridRows = std::min<int64_t>({pixelBlocks, wanted, 65535});
  l.grid = dim3(static_cast<unsigned>(channelBlocks), static_cast<unsigned>(gridRows));
  l.shared = static_cast<size_t>(taps) * lanes * v * sizeof(float);
  return l;
}

}  // namespace

bool depthwiseNhwcApplies(DataType type, int64_t groups, int64_t inChannels, int64_t outChannels,
                          const ConvGeometry& g) {
  return (type == DataType::kHALF || type == DataType::kBF16) && groups == inChannels && inChannels == outChannels &&
         inChannels % kVec == 0 && g.k[0] * g.k[1] * g.k[2] <= kMaxDepthwiseTaps;
}

namespace {
std::atomic<int64_t> variantRuns[kDepthwiseRowVariants];
}  // namespace

int64_t depthwiseNhwcVariantRuns(int variant) {
  return variant >= 0 && variant < kDepthwiseRowVariants ? variantRuns[variant].load() : 0;
}

int depthwiseNhwcVariants(const ConvGeometry& g) {
  if (rowKernelWidth(g) == 0) return 1;
  return tileKernelApplies(g) ? kDepthwiseRowVariants : kDepthwiseRowVariants - kDepthwiseTileVariants;
}

bool launchDepthwiseNhwc(cudaStream_t stream, DataType type, const ConvGeometry& g, int64_t batch, int64_t channels,
                         const void* x, const void* w, const void* bias, const void* residual,
                         const FusedActivation& activation, void* y, int variant) {
  const int taps = static_cast<int>(g.k[0] * g.k[1] * g.k[2]);
  if (!depthwiseNhwcApplies(type, channels, channels, channels, g) || !allAligned16({x, bias, residual, y}) ||
      variant < 0 || variant >= depthwiseNhwcVariants(g))
    return false;
  if (batch * g.out[0] * g.out[1] * g.out[2] == 0) return true;
  const Launch l = planLaunch(g, batch, channels, variant);
  if (l.rows) ++variantRuns[l.variant];
  (type == DataType::kHALF ? launchHalf : launchBf16)(stream, l, x, w, bias, residual, y, g, channels, taps,
                                                      activation);
  return true;
}

}  // namespace cuda
}  // namespace trt
