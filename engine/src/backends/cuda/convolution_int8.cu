// INT8 convolution: one kernel quantizes the FP32 input while unfolding it (im2col), one tiled
// GEMM sums INT8 products in INT32 (exact, so equal to the CPU reference) and applies the
// dequantizing epilogue y = act(sum * s_in * s_w[c] + bias + residual) with the CPU's operation order.
#include "backends/cuda/cuda_kernels.h"
#include "backends/cuda/im2col.cuh"
#include "common/int8.h"
#include "layers/conv_geometry.h"

namespace trt {
namespace cuda {

namespace {
struct QuantizeValue {
  float inverse;
  __device__ int8_t operator()(float v) const { return int8::quantize(v, inverse); }
};

constexpr int kTileM = 64, kTileN = 64, kTileK = 32, kThreads = 256;

// C[n][m][p] = epilogue(sum_k A[m][k] * B[n][k][p]) for one group: A [M, K] row-major INT8, B per
// image [K, N] INT8 `strideB` apart, C and the residual per image `strideC` apart. Each of the 256
// threads computes a 4 x 4 block of the block's 64 x 64 tile.
__global__ void int8GemmKernel(const int8_t* A, const int8_t* B, int64_t strideB, float* C, int64_t strideC, int M,
                               int N, int K, const float* outScale, const float* bias, const float* residual,
                               bool relu) {
  __shared__ int8_t As[kTileK][kTileM + 4];
  __shared__ int8_t Bs[kTileK][kTileN + 4];
  const int64_t image = blockIdx.z;
  B += image * strideB;
  C += image * strideC;
  if (residual) residual += image * strideC;
  const int tx = threadIdx.x % 16, ty = threadIdx.x / 16;
  const int row0 = blockIdx.y * kTileM, col0 = blockIdx.x * kTileN;
  int acc[4][4] = {};
  for (int k0 = 0; k0 < K; k0 += kTileK) {
    for (int i = threadIdx.x; i < kTileM * kTileK; i += kThreads) {
      const int r = i / kTileK, kk = i % kTileK, gr = row0 + r, gk = k0 + kk;
      As[kk][r] = (gr < M && gk < K) ? A[static_cast<int64_t>(gr) * K + gk] : int8_t(0);
    }
    for (int i = threadIdx.x; i < kTileK * kTileN; i += kThreads) {
      const int kk = i / kTileN, c = i % kTileN, gk = k0 + kk, gc = col0 + c;
      Bs[kk][c] = (gk < K && gc < N) ? B[static_cast<int64_t>(gk) * N + gc] : int8_t(0);
    }
    __syncthreads();
#pragma unroll 8
    for (int kk = 0; kk < kTileK; ++kk) {
      int a[4], b[4];
#pragma unroll
      for (int i = 0; i < 4; ++i) {
        a[i] = As[kk][ty * 4 + i];
        b[i] = Bs[kk][tx * 4 + i];
      }
#pragma unroll
      for (int i = 0; i < 4; ++i)
#pragma unroll
        for (int j = 0; j < 4; ++j) acc[i][j] += a[i] * b[j];
    }
    __syncthreads();
  }
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    const int r = row0 + ty * 4 + i;
    if (r >= M) continue;
#pragma unroll
    for (int j = 0; j < 4; ++j) {
      const int c = col0 + tx * 4 + j;
      if (c >= N) continue;
      const int64_t idx = static_cast<int64_t>(r) * N + c;
      float v = __fmul_rn(static_cast<float>(acc[i][j]), outScale[r]);  // no FMA: the CPU's rounding
      if (bias) v = __fadd_rn(v, bias[r]);
      if (residual) v = __fadd_rn(v, residual[idx]);
      if (relu) v = v > 0.f ? v : 0.f;
      C[idx] = v;
    }
  }
}
}  // namespace

std::vector<int8_t> quantizedConvolutionWeights(const IConvolutionLayer& conv) {
  const Weights w = conv.getKernelWeights();
  const std::vector<float>& scales = conv.getInt8WeightScales();
  const int64_t cout = conv.getNbOutputMaps(), per = w.count / cout;
  std::vector<int8_t> q(static_cast<size_t>(w.count));
  const float* values = static_cast<const float*>(w.values);
  for (int64_t c = 0; c < cout; ++c) {
    const float inv = int8::inverse(scales[c]);
    for (int64_t k = 0; k < per; ++k) q[c * per + k] = int8::quantize(values[c * per + k], inv);
  }
  return q;
}

void launchInt8Convolution(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in,
                           TensorView& out) {
  const auto& conv = static_cast<const IConvolutionLayer&>(layer);
  if (in[0].type != DataType::kFLOAT || conv.getChannelsLast())
    throw Error(layer.describe() + ": the CUDA INT8 convolution reads a channels-first float32 input");
  const ConvGeometry g = convGeometry(conv, in[0].dims, out.dims);
  const int64_t batch = in[0].dims.d[0], groups = conv.getNbGroups(), cin = in[0].dims.d[1], cout = out.dims.d[1];
  const int64_t cinG = cin / groups, coutG = cout / groups, kVol = g.k[0] * g.k[1] * g.k[2];
  const int64_t inPlane = g.in[0] * g.in[1] * g.in[2], outPlane = g.out[0] * g.out[1] * g.out[2];
  const int64_t K = cinG * kVol, colElems = K * outPlane, colTotal = colElems * batch;
  if (batch == 0 || outPlane == 0) return;
  // Uploaded by the engine: INT8 weights under the float weights' key, s_in * s_w[c] under the weight scales' key.
  const auto* weights = static_cast<const int8_t*>(ctx.device(conv.getKernelWeights().values));
  const auto* outScale = static_cast<const float*>(ctx.device(conv.getInt8WeightScales().data()));
  const Weights bias = conv.getBiasWeights();
  const auto* biasData = bias.count > 0 ? static_cast<const float*>(ctx.device(bias.values)) : nullptr;
  const auto* residual = in.size() > 1 ? static_cast<const float*>(in[1].data) : nullptr;
  const int32_t act = conv.getFusedActivation();
  const bool relu = act == static_cast<int32_t>(ActivationType::kRELU);
  auto* col = static_cast<int8_t*>(ctx.scratch(static_cast<size_t>(colTotal)));
  const QuantizeValue quantize{int8::inverse(conv.getInt8InputScale())};
  for (int64_t grp = 0; grp < groups; ++grp) {
    im2colKernel<<<static_cast<unsigned>((colTotal + 255) / 256), 256, 0, ctx.stream>>>(
        static_cast<const float*>(in[0].data) + grp * cinG * inPlane, cin * inPlane, cinG, g, col, colElems, colTotal,
        quantize);
    check(cudaGetLastError(), "INT8 im2col kernel launch");
    const dim3 grid(static_cast<unsigned>((outPlane + kTileN - 1) / kTileN),
                    static_cast<unsigned>((coutG + kTileM - 1) / kTileM), static_cast<unsigned>(batch));
    const int64_t channelOffset = grp * coutG;
    int8GemmKernel<<<grid, kThreads, 0, ctx.stream>>>(
        weights + channelOffset * K, col, colElems, static_cast<float*>(out.data) + channelOffset * outPlane,
        cout * outPlane, static_cast<int>(coutG), static_cast<int>(outPlane), static_cast<int>(K),
        outScale + channelOffset, biasData ? biasData + channelOffset : nullptr,
        residual ? residual + channelOffset * outPlane : nullptr, relu);
    check(cudaGetLastError(), "INT8 GEMM kernel launch");
  }
  if (act >= 0 && !relu)
    activationInPlace(ctx, static_cast<ActivationType>(act), 0.f, 0.f, out.data, DataType::kFLOAT, out.dims.volume());
}

}  // namespace cuda
}  // namespace trt
