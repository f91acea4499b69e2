// The TorchScript graph executor's one-time work, done while the first engine loads. At a graph's first run the
// profiling executor asks, for each node, whether autodiff knows its gradient (ProfilingRecord::instrumentGraph ->
// isDifferentiable); for an op it does not list (tensorrt::execute_engine) the answer comes from the symbolic
// gradient scripts, which TorchScript compiles from source at that first question: ~25 ms once per process, which a
// fresh process paid at the first call of a loaded engine module (issue 21: a loaded plan's first call within 3x
// its steady latency). Asking the same question while loading pays it there, as the engine's own first run
// (TRTEngine::prepareForFirstCall) is.
// The executor's other once-per-process work (its optimization passes' and the interpreter's first use, whatever
// the graph: its first plan's passes compile TorchScript decompositions from source) is paid by running a
// one-line TorchScript function once: on the CPU a fresh process's first call of a small engine module went from
// 2.4-3.1 ms to 1.2 ms (its CPU engine's own first run 0.7 of it). The graph's own passes (its second call) stay.
#include <mutex>

#include "ATen/core/dispatch/Dispatcher.h"
#include "core/runtime/runtime.h"
#include "core/util/macros.h"
#include "torch/csrc/jit/runtime/graph_executor.h"
#include "torch/csrc/jit/runtime/symbolic_script.h"
#include "torch/jit.h"

namespace torch_tensorrt {
namespace core {
namespace runtime {

void warmTorchScriptExecutor() {
  static std::once_flag once;
  std::call_once(once, [] {
    try {
      const auto op = c10::Dispatcher::singleton().findSchema({"tensorrt::execute_engine", ""});
      if (op) torch::jit::hasGradientInfoForSchema(op->schema());
      // Loading a module turns the executor's optimizations off on this thread (as the unpickler runs); the
      // warm-up wants the executor a call will use.
      torch::jit::GraphOptimizerEnabledGuard optimized(true);
      const auto unit = torch::jit::compile("def warm(x: Tensor) -> Tensor:\n    return x + 1\n");
      unit->run_method("warm", at::zeros({1}));
    } catch (const std::exception& e) {
      // Only the first call's speed depends on it.
      LOG_DEBUG("the TorchScript executor's gradient scripts were left to the first call: " << e.what());
    }
  });
}

}  // namespace runtime
}  // namespace core
}  // namespace torch_tensorrt
