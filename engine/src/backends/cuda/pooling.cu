// Max and average pooling over the last 1-3 dims, PyTorch's padding and divisor rules.
#include <cfloat>
#include <climits>

#include "backends/cuda/cuda_kernels.h"
#include "backends/cuda/float_types.cuh"
#include "backends/cuda/pooling_whole_plane.h"
#include "layers/layer_util.h"

namespace trt {
namespace cuda {

namespace {
struct PoolGeometry {
  int64_t I[3], O[3], K[3], S[3], P[3], Q[3];
};

// One output of max or average pooling: NaN propagates through max (as in PyTorch); the average
// divides by the in-bounds count or by the window size with padding.
struct PoolAccumulator {
  bool isMax;
  float acc;
  int64_t count = 0;
  bool nan = false;
  __device__ explicit PoolAccumulator(bool max) : isMax(max), acc(max ? -INFINITY : 0.f) {}
  __device__ void add(float v) {
    if (isMax) {
      nan |= isnan(v);
      acc = v > acc ? v : acc;
    } else {
      acc += v;
    }
    ++count;
  }
  __device__ float result(bool exclude, int64_t padded) const {
    return isMax ? (nan ? NAN : acc) : acc / static_cast<float>(exclude ? max(count, int64_t(1)) : padded);
  }
};

template <typename T>
__global__ void poolKernel(const T* src, T* dst, PoolGeometry g, bool isMax, bool exclude, int64_t total) {
  int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i >= total) return;
  const int64_t outPlane = g.O[0] * g.O[1] * g.O[2];
  int64_t c = i / outPlane, p = i % outPlane;
  int64_t o[3] = {p / (g.O[1] * g.O[2]), (p / g.O[2]) % g.O[1], p % g.O[2]};
  int64_t lo[3], hi[3], padded = 1;
  for (int d = 0; d < 3; ++d) {
    int64_t start = o[d] * g.S[d] - g.P[d];
    int64_t end = min(start + g.K[d], g.I[d] + g.Q[d]);
    padded *= end - start;
    lo[d] = max(start, int64_t(0));
    hi[d] = min(end, g.I[d]);
  }
  const T* s = src + c * g.I[0] * g.I[1] * g.I[2];
  PoolAccumulator window(isMax);
  for (int64_t a = lo[0]; a < hi[0]; ++a)
    for (int64_t b = lo[1]; b < hi[1]; ++b)
      for (int64_t w = lo[2]; w < hi[2]; ++w) window.add(load(s, (a * g.I[1] + b) * g.I[2] + w));
  store(dst, i, window.result(exclude, padded));
}

// The 2-D window of output pixel p (row-major over [N, OH, OW]) in index type I: its in-bounds rows lo[0]..hi[0]
// and columns lo[1]..hi[1], and its size counting padding (PyTorch's divisor with padding included).
template <typename I>
__device__ int64_t nhwcWindow(const PoolGeometry& g, I p, I* lo, I* hi) {
  const I o[2] = {(p / static_cast<I>(g.O[2])) % static_cast<I>(g.O[1]), p % static_cast<I>(g.O[2])};
  int64_t padded = 1;
  for (int d = 0; d < 2; ++d) {
    const I start = o[d] * static_cast<I>(g.S[d + 1]) - static_cast<I>(g.P[d + 1]);
    const I end = min(start + static_cast<I>(g.K[d + 1]), static_cast<I>(g.I[d + 1] + g.Q[d + 1]));
    padded *= end - start;
    lo[d] = max(start, I(0));
    hi[d] = min(end, static_cast<I>(g.I[d + 1]));
  }
  return padded;
}

// Channels-last 2-D pooling: element i of the [N, OH, OW, C] output; neighbouring threads read
// neighbouring channels (coalesced).
template <typename T>
__global__ void poolNhwcKernel(const T* src, T* dst, PoolGeometry g, int64_t channels, bool isMax, bool exclude,
                               int64_t total) {
  int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i >= total) return;
  const int64_t c = i % channels, p = i / channels;
  const int64_t n = p / (g.O[2] * g.O[1]);
  int64_t lo[2], hi[2];
  const int64_t padded = nhwcWindow(g, p, lo, hi);
  const T* s = src + n * g.I[1] * g.I[2] * channels + c;
  PoolAccumulator window(isMax);
  for (int64_t h = lo[0]; h < hi[0]; ++h)
    for (int64_t w = lo[1]; w < hi[1]; ++w) window.add(load(s, (h * g.I[2] + w) * channels));
  store(dst, i, window.result(exclude, padded));
}

// Channels-last 16-bit (FP16 or BF16) pooling with C % 8 == 0: 8 channels (one 16-byte load) per thread. Index
// type I: 32-bit where every offset fits (64-bit divisions, six a thread, cost dozens of instructions each: ResNet-50's
// stem pooling took 0.1 ms at batch 64 on an H100, 2.6x its memory time).
template <typename T, typename I>
__global__ void poolNhwc8Kernel(const T* src, T* dst, PoolGeometry g, I channels, bool isMax, bool exclude, I vectors) {
  const I v = static_cast<I>(blockIdx.x) * static_cast<I>(blockDim.x) + static_cast<I>(threadIdx.x);
  if (v >= vectors) return;
  const I groups = channels / 8, c = (v % groups) * 8, p = v / groups;
  const I inW = static_cast<I>(g.I[2]), inH = static_cast<I>(g.I[1]);
  const I n = p / (static_cast<I>(g.O[2]) * static_cast<I>(g.O[1]));
  I lo[2], hi[2];
  const int64_t padded = nhwcWindow(g, p, lo, hi);
  const T* s = src + n * inH * inW * channels + c;
  PoolAccumulator window[8] = {PoolAccumulator(isMax), PoolAccumulator(isMax), PoolAccumulator(isMax),
                               PoolAccumulator(isMax), PoolAccumulator(isMax), PoolAccumulator(isMax),
                               PoolAccumulator(isMax), PoolAccumulator(isMax)};
  for (I h = lo[0]; h < hi[0]; ++h)
    for (I w = lo[1]; w < hi[1]; ++w) {
      const uint4 raw = *reinterpret_cast<const uint4*>(s + (h * inW + w) * channels);
      const T* x = reinterpret_cast<const T*>(&raw);
#pragma unroll
      for (int k = 0; k < 8; ++k) window[k].add(toFloat(x[k]));
    }
  uint4 out;
  T* y = reinterpret_cast<T*>(&out);
#pragma unroll
  for (int k = 0; k < 8; ++k) y[k] = fromFloat<T>(window[k].result(exclude, padded));
  *reinterpret_cast<uint4*>(dst + static_cast<int64_t>(v) * 8) = out;
}

// Two 16-bit lanes of T (FP16 or BF16), for max in the storage type: exact (max rounds nothing), so the same
// values as the float accumulator, and NaN-propagating (__hmax2_nan) as PyTorch's max pooling.
template <typename T>
struct Pair;
template <>
struct Pair<__half> {
  using type = __half2;
  static __device__ __forceinline__ type lowest() { return __half2half2(__ushort_as_half(0xfc00)); }  // -inf
};
template <>
struct Pair<__nv_bfloat16> {
  using type = __nv_bfloat162;
  static __device__ __forceinline__ type lowest() {
    return __bfloat162bfloat162(__ushort_as_bfloat16(0xff80));  // -inf
  }
};

// Channels-last 16-bit max pooling of a KH x KW window (ResNet's 3x3 stem pooling, 2x2 pooling): 8 channels of
// one output pixel a thread, the window's in-bounds taps loaded together (a tap list known at compile time, so no
// load waits for the previous tap's max) and reduced with packed NaN-propagating max. Padding never wins (PyTorch's
// max pooling pads with -inf); a window with no in-bounds tap gives -inf, as the float kernels.
template <typename T, int KH, int KW>
__global__ void maxPoolNhwc8Kernel(const T* __restrict__ src, T* __restrict__ dst, int32_t inH, int32_t inW,
                                   int32_t outH, int32_t outW, int32_t strideH, int32_t strideW, int32_t padH,
                                   int32_t padW, int32_t channels, int32_t vectors) {
  using T2 = typename Pair<T>::type;
  const int32_t v =
      static_cast<int32_t>(blockIdx.x) * static_cast<int32_t>(blockDim.x) + static_cast<int32_t>(threadIdx.x);
  if (v >= vectors) return;
  const int32_t groups = channels / 8, c = (v % groups) * 8, p = v / groups;
  const int32_t ow = p % outW, rest = p / outW, oh = rest % outH, n = rest / outH;
  const int32_t h0 = oh * strideH - padH, w0 = ow * strideW - padW;
  const T* image = src + static_cast<int64_t>(n) * inH * inW * channels + c;
  uint4 taps[KH * KW];
  bool inside[KH * KW];
#pragma unroll
  for (int a = 0; a < KH; ++a)
#pragma unroll
    for (int b = 0; b < KW; ++b) {
      const int32_t h = h0 + a, w = w0 + b;
      inside[a * KW + b] = h >= 0 && h < inH && w >= 0 && w < inW;
      taps[a * KW + b] =
          inside[a * KW + b]
              ? __ldg(reinterpret_cast<const uint4*>(image + (static_cast<int64_t>(h) * inW + w) * channels))
              : make_uint4(0, 0, 0, 0);
    }
  T2 acc[4];
#pragma unroll
  for (int k = 0; k < 4; ++k) acc[k] = Pair<T>::lowest();
#pragma unroll
  for (int t = 0; t < KH * KW; ++t) {
    if (!inside[t]) continue;
    const T2* x = reinterpret_cast<const T2*>(&taps[t]);
#pragma unroll
    for (int k = 0; k < 4; ++k) acc[k] = __hmax2_nan(acc[k], x[k]);
  }
  uint4 out;
  T2* y = reinterpret_cast<T2*>(&out);
#pragma unroll
  for (int k = 0; k < 4; ++k) y[k] = acc[k];
  *reinterpret_cast<uint4*>(dst + static_cast<int64_t>(v) * 8) = out;
}

// maxPoolNhwc8Kernel for a KH x KW window if it has one (2x2 and 3x3); false otherwise.
template <typename T>
bool launchMaxPoolNhwc8(const PoolGeometry& g, const T* src, T* dst, int64_t channels, int64_t vectors,
                        cudaStream_t stream) {
  const auto i32 = [](int64_t v) { return static_cast<int32_t>(v); };
  const unsigned blocks = static_cast<unsigned>((vectors + 255) / 256);
  const auto run = [&](auto kernel) {
    kernel<<<blocks, 256, 0, stream>>>(src, dst, i32(g.I[1]), i32(g.I[2]), i32(g.O[1]), i32(g.O[2]), i32(g.S[1]),
                                       i32(g.S[2]), i32(g.P[1]), i32(g.P[2]), i32(channels), i32(vectors));
    return true;
  };
  if (g.K[0] != 1 || g.I[0] != 1 || g.P[0] != 0) return false;  // 2-D windows only
  if (g.K[1] == 3 && g.K[2] == 3) return run(maxPoolNhwc8Kernel<T, 3, 3>);
  if (g.K[1] == 2 && g.K[2] == 2) return run(maxPoolNhwc8Kernel<T, 2, 2>);
  return false;
}
}  // namespace

void launchPooling(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const auto& pool = static_cast<const IPoolingLayer&>(layer);
  const int nd = pool.getWindowSizeNd().nbDims;
  Dims stride = pool.getStrideNd().nbDims == nd ? pool.getStrideNd() : pool.getWindowSizeNd();
  Dims pre = layer_util::spatialOr(pool.getPrePadding(), nd, 0),
       post = layer_util::spatialOr(pool.getPostPadding(), nd, 0);
  const bool channelsLast = pool.getChannelsLast();
  const Dims inDims = channelsLast ? layer_util::channelsFirst(in[0].dims) : in[0].dims;
  const Dims outDims = channelsLast ? layer_util::channelsFirst(out.dims) : out.dims;
  PoolGeometry g{};
  for (int i = 0; i < 3; ++i) {
    int s = i - (3 - nd);
    g.I[i] = s >= 0 ? inDims.d[inDims.nbDims - nd + s] : 1;
    g.O[i] = s >= 0 ? outDims.d[outDims.nbDims - nd + s] : 1;
    g.K[i] = s >= 0 ? pool.getWindowSizeNd().d[s] : 1;
    g.S[i] = s >= 0 ? stride.d[s] : 1;
    g.P[i] = s >= 0 ? pre.d[s] : 0;
    g.Q[i] = s >= 0 ? post.d[s] : 0;
  }
  const int64_t total = out.dims.volume();
  bool wholePlane = true;  // a 1x1 output of a window covering the unpadded input
  for (int i = 0; i < 3; ++i) wholePlane &= g.O[i] == 1 && g.K[i] == g.I[i] && g.P[i] == 0 && g.Q[i] == 0;
  if (wholePlane) {
    const int64_t planeSize = g.I[0] * g.I[1] * g.I[2];
    if (launchWholePlanePooling(ctx, in[0].type, in[0].data, out.data, total, planeSize,
                                channelsLast ? outDims.d[1] : 1, channelsLast,
                                pool.getPoolingType() == PoolingType::kMAX)) {
      check(cudaGetLastError(), "pooling kernel launch");
      return;
    }
  }
  dispatchFloating(in[0].type, layer.describe(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (sizeof(T) == 2) {  // FP16 and BF16
      if (channelsLast && outDims.d[1] % 8 == 0 && allAligned16({in[0].data, out.data})) {
        const int64_t vectors = total / 8;
        const bool narrow = in[0].dims.volume() < INT32_MAX && total < INT32_MAX;
        const unsigned blocks = static_cast<unsigned>((vectors + 255) / 256);
        const bool isMax = pool.getPoolingType() == PoolingType::kMAX;
        const bool exclude = pool.getAverageCountExcludesPadding();
        if (narrow && isMax &&
            launchMaxPoolNhwc8(g, static_cast<const T*>(in[0].data), static_cast<T*>(out.data), outDims.d[1], vectors,
                               ctx.stream))
          return;
        if (narrow)
          poolNhwc8Kernel<T, int32_t><<<blocks, 256, 0, ctx.stream>>>(
              static_cast<const T*>(in[0].data), static_cast<T*>(out.data), g, static_cast<int32_t>(outDims.d[1]),
              isMax, exclude, static_cast<int32_t>(vectors));
        else
          poolNhwc8Kernel<T, int64_t><<<blocks, 256, 0, ctx.stream>>>(
              static_cast<const T*>(in[0].data), static_cast<T*>(out.data), g, outDims.d[1], isMax, exclude, vectors);
        return;
      }
    }
    if (channelsLast) {
      poolNhwcKernel<<<static_cast<unsigned>((total + 255) / 256), 256, 0, ctx.stream>>>(
          static_cast<const T*>(in[0].data), static_cast<T*>(out.data), g, outDims.d[1],
          pool.getPoolingType() == PoolingType::kMAX, pool.getAverageCountExcludesPadding(), total);
      return;
    }
    poolKernel<<<static_cast<unsigned>((total + 255) / 256), 256, 0, ctx.stream>>>(
        static_cast<const T*>(in[0].data), static_cast<T*>(out.data), g, pool.getPoolingType() == PoolingType::kMAX,
        pool.getAverageCountExcludesPadding(), total);
  });
  check(cudaGetLastError(), "pooling kernel launch");
}

}  // namespace cuda
}  // namespace trt
