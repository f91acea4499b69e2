// Data movement: shuffle (permute / reshape), concatenation, constants.
#include "backends/cuda/cuda_kernels.h"
#include "layers/layer_util.h"

namespace trt {
namespace cuda {

namespace {
struct PermuteGeometry {
  int rank;
  int64_t outDims[Dims::MAX_DIMS];
  int64_t srcStride[Dims::MAX_DIMS];  // input stride of the dim that output dim i reads
};

template <typename T, typename I>
__global__ void permuteKernel(const T* src, T* dst, PermuteGeometry g, int64_t n) {
  const I i = static_cast<I>(blockIdx.x) * static_cast<I>(blockDim.x) + static_cast<I>(threadIdx.x);
  if (i >= static_cast<I>(n)) return;
  I rem = i, off = 0;
  for (int d = g.rank - 1; d >= 0; --d) {
    const I dim = static_cast<I>(g.outDims[d]);
    off += (rem % dim) * static_cast<I>(g.srcStride[d]);
    rem /= dim;
  }
  dst[i] = src[off];
}

// Merges output dims that read the source contiguously across their boundary (fewer divisions).
void coalesce(PermuteGeometry& g) {
  PermuteGeometry out{};
  for (int d = 0; d < g.rank; ++d) {
    if (g.outDims[d] == 1) continue;
    if (out.rank > 0 && out.srcStride[out.rank - 1] == g.srcStride[d] * g.outDims[d]) {
      out.outDims[out.rank - 1] *= g.outDims[d];
      out.srcStride[out.rank - 1] = g.srcStride[d];
      continue;
    }
    out.outDims[out.rank] = g.outDims[d];
    out.srcStride[out.rank] = g.srcStride[d];
    ++out.rank;
  }
  g = out;
}

// When the innermost output dim is contiguous in the source, moves `bytes`-wide vectors instead of
// elements (BERT's head split moves 64-element rows). Returns the element size to use.
size_t widen(PermuteGeometry& g, size_t elemSize, const void* src, void* dst) {
  if (g.rank == 0 || g.srcStride[g.rank - 1] != 1) return elemSize;
  for (size_t bytes : {size_t(16), size_t(8), size_t(4)}) {
    if (bytes <= elemSize || (g.outDims[g.rank - 1] * elemSize) % bytes != 0) continue;
    if (reinterpret_cast<uintptr_t>(src) % bytes != 0 || reinterpret_cast<uintptr_t>(dst) % bytes != 0) continue;
    bool ok = true;
    for (int d = 0; d < g.rank - 1; ++d) ok &= (g.srcStride[d] * elemSize) % bytes == 0;
    if (!ok) continue;
    const int64_t factor = static_cast<int64_t>(bytes / elemSize);
    g.outDims[g.rank - 1] /= factor;
    for (int d = 0; d < g.rank - 1; ++d) g.srcStride[d] /= factor;
    return bytes;
  }
  return elemSize;
}

template <typename T>
void launchPermute(LaunchContext& ctx, const void* src, void* dst, const PermuteGeometry& g, int64_t n) {
  const unsigned blocks = static_cast<unsigned>((n + 255) / 256);
  if (n < (int64_t(1) << 31))
    permuteKernel<T, uint32_t><<<blocks, 256, 0, ctx.stream>>>(static_cast<const T*>(src), static_cast<T*>(dst), g, n);
  else
    permuteKernel<T, int64_t><<<blocks, 256, 0, ctx.stream>>>(static_cast<const T*>(src), static_cast<T*>(dst), g, n);
}

bool isIdentity(const int32_t* perm, int rank) {
  for (int i = 0; i < rank; ++i)
    if (perm[i] != i) return false;
  return true;
}
}  // namespace

void permute(LaunchContext& ctx, const void* src, const Dims& dims, const int32_t* perm, void* dst, size_t elemSize) {
  const int64_t n = dims.volume();
  if (n == 0) return;
  if (dims.nbDims == 0 || isIdentity(perm, dims.nbDims)) {
    if (dst != src) check(cudaMemcpyAsync(dst, src, n * elemSize, cudaMemcpyDeviceToDevice, ctx.stream), "copy");
    return;
  }
  PermuteGeometry g{};
  g.rank = dims.nbDims;
  int64_t stride[Dims::MAX_DIMS];
  int64_t s = 1;
  for (int i = dims.nbDims - 1; i >= 0; --i) {
    stride[i] = s;
    s *= dims.d[i];
  }
  for (int i = 0; i < g.rank; ++i) {
    g.outDims[i] = dims.d[perm[i]];
    g.srcStride[i] = stride[perm[i]];
  }
  coalesce(g);
  const size_t elem = widen(g, elemSize, src, dst);
  const int64_t count = n * static_cast<int64_t>(elemSize) / static_cast<int64_t>(elem);
  switch (elem) {
    case 1:
      launchPermute<uint8_t>(ctx, src, dst, g, count);
      break;
    case 2:
      launchPermute<uint16_t>(ctx, src, dst, g, count);
      break;
    case 4:
      launchPermute<uint32_t>(ctx, src, dst, g, count);
      break;
    case 8:
      launchPermute<uint64_t>(ctx, src, dst, g, count);
      break;
    case 16:
      launchPermute<uint4>(ctx, src, dst, g, count);
      break;
    default:
      throw Error("CUDA permute: unsupported element size " + std::to_string(elemSize));
  }
  check(cudaGetLastError(), "permute kernel launch");
}

void launchShuffle(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const auto& shuffle = static_cast<const IShuffleLayer&>(layer);
  const size_t elem = dataTypeSize(in[0].type);
  const Permutation first = shuffle.getFirstTranspose(), second = shuffle.getSecondTranspose();
  const bool firstId = isIdentity(first.order, in[0].dims.nbDims), secondId = isIdentity(second.order, out.dims.nbDims);
  const Dims mid = layer_util::shapeBeforeSecondTranspose(out.dims, second);
  if (secondId) {  // also the plain copy when both transposes are identities
    permute(ctx, in[0].data, in[0].dims, first.order, out.data, elem);
  } else if (firstId) {
    permute(ctx, in[0].data, mid, second.order, out.data, elem);
  } else {
    void* tmp = ctx.scratch(static_cast<size_t>(in[0].dims.volume()) * elem);
    permute(ctx, in[0].data, in[0].dims, first.order, tmp, elem);
    permute(ctx, tmp, mid, second.order, out.data, elem);
  }
}

void launchConcatenation(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const int axis = static_cast<const IConcatenationLayer&>(layer).getAxis();
  const size_t elem = dataTypeSize(out.type);
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < axis; ++i) outer *= out.dims.d[i];
  for (int i = axis + 1; i < out.dims.nbDims; ++i) inner *= out.dims.d[i];
  const int64_t outRow = out.dims.d[axis] * inner;
  int64_t offset = 0;
  for (const TensorView& t : in) {
    const int64_t row = t.dims.d[axis] * inner;
    if (row > 0 && outer > 0)
      check(cudaMemcpy2DAsync(static_cast<uint8_t*>(out.data) + offset * elem, outRow * elem, t.data, row * elem,
                              row * elem, outer, cudaMemcpyDeviceToDevice, ctx.stream),
            "concatenation copy");
    offset += row;
  }
}

void launchConstant(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>&, TensorView& out) {
  const auto& constant = static_cast<const IConstantLayer&>(layer);
  check(cudaMemcpyAsync(out.data, ctx.device(constant.bytes().data()), constant.bytes().size(),
                        cudaMemcpyDeviceToDevice, ctx.stream),
        "constant copy");
}

}  // namespace cuda
}  // namespace trt
