// The four-channel stem kernel (convolution_few_channel.h): an implicit GEMM whose rows are output pixels, columns
// output channels and reduction the filter's taps times 4 channels, on mma.sync m16n8k16 with float32 accumulation.
//
// The reduction's order is free as long as the image's and the filter's fragments agree: a k16 step covers four
// taps, and lane (g, j) (g = lane / 4, j = lane % 4) holds tap 4 * step + j for both operands, its channels 0-1 in
// the fragment's first register pair and 2-3 in the second (the slots 2j, 2j+1 and 2j+8, 2j+9 of PTX's layout). So
// a lane reads a pixel's tap as one 8-byte load, and the filter's as one 8-byte shared-memory read. Taps past the
// filter's last (4 * steps > kH * kW) and pixels outside the image read zeros; the fourth channel is the padding's
// zero, with zero weights.
#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdlib>
#include <type_traits>

#include "backends/cuda/activation.cuh"
#include "backends/cuda/convolution_few_channel.h"
#include "backends/cuda/float_types.cuh"
#include "backends/cuda/reduction_util.cuh"

namespace trt {
namespace cuda {

namespace {

constexpr int kChannelsIn = 4;
constexpr int kWarps = 4;
constexpr int kThreads = kWarps * 32;
constexpr int kPixelsPerWarp = 32;  // two m16 tiles
constexpr int kPixelsPerBlock = kWarps * kPixelsPerWarp;

std::atomic<int64_t> runs{0};

// D += A * B for one m16n8k16 tile (row-major A, column-major B, float32 accumulation).
template <typename T>
__device__ __forceinline__ void mma16816(float (&d)[4], uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t b0,
                                         uint32_t b1) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
  if constexpr (std::is_same<T, __half>::value)
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
        "{%0, %1, %2, %3};\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
  else
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
        "{%0, %1, %2, %3};\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
#endif
}

// The fused activation, chosen once a tile (uniform across the launch) instead of inlined at each of a lane's up to
// 64 outputs: the activation's switch inlined 64 times made this unit's compile take 135 s (19 s without it).
// Identity and ReLU (most stems) stay inline, computed as activate() computes them; the others call one
// out-of-line copy of applyFused, the same function.
struct NoActivation {
  __device__ __forceinline__ float operator()(float v) const { return v; }
};
template <typename T>
struct ReluActivation {
  __device__ __forceinline__ float operator()(float v) const { return activate<T>(ActivationType::kRELU, 0.f, 0.f, v); }
};
template <typename T>
__device__ __noinline__ float applyFusedOutOfLine(FusedActivation a, float v) {
  return applyFused<T>(a, v);
}
template <typename T>
struct AnyActivation {
  FusedActivation a;
  __device__ __forceinline__ float operator()(float v) const { return applyFusedOutOfLine<T>(a, v); }
};

// finish(activation) with the launch's activation as one of the three above.
template <typename T, typename Finish>
__device__ __forceinline__ void withActivation(const FusedActivation& a, Finish finish) {
  if (a.type < 0)
    finish(NoActivation{});
  else if (a.type == static_cast<int32_t>(ActivationType::kRELU))
    finish(ReluActivation<T>{});
  else
    finish(AnyActivation<T>{a});
}

template <typename T>
struct FewChannelArgs {
  const T* x;     // [batch, H, W, 4]
  const T* w;     // [channels, 4, kH, kW]
  const T* bias;  // [channels] or null
  T* y;           // [batch, outH, outW, channels]
  int pixels;     // batch * outH * outW (every element offset fits 32 bits: launchFewChannelNhwc checks)
  int H, W, outH, outW, strideH, strideW, padH, padW, dilH, dilW, channels;
  FusedActivation activation;
};

// This lane's pixel `m` as the offset of its image's first element, and its window's top-left input coordinates.
struct PixelWindow {
  int image, ih0, iw0;
  bool inside;
};

// The 8 bytes of tap (kh, kw) of pixel p's window (zeros outside the image or past the filter's taps).
template <typename T>
__device__ __forceinline__ uint2 loadTap(const FewChannelArgs<T>& a, const PixelWindow& p, bool tapExists, int kh,
                                         int kw) {
  const int ih = p.ih0 + kh * a.dilH, iw = p.iw0 + kw * a.dilW;
  return p.inside && tapExists && ih >= 0 && ih < a.H && iw >= 0 && iw < a.W
             ? __ldg(reinterpret_cast<const uint2*>(a.x + p.image + (ih * a.W + iw) * 4))
             : make_uint2(0, 0);  // zero in FP16 and BF16
}

// Output pixel m's window (m past the last pixel: a window that reads nothing). 32-bit offsets: the launcher refuses
// tensors past them.
template <typename T>
__device__ __forceinline__ PixelWindow windowOf(const FewChannelArgs<T>& a, int m) {
  PixelWindow p;
  p.inside = m < a.pixels;
  const int imagePixels = a.outH * a.outW;
  const int n = p.inside ? m / imagePixels : 0;
  const int rest = p.inside ? m - n * imagePixels : 0;
  const int oh = rest / a.outW, ow = rest - oh * a.outW;
  p.image = n * a.H * a.W * kChannelsIn;
  p.ih0 = oh * a.strideH - a.padH;
  p.iw0 = ow * a.strideW - a.padW;
  return p;
}

// One k16 step's products: the lane's 4 pixels' taps (rows g and g + 8 of two m16 tiles) by the step's filter
// entries of each n8 tile.
template <typename T, int NT>
__device__ __forceinline__ void stepProducts(float (&acc)[2][NT][4], const uint2* filter, int step, int lane,
                                             const uint2 (&pixel)[2][2]) {
#pragma unroll
  for (int t = 0; t < NT; ++t) {
    const uint2 b = filter[(step * NT + t) * 32 + lane];
#pragma unroll
    for (int mt = 0; mt < 2; ++mt)
      mma16816<T>(acc[mt][t], pixel[mt][0].x, pixel[mt][1].x, pixel[mt][0].y, pixel[mt][1].y, b.x, b.y);
  }
}

// Lane (g, j)'s bias: channels 2j and 2j + 1 of each of the block's n8 tiles (0 past the layer's channels).
template <typename T, int NT>
__device__ __forceinline__ void loadLaneBias(const FewChannelArgs<T>& a, int channelBase, int j, float (&bias)[NT][2]) {
#pragma unroll
  for (int t = 0; t < NT; ++t)
#pragma unroll
    for (int e = 0; e < 2; ++e) {
      const int k = channelBase + t * 8 + 2 * j + e;
      bias[t][e] = a.bias && k < a.channels ? toFloat(a.bias[k]) : 0.f;
    }
}

// Variants 0 and 1 (the kernel CudaTactics.TheOwnFourChannelKernelMatchesTheCpuAndCudnn passed on an H100).
// Block: 4 warps of 32 output pixels each (two m16 tiles) by NT * 8 output channels (blockIdx.y's); the grid's
// blocks loop over the pixel tiles, the filter staged once. Shared memory: [step][n8 tile][lane] 8-byte entries,
// lane (g, j)'s the 4 channels of tap 4 * step + j of output channel tile * 8 + g. Each lane stores its two channels
// of a pixel straight from the accumulators (4 bytes): at ~0.3 TB/s of output on the H100 (88 us for
// MobileNetV3-L's batch-64 stem, 418 us for ResNet-50's BF16 one), hence the staged kernel below.
template <typename T, int R, int S, int NT>
__global__ void __launch_bounds__(kThreads) fewChannelNhwcKernel(FewChannelArgs<T> a) {
  constexpr int kTaps = R * S, kSteps = (kTaps + 3) / 4;
  __shared__ uint2 filter[kSteps * NT * 32];
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, g = lane >> 2, j = lane & 3;
  const int channelBase = blockIdx.y * NT * 8;
  for (int i = threadIdx.x; i < kSteps * NT * 32; i += kThreads) {
    const int l = i & 31, t = (i >> 5) % NT, step = i / (32 * NT);
    const int k = channelBase + t * 8 + (l >> 2), tap = 4 * step + (l & 3);
    uint2 packed = make_uint2(0, 0);  // zero in FP16 and BF16
    if (k < a.channels && tap < kTaps) {
      T* e = reinterpret_cast<T*>(&packed);
#pragma unroll
      for (int c = 0; c < kChannelsIn; ++c) e[c] = a.w[(static_cast<int64_t>(k) * kChannelsIn + c) * kTaps + tap];
    }
    filter[i] = packed;
  }
  __syncthreads();
  // This lane's output channels: 2j and 2j + 1 of each n8 tile.
  float bias[NT][2];
  loadLaneBias(a, channelBase, j, bias);
  const int tiles = (a.pixels + kPixelsPerBlock - 1) / kPixelsPerBlock;
  for (int tile = blockIdx.x; tile < tiles; tile += gridDim.x) {
    // This lane's 4 pixels: rows g and g + 8 of the warp's two m16 tiles.
    PixelWindow window[2][2];
#pragma unroll
    for (int mt = 0; mt < 2; ++mt)
#pragma unroll
      for (int h = 0; h < 2; ++h)
        window[mt][h] = windowOf(a, tile * kPixelsPerBlock + warp * kPixelsPerWarp + mt * 16 + h * 8 + g);
    float acc[2][NT][4] = {};
#pragma unroll
    for (int step = 0; step < kSteps; ++step) {
      const int tap = 4 * step + j;
      uint2 pixel[2][2];
#pragma unroll
      for (int mt = 0; mt < 2; ++mt)
#pragma unroll
        for (int h = 0; h < 2; ++h) pixel[mt][h] = loadTap(a, window[mt][h], tap < kTaps, tap / S, tap % S);
      stepProducts<T>(acc, filter, step, lane, pixel);
    }
    // Accumulator (mt, t): registers 0-1 row g, 2-3 row g + 8, each channels 2j and 2j + 1 of the tile.
    withActivation<T>(a.activation, [&](auto activation) {
#pragma unroll
      for (int mt = 0; mt < 2; ++mt)
#pragma unroll
        for (int h = 0; h < 2; ++h) {
          if (!window[mt][h].inside) continue;
          const int m = tile * kPixelsPerBlock + warp * kPixelsPerWarp + mt * 16 + h * 8 + g;
          T* out = a.y + m * a.channels;
#pragma unroll
          for (int t = 0; t < NT; ++t) {
            const int k = channelBase + t * 8 + 2 * j;
            if (k >= a.channels) continue;
            T pair[2];
#pragma unroll
            for (int e = 0; e < 2; ++e) pair[e] = fromFloat<T>(activation(acc[mt][t][2 * h + e] + bias[t][e]));
            *reinterpret_cast<uint32_t*>(out + k) = *reinterpret_cast<const uint32_t*>(pair);
          }
        }
    });
  }
}

// Variants 2 and 3: the same products with the filter staged in KCRS order and the output staged through shared
// memory as 16-byte stores, the next step's taps loaded before this step's products, 32-bit index math (on an H100
// ResNet-50 BF16 b64's 7x7/2 stem: 133 us, variant 0 418 us, where the latter's scattered 4-byte stores bound it).
// Block: 4 warps of 32 output pixels each (two m16 tiles) by NT * 8 output channels (blockIdx.y's); the grid's
// blocks (as many as stay resident) loop over the pixel tiles, the filter staged once. Shared memory: [step][n8
// tile][lane] 8-byte entries, lane (g, j)'s the 4 channels of tap 4 * step + j of output channel tile * 8 + g.
template <typename T, int R, int S, int NT>
__global__ void __launch_bounds__(kThreads) fewChannelNhwcStagedKernel(FewChannelArgs<T> a) {
  constexpr int kTaps = R * S, kSteps = (kTaps + 3) / 4;
  // A row of a staged output tile: the block's NT * 8 channels of a pixel and 8 elements more, so that the 8 pixels
  // (g) of an accumulator's store start in different banks (row lengths of 12, 20 and 36 words).
  constexpr int kRowElements = NT * 8 + 8;
  __shared__ uint2 filter[kSteps * NT * 32];
  __shared__ alignas(16) T staged[kWarps * kPixelsPerWarp * kRowElements];
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, g = lane >> 2, j = lane & 3;
  const int channelBase = blockIdx.y * NT * 8;
  // Zeros first (taps past the filter's, channels past the layer's), then the block's filters read in their own KCRS
  // order (consecutive threads, consecutive elements) and each element put where its lane reads it.
  for (int i = threadIdx.x; i < kSteps * NT * 32; i += kThreads) filter[i] = make_uint2(0, 0);
  __syncthreads();
  T* entries = reinterpret_cast<T*>(filter);
  const int elements = min(NT * 8, a.channels - channelBase) * kChannelsIn * kTaps;
  const T* blockFilter = a.w + channelBase * kChannelsIn * kTaps;
  for (int i = threadIdx.x; i < elements; i += kThreads) {
    const int local = i / (kChannelsIn * kTaps), c = i / kTaps % kChannelsIn, tap = i % kTaps;
    const int entry = (tap / 4 * NT + local / 8) * 32 + (local % 8) * 4 + tap % 4;
    entries[entry * kChannelsIn + c] = blockFilter[i];
  }
  __syncthreads();
  // This lane's output channels: 2j and 2j + 1 of each n8 tile.
  float bias[NT][2];
  loadLaneBias(a, channelBase, j, bias);
  const int tiles = (a.pixels + kPixelsPerBlock - 1) / kPixelsPerBlock;
  for (int tile = blockIdx.x; tile < tiles; tile += gridDim.x) {
    // This lane's 4 pixels: rows g and g + 8 of the warp's two m16 tiles.
    PixelWindow window[2][2];
#pragma unroll
    for (int mt = 0; mt < 2; ++mt)
#pragma unroll
      for (int h = 0; h < 2; ++h)
        window[mt][h] = windowOf(a, tile * kPixelsPerBlock + warp * kPixelsPerWarp + mt * 16 + h * 8 + g);
    float acc[2][NT][4] = {};
    // The next step's taps are loaded before this step's products (the loads' latency under the tensor cores').
    uint2 pixel[2][2];
#pragma unroll
    for (int mt = 0; mt < 2; ++mt)
#pragma unroll
      for (int h = 0; h < 2; ++h) pixel[mt][h] = loadTap(a, window[mt][h], j < kTaps, j / S, j % S);
#pragma unroll
    for (int step = 0; step < kSteps; ++step) {
      uint2 next[2][2];
      const int tap = 4 * (step + 1) + j;
#pragma unroll
      for (int mt = 0; mt < 2; ++mt)
#pragma unroll
        for (int h = 0; h < 2; ++h)
          next[mt][h] = step + 1 < kSteps ? loadTap(a, window[mt][h], tap < kTaps, tap / S, tap % S) : make_uint2(0, 0);
      stepProducts<T>(acc, filter, step, lane, pixel);
#pragma unroll
      for (int mt = 0; mt < 2; ++mt)
#pragma unroll
        for (int h = 0; h < 2; ++h) pixel[mt][h] = next[mt][h];
    }
    // The warp's 32 pixels are consecutive output pixels: their channels of this block go out through shared memory
    // as 16-byte stores, consecutive lanes writing consecutive bytes. (Stored straight from the accumulators, each
    // lane's two channels of 8 pixels a store, the writes were 4-byte pieces of 32-byte sectors: the kernel ran at
    // ~0.3 TB/s of output.) Accumulator (mt, t): registers 0-1 row g, 2-3 row g + 8, each channels 2j and 2j + 1
    // of the n8 tile.
    T* rows = staged + warp * kPixelsPerWarp * kRowElements;
    withActivation<T>(a.activation, [&](auto activation) {
#pragma unroll
      for (int mt = 0; mt < 2; ++mt)
#pragma unroll
        for (int h = 0; h < 2; ++h)
#pragma unroll
          for (int t = 0; t < NT; ++t) {
            T pair[2];
#pragma unroll
            for (int e = 0; e < 2; ++e) pair[e] = fromFloat<T>(activation(acc[mt][t][2 * h + e] + bias[t][e]));
            *reinterpret_cast<uint32_t*>(rows + (mt * 16 + h * 8 + g) * kRowElements + t * 8 + 2 * j) =
                *reinterpret_cast<const uint32_t*>(pair);
          }
    });
    __syncwarp();
    const int firstPixel = tile * kPixelsPerBlock + warp * kPixelsPerWarp;
#pragma unroll
    for (int c = lane; c < kPixelsPerWarp * NT; c += 32) {
      const int row = c / NT, part = c - row * NT, m = firstPixel + row, k = channelBase + part * 8;
      if (m < a.pixels && k < a.channels)
        *reinterpret_cast<uint4*>(a.y + m * a.channels + k) =
            *reinterpret_cast<const uint4*>(rows + row * kRowElements + part * 8);
    }
    __syncwarp();  // the rows are written again by the next tile
  }
}

template <typename T, int R, int NT, bool Staged>
void launchFor(const FewChannelArgs<T>& args, cudaStream_t stream) {
  constexpr int kSteps = (R * R + 3) / 4;
  static_assert(kSteps * NT * 32 * sizeof(uint2) + kWarps * kPixelsPerWarp * (NT * 8 + 8) * sizeof(T) <= 48 * 1024,
                "the staged filter and output tiles fit the static shared memory");
  constexpr auto kernel = Staged ? fewChannelNhwcStagedKernel<T, R, R, NT> : fewChannelNhwcKernel<T, R, R, NT>;
  const int tiles = (args.pixels + kPixelsPerBlock - 1) / kPixelsPerBlock;
  const int channelBlocks = (args.channels + NT * 8 - 1) / (NT * 8);
  // As many blocks as stay resident at once, split across the channel blocks: a block more would run its tiles
  // after the others finished theirs (a second wave of one block doubles the call). Blocks a multiprocessor holds:
  // the same on every GPU of the architecture this code was compiled for (asked once, thread-safe).
  static const int perMultiprocessor = [] {
    int blocks = 0;
    if (cudaOccupancyMaxActiveBlocksPerMultiprocessor(&blocks, kernel, kThreads, 0) == cudaSuccess && blocks > 0)
      return blocks;
    cudaGetLastError();  // a failed query is not the launch's error (one block a multiprocessor, still right)
    return 1;
  }();
  const int resident = perMultiprocessor * multiprocessorCount();
  const int across = std::max(1, resident / channelBlocks);
  const dim3 grid(static_cast<unsigned>(std::min(tiles, across)), static_cast<unsigned>(channelBlocks));
  kernel<<<grid, kThreads, 0, stream>>>(args);
}

template <typename T, int R>
void launchWithTile(const FewChannelArgs<T>& args, cudaStream_t stream, int tiles, bool staged) {
  auto go = [&](auto nt) {
    if (staged)
      launchFor<T, R, decltype(nt)::value, true>(args, stream);
    else
      launchFor<T, R, decltype(nt)::value, false>(args, stream);
  };
  if (tiles == 8)
    go(std::integral_constant<int, 8>());
  else if (tiles == 4)
    go(std::integral_constant<int, 4>());
  else
    go(std::integral_constant<int, 2>());
}

// n8 tiles a block for `channels` output channels: the fewest of 2, 4, 8 that cover them (up to 64), halved for the
// odd variants (1, 3).
int tilesFor(int64_t channels, int variant) {
  const int64_t needed = (channels + 7) / 8;
  int tiles = needed <= 2 ? 2 : needed <= 4 ? 4 : 8;
  if (variant % 2 == 1 && tiles > 2) tiles /= 2;
  return tiles;
}

}  // namespace

int fewChannelVariantsTimed() {
  static const int timed = [] {
    const char* v = std::getenv("TORCHTRT_FEW_CHANNEL_VARIANTS");
    const int asked = v != nullptr ? std::atoi(v) : 0;
    return asked >= 1 && asked <= kFewChannelVariants ? asked : kFewChannelTimedVariants;
  }();
  return timed;
}

bool fewChannelNhwcApplies(DataType type, int64_t groups, int64_t inChannels, int64_t outChannels,
                           const ConvGeometry& g, bool residual) {
  const int64_t r = g.k[1];
  return (type == DataType::kHALF || type == DataType::kBF16) && groups == 1 && inChannels == kChannelsIn &&
         outChannels > 0 && outChannels % 8 == 0 && !residual && g.k[0] == 1 && g.in[0] == 1 && g.out[0] == 1 &&
         g.k[2] == r && (r == 3 || r == 4 || r == 5 || r == 7);
}

bool launchFewChannelNhwc(cudaStream_t stream, DataType type, const ConvGeometry& g, int64_t batch, int64_t channels,
                          const void* x, const void* w, const void* bias, const FusedActivation& activation, void* y,
                          int variant) {
  if (!fewChannelNhwcApplies(type, 1, kChannelsIn, channels, g, false) || variant < 0 ||
      variant >= kFewChannelVariants || !allAligned16({x, w, bias, y}))
    return false;
  const int64_t pixels = batch * g.out[1] * g.out[2];
  // 32-bit offsets (the staged kernel's index math; cuDNN runs larger tensors), and at most 65535 channel blocks of
  // at least 16 channels (the grid's y).
  if (batch * g.in[1] * g.in[2] * kChannelsIn >= INT32_MAX || pixels * channels >= INT32_MAX ||
      channels * kChannelsIn * g.k[1] * g.k[2] >= INT32_MAX || channels > 65535 * 16)
    return false;
  if (pixels == 0) return true;
  auto go = [&](auto storage) {
    using T = decltype(storage);
    FewChannelArgs<T> args{static_cast<const T*>(x),
                           static_cast<const T*>(w),
                           static_cast<const T*>(bias),
                           static_cast<T*>(y),
                           static_cast<int>(pixels),
                           static_cast<int>(g.in[1]),
                           static_cast<int>(g.in[2]),
                           static_cast<int>(g.out[1]),
                           static_cast<int>(g.out[2]),
                           static_cast<int>(g.stride[1]),
                           static_cast<int>(g.stride[2]),
                           static_cast<int>(g.pad[1]),
                           static_cast<int>(g.pad[2]),
                           static_cast<int>(g.dil[1]),
                           static_cast<int>(g.dil[2]),
                           static_cast<int>(channels),
                           activation};
    const int tiles = tilesFor(channels, variant);
    switch (g.k[1]) {
      case 3:
        launchWithTile<T, 3>(args, stream, tiles, variant >= 2);
        break;
      case 4:
        launchWithTile<T, 4>(args, stream, tiles, variant >= 2);
        break;
      case 5:
        launchWithTile<T, 5>(args, stream, tiles, variant >= 2);
        break;
      default:
        launchWithTile<T, 7>(args, stream, tiles, variant >= 2);
        break;
    }
  };
  if (type == DataType::kHALF)
    go(__half());
  else
    go(__nv_bfloat16());
  ++runs;
  return true;
}

bool fewChannelVariantDiffers(int64_t channels, int variant) {
  return variant % 2 == 0 || tilesFor(channels, variant) != tilesFor(channels, variant - 1);
}

int64_t fewChannelNhwcRuns() { return runs.load(); }

}  // namespace cuda
}  // namespace trt
