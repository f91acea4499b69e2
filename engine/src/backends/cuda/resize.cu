// Resize on the GPU, taps from the shared PyTorch-exact rules; float32, float16 and bfloat16 storage, the taps summed
// in float (as PyTorch's half upsampling accumulates). A resize of one or two neighbouring axes (NHWC or NCHW spatial)
// runs the two-axis kernel (a thread per vector of the elements after them); any other, one thread per output
// element over every axis.
#include <climits>
#include <type_traits>

#include "backends/cuda/cuda_kernels.h"
#include "backends/cuda/float_types.cuh"
#include "common/resize_2d.h"
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

// resize2dTaps's resizes (common/resize_2d.h: two neighbouring axes, every other axis kept) a thread per V inner
// elements of one output pixel: its taps once, in registers, 32-bit indices where they fit, V elements a 16-byte
// load where the inner elements allow (NHWC channels). The same taps, weights and order as resizeKernel: the same
// values, at a few dozen instructions an output vector where the general kernel looped over every axis in 64-bit
// with its tap tables in local memory (an FPN's 2x upsamplings at 640 x 640 and FCN's final bilinear one).
template <typename T, int V, typename I>
__global__ void resize2dKernel(const T* __restrict__ src, T* __restrict__ dst, Resize2dGeometry g, I innerVectors,
                               I total) {
  const I t = static_cast<I>(blockIdx.x) * static_cast<I>(blockDim.x) + static_cast<I>(threadIdx.x);
  if (t >= total) return;
  const Resize2dTaps taps = resize2dTaps<I>(g, t / innerVectors);
  const int64_t first = static_cast<int64_t>(t % innerVectors) * V;
  float acc[V];
#pragma unroll
  for (int k = 0; k < V; ++k) acc[k] = 0.f;
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    if (i >= taps.rows) break;
#pragma unroll
    for (int j = 0; j < 4; ++j) {
      if (j >= taps.columns) break;
      const float weight = taps.weight(i, j);
      const T* s = src + taps.rowOffset[i] + taps.columnOffset[j] + first;
      if constexpr (V * sizeof(T) == 16) {
        const uint4 raw = __ldg(reinterpret_cast<const uint4*>(s));
        const T* x = reinterpret_cast<const T*>(&raw);
#pragma unroll
        for (int k = 0; k < V; ++k) acc[k] += weight * toFloat(x[k]);
      } else {
#pragma unroll
        for (int k = 0; k < V; ++k) acc[k] += weight * toFloat(s[k]);
      }
    }
  }
  T* d = dst + static_cast<int64_t>(t) * V;
  if constexpr (V * sizeof(T) == 16) {
    uint4 out;
    T* y = reinterpret_cast<T*>(&out);
#pragma unroll
    for (int k = 0; k < V; ++k) y[k] = fromFloat<T>(acc[k]);
    *reinterpret_cast<uint4*>(d) = out;
  } else {
#pragma unroll
    for (int k = 0; k < V; ++k) d[k] = fromFloat<T>(acc[k]);
  }
}

// resize2dKernel where common/resize_2d.h takes the resize; false otherwise.
template <typename T>
bool launchResize2d(LaunchContext& ctx, const ResizeGeometry& geometry, const void* src, void* dst, int64_t n) {
  Resize2dGeometry g;
  if (!resize2dGeometry(geometry.axis, geometry.rank, geometry.mode, geometry.transform, g)) return false;
  const auto run = [&](auto vectorTag, auto indexTag) {
    constexpr int V = decltype(vectorTag)::value;
    using I = decltype(indexTag);
    const int64_t total = n / V;
    resize2dKernel<T, V, I><<<static_cast<unsigned>((total + 255) / 256), 256, 0, ctx.stream>>>(
        static_cast<const T*>(src), static_cast<T*>(dst), g, static_cast<I>(g.inner / V), static_cast<I>(total));
    return true;
  };
  constexpr int kVector = 16 / static_cast<int>(sizeof(T));
  const bool narrow = n < INT32_MAX;
  if (g.inner % kVector == 0 && allAligned16({src, dst}))
    return narrow ? run(std::integral_constant<int, kVector>{}, int32_t{})
                  : run(std::integral_constant<int, kVector>{}, int64_t{});
  return narrow ? run(std::integral_constant<int, 1>{}, int32_t{}) : run(std::integral_constant<int, 1>{}, int64_t{});
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
    if (launchResize2d<T>(ctx, g, in[0].data, out.data, n)) return;
    resizeKernel<T><<<static_cast<unsigned>((n + 255) / 256), 256, 0, ctx.stream>>>(static_cast<const T*>(in[0].data),
                                                                                    static_cast<T*>(out.data), g, n);
  });
  check(cudaGetLastError(), "resize kernel launch");
}

}  // namespace cuda
}  // namespace trt
