// Select (where) with broadcasting, and gather along an axis. Out-of-range indices read nothing
// and write zeros (the host cannot see device indices without a sync; the CPU backend reports them).
#include "backends/cuda/cuda_kernels.h"
#include "layers/layer_util.h"

namespace trt {
namespace cuda {

namespace {
struct SelectGeometry {
  int rank;
  int64_t outDims[Dims::MAX_DIMS];
  int64_t sc[Dims::MAX_DIMS], sa[Dims::MAX_DIMS], sb[Dims::MAX_DIMS];
};

template <typename T>
__global__ void selectKernel(const uint8_t* cond, const T* a, const T* b, T* out, SelectGeometry g, int64_t n) {
  int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i >= n) return;
  int64_t rem = i, oc = 0, oa = 0, ob = 0;
  for (int d = g.rank - 1; d >= 0; --d) {
    int64_t k = rem % g.outDims[d];
    rem /= g.outDims[d];
    oc += k * g.sc[d];
    oa += k * g.sa[d];
    ob += k * g.sb[d];
  }
  out[i] = cond[oc] ? a[oa] : b[ob];
}

template <typename T, typename I>
__global__ void gatherKernel(const T* data, const I* idx, T* out, int64_t nIdx, int64_t axisSize, int64_t inner,
                             int64_t n) {
  int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i >= n) return;
  int64_t e = i % inner, j = (i / inner) % nIdx, o = i / (inner * nIdx);
  int64_t k = static_cast<int64_t>(idx[j]);
  out[i] = (k >= 0 && k < axisSize) ? data[(o * axisSize + k) * inner + e] : T{};
}

template <typename T>
void gatherTyped(LaunchContext& ctx, const TensorView& data, const TensorView& idx, TensorView& out, int64_t nIdx,
                 int64_t axisSize, int64_t inner) {
  const int64_t n = out.dims.volume();
  const unsigned blocks = static_cast<unsigned>((n + 255) / 256);
  if (idx.type == DataType::kINT32)
    gatherKernel<<<blocks, 256, 0, ctx.stream>>>(static_cast<const T*>(data.data),
                                                 static_cast<const int32_t*>(idx.data), static_cast<T*>(out.data), nIdx,
                                                 axisSize, inner, n);
  else
    gatherKernel<<<blocks, 256, 0, ctx.stream>>>(static_cast<const T*>(data.data),
                                                 static_cast<const int64_t*>(idx.data), static_cast<T*>(out.data), nIdx,
                                                 axisSize, inner, n);
}
}  // namespace

void launchSelect(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  SelectGeometry g{};
  g.rank = out.dims.nbDims;
  for (int i = 0; i < g.rank; ++i) g.outDims[i] = out.dims.d[i];
  layer_util::broadcastStrides(in[0].dims, out.dims, g.sc);
  layer_util::broadcastStrides(in[1].dims, out.dims, g.sa);
  layer_util::broadcastStrides(in[2].dims, out.dims, g.sb);
  const int64_t n = out.dims.volume();
  const unsigned blocks = static_cast<unsigned>((n + 255) / 256);
  const auto* cond = static_cast<const uint8_t*>(in[0].data);
  switch (dataTypeSize(out.type)) {
    case 1:
      selectKernel<<<blocks, 256, 0, ctx.stream>>>(cond, static_cast<const uint8_t*>(in[1].data),
                                                   static_cast<const uint8_t*>(in[2].data),
                                                   static_cast<uint8_t*>(out.data), g, n);
      break;
    case 2:
      selectKernel<<<blocks, 256, 0, ctx.stream>>>(cond, static_cast<const uint16_t*>(in[1].data),
                                                   static_cast<const uint16_t*>(in[2].data),
                                                   static_cast<uint16_t*>(out.data), g, n);
      break;
    case 4:
      selectKernel<<<blocks, 256, 0, ctx.stream>>>(cond, static_cast<const uint32_t*>(in[1].data),
                                                   static_cast<const uint32_t*>(in[2].data),
                                                   static_cast<uint32_t*>(out.data), g, n);
      break;
    case 8:
      selectKernel<<<blocks, 256, 0, ctx.stream>>>(cond, static_cast<const uint64_t*>(in[1].data),
                                                   static_cast<const uint64_t*>(in[2].data),
                                                   static_cast<uint64_t*>(out.data), g, n);
      break;
    default:
      throw Error(layer.describe() + ": unsupported element size");
  }
  check(cudaGetLastError(), "select kernel launch");
}

namespace {
struct ElementGeometry {
  int rank, axis;
  int64_t idxDims[Dims::MAX_DIMS], dataStride[Dims::MAX_DIMS], axisSize;
};

template <typename T, typename I>
__global__ void gatherElementsKernel(const T* data, const I* idx, T* out, ElementGeometry g, int64_t n) {
  int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i >= n) return;
  const int64_t k = static_cast<int64_t>(idx[i]);
  int64_t rem = i, off = 0;
  for (int d = g.rank - 1; d >= 0; --d) {
    const int64_t c = rem % g.idxDims[d];
    rem /= g.idxDims[d];
    off += (d == g.axis ? k : c) * g.dataStride[d];
  }
  out[i] = (k >= 0 && k < g.axisSize) ? data[off] : T(0);
}

template <typename T>
void gatherElementsTyped(LaunchContext& ctx, const TensorView& data, const TensorView& idx, TensorView& out,
                         const ElementGeometry& g) {
  const int64_t n = out.dims.volume();
  if (n == 0) return;
  const unsigned blocks = static_cast<unsigned>((n + 255) / 256);
  if (idx.type == DataType::kINT32)
    gatherElementsKernel<<<blocks, 256, 0, ctx.stream>>>(
        static_cast<const T*>(data.data), static_cast<const int32_t*>(idx.data), static_cast<T*>(out.data), g, n);
  else
    gatherElementsKernel<<<blocks, 256, 0, ctx.stream>>>(
        static_cast<const T*>(data.data), static_cast<const int64_t*>(idx.data), static_cast<T*>(out.data), g, n);
}
}  // namespace

void launchGather(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const int axis = static_cast<const IGatherLayer&>(layer).getGatherAxis();
  if (static_cast<const IGatherLayer&>(layer).getMode() == GatherMode::kELEMENT) {
    ElementGeometry g{};
    g.rank = in[0].dims.nbDims;
    g.axis = axis;
    g.axisSize = in[0].dims.d[axis];
    int64_t s = 1;
    for (int d = g.rank - 1; d >= 0; --d) {
      g.idxDims[d] = in[1].dims.d[d];
      g.dataStride[d] = s;
      s *= in[0].dims.d[d];
    }
    switch (dataTypeSize(in[0].type)) {
      case 1:
        gatherElementsTyped<uint8_t>(ctx, in[0], in[1], out, g);
        break;
      case 2:
        gatherElementsTyped<uint16_t>(ctx, in[0], in[1], out, g);
        break;
      case 4:
        gatherElementsTyped<uint32_t>(ctx, in[0], in[1], out, g);
        break;
      case 8:
        gatherElementsTyped<uint64_t>(ctx, in[0], in[1], out, g);
        break;
      default:
        throw Error(layer.describe() + ": unsupported element size");
    }
    check(cudaGetLastError(), "gather elements kernel launch");
    return;
  }
  const Dims& data = in[0].dims;
  int64_t inner = 1;
  for (int i = axis + 1; i < data.nbDims; ++i) inner *= data.d[i];
  const int64_t nIdx = in[1].dims.volume(), axisSize = data.d[axis];
  // Slices of whole 16-byte vectors (rows of channels: a gather of rows) move as vectors.
  const size_t sliceBytes = static_cast<size_t>(inner) * dataTypeSize(in[0].type);
  if (sliceBytes % 16 == 0 && reinterpret_cast<uintptr_t>(in[0].data) % 16 == 0 &&
      reinterpret_cast<uintptr_t>(out.data) % 16 == 0) {
    TensorView vectors = out;
    vectors.dims = Dims{out.dims.volume() * static_cast<int64_t>(dataTypeSize(out.type)) / 16};
    gatherTyped<uint4>(ctx, in[0], in[1], vectors, nIdx, axisSize, static_cast<int64_t>(sliceBytes / 16));
    check(cudaGetLastError(), "gather kernel launch");
    return;
  }
  switch (dataTypeSize(in[0].type)) {
    case 1:
      gatherTyped<uint8_t>(ctx, in[0], in[1], out, nIdx, axisSize, inner);
      break;
    case 2:
      gatherTyped<uint16_t>(ctx, in[0], in[1], out, nIdx, axisSize, inner);
      break;
    case 4:
      gatherTyped<uint32_t>(ctx, in[0], in[1], out, nIdx, axisSize, inner);
      break;
    case 8:
      gatherTyped<uint64_t>(ctx, in[0], in[1], out, nIdx, axisSize, inner);
      break;
    default:
      throw Error(layer.describe() + ": unsupported element size");
  }
  check(cudaGetLastError(), "gather kernel launch");
}

}  // namespace cuda
}  // namespace trt
