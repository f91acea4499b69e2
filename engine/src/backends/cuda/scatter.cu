// Element scatter: the data copied, then one thread per index position writes its update.
// Out-of-range indices write nothing (the host cannot see device indices without a sync; the CPU
// backend reports them); duplicate indices leave one of the updates, unspecified which (as PyTorch).
#include "backends/cuda/cuda_kernels.h"

namespace trt {
namespace cuda {

namespace {
struct ScatterGeometry {
  int rank, axis;
  int64_t dataStride[Dims::MAX_DIMS];
  int64_t idxDims[Dims::MAX_DIMS];
  int64_t axisSize;
};

template <typename Index>
__global__ void scatterKernel(const Index* indices, const uint8_t* updates, uint8_t* out, size_t elem,
                              ScatterGeometry g, int64_t n) {
  const int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i >= n) return;
  const int64_t k = static_cast<int64_t>(indices[i]);
  if (k < 0 || k >= g.axisSize) return;
  int64_t rest = i, off = 0;
  for (int d = g.rank - 1; d >= 0; --d) {
    const int64_t c = rest % g.idxDims[d];
    rest /= g.idxDims[d];
    off += (d == g.axis ? k : c) * g.dataStride[d];
  }
  for (size_t b = 0; b < elem; ++b) out[off * elem + b] = updates[i * elem + b];
}
}  // namespace

void launchScatter(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const int axis = static_cast<const IScatterLayer&>(layer).getAxis();
  const Dims& data = in[0].dims;
  const size_t elem = dataTypeSize(in[0].type);
  check(cudaMemcpyAsync(out.data, in[0].data, static_cast<size_t>(data.volume()) * elem, cudaMemcpyDeviceToDevice,
                        ctx.stream),
        "cudaMemcpyAsync (scatter data)");
  ScatterGeometry g{};
  g.rank = data.nbDims;
  g.axis = axis;
  g.axisSize = data.d[axis];
  int64_t s = 1;
  for (int d = data.nbDims - 1; d >= 0; --d) {
    g.dataStride[d] = s;
    s *= data.d[d];
    g.idxDims[d] = in[1].dims.d[d];
  }
  const int64_t n = in[1].dims.volume();
  if (n == 0) return;
  const unsigned blocks = static_cast<unsigned>((n + 255) / 256);
  if (in[1].type == DataType::kINT64)
    scatterKernel<<<blocks, 256, 0, ctx.stream>>>(static_cast<const int64_t*>(in[1].data),
                                                  static_cast<const uint8_t*>(in[2].data),
                                                  static_cast<uint8_t*>(out.data), elem, g, n);
  else
    scatterKernel<<<blocks, 256, 0, ctx.stream>>>(static_cast<const int32_t*>(in[1].data),
                                                  static_cast<const uint8_t*>(in[2].data),
                                                  static_cast<uint8_t*>(out.data), elem, g, n);
  check(cudaGetLastError(), "scatter kernel launch");
}

}  // namespace cuda
}  // namespace trt
