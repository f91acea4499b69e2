// Splitting a CPU fast-path kernel's independent items (attention heads, norm rows, activation chunks)
// over the cores with plain threads (the main library has no OpenMP of its own).
#include <algorithm>
#include <thread>

#include "backends/cpu/cpu_kernels.h"

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
  std::vector<std::thread> pool;
  for (int64_t t = 1; t < threads; ++t) pool.emplace_back(fn, count * t / threads, count * (t + 1) / threads);
  fn(0, count / threads);
  for (auto& th : pool) th.join();
}

}  // namespace cpu
}  // namespace trt
