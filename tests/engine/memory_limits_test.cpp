// Memory limits of a run (issue 28): demands are checked against the memory available and a
// configurable cap, and refused with the layer, the tensor and the size named.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "trt/memory_limits.h"
#include "trt/trt.h"

namespace {

struct CapReset {
  ~CapReset() {
    trt::setMemoryCap(trt::kMemoryCapFromEnvironment);
    unsetenv("TORCHTRT_MEMORY_CAP");
  }
};

std::string refusal(const std::string& what, uint64_t bytes, uint64_t available) {
  try {
    trt::checkMemoryDemand(what, bytes, available, "host memory");
    return "";
  } catch (const trt::Error& e) {
    return e.what();
  }
}

TEST(MemoryLimits, AvailableHostMemoryIsReadFromMeminfo) {
  const uint64_t available = trt::availableHostMemory();
  EXPECT_GT(available, 0u);
  EXPECT_LT(available, uint64_t{1} << 50);
}

TEST(MemoryLimits, DemandsBeyondTheAvailableMemoryAreRefusedNamingWhatAndHowMuch) {
  CapReset reset;
  trt::setMemoryCap(0);
  EXPECT_EQ(refusal("layer 'f'", 1000, 2000), "");
  EXPECT_EQ(refusal("layer 'f'", 1000, 0), "") << "0 means unknown: only the cap applies";
  const std::string e =
      refusal("Layer 'f' (Fill): its output 'y' (1073741824, 4) float32", uint64_t{16} << 30, uint64_t{8} << 30);
  EXPECT_NE(e.find("Layer 'f' (Fill): its output 'y' (1073741824, 4) float32 needs 17179869184 bytes (16.0 GiB)"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("8589934592 bytes (8.0 GiB) of host memory available"), std::string::npos) << e;
}

TEST(MemoryLimits, TheCapIsSetByTheApiOrTheEnvironment) {
  CapReset reset;
  trt::setMemoryCap(1 << 20);
  EXPECT_EQ(refusal("x", 1 << 20, 0), "");
  EXPECT_NE(refusal("x", (1 << 20) + 1, 0).find("more than the memory cap of 1048576 bytes"), std::string::npos);
  trt::setMemoryCap(trt::kMemoryCapFromEnvironment);
  setenv("TORCHTRT_MEMORY_CAP", "2K", 1);
  EXPECT_EQ(trt::memoryCap(), 2048u);
  EXPECT_NE(refusal("x", 2049, 0).find("memory cap of 2048 bytes"), std::string::npos);
  setenv("TORCHTRT_MEMORY_CAP", "3G", 1);
  EXPECT_EQ(trt::memoryCap(), uint64_t{3} << 30);
  setenv("TORCHTRT_MEMORY_CAP", "lots", 1);
  EXPECT_THROW(trt::memoryCap(), trt::Error);
  unsetenv("TORCHTRT_MEMORY_CAP");
  EXPECT_EQ(trt::memoryCap(), 0u);
}

TEST(MemoryLimits, TensorsAreNamedByTheirProducingLayer) {
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", trt::DataType::kFLOAT, {2, 3});
  auto* fill = net.addFill({1 << 30, 4}, trt::FillOperation::kCONSTANT);
  fill->setName("big");
  fill->getOutput(0)->setName("y");
  const trt::Dims shape{1 << 30, 4};
  EXPECT_EQ(trt::describeTensor(*fill->getOutput(0), shape),
            "Layer 'big' (Fill): its output 'y' (1073741824, 4) float32");
  EXPECT_EQ(trt::describeTensor(*x, x->getDimensions()), "network input 'x' (2, 3) float32");
  EXPECT_EQ(trt::tensorBytes(shape, trt::DataType::kFLOAT), uint64_t{16} << 30);
  EXPECT_EQ(trt::tensorBytes(trt::Dims{-1, 4}, trt::DataType::kFLOAT), UINT64_MAX);
  EXPECT_EQ(trt::tensorBytes(trt::Dims{1LL << 40, 1LL << 30}, trt::DataType::kFLOAT), UINT64_MAX);
}

}  // namespace

TEST(MemoryLimits, AnEnginesActivationsBeyondTheCapAreRefusedBeforeAllocating) {
  // x [1000] -> relu -> sigmoid -> y: relu's output (4000 bytes) lives in the activation arena.
  CapReset reset;
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", trt::DataType::kFLOAT, {1000});
  auto* relu = net.addActivation(*x, trt::ActivationType::kRELU);
  relu->setName("wide");
  auto* sig = net.addActivation(*relu->getOutput(0), trt::ActivationType::kSIGMOID);
  sig->getOutput(0)->setName("y");
  net.markOutput(*sig->getOutput(0));
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
  std::unique_ptr<trt::IHostMemory> plan(builder->buildSerializedNetwork(net, *config));
  std::unique_ptr<trt::IRuntime> runtime(trt::createInferRuntime(trt::defaultLogger()));
  std::unique_ptr<trt::ICudaEngine> engine(runtime->deserializeCudaEngine(plan->data(), plan->size()));
  std::vector<float> in(1000, 1.f), out(1000);
  auto runWithCap = [&](uint64_t cap) -> std::string {
    trt::setMemoryCap(cap);
    std::unique_ptr<trt::IExecutionContext> ctx(engine->createExecutionContext());
    ctx->setTensorAddress("x", in.data());
    ctx->setTensorAddress("y", out.data());
    try {
      ctx->enqueueV3(nullptr);
      return "";
    } catch (const trt::Error& e) {
      return e.what();
    }
  };
  const std::string refused = runWithCap(1000);
  EXPECT_NE(refused.find("activations"), std::string::npos) << refused;
  EXPECT_NE(refused.find("'wide'"), std::string::npos) << refused;
  EXPECT_EQ(runWithCap(0), "");
  EXPECT_NEAR(out[0], 1.f / (1.f + std::exp(-1.f)), 1e-6f);
}
