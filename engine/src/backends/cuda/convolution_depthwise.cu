#include "backends/cuda/activation.cuh"
#include "backends/cuda/convolution_depthwise.h"
#include "backends/cuda/float_types.cuh"

namespace trt {
namespace cuda {

namespace {

constexpr int kVec = 8;                     // channels a thread computes (one 16-byte load of FP16/BF16)
constexpr int kThreads = 256;               // threads of a block: channel vectors (x) by output pixels (y)
constexpr size_t kSharedBytes = 48 * 1024;  // the filter taps of a block's channels, as float

// Block (x, y): channel vectors blockIdx.x * blockDim.x + threadIdx.x, output pixels from blockIdx.y *
// blockDim.y + threadIdx.y in steps of the grid's pixel rows. The block's filter taps are staged in
// shared memory as float, [tap][channel], so a thread's 8 weights of a tap are two 16-byte reads.
template <typename T>
__global__ void depthwiseNhwcKernel(const T* x, const T* w, const T* bias, const T* residual, T* y, ConvGeometry g,
                                    int64_t pixels, int64_t channels, int taps, int32_t activation) {
  extern __shared__ float weights[];  // [taps][blockDim.x * kVec]
  const int lanes = blockDim.x, width = lanes * kVec;
  const int64_t blockChannel = static_cast<int64_t>(blockIdx.x) * width;
  for (int i = threadIdx.y * lanes + threadIdx.x; i < taps * width; i += lanes * blockDim.y) {
    const int t = i / width;
    const int64_t c = blockChannel + i % width;
    weights[i] = c < channels ? toFloat(w[c * taps + t]) : 0.f;
  }
  __syncthreads();
  const int64_t c0 = blockChannel + static_cast<int64_t>(threadIdx.x) * kVec;
  if (c0 >= channels) return;
  float b[kVec] = {};
  if (bias) {
    const uint4 raw = *reinterpret_cast<const uint4*>(bias + c0);
    const T* e = reinterpret_cast<const T*>(&raw);
#pragma unroll
    for (int k = 0; k < kVec; ++k) b[k] = toFloat(e[k]);
  }
  const int64_t outPlane = g.out[0] * g.out[1] * g.out[2];
  for (int64_t p = static_cast<int64_t>(blockIdx.y) * blockDim.y + threadIdx.y; p < pixels;
       p += static_cast<int64_t>(gridDim.y) * blockDim.y) {
    const int64_t n = p / outPlane;
    int64_t rest = p - n * outPlane;
    const int64_t od = rest / (g.out[1] * g.out[2]);
    rest -= od * g.out[1] * g.out[2];
    const int64_t oh = rest / g.out[2], ow = rest - oh * g.out[2];
    float acc[kVec] = {};
    int t = 0;
    for (int64_t kd = 0; kd < g.k[0]; ++kd) {
      const int64_t id = od * g.stride[0] - g.pad[0] + kd * g.dil[0];
      for (int64_t kh = 0; kh < g.k[1]; ++kh) {
        const int64_t ih = oh * g.stride[1] - g.pad[1] + kh * g.dil[1];
        for (int64_t kw = 0; kw < g.k[2]; ++kw, ++t) {
          const int64_t iw = ow * g.stride[2] - g.pad[2] + kw * g.dil[2];
          if (id < 0 || id >= g.in[0] || ih < 0 || ih >= g.in[1] || iw < 0 || iw >= g.in[2]) continue;
          const uint4 raw =
              *reinterpret_cast<const uint4*>(x + (((n * g.in[0] + id) * g.in[1] + ih) * g.in[2] + iw) * channels + c0);
          const T* e = reinterpret_cast<const T*>(&raw);
          const float4* tap = reinterpret_cast<const float4*>(weights + t * width + threadIdx.x * kVec);
          const float4 w0 = tap[0], w1 = tap[1];
          acc[0] += toFloat(e[0]) * w0.x;
          acc[1] += toFloat(e[1]) * w0.y;
          acc[2] += toFloat(e[2]) * w0.z;
          acc[3] += toFloat(e[3]) * w0.w;
          acc[4] += toFloat(e[4]) * w1.x;
          acc[5] += toFloat(e[5]) * w1.y;
          acc[6] += toFloat(e[6]) * w1.z;
          acc[7] += toFloat(e[7]) * w1.w;
        }
      }
    }
    const int64_t at = p * channels + c0;
    float r[kVec] = {};
    if (residual) {
      const uint4 raw = *reinterpret_cast<const uint4*>(residual + at);
      const T* e = reinterpret_cast<const T*>(&raw);
#pragma unroll
      for (int k = 0; k < kVec; ++k) r[k] = toFloat(e[k]);
    }
    uint4 out;
    T* o = reinterpret_cast<T*>(&out);
#pragma unroll
    for (int k = 0; k < kVec; ++k) {
      const float v = acc[k] + b[k] + r[k];
      o[k] = fromFloat<T>(activation < 0 ? v : activate(static_cast<ActivationType>(activation), 0.f, 0.f, v));
    }
    *reinterpret_cast<uint4*>(y + at) = out;
  }
}

}  // namespace

bool depthwiseNhwcApplies(DataType type, int64_t groups, int64_t inChannels, int64_t outChannels,
                          const ConvGeometry& g) {
  return (type == DataType::kHALF || type == DataType::kBF16) && groups == inChannels && inChannels == outChannels &&
         inChannels % kVec == 0 && g.k[0] * g.k[1] * g.k[2] <= kMaxDepthwiseTaps;
}

bool launchDepthwiseNhwc(cudaStream_t stream, DataType type, const ConvGeometry& g, int64_t batch, int64_t channels,
                         const void* x, const void* w, const void* bias, const void* residual, int32_t activation,
                         void* y) {
  const int taps = static_cast<int>(g.k[0] * g.k[1] * g.k[2]);
  if (!depthwiseNhwcApplies(type, channels, channels, channels, g) || !allAligned16({x, bias, residual, y}))
    return false;
  const int64_t pixels = batch * g.out[0] * g.out[1] * g.out[2];
  if (pixels == 0) return true;
  // Channel vectors per block: up to 32, fewer when the block's taps would not fit in shared memory.
  int lanes = 32;
  while (lanes > 1 && (lanes / 2) * kVec >= channels) lanes /= 2;
  while (lanes > 1 && static_cast<size_t>(taps) * lanes * kVec * sizeof(float) > kSharedBytes) lanes /= 2;
  const dim3 block(static_cast<unsigned>(lanes), static_cast<unsigned>(kThreads / lanes));
  const int64_t channelBlocks = (channels / kVec + lanes - 1) / lanes;
  const int64_t pixelBlocks = (pixels + block.y - 1) / block.y;
  const dim3 grid(static_cast<unsigned>(channelBlocks),
                  static_cast<unsigned>(pixelBlocks < 65535 ? pixelBlocks : 65535));
  const size_t shared = static_cast<size_t>(taps) * lanes * kVec * sizeof(float);
  if (type == DataType::kHALF)
    depthwiseNhwcKernel<<<grid, block, shared, stream>>>(
        static_cast<const __half*>(x), static_cast<const __half*>(w), static_cast<const __half*>(bias),
        static_cast<const __half*>(residual), static_cast<__half*>(y), g, pixels, channels, taps, activation);
  else
    depthwiseNhwcKernel<<<grid, block, shared, stream>>>(
        static_cast<const __nv_bfloat16*>(x), static_cast<const __nv_bfloat16*>(w),
        static_cast<const __nv_bfloat16*>(bias), static_cast<const __nv_bfloat16*>(residual),
        static_cast<__nv_bfloat16*>(y), g, pixels, channels, taps, activation);
  return true;
}

}  // namespace cuda
}  // namespace trt
