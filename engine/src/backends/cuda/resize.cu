// Resize on the GPU: one thread per output element, taps from the shared PyTorch-exact rules; float32,
// float16 and bfloat16 storage, the taps summed in float (as PyTorch's half upsampling accumulates).
// The axes are whatever the layer's are, so an NHWC resize (a channels-last region's) is the same kernel.
#include <climits>
#include <type_traits>

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
// A resize of two neighbouring axes (H, W) with every other axis kept: the tensor as [outer, H, W, inner] (NHWC:
// inner the channels; NCHW: inner 1). A thread per V inner elements of one output pixel: the taps of its row and
// column once (registers, no per-axis loop), V elements a 16-byte load where inner allows. The same taps, weights
// (1 x wH x wW, as the general kernel's product over its axes) and tap order as resizeKernel, so the same values.
struct Resize2d {
  ResizeAxis h, w;
  int32_t mode, transform;
  int64_t inner;  // elements after W
};

template <typename T, int V, typename I>
__global__ void resize2dKernel(const T* __restrict__ src, T* __restrict__ dst, Resize2d g, I innerVectors, I total) {
  const I t = static_cast<I>(blockIdx.x) * static_cast<I>(blockDim.x) + static_cast<I>(threadIdx.x);
  if (t >= total) return;
  const I outW = static_cast<I>(g.w.out), outH = static_cast<I>(g.h.out);
  const I cv = t % innerVectors;
  I p = t / innerVectors;
  const I ox = p % outW;
  p /= outW;
  const I oy = p % outH, o = p / outH;
  int64_t hIdx[4] = {}, wIdx[4] = {};
  float hW[4] = {}, wW[4] = {};
  const int nh = resizeTaps(g.h, oy, g.mode, g.transform, hIdx, hW);
  const int nw = resizeTaps(g.w, ox, g.mode, g.transform, wIdx, wW);
  float acc[V];
#pragma unroll
  for (int k = 0; k < V; ++k) acc[k] = 0.f;
  const int64_t imageBase = static_cast<int64_t>(o) * g.h.in;
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    if (i >= nh) break;
#pragma unroll
    for (int j = 0; j < 4; ++j) {
      if (j >= nw) break;
      float weight = 1.f;
      weight *= hW[i];
      weight *= wW[j];
      const T* s = src + ((imageBase + hIdx[i]) * g.w.in + wIdx[j]) * g.inner + static_cast<int64_t>(cv) * V;
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

// Whether axis d keeps its elements (the general kernel's identity taps).
bool keepsAxis(const ResizeAxis& a) { return a.in == a.out && (a.ratio == 0.0 || a.ratio == 1.0); }

// resize2dKernel where the resized axes are two neighbours or one (every other axis kept); false otherwise.
template <typename T>
bool launchResize2d(LaunchContext& ctx, const ResizeGeometry& g, const void* src, void* dst, int64_t n) {
  int first = -1, last = -1;
  for (int d = 0; d < g.rank; ++d)
    if (!keepsAxis(g.axis[d])) {
      if (first < 0) first = d;
      last = d;
    }
  if (first < 0 || last - first > 1 || g.rank < 2) return false;
  const int h = first == g.rank - 1 ? first - 1 : first;  // the pair (h, h + 1) holds every resized axis
  Resize2d r{g.axis[h], g.axis[h + 1], g.mode, g.transform, 1};
  for (int d = h + 2; d < g.rank; ++d) r.inner *= g.axis[d].in;
  if (r.inner <= 0) return false;
  const auto run = [&](auto vectorTag, auto indexTag) {
    constexpr int V = decltype(vectorTag)::value;
    using I = decltype(indexTag);
    const int64_t total = n / V;
    resize2dKernel<T, V, I><<<static_cast<unsigned>((total + 255) / 256), 256, 0, ctx.stream>>>(
        static_cast<const T*>(src), static_cast<T*>(dst), r, static_cast<I>(r.inner / V), static_cast<I>(total));
    return true;
  };
  constexpr int kVector = 16 / static_cast<int>(sizeof(T));
  const bool narrow = n < INT32_MAX;
  if (r.inner % kVector == 0 && allAligned16({src, dst}))
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
