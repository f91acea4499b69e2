// NonZero on the GPU: a counting pass (the data-dependent size, read back to the host so later
// layers' shapes can be set), then flags, an exclusive scan (CUB) giving each nonzero element its
// column in row-major order, and a pass writing the coordinates.
#include <cub/device/device_scan.cuh>

#include "backends/cuda/cuda_kernels.h"
#include "common/non_zero.h"

namespace trt {
namespace cuda {

namespace {
struct Extents {
  int64_t d[Dims::MAX_DIMS];
  int32_t rank;
};

__global__ void countKernel(const void* data, DataType type, int64_t n, unsigned long long* counter) {
  const int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  const int found = __syncthreads_count(i < n && non_zero::isNonZero(data, type, i));
  if (threadIdx.x == 0 && found) atomicAdd(counter, static_cast<unsigned long long>(found));
}

__global__ void flagKernel(const void* data, DataType type, int64_t n, int64_t* flags) {
  const int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i < n) flags[i] = non_zero::isNonZero(data, type, i) ? 1 : 0;
}

__global__ void writeKernel(const void* data, DataType type, int64_t n, const int64_t* columns, Extents e,
                            int64_t count, int64_t* coords) {
  const int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i >= n || !non_zero::isNonZero(data, type, i)) return;
  const int64_t k = columns[i];
  int64_t rest = i;
  for (int d = e.rank - 1; d >= 0; --d) {
    coords[d * count + k] = rest % e.d[d];
    rest /= e.d[d];
  }
}

unsigned blocksFor(int64_t n) { return static_cast<unsigned>((n + 255) / 256); }
}  // namespace

int64_t countNonZero(LaunchContext& ctx, const TensorView& in) {
  const int64_t n = in.dims.volume();
  if (n == 0) return 0;
  auto* counter = static_cast<unsigned long long*>(ctx.scratch(sizeof(unsigned long long)));
  check(cudaMemsetAsync(counter, 0, sizeof(unsigned long long), ctx.stream), "nonzero counter reset");
  countKernel<<<blocksFor(n), 256, 0, ctx.stream>>>(in.data, in.type, n, counter);
  check(cudaGetLastError(), "nonzero count kernel launch");
  unsigned long long count = 0;
  check(cudaMemcpyAsync(&count, counter, sizeof(count), cudaMemcpyDeviceToHost, ctx.stream), "nonzero count copy");
  check(cudaStreamSynchronize(ctx.stream), "nonzero count synchronize");
  return static_cast<int64_t>(count);
}

void launchNonZero(LaunchContext& ctx, const ILayer&, const std::vector<TensorView>& in, TensorView& out) {
  const int64_t n = in[0].dims.volume(), count = out.dims.d[1];
  if (n == 0 || count == 0) return;
  size_t scanBytes = 0;
  check(cub::DeviceScan::ExclusiveSum(nullptr, scanBytes, static_cast<int64_t*>(nullptr),
                                      static_cast<int64_t*>(nullptr), n, ctx.stream),
        "nonzero scan size");
  const size_t flagBytes = (static_cast<size_t>(n) * sizeof(int64_t) + 255) / 256 * 256;
  auto* base = static_cast<uint8_t*>(ctx.scratch(flagBytes + scanBytes));
  auto* columns = reinterpret_cast<int64_t*>(base);
  flagKernel<<<blocksFor(n), 256, 0, ctx.stream>>>(in[0].data, in[0].type, n, columns);
  check(cudaGetLastError(), "nonzero flag kernel launch");
  check(cub::DeviceScan::ExclusiveSum(base + flagBytes, scanBytes, columns, columns, n, ctx.stream), "nonzero scan");
  Extents e{};
  e.rank = in[0].dims.nbDims;
  for (int d = 0; d < e.rank; ++d) e.d[d] = in[0].dims.d[d];
  writeKernel<<<blocksFor(n), 256, 0, ctx.stream>>>(in[0].data, in[0].type, n, columns, e, count,
                                                    static_cast<int64_t*>(out.data));
  check(cudaGetLastError(), "nonzero write kernel launch");
}

}  // namespace cuda
}  // namespace trt
