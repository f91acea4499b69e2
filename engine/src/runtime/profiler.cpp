// Per-layer timing on the host: the CPU backend's StepTimer (IExecutionContext::setProfiler).
#include <chrono>

#include "backends/backend.h"

namespace trt {
namespace {

int64_t nowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void HostStepTimer::begin(size_t) { startNs_ = nowNs(); }

void HostStepTimer::end(size_t step) { times_.emplace_back(step, static_cast<float>(nowNs() - startNs_) * 1e-6f); }

std::vector<std::pair<size_t, float>> HostStepTimer::finish() {
  std::vector<std::pair<size_t, float>> times;
  times.swap(times_);
  return times;
}

}  // namespace trt
