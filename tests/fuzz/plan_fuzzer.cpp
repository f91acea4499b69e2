// libFuzzer target for the plan reader: each input is re-sealed (payload size and CRCs recomputed,
// so mutations reach the field parser rather than the checksum), deserialized, and run on zeros when
// it loads and its tensors are small. The only allowed failure is trt::Error; the sanitizers catch
// the rest. Build and run: scripts/fuzz.sh [seconds]. Seeds: tests/engine/plan_corpus.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "plan_fuzz_util.h"
#include "trt/runtime.h"

namespace {
// Logs nothing: refusals are the expected outcome of most inputs.
class QuietLogger : public trt::ILogger {
 public:
  void log(Severity, const char*) noexcept override {}
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
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
