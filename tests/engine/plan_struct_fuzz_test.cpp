// The structure-aware plan fuzzer's pieces under GoogleTest (issue 28): the plan codec it mutates through
// (tests/fuzz/plan_image.h) must reproduce every checked-in plan byte for byte, a fixed campaign of its
// mutations (tests/fuzz/plan_mutator.h) runs on every test run. Inputs its libFuzzer target
// (tests/fuzz/plan_struct_fuzzer.cpp) finds crashing belong here as regression tests (none yet: see
// docs/security.md for the runs).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "../fuzz/plan_image.h"
#include "../fuzz/plan_mutator.h"
#include "plan/plan.h"
#include "plan_fuzz_util.h"
#include "trt/runtime.h"

namespace {

std::vector<uint8_t> corpusPlan(const std::string& name) {
  std::ifstream f(std::string(TORCHTRT_PLAN_CORPUS) + "/" + name, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

std::vector<std::string> corpusNames() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(TORCHTRT_PLAN_CORPUS))
    if (entry.path().extension() == ".plan") names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// Outside libFuzzer, byte mutations are a few random bit flips.
size_t flipBits(uint8_t* data, size_t size, size_t) {
  static std::mt19937 gen(99);
  for (int k = 0; k < 3 && size > 0; ++k) data[gen() % size] ^= static_cast<uint8_t>(1u << (gen() % 8));
  return size;
}

// Loads the plan; "" when it loads, else the error. Anything but trt::Error fails the test.
std::string loadError(const std::vector<uint8_t>& plan) {
  try {
    trt::readPlan(plan.data(), plan.size());
    return "";
  } catch (const trt::Error& e) {
    return e.what();
  }
}

}  // namespace

TEST(PlanStructFuzz, EveryCorpusPlanDecodesAndEncodesByteForByte) {
  const auto names = corpusNames();
  ASSERT_FALSE(names.empty());
  for (const auto& name : names) {
    const std::vector<uint8_t> plan = corpusPlan(name);
    trt_fuzz::PlanImage image;
    ASSERT_TRUE(trt_fuzz::decodePlan(plan.data(), plan.size(), image)) << name;
    EXPECT_FALSE(image.layers.empty()) << name;
    const std::vector<uint8_t> again = trt_fuzz::encodePlan(image);
    EXPECT_EQ(again, plan) << name << " does not re-encode to the same bytes";
    EXPECT_EQ(loadError(again), "") << name;
  }
}

TEST(PlanStructFuzz, MutatedPlansLoadOrFailCleanly) {
  // Chains of structure-aware mutations from every corpus plan; each plan must load (and run when small)
  // or be refused with trt::Error. STRUCT_FUZZ_ITERS runs a longer campaign.
  const char* itersEnv = std::getenv("STRUCT_FUZZ_ITERS");
  const int iterations = itersEnv ? std::atoi(itersEnv) : 1500;
  std::unique_ptr<trt::IRuntime> rt(trt::createInferRuntime(trt::defaultLogger()));
  const auto names = corpusNames();
  std::vector<uint8_t> plan;
  int loaded = 0, refused = 0;
  for (int iter = 0; iter < iterations; ++iter) {
    if (iter % 8 == 0) plan = corpusPlan(names[static_cast<size_t>(iter / 8) % names.size()]);
    std::vector<uint8_t> next = plan;
    next.resize(plan.size() + 4096);
    next.resize(trt_fuzz::mutatePlan(next.data(), plan.size(), next.size(), static_cast<unsigned>(iter), flipBits));
    trt_test::reseal(next);
    try {
      std::unique_ptr<trt::ICudaEngine> engine(rt->deserializeCudaEngine(next.data(), next.size()));
      ++loaded;
      trt_test::runIfSmall(*engine);
      plan = next;  // mutate further from a plan that still loads
    } catch (const trt::Error&) {
      ++refused;
    }
  }
  EXPECT_GT(loaded, iterations / 20);
  EXPECT_GT(refused, iterations / 4);
}
