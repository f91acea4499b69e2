// Softmax over one axis, FP32 math whatever the storage type, with an optional additive mask read
// through broadcast strides:
// - the last axis, rows up to 1024: a warp per row (4 to 16 lanes per row for short rows, several
//   rows per warp) holds the row in registers (16-byte loads where the row length and pointers
//   allow), so the input is read once and the output written once;
// - the last axis, longer rows: a block per row, an online pass for max and sum together, then the
//   write pass (the row's second read mostly hits L2);
// - another axis: a thread per (outer, inner) column, adjacent threads on adjacent columns
//   (coalesced), the same online pass then the write pass.
#include <cfloat>

#include "backends/cuda/cuda_kernels.h"
#include "backends/cuda/float_types.cuh"
#include "backends/cuda/reduction_util.cuh"
#include "layers/layer_util.h"

namespace trt {
namespace cuda {

namespace {
constexpr int kWarpRowsPerBlock = 4;
constexpr int kLongRowThreads = 512;
constexpr int64_t kRegisterRow = 1024;

// Where the additive mask is read: its strides as seen from the input's shape (0 on broadcast
// dims). rank == 0: no mask.
struct MaskGeometry {
  int rank = 0;
  int64_t dims[Dims::MAX_DIMS];
  int64_t stride[Dims::MAX_DIMS];
};

__device__ __forceinline__ int64_t maskOffset(const MaskGeometry& m, int64_t i) {
  int64_t off = 0;
  for (int d = m.rank - 1; d >= 0; --d) {
    off += (i % m.dims[d]) * m.stride[d];
    i /= m.dims[d];
  }
  return off;
}

// The mask's offset at the first element of last-axis row `row` (dims before the last), in 32-bit
// arithmetic where the row count allows (64-bit division is slow).
__device__ __forceinline__ int64_t maskRowOffset(const MaskGeometry& m, int64_t row, bool narrow) {
  int64_t off = 0;
  if (narrow) {
    uint32_t r = static_cast<uint32_t>(row);
    for (int d = m.rank - 2; d >= 0; --d) {
      const uint32_t n = static_cast<uint32_t>(m.dims[d]);
      off += static_cast<int64_t>(r % n) * m.stride[d];
      r /= n;
    }
    return off;
  }
  for (int d = m.rank - 2; d >= 0; --d) {
    off += (row % m.dims[d]) * m.stride[d];
    row /= m.dims[d];
  }
  return off;
}

// Running (max, sum of exp(x - max)) of a sequence; merged in a fixed order.
struct Online {
  float m = -INFINITY, s = 0.f;
  __device__ __forceinline__ void add(float x) {
    if (x > m) {
      s = s * expf(m - x) + 1.f;  // exp(-inf) = 0 on the first element (a NaN sum stays NaN)
      m = x;
    } else if (x != -INFINITY) {
      s += expf(x - m);  // NaN x: the sum becomes NaN, as on the CPU (whose max ignores NaN too)
    }
  }
  // Merges another (max, sum); -inf maxima contribute nothing but keep a NaN sum.
  __device__ __forceinline__ void merge(float om, float os) {
    const float nm = fmaxf(m, om);
    if (nm == -INFINITY) {
      s += os;
      return;
    }
    s = s * (m == -INFINITY ? 0.f : expf(m - nm)) + os * (om == -INFINITY ? 0.f : expf(om - nm));
    m = nm;
  }
};

// ---------------------------------------------------------------------------------------------
// The last axis, len <= L * V * P: L lanes per row (L = 32: a warp; 4, 8, 16: several short rows
// per warp, all lanes busy); lane l of a row holds packs l, l + L, ... of V elements. V > 1 needs
// len % V == 0 and 16-byte aligned input and output (and mask, when it has a stride along the row).
template <typename T, int V, int P, int L>
__global__ void __launch_bounds__(32 * kWarpRowsPerBlock)
    softmaxWarpKernel(const T* __restrict__ src, const T* __restrict__ mask, MaskGeometry mg, T* __restrict__ dst,
                      int64_t rows, int len, bool narrow) {
  const int64_t warpRow = (static_cast<int64_t>(blockIdx.x) * kWarpRowsPerBlock + threadIdx.x / 32) * (32 / L);
  if (warpRow >= rows) return;  // whole warps only
  // A group past the last row repeats the last row's work without storing it (its warp's
  // shuffles need every lane).
  const int64_t mine = warpRow + (threadIdx.x % 32) / L;
  const bool storing = mine < rows;
  const int64_t row = storing ? mine : rows - 1;
  const int lane = threadIdx.x % L;
  const T* x = src + row * len;
  const T* m = mask ? mask + maskRowOffset(mg, row, narrow) : nullptr;
  const bool mRow = m && mg.stride[mg.rank - 1] != 0;  // else one mask value for the whole row
  const float mScalar = m && !mRow ? toFloat(m[0]) : 0.f;
  float v[P][V];
  float mx = -INFINITY;
#pragma unroll
  for (int p = 0; p < P; ++p) {
    const int k = (lane + L * p) * V;
    if (k < len) {
      const Pack<T, V> in = *reinterpret_cast<const Pack<T, V>*>(x + k);
      Pack<T, V> mk;
      if (mRow) mk = *reinterpret_cast<const Pack<T, V>*>(m + k);
#pragma unroll
      for (int e = 0; e < V; ++e) {
        v[p][e] = toFloat(in.e[e]) + (mRow ? toFloat(mk.e[e]) : mScalar);
        mx = fmaxf(mx, v[p][e]);
      }
    } else {
#pragma unroll
      for (int e = 0; e < V; ++e) v[p][e] = -INFINITY;
    }
  }
  // Butterflies with offsets below L stay within the row's group of lanes.
#pragma unroll
  for (int s = L / 2; s > 0; s >>= 1) mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, s));
  float sum = 0.f;
#pragma unroll
  for (int p = 0; p < P; ++p)
#pragma unroll
    for (int e = 0; e < V; ++e) {
      const bool valid = (lane + L * p) * V < len;
      v[p][e] = valid ? expf(v[p][e] - mx) : 0.f;
      sum += v[p][e];
    }
#pragma unroll
  for (int s = L / 2; s > 0; s >>= 1) sum += __shfl_xor_sync(0xffffffffu, sum, s);
  if (!storing) return;
  const float inv = 1.f / sum;
  T* y = dst + row * len;
#pragma unroll
  for (int p = 0; p < P; ++p) {
    const int k = (lane + L * p) * V;
    if (k < len) {
      Pack<T, V> out;
#pragma unroll
      for (int e = 0; e < V; ++e) out.e[e] = fromFloat<T>(v[p][e] * inv);
      *reinterpret_cast<Pack<T, V>*>(y + k) = out;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The last axis, long rows: a block per row (packs of V as above).
template <typename T, int V>
__global__ void __launch_bounds__(kLongRowThreads)
    softmaxBlockKernel(const T* __restrict__ src, const T* __restrict__ mask, MaskGeometry mg, T* __restrict__ dst,
                       int64_t len, bool narrow) {
  const int64_t row = blockIdx.x;
  const T* x = src + row * len;
  const T* m = mask ? mask + maskRowOffset(mg, row, narrow) : nullptr;
  const bool mRow = m && mg.stride[mg.rank - 1] != 0;
  const float mScalar = m && !mRow ? toFloat(m[0]) : 0.f;
  const int64_t packs = len / V;
  auto loadPack = [&](int64_t i, float* out) {
    const Pack<T, V> in = *reinterpret_cast<const Pack<T, V>*>(x + i * V);
    Pack<T, V> mk;
    if (mRow) mk = *reinterpret_cast<const Pack<T, V>*>(m + i * V);
#pragma unroll
    for (int e = 0; e < V; ++e) out[e] = toFloat(in.e[e]) + (mRow ? toFloat(mk.e[e]) : mScalar);
  };
  Online acc;
  for (int64_t i = threadIdx.x; i < packs; i += blockDim.x) {
    float v[V];
    loadPack(i, v);
    float pm = v[0];
#pragma unroll
    for (int e = 1; e < V; ++e) pm = fmaxf(pm, v[e]);
    float ps = 0.f;
    if (pm != -INFINITY) {
#pragma unroll
      for (int e = 0; e < V; ++e) ps += expf(v[e] - pm);
    } else {
#pragma unroll
      for (int e = 0; e < V; ++e) ps += isnan(v[e]) ? v[e] : 0.f;
    }
    acc.merge(pm, ps);
  }
  // Warp, then block merge of (max, sum), in a fixed order.
#pragma unroll
  for (int s = 16; s > 0; s >>= 1) {
    const float om = __shfl_xor_sync(0xffffffffu, acc.m, s), os = __shfl_xor_sync(0xffffffffu, acc.s, s);
    acc.merge(om, os);
  }
  __shared__ float sm[32], ss[32];
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  if (lane == 0) {
    sm[warp] = acc.m;
    ss[warp] = acc.s;
  }
  __syncthreads();
  Online total;
  for (int w = 0; w < static_cast<int>(blockDim.x / 32); ++w) total.merge(sm[w], ss[w]);
  const float mx = total.m, inv = 1.f / total.s;
  T* y = dst + row * len;
  for (int64_t i = threadIdx.x; i < packs; i += blockDim.x) {
    float v[V];
    loadPack(i, v);
    Pack<T, V> out;
#pragma unroll
    for (int e = 0; e < V; ++e) out.e[e] = fromFloat<T>(expf(v[e] - mx) * inv);
    *reinterpret_cast<Pack<T, V>*>(y + i * V) = out;
  }
}

// ---------------------------------------------------------------------------------------------
// Another axis: a thread per (outer, inner) column of len elements `inner` apart.
template <typename T>
__global__ void softmaxColumnKernel(const T* __restrict__ src, const T* __restrict__ mask, MaskGeometry mg,
                                    T* __restrict__ dst, int64_t outer, int64_t len, int64_t inner) {
  const int64_t col = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (col >= outer * inner) return;
  const int64_t o = col / inner, j = col % inner;
  const int64_t base = o * len * inner + j;
  auto value = [&](int64_t k) {
    const int64_t i = base + k * inner;
    return mask ? toFloat(src[i]) + toFloat(mask[maskOffset(mg, i)]) : toFloat(src[i]);
  };
  Online acc;
  for (int64_t k = 0; k < len; ++k) acc.add(value(k));
  const float inv = 1.f / acc.s;
  for (int64_t k = 0; k < len; ++k) dst[base + k * inner] = fromFloat<T>(expf(value(k) - acc.m) * inv);
}

template <typename T, int V>
void launchWarpRows(cudaStream_t stream, const T* x, const T* mask, const MaskGeometry& mg, T* y, int64_t rows, int len,
                    bool narrow) {
  const int64_t packs = (len + V - 1) / V;
  const unsigned block = 32 * kWarpRowsPerBlock;
  // Short rows: the fewest lanes (4, 8 or 16) that hold the row with one pack each.
#define TORCHTRT_SOFTMAX_GROUP(L)                                                                           \
  if (packs <= L) {                                                                                         \
    const int64_t warps = (rows + 32 / L - 1) / (32 / L);                                                   \
    softmaxWarpKernel<T, V, 1, L>                                                                           \
        <<<static_cast<unsigned>((warps + kWarpRowsPerBlock - 1) / kWarpRowsPerBlock), block, 0, stream>>>( \
            x, mask, mg, y, rows, len, narrow);                                                             \
    return;                                                                                                 \
  }
  TORCHTRT_SOFTMAX_GROUP(4)
  TORCHTRT_SOFTMAX_GROUP(8)
  TORCHTRT_SOFTMAX_GROUP(16)
#undef TORCHTRT_SOFTMAX_GROUP
  const int64_t packsPerLane = (packs + 31) / 32;
  const unsigned grid = static_cast<unsigned>((rows + kWarpRowsPerBlock - 1) / kWarpRowsPerBlock);
#define TORCHTRT_SOFTMAX_WARP(P)                                         \
  if (packsPerLane <= P) {                                               \
    softmaxWarpKernel<T, V, (32 * V * P <= kRegisterRow ? P : 1), 32>    \
        <<<grid, block, 0, stream>>>(x, mask, mg, y, rows, len, narrow); \
    return;                                                              \
  }
  TORCHTRT_SOFTMAX_WARP(1)
  TORCHTRT_SOFTMAX_WARP(2)
  TORCHTRT_SOFTMAX_WARP(4)
  TORCHTRT_SOFTMAX_WARP(8)
  TORCHTRT_SOFTMAX_WARP(16)
  TORCHTRT_SOFTMAX_WARP(32)
#undef TORCHTRT_SOFTMAX_WARP
}
}  // namespace

void launchSoftMax(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const auto& softmax = static_cast<const ISoftMaxLayer&>(layer);
  const Dims& d = in[0].dims;
  int axis = d.nbDims - 1;
  if (softmax.getAxes() != 0)
    for (int i = 0; i < d.nbDims; ++i)
      if ((softmax.getAxes() >> i) & 1u) axis = i;
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < axis; ++i) outer *= d.d[i];
  for (int i = axis + 1; i < d.nbDims; ++i) inner *= d.d[i];
  const int64_t rows = outer * inner, len = d.d[axis];
  const bool hasMask = in.size() > 1;
  MaskGeometry mg;
  if (hasMask) {
    mg.rank = d.nbDims;
    for (int i = 0; i < d.nbDims; ++i) mg.dims[i] = d.d[i];
    layer_util::broadcastStrides(in[1].dims, d, mg.stride);
  }
  const bool narrow = rows <= static_cast<int64_t>(UINT32_MAX);
  dispatchFloating(in[0].type, layer.describe(), [&](auto tag) {
    using T = decltype(tag);
    constexpr int V = kVectorElems<T>;
    const T* x = static_cast<const T*>(in[0].data);
    const T* mask = hasMask ? static_cast<const T*>(in[1].data) : nullptr;
    T* y = static_cast<T*>(out.data);
    if (inner != 1 || len == 0) {
      softmaxColumnKernel<<<static_cast<unsigned>((rows + 127) / 128), 128, 0, ctx.stream>>>(x, mask, mg, y, outer, len,
                                                                                             inner);
      return;
    }
    // Packed accesses: whole packs per row, and every pointer the packs touch aligned. The mask's
    // rows start at multiples of len (its strides over the leading dims are), so its base decides.
    const bool maskAlong = hasMask && mg.stride[d.nbDims - 1] != 0;
    const bool packed =
        len % V == 0 && alignedFor<T>(x, V) && alignedFor<T>(y, V) && (!maskAlong || alignedFor<T>(mask, V));
    if (len <= kRegisterRow) {
      if (packed)
        launchWarpRows<T, V>(ctx.stream, x, mask, mg, y, rows, static_cast<int>(len), narrow);
      else
        launchWarpRows<T, 1>(ctx.stream, x, mask, mg, y, rows, static_cast<int>(len), narrow);
      return;
    }
    if (packed)
      softmaxBlockKernel<T, V>
          <<<static_cast<unsigned>(rows), kLongRowThreads, 0, ctx.stream>>>(x, mask, mg, y, len, narrow);
    else
      softmaxBlockKernel<T, 1>
          <<<static_cast<unsigned>(rows), kLongRowThreads, 0, ctx.stream>>>(x, mask, mg, y, len, narrow);
  });
  check(cudaGetLastError(), "softmax kernel launch");
}

}  // namespace cuda
}  // namespace trt
