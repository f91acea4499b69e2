// Structure-aware libFuzzer target for the plan reader: the same test as plan_fuzzer.cpp, with a custom
// mutator that edits decoded plans (plan_mutator.h) and re-encodes them with valid CRCs, and a custom
// cross-over that moves layers and parameters between plans. Build and run: scripts/fuzz.sh.
#include "plan_fuzz_target.h"
#include "plan_mutator.h"

extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t maxSize);

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) { return trt_fuzz::loadAndRunPlan(data, size); }

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t maxSize, unsigned int seed) {
  return trt_fuzz::mutatePlan(data, size, maxSize, seed, LLVMFuzzerMutate);
}

extern "C" size_t LLVMFuzzerCustomCrossOver(const uint8_t* a, size_t sizeA, const uint8_t* b, size_t sizeB,
                                            uint8_t* out, size_t maxOut, unsigned int seed) {
  return trt_fuzz::crossPlans(a, sizeA, b, sizeB, out, maxOut, seed);
}
