// A squeeze-and-excitation gate [N, 1, 1, C] multiplying the feature map that a channels-last 1x1 projection
// reads becomes that projection's weights scaled per image: one product batched over the images (bias and
// residual in its epilogue), no multiply over the feature map; the results are the chain's.
#include <cmath>
#include <vector>

#include "engine_test_util.h"

using namespace trt_test;

namespace {
constexpr int64_t N = 3, H = 4, W = 5, C = 6, Cout = 7;

struct GatedProjection {
  std::vector<float> w = randomVector(Cout * C, 501), b = randomVector(Cout, 502);
  trt::INetworkDefinition net;
  GatedProjection(bool withResidual, bool gateFirst) {
    auto* x = net.addInput("x", trt::DataType::kFLOAT, {N, H, W, C});
    auto* g = net.addInput("g", trt::DataType::kFLOAT, {N, 1, 1, C});
    auto* mul = gateFirst ? net.addElementWise(*g, *x, trt::ElementWiseOperation::kPROD)
                          : net.addElementWise(*x, *g, trt::ElementWiseOperation::kPROD);
    auto* conv = net.addConvolutionNd(*mul->getOutput(0), Cout, {1, 1}, {trt::DataType::kFLOAT, w.data(), Cout * C},
                                      {trt::DataType::kFLOAT, b.data(), Cout});
    conv->setChannelsLast(true);
    if (withResidual) conv->setInput(1, *net.addInput("r", trt::DataType::kFLOAT, {N, H, W, Cout}));
    conv->getOutput(0)->setName("y");
    net.markOutput(*conv->getOutput(0));
  }
  std::vector<float> reference(const std::vector<float>& x, const std::vector<float>& g,
                               const std::vector<float>* r) const {
    std::vector<float> y(static_cast<size_t>(N * H * W * Cout));
    for (int64_t n = 0; n < N; ++n)
      for (int64_t p = 0; p < H * W; ++p)
        for (int64_t o = 0; o < Cout; ++o) {
          double acc = b[o];
          for (int64_t c = 0; c < C; ++c)
            acc += static_cast<double>(x[(n * H * W + p) * C + c]) * g[n * C + c] * w[o * C + c];
          const size_t at = static_cast<size_t>((n * H * W + p) * Cout + o);
          y[at] = static_cast<float>(acc + (r ? (*r)[at] : 0.f));
        }
    return y;
  }
};
}  // namespace

TEST(ExcitationGate, TheGateScalesTheProjectionsWeightsPerImage) {
  const auto x = randomVector(N * H * W * C, 503), g = randomVector(N * C, 504, 0.f, 1.f),
             r = randomVector(N * H * W * Cout, 505);
  for (bool withResidual : {false, true})
    for (bool gateFirst : {false, true}) {
      GatedProjection p(withResidual, gateFirst);
      Built b = build(p.net);
      EXPECT_EQ(countLayersOfKind(*b.engine, "Convolution"), 0) << b.engine->describeLayers();
      EXPECT_EQ(countLayersOfKind(*b.engine, "MatrixMultiply"), 1) << b.engine->describeLayers();
      std::map<std::string, std::pair<trt::Dims, std::vector<float>>> inputs = {{"x", {trt::Dims{N, H, W, C}, x}},
                                                                                {"g", {trt::Dims{N, 1, 1, C}, g}}};
      if (withResidual) inputs["r"] = {trt::Dims{N, H, W, Cout}, r};
      expectNear(run(*b.engine, inputs).at("y"), p.reference(x, g, withResidual ? &r : nullptr), 1e-5f);
    }
}

TEST(ExcitationGate, AProjectionEndingInAReluAfterItsResidualKeepsIt) {
  // RegNetY: relu(conv(x * gate) + bias + residual), the order the product's epilogue computes them in.
  const auto x = randomVector(N * H * W * C, 531), g = randomVector(N * C, 532, 0.f, 1.f),
             r = randomVector(N * H * W * Cout, 533);
  GatedProjection p(true, false);
  static_cast<trt::IConvolutionLayer*>(p.net.getLayer(1))
      ->setFusedActivation(static_cast<int32_t>(trt::ActivationType::kRELU));
  Built b = build(p.net);
  EXPECT_EQ(countLayersOfKind(*b.engine, "MatrixMultiply"), 1) << b.engine->describeLayers();
  auto expected = p.reference(x, g, &r);
  for (float& v : expected) v = std::fmax(v, 0.f);
  expectNear(
      run(*b.engine,
          {{"x", {trt::Dims{N, H, W, C}, x}}, {"g", {trt::Dims{N, 1, 1, C}, g}}, {"r", {trt::Dims{N, H, W, Cout}, r}}})
          .at("y"),
      expected, 1e-5f);
}

TEST(ExcitationGate, AStridedProjectionStaysAConvolution) {
  // Only 1x1 stride-1 projections read every pixel as a row: a stride-2 one keeps its convolution, still exact.
  const auto x = randomVector(N * H * W * C, 506), g = randomVector(N * C, 507, 0.f, 1.f);
  GatedProjection p(false, false);
  static_cast<trt::IConvolutionLayer*>(p.net.getLayer(1))->setStrideNd({2, 2});
  Built b = build(p.net);
  EXPECT_EQ(countLayersOfKind(*b.engine, "Convolution"), 1) << b.engine->describeLayers();
  const int64_t Ho = (H + 1) / 2, Wo = (W + 1) / 2;
  std::vector<float> expected;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t i = 0; i < Ho; ++i)
      for (int64_t j = 0; j < Wo; ++j)
        for (int64_t o = 0; o < Cout; ++o) {
          double acc = p.b[o];
          for (int64_t c = 0; c < C; ++c)
            acc += static_cast<double>(x[((n * H + 2 * i) * W + 2 * j) * C + c]) * g[n * C + c] * p.w[o * C + c];
          expected.push_back(static_cast<float>(acc));
        }
  expectNear(run(*b.engine, {{"x", {trt::Dims{N, H, W, C}, x}}, {"g", {trt::Dims{N, 1, 1, C}, g}}}).at("y"), expected,
             1e-5f);
}

TEST(ExcitationGate, ImagesWithFewPixelsPerOutputKeepTheMultiply) {
  // 2x2 pixels against 7 outputs: weights per image would cost more than the multiply they replace.
  const auto w = randomVector(Cout * C, 521), b = randomVector(Cout, 522);
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", trt::DataType::kFLOAT, {N, 2, 2, C});
  auto* g = net.addInput("g", trt::DataType::kFLOAT, {N, 1, 1, C});
  auto* mul = net.addElementWise(*x, *g, trt::ElementWiseOperation::kPROD);
  auto* conv = net.addConvolutionNd(*mul->getOutput(0), Cout, {1, 1}, {trt::DataType::kFLOAT, w.data(), Cout * C},
                                    {trt::DataType::kFLOAT, b.data(), Cout});
  conv->setChannelsLast(true);
  conv->getOutput(0)->setName("y");
  net.markOutput(*conv->getOutput(0));
  Built built = build(net);
  EXPECT_EQ(countLayersOfKind(*built.engine, "Convolution"), 1) << built.engine->describeLayers();
  EXPECT_EQ(countLayersOfKind(*built.engine, "MatrixMultiply"), 0) << built.engine->describeLayers();
}
