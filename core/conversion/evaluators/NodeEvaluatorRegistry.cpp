#include <map>
#include <mutex>

#include "core/conversion/evaluators/evaluators.h"
#include "core/util/macros.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace evaluators {

namespace {
std::mutex& registryMutex() {
  static std::mutex m;
  return m;
}
std::map<std::string, EvalRegistration>& registry() {
  static std::map<std::string, EvalRegistration> r;
  return r;
}
std::optional<EvalRegistration> lookup(const torch::jit::Node* n) {
  std::lock_guard<std::mutex> lock(registryMutex());
  auto it = registry().find(n->kind().toQualString());
  if (it == registry().end()) return std::nullopt;
  return it->second;
}
}  // namespace

RegisterNodeEvaluators& RegisterNodeEvaluators::evaluator(EvalRegistration r) {
  std::lock_guard<std::mutex> lock(registryMutex());
  registry()[r.kind] = std::move(r);
  return *this;
}

bool hasEvaluator(const torch::jit::Node* n) { return lookup(n).has_value(); }

bool shouldEvalAtConversionTime(const torch::jit::Node* n, const args& inputs) {
  auto r = lookup(n);
  if (!r) return false;
  if (r->accepts_tensors) return true;
  for (const Var& v : inputs)
    if (!v.isIValue()) return false;
  return true;
}

std::optional<std::vector<torch::jit::IValue>> EvalNode(ConversionCtx* ctx, const torch::jit::Node* n, args& inputs) {
  auto r = lookup(n);
  TORCHTRT_CHECK(r, "no evaluator for " << n->kind().toQualString());
  return r->evaluator(ctx, n, inputs);
}

std::vector<std::string> getEvaluatorList() {
  std::lock_guard<std::mutex> lock(registryMutex());
  std::vector<std::string> out;
  for (const auto& kv : registry()) out.push_back(kv.first);
  return out;
}

}  // namespace evaluators
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
