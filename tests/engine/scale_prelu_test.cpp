// Scale ((x * scale + shift) ^ power per tensor, channel or element) and ParametricReLU (broadcast
// slopes) against loops written for the test; refused configurations; CUDA against the CPU.
#include <cmath>

#include "engine_test_util.h"
#ifdef TORCHTRT_WITH_CUDA
#include <cuda_runtime.h>
#endif

using namespace trt_test;

namespace {
using trt::DataType;
using trt::Dims;

const Dims kShape{2, 3, 2, 2};

void scaleNetwork(trt::INetworkDefinition& net, trt::ScaleMode mode, std::vector<float> shift, std::vector<float> scale,
                  std::vector<float> power) {
  trt::ITensor* x = net.addInput("x", DataType::kFLOAT, kShape);
  auto* s = net.addScale(*x, mode, std::move(shift), std::move(scale), std::move(power));
  s->getOutput(0)->setName("y");
  net.markOutput(*s->getOutput(0));
}

void preluNetwork(trt::INetworkDefinition& net, Dims slopeDims, const std::vector<float>& slope) {
  trt::ITensor* x = net.addInput("x", DataType::kFLOAT, kShape);
  auto* k = net.addConstant(slopeDims, {DataType::kFLOAT, slope.data(), static_cast<int64_t>(slope.size())});
  auto* p = net.addParametricReLU(*x, *k->getOutput(0));
  p->getOutput(0)->setName("y");
  net.markOutput(*p->getOutput(0));
}
}  // namespace

TEST(Scale, UniformChannelAndElementwiseMatchLoops) {
  const auto x = randomVector(24, 31, 0.5f, 2.f);  // positive: powers stay real
  {
    trt::INetworkDefinition net;
    scaleNetwork(net, trt::ScaleMode::kUNIFORM, {0.5f}, {2.f}, {2.f});
    Built b = build(net);
    std::vector<float> expected;
    for (float v : x) expected.push_back(std::pow(v * 2.f + 0.5f, 2.f));
    expectNear(run(*b.engine, {{"x", {kShape, x}}})["y"], expected, 1e-6f);
  }
  {
    trt::INetworkDefinition net;
    scaleNetwork(net, trt::ScaleMode::kCHANNEL, {1.f, -1.f, 0.f}, {0.5f, 2.f, -3.f}, {});
    Built b = build(net);
    std::vector<float> expected;
    const float sh[3] = {1.f, -1.f, 0.f}, sc[3] = {0.5f, 2.f, -3.f};
    for (int i = 0; i < 24; ++i) expected.push_back(x[i] * sc[(i / 4) % 3] + sh[(i / 4) % 3]);
    expectNear(run(*b.engine, {{"x", {kShape, x}}})["y"], expected, 1e-6f);
  }
  {
    trt::INetworkDefinition net;
    const auto sc = randomVector(12, 32);
    scaleNetwork(net, trt::ScaleMode::kELEMENTWISE, {}, sc, {});
    Built b = build(net);
    std::vector<float> expected;
    for (int i = 0; i < 24; ++i) expected.push_back(x[i] * sc[i % 12]);
    expectNear(run(*b.engine, {{"x", {kShape, x}}})["y"], expected, 1e-6f);
  }
}

TEST(Scale, CoefficientCountsAreChecked) {
  trt::INetworkDefinition net;
  try {
    scaleNetwork(net, trt::ScaleMode::kCHANNEL, {1.f, 2.f}, {}, {});
    net.getOutput(0)->getDimensions();
    FAIL();
  } catch (const trt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("shift has 2 coefficients, the mode needs 3"), std::string::npos) << e.what();
  }
}

TEST(ParametricReLU, BroadcastSlopesMatchLoops) {
  const auto x = randomVector(24, 33);
  const std::vector<float> perChannel = {0.1f, -0.5f, 2.f};
  trt::INetworkDefinition net;
  preluNetwork(net, {3, 1, 1}, perChannel);
  Built b = build(net);
  std::vector<float> expected;
  for (int i = 0; i < 24; ++i) expected.push_back(x[i] > 0.f ? x[i] : perChannel[(i / 4) % 3] * x[i]);
  EXPECT_EQ(run(*b.engine, {{"x", {kShape, x}}})["y"], expected);
  // A slope of 4 does not broadcast to a last dimension of 2; one of 2 (per last position) would.
  trt::INetworkDefinition bad;
  const std::vector<float> four = {1.f, 2.f, 3.f, 4.f};
  try {
    preluNetwork(bad, {4}, four);
    bad.getOutput(0)->getDimensions();
    FAIL();
  } catch (const trt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("ParametricReLU"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("broadcast"), std::string::npos) << e.what();
  }
}

#ifdef TORCHTRT_WITH_CUDA
TEST(ScaleAndParametricReLU, CudaMatchesTheCpu) {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess || n == 0) GTEST_SKIP() << "no CUDA GPU visible";
  const auto x = randomVector(24, 34, 0.2f, 1.5f);
  const std::vector<float> slope = {0.25f, -1.f};
  for (int which = 0; which < 2; ++which) {
    std::vector<float> results[2];
    for (int gpuRun = 0; gpuRun < 2; ++gpuRun) {
      trt::INetworkDefinition net;
      if (which == 0)
        scaleNetwork(net, trt::ScaleMode::kCHANNEL, {0.f, 1.f, 2.f}, {1.f, -2.f, 0.5f}, {2.f, 1.f, 3.f});
      else
        preluNetwork(net, {2}, slope);
      trt::IBuilderConfig config;
      config.setBackend(gpuRun ? trt::Backend::kCUDA : trt::Backend::kCPU);
      config.clearFlag(trt::BuilderFlag::kTF32);
      Built b = build(net, &config);
      results[gpuRun] = run(*b.engine, {{"x", {net.getInput(0)->getDimensions(), x}}})["y"];
    }
    expectNear(results[1], results[0], 1e-6f);
  }
}
#endif
