// Unary functions; float math follows the C library (as ATen's CPU kernels do), round is half-to-even.
#include <cmath>

#include "backends/cpu/cpu_kernels.h"

namespace trt {
namespace cpu {

namespace {
float applyFloat(UnaryOperation op, float x) {
  switch (op) {
    case UnaryOperation::kEXP:
      return std::exp(x);
    case UnaryOperation::kLOG:
      return std::log(x);
    case UnaryOperation::kSQRT:
      return std::sqrt(x);
    case UnaryOperation::kRECIP:
      return 1.f / x;
    case UnaryOperation::kABS:
      return std::fabs(x);
    case UnaryOperation::kNEG:
      return -x;
    case UnaryOperation::kSIN:
      return std::sin(x);
    case UnaryOperation::kCOS:
      return std::cos(x);
    case UnaryOperation::kTAN:
      return std::tan(x);
    case UnaryOperation::kSINH:
      return std::sinh(x);
    case UnaryOperation::kCOSH:
      return std::cosh(x);
    case UnaryOperation::kASIN:
      return std::asin(x);
    case UnaryOperation::kACOS:
      return std::acos(x);
    case UnaryOperation::kATAN:
      return std::atan(x);
    case UnaryOperation::kASINH:
      return std::asinh(x);
    case UnaryOperation::kACOSH:
      return std::acosh(x);
    case UnaryOperation::kATANH:
      return std::atanh(x);
    case UnaryOperation::kCEIL:
      return std::ceil(x);
    case UnaryOperation::kFLOOR:
      return std::floor(x);
    case UnaryOperation::kERF:
      return std::erf(x);
    case UnaryOperation::kSIGN:
      return static_cast<float>((x > 0.f) - (x < 0.f));  // PyTorch's (0 < x) - (x < 0): NaN gives 0
    case UnaryOperation::kROUND:
      return std::nearbyint(x);
    case UnaryOperation::kLOG2:
      return std::log2(x);
    case UnaryOperation::kLOG10:
      return std::log10(x);
    case UnaryOperation::kTRUNC:
      return std::trunc(x);
    case UnaryOperation::kBITWISE_NOT:
    case UnaryOperation::kNOT:
    case UnaryOperation::kISINF:
    case UnaryOperation::kISNAN:
      break;
  }
  return x;
}

template <typename T>
T applyInt(UnaryOperation op, T x) {
  switch (op) {
    case UnaryOperation::kABS:
      return x < 0 ? -x : x;
    case UnaryOperation::kNEG:
      return -x;
    case UnaryOperation::kSIGN:
      return static_cast<T>((x > 0) - (x < 0));
    case UnaryOperation::kBITWISE_NOT:
      return static_cast<T>(~x);
    default:
      return x;
  }
}
}  // namespace

void runUnary(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output) {
  const UnaryOperation op = static_cast<const IUnaryLayer&>(layer).getOperation();
  const int64_t n = output.dims.volume();
  const TensorView& in = inputs[0];
  if (op == UnaryOperation::kNOT || (op == UnaryOperation::kBITWISE_NOT && in.type == DataType::kBOOL)) {
    const auto* s = static_cast<const uint8_t*>(in.data);
    auto* d = static_cast<uint8_t*>(output.data);
    for (int64_t i = 0; i < n; ++i) d[i] = !s[i];
    return;
  }
  if (in.type == DataType::kINT32 || in.type == DataType::kINT64) {
    for (int64_t i = 0; i < n; ++i) {
      if (in.type == DataType::kINT32)
        static_cast<int32_t*>(output.data)[i] = applyInt(op, static_cast<const int32_t*>(in.data)[i]);
      else
        static_cast<int64_t*>(output.data)[i] = applyInt(op, static_cast<const int64_t*>(in.data)[i]);
    }
    return;
  }
  requireFloat32(layer, in, "the input");
  const float* s = in.f32();
  if (op == UnaryOperation::kISINF || op == UnaryOperation::kISNAN) {
    auto* d = static_cast<uint8_t*>(output.data);
    for (int64_t i = 0; i < n; ++i) d[i] = op == UnaryOperation::kISINF ? std::isinf(s[i]) : std::isnan(s[i]);
    return;
  }
  float* d = output.f32();
  for (int64_t i = 0; i < n; ++i) d[i] = applyFloat(op, s[i]);
}

}  // namespace cpu
}  // namespace trt
