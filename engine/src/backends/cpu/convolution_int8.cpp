// INT8 convolution: the input quantized per tensor, the weights per output channel, INT8 im2col and
// an INT32-accumulating GEMM (exact), then y = act(sum * s_in * s_w[c] + bias + residual) in FP32.
// The reference the CUDA backend's INT8 convolution is compared with (the sums must agree exactly).
#include <vector>

#include "backends/cpu/cpu_kernels.h"
#include "backends/cpu/im2col.h"
#include "common/int8.h"
#include "layers/conv_geometry.h"

namespace trt {
namespace cpu {

namespace {
// C[M,N] = A[M,K] * B[K,N] in INT32 (row-major, contiguous).
void gemmInt8(int64_t M, int64_t N, int64_t K, const int8_t* A, const int8_t* B, int32_t* C) {
  for (int64_t i = 0; i < M; ++i) {
    int32_t* c = C + i * N;
    for (int64_t j = 0; j < N; ++j) c[j] = 0;
    for (int64_t k = 0; k < K; ++k) {
      const int32_t a = A[i * K + k];
      if (a == 0) continue;
      const int8_t* b = B + k * N;
      for (int64_t j = 0; j < N; ++j) c[j] += a * static_cast<int32_t>(b[j]);
    }
  }
}
}  // namespace

void runInt8Convolution(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output) {
  const auto& conv = static_cast<const IConvolutionLayer&>(layer);
  const Dims& in = inputs[0].dims;
  const Dims& out = output.dims;
  const ConvGeometry g = convGeometry(conv, in, out);
  const int64_t batch = in.d[0], groups = conv.getNbGroups();
  const int64_t cin = in.d[1], cout = out.d[1];
  const int64_t cinG = cin / groups, coutG = cout / groups;
  const int64_t kVolume = g.k[0] * g.k[1] * g.k[2];
  const int64_t inPlane = g.in[0] * g.in[1] * g.in[2], outPlane = g.out[0] * g.out[1] * g.out[2];
  const int64_t K = cinG * kVolume;

  const std::vector<float>& weightScales = conv.getInt8WeightScales();
  const float* weights = static_cast<const float*>(conv.getKernelWeights().values);
  const std::vector<int8_t> qWeights = int8::quantizeRows(weights, cout, K, weightScales, K);
  const float inputScale = conv.getInt8InputScale(), inputInverse = int8::inverse(inputScale);
  const std::vector<float> outScale = int8::outputScales(inputScale, weightScales);

  const int64_t inCount = in.volume();
  std::vector<int8_t> qInput(static_cast<size_t>(inCount));
  const float* x = inputs[0].f32();
  for (int64_t i = 0; i < inCount; ++i) qInput[i] = int8::quantize(x[i], inputInverse);

  const Weights bias = conv.getBiasWeights();
  const float* b = bias.count > 0 ? static_cast<const float*>(bias.values) : nullptr;
  const float* residual = inputs.size() == 2 ? inputs[1].f32() : nullptr;
  std::vector<int8_t> col(static_cast<size_t>(K * outPlane));
  std::vector<int32_t> sums(static_cast<size_t>(coutG * outPlane));
  float* y = output.f32();
  for (int64_t n = 0; n < batch; ++n) {
    for (int64_t grp = 0; grp < groups; ++grp) {
      im2col(qInput.data() + (n * cin + grp * cinG) * inPlane, cinG, g, col.data());
      gemmInt8(coutG, outPlane, K, qWeights.data() + grp * coutG * K, col.data(), sums.data());
      for (int64_t co = 0; co < coutG; ++co) {
        const int64_t c = grp * coutG + co;
        const int64_t base = (n * cout + c) * outPlane;
        for (int64_t p = 0; p < outPlane; ++p) {
          float v = static_cast<float>(sums[co * outPlane + p]) * outScale[c];
          if (b) v += b[c];
          if (residual) v += residual[base + p];
          y[base + p] = v;
        }
      }
    }
  }
  if (conv.getFusedActivation() >= 0)
    applyActivation(static_cast<ActivationType>(conv.getFusedActivation()), conv.getFusedActivationAlpha(),
                    conv.getFusedActivationBeta(), y, out.volume());
}

}  // namespace cpu
}  // namespace trt
