#include <algorithm>
#include <cmath>

#include "backends/cpu/cpu_kernels.h"

namespace trt {
namespace cpu {

namespace {
inline float softplus(float x) { return x > 20.f ? x : std::log1p(std::exp(x)); }
}  // namespace

void applyActivation(ActivationType type, float alpha, float beta, float* x, int64_t n) {
  switch (type) {
    case ActivationType::kRELU:
      for (int64_t i = 0; i < n; ++i) x[i] = x[i] < 0.f ? 0.f : x[i];  // PyTorch's: NaN and -0 stay
      return;
    case ActivationType::kSIGMOID:
      for (int64_t i = 0; i < n; ++i) x[i] = 1.f / (1.f + std::exp(-x[i]));
      return;
    case ActivationType::kTANH:
      for (int64_t i = 0; i < n; ++i) x[i] = std::tanh(x[i]);
      return;
    case ActivationType::kLEAKY_RELU:
      for (int64_t i = 0; i < n; ++i) x[i] = x[i] > 0.f ? x[i] : alpha * x[i];  // a zero takes alpha's sign too
      return;
    case ActivationType::kELU:
      for (int64_t i = 0; i < n; ++i) x[i] = x[i] < 0.f ? alpha * std::expm1(x[i]) : x[i];  // zeros stay (any alpha)
      return;
    case ActivationType::kSELU:  // beta * (x > 0 ? x : alpha * (exp(x) - 1))
      for (int64_t i = 0; i < n; ++i) x[i] = beta * (x[i] > 0.f ? x[i] : alpha * std::expm1(x[i]));
      return;
    case ActivationType::kSOFTSIGN:
      for (int64_t i = 0; i < n; ++i) x[i] = x[i] / (1.f + std::fabs(x[i]));
      return;
    case ActivationType::kSOFTPLUS:  // alpha * log(exp(beta * x) + 1)
      for (int64_t i = 0; i < n; ++i) x[i] = alpha * softplus(beta * x[i]);
      return;
    case ActivationType::kCLIP:
      for (int64_t i = 0; i < n; ++i) x[i] = std::isnan(x[i]) ? x[i] : std::min(std::max(x[i], alpha), beta);
      return;
    case ActivationType::kHARD_SIGMOID:  // max(0, min(1, alpha * x + beta))
      for (int64_t i = 0; i < n; ++i)
        x[i] = std::isnan(x[i]) ? x[i] : std::max(0.f, std::min(1.f, alpha * x[i] + beta));
      return;
    case ActivationType::kSCALED_TANH:  // alpha * tanh(beta * x)
      for (int64_t i = 0; i < n; ++i) x[i] = alpha * std::tanh(beta * x[i]);
      return;
    case ActivationType::kTHRESHOLDED_RELU:
      for (int64_t i = 0; i < n; ++i) x[i] = x[i] > alpha ? x[i] : 0.f;
      return;
    case ActivationType::kGELU_ERF:
      for (int64_t i = 0; i < n; ++i) x[i] = 0.5f * x[i] * (1.f + std::erf(x[i] * 0.70710678118654752f));
      return;
    case ActivationType::kGELU_TANH:
      for (int64_t i = 0; i < n; ++i) {
        float v = x[i];
        x[i] = 0.5f * v * (1.f + std::tanh(0.79788456080286536f * (v + 0.044715f * v * v * v)));
      }
      return;
    case ActivationType::kSILU:  // PyTorch's form: x / (1 + exp(-x))
      for (int64_t i = 0; i < n; ++i) x[i] = x[i] / (1.f + std::exp(-x[i]));
      return;
    case ActivationType::kHARD_SWISH:  // PyTorch's form: x * min(max(x + 3, 0), 6) / 6
      for (int64_t i = 0; i < n; ++i) x[i] = x[i] * std::min(std::max(x[i] + 3.f, 0.f), 6.f) / 6.f;
      return;
  }
  throw Error("unknown activation type " + std::to_string(static_cast<int32_t>(type)));
}

void runActivation(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output) {
  const auto& act = static_cast<const IActivationLayer&>(layer);
  requireFloat32(layer, inputs[0], "the input");
  int64_t n = output.dims.volume();
  if (output.data != inputs[0].data) std::copy(inputs[0].f32(), inputs[0].f32() + n, output.f32());
  applyActivation(act.getActivationType(), act.getAlpha(), act.getBeta(), output.f32(), n);
}

}  // namespace cpu
}  // namespace trt
