// Binary elementwise operations with numpy broadcasting, for float32, int32, int64 and bool.
#include <cmath>
#include <cstring>

#include "backends/cpu/cpu_kernels.h"
#include "common/elementwise_rules.h"
#include "layers/layer_util.h"

namespace trt {
namespace cpu {

namespace {

template <typename T, typename R, typename F>
void broadcastApply(const TensorView& a, const TensorView& b, TensorView& out, F f) {
  const T* pa = static_cast<const T*>(a.data);
  const T* pb = static_cast<const T*>(b.data);
  R* po = static_cast<R*>(out.data);
  const int64_t n = out.dims.volume();
  if (a.dims == out.dims && b.dims == out.dims) {
    for (int64_t i = 0; i < n; ++i) po[i] = f(pa[i], pb[i]);
    return;
  }
  if (a.dims == out.dims && b.dims.volume() == 1) {
    const T v = pb[0];
    for (int64_t i = 0; i < n; ++i) po[i] = f(pa[i], v);
    return;
  }
  const int rank = out.dims.nbDims;
  int64_t sa[Dims::MAX_DIMS], sb[Dims::MAX_DIMS];
  layer_util::broadcastStrides(a.dims, out.dims, sa);
  layer_util::broadcastStrides(b.dims, out.dims, sb);
  if (rank == 0) {
    po[0] = f(pa[0], pb[0]);
    return;
  }
  // Iterate rows of the innermost dimension with an index counter over the outer ones.
  const int64_t inner = out.dims.d[rank - 1];
  const int64_t rows = inner == 0 ? 0 : n / inner;
  int64_t idx[Dims::MAX_DIMS] = {};
  for (int64_t r = 0; r < rows; ++r) {
    int64_t oa = 0, ob = 0;
    for (int i = 0; i < rank - 1; ++i) {
      oa += idx[i] * sa[i];
      ob += idx[i] * sb[i];
    }
    R* dst = po + r * inner;
    const int64_t ia = sa[rank - 1], ib = sb[rank - 1];
    for (int64_t j = 0; j < inner; ++j) dst[j] = f(pa[oa + j * ia], pb[ob + j * ib]);
    for (int i = rank - 2; i >= 0; --i) {
      if (++idx[i] < out.dims.d[i]) break;
      idx[i] = 0;
    }
  }
}

namespace rules = elementwise_rules;

template <typename T>
void requireNonZeroDivisor(T b, const char* what) {
  if constexpr (!std::is_floating_point<T>::value)
    if (b == 0) throw Error(std::string("ElementWise ") + what + ": integer division by zero");
}

template <typename T>
T floorDiv(T a, T b) {
  if constexpr (std::is_floating_point<T>::value) {
    return rules::floorDivFloat(a, b);
  } else {
    requireNonZeroDivisor(b, "FLOOR_DIV");
    return rules::floorDivInt(a, b);
  }
}

template <typename T>
T divide(T a, T b) {
  if constexpr (std::is_floating_point<T>::value) {
    return a / b;
  } else {
    requireNonZeroDivisor(b, "DIV");
    return rules::truncDivInt(a, b);  // truncation, as TensorRT's integer division
  }
}

// Bitwise operations exist for integers and bool only (the layer refuses other types).
template <typename T, typename F>
T bitwise(T x, T y, F f) {
  if constexpr (std::is_integral<T>::value) return static_cast<T>(f(x, y));
  return x;
}

template <typename T>
void runTyped(const ILayer& layer, ElementWiseOperation op, const TensorView& a, const TensorView& b, TensorView& out) {
  using O = ElementWiseOperation;
  switch (op) {
    case O::kSUM:
      return broadcastApply<T, T>(a, b, out, [](T x, T y) { return static_cast<T>(x + y); });
    case O::kPROD:
      return broadcastApply<T, T>(a, b, out, [](T x, T y) { return static_cast<T>(x * y); });
    case O::kSUB:
      return broadcastApply<T, T>(a, b, out, [](T x, T y) { return static_cast<T>(x - y); });
    case O::kDIV:
      return broadcastApply<T, T>(a, b, out, [](T x, T y) { return divide(x, y); });
    case O::kMAX:
      return broadcastApply<T, T>(a, b, out, [](T x, T y) {
        if constexpr (std::is_floating_point<T>::value)
          if (std::isnan(x) || std::isnan(y)) return std::numeric_limits<T>::quiet_NaN();
        return x > y ? x : y;
      });
    case O::kMIN:
      return broadcastApply<T, T>(a, b, out, [](T x, T y) {
        if constexpr (std::is_floating_point<T>::value)
          if (std::isnan(x) || std::isnan(y)) return std::numeric_limits<T>::quiet_NaN();
        return x < y ? x : y;
      });
    case O::kPOW:
      return broadcastApply<T, T>(a, b, out, [](T x, T y) {
        if constexpr (std::is_integral<T>::value) {
          return rules::powInt(x, y);
        } else {
          return static_cast<T>(std::pow(static_cast<double>(x), static_cast<double>(y)));
        }
      });
    case O::kFLOOR_DIV:
      return broadcastApply<T, T>(a, b, out, [](T x, T y) { return floorDiv(x, y); });
    case O::kEQUAL:
      return broadcastApply<T, uint8_t>(a, b, out, [](T x, T y) { return static_cast<uint8_t>(x == y); });
    case O::kGREATER:
      return broadcastApply<T, uint8_t>(a, b, out, [](T x, T y) { return static_cast<uint8_t>(x > y); });
    case O::kLESS:
      return broadcastApply<T, uint8_t>(a, b, out, [](T x, T y) { return static_cast<uint8_t>(x < y); });
    case O::kAND:
      return broadcastApply<T, T>(a, b, out, [](T x, T y) { return static_cast<T>(x && y); });
    case O::kOR:
      return broadcastApply<T, T>(a, b, out, [](T x, T y) { return static_cast<T>(x || y); });
    case O::kXOR:
      return broadcastApply<T, T>(a, b, out, [](T x, T y) { return static_cast<T>((x != 0) != (y != 0)); });
    case O::kFMOD:
      return broadcastApply<T, T>(a, b, out, [](T x, T y) {
        requireNonZeroDivisor(y, "FMOD");
        return rules::fmodValue(x, y);
      });
    case O::kREMAINDER:
      return broadcastApply<T, T>(a, b, out, [](T x, T y) {
        requireNonZeroDivisor(y, "REMAINDER");
        return rules::remainderValue(x, y);
      });
    case O::kATAN2:
      return broadcastApply<T, T>(a, b, out, [](T x, T y) { return static_cast<T>(rules::atan2Value<double>(x, y)); });
    case O::kBITWISE_AND:
      return broadcastApply<T, T>(a, b, out,
                                  [](T x, T y) { return bitwise(x, y, [](auto p, auto q) { return p & q; }); });
    case O::kBITWISE_OR:
      return broadcastApply<T, T>(a, b, out,
                                  [](T x, T y) { return bitwise(x, y, [](auto p, auto q) { return p | q; }); });
    case O::kBITWISE_XOR:
      return broadcastApply<T, T>(a, b, out,
                                  [](T x, T y) { return bitwise(x, y, [](auto p, auto q) { return p ^ q; }); });
  }
  throw Error(layer.describe() + ": unknown elementwise operation");
}

}  // namespace

void runElementWise(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output) {
  const auto op = static_cast<const IElementWiseLayer&>(layer).getOperation();
  switch (inputs[0].type) {
    case DataType::kFLOAT:
      return runTyped<float>(layer, op, inputs[0], inputs[1], output);
    case DataType::kINT32:
      return runTyped<int32_t>(layer, op, inputs[0], inputs[1], output);
    case DataType::kINT64:
      return runTyped<int64_t>(layer, op, inputs[0], inputs[1], output);
    case DataType::kBOOL:
    case DataType::kUINT8:  // PyTorch's uint8 arithmetic wraps modulo 256, as uint8_t's does
      return runTyped<uint8_t>(layer, op, inputs[0], inputs[1], output);
    case DataType::kINT8:  // torch.int8 tensors' arithmetic (not quantized codes), wrapping as PyTorch's
      return runTyped<int8_t>(layer, op, inputs[0], inputs[1], output);
    default:
      throw Error(layer.describe() + ": the CPU backend has no elementwise kernel for " + dataTypeName(inputs[0].type) +
                  "; cast the inputs to float32 with an Identity layer");
  }
}

}  // namespace cpu
}  // namespace trt
