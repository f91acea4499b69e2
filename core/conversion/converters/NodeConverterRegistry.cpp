#include <map>
#include <mutex>
#include <optional>

#include "core/conversion/converters/converters.h"
#include "torch/csrc/jit/frontend/function_schema_parser.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {

namespace {
struct Entry {
  std::string signature;
  OpConverter converter;
  ConverterOptions options;
};

// Keyed by operator name with overload ("aten::add.Tensor"), which identifies a schema.
class Registry {
 public:
  void add(ConversionPattern p) {
    auto schema = torch::jit::parseSchema(p.signature);
    std::string key = c10::toString(schema.operator_name());
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = entries_.find(key);
    if (it != entries_.end()) {
      overrides_.push_back(key);
      LOG_WARNING("Converter for " << key << " overridden by a later registration (" << p.signature << ")");
    }
    entries_[key] = Entry{p.signature, std::move(p.converter), p.options};
  }
  std::optional<Entry> find(const std::string& key) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return std::nullopt;
    return it->second;
  }
  std::vector<std::string> list() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::string> out;
    for (const auto& kv : entries_) out.push_back(kv.second.signature);
    return out;
  }
  std::vector<std::string> overrides() {
    std::lock_guard<std::mutex> lock(mutex_);
    return overrides_;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, Entry> entries_;
  std::vector<std::string> overrides_;
};

Registry& registry() {
  static Registry r;
  return r;
}
}  // namespace

RegisterNodeConversionPatterns& RegisterNodeConversionPatterns::pattern(ConversionPattern p) & {
  registry().add(std::move(p));
  return *this;
}

RegisterNodeConversionPatterns&& RegisterNodeConversionPatterns::pattern(ConversionPattern p) && {
  registry().add(std::move(p));
  return std::move(*this);
}

bool nodeIsConvertible(const torch::jit::Node* n) {
  const auto* schema = n->maybeSchema();
  return schema && registry().find(c10::toString(schema->operator_name())).has_value();
}

OpConverter getNodeConverterFor(const torch::jit::FunctionSchema* schema) {
  TORCHTRT_CHECK(schema, "no schema");
  auto e = registry().find(c10::toString(schema->operator_name()));
  TORCHTRT_CHECK(e, "Converter for " << schema->name() << " requested, but no such converter was found.");
  return e->converter;
}

std::vector<std::string> getConverterList() { return registry().list(); }
std::vector<std::string> getConverterOverrides() { return registry().overrides(); }

}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
