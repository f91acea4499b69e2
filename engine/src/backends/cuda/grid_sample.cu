// Grid sampling: one thread per output element, the sampling arithmetic shared with the CPU reference.
#include "backends/cuda/cuda_kernels.h"
#include "backends/cuda/float_types.cuh"
#include "common/grid_sample.h"

namespace trt {
namespace cuda {

namespace {
template <typename T>
__global__ void gridSampleKernel(const T* x, const T* grid, T* y, grid_sample::Params p, int64_t C, int64_t outPlane,
                                 int64_t total) {
  const int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i >= total) return;
  const int64_t position = i % outPlane, plane = i / outPlane, n = plane / C;
  const T* source = x + plane * p.height * p.width;
  auto read = [&](int64_t row, int64_t col) { return load(source, row * p.width + col); };
  const int64_t g = (n * outPlane + position) * 2;
  store(y, i, grid_sample::sample(read, load(grid, g), load(grid, g + 1), p));
}
}  // namespace

void launchGridSample(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const auto& gs = static_cast<const IGridSampleLayer&>(layer);
  const Dims& d = in[0].dims;
  const grid_sample::Params p{d.d[2], d.d[3], gs.getInterpolationMode(), gs.getSampleMode(), gs.getAlignCorners()};
  const int64_t total = out.dims.volume(), outPlane = out.dims.d[2] * out.dims.d[3];
  if (total == 0) return;
  dispatchFloating(in[0].type, layer.describe(), [&](auto tag) {
    using T = decltype(tag);
    gridSampleKernel<T><<<static_cast<unsigned>((total + 255) / 256), 256, 0, ctx.stream>>>(
        static_cast<const T*>(in[0].data), static_cast<const T*>(in[1].data), static_cast<T*>(out.data), p, d.d[1],
        outPlane, total);
  });
  check(cudaGetLastError(), "grid sample kernel launch");
}

}  // namespace cuda
}  // namespace trt
