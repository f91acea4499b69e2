// Data movement: shuffle (permute / reshape), concatenation, constants.
#include <algorithm>

#include "backends/cuda/cuda_kernels.h"
#include "backends/cuda/float_types.cuh"
#include "backends/cuda/source_blocks.cuh"
#include "layers/layer_util.h"

namespace trt {
namespace cuda {

namespace {
struct PermuteGeometry {
  int rank;
  int64_t outDims[Dims::MAX_DIMS];
  int64_t srcStride[Dims::MAX_DIMS];  // input stride of the dim that output dim i reads
};

template <typename T, typename I>
__global__ void permuteKernel(const T* src, T* dst, PermuteGeometry g, int64_t n) {
  const I i = static_cast<I>(blockIdx.x) * static_cast<I>(blockDim.x) + static_cast<I>(threadIdx.x);
  if (i >= static_cast<I>(n)) return;
  I rem = i, off = 0;
  for (int d = g.rank - 1; d >= 0; --d) {
    const I dim = static_cast<I>(g.outDims[d]);
    off += (rem % dim) * static_cast<I>(g.srcStride[d]);
    rem /= dim;
  }
  dst[i] = src[off];
}

// Merges output dims that read the source contiguously across their boundary (fewer divisions).
void coalesce(PermuteGeometry& g) {
  PermuteGeometry out{};
  for (int d = 0; d < g.rank; ++d) {
    if (g.outDims[d] == 1) continue;
    if (out.rank > 0 && out.srcStride[out.rank - 1] == g.srcStride[d] * g.outDims[d]) {
      out.outDims[out.rank - 1] *= g.outDims[d];
      out.srcStride[out.rank - 1] = g.srcStride[d];
      continue;
    }
    out.outDims[out.rank] = g.outDims[d];
    out.srcStride[out.rank] = g.srcStride[d];
    ++out.rank;
  }
  g = out;
}

// When the innermost output dim is contiguous in the source, moves `bytes`-wide vectors instead of
// elements (BERT's head split moves 64-element rows). Returns the element size to use.
size_t widen(PermuteGeometry& g, size_t elemSize, const void* src, void* dst) {
  if (g.rank == 0 || g.srcStride[g.rank - 1] != 1) return elemSize;
  for (size_t bytes : {size_t(16), size_t(8), size_t(4)}) {
    if (bytes <= elemSize || (g.outDims[g.rank - 1] * elemSize) % bytes != 0) continue;
    if (reinterpret_cast<uintptr_t>(src) % bytes != 0 || reinterpret_cast<uintptr_t>(dst) % bytes != 0) continue;
    bool ok = true;
    for (int d = 0; d < g.rank - 1; ++d) ok &= (g.srcStride[d] * elemSize) % bytes == 0;
    if (!ok) continue;
    const int64_t factor = static_cast<int64_t>(bytes / elemSize);
    g.outDims[g.rank - 1] /= factor;
    for (int d = 0; d < g.rank - 1; ++d) g.srcStride[d] /= factor;
    return bytes;
  }
  return elemSize;
}

// [N, C, P] -> [N, P, C] for a few channels (an image's NCHW -> NHWC at a channels-last region's entry: RGB's 3):
// a thread per pixel reads its C values (neighbouring threads neighbouring pixels: coalesced) and writes them side
// by side, one division a thread instead of two per element (ResNet-50's 64x3x224x224 entry took 48 us at batch 64
// on an H100, 2.5x its bytes' time).
constexpr int64_t kFewChannels = 16;

template <typename T>
__global__ void fewChannelsLastKernel(const T* src, T* dst, uint32_t pixels, int channels, uint32_t total) {
  const uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= total) return;
  const uint32_t n = i / pixels, p = i - n * pixels;
  const T* s = src + static_cast<size_t>(n) * channels * pixels + p;
  T* d = dst + static_cast<size_t>(i) * channels;
  for (int c = 0; c < channels; ++c) d[c] = s[static_cast<size_t>(c) * pixels];
}

// The same for C of 1 to 4 and P a multiple of a 16-byte vector's elements (V): a thread per V pixels loads one
// vector of each channel's plane and stores the C vectors of their interleaved values (ResNet-50's 3-channel entry
// at batch 64: 26 us in 2-byte accesses, 1.5 TB/s).
template <typename T, int C>
__global__ void fewChannelsLastVectorKernel(const uint4* src, uint4* dst, uint32_t pixelVectors, uint32_t total) {
  constexpr int V = 16 / static_cast<int>(sizeof(T));
  const uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= total) return;
  const uint32_t n = i / pixelVectors, p = i - n * pixelVectors;
  const uint4* s = src + static_cast<size_t>(n) * C * pixelVectors + p;
  uint4 planes[C];
#pragma unroll
  for (int c = 0; c < C; ++c) planes[c] = s[static_cast<size_t>(c) * pixelVectors];
  uint4 out[C];
  const T* in = reinterpret_cast<const T*>(planes);
  T* o = reinterpret_cast<T*>(out);
#pragma unroll
  for (int k = 0; k < V; ++k)
#pragma unroll
    for (int c = 0; c < C; ++c) o[k * C + c] = in[c * V + k];
  uint4* d = dst + static_cast<size_t>(i) * C;
#pragma unroll
  for (int c = 0; c < C; ++c) d[c] = out[c];
}

// fewChannelsLastVectorKernel where it applies (2- and 4-byte elements, 1 to 4 channels, whole vectors of pixels,
// 16-byte aligned planes); false otherwise.
template <typename T>
bool launchFewChannelsLastVectors(LaunchContext& ctx, const void* src, void* dst, int64_t pixels, int64_t channels,
                                  int64_t n) {
  if constexpr (sizeof(T) != 2 && sizeof(T) != 4) {
    return false;
  } else {
    constexpr int64_t V = 16 / static_cast<int64_t>(sizeof(T));
    if (channels < 1 || channels > 4 || pixels % V != 0 || !allAligned16({src, dst})) return false;
    const int64_t threads = n / (channels * V);  // n: every element of the [N, P, C] output
    const unsigned blocks = static_cast<unsigned>((threads + 255) / 256);
    const auto run = [&](auto kernel) {
      kernel<<<blocks, 256, 0, ctx.stream>>>(static_cast<const uint4*>(src), static_cast<uint4*>(dst),
                                             static_cast<uint32_t>(pixels / V), static_cast<uint32_t>(threads));
      return true;
    };
    switch (channels) {
      case 1:
        return run(fewChannelsLastVectorKernel<T, 1>);
      case 2:
        return run(fewChannelsLastVectorKernel<T, 2>);
      case 3:
        return run(fewChannelsLastVectorKernel<T, 3>);
      default:
        return run(fewChannelsLastVectorKernel<T, 4>);
    }
  }
}

// Whether the coalesced geometry is [N, P, C] read from [N, C, P] (N = 1: [P, C]) with C <= kFewChannels; sets the
// pixels P and channels C.
bool fewChannelsLast(const PermuteGeometry& g, int64_t& pixels, int64_t& channels) {
  const int at = g.rank - 2;  // the pixel dim
  if (g.rank < 2 || g.rank > 3 || g.srcStride[at] != 1 || g.srcStride[at + 1] != g.outDims[at]) return false;
  if (g.rank == 3 && g.srcStride[0] != g.outDims[1] * g.outDims[2]) return false;
  pixels = g.outDims[at];
  channels = g.outDims[at + 1];
  return channels <= kFewChannels;
}

template <typename T>
void launchPermute(LaunchContext& ctx, const void* src, void* dst, const PermuteGeometry& g, int64_t n) {
  const unsigned blocks = static_cast<unsigned>((n + 255) / 256);
  int64_t pixels = 0, channels = 0;
  if (sizeof(T) <= 4 && n < (int64_t(1) << 31) && fewChannelsLast(g, pixels, channels)) {
    if (launchFewChannelsLastVectors<T>(ctx, src, dst, pixels, channels, n)) return;
    const int64_t threads = n / channels;
    fewChannelsLastKernel<T><<<static_cast<unsigned>((threads + 255) / 256), 256, 0, ctx.stream>>>(
        static_cast<const T*>(src), static_cast<T*>(dst), static_cast<uint32_t>(pixels), static_cast<int>(channels),
        static_cast<uint32_t>(threads));
    return;
  }
  if (n < (int64_t(1) << 31))
    permuteKernel<T, uint32_t><<<blocks, 256, 0, ctx.stream>>>(static_cast<const T*>(src), static_cast<T*>(dst), g, n);
  else
    permuteKernel<T, int64_t><<<blocks, 256, 0, ctx.stream>>>(static_cast<const T*>(src), static_cast<T*>(dst), g, n);
}

// A concatenation's inputs copied by one kernel: output row r (the dims before the axis) is the
// inputs' rows r side by side. Units of `Unit` bytes; each source has blocks of its own (source_blocks.cuh).
constexpr int kConcatSources = kSourcesPerLaunch;

struct ConcatSources {
  const uint8_t* data[kConcatSources];
  int64_t begin[kConcatSources + 1];        // units: source s fills [begin[s], begin[s + 1]) of the range
  uint32_t firstBlock[kConcatSources + 1];  // source s has blocks [firstBlock[s], firstBlock[s + 1])
  int32_t count;
  int64_t outRowUnits;  // units in one output row
  int64_t rangeStart;   // the first unit of each output row this launch writes
};

template <typename Unit>
__global__ void concatKernel(ConcatSources s, Unit* out, int64_t rows) {
  const int lo = sourceOfBlock(s.firstBlock, s.count);
  const int64_t width = s.begin[lo + 1] - s.begin[lo], n = rows * width;
  const Unit* src = reinterpret_cast<const Unit*>(s.data[lo]);
  Unit* dst = out + s.rangeStart + s.begin[lo];
  const int64_t step = static_cast<int64_t>(s.firstBlock[lo + 1] - s.firstBlock[lo]) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x - s.firstBlock[lo]) * blockDim.x + threadIdx.x; i < n; i += step) {
    const int64_t row = i / width;
    dst[row * s.outRowUnits + (i - row * width)] = src[i];
  }
}

// The widest unit (16, 8, 4, 2 or 1 bytes) dividing every row and aligning every address.
size_t concatUnit(const std::vector<TensorView>& in, const TensorView& out, int64_t inner, size_t elem, int axis) {
  for (size_t unit : {size_t(16), size_t(8), size_t(4), size_t(2)}) {
    bool ok = reinterpret_cast<uintptr_t>(out.data) % unit == 0;
    for (const TensorView& t : in)
      ok = ok && reinterpret_cast<uintptr_t>(t.data) % unit == 0 &&
           (static_cast<size_t>(t.dims.d[axis] * inner) * elem) % unit == 0;
    if (ok) return unit;
  }
  return 1;
}

template <typename Unit>
void launchConcat(LaunchContext& ctx, ConcatSources& s, void* out, int64_t rows) {
  const uint32_t blocks =
      assignSourceBlocks(s.firstBlock, s.count, [&](int i) { return rows * (s.begin[i + 1] - s.begin[i]); });
  concatKernel<Unit><<<blocks, 256, 0, ctx.stream>>>(s, static_cast<Unit*>(out), rows);
}

bool isIdentity(const int32_t* perm, int rank) {
  for (int i = 0; i < rank; ++i)
    if (perm[i] != i) return false;
  return true;
}
}  // namespace

void permute(LaunchContext& ctx, const void* src, const Dims& dims, const int32_t* perm, void* dst, size_t elemSize) {
  const int64_t n = dims.volume();
  if (n == 0) return;
  if (dims.nbDims == 0 || isIdentity(perm, dims.nbDims)) {
    if (dst != src) check(cudaMemcpyAsync(dst, src, n * elemSize, cudaMemcpyDeviceToDevice, ctx.stream), "copy");
    return;
  }
  PermuteGeometry g{};
  g.rank = dims.nbDims;
  int64_t stride[Dims::MAX_DIMS];
  int64_t s = 1;
  for (int i = dims.nbDims - 1; i >= 0; --i) {
    stride[i] = s;
    s *= dims.d[i];
  }
  for (int i = 0; i < g.rank; ++i) {
    g.outDims[i] = dims.d[perm[i]];
    g.srcStride[i] = stride[perm[i]];
  }
  coalesce(g);
  const size_t elem = widen(g, elemSize, src, dst);
  const int64_t count = n * static_cast<int64_t>(elemSize) / static_cast<int64_t>(elem);
  switch (elem) {
    case 1:
      launchPermute<uint8_t>(ctx, src, dst, g, count);
      break;
    case 2:
      launchPermute<uint16_t>(ctx, src, dst, g, count);
      break;
    case 4:
      launchPermute<uint32_t>(ctx, src, dst, g, count);
      break;
    case 8:
      launchPermute<uint64_t>(ctx, src, dst, g, count);
      break;
    case 16:
      launchPermute<uint4>(ctx, src, dst, g, count);
      break;
    default:
      throw Error("CUDA permute: unsupported element size " + std::to_string(elemSize));
  }
  check(cudaGetLastError(), "permute kernel launch");
}

void launchShuffle(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const auto& shuffle = static_cast<const IShuffleLayer&>(layer);
  const size_t elem = dataTypeSize(in[0].type);
  const Permutation first = shuffle.getFirstTranspose(), second = shuffle.getSecondTranspose();
  const bool firstId = isIdentity(first.order, in[0].dims.nbDims), secondId = isIdentity(second.order, out.dims.nbDims);
  const Dims mid = layer_util::shapeBeforeSecondTranspose(out.dims, second);
  if (secondId) {  // also the plain copy when both transposes are identities
    permute(ctx, in[0].data, in[0].dims, first.order, out.data, elem);
  } else if (firstId) {
    permute(ctx, in[0].data, mid, second.order, out.data, elem);
  } else {
    void* tmp = ctx.scratch(static_cast<size_t>(in[0].dims.volume()) * elem);
    permute(ctx, in[0].data, in[0].dims, first.order, tmp, elem);
    permute(ctx, tmp, mid, second.order, out.data, elem);
  }
}

// One kernel per 32 inputs instead of a copy per input: DenseNet-121's concatenations of every earlier
// feature map took 597 copies a call at batch 1 (0.74 ms on an H200, most of it per-copy overhead).
// A single row (everything before the axis has size 1) is contiguous per input: plain copies then.
void launchConcatenation(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const int axis = static_cast<const IConcatenationLayer&>(layer).getAxis();
  const size_t elem = dataTypeSize(out.type);
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < axis; ++i) outer *= out.dims.d[i];
  for (int i = axis + 1; i < out.dims.nbDims; ++i) inner *= out.dims.d[i];
  const int64_t outRow = out.dims.d[axis] * inner;
  if (outer == 0 || outRow == 0) return;
  if (outer == 1) {
    int64_t offset = 0;
    for (const TensorView& t : in) {
      const int64_t row = t.dims.d[axis] * inner;
      if (row > 0)
        check(cudaMemcpyAsync(static_cast<uint8_t*>(out.data) + offset * elem, t.data, row * elem,
                              cudaMemcpyDeviceToDevice, ctx.stream),
              "concatenation copy");
      offset += row;
    }
    return;
  }
  const size_t unit = concatUnit(in, out, inner, elem, axis);
  const int64_t unitsPerElem = static_cast<int64_t>(elem) / static_cast<int64_t>(unit);  // 0 when unit > elem
  auto units = [&](int64_t elements) {
    return unitsPerElem > 0 ? elements * unitsPerElem
                            : elements * static_cast<int64_t>(elem) / static_cast<int64_t>(unit);
  };
  ConcatSources s{};
  s.outRowUnits = units(outRow);
  int64_t offset = 0;  // elements into the output row
  size_t next = 0;
  while (next < in.size()) {
    s.count = 0;
    s.rangeStart = units(offset);
    int64_t width = 0;
    for (; next < in.size() && s.count < kConcatSources; ++next) {
      const int64_t row = in[next].dims.d[axis] * inner;
      if (row == 0) continue;  // an empty input adds nothing
      s.data[s.count] = static_cast<const uint8_t*>(in[next].data);
      s.begin[s.count] = units(width);
      ++s.count;
      width += row;
    }
    if (s.count == 0) break;
    s.begin[s.count] = units(width);
    switch (unit) {
      case 16:
        launchConcat<uint4>(ctx, s, out.data, outer);
        break;
      case 8:
        launchConcat<uint2>(ctx, s, out.data, outer);
        break;
      case 4:
        launchConcat<uint32_t>(ctx, s, out.data, outer);
        break;
      case 2:
        launchConcat<uint16_t>(ctx, s, out.data, outer);
        break;
      default:
        launchConcat<uint8_t>(ctx, s, out.data, outer);
        break;
    }
    check(cudaGetLastError(), "concatenation kernel launch");
    offset += width;
  }
}

void launchConstant(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>&, TensorView& out) {
  const auto& constant = static_cast<const IConstantLayer&>(layer);
  check(cudaMemcpyAsync(out.data, ctx.device(constant.bytes().data()), constant.bytes().size(),
                        cudaMemcpyDeviceToDevice, ctx.stream),
        "constant copy");
}

}  // namespace cuda
}  // namespace trt
