// `x * s + b` with per-channel constants (a batch norm after a concatenation) becomes one Scale layer.
#include <cmath>
#include <vector>

#include "engine_test_util.h"

using namespace trt_test;

TEST(ChannelAffine, APerChannelMultiplyThenAddIsOneScale) {
  // Channels on axis 1 (constants [1, C, 1, 1]) or on the last axis ([C]), either operand order.
  const int64_t N = 2, C = 3, H = 4, W = 5;
  const auto x = randomVector(N * C * H * W, 601);
  for (bool lastAxis : {false, true})
    for (bool constantsFirst : {false, true}) {
      const int64_t channels = lastAxis ? W : C;
      const auto s = randomVector(channels, 602, 0.5f, 2.f), b = randomVector(channels, 603);
      trt::INetworkDefinition net;
      auto* in = net.addInput("x", trt::DataType::kFLOAT, {N, C, H, W});
      const trt::Dims cd = lastAxis ? trt::Dims{W} : trt::Dims{1, C, 1, 1};
      auto* sc = net.addConstant(cd, {trt::DataType::kFLOAT, s.data(), channels});
      auto* bc = net.addConstant(cd, {trt::DataType::kFLOAT, b.data(), channels});
      auto* mul = constantsFirst ? net.addElementWise(*sc->getOutput(0), *in, trt::ElementWiseOperation::kPROD)
                                 : net.addElementWise(*in, *sc->getOutput(0), trt::ElementWiseOperation::kPROD);
      auto* add = constantsFirst
                      ? net.addElementWise(*bc->getOutput(0), *mul->getOutput(0), trt::ElementWiseOperation::kSUM)
                      : net.addElementWise(*mul->getOutput(0), *bc->getOutput(0), trt::ElementWiseOperation::kSUM);
      add->getOutput(0)->setName("y");
      net.markOutput(*add->getOutput(0));
      Built built = build(net);
      EXPECT_EQ(countLayersOfKind(*built.engine, "Scale"), 1) << built.engine->describeLayers();
      EXPECT_EQ(countLayersOfKind(*built.engine, "ElementWise"), 0) << built.engine->describeLayers();
      std::vector<float> expected(x.size());
      for (size_t i = 0; i < x.size(); ++i) {
        const size_t c = lastAxis ? i % W : (i / (H * W)) % C;
        expected[i] = x[i] * s[c] + b[c];
      }
      expectNear(run(*built.engine, {{"x", {trt::Dims{N, C, H, W}, x}}}).at("y"), expected, 1e-6f);
    }
}

TEST(ChannelAffine, ConstantsVaryingAlongTwoAxesStayElementwise) {
  const auto x = randomVector(2 * 3 * 4, 611), s = randomVector(3 * 4, 612), b = randomVector(3, 613);
  trt::INetworkDefinition net;
  auto* in = net.addInput("x", trt::DataType::kFLOAT, {2, 3, 4});
  auto* sc = net.addConstant({3, 4}, {trt::DataType::kFLOAT, s.data(), 12});
  auto* bc = net.addConstant({3, 1}, {trt::DataType::kFLOAT, b.data(), 3});
  auto* mul = net.addElementWise(*in, *sc->getOutput(0), trt::ElementWiseOperation::kPROD);
  auto* add = net.addElementWise(*mul->getOutput(0), *bc->getOutput(0), trt::ElementWiseOperation::kSUM);
  add->getOutput(0)->setName("y");
  net.markOutput(*add->getOutput(0));
  Built built = build(net);
  EXPECT_EQ(countLayersOfKind(*built.engine, "Scale"), 0) << built.engine->describeLayers();
  std::vector<float> expected(x.size());
  for (size_t i = 0; i < x.size(); ++i) expected[i] = x[i] * s[i % 12] + b[(i / 4) % 3];
  expectNear(run(*built.engine, {{"x", {trt::Dims{2, 3, 4}, x}}}).at("y"), expected, 1e-6f);
}

TEST(ChannelAffine, TheActivationAfterTheNormJoinsTheScale) {
  // DenseNet's pre-activation: norm then ReLU (or SiLU), one Scale layer computing both.
  const int64_t N = 2, C = 3, H = 4, W = 5;
  const auto x = randomVector(N * C * H * W, 621), s = randomVector(C, 622, 0.5f, 2.f), b = randomVector(C, 623);
  for (trt::ActivationType type : {trt::ActivationType::kRELU, trt::ActivationType::kSILU}) {
    trt::INetworkDefinition net;
    auto* in = net.addInput("x", trt::DataType::kFLOAT, {N, C, H, W});
    auto* sc = net.addConstant({1, C, 1, 1}, {trt::DataType::kFLOAT, s.data(), C});
    auto* bc = net.addConstant({1, C, 1, 1}, {trt::DataType::kFLOAT, b.data(), C});
    auto* mul = net.addElementWise(*in, *sc->getOutput(0), trt::ElementWiseOperation::kPROD);
    auto* add = net.addElementWise(*mul->getOutput(0), *bc->getOutput(0), trt::ElementWiseOperation::kSUM);
    auto* act = net.addActivation(*add->getOutput(0), type);
    act->getOutput(0)->setName("y");
    net.markOutput(*act->getOutput(0));
    Built built = build(net);
    EXPECT_EQ(countLayersOfKind(*built.engine, "Scale"), 1) << built.engine->describeLayers();
    EXPECT_EQ(countLayersOfKind(*built.engine, "Activation"), 0) << built.engine->describeLayers();
    std::vector<float> expected(x.size());
    for (size_t i = 0; i < x.size(); ++i) {
      const size_t c = (i / (H * W)) % C;
      const float v = x[i] * s[c] + b[c];
      expected[i] = type == trt::ActivationType::kRELU ? std::fmax(v, 0.f) : v / (1.f + std::exp(-v));
    }
    expectNear(run(*built.engine, {{"x", {trt::Dims{N, C, H, W}, x}}}).at("y"), expected, 1e-5f);
  }
}
