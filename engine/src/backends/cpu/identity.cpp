// Identity: copy, or cast between the engine's data types.
#include <cmath>
#include <cstring>

#include "backends/cpu/cpu_kernels.h"
#include "common/half.h"

namespace trt {
namespace cpu {

namespace {
double loadAsDouble(const void* p, DataType t, int64_t i) {
  switch (t) {
    case DataType::kFLOAT:
      return static_cast<const float*>(p)[i];
    case DataType::kHALF:
      return halfToFloat(static_cast<const uint16_t*>(p)[i]);
    case DataType::kBF16:
      return bf16ToFloat(static_cast<const uint16_t*>(p)[i]);
    case DataType::kINT8:
      return static_cast<const int8_t*>(p)[i];
    case DataType::kUINT8:
      return static_cast<const uint8_t*>(p)[i];
    case DataType::kBOOL:
      return static_cast<const uint8_t*>(p)[i] != 0;
    case DataType::kINT32:
      return static_cast<const int32_t*>(p)[i];
    case DataType::kINT64:
      return static_cast<double>(static_cast<const int64_t*>(p)[i]);
    case DataType::kFP8:
      break;
  }
  throw Error(std::string("Identity: the CPU backend cannot read ") + dataTypeName(t));
}

template <typename T>
T saturatingInt(double v) {
  if (std::isnan(v)) return 0;
  double lo = static_cast<double>(std::numeric_limits<T>::min()),
         hi = static_cast<double>(std::numeric_limits<T>::max());
  return static_cast<T>(std::trunc(std::min(std::max(v, lo), hi)));
}

void storeFromDouble(void* p, DataType t, int64_t i, double v) {
  switch (t) {
    case DataType::kFLOAT:
      static_cast<float*>(p)[i] = static_cast<float>(v);
      return;
    case DataType::kHALF:
      static_cast<uint16_t*>(p)[i] = floatToHalf(static_cast<float>(v));
      return;
    case DataType::kBF16:
      static_cast<uint16_t*>(p)[i] = floatToBf16(static_cast<float>(v));
      return;
    case DataType::kINT8:
      static_cast<int8_t*>(p)[i] = saturatingInt<int8_t>(v);
      return;
    case DataType::kUINT8:
      static_cast<uint8_t*>(p)[i] = saturatingInt<uint8_t>(v);
      return;
    case DataType::kBOOL:
      static_cast<uint8_t*>(p)[i] = v != 0.0;
      return;
    case DataType::kINT32:
      static_cast<int32_t*>(p)[i] = saturatingInt<int32_t>(v);
      return;
    case DataType::kINT64:
      static_cast<int64_t*>(p)[i] = saturatingInt<int64_t>(v);
      return;
    case DataType::kFP8:
      break;
  }
  throw Error(std::string("Identity: the CPU backend cannot write ") + dataTypeName(t));
}
}  // namespace

void runIdentity(const ILayer&, const std::vector<TensorView>& inputs, TensorView& output) {
  const TensorView& in = inputs[0];
  const int64_t n = output.dims.volume();
  if (in.type == output.type) {
    if (output.data != in.data) std::memcpy(output.data, in.data, static_cast<size_t>(n) * dataTypeSize(in.type));
    return;
  }
  if (in.type == DataType::kINT64 && output.type == DataType::kINT32) {  // exact path, no double rounding
    const auto* s = static_cast<const int64_t*>(in.data);
    auto* d = static_cast<int32_t*>(output.data);
    for (int64_t i = 0; i < n; ++i) d[i] = static_cast<int32_t>(s[i]);
    return;
  }
  for (int64_t i = 0; i < n; ++i) storeFromDouble(output.data, output.type, i, loadAsDouble(in.data, in.type, i));
}

}  // namespace cpu
}  // namespace trt
