// Whole-plane pooling kernels. The window walk of pooling.cu gives one thread a whole plane, which
// for a 1x1 output leaves the GPU nearly idle (batch * channels / 8 threads, each reading H*W
// vectors in turn): 71% of EfficientNet-B3's time at batch 32. Here a block of threads shares the
// rows of a plane and combines their partial results in shared memory.
#include <algorithm>

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

constexpr int kRows = 32;   // threads sharing one plane's rows (threadIdx.y)
constexpr int kLanes = 8;   // channel vectors of a block (threadIdx.x)
constexpr int kUnroll = 4;  // rows a thread loads before accumulating them (loads in flight)

// Channels-last: block (x, n, z) reduces channel vectors x*kLanes .. x*kLanes+kLanes-1 of image n over
// rows [z * rowsPerSplit, (z + 1) * rowsPerSplit) of its plane; each thread loads VEC neighbouring
// channels at once (16 bytes when VEC > 1). With one split the block writes the result (mean or max)
// to dst; with several it writes its float partial to partials[n][z][channel] for finishSplitsKernel.
template <typename T, int VEC>
__global__ void wholePlaneNhwcKernel(const T* src, T* dst, float* partials, int64_t planeSize, int64_t rowsPerSplit,
                                     int64_t channels, bool isMax, float divisor) {
  __shared__ float partial[kRows][kLanes * VEC];
  const int64_t vectors = channels / VEC, n = blockIdx.y;
  const int64_t vec = static_cast<int64_t>(blockIdx.x) * kLanes + threadIdx.x;
  const int64_t rowBegin = static_cast<int64_t>(blockIdx.z) * rowsPerSplit;
  const int64_t rowEnd = rowBegin + rowsPerSplit < planeSize ? rowBegin + rowsPerSplit : planeSize;
  PlaneAccumulator acc[VEC];
#pragma unroll
  for (int k = 0; k < VEC; ++k) acc[k] = PlaneAccumulator(isMax);
  if (vec < vectors) {
    const T* s = src + n * planeSize * channels + vec * VEC;
    int64_t r = rowBegin + threadIdx.y;
    if constexpr (VEC > 1) {
      for (; r + (kUnroll - 1) * kRows < rowEnd; r += kUnroll * kRows) {
        uint4 raw[kUnroll];
#pragma unroll
        for (int u = 0; u < kUnroll; ++u) raw[u] = *reinterpret_cast<const uint4*>(s + (r + u * kRows) * channels);
#pragma unroll
        for (int u = 0; u < kUnroll; ++u) {
          const T* x = reinterpret_cast<const T*>(&raw[u]);
#pragma unroll
          for (int k = 0; k < VEC; ++k) acc[k].add(toFloat(x[k]));
        }
      }
    }
    for (; r < rowEnd; r += kRows) {
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
    const int64_t channel = vec * VEC + threadIdx.y;
    if (partials)
      partials[(n * gridDim.z + blockIdx.z) * channels + channel] = total.acc;
    else
      store(dst, n * channels + channel, isMax ? total.acc : total.acc / divisor);
  }
}

// Combines the splits' partials of each (image, channel), in split order.
template <typename T>
__global__ void finishSplitsKernel(const float* partials, T* dst, int64_t batch, int64_t channels, int splits,
                                   bool isMax, float divisor) {
  const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= batch * channels) return;
  const int64_t n = i / channels, c = i % channels;
  PlaneAccumulator total(isMax);
  for (int z = 0; z < splits; ++z) total.add(partials[(n * splits + z) * channels + c]);
  store(dst, i, isMax ? total.acc : total.acc / divisor);
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

// Enough blocks to keep every multiprocessor busy (132 on an H100/H200, 4 blocks each and more):
// planes with few channels and many rows (EfficientNet's early squeeze-and-excitation pools, 150x150
// rows and 96 channels) split their rows over several blocks.
constexpr int64_t kTargetBlocks = 1024;
constexpr int64_t kMinRowsPerSplit = 4 * kRows * kUnroll;
constexpr size_t kMaxPartialBytes = size_t(8) << 20;

template <typename T>
void launchTyped(LaunchContext& ctx, const T* src, T* dst, int64_t planes, int64_t planeSize, int64_t channels,
                 bool channelsLast, bool isMax) {
  const auto divisor = static_cast<float>(planeSize);
  cudaStream_t stream = ctx.stream;
  if (!channelsLast) {
    const int warpsPerBlock = 8;
    const auto blocks = static_cast<unsigned>((planes + warpsPerBlock - 1) / warpsPerBlock);
    wholePlaneContiguousKernel<<<blocks, warpsPerBlock * 32, 0, stream>>>(src, dst, planes, planeSize, isMax, divisor);
    return;
  }
  const int64_t batch = planes / channels;
  const bool vectorized = sizeof(T) == 2 && channels % 8 == 0 && allAligned16({src});
  const int vec = vectorized ? 8 : 1;
  const int64_t channelBlocks = (channels / vec + kLanes - 1) / kLanes;
  int64_t splits = 1;
  const int64_t blocks = channelBlocks * batch;
  if (blocks < kTargetBlocks) {
    splits = std::min((kTargetBlocks + blocks - 1) / blocks, std::max<int64_t>(1, planeSize / kMinRowsPerSplit));
    const int64_t perSplitBytes = batch * channels * static_cast<int64_t>(sizeof(float));
    int64_t byteCap = static_cast<int64_t>(kMaxPartialBytes);
    if (ctx.workspaceLimit > 0) byteCap = std::min<int64_t>(byteCap, static_cast<int64_t>(ctx.workspaceLimit));
    splits = std::max<int64_t>(1, std::min({splits, byteCap / perSplitBytes, int64_t(65535)}));
  }
  const int64_t rowsPerSplit = std::max<int64_t>(1, (planeSize + splits - 1) / splits);
  splits = (planeSize + rowsPerSplit - 1) / rowsPerSplit;  // no empty split
  float* partials =
      splits > 1 ? static_cast<float*>(ctx.scratch(static_cast<size_t>(splits * batch * channels) * sizeof(float)))
                 : nullptr;
  const dim3 block(kLanes, kRows);
  const dim3 grid(static_cast<unsigned>(channelBlocks), static_cast<unsigned>(batch), static_cast<unsigned>(splits));
  bool launched = false;
  if constexpr (sizeof(T) == 2) {
    if (vectorized) {
      wholePlaneNhwcKernel<T, 8>
          <<<grid, block, 0, stream>>>(src, dst, partials, planeSize, rowsPerSplit, channels, isMax, divisor);
      launched = true;
    }
  }
  if (!launched)
    wholePlaneNhwcKernel<T, 1>
        <<<grid, block, 0, stream>>>(src, dst, partials, planeSize, rowsPerSplit, channels, isMax, divisor);
  if (partials) {
    const int64_t outputs = batch * channels;
    finishSplitsKernel<<<static_cast<unsigned>((outputs + 255) / 256), 256, 0, stream>>>(
        partials, dst, batch, channels, static_cast<int>(splits), isMax, divisor);
  }
}

}  // namespace

bool launchWholePlanePooling(LaunchContext& ctx, DataType type, const void* src, void* dst, int64_t planes,
                             int64_t planeSize, int64_t channels, bool channelsLast, bool isMax) {
  if (channelsLast && planes / channels > 65535) return false;  // one grid row per image: gridDim.y's limit
  switch (type) {
    case DataType::kFLOAT:
      launchTyped(ctx, static_cast<const float*>(src), static_cast<float*>(dst), planes, planeSize, channels,
                  channelsLast, isMax);
      return true;
    case DataType::kHALF:
      launchTyped(ctx, static_cast<const __half*>(src), static_cast<__half*>(dst), planes, planeSize, channels,
                  channelsLast, isMax);
      return true;
    case DataType::kBF16:
      launchTyped(ctx, static_cast<const __nv_bfloat16*>(src), static_cast<__nv_bfloat16*>(dst), planes, planeSize,
                  channels, channelsLast, isMax);
      return true;
    default:
      return false;
  }
}

}  // namespace cuda
}  // namespace trt
