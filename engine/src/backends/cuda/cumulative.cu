// Cumulative sum and product along one axis: one thread per line (the same order of operations as
// the CPU reference, so float32 results match it exactly); integers accumulate in int64.
#include "backends/cuda/cuda_kernels.h"
#include "common/cumulative_lines.h"

namespace trt {
namespace cuda {

namespace {
template <typename T, typename Acc>
__global__ void cumulativeKernel(const T* x, T* y, CumulativeLines l, bool prod, bool exclusive, bool reverse) {
  const int64_t line = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (line >= l.outer * l.inner) return;
  const int64_t o = line / l.inner, i = line % l.inner;
  Acc acc = prod ? Acc(1) : Acc(0);
  for (int64_t s = 0; s < l.extent; ++s) {
    const int64_t k = reverse ? l.extent - 1 - s : s;
    const int64_t at = (o * l.extent + k) * l.inner + i;
    const Acc v = static_cast<Acc>(x[at]);
    if (!exclusive) acc = prod ? acc * v : acc + v;
    y[at] = static_cast<T>(acc);
    if (exclusive) acc = prod ? acc * v : acc + v;
  }
}

template <typename T, typename Acc>
void launch(LaunchContext& ctx, const ICumulativeLayer& layer, const TensorView& in, TensorView& out) {
  const CumulativeLines l = cumulativeLines(in.dims, layer.getAxis());
  const int64_t lines = l.outer * l.inner;
  if (lines == 0 || l.extent == 0) return;
  cumulativeKernel<T, Acc><<<static_cast<unsigned>((lines + 127) / 128), 128, 0, ctx.stream>>>(
      static_cast<const T*>(in.data), static_cast<T*>(out.data), l, layer.getOperation() == CumulativeOperation::kPROD,
      layer.getExclusive(), layer.getReverse());
  check(cudaGetLastError(), "cumulative kernel launch");
}
}  // namespace

void launchCumulative(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const auto& cum = static_cast<const ICumulativeLayer&>(layer);
  switch (in[0].type) {
    case DataType::kFLOAT:
      return launch<float, float>(ctx, cum, in[0], out);
    case DataType::kINT32:
      return launch<int32_t, int64_t>(ctx, cum, in[0], out);
    case DataType::kINT64:
      return launch<int64_t, int64_t>(ctx, cum, in[0], out);
    default:
      throw Error(layer.describe() + ": the CUDA backend accumulates float32, int32 or int64, got " +
                  dataTypeName(in[0].type));
  }
}

}  // namespace cuda
}  // namespace trt
