// Convolution as im2col + GEMM, for 1-D, 2-D and 3-D (treated as 3-D with unit dims).
#include <vector>

#include "backends/cpu/cpu_kernels.h"
#include "backends/cpu/im2col.h"
#include "common/int8.h"
#include "layers/conv_geometry.h"

namespace trt {
namespace cpu {

namespace {
void runChannelsFirstConvolution(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output) {
  const auto& conv = static_cast<const IConvolutionLayer&>(layer);
  const Dims& in = inputs[0].dims;
  const Dims& out = output.dims;
  const ConvGeometry g = convGeometry(conv, in, out);
  const int64_t batch = in.d[0], groups = conv.getNbGroups();
  const int64_t cin = in.d[1], cout = out.d[1];
  const int64_t cinG = cin / groups, coutG = cout / groups;
  const int64_t kVolume = g.k[0] * g.k[1] * g.k[2];
  const int64_t inPlane = g.in[0] * g.in[1] * g.in[2], outPlane = g.out[0] * g.out[1] * g.out[2];
  const bool pointwise = kVolume == 1 && g.stride[0] == 1 && g.stride[1] == 1 && g.stride[2] == 1 && g.pad[0] == 0 &&
                         g.pad[1] == 0 && g.pad[2] == 0;
  const float* weights = static_cast<const float*>(conv.getKernelWeights().values);
  const Weights bias = conv.getBiasWeights();
  std::vector<float> col(pointwise ? 0 : static_cast<size_t>(cinG * kVolume * outPlane));
  for (int64_t n = 0; n < batch; ++n) {
    for (int64_t grp = 0; grp < groups; ++grp) {
      const float* image = inputs[0].f32() + (n * cin + grp * cinG) * inPlane;
      const float* B = image;
      if (!pointwise) {
        im2col(image, cinG, g, col.data());
        B = col.data();
      }
      float* C = output.f32() + (n * cout + grp * coutG) * outPlane;
      gemm(coutG, outPlane, cinG * kVolume, weights + grp * coutG * cinG * kVolume, cinG * kVolume, 1, B, outPlane, 1,
           C, outPlane, false);
    }
    float* outImage = output.f32() + n * cout * outPlane;
    if (bias.count > 0) {
      const float* b = static_cast<const float*>(bias.values);
      for (int64_t c = 0; c < cout; ++c)
        for (int64_t p = 0; p < outPlane; ++p) outImage[c * outPlane + p] += b[c];
    }
  }
  if (inputs.size() == 2) {  // the fused residual
    const float* residual = inputs[1].f32();
    float* y = output.f32();
    for (int64_t i = 0, n = out.volume(); i < n; ++i) y[i] += residual[i];
  }
  if (conv.getFusedActivation() >= 0)
    applyActivation(static_cast<ActivationType>(conv.getFusedActivation()), conv.getFusedActivationAlpha(),
                    conv.getFusedActivationBeta(), output.f32(), out.volume());
}

}  // namespace

void runConvolution(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output) {
  const auto& conv = static_cast<const IConvolutionLayer&>(layer);
  // INT8 codes between INT8 convolutions: codes in are read as the floats q * s they stand for (the convolution
  // quantizes them back to the same q: |q * s / s - q| is far below half a step), an INT8 residual as the floats
  // q * s_residual, and codes out are y quantized with the output scale, as a Quantize after a float output would.
  const bool residualCodes = inputs.size() == 2 && inputs[1].type == DataType::kINT8;
  if (inputs[0].type == DataType::kINT8 || output.type == DataType::kINT8 || residualCodes) {
    std::vector<float> in, residual, out;
    std::vector<TensorView> floats(inputs);
    const auto dequantized = [](const TensorView& codes, float scale, std::vector<float>& values) {
      const auto* q = static_cast<const int8_t*>(codes.data);
      values.resize(static_cast<size_t>(codes.dims.volume()));
      for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(q[i]) * scale;
      return TensorView{values.data(), codes.dims, DataType::kFLOAT};
    };
    if (inputs[0].type == DataType::kINT8) floats[0] = dequantized(inputs[0], conv.getInt8InputScale(), in);
    if (residualCodes) floats[1] = dequantized(inputs[1], conv.getInt8ResidualScale(), residual);
    TensorView floatOut = output;
    if (output.type == DataType::kINT8) {
      out.resize(static_cast<size_t>(output.dims.volume()));
      floatOut = {out.data(), output.dims, DataType::kFLOAT};
    }
    runConvolution(layer, floats, floatOut);
    if (output.type == DataType::kINT8) {
      const float inverse = int8::inverse(conv.getInt8OutputScale());
      auto* q = static_cast<int8_t*>(output.data);
      for (size_t i = 0; i < out.size(); ++i) q[i] = int8::quantize(out[i], inverse);
    }
    return;
  }
  requireFloat32(layer, inputs[0], "the input");
  if (conv.isInt8()) {
    if (conv.getChannelsLast())
      runChannelsLastAsChannelsFirst(runInt8Convolution, layer, inputs, output);
    else
      runInt8Convolution(layer, inputs, output);
  } else if (conv.getChannelsLast())
    runChannelsLastAsChannelsFirst(runChannelsFirstConvolution, layer, inputs, output);
  else
    runChannelsFirstConvolution(layer, inputs, output);
}

}  // namespace cpu
}  // namespace trt
