// What both plan fuzzers do with an input: re-seal it (payload size and CRCs recomputed, so byte
// mutations reach the field parser rather than the checksum), deserialize it, and run it on zeros when
// it loads and its tensors are small. The only allowed failure is trt::Error; the sanitizers catch the
// rest.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "plan_fuzz_util.h"
#include "trt/runtime.h"

namespace trt_fuzz {

// Logs nothing: refusals are the expected outcome of most inputs.
class QuietLogger : public trt::ILogger {
 public:
  void log(Severity, const char*) noexcept override {}
};

inline int loadAndRunPlan(const uint8_t* data, size_t size) {
  static QuietLogger logger;
  static std::unique_ptr<trt::IRuntime> runtime(trt::createInferRuntime(logger));
  std::vector<uint8_t> plan(data, data + size);
  trt_test::reseal(plan);
  try {
    std::unique_ptr<trt::ICudaEngine> engine(runtime->deserializeCudaEngine(plan.data(), plan.size()));
    trt_test::runIfSmall(*engine);
  } catch (const trt::Error&) {
  }
  return 0;
}

}  // namespace trt_fuzz
