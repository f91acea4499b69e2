#include "core/conversion/op_results_kept_alive.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {

namespace {
thread_local OpResultsKeptAlive* innermost = nullptr;
}

OpResultsKeptAlive::OpResultsKeptAlive() : outer_(innermost) {
  innermost = this;
  if (!outer_) {  // one callback serves nested guards: it keeps results in the innermost one
    handle_ = at::addThreadLocalCallback(
        at::RecordFunctionCallback(
            [](const at::RecordFunction&) -> std::unique_ptr<at::ObserverContext> { return nullptr; },
            &OpResultsKeptAlive::keepOutputs)
            .needsOutputs(true)
            .scopes({at::RecordScope::FUNCTION}));
  }
}

OpResultsKeptAlive::~OpResultsKeptAlive() {
  if (!outer_) at::removeCallback(handle_);
  innermost = outer_;
}

void OpResultsKeptAlive::keepOutputs(const at::RecordFunction& fn, at::ObserverContext*) {
  if (!innermost) return;
  for (const c10::IValue& out : fn.outputs())
    if (out.isTensor() || out.isTensorList() || out.isTuple()) innermost->kept_.push_back(out);
}

}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
