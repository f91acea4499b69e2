// A loaded engine writes back its plan byte for byte (issue 28, weights held once): the TorchScript
// runtime keeps the loaded engine, not the plan's bytes, and writes the plan again from the engine when
// a module is saved, so the bytes written must be the bytes read.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "plan/plan_io.h"
#include "trt/runtime.h"

namespace {
std::vector<uint8_t> rewritten(const std::vector<uint8_t>& plan) {
  std::unique_ptr<trt::IRuntime> rt(trt::createInferRuntime(trt::defaultLogger()));
  std::unique_ptr<trt::ICudaEngine> engine(rt->deserializeCudaEngine(plan.data(), plan.size()));
  std::unique_ptr<trt::IHostMemory> mem(engine->serialize());
  const auto* p = static_cast<const uint8_t*>(mem->data());
  return std::vector<uint8_t>(p, p + mem->size());
}
}  // namespace

TEST(PlanRewrite, ALoadedEngineWritesBackItsPlanByteForByte) {
  // Every corpus plan (most layer kinds, weights, profiles, tactics; one per format version) is written
  // back in the current format; that plan, loaded, writes back exactly its own bytes.
  int plans = 0;
  for (const auto& entry : std::filesystem::directory_iterator(TORCHTRT_PLAN_CORPUS)) {
    if (entry.path().extension() != ".plan") continue;
    std::ifstream f(entry.path(), std::ios::binary);
    const std::vector<uint8_t> plan((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    uint32_t version = 0;
    std::memcpy(&version, plan.data() + 8, 4);
    const std::vector<uint8_t> current = rewritten(plan);
    uint32_t currentVersion = 0;
    std::memcpy(&currentVersion, current.data() + 8, 4);
    EXPECT_EQ(currentVersion, trt::kPlanFormatVersion) << entry.path();
    if (version == trt::kPlanFormatVersion) {
      EXPECT_EQ(current, plan) << entry.path();
    }
    EXPECT_EQ(rewritten(current), current) << entry.path();
    ++plans;
  }
  EXPECT_GE(plans, 9);
}
