#include "backends/cuda/activation.cuh"
#include "backends/cuda/convolution_grouped.h"
#include "backends/cuda/float_types.cuh"
#include "backends/cuda/nhwc_conv_launch.cuh"

namespace trt {
namespace cuda {

namespace {

constexpr int kVec = 8;                     // channels a thread computes, and input channels a load reads
constexpr size_t kSharedBytes = 48 * 1024;  // the filters of a block's output channels, as float
// Floats after each (tap, input channel) row of staged weights beyond the block's output channels:
// rows that do not all start in the same shared-memory bank while the filters are staged.
constexpr int kRowPad = 4;

// Block (x, y): output channel vectors blockIdx.x * blockDim.x + threadIdx.x (8 channels of one group,
// as the group width is a multiple of 8); runs of kRun consecutive output pixels along a row from
// blockIdx.y * blockDim.y + threadIdx.y, in steps of the grid's rows. The block's filters are staged in
// shared memory as float, [tap][input channel of the group][output channel] (read from the KCRS filter in
// its own order, so consecutive threads read consecutive elements): for each tap and input channel a
// thread reads its 8 output channels' weights in two 16-byte reads and uses them for its whole run.
template <typename T, typename I, int kRun>
__global__ void groupedNhwcKernel(NhwcConvArgs<T, I> a) {
  const IndexGeometry<I>& g = a.g;
  const int lanes = blockDim.x, width = lanes * kVec, stride = width + kRowPad;
  const int groupWidth = a.groupWidth, taps = a.taps, filter = groupWidth * taps;
  extern __shared__ float weights[];  // [taps][groupWidth][stride]
  const I blockChannel = static_cast<I>(blockIdx.x) * width;
  stageFilters(
      filter * width,
      [&](int i) { return blockChannel + i / filter < a.channels ? toFloat(a.w[blockChannel * filter + i]) : 0.f; },
      [&](int i, float v) {
        const int local = i / filter, rest = i - local * filter, j = rest / taps, t = rest - j * taps;
        weights[(t * groupWidth + j) * stride + local] = v;
      });
  __syncthreads();
  const I c0 = blockChannel + static_cast<I>(threadIdx.x) * kVec;
  if (c0 >= a.channels) return;
  const I groupStart = c0 / groupWidth * groupWidth;  // the group's first input channel
  float b[kVec] = {};
  if (a.bias) loadEightAsFloat(a.bias + c0, b);
  const I runsPerRow = (g.out[2] + kRun - 1) / kRun;
  const I outRow = g.out[1] * runsPerRow, outPlane = g.out[0] * outRow;
  const float* mine = weights + threadIdx.x * kVec;
  for (I p = static_cast<I>(blockIdx.y) * blockDim.y + threadIdx.y; p < a.runs;
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
        const T* row = a.x + ((n * g.in[0] + id) * g.in[1] + ih) * g.in[2] * a.channels + groupStart;
        for (I kw = 0; kw < g.k[2]; ++kw, ++t) {
          const I iw0 = ow0 * g.stride[2] - g.pad[2] + kw * g.dil[2];
          const float* tapWeights = mine + t * groupWidth * stride;
          for (int v = 0; v < groupWidth; v += kVec) {
            uint4 raw[kRun];
#pragma unroll
            for (int r = 0; r < kRun; ++r) {
              const I iw = iw0 + r * g.stride[2];
              raw[r] = r < count && iw >= 0 && iw < g.in[2] ? *reinterpret_cast<const uint4*>(row + iw * a.channels + v)
                                                            : make_uint4(0, 0, 0, 0);  // zero in FP16 and BF16
            }
#pragma unroll
            for (int j = 0; j < kVec; ++j) {
              const float4 w0 = *reinterpret_cast<const float4*>(tapWeights + (v + j) * stride);
              const float4 w1 = *reinterpret_cast<const float4*>(tapWeights + (v + j) * stride + 4);
#pragma unroll
              for (int r = 0; r < kRun; ++r) {
                const float xv = toFloat(reinterpret_cast<const T*>(&raw[r])[j]);
                acc[r][0] += xv * w0.x;
                acc[r][1] += xv * w0.y;
                acc[r][2] += xv * w0.z;
                acc[r][3] += xv * w0.w;
                acc[r][4] += xv * w1.x;
                acc[r][5] += xv * w1.y;
                acc[r][6] += xv * w1.z;
                acc[r][7] += xv * w1.w;
              }
            }
          }
        }
      }
    }
    const I first = (((n * g.out[0] + od) * g.out[1] + oh) * g.out[2] + ow0) * a.channels + c0;
#pragma unroll
    for (int r = 0; r < kRun; ++r) {
      if (r >= count) break;
      const I at = first + r * a.channels;
      float res[kVec] = {};
      if (a.residual) loadEightAsFloat(a.residual + at, res);
      uint4 out;
      T* o = reinterpret_cast<T*>(&out);
#pragma unroll
      for (int k = 0; k < kVec; ++k) {
        const float v = acc[r][k] + b[k] + res[k];
        o[k] = fromFloat<T>(applyFused<T>(a.activation, v));
      }
      *reinterpret_cast<uint4*>(a.y + at) = out;
    }
  }
}

struct GroupedKernel {
  template <typename T, typename I, int kRun>
  static void launch(const NhwcConvLaunch& plan, cudaStream_t stream, const NhwcConvArgs<T, I>& args) {
    groupedNhwcKernel<T, I, kRun><<<plan.grid, plan.block, plan.shared, stream>>>(args);
  }
};

}  // namespace

bool groupedNhwcApplies(DataType type, int64_t groups, int64_t inChannels, int64_t outChannels, const ConvGeometry& g) {
  if ((type != DataType::kHALF && type != DataType::kBF16) || groups <= 1 || inChannels != outChannels ||
      inChannels % groups != 0)
    return false;
  const int64_t groupWidth = inChannels / groups;
  const bool powerOfTwo = (groupWidth & (groupWidth - 1)) == 0;
  return groupWidth > 1 && groupWidth % kVec == 0 && !powerOfTwo &&
         groupWidth * g.k[0] * g.k[1] * g.k[2] <= kMaxGroupedFilter;
}

bool launchGroupedNhwc(cudaStream_t stream, DataType type, const ConvGeometry& g, int64_t batch, int64_t channels,
                       int64_t groups, const void* x, const void* w, const void* bias, const void* residual,
                       const FusedActivation& activation, void* y) {
  if (!groupedNhwcApplies(type, groups, channels, channels, g) || !allAligned16({x, bias, residual, y})) return false;
  const int64_t rows = batch * g.out[0] * g.out[1];
  if (rows * g.out[2] == 0) return true;
  const int groupWidth = static_cast<int>(channels / groups);
  const int64_t taps = g.k[0] * g.k[1] * g.k[2];
  auto sharedFor = [&](int lanes) {
    return static_cast<size_t>(taps * groupWidth) * (lanes * kVec + kRowPad) * sizeof(float);
  };
  const NhwcConvLaunch plan = planNhwcConvLaunch(channels / kVec, rows, g.out[2], sharedFor, kSharedBytes);
  launchNhwcConv<GroupedKernel>(plan, stream, type, g, batch, channels, groupWidth, x, w, bias, residual, activation,
                                y);
  return true;
}

}  // namespace cuda
}  // namespace trt
