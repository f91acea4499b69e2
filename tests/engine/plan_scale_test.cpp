// Plans of many layers (issue 28: a 1,000,000-layer plan of 87 MB took 24.8 s to load): loading,
// like building, is linear in the layer count.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <vector>

#include "engine_test_util.h"
#include "plan/plan.h"
#include "trt/runtime.h"

namespace {

TEST(PlanScale, AManyLayerPlanLoadsWithOneInferenceVisitPerLayer) {
  const char* env = std::getenv("PLAN_SCALE_LAYERS");
  const int layers = env ? std::atoi(env) : 20000;
  trt::INetworkDefinition net;
  trt::ITensor* y = net.addInput("x", trt::DataType::kFLOAT, {2, 3});
  for (int i = 0; i < layers; ++i) y = net.addActivation(*y, trt::ActivationType::kRELU)->getOutput(0);
  y->setName("y");
  net.markOutput(*y);
  trt::PlanContents contents;
  const auto start = std::chrono::steady_clock::now();
  const std::vector<uint8_t> bytes = trt::writePlan(net, contents);
  const auto written = std::chrono::steady_clock::now();
  std::unique_ptr<trt::IRuntime> runtime(trt::createInferRuntime(trt::defaultLogger()));
  std::unique_ptr<trt::ICudaEngine> engine(runtime->deserializeCudaEngine(bytes.data(), bytes.size()));
  const auto read = std::chrono::steady_clock::now();
  const trt::INetworkDefinition& loaded = engine->network();
  EXPECT_EQ(loaded.getNbLayers(), layers);
  EXPECT_EQ(loaded.getOutput(0)->getDimensions(), (trt::Dims{2, 3}));
  // Each layer's shapes are inferred once while loading (not once per layer added after it).
  EXPECT_LE(loaded.getInferenceVisits(), static_cast<uint64_t>(layers) + 1);
  if (env)
    std::cout << layers << " layers, " << bytes.size() << " bytes: written in "
              << std::chrono::duration<double>(written - start).count() << " s, loaded (read and scheduled) in "
              << std::chrono::duration<double>(read - written).count() << " s\n";
}

}  // namespace
