// libFuzzer target for the plan reader with libFuzzer's byte mutations (plan_fuzz_target.h says what
// each input goes through). Build and run: scripts/fuzz.sh [seconds]. Seeds: tests/engine/plan_corpus.
#include "plan_fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) { return trt_fuzz::loadAndRunPlan(data, size); }
