// Data movement: shuffle (permute / reshape), concatenation, constants.
#include <algorithm>
#include <type_traits>

#include "backends/cuda/cuda_kernels.h"
#include "backends/cuda/float_types.cuh"
#include "backends/cuda/source_blocks.cuh"
#include "common/half.h"
#include "layers/layer_util.h"

namespace trt {
namespace cuda {

namespace {
struct PermuteGeometry {
  int rank;
  int64_t outDims[Dims::MAX_DIMS];
  int64_t srcStride[Dims::MAX_DIMS];  // input stride of the dim that output dim i reads
};

// Float32, float16 and bfloat16 to and from float through common/half.h, the CPU reference's own conversions:
// round to nearest even, and NaNs, infinities and subnormals bit for bit as the reference casts them.
__device__ __forceinline__ float widenExact(float v) { return v; }
__device__ __forceinline__ float widenExact(__half v) { return halfToFloat(__half_as_ushort(v)); }
__device__ __forceinline__ float widenExact(__nv_bfloat16 v) { return bf16ToFloat(__bfloat16_as_ushort(v)); }
template <typename D>
__device__ __forceinline__ D narrowExact(float v) {
  if constexpr (std::is_same<D, __half>::value)
    return __ushort_as_half(floatToHalf(v));
  else if constexpr (std::is_same<D, __nv_bfloat16>::value)
    return __ushort_as_bfloat16(floatToBf16(v));
  else
    return v;
}

// An element moved from S to D: raw bits as they are (or widened into a shared-memory word and back), or a cast
// between float32, float16 and bfloat16 (a shuffle with a folded cast) through float.
template <typename D, typename S>
__device__ __forceinline__ D convertElement(S v) {
  if constexpr (std::is_same<D, S>::value)
    return v;
  else if constexpr (std::is_integral<D>::value && std::is_integral<S>::value)
    return static_cast<D>(v);
  else
    return narrowExact<D>(widenExact(v));
}

template <typename S, typename D, typename I>
__global__ void permuteKernel(const S* src, D* dst, PermuteGeometry g, int64_t n) {
  const I i = static_cast<I>(blockIdx.x) * static_cast<I>(blockDim.x) + static_cast<I>(threadIdx.x);
  if (i >= static_cast<I>(n)) return;
  I rem = i, off = 0;
  for (int d = g.rank - 1; d >= 0; --d) {
    const I dim = static_cast<I>(g.outDims[d]);
    off += (rem % dim) * static_cast<I>(g.srcStride[d]);
    rem /= dim;
  }
  dst[i] = convertElement<D>(src[off]);
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

template <typename S, typename D>
__global__ void fewChannelsLastKernel(const S* src, D* dst, uint32_t pixels, int channels, uint32_t total) {
  const uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= total) return;
  const uint32_t n = i / pixels, p = i - n * pixels;
  const S* s = src + static_cast<size_t>(n) * channels * pixels + p;
  D* d = dst + static_cast<size_t>(i) * channels;
  for (int c = 0; c < channels; ++c) d[c] = convertElement<D>(s[static_cast<size_t>(c) * pixels]);
}

// The same for C of 1 to 4 and P a multiple of a 16-byte vector's elements of S (V): a thread per V pixels loads one
// vector of each channel's plane and stores the V * C interleaved values, cast to D where the shuffle has a folded
// cast, in 16-byte (or, for float32 -> 16 bits, 8-byte) pieces (ResNet-50's 3-channel entry at batch 64: 26 us in
// 2-byte accesses, 1.5 TB/s).
// CO > C: each pixel's channels followed by CO - C zeros (a zero-padded shuffle: RGB padded to the 4 channels
// cuDNN's first-layer kernels read).
template <typename S, typename D, int C, int CO = C>
__global__ void fewChannelsLastVectorKernel(const uint4* src, D* dst, uint32_t pixelVectors, uint32_t total) {
  constexpr int V = 16 / static_cast<int>(sizeof(S));
  // A thread's V * CO outputs in 16-byte pieces where they fill whole ones, else 8-byte ones.
  using Piece = std::conditional_t<(V * CO * sizeof(D)) % 16 == 0, uint4, uint2>;
  constexpr int kPieces = static_cast<int>(V * CO * sizeof(D) / sizeof(Piece));
  const uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= total) return;
  const uint32_t n = i / pixelVectors, p = i - n * pixelVectors;
  const uint4* s = src + static_cast<size_t>(n) * C * pixelVectors + p;
  uint4 planes[C];
#pragma unroll
  for (int c = 0; c < C; ++c) planes[c] = s[static_cast<size_t>(c) * pixelVectors];
  Piece out[kPieces];
  const S* in = reinterpret_cast<const S*>(planes);
  D* o = reinterpret_cast<D*>(out);
#pragma unroll
  for (int k = 0; k < V; ++k)
#pragma unroll
    for (int c = 0; c < CO; ++c) o[k * CO + c] = c < C ? convertElement<D>(in[c * V + k]) : D(0.f);
  Piece* d = reinterpret_cast<Piece*>(dst + static_cast<size_t>(i) * CO * V);
#pragma unroll
  for (int k = 0; k < kPieces; ++k) d[k] = out[k];
}

// fewChannelsLastVectorKernel where it applies (2- and 4-byte elements, 1 to 4 channels, whole vectors of pixels,
// 16-byte aligned planes); false otherwise. `n`: every element of the [N, P, C] result; `outChannels` 4 pads 1 to 3
// channels to 4 with zeros (0: as many as it reads).
template <typename S, typename D>
bool launchFewChannelsLastVectors(LaunchContext& ctx, const void* src, void* dst, int64_t pixels, int64_t channels,
                                  int64_t n, int64_t outChannels = 0) {
  if constexpr ((sizeof(S) != 2 && sizeof(S) != 4) || (sizeof(D) != 2 && sizeof(D) != 4)) {
    return false;
  } else {
    constexpr int64_t V = 16 / static_cast<int64_t>(sizeof(S));
    const bool padded = outChannels > 0 && outChannels != channels;
    if (channels < 1 || channels > 4 || (padded && (outChannels != 4 || channels == 4)) || pixels % V != 0 ||
        !allAligned16({src, dst}))
      return false;
    const int64_t threads = n / (channels * V);
    const unsigned blocks = static_cast<unsigned>((threads + 255) / 256);
    const auto run = [&](auto kernel) {
      kernel<<<blocks, 256, 0, ctx.stream>>>(static_cast<const uint4*>(src), static_cast<D*>(dst),
                                             static_cast<uint32_t>(pixels / V), static_cast<uint32_t>(threads));
      return true;
    };
    switch (channels) {
      case 1:
        return run(padded ? fewChannelsLastVectorKernel<S, D, 1, 4> : fewChannelsLastVectorKernel<S, D, 1>);
      case 2:
        return run(padded ? fewChannelsLastVectorKernel<S, D, 2, 4> : fewChannelsLastVectorKernel<S, D, 2>);
      case 3:
        return run(padded ? fewChannelsLastVectorKernel<S, D, 3, 4> : fewChannelsLastVectorKernel<S, D, 3>);
      default:
        return run(fewChannelsLastVectorKernel<S, D, 4>);
    }
  }
}

// f(T{}) for the floating type `type` (float32, float16 or bfloat16); what a shuffle cannot convert is refused by name.
template <typename F>
decltype(auto) withFloatingType(DataType type, const char* refusal, F&& f) {
  switch (type) {
    case DataType::kFLOAT:
      return f(float{});
    case DataType::kHALF:
      return f(__half{});
    case DataType::kBF16:
      return f(__nv_bfloat16{});
    default:
      throw Error(std::string("CUDA shuffle: ") + refusal + " " + dataTypeName(type));
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

// [B, S, R] -> [B, R, S] for R and S of a tile or more (an NHWC map's exit to NCHW: FPN's five 256-channel maps):
// a 32x32 tile read along R and written along S through shared memory, so both sides are coalesced. The
// element-wise kernel reads with a stride of R elements: FPN b8's exits took 530 us, 5x their bytes' time.
constexpr int kTransposeTile = 32;
constexpr int kTransposeRows = 8;  // threadIdx.y: a thread moves kTransposeTile / kTransposeRows elements

// Tile: the shared-memory element (a 32-bit word for sub-word raw elements, so the column reads hit distinct banks;
// float for a cast).
template <typename S, typename D, typename Tile>
__global__ void transposeTilesKernel(const S* src, D* dst, int64_t rows, int64_t cols, int64_t batchStride,
                                     uint32_t colTiles) {
  __shared__ Tile tile[kTransposeTile][kTransposeTile + 1];
  src += static_cast<int64_t>(blockIdx.z) * batchStride;
  dst += static_cast<int64_t>(blockIdx.z) * rows * cols;
  // blockIdx.x numbers the tiles row by row (either side may exceed gridDim.y's 65535 tiles: a large image's pixels).
  const int64_t r0 = static_cast<int64_t>(blockIdx.x / colTiles) * kTransposeTile;  // output row = source column
  const int64_t s0 = static_cast<int64_t>(blockIdx.x % colTiles) * kTransposeTile;  // output column = source row
  const int64_t r = r0 + threadIdx.x;
  for (int k = threadIdx.y; k < kTransposeTile; k += kTransposeRows) {
    const int64_t s = s0 + k;
    if (s < cols && r < rows) tile[k][threadIdx.x] = convertElement<Tile>(src[s * rows + r]);
  }
  __syncthreads();
  const int64_t s = s0 + threadIdx.x;
  for (int k = threadIdx.y; k < kTransposeTile; k += kTransposeRows) {
    const int64_t row = r0 + k;
    if (row < rows && s < cols) dst[row * cols + s] = convertElement<D>(tile[threadIdx.x][k]);
  }
}

// Whether the coalesced geometry is [B, R, S] read from [B, S, R] (B = 1: [R, S]) with R and S above a few;
// sets them and the source's batch stride.
bool batchedTranspose(const PermuteGeometry& g, int64_t& batch, int64_t& rows, int64_t& cols, int64_t& batchStride) {
  const int at = g.rank - 2;  // the output's row dim
  if (g.rank < 2 || g.rank > 3 || g.srcStride[at + 1] != g.outDims[at] || g.srcStride[at] != 1) return false;
  batch = g.rank == 3 ? g.outDims[0] : 1;
  batchStride = g.rank == 3 ? g.srcStride[0] : 0;
  rows = g.outDims[at];
  cols = g.outDims[at + 1];
  const int64_t tiles = ((rows + kTransposeTile - 1) / kTransposeTile) * ((cols + kTransposeTile - 1) / kTransposeTile);
  return rows >= kFewChannels && cols >= kFewChannels && batch <= 65535 && tiles < (int64_t(1) << 31);
}

// Moves the elements of S (raw bits) into D: the same type, or a cast between float32, float16 and bfloat16.
template <typename S, typename D>
void launchPermute(LaunchContext& ctx, const void* src, void* dst, const PermuteGeometry& g, int64_t n) {
  const auto* in = static_cast<const S*>(src);
  auto* out = static_cast<D*>(dst);
  int64_t pixels = 0, channels = 0;
  if (sizeof(S) <= 4 && n < (int64_t(1) << 31) && fewChannelsLast(g, pixels, channels)) {
    if (launchFewChannelsLastVectors<S, D>(ctx, src, dst, pixels, channels, n)) return;
    const int64_t threads = n / channels;
    fewChannelsLastKernel<S, D><<<static_cast<unsigned>((threads + 255) / 256), 256, 0, ctx.stream>>>(
        in, out, static_cast<uint32_t>(pixels), static_cast<int>(channels), static_cast<uint32_t>(threads));
    return;
  }
  int64_t batch = 0, rows = 0, cols = 0, batchStride = 0;
  if constexpr (sizeof(S) <= 8) {
    if (batchedTranspose(g, batch, rows, cols, batchStride)) {
      using Tile =
          std::conditional_t<std::is_integral<S>::value, std::conditional_t<(sizeof(S) < 4), uint32_t, S>, float>;
      const int64_t colTiles = (cols + kTransposeTile - 1) / kTransposeTile;
      const dim3 grid(static_cast<unsigned>(colTiles * ((rows + kTransposeTile - 1) / kTransposeTile)), 1,
                      static_cast<unsigned>(batch));
      transposeTilesKernel<S, D, Tile><<<grid, dim3(kTransposeTile, kTransposeRows), 0, ctx.stream>>>(
          in, out, rows, cols, batchStride, static_cast<uint32_t>(colTiles));
      return;
    }
  }
  const unsigned blocks = static_cast<unsigned>((n + 255) / 256);
  if (n < (int64_t(1) << 31))
    permuteKernel<S, D, uint32_t><<<blocks, 256, 0, ctx.stream>>>(in, out, g, n);
  else
    permuteKernel<S, D, int64_t><<<blocks, 256, 0, ctx.stream>>>(in, out, g, n);
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

// Output dim i of `dims` transposed by `perm` reads input dim perm[i], coalesced.
PermuteGeometry permuteGeometry(const Dims& dims, const int32_t* perm) {
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
  return g;
}

// A shuffle's last transpose with its folded cast (float32, float16 and bfloat16 either way): one pass that reads
// the input's type and writes the output's (an FP16 engine's NHWC maps leave as float32 NCHW).
void permuteCast(LaunchContext& ctx, const void* src, DataType from, const Dims& dims, const int32_t* perm, void* dst,
                 DataType to) {
  const int64_t n = dims.volume();
  if (n == 0) return;
  const PermuteGeometry g = permuteGeometry(dims, perm);
  withFloatingType(from, "cannot cast from", [&](auto source) {
    withFloatingType(to, "cannot cast to",
                     [&](auto target) { launchPermute<decltype(source), decltype(target)>(ctx, src, dst, g, n); });
  });
  check(cudaGetLastError(), "permute kernel launch");
}
}  // namespace

void permute(LaunchContext& ctx, const void* src, const Dims& dims, const int32_t* perm, void* dst, size_t elemSize) {
  const int64_t n = dims.volume();
  if (n == 0) return;
  if (dims.nbDims == 0 || isIdentity(perm, dims.nbDims)) {
    if (dst != src) check(cudaMemcpyAsync(dst, src, n * elemSize, cudaMemcpyDeviceToDevice, ctx.stream), "copy");
    return;
  }
  PermuteGeometry g = permuteGeometry(dims, perm);
  const size_t elem = widen(g, elemSize, src, dst);
  const int64_t count = n * static_cast<int64_t>(elemSize) / static_cast<int64_t>(elem);
  switch (elem) {
    case 1:
      launchPermute<uint8_t, uint8_t>(ctx, src, dst, g, count);
      break;
    case 2:
      launchPermute<uint16_t, uint16_t>(ctx, src, dst, g, count);
      break;
    case 4:
      launchPermute<uint32_t, uint32_t>(ctx, src, dst, g, count);
      break;
    case 8:
      launchPermute<uint64_t, uint64_t>(ctx, src, dst, g, count);
      break;
    case 16:
      launchPermute<uint4, uint4>(ctx, src, dst, g, count);
      break;
    default:
      throw Error("CUDA permute: unsupported element size " + std::to_string(elemSize));
  }
  check(cudaGetLastError(), "permute kernel launch");
}

namespace {
// The shuffle's transposes (and folded cast) of `in` into `dst`, of `outDims` and `outType`; `tmp` holds the first
// transpose's result where both transposes move elements.
void shuffleInto(LaunchContext& ctx, const IShuffleLayer& shuffle, const TensorView& in, const Dims& outDims,
                 DataType outType, void* dst, void* tmp) {
  const size_t elem = dataTypeSize(in.type);
  const Permutation first = shuffle.getFirstTranspose(), second = shuffle.getSecondTranspose();
  const bool firstId = isIdentity(first.order, in.dims.nbDims), secondId = isIdentity(second.order, outDims.nbDims);
  const Dims mid = layer_util::shapeBeforeSecondTranspose(outDims, second);
  // The step that writes the output converts where the shuffle has a folded cast (its output type differs).
  const auto writeOutput = [&](const void* src, const Dims& dims, const int32_t* perm) {
    if (in.type != outType)
      permuteCast(ctx, src, in.type, dims, perm, dst, outType);
    else
      permute(ctx, src, dims, perm, dst, elem);
  };
  if (secondId) {  // also the plain copy when both transposes are identities
    writeOutput(in.data, in.dims, first.order);
  } else if (firstId) {
    writeOutput(in.data, mid, second.order);
  } else {
    permute(ctx, in.data, in.dims, first.order, tmp, elem);
    writeOutput(tmp, mid, second.order);
  }
}

template <typename Unit>
__global__ void padRowsKernel(const Unit* src, Unit* dst, int64_t from, int64_t to, int64_t n) {
  const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= n) return;
  const int64_t row = i / to, at = i - row * to;
  dst[i] = at < from ? src[row * from + at] : Unit{};
}

// [rows, from] -> [rows, to] with zeros after each row's `from` elements of `elem` bytes.
void padRows(LaunchContext& ctx, const void* src, void* dst, int64_t from, int64_t to, int64_t n, size_t elem) {
  const unsigned blocks = static_cast<unsigned>((n + 255) / 256);
  withRawElement(elem, "CUDA shuffle's padding", [&](auto unit) {
    using Unit = decltype(unit);
    padRowsKernel<Unit>
        <<<blocks, 256, 0, ctx.stream>>>(static_cast<const Unit*>(src), static_cast<Unit*>(dst), from, to, n);
  });
  check(cudaGetLastError(), "pad kernel launch");
}

// A zero-padded shuffle (IShuffleLayer::setZeroPaddedLastDimension): an NCHW image of 1 to 3 channels moved to NHWC
// and padded to 4 in one pass; any other one moved into scratch memory in the transposes' shape, then padded.
void launchPaddedShuffle(LaunchContext& ctx, const IShuffleLayer& shuffle, const TensorView& in, const Dims& unpadded,
                         TensorView& out) {
  const Permutation first = shuffle.getFirstTranspose(), second = shuffle.getSecondTranspose();
  const bool firstId = isIdentity(first.order, in.dims.nbDims), secondId = isIdentity(second.order, unpadded.nbDims);
  const int64_t from = unpadded.d[unpadded.nbDims - 1], to = out.dims.d[out.dims.nbDims - 1];
  const int64_t n = out.dims.volume();
  if (n == 0) return;
  if (to == 4 && firstId != secondId) {
    const Dims dims = secondId ? in.dims : layer_util::shapeBeforeSecondTranspose(unpadded, second);
    const PermuteGeometry g = permuteGeometry(dims, secondId ? first.order : second.order);
    int64_t pixels = 0, channels = 0;
    if (fewChannelsLast(g, pixels, channels) && channels == from && isFloating(in.type) && isFloating(out.type) &&
        unpadded.volume() < (int64_t(1) << 31) && withFloatingType(in.type, "cannot pad", [&](auto source) {
          return withFloatingType(out.type, "cannot pad", [&](auto target) {
            return launchFewChannelsLastVectors<decltype(source), decltype(target)>(ctx, in.data, out.data, pixels,
                                                                                    channels, unpadded.volume(), to);
          });
        })) {
      check(cudaGetLastError(), "permute kernel launch");
      return;
    }
  }
  const size_t outElem = dataTypeSize(out.type);
  const size_t unpaddedBytes = (static_cast<size_t>(unpadded.volume()) * outElem + 255) / 256 * 256;
  auto* scratch = static_cast<uint8_t*>(ctx.scratch(
      unpaddedBytes + (firstId || secondId ? 0 : static_cast<size_t>(in.dims.volume()) * dataTypeSize(in.type))));
  shuffleInto(ctx, shuffle, in, unpadded, out.type, scratch, scratch + unpaddedBytes);
  padRows(ctx, scratch, out.data, from, to, n, outElem);
}
}  // namespace

void launchShuffle(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const auto& shuffle = static_cast<const IShuffleLayer&>(layer);
  const Dims unpadded = layer_util::shuffleOutputBeforePadding(shuffle, in[0].dims, out.dims);
  if (unpadded != out.dims) return launchPaddedShuffle(ctx, shuffle, in[0], unpadded, out);
  const bool twoTransposes = !isIdentity(shuffle.getFirstTranspose().order, in[0].dims.nbDims) &&
                             !isIdentity(shuffle.getSecondTranspose().order, out.dims.nbDims);
  void* tmp =
      twoTransposes ? ctx.scratch(static_cast<size_t>(in[0].dims.volume()) * dataTypeSize(in[0].type)) : nullptr;
  shuffleInto(ctx, shuffle, in[0], out.dims, out.type, out.data, tmp);
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
