// TopK on the GPU: one thread per line selects its k entries in order, each pass taking the best
// entry after the previous one (O(k * n) per line: meant for argmax-like k, fine for short lines).
#include "backends/cuda/cuda_kernels.h"
#include "common/topk_order.h"

namespace trt {
namespace cuda {

namespace {
template <typename T>
__global__ void topkKernel(const T* src, void* dst, int64_t outer, int64_t n, int64_t inner, int64_t k, bool largest,
                           bool indices) {
  const int64_t line = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (line >= outer * inner) return;
  const int64_t o = line / inner, i = line % inner;
  const T* values = src + o * n * inner + i;
  bool havePrev = false;
  T prev{};
  int64_t prevIdx = -1;
  for (int64_t j = 0; j < k; ++j) {
    int64_t best = -1;
    for (int64_t c = 0; c < n; ++c) {
      const T v = values[c * inner];
      if (havePrev && !topkBefore(prev, prevIdx, v, c, largest)) continue;  // already taken
      if (best < 0 || topkBefore(v, c, values[best * inner], best, largest)) best = c;
    }
    const int64_t at = o * k * inner + j * inner + i;
    if (indices)
      static_cast<int64_t*>(dst)[at] = best;
    else
      static_cast<T*>(dst)[at] = values[best * inner];
    prev = values[best * inner];
    prevIdx = best;
    havePrev = true;
  }
}
}  // namespace

void launchTopK(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const auto& topk = static_cast<const ITopKLayer&>(layer);
  int axis = 0;
  while (!((topk.getReduceAxes() >> axis) & 1u)) ++axis;
  const Dims& d = in[0].dims;
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < axis; ++i) outer *= d.d[i];
  for (int i = axis + 1; i < d.nbDims; ++i) inner *= d.d[i];
  const int64_t lines = outer * inner, k = out.dims.d[axis];  // k may be given at run time
  if (lines == 0 || k == 0) return;
  const bool largest = topk.getOperation() == TopKOperation::kMAX;
  const bool indices = topk.getOutputKind() == TopKOutput::kINDICES;
  const unsigned blocks = static_cast<unsigned>((lines + 127) / 128);
  switch (in[0].type) {
    case DataType::kFLOAT:
      topkKernel<<<blocks, 128, 0, ctx.stream>>>(static_cast<const float*>(in[0].data), out.data, outer, d.d[axis],
                                                 inner, k, largest, indices);
      break;
    case DataType::kINT32:
      topkKernel<<<blocks, 128, 0, ctx.stream>>>(static_cast<const int32_t*>(in[0].data), out.data, outer, d.d[axis],
                                                 inner, k, largest, indices);
      break;
    case DataType::kINT64:
      topkKernel<<<blocks, 128, 0, ctx.stream>>>(static_cast<const int64_t*>(in[0].data), out.data, outer, d.d[axis],
                                                 inner, k, largest, indices);
      break;
    default:
      throw Error(layer.describe() + ": TopK takes float32, int32 or int64 data");
  }
  check(cudaGetLastError(), "topk kernel launch");
}

}  // namespace cuda
}  // namespace trt
