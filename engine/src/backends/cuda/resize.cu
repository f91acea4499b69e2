// Resize on the GPU: one thread per output element, taps from the shared PyTorch-exact rules; float32,
// float16 and bfloat16 storage, the taps summed in float (as PyTorch's half upsampling accumulates).
// The axes are whatever the layer's are, so an NHWC resize (a channels-last region's) is the same kernel.
#include "backends/cuda/cuda_kernels.h"
#include "backends/cuda/float_types.cuh"
#include "common/resize_taps.h"

namespace trt {
namespace cuda {

namespace {
struct ResizeGeometry {
  int rank;
  int32_t mode, transform;
  ResizeAxis axis[Dims::MAX_DIMS];
  int64_t inStride[Dims::MAX_DIMS];
};

template <typename T>
__global__ void resizeKernel(const T* src, T* dst, ResizeGeometry g, int64_t n) {
  int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i >= n) return;
  int64_t idx[Dims::MAX_DIMS][4];
  float w[Dims::MAX_DIMS][4];
  int count[Dims::MAX_DIMS];
  int64_t rem = i;
  for (int d = g.rank - 1; d >= 0; --d) {
    const int64_t c = rem % g.axis[d].out;
    rem /= g.axis[d].out;
    count[d] = resizeTaps(g.axis[d], c, g.mode, g.transform, idx[d], w[d]);
  }
  int tap[Dims::MAX_DIMS] = {};
  float acc = 0.f;
  while (true) {
    int64_t off = 0;
    float weight = 1.f;
    for (int d = 0; d < g.rank; ++d) {
      off += idx[d][tap[d]] * g.inStride[d];
      weight *= w[d][tap[d]];
    }
    acc += weight * toFloat(src[off]);
    int d = g.rank - 1;
    for (; d >= 0; --d) {
      if (++tap[d] < count[d]) break;
      tap[d] = 0;
    }
    if (d < 0) break;
  }
  dst[i] = fromFloat<T>(acc);
}
}  // namespace

void launchResize(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const auto& resize = static_cast<const IResizeLayer&>(layer);
  ResizeGeometry g{};
  g.rank = in[0].dims.nbDims;
  g.mode = static_cast<int32_t>(resize.getResizeMode());
  g.transform = static_cast<int32_t>(resize.getCoordinateTransformation());
  const auto& ratios = resize.getScales();
  int64_t s = 1;
  for (int d = g.rank - 1; d >= 0; --d) {
    g.axis[d] = ResizeAxis{in[0].dims.d[d], out.dims.d[d], ratios.empty() ? 0.0 : ratios[d]};
    g.inStride[d] = s;
    s *= in[0].dims.d[d];
  }
  const int64_t n = out.dims.volume();
  if (n == 0) return;
  dispatchFloating(in[0].type, layer.describe(), [&](auto tag) {
    using T = decltype(tag);
    resizeKernel<T><<<static_cast<unsigned>((n + 255) / 256), 256, 0, ctx.stream>>>(static_cast<const T*>(in[0].data),
                                                                                    static_cast<T*>(out.data), g, n);
  });
  check(cudaGetLastError(), "resize kernel launch");
}

}  // namespace cuda
}  // namespace trt
