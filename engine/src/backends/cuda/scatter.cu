// Scatter (element or ND mode): the data copied, then one thread per update element writes it, or
// combines it atomically with the element there (a reduction: compare-and-swap loops, so every
// update counts; floating-point sums in arrival order, which differs from run to run). Out-of-range
// indices write nothing (the host cannot see device indices without a sync; the CPU backend reports
// them); duplicate indices without a reduction leave one of the updates, unspecified which (as PyTorch).
#include "backends/cuda/cuda_kernels.h"
#include "common/scatter_reduction.h"

namespace trt {
namespace cuda {

namespace {
struct ScatterGeometry {
  int rank, axis;
  int64_t dataStride[Dims::MAX_DIMS];
  int64_t dataDims[Dims::MAX_DIMS];
  int64_t idxDims[Dims::MAX_DIMS];
  int64_t axisSize;
  bool nd;
  int tupleLength;  // ND: k, the data dimensions a tuple addresses
  int64_t slice;    // ND: elements per tuple (the data's dimensions after the first k)
};

// ND: update element i lies in tuple i / slice; its data offset, or -1 when the tuple is out of range.
template <typename Index>
__device__ int64_t ndTarget(const Index* indices, const ScatterGeometry& g, int64_t i) {
  const int64_t t = i / g.slice;
  int64_t base = 0;
  for (int j = 0; j < g.tupleLength; ++j) {
    const int64_t v = static_cast<int64_t>(indices[t * g.tupleLength + j]);
    if (v < 0 || v >= g.dataDims[j]) return -1;
    base += v * g.dataStride[j];
  }
  return base + i % g.slice;
}

// The data offset update element i lands on, or -1 when its index is out of range.
template <typename Index>
__device__ int64_t scatterTarget(const Index* indices, const ScatterGeometry& g, int64_t i) {
  if (g.nd) return ndTarget(indices, g, i);
  const int64_t k = static_cast<int64_t>(indices[i]);
  if (k < 0 || k >= g.axisSize) return -1;
  int64_t rest = i, off = 0;
  for (int d = g.rank - 1; d >= 0; --d) {
    const int64_t c = rest % g.idxDims[d];
    rest /= g.idxDims[d];
    off += (d == g.axis ? k : c) * g.dataStride[d];
  }
  return off;
}

// The machine word a T is compared and swapped as.
template <typename T>
struct Word;
template <>
struct Word<float> {
  using type = unsigned int;
};
template <>
struct Word<int32_t> {
  using type = int;
};
template <>
struct Word<int64_t> {
  using type = unsigned long long;
};

template <typename T>
__device__ void atomicCombine(T* target, T v, ScatterReduction op) {
  using W = typename Word<T>::type;
  W* word = reinterpret_cast<W*>(target);
  W old = *word, assumed;
  do {
    assumed = old;
    T current;
    memcpy(&current, &assumed, sizeof(T));
    const T next = scatter_reduction::combine(op, current, v);
    W nextWord;
    memcpy(&nextWord, &next, sizeof(T));
    old = atomicCAS(word, assumed, nextWord);
  } while (old != assumed);
}

// Pass 1 (include_self = false, or a mean): every reached element starts from the identity, and
// counts how many updates reach it.
template <typename T, typename Index>
__global__ void scatterPrepareKernel(const Index* indices, T* out, int* counts, bool resetToIdentity,
                                     ScatterReduction op, ScatterGeometry g, int64_t n) {
  const int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i >= n) return;
  const int64_t off = scatterTarget(indices, g, i);
  if (off < 0) return;
  if (resetToIdentity) out[off] = scatter_reduction::identity<T>(op);
  if (counts) atomicAdd(counts + off, 1);
}

// Pass 2: each update combined into its element.
template <typename T, typename Index>
__global__ void scatterReduceKernel(const Index* indices, const T* updates, T* out, ScatterReduction op,
                                    ScatterGeometry g, int64_t n) {
  const int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i >= n) return;
  const int64_t off = scatterTarget(indices, g, i);
  if (off >= 0) atomicCombine(out + off, updates[i], op);
}

// Pass 3 (a mean): reached elements divided by the number of values combined.
template <typename T>
__global__ void scatterMeanKernel(T* out, const int* counts, int includeSelf, int64_t n) {
  const int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i < n && counts[i] > 0) out[i] = scatter_reduction::mean(out[i], counts[i] + includeSelf);
}

template <typename T, typename Index>
void launchReduction(LaunchContext& ctx, const IScatterLayer& layer, const Index* indices, const T* updates, T* out,
                     const ScatterGeometry& g, int64_t n, int64_t volume) {
  const ScatterReduction op = layer.getReduction();
  const bool includeSelf = layer.getIncludeSelf(), mean = op == ScatterReduction::kMEAN;
  const unsigned blocks = static_cast<unsigned>((n + 255) / 256);
  int* counts = nullptr;
  if (mean) {
    counts = static_cast<int*>(ctx.scratch(static_cast<size_t>(volume) * sizeof(int)));
    check(cudaMemsetAsync(counts, 0, static_cast<size_t>(volume) * sizeof(int), ctx.stream), "scatter counts");
  }
  if (mean || !includeSelf)
    scatterPrepareKernel<<<blocks, 256, 0, ctx.stream>>>(indices, out, counts, !includeSelf, op, g, n);
  scatterReduceKernel<<<blocks, 256, 0, ctx.stream>>>(indices, updates, out, op, g, n);
  if (mean)
    scatterMeanKernel<<<static_cast<unsigned>((volume + 255) / 256), 256, 0, ctx.stream>>>(out, counts,
                                                                                           includeSelf ? 1 : 0, volume);
}

template <typename Index>
__global__ void scatterKernel(const Index* indices, const uint8_t* updates, uint8_t* out, size_t elem,
                              ScatterGeometry g, int64_t n) {
  const int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i >= n) return;
  const int64_t off = scatterTarget(indices, g, i);
  if (off < 0) return;
  for (size_t b = 0; b < elem; ++b) out[off * elem + b] = updates[i * elem + b];
}
}  // namespace

void launchScatter(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const auto& scatter = static_cast<const IScatterLayer&>(layer);
  const Dims& data = in[0].dims;
  const size_t elem = dataTypeSize(in[0].type);
  check(cudaMemcpyAsync(out.data, in[0].data, static_cast<size_t>(data.volume()) * elem, cudaMemcpyDeviceToDevice,
                        ctx.stream),
        "cudaMemcpyAsync (scatter data)");
  ScatterGeometry g{};
  g.rank = data.nbDims;
  g.axis = scatter.getAxis();
  g.nd = scatter.getMode() == ScatterMode::kND;
  g.axisSize = g.nd ? 0 : data.d[g.axis];
  int64_t s = 1;
  for (int d = data.nbDims - 1; d >= 0; --d) {
    g.dataStride[d] = s;
    s *= data.d[d];
    g.dataDims[d] = data.d[d];
    g.idxDims[d] = g.nd ? 0 : in[1].dims.d[d];
  }
  if (g.nd) {
    g.tupleLength = static_cast<int>(in[1].dims.d[in[1].dims.nbDims - 1]);
    g.slice = g.tupleLength < data.nbDims ? g.dataStride[g.tupleLength - 1] : 1;
  }
  const int64_t n = in[2].dims.volume();  // one thread per update element
  if (n == 0) return;
  const bool reduce = scatter.getReduction() != ScatterReduction::kNONE;
  auto withIndices = [&](auto* indices) {
    if (!reduce) {
      scatterKernel<<<static_cast<unsigned>((n + 255) / 256), 256, 0, ctx.stream>>>(
          indices, static_cast<const uint8_t*>(in[2].data), static_cast<uint8_t*>(out.data), elem, g, n);
      return;
    }
    switch (in[0].type) {
      case DataType::kFLOAT:
        return launchReduction(ctx, scatter, indices, static_cast<const float*>(in[2].data),
                               static_cast<float*>(out.data), g, n, data.volume());
      case DataType::kINT32:
        return launchReduction(ctx, scatter, indices, static_cast<const int32_t*>(in[2].data),
                               static_cast<int32_t*>(out.data), g, n, data.volume());
      case DataType::kINT64:
        return launchReduction(ctx, scatter, indices, static_cast<const int64_t*>(in[2].data),
                               static_cast<int64_t*>(out.data), g, n, data.volume());
      default:
        throw Error(layer.describe() + ": the CUDA scatter reduction takes float32, int32 or int64 data, not " +
                    dataTypeName(in[0].type));
    }
  };
  if (in[1].type == DataType::kINT64)
    withIndices(static_cast<const int64_t*>(in[1].data));
  else
    withIndices(static_cast<const int32_t*>(in[1].data));
  check(cudaGetLastError(), reduce ? "scatter reduction kernel launch" : "scatter kernel launch");
}

}  // namespace cuda
}  // namespace trt
