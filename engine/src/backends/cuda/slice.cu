#include "backends/cuda/cuda_kernels.h"
#include "common/sample_mode.h"

namespace trt {
namespace cuda {

namespace {
struct SliceGeometry {
  int rank;
  int64_t base;
  int64_t outDims[Dims::MAX_DIMS];
  int64_t step[Dims::MAX_DIMS];  // input elements moved per output step in each dim
  // For reads outside the input (sample modes other than strict bounds):
  int32_t mode;
  uint64_t fill;
  int64_t start[Dims::MAX_DIMS], stride[Dims::MAX_DIMS], inDims[Dims::MAX_DIMS], inStride[Dims::MAX_DIMS];
};

// I: the index type (32-bit where every index fits: 64-bit division is several times slower).
template <typename T, typename I>
__global__ void sliceKernel(const T* src, T* dst, SliceGeometry g, I n) {
  const I i = static_cast<I>(blockIdx.x) * static_cast<I>(blockDim.x) + static_cast<I>(threadIdx.x);
  if (i >= n) return;
  I rem = i, off = static_cast<I>(g.base);
  for (int d = g.rank - 1; d >= 0; --d) {
    const I dim = static_cast<I>(g.outDims[d]);
    off += (rem % dim) * static_cast<I>(g.step[d]);
    rem /= dim;
  }
  dst[i] = src[off];
}

// I: the index type, as sliceKernel's. T wider than the fill bits (a 16-byte vector) never reads the fill:
// vectors are used only in the modes that read none (sampledVectorized).
template <typename T, typename I>
__global__ void sampledSliceKernel(const T* src, T* dst, SliceGeometry g, I n) {
  const I i = static_cast<I>(blockIdx.x) * static_cast<I>(blockDim.x) + static_cast<I>(threadIdx.x);
  if (i >= n) return;
  I rem = i, off = 0;
  for (int d = g.rank - 1; d >= 0; --d) {
    const I dim = static_cast<I>(g.outDims[d]);
    const int64_t c = sampleCoordinate(g.start[d] + static_cast<int64_t>(rem % dim) * g.stride[d], g.inDims[d], g.mode);
    rem /= dim;
    if (c < 0) {
      if constexpr (sizeof(T) <= sizeof(g.fill)) {
        T fill;
        memcpy(&fill, &g.fill, sizeof(T));
        dst[i] = fill;
      }
      return;
    }
    off += static_cast<I>(c) * static_cast<I>(g.inStride[d]);
  }
  dst[i] = src[off];
}

template <typename T>
void launchTyped(LaunchContext& ctx, const void* src, void* dst, const SliceGeometry& g, int64_t n,
                 int64_t inputElements) {
  const unsigned blocks = static_cast<unsigned>((n + 255) / 256);
  // 32-bit indices where every index fits, the last block's threads past n included (i < n + 256).
  const bool narrow = n < (int64_t(1) << 31) - 256 && inputElements < (int64_t(1) << 31);
  if (g.mode != static_cast<int32_t>(SampleMode::kSTRICT_BOUNDS) && narrow)
    sampledSliceKernel<T, int32_t>
        <<<blocks, 256, 0, ctx.stream>>>(static_cast<const T*>(src), static_cast<T*>(dst), g, static_cast<int32_t>(n));
  else if (g.mode != static_cast<int32_t>(SampleMode::kSTRICT_BOUNDS))
    sampledSliceKernel<T, int64_t>
        <<<blocks, 256, 0, ctx.stream>>>(static_cast<const T*>(src), static_cast<T*>(dst), g, n);
  else if (narrow)
    sliceKernel<T, int32_t>
        <<<blocks, 256, 0, ctx.stream>>>(static_cast<const T*>(src), static_cast<T*>(dst), g, static_cast<int32_t>(n));
  else
    sliceKernel<T, int64_t><<<blocks, 256, 0, ctx.stream>>>(static_cast<const T*>(src), static_cast<T*>(dst), g, n);
}

// A strict-bounds slice whose innermost dim is read with stride 1 in whole 16-byte runs (GPT-2's split of
// its fused Q/K/V product: rows of 768 halves out of 2304) moves 16-byte vectors: the geometry rescaled
// to vectors. False when the layout does not allow it.
bool vectorized(SliceGeometry& g, int64_t& n, int64_t& inputElements, size_t elem, const void* src, const void* dst) {
  constexpr int64_t kVector = 16;
  const int last = g.rank - 1;
  if (g.mode != static_cast<int32_t>(SampleMode::kSTRICT_BOUNDS) || g.rank == 0 || g.step[last] != 1 ||
      reinterpret_cast<uintptr_t>(src) % kVector || reinterpret_cast<uintptr_t>(dst) % kVector)
    return false;
  const int64_t per = kVector / static_cast<int64_t>(elem);
  if (g.outDims[last] % per || g.base % per || inputElements % per) return false;
  for (int d = 0; d < last; ++d)
    if (g.step[d] % per) return false;
  g.outDims[last] /= per;
  g.base /= per;
  for (int d = 0; d < last; ++d) g.step[d] /= per;
  n /= per;
  inputElements /= per;
  return true;
}
// A wrapping (or clamping, reflecting) slice that keeps the innermost dim whole (Swin's roll over height and
// width of an NHWC tensor: rows of channels move as they are) moves 16-byte vectors: the innermost dim and the
// strides rescaled to vectors. The fill mode, which writes single elements, stays scalar.
bool sampledVectorized(SliceGeometry& g, int64_t& n, int64_t& inputElements, size_t elem, const void* src,
                       const void* dst) {
  constexpr int64_t kVector = 16;
  const int last = g.rank - 1;
  if (g.mode == static_cast<int32_t>(SampleMode::kSTRICT_BOUNDS) || g.mode == static_cast<int32_t>(SampleMode::kFILL) ||
      g.rank == 0 || reinterpret_cast<uintptr_t>(src) % kVector || reinterpret_cast<uintptr_t>(dst) % kVector)
    return false;
  const int64_t per = kVector / static_cast<int64_t>(elem);
  if (g.start[last] != 0 || g.stride[last] != 1 || g.outDims[last] != g.inDims[last] || g.inDims[last] % per)
    return false;
  g.outDims[last] /= per;
  g.inDims[last] /= per;
  for (int d = 0; d < last; ++d) g.inStride[d] /= per;  // each a multiple of the innermost dim
  n /= per;
  inputElements /= per;
  return true;
}
}  // namespace

void launchSlice(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const auto& slice = static_cast<const ISliceLayer&>(layer);
  const int64_t n = out.dims.volume();
  if (n == 0) return;  // nothing read: an empty dim's start was never checked against the input
  const Dims start = slice.getStart(), stride = slice.getStride();
  SliceGeometry g{};
  g.rank = in[0].dims.nbDims;
  g.mode = static_cast<int32_t>(slice.getMode());
  g.fill = fillBits(slice.getFillValue(), out.type);
  int64_t s = 1;
  for (int i = g.rank - 1; i >= 0; --i) {
    g.outDims[i] = out.dims.d[i];
    g.step[i] = stride.d[i] * s;
    g.base += start.d[i] * s;
    g.start[i] = start.d[i];
    g.stride[i] = stride.d[i];
    g.inDims[i] = in[0].dims.d[i];
    g.inStride[i] = s;
    s *= in[0].dims.d[i];
  }
  int64_t vectors = n, inputElements = in[0].dims.volume();
  if (vectorized(g, vectors, inputElements, dataTypeSize(in[0].type), in[0].data, out.data) ||
      sampledVectorized(g, vectors, inputElements, dataTypeSize(in[0].type), in[0].data, out.data)) {
    launchTyped<uint4>(ctx, in[0].data, out.data, g, vectors, inputElements);
    check(cudaGetLastError(), "slice kernel launch");
    return;
  }
  switch (dataTypeSize(in[0].type)) {
    case 1:
      launchTyped<uint8_t>(ctx, in[0].data, out.data, g, n, inputElements);
      break;
    case 2:
      launchTyped<uint16_t>(ctx, in[0].data, out.data, g, n, inputElements);
      break;
    case 4:
      launchTyped<uint32_t>(ctx, in[0].data, out.data, g, n, inputElements);
      break;
    case 8:
      launchTyped<uint64_t>(ctx, in[0].data, out.data, g, n, inputElements);
      break;
    default:
      throw Error(layer.describe() + ": unsupported element size");
  }
  check(cudaGetLastError(), "slice kernel launch");
}

}  // namespace cuda
}  // namespace trt
