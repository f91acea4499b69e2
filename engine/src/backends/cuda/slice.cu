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

template <typename T>
__global__ void sliceKernel(const T* src, T* dst, SliceGeometry g, int64_t n) {
  int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i >= n) return;
  int64_t rem = i, off = g.base;
  for (int d = g.rank - 1; d >= 0; --d) {
    off += (rem % g.outDims[d]) * g.step[d];
    rem /= g.outDims[d];
  }
  dst[i] = src[off];
}

template <typename T>
__global__ void sampledSliceKernel(const T* src, T* dst, SliceGeometry g, int64_t n) {
  int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i >= n) return;
  int64_t rem = i, off = 0;
  for (int d = g.rank - 1; d >= 0; --d) {
    int64_t c = sampleCoordinate(g.start[d] + (rem % g.outDims[d]) * g.stride[d], g.inDims[d], g.mode);
    rem /= g.outDims[d];
    if (c < 0) {
      T fill;
      memcpy(&fill, &g.fill, sizeof(T));
      dst[i] = fill;
      return;
    }
    off += c * g.inStride[d];
  }
  dst[i] = src[off];
}

template <typename T>
void launchTyped(LaunchContext& ctx, const void* src, void* dst, const SliceGeometry& g, int64_t n) {
  const unsigned blocks = static_cast<unsigned>((n + 255) / 256);
  if (g.mode == static_cast<int32_t>(SampleMode::kSTRICT_BOUNDS))
    sliceKernel<<<blocks, 256, 0, ctx.stream>>>(static_cast<const T*>(src), static_cast<T*>(dst), g, n);
  else
    sampledSliceKernel<<<blocks, 256, 0, ctx.stream>>>(static_cast<const T*>(src), static_cast<T*>(dst), g, n);
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
  switch (dataTypeSize(in[0].type)) {
    case 1:
      launchTyped<uint8_t>(ctx, in[0].data, out.data, g, n);
      break;
    case 2:
      launchTyped<uint16_t>(ctx, in[0].data, out.data, g, n);
      break;
    case 4:
      launchTyped<uint32_t>(ctx, in[0].data, out.data, g, n);
      break;
    case 8:
      launchTyped<uint64_t>(ctx, in[0].data, out.data, g, n);
      break;
    default:
      throw Error(layer.describe() + ": unsupported element size");
  }
  check(cudaGetLastError(), "slice kernel launch");
}

}  // namespace cuda
}  // namespace trt
