#include "core/conversion/layer_precisions.h"

#include <cctype>

#include "core/util/macros.h"
#include "core/util/trt_util.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {

namespace {
bool isIdentifier(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}
}  // namespace

bool IsOperatorKindKey(const std::string& key) {
  const size_t sep = key.find("::");
  return sep != std::string::npos && isIdentifier(key.substr(0, sep)) && isIdentifier(key.substr(sep + 2));
}

bool MatchesLayerPattern(const std::string& pattern, const std::string& name) {
  // Iterative glob matching: on a mismatch, let the last * absorb one more character.
  size_t p = 0, n = 0, star = std::string::npos, resume = 0;
  while (n < name.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == name[n])) {
      ++p;
      ++n;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = n;
    } else if (star != std::string::npos) {
      p = star + 1;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

void PinLayerPrecisions(ConversionCtx* ctx, const torch::jit::Node* n, int32_t first_layer) {
  const auto& entries = ctx->settings.layer_precisions;
  if (entries.empty()) return;
  const auto byKind = entries.find(n->kind().toQualString());
  for (int32_t l = first_layer; l < ctx->net->getNbLayers(); ++l) {
    trt::ILayer* layer = ctx->net->getLayer(l);
    const std::pair<const std::string, at::ScalarType>* entry = byKind != entries.end() ? &*byKind : nullptr;
    for (auto it = entries.begin(); !entry && it != entries.end(); ++it)
      if (!IsOperatorKindKey(it->first) && MatchesLayerPattern(it->first, layer->getName())) entry = &*it;
    if (!entry) continue;
    const trt::DataType pin = util::ScalarTypeToTRTDataType(entry->second);
    if (layer->precisionIsSet() && layer->getPrecision() == trt::DataType::kFLOAT && pin != trt::DataType::kFLOAT) {
      LOG_DEBUG("layer_precisions['" << entry->first << "']: " << layer->getName()
                                     << " stays float32 (its converter computes it in float32, as PyTorch does)");
      continue;
    }
    layer->setPrecision(pin);
    LOG_DEBUG("layer_precisions['" << entry->first << "'] pins " << layer->getName() << " to "
                                   << trt::dataTypeName(pin));
  }
}

}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
