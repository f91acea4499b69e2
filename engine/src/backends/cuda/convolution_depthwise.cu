#include <algorithm>

#include "backends/cuda/activation.cuh"
#include "backends/cuda/convolution_depthwise.h"
#include "backends/cuda/float_types.cuh"
#include "backends/cuda/nhwc_conv_launch.cuh"

namespace trt {
namespace cuda {

namespace {

constexpr int kVec = 8;                     // channels a thread computes (one 16-byte load of FP16/BF16)
constexpr size_t kSharedBytes = 48 * 1024;  // the filter taps of a block's channels, as float

// Floats between two taps' rows of staged weights beyond the block's channels: the staging writes one
// channel's taps at a time, and without the pad every tap's row would start in the same bank.
constexpr int kTapPad = 4;

// Block (x, y): channel vectors blockIdx.x * blockDim.x + threadIdx.x; runs of kRun consecutive output
// pixels along a row from blockIdx.y * blockDim.y + threadIdx.y, in steps of the grid's rows. The
// block's filter taps are staged in shared memory as float, [tap][channel] (read from the [channel][tap] filter in its
// own order, so consecutive threads read consecutive elements), and a thread's 8 weights of a tap are two 16-byte reads
// that serve its whole run; the inputs a run's taps share come from L1.
template <typename T, typename I, int kRun>
__global__ void depthwiseNhwcKernel(NhwcConvArgs<T, I> a) {
  const T *x = a.x, *w = a.w, *bias = a.bias, *residual = a.residual;
  T* y = a.y;
  const IndexGeometry<I>& g = a.g;
  const I runs = a.runs, channels = a.channels;
  const int taps = a.taps;
  const int32_t activation = a.activation;
  extern __shared__ float weights[];  // [taps][kTapPad + blockDim.x * kVec]
  const int lanes = blockDim.x, width = lanes * kVec, stride = width + kTapPad;
  const I blockChannel = static_cast<I>(blockIdx.x) * width;
  stageFilters(
      taps * width,
      [&](int i) { return blockChannel + i / taps < channels ? toFloat(w[blockChannel * taps + i]) : 0.f; },
      [&](int i, float v) {
        const int local = i / taps;
        weights[(i - local * taps) * stride + local] = v;
      });
  __syncthreads();
  const I c0 = blockChannel + static_cast<I>(threadIdx.x) * kVec;
  if (c0 >= channels) return;
  float b[kVec] = {};
  if (bias) {
    const uint4 raw = *reinterpret_cast<const uint4*>(bias + c0);
    const T* e = reinterpret_cast<const T*>(&raw);
#pragma unroll
    for (int k = 0; k < kVec; ++k) b[k] = toFloat(e[k]);
  }
  const I runsPerRow = (g.out[2] + kRun - 1) / kRun;
  const I outRow = g.out[1] * runsPerRow, outPlane = g.out[0] * outRow;
  const float4* tapBase = reinterpret_cast<const float4*>(weights + threadIdx.x * kVec);
  for (I p = static_cast<I>(blockIdx.y) * blockDim.y + threadIdx.y; p < runs;
       p += static_cast<I>(gridDim.y) * blockDim.y) {
    const I n = p / outPlane;
    I rest = p - n * outPlane;
    const I od = rest / outRow;
    rest -= od * outRow;
    const I oh = rest / runsPerRow, ow0 = (rest - oh * runsPerRow) * kRun;
    const int count = static_cast<int>(min(static_cast<I>(kRun), g.out[2] - ow0));
    float acc[kRun][kVec] = {};
    int t = 0;
    for (I kd = 0; kd < g.k[0]; ++kd) {
      const I id = od * g.stride[0] - g.pad[0] + kd * g.dil[0];
      const bool dIn = id >= 0 && id < g.in[0];
      for (I kh = 0; kh < g.k[1]; ++kh) {
        const I ih = oh * g.stride[1] - g.pad[1] + kh * g.dil[1];
        if (!dIn || ih < 0 || ih >= g.in[1]) {
          t += static_cast<int>(g.k[2]);
          continue;
        }
        const T* row = x + ((n * g.in[0] + id) * g.in[1] + ih) * g.in[2] * channels + c0;
        for (I kw = 0; kw < g.k[2]; ++kw, ++t) {
          const float4 w0 = tapBase[t * (stride / 4)], w1 = tapBase[t * (stride / 4) + 1];
          const I iw0 = ow0 * g.stride[2] - g.pad[2] + kw * g.dil[2];
#pragma unroll
          for (int r = 0; r < kRun; ++r) {
            const I iw = iw0 + r * g.stride[2];
            if (r >= count || iw < 0 || iw >= g.in[2]) continue;
            const uint4 raw = *reinterpret_cast<const uint4*>(row + iw * channels);
            const T* e = reinterpret_cast<const T*>(&raw);
            acc[r][0] += toFloat(e[0]) * w0.x;
            acc[r][1] += toFloat(e[1]) * w0.y;
            acc[r][2] += toFloat(e[2]) * w0.z;
            acc[r][3] += toFloat(e[3]) * w0.w;
            acc[r][4] += toFloat(e[4]) * w1.x;
            acc[r][5] += toFloat(e[5]) * w1.y;
            acc[r][6] += toFloat(e[6]) * w1.z;
            acc[r][7] += toFloat(e[7]) * w1.w;
          }
        }
      }
    }
    const I first = (((n * g.out[0] + od) * g.out[1] + oh) * g.out[2] + ow0) * channels + c0;
#pragma unroll
    for (int r = 0; r < kRun; ++r) {
      if (r >= count) break;
      const I at = first + r * channels;
      float res[kVec] = {};
      if (residual) {
        const uint4 raw = *reinterpret_cast<const uint4*>(residual + at);
        const T* e = reinterpret_cast<const T*>(&raw);
#pragma unroll
        for (int k = 0; k < kVec; ++k) res[k] = toFloat(e[k]);
      }
      uint4 out;
      T* o = reinterpret_cast<T*>(&out);
#pragma unroll
      for (int k = 0; k < kVec; ++k) {
        const float v = acc[r][k] + b[k] + res[k];
        o[k] = fromFloat<T>(activation < 0 ? v : activate(static_cast<ActivationType>(activation), 0.f, 0.f, v));
      }
      *reinterpret_cast<uint4*>(y + at) = out;
    }
  }
}

struct DepthwiseKernel {
  template <typename T, typename I, int kRun>
  static void launch(const NhwcConvLaunch& plan, cudaStream_t stream, const NhwcConvArgs<T, I>& args) {
    depthwiseNhwcKernel<T, I, kRun><<<plan.grid, plan.block, plan.shared, stream>>>(args);
  }
};

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
  const int64_t rows = batch * g.out[0] * g.out[1];
  if (rows * g.out[2] == 0) return true;
  auto sharedFor = [&](int lanes) { return static_cast<size_t>(taps) * (lanes * kVec + kTapPad) * sizeof(float); };
  const NhwcConvLaunch plan = planNhwcConvLaunch(channels / kVec, rows, g.out[2], sharedFor, kSharedBytes);
  launchNhwcConv<DepthwiseKernel>(plan, stream, type, g, batch, channels, 1, x, w, bias, residual, activation, y);
  return true;
}

}  // namespace cuda
}  // namespace trt
