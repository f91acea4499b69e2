// The engine's saved binding lists (issue 28): a state naming an output twice made execute_engine
// return a tensor of uninitialised memory; a name listed twice, left out, or unknown is now refused
// when the engine loads.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/runtime/runtime.h"
#include "cpu_plan.h"
#include "torch/script.h"
#include "trt/memory_limits.h"
#include "trt/trt.h"

namespace {

using torch_tensorrt::core::runtime::TRTEngine;

// A CPU plan with input "x" and outputs "y" = relu(x) and "z" = exp(x).
std::string twoOutputPlan() {
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", trt::DataType::kFLOAT, {2, 2});
  auto* y = net.addActivation(*x, trt::ActivationType::kRELU)->getOutput(0);
  auto* z = net.addUnary(*x, trt::UnaryOperation::kEXP)->getOutput(0);
  y->setName("y");
  z->setName("z");
  net.markOutput(*y);
  net.markOutput(*z);
  return cpuPlan(net);
}

std::string loadError(const std::vector<std::string>& inputs, const std::vector<std::string>& outputs) {
  try {
    TRTEngine engine("e", twoOutputPlan(), "cpu", inputs, outputs);
    return "";
  } catch (const std::exception& e) {
    return e.what();
  }
}

TEST(RuntimeBindings, EachEngineInputAndOutputMustBeBoundExactlyOnce) {
  EXPECT_EQ(loadError({"x"}, {"y", "z"}), "");
  EXPECT_EQ(loadError({"x"}, {"z", "y"}), "");
  EXPECT_NE(loadError({"x"}, {"y", "y"}).find("lists the binding 'y' twice"), std::string::npos);
  EXPECT_NE(loadError({"x", "x"}, {"y", "z"}).find("twice"), std::string::npos);
  EXPECT_NE(loadError({"x"}, {"y"}).find("has 2 output(s) but the saved state binds 1"), std::string::npos);
  EXPECT_NE(loadError({}, {"y", "z"}).find("has 1 input(s)"), std::string::npos);
  EXPECT_NE(loadError({"x"}, {"y", "x"}).find("lists the binding 'x' twice"), std::string::npos);  // in and out
  EXPECT_NE(loadError({"x"}, {"y", "w"}).find("no output named 'w'"), std::string::npos);
  EXPECT_NE(loadError({"x"}, {"y,z"}).find("comma"), std::string::npos);
}

TEST(RuntimeBindings, ASavedStateNamingAnOutputTwiceIsRefusedAtLoad) {
  TRTEngine good("e", twoOutputPlan(), "cpu", {"x"}, {"y", "z"});
  std::vector<std::string> state = good.serialize();
  EXPECT_NO_THROW(TRTEngine{state});
  state[torch_tensorrt::core::runtime::OUTPUT_BINDING_NAMES_IDX] = "y,y";
  try {
    TRTEngine loaded(state);
    FAIL() << "a saved state binding output 'y' twice loaded";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("twice"), std::string::npos) << e.what();
  }
  state[torch_tensorrt::core::runtime::OUTPUT_BINDING_NAMES_IDX] = "y,,z";
  EXPECT_ANY_THROW(TRTEngine{state});
}

// Outputs larger than the memory cap are refused before anything is allocated, naming the layer.
TEST(RuntimeMemory, AnOutputBeyondTheMemoryCapIsRefusedNamingItsLayer) {
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", trt::DataType::kFLOAT, {2});
  auto* fill = net.addFill({1024, 1024}, trt::FillOperation::kCONSTANT);  // 4 MiB of float32
  fill->setName("big_fill");
  fill->getOutput(0)->setName("y");
  net.markOutput(*fill->getOutput(0));
  auto* id = net.addIdentity(*x);
  id->getOutput(0)->setName("z");
  net.markOutput(*id->getOutput(0));
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
  std::unique_ptr<trt::IHostMemory> mem(builder->buildSerializedNetwork(net, *config));
  TRTEngine engine("e", std::string(static_cast<const char*>(mem->data()), mem->size()), "cpu", {"x"}, {"y", "z"});
  const std::vector<at::Tensor> in = {at::ones({2})};
  EXPECT_EQ(engine.execute(in).at(0).numel(), 1024 * 1024);
  trt::setMemoryCap(1 << 20);
  try {
    engine.execute(in);
    FAIL() << "a 4 MiB output ran under a 1 MiB cap";
  } catch (const std::exception& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("Layer 'big_fill' (Fill): its output 'y' (1024, 1024) float32 needs 4194304 bytes (4.0 MiB)"),
              std::string::npos)
        << what;
    EXPECT_NE(what.find("memory cap"), std::string::npos) << what;
  }
  trt::setMemoryCap(trt::kMemoryCapFromEnvironment);
  EXPECT_EQ(engine.execute(in).at(1).numel(), 2);
}

}  // namespace
