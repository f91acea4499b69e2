#include "trt/memory_limits.h"

#include <atomic>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace trt {

namespace {

std::atomic<uint64_t> capOverride{kMemoryCapFromEnvironment};

// "16G", "512M", "1073741824"; UINT64_MAX when the text is not a size.
uint64_t parseSize(const std::string& text) {
  size_t used = 0;
  unsigned long long v = 0;
  try {
    v = std::stoull(text, &used);
  } catch (const std::exception&) {
    return UINT64_MAX;
  }
  std::string suffix = text.substr(used);
  if (!suffix.empty() && (suffix.back() == 'B' || suffix.back() == 'b')) suffix.pop_back();
  int shift = 0;
  if (suffix.size() == 1) {
    switch (std::toupper(static_cast<unsigned char>(suffix[0]))) {
      case 'K':
        shift = 10;
        break;
      case 'M':
        shift = 20;
        break;
      case 'G':
        shift = 30;
        break;
      case 'T':
        shift = 40;
        break;
      default:
        return UINT64_MAX;
    }
  } else if (!suffix.empty()) {
    return UINT64_MAX;
  }
  if (shift && v > (UINT64_MAX >> shift)) return UINT64_MAX;
  return static_cast<uint64_t>(v) << shift;
}

std::string human(uint64_t bytes) {
  std::ostringstream os;
  os << bytes << " bytes";
  os.precision(1);
  if (bytes >= (1ull << 30))
    os << std::fixed << " (" << static_cast<double>(bytes) / (1ull << 30) << " GiB)";
  else if (bytes >= (1ull << 20))
    os << std::fixed << " (" << static_cast<double>(bytes) / (1ull << 20) << " MiB)";
  return os.str();
}

}  // namespace

uint64_t availableHostMemory() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  uint64_t kib = 0;
  std::string unit;
  while (meminfo >> key >> kib) {
    std::getline(meminfo, unit);
    if (key == "MemAvailable:") return kib * 1024;
  }
  return 0;
}

uint64_t memoryCap() {
  const uint64_t set = capOverride.load();
  if (set != kMemoryCapFromEnvironment) return set;
  const char* env = std::getenv("TORCHTRT_MEMORY_CAP");
  if (!env || !*env) return 0;
  const uint64_t cap = parseSize(env);
  if (cap == UINT64_MAX)
    throw Error(std::string("TORCHTRT_MEMORY_CAP is '") + env +
                "', which is not a size: give bytes, or a number with a K, M, G or T suffix (e.g. 8G)");
  return cap;
}

void setMemoryCap(uint64_t bytes) { capOverride.store(bytes); }

void checkMemoryDemand(const std::string& what, uint64_t bytes, uint64_t available, const char* where) {
  const uint64_t cap = memoryCap();
  if (cap > 0 && bytes > cap)
    throw Error(what + " needs " + human(bytes) + ", more than the memory cap of " + human(cap) +
                " (TORCHTRT_MEMORY_CAP or trt::setMemoryCap); use smaller inputs or raise the cap");
  if (available > 0 && bytes > available)
    throw Error(what + " needs " + human(bytes) + ", more than the " + human(available) + " of " + where +
                " available; use smaller inputs or free memory");
}

uint64_t tensorBytes(const Dims& shape, DataType type) {
  uint64_t bytes = dataTypeSize(type);
  for (int i = 0; i < shape.nbDims; ++i) {
    if (shape.d[i] < 0 || __builtin_mul_overflow(bytes, static_cast<uint64_t>(shape.d[i]), &bytes)) return UINT64_MAX;
  }
  return bytes;
}

std::string describeTensor(const ITensor& tensor, const Dims& shape) {
  const std::string t = "'" + std::string(tensor.getName()) + "' " + shape.str() + " " + dataTypeName(tensor.getType());
  const ILayer* producer = tensor.getProducer();
  return producer ? producer->describe() + ": its output " + t : "network input " + t;
}

}  // namespace trt
