#include "backends/cuda/cuda_kernels.h"

namespace trt {
namespace cuda {

namespace {
struct SliceGeometry {
  int rank;
  int64_t base;
  int64_t outDims[Dims::MAX_DIMS];
  int64_t step[Dims::MAX_DIMS];  // input elements moved per output step in each dim
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
}  // namespace

void launchSlice(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const auto& slice = static_cast<const ISliceLayer&>(layer);
  const Dims start = slice.getStart(), stride = slice.getStride();
  SliceGeometry g{};
  g.rank = in[0].dims.nbDims;
  int64_t s = 1;
  for (int i = g.rank - 1; i >= 0; --i) {
    g.outDims[i] = out.dims.d[i];
    g.step[i] = stride.d[i] * s;
    g.base += start.d[i] * s;
    s *= in[0].dims.d[i];
  }
  const int64_t n = out.dims.volume();
  const unsigned blocks = static_cast<unsigned>((n + 255) / 256);
  switch (dataTypeSize(in[0].type)) {
    case 1:
      sliceKernel<<<blocks, 256, 0, ctx.stream>>>(static_cast<const uint8_t*>(in[0].data),
                                                  static_cast<uint8_t*>(out.data), g, n);
      break;
    case 2:
      sliceKernel<<<blocks, 256, 0, ctx.stream>>>(static_cast<const uint16_t*>(in[0].data),
                                                  static_cast<uint16_t*>(out.data), g, n);
      break;
    case 4:
      sliceKernel<<<blocks, 256, 0, ctx.stream>>>(static_cast<const uint32_t*>(in[0].data),
                                                  static_cast<uint32_t*>(out.data), g, n);
      break;
    case 8:
      sliceKernel<<<blocks, 256, 0, ctx.stream>>>(static_cast<const uint64_t*>(in[0].data),
                                                  static_cast<uint64_t*>(out.data), g, n);
      break;
    default:
      throw Error(layer.describe() + ": unsupported element size");
  }
  check(cudaGetLastError(), "slice kernel launch");
}

}  // namespace cuda
}  // namespace trt
