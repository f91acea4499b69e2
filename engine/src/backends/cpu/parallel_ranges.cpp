// Splitting a CPU fast-path kernel's independent items (attention heads, norm rows, activation chunks)
// over the cores: on the oneDNN plugin's OpenMP threads when it is loaded, else with plain threads (the
// main library has no OpenMP of its own).
#include <algorithm>
#include <exception>
#include <mutex>
#include <thread>

#include "backends/cpu/cpu_kernels.h"
#include "backends/cpu/onednn/plugin_loader.h"

namespace trt {
namespace cpu {

void forEachRange(int64_t count, int64_t workPerItem, const std::function<void(int64_t, int64_t)>& fn) {
  const int64_t cores = std::max<int64_t>(1, std::thread::hardware_concurrency());
  // A thread pays for itself from about a million multiply-adds.
  const int64_t threads =
      std::min<int64_t>({cores, count, std::max<int64_t>(1, count * workPerItem / (int64_t(1) << 20))});
  if (threads <= 1) {
    fn(0, count);
    return;
  }
  if (const torchtrt_onednn_api* api = onednn::pluginApi()) {
    // On the OpenMP threads of oneDNN's primitives, which spin a while after each one: fresh threads
    // beside them would compete for the cores.
    struct Call {
      const std::function<void(int64_t, int64_t)>& fn;
      std::mutex failedMutex;
      std::exception_ptr failed;
    } call{fn, {}, {}};
    api->parallel_for(
        count, static_cast<int32_t>(threads),
        [](void* context, int64_t first, int64_t last) {
          auto& c = *static_cast<Call*>(context);
          try {
            c.fn(first, last);
          } catch (...) {
            std::lock_guard<std::mutex> lock(c.failedMutex);
            if (!c.failed) c.failed = std::current_exception();
          }
        },
        &call);
    if (call.failed) std::rethrow_exception(call.failed);
    return;
  }
  std::vector<std::thread> pool;
  for (int64_t t = 1; t < threads; ++t) pool.emplace_back(fn, count * t / threads, count * (t + 1) / threads);
  fn(0, count / threads);
  for (auto& th : pool) th.join();
}

}  // namespace cpu
}  // namespace trt
