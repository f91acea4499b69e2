// Whole-plane pooling kernels. The window walk of pooling.cu gives one thread a whole plane, which
// for a 1x1 output leaves the GPU nearly idle (batch * channels / 8 threads, each reading H*W
// vectors in turn): 71% of EfficientNet-B3's time at batch 32. Here a block of threads shares the
// rows of a plane and combines their partial results in shared memory.
#include "backends/cuda/float_types.cuh"
#include "backends/cuda/pooling_whole_plane.h"

namespace trt {
namespace cuda {

namespace {

// Max keeps NaN (PyTorch's max pooling propagates it); mean sums in float.
struct PlaneAccumulator {
  bool isMax = false;
  float acc = 0.f;
  PlaneAccumulator() = default;
  __device__ explicit PlaneAccumulator(bool max) : isMax(max), acc(max ? -INFINITY : 0.f) {}
  __device__ void add(float v) {
    if (!isMax)
      acc += v;
    else if (isnan(v) || isnan(acc))
      acc = NAN;
    else
      acc = v > acc ? v : acc;
  }
};

constexpr int kRows = 32;  // threads sharing one plane's rows (threadIdx.y)
constexpr int kLanes = 8;  // channel vectors of a block (threadIdx.x)

// Channels-last: block (x, n) reduces channel vectors x*kLanes .. x*kLanes+kLanes-1 of image n over
// its planeSize rows; each thread loads VEC neighbouring channels at once (16 bytes when VEC > 1).
template <typename T, int VEC>
__global__ void wholePlaneNhwcKernel(const T* src, T* dst, int64_t planeSize, int64_t channels, bool isMax,
                                     float divisor) {
  __shared__ float partial[kRows][kLanes * VEC];
  const int64_t vectors = channels / VEC, n = blockIdx.y;
  const int64_t vec = static_cast<int64_t>(blockIdx.x) * kLanes + threadIdx.x;
  PlaneAccumulator acc[VEC];
#pragma unroll
  for (int k = 0; k < VEC; ++k) acc[k] = PlaneAccumulator(isMax);
  if (vec < vectors) {
    const T* s = src + n * planeSize * channels + vec * VEC;
    for (int64_t r = threadIdx.y; r < planeSize; r += kRows) {
      if constexpr (VEC > 1) {
        const uint4 raw = *reinterpret_cast<const uint4*>(s + r * channels);
        const T* x = reinterpret_cast<const T*>(&raw);
#pragma unroll
        for (int k = 0; k < VEC; ++k) acc[k].add(toFloat(x[k]));
      } else {
        acc[0].add(toFloat(s[r * channels]));
      }
    }
  }
#pragma unroll
  for (int k = 0; k < VEC; ++k) partial[threadIdx.y][threadIdx.x * VEC + k] = acc[k].acc;
  __syncthreads();
  // Thread (x, y) with y < VEC finishes channel x*VEC + y of the block.
  if (threadIdx.y < VEC && vec < vectors) {
    const int col = threadIdx.x * VEC + threadIdx.y;
    PlaneAccumulator total(isMax);
    for (int r = 0; r < kRows; ++r) total.add(partial[r][col]);
    store(dst, n * channels + vec * VEC + threadIdx.y, isMax ? total.acc : total.acc / divisor);
  }
}

// Contiguous planes: one warp per plane, lanes striding over it (coalesced), a shuffle reduction.
template <typename T>
__global__ void wholePlaneContiguousKernel(const T* src, T* dst, int64_t planes, int64_t planeSize, bool isMax,
                                           float divisor) {
  const int64_t plane = static_cast<int64_t>(blockIdx.x) * (blockDim.x / 32) + threadIdx.x / 32;
  const int lane = threadIdx.x % 32;
  if (plane >= planes) return;
  const T* s = src + plane * planeSize;
  PlaneAccumulator acc(isMax);
  for (int64_t i = lane; i < planeSize; i += 32) acc.add(load(s, i));
  for (int offset = 16; offset > 0; offset /= 2) acc.add(__shfl_down_sync(0xffffffffu, acc.acc, offset));
  if (lane == 0) store(dst, plane, isMax ? acc.acc : acc.acc / divisor);
}

template <typename T>
void launchTyped(cudaStream_t stream, const T* src, T* dst, int64_t planes, int64_t planeSize, int64_t channels,
                 bool channelsLast, bool isMax) {
  const auto divisor = static_cast<float>(planeSize);
  if (!channelsLast) {
    const int warpsPerBlock = 8;
    const auto blocks = static_cast<unsigned>((planes + warpsPerBlock - 1) / warpsPerBlock);
    wholePlaneContiguousKernel<<<blocks, warpsPerBlock * 32, 0, stream>>>(src, dst, planes, planeSize, isMax, divisor);
    return;
  }
  const auto batch = static_cast<unsigned>(planes / channels);
  const dim3 block(kLanes, kRows);
  if constexpr (sizeof(T) == 2) {
    if (channels % 8 == 0 && allAligned16({src})) {
      const dim3 grid(static_cast<unsigned>((channels / 8 + kLanes - 1) / kLanes), batch);
      wholePlaneNhwcKernel<T, 8><<<grid, block, 0, stream>>>(src, dst, planeSize, channels, isMax, divisor);
      return;
    }
  }
  const dim3 grid(static_cast<unsigned>((channels + kLanes - 1) / kLanes), batch);
  wholePlaneNhwcKernel<T, 1><<<grid, block, 0, stream>>>(src, dst, planeSize, channels, isMax, divisor);
}

}  // namespace

bool launchWholePlanePooling(cudaStream_t stream, DataType type, const void* src, void* dst, int64_t planes,
                             int64_t planeSize, int64_t channels, bool channelsLast, bool isMax) {
  if (channelsLast && planes / channels > 65535) return false;  // one grid row per image: gridDim.y's limit
  switch (type) {
    case DataType::kFLOAT:
      launchTyped(stream, static_cast<const float*>(src), static_cast<float*>(dst), planes, planeSize, channels,
                  channelsLast, isMax);
      return true;
    case DataType::kHALF:
      launchTyped(stream, static_cast<const __half*>(src), static_cast<__half*>(dst), planes, planeSize, channels,
                  channelsLast, isMax);
      return true;
    case DataType::kBF16:
      launchTyped(stream, static_cast<const __nv_bfloat16*>(src), static_cast<__nv_bfloat16*>(dst), planes, planeSize,
                  channels, channelsLast, isMax);
      return true;
    default:
      return false;
  }
}

}  // namespace cuda
}  // namespace trt
