// Splitting a CPU fast-path kernel's independent items (attention heads, norm rows, activation chunks)
// over the cores on OpenMP's threads: the process has one OpenMP runtime (libgomp), which oneDNN's
// primitives run on too, so these ranges reuse its threads instead of competing with them (fresh
// threads beside oneDNN's spinning ones were slower).
#include <omp.h>

#include <algorithm>
#include <exception>
#include <mutex>

#include "backends/cpu/cpu_kernels.h"

namespace trt {
namespace cpu {

void forEachRange(int64_t count, int64_t workPerItem, const std::function<void(int64_t, int64_t)>& fn) {
  // A thread pays for itself from about a million multiply-adds; never more than OpenMP allows
  // (OMP_NUM_THREADS, affinity).
  const int64_t cores = std::max<int64_t>(1, omp_get_max_threads());
  const int64_t threads =
      std::min<int64_t>({cores, count, std::max<int64_t>(1, count * workPerItem / (int64_t(1) << 20))});
  if (threads <= 1) {
    fn(0, count);
    return;
  }
  const int team = static_cast<int>(threads);
  std::mutex failedMutex;
  std::exception_ptr failed;
#pragma omp parallel num_threads(team)
  {
    const int64_t t = omp_get_thread_num(), n = omp_get_num_threads();
    try {
      fn(count * t / n, count * (t + 1) / n);
    } catch (...) {
      std::lock_guard<std::mutex> lock(failedMutex);
      if (!failed) failed = std::current_exception();
    }
  }
  if (failed) std::rethrow_exception(failed);
}

}  // namespace cpu
}  // namespace trt
