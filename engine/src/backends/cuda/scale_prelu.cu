// Scale and ParametricReLU on the GPU: one thread per element, the arithmetic shared with the CPU.
#include <algorithm>

#include "backends/cuda/activation.cuh"
#include "backends/cuda/cuda_kernels.h"
#include "backends/cuda/float_types.cuh"
#include "backends/cuda/source_blocks.cuh"
#include "common/broadcast_index.h"
#include "common/scale_value.h"

namespace trt {
namespace cuda {

namespace {
template <typename T>
__global__ void scaleKernel(const T* x, T* y, int32_t mode, const float* scale, const float* shift, const float* power,
                            int64_t channels, int64_t inner, int64_t perSample, int64_t n, int32_t activation) {
  const int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i >= n) return;
  const int64_t c = scale_value::coefficient(mode, i, channels, inner, perSample);
  float v = scale_value::apply(load(x, i), scale ? scale[c] : 1.f, shift ? shift[c] : 0.f, power ? power[c] : 1.f);
  if (activation >= 0) v = activate<T>(static_cast<ActivationType>(activation), 0.f, 0.f, v);
  store(y, i, v);
}

// Per-channel (or uniform) scales over one input or the concatenation of several along the channel axis:
// output row r (the dims before the axis) is the inputs' rows side by side, as a concatenation's; each input has
// blocks of its own (source_blocks.cuh). V elements (one 16-byte access, or 1) a thread per step; every source row,
// the range and the row are multiples of V.
constexpr int kScaleSources = kSourcesPerLaunch;

struct ScaleSources {
  const void* data[kScaleSources];
  int64_t begin[kScaleSources + 1];        // elements: source s fills [begin[s], begin[s + 1]) of the range
  uint32_t firstBlock[kScaleSources + 1];  // source s has blocks [firstBlock[s], firstBlock[s + 1])
  int32_t count;
  int64_t rowElems;    // elements in one output row
  int64_t rangeStart;  // the first element of each output row this launch writes
  int64_t inner;       // elements per channel within a row (a uniform scale: the whole row)
};

template <typename T, int V, typename Index>
__global__ void channelScaleKernel(ScaleSources s, T* out, Index rows, const float* scale, const float* shift,
                                   const float* power, int32_t activation) {
  const int lo = sourceOfBlock(s.firstBlock, s.count);
  const Index width = static_cast<Index>(s.begin[lo + 1] - s.begin[lo]), perRow = width / V, n = rows * perRow;
  const Index base = static_cast<Index>(s.rangeStart + s.begin[lo]), inner = static_cast<Index>(s.inner);
  const Index rowElems = static_cast<Index>(s.rowElems);
  const T* source = static_cast<const T*>(s.data[lo]);
  const Index step = static_cast<Index>(s.firstBlock[lo + 1] - s.firstBlock[lo]) * blockDim.x;
  for (Index v = static_cast<Index>(blockIdx.x - s.firstBlock[lo]) * blockDim.x + threadIdx.x; v < n; v += step) {
    const Index row = v / perRow, col = (v - row * perRow) * V;
    const T* src = source + row * width + col;
    T* dst = out + row * rowElems + base + col;
    alignas(16) T e[V];  // read and written as one 16-byte access where V * sizeof(T) is 16
    if constexpr (V * sizeof(T) == 16)
      *reinterpret_cast<uint4*>(e) = *reinterpret_cast<const uint4*>(src);
    else
      for (int k = 0; k < V; ++k) e[k] = src[k];
    const Index pos = base + col;
    Index c = inner == 1 ? pos : pos / inner, within = inner == 1 ? 0 : pos - c * inner;
#pragma unroll
    for (int k = 0; k < V; ++k) {
      float y =
          scale_value::apply(toFloat(e[k]), scale ? scale[c] : 1.f, shift ? shift[c] : 0.f, power ? power[c] : 1.f);
      if (activation >= 0) y = activate<T>(static_cast<ActivationType>(activation), 0.f, 0.f, y);
      e[k] = fromFloat<T>(y);
      if (++within == inner) {
        within = 0;
        ++c;
      }
    }
    if constexpr (V * sizeof(T) == 16)
      *reinterpret_cast<uint4*>(dst) = *reinterpret_cast<const uint4*>(e);
    else
      for (int k = 0; k < V; ++k) dst[k] = e[k];
  }
}

template <typename T>
__global__ void preluKernel(const T* x, const T* slope, T* y, BroadcastIndex slopeAt, int64_t n) {
  const int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i >= n) return;
  const float v = load(x, i);
  store(y, i, v > 0.f ? v : load(slope, slopeAt(i)) * v);
}
}  // namespace

namespace {
template <typename T, int V>
void launchChannelScale(LaunchContext& ctx, const IScaleLayer& layer, ScaleSources& s, void* out, int64_t rows,
                        const float* scale, const float* shift, const float* power) {
  const uint32_t blocks =
      assignSourceBlocks(s.firstBlock, s.count, [&](int i) { return rows * ((s.begin[i + 1] - s.begin[i]) / V); });
  if (rows * s.rowElems < (int64_t(1) << 31))  // 32-bit index arithmetic: the kernel's divisions cost less
    channelScaleKernel<T, V, uint32_t><<<blocks, 256, 0, ctx.stream>>>(
        s, static_cast<T*>(out), static_cast<uint32_t>(rows), scale, shift, power, layer.getFusedActivation());
  else
    channelScaleKernel<T, V, int64_t><<<blocks, 256, 0, ctx.stream>>>(s, static_cast<T*>(out), rows, scale, shift,
                                                                      power, layer.getFusedActivation());
}

// A uniform or per-channel scale of one input, or of the concatenation of several (up to kScaleSources a launch,
// each launch writing its sources' channels of every row): 16-byte accesses where every row and address allow.
void launchChannelScales(LaunchContext& ctx, const IScaleLayer& layer, const std::vector<TensorView>& in,
                         TensorView& out, const float* scale, const float* shift, const float* power) {
  const bool uniform = layer.getMode() == ScaleMode::kUNIFORM;
  const int axis = uniform ? 0 : layer.getChannelAxis();
  int64_t outer = 1, inner = 1;
  for (int k = 0; k < axis; ++k) outer *= out.dims.d[k];
  for (int k = axis + 1; k < out.dims.nbDims; ++k) inner *= out.dims.d[k];
  int64_t rowElems = out.dims.d[axis] * inner;
  if (uniform) {  // one row whose one "channel" is every element
    outer = 1;
    rowElems = inner = out.dims.volume();
  }
  if (outer == 0 || rowElems == 0) return;
  const int64_t vector = 16 / static_cast<int64_t>(dataTypeSize(out.type));  // elements in a 16-byte access
  bool wide = reinterpret_cast<uintptr_t>(out.data) % 16 == 0 && rowElems % vector == 0;
  for (const TensorView& t : in)
    wide = wide && reinterpret_cast<uintptr_t>(t.data) % 16 == 0 &&
           (uniform ? rowElems : t.dims.d[axis] * inner) % vector == 0;
  ScaleSources s{};
  s.rowElems = rowElems;
  s.inner = inner;
  int64_t offset = 0;  // elements into the output row
  size_t next = 0;
  while (next < in.size()) {
    s.count = 0;
    s.rangeStart = offset;
    int64_t width = 0;
    for (; next < in.size() && s.count < kScaleSources; ++next) {
      const int64_t row = uniform ? rowElems : in[next].dims.d[axis] * inner;
      if (row == 0) continue;  // an empty input adds nothing
      s.data[s.count] = in[next].data;
      s.begin[s.count] = width;
      ++s.count;
      width += row;
    }
    if (s.count == 0) break;
    s.begin[s.count] = width;
    dispatchFloating(out.type, layer.describe(), [&](auto tag) {
      using T = decltype(tag);
      if (wide)
        launchChannelScale<T, kVectorElems<T>>(ctx, layer, s, out.data, outer, scale, shift, power);
      else
        launchChannelScale<T, 1>(ctx, layer, s, out.data, outer, scale, shift, power);
    });
    check(cudaGetLastError(), "scale kernel launch");
    offset += width;
  }
}
}  // namespace

void launchScale(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const auto& s = static_cast<const IScaleLayer&>(layer);
  auto onDevice = [&](const std::vector<float>& v) {
    return v.empty() ? nullptr : static_cast<const float*>(ctx.device(v.data()));
  };
  if (s.getMode() != ScaleMode::kELEMENTWISE)
    return launchChannelScales(ctx, s, in, out, onDevice(s.getScale()), onDevice(s.getShift()), onDevice(s.getPower()));
  const Dims& d = in[0].dims;
  const int axis = s.getChannelAxis();
  int64_t inner = 1;
  for (int k = axis + 1; k < d.nbDims; ++k) inner *= d.d[k];
  const int64_t channels = s.getMode() == ScaleMode::kUNIFORM ? 1 : d.d[axis];
  const int64_t perSample = s.getMode() == ScaleMode::kELEMENTWISE ? s.coefficientCount(d) : 1;
  const int64_t n = d.volume();
  dispatchFloating(in[0].type, layer.describe(), [&](auto tag) {
    using T = decltype(tag);
    scaleKernel<T><<<static_cast<unsigned>((n + 255) / 256), 256, 0, ctx.stream>>>(
        static_cast<const T*>(in[0].data), static_cast<T*>(out.data), static_cast<int32_t>(s.getMode()),
        onDevice(s.getScale()), onDevice(s.getShift()), onDevice(s.getPower()), channels, inner, perSample, n,
        s.getFusedActivation());
  });
  check(cudaGetLastError(), "scale kernel launch");
}

void launchParametricReLU(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const int64_t n = in[0].dims.volume();
  const BroadcastIndex slopeAt(in[0].dims, in[1].dims);
  dispatchFloating(in[0].type, layer.describe(), [&](auto tag) {
    using T = decltype(tag);
    preluKernel<T><<<static_cast<unsigned>((n + 255) / 256), 256, 0, ctx.stream>>>(
        static_cast<const T*>(in[0].data), static_cast<const T*>(in[1].data), static_cast<T*>(out.data), slopeAt, n);
  });
  check(cudaGetLastError(), "parametric relu kernel launch");
}

}  // namespace cuda
}  // namespace trt
