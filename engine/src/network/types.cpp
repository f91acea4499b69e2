#include <cstdio>
#include <sstream>

#include "trt/types.h"

namespace trt {

Dims::Dims(std::initializer_list<int64_t> values) {
  if (values.size() > MAX_DIMS)
    throw Error("Dims: " + std::to_string(values.size()) + " dimensions exceed the maximum of 8");
  for (int64_t v : values) d[nbDims++] = v;
}

Dims Dims::fromVector(const std::vector<int64_t>& values) {
  if (values.size() > MAX_DIMS)
    throw Error("Dims: " + std::to_string(values.size()) + " dimensions exceed the maximum of 8");
  Dims out;
  for (int64_t v : values) out.d[out.nbDims++] = v;
  return out;
}

std::vector<int64_t> Dims::toVector() const { return std::vector<int64_t>(d, d + (nbDims > 0 ? nbDims : 0)); }

int64_t Dims::volume() const {
  int64_t v = 1;
  bool overflow = false;
  for (int i = 0; i < nbDims; ++i) {
    if (d[i] < 0) return -1;
    overflow |= __builtin_mul_overflow(v, d[i], &v);
  }
  if (overflow) {
    // A product of zero is zero even when an earlier partial product overflowed.
    for (int i = 0; i < nbDims; ++i)
      if (d[i] == 0) return 0;
    throw Error("dimensions " + str() + " hold more than 2^63 elements");
  }
  return v;
}

bool Dims::isStatic() const {
  for (int i = 0; i < nbDims; ++i)
    if (d[i] < 0) return false;
  return true;
}

bool Dims::operator==(const Dims& other) const {
  if (nbDims != other.nbDims) return false;
  for (int i = 0; i < nbDims; ++i)
    if (d[i] != other.d[i]) return false;
  return true;
}

std::string Dims::str() const {
  std::ostringstream os;
  os << "(";
  for (int i = 0; i < nbDims; ++i) os << (i ? ", " : "") << d[i];
  os << ")";
  return os.str();
}

size_t dataTypeSize(DataType type) {
  switch (type) {
    case DataType::kFLOAT:
      return 4;
    case DataType::kHALF:
      return 2;
    case DataType::kINT8:
      return 1;
    case DataType::kINT32:
      return 4;
    case DataType::kBOOL:
      return 1;
    case DataType::kUINT8:
      return 1;
    case DataType::kFP8:
      return 1;
    case DataType::kBF16:
      return 2;
    case DataType::kINT64:
      return 8;
  }
  throw Error("unknown DataType " + std::to_string(static_cast<int>(type)));
}

const char* dataTypeName(DataType type) {
  switch (type) {
    case DataType::kFLOAT:
      return "float32";
    case DataType::kHALF:
      return "float16";
    case DataType::kINT8:
      return "int8";
    case DataType::kINT32:
      return "int32";
    case DataType::kBOOL:
      return "bool";
    case DataType::kUINT8:
      return "uint8";
    case DataType::kFP8:
      return "fp8";
    case DataType::kBF16:
      return "bfloat16";
    case DataType::kINT64:
      return "int64";
  }
  return "unknown";
}

bool isValidDataType(int32_t value) { return value >= 0 && value <= 8; }

const char* layerTypeName(LayerType type) {
  switch (type) {
#define TRT_NAME_CASE(name, stem, cpu16, cuda16) \
  case LayerType::name:                          \
    return #stem;
    TRT_LAYER_KINDS(TRT_NAME_CASE)
#undef TRT_NAME_CASE
  }
  return "Unknown";
}

const char* calibrationAlgoName(CalibrationAlgoType algo) {
  switch (algo) {
    case CalibrationAlgoType::kLEGACY_CALIBRATION:
      return "LegacyCalibration";
    case CalibrationAlgoType::kENTROPY_CALIBRATION:
      return "EntropyCalibration";
    case CalibrationAlgoType::kENTROPY_CALIBRATION_2:
      return "EntropyCalibration2";
    case CalibrationAlgoType::kMINMAX_CALIBRATION:
      return "MinMaxCalibration";
    case CalibrationAlgoType::kPERCENTILE_CALIBRATION:
      return "PercentileCalibration";
  }
  return "Unknown";
}

namespace {
class StderrLogger : public ILogger {
 public:
  void log(Severity severity, const char* msg) noexcept override {
    if (severity <= Severity::kWARNING) std::fprintf(stderr, "[trt] %s\n", msg);
  }
};
}  // namespace

ILogger& defaultLogger() {
  static StderrLogger logger;
  return logger;
}

}  // namespace trt
