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

template <typename T>
__global__ void permuteKernel(const T* src, T* dst, PermuteGeometry g, int64_t n) {
  int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i >= n) return;
  int64_t rem = i, off = 0;
  for (int d = g.rank - 1; d >= 0; --d) {
    off += (rem % g.outDims[d]) * g.srcStride[d];
    rem /= g.outDims[d];
  }
  dst[i] = src[off];
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
  unsigned blocks = static_cast<unsigned>((n + 255) / 256);
  switch (elemSize) {
    case 1:
      permuteKernel<<<blocks, 256, 0, ctx.stream>>>(static_cast<const uint8_t*>(src), static_cast<uint8_t*>(dst), g, n);
      break;
    case 2:
      permuteKernel<<<blocks, 256, 0, ctx.stream>>>(static_cast<const uint16_t*>(src), static_cast<uint16_t*>(dst), g,
                                                    n);
      break;
    case 4:
      permuteKernel<<<blocks, 256, 0, ctx.stream>>>(static_cast<const uint32_t*>(src), static_cast<uint32_t*>(dst), g,
                                                    n);
      break;
    case 8:
      permuteKernel<<<blocks, 256, 0, ctx.stream>>>(static_cast<const uint64_t*>(src), static_cast<uint64_t*>(dst), g,
                                                    n);
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
