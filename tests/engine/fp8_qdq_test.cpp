// A quantization-aware model's FP8 quantization, as the frontend converts PyTorch's
// `(x / s).clamp(-448, 448).to(torch.float8_e4m3fn).to(torch.float32) * s`: the scale moves into the quantization
// and dequantization (exactly: the codes are those of the float32 division), and in an FP8 build a product by
// fake-quantized weights reading the dequantization becomes an FP8 product of the codes. Weights off every FP8 grid
// keep the float product. Every result against the model's own arithmetic computed here.
#include <cmath>
#include <vector>

#include "builder/passes/passes.h"
#include "common/fp8.h"
#include "engine_test_util.h"

using namespace trt_test;

namespace {
constexpr int64_t Rows = 6, K = 32, N = 16;
constexpr float kInputScale = 0.0137f;

// Inputs where x * (1 / s) and x / s round to different E4M3 codes (the division is what PyTorch computes), then
// random ones.
std::vector<float> inputsAcrossRoundingBoundaries() {
  std::vector<float> x;
  const float inverse = 1.f / kInputScale;
  // Near each midpoint between neighbouring codes (the quotient's rounding boundary), a few floats either side;
  // large codes first, whose steps change the results most.
  for (int code = 0x7D; code >= 1 && x.size() < 8; --code) {
    const float mid =
        0.5f * (trt::fp8::toFloat(static_cast<uint8_t>(code)) + trt::fp8::toFloat(static_cast<uint8_t>(code + 1)));
    float v = mid * kInputScale;
    for (int step = 0; step < 8; ++step) v = std::nextafter(v, 0.f);
    for (int step = 0; step < 16 && x.size() < 8; ++step, v = std::nextafter(v, 1e9f))
      if (trt::fp8::fromFloatSaturating(v * inverse) != trt::fp8::fromFloatSaturating(v / kInputScale))
        x.push_back(code % 2 ? v : -v);
  }
  EXPECT_EQ(x.size(), 8u) << "no input found where the reciprocal's rounding changes a code";
  for (float v : randomVector(static_cast<size_t>(Rows * K) - x.size(), 601, -8.f, 8.f)) x.push_back(v);
  return x;
}

// Weights fake-quantized with a scale whose largest code is `largestCode` (448, or less: a scale from a running
// amax larger than the final one), or off every grid.
std::vector<float> weights(float largestCode, bool onGrid) {
  std::vector<float> w = randomVector(static_cast<size_t>(N * K), 602, -1.f, 1.f);
  if (!onGrid) return w;
  const float scale = 0.0021f;
  for (float& v : w) v = trt::fp8::toFloat(trt::fp8::quantize(v * largestCode * scale, scale)) * scale;
  w[3] = largestCode * scale;  // the largest magnitude present
  return w;
}

// y = dequantize(quantize(x)) . W^T + b, written as the frontend converts the model.
// `bound`: the clamp's, 448 as PyTorch's FP8 quantization writes it.
struct QatLinear {
  std::vector<float> w, b = randomVector(N, 603);
  float bound;
  trt::INetworkDefinition net;
  explicit QatLinear(std::vector<float> weightValues, float clampBound = 448.f)
      : w(std::move(weightValues)), bound(clampBound) {
    static const float scale = kInputScale;
    const float lo = -bound;
    auto* x = net.addInput("x", trt::DataType::kFLOAT, {Rows, K});
    auto* s = net.addConstant(trt::Dims{}, {trt::DataType::kFLOAT, &scale, 1})->getOutput(0);
    auto* div = net.addElementWise(*x, *s, trt::ElementWiseOperation::kDIV);
    auto* clip = net.addActivation(*div->getOutput(0), trt::ActivationType::kCLIP);
    clip->setAlpha(lo);
    clip->setBeta(-lo);
    auto* q = net.addQuantize(*clip->getOutput(0), {1.f});
    q->setToType(trt::DataType::kFP8);
    auto* dq = net.addDequantize(*q->getOutput(0), {1.f});
    auto* mul = net.addElementWise(*s, *dq->getOutput(0), trt::ElementWiseOperation::kPROD);
    auto* wc = net.addConstant(trt::Dims{N, K}, {trt::DataType::kFLOAT, w.data(), N * K});
    auto* mm = net.addMatrixMultiply(*mul->getOutput(0), trt::MatrixOperation::kNONE, *wc->getOutput(0),
                                     trt::MatrixOperation::kTRANSPOSE);
    auto* bc = net.addConstant(trt::Dims{1, N}, {trt::DataType::kFLOAT, b.data(), N});
    auto* y = net.addElementWise(*mm->getOutput(0), *bc->getOutput(0), trt::ElementWiseOperation::kSUM);
    y->getOutput(0)->setName("y");
    net.markOutput(*y->getOutput(0));
  }
  // PyTorch's arithmetic: the float32 division, E4M3 rounding of the clamped quotient, times s, then the linear.
  std::vector<float> expected(const std::vector<float>& x) const {
    std::vector<float> y(static_cast<size_t>(Rows * N));
    for (int64_t r = 0; r < Rows; ++r)
      for (int64_t n = 0; n < N; ++n) {
        double acc = b[n];
        for (int64_t k = 0; k < K; ++k) {
          const float quotient = std::fmin(std::fmax(x[r * K + k] / kInputScale, -bound), bound);
          acc += static_cast<double>(trt::fp8::toFloat(trt::fp8::fromFloat(quotient)) * kInputScale) * w[n * K + k];
        }
        y[r * N + n] = static_cast<float>(acc);
      }
    return y;
  }
};

struct Layers {
  int quantize = 0, dequantize = 0, elementwise = 0, activation = 0, fp8Products = 0, floatProducts = 0;
  float quantizeScale = 0.f, productInputScale = 0.f;
};

Layers layersOf(const trt::ICudaEngine& engine) {
  Layers c;
  const trt::INetworkDefinition& net = engine.network();
  for (int l = 0; l < net.getNbLayers(); ++l) {
    const trt::ILayer* layer = net.getLayer(l);
    switch (layer->getType()) {
      case trt::LayerType::kQUANTIZE:
        ++c.quantize;
        c.quantizeScale = static_cast<const trt::IQuantizeLayer*>(layer)->getScales()[0];
        break;
      case trt::LayerType::kDEQUANTIZE:
        ++c.dequantize;
        break;
      case trt::LayerType::kELEMENTWISE:
        ++c.elementwise;
        break;
      case trt::LayerType::kACTIVATION:
        ++c.activation;
        break;
      case trt::LayerType::kMATRIX_MULTIPLY: {
        const auto* mm = static_cast<const trt::IMatrixMultiplyLayer*>(layer);
        if (mm->isFp8()) {
          ++c.fp8Products;
          c.productInputScale = mm->getFp8InputScale();
        } else {
          ++c.floatProducts;
        }
        break;
      }
      default:
        break;
    }
  }
  return c;
}

Built buildWith(trt::INetworkDefinition& net, bool fp8) {
  trt::IBuilderConfig config;
  if (fp8) config.setFlag(trt::BuilderFlag::kFP8);
  return build(net, &config);
}
}  // namespace

TEST(Fp8Qdq, TheScalesMoveIntoTheQuantizationsAndTheCodesArePyTorchs) {
  // Without FP8 enabled the product stays float32, reading the dequantized values: the model's arithmetic.
  const auto x = inputsAcrossRoundingBoundaries();
  QatLinear model(weights(448.f, true));
  Built built = buildWith(model.net, false);
  const Layers c = layersOf(*built.engine);
  EXPECT_EQ(c.quantize, 1) << built.engine->describeLayers();
  EXPECT_EQ(c.quantizeScale, kInputScale);
  EXPECT_EQ(c.dequantize, 1);
  EXPECT_EQ(c.elementwise, 0) << "division and multiply by the scale folded" << built.engine->describeLayers();
  EXPECT_EQ(c.activation, 0) << "the clip to the saturation bounds dropped";
  EXPECT_EQ(c.floatProducts, 1);
  expectNear(run(*built.engine, {{"x", {trt::Dims{Rows, K}, x}}}).at("y"), model.expected(x), 1e-5f);
}

TEST(Fp8Qdq, AnFp8BuildMultipliesTheCodesOfFakeQuantizedWeights) {
  const auto x = inputsAcrossRoundingBoundaries();
  for (float largestCode : {448.f, 240.f, 13.f}) {
    SCOPED_TRACE(largestCode);
    QatLinear model(weights(largestCode, true));
    Built built = buildWith(model.net, true);
    const Layers c = layersOf(*built.engine);
    EXPECT_EQ(c.fp8Products, 1) << built.engine->describeLayers();
    EXPECT_EQ(c.floatProducts + c.dequantize + c.elementwise + c.activation, 0) << built.engine->describeLayers();
    EXPECT_EQ(c.productInputScale, kInputScale);
    // The same sums of exact products of E4M3 values, in float32 here against double above.
    expectNear(run(*built.engine, {{"x", {trt::Dims{Rows, K}, x}}}).at("y"), model.expected(x), 1e-4f);
  }
}

TEST(Fp8Qdq, WeightsOffEveryFp8GridKeepTheFloatProduct) {
  const auto x = inputsAcrossRoundingBoundaries();
  QatLinear model(weights(448.f, false));
  Built built = buildWith(model.net, true);
  const Layers c = layersOf(*built.engine);
  EXPECT_EQ(c.fp8Products, 0) << built.engine->describeLayers();
  EXPECT_EQ(c.floatProducts, 1);
  expectNear(run(*built.engine, {{"x", {trt::Dims{Rows, K}, x}}}).at("y"), model.expected(x), 1e-5f);
}

TEST(Fp8Qdq, AnInt8BuildLeavesFp8PairsToTheirOwnFusion) {
  // INT8's Q/DQ fusion reads INT8 pairs only: an FP8 pair in an INT8 build stays what the model computes.
  const auto x = inputsAcrossRoundingBoundaries();
  QatLinear model(weights(448.f, true));
  trt::IBuilderConfig config;
  config.setFlag(trt::BuilderFlag::kINT8);
  Built built = build(model.net, &config);
  const Layers c = layersOf(*built.engine);
  EXPECT_EQ(c.floatProducts, 1) << built.engine->describeLayers();
  expectNear(run(*built.engine, {{"x", {trt::Dims{Rows, K}, x}}}).at("y"), model.expected(x), 1e-5f);
}

TEST(Fp8Qdq, AClipNarrowerThanTheSaturationBoundsStays) {
  // clamp(-100, 100) is not the quantization's own saturation: it must still run (the inputs reach |x / s| ~ 580).
  const auto x = inputsAcrossRoundingBoundaries();
  QatLinear model(weights(448.f, true), 100.f);
  Built built = buildWith(model.net, false);
  EXPECT_EQ(layersOf(*built.engine).activation, 1) << built.engine->describeLayers();
  expectNear(run(*built.engine, {{"x", {trt::Dims{Rows, K}, x}}}).at("y"), model.expected(x), 1e-5f);
}

TEST(Fp8Qdq, GridDetectionFindsTheScaleOfFakeQuantizedValues) {
  for (float largestCode : {448.f, 240.f, 0.5f}) {
    const auto w = weights(largestCode, true);
    float scale = 0.f;
    std::vector<uint8_t> codes;
    ASSERT_TRUE(trt::passes::fp8GridCodes(w, scale, codes)) << largestCode;
    for (size_t i = 0; i < w.size(); ++i) ASSERT_EQ(trt::fp8::toFloat(codes[i]) * scale, w[i]) << i;
  }
  float scale = 0.f;
  std::vector<uint8_t> codes;
  EXPECT_FALSE(trt::passes::fp8GridCodes(weights(448.f, false), scale, codes));
  // One weight a float step off its code's value: not fake-quantized, its product stays float.
  auto nudged = weights(448.f, true);
  nudged[5] = std::nextafter(nudged[5], INFINITY);
  EXPECT_FALSE(trt::passes::fp8GridCodes(nudged, scale, codes));
  EXPECT_TRUE(trt::passes::fp8GridCodes(std::vector<float>(8, 0.f), scale, codes));
  EXPECT_FALSE(trt::passes::fp8GridCodes({1.f, NAN}, scale, codes));
}
