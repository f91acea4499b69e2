// INT8 matrix multiply: the layer against integer reference loops, its shape checks, the Q/DQ fusion
// of a product by constant weights, calibration of a two-layer perceptron, and the plan round trip.
#include <cmath>
#include <functional>

#include "common/half.h"
#include "int8_test_util.h"

using namespace trt_test;

namespace {
// x [rows..., K] times INT8 weights [N, K] (transposed), with the scales, bias, alpha and ReLU given.
struct Int8Product {
  std::vector<int8_t> weights;
  std::vector<float> bias, weightScales;
  trt::INetworkDefinition net;
  trt::IMatrixMultiplyLayer* mm = nullptr;
  std::vector<float> residual;  // of the output's shape when given
  Int8Product(trt::Dims xDims, int64_t N, float inputScale, float alpha, bool withBias, bool relu,
              bool withResidual = false) {
    const int64_t K = xDims.d[xDims.nbDims - 1];
    const std::vector<float> w = randomVector(static_cast<size_t>(N * K), 91, -127.f, 127.f);
    for (float v : w) weights.push_back(static_cast<int8_t>(std::lround(v)));
    bias = randomVector(static_cast<size_t>(N), 92);
    for (int64_t n = 0; n < N; ++n) weightScales.push_back(0.003f + 0.0005f * static_cast<float>(n));
    auto* x = net.addInput("x", trt::DataType::kFLOAT, xDims);
    auto* biasConstant = net.addConstant(trt::Dims{N}, {trt::DataType::kFLOAT, bias.data(), N});
    auto* wc = net.addConstant(trt::Dims{N, K}, {trt::DataType::kINT8, weights.data(), N * K});
    mm = net.addMatrixMultiply(*x, trt::MatrixOperation::kNONE, *wc->getOutput(0), trt::MatrixOperation::kTRANSPOSE);
    mm->setInt8Scales(inputScale, weightScales);
    mm->setAlpha(alpha);
    if (withBias) mm->setInput(2, *biasConstant->getOutput(0));
    if (withResidual) {
      trt::Dims outDims = xDims;
      outDims.d[outDims.nbDims - 1] = N;
      residual = randomVector(static_cast<size_t>(outDims.volume()), 97);
      auto* r = net.addConstant(outDims, {trt::DataType::kFLOAT, residual.data(), outDims.volume()});
      net.moveLayer(r, net.indexOf(mm));  // computed before the product reads it
      mm->setInput(3, *r->getOutput(0));
    }
    if (relu) mm->setFusedActivation(static_cast<int32_t>(trt::ActivationType::kRELU));
    mm->getOutput(0)->setName("y");
    net.markOutput(*mm->getOutput(0));
  }
};

// Cosine similarity of two equally long vectors.
double cosine(const std::vector<float>& a, const std::vector<float>& b) {
  double dot = 0, na = 0, nb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    dot += static_cast<double>(a[i]) * b[i];
    na += static_cast<double>(a[i]) * a[i];
    nb += static_cast<double>(b[i]) * b[i];
  }
  return dot / std::sqrt(na * nb);
}

// x [B, 8] -> linear(8 -> 16, weights stored [16, 8], used transposed) + bias -> relu -> product
// by weights stored [16, 4] (as is) -> y [B, 4].
struct Perceptron {
  std::vector<float> w1 = randomVector(16 * 8, 101), b1 = randomVector(16, 102), w2 = randomVector(16 * 4, 103);
  trt::INetworkDefinition net;
  explicit Perceptron(bool qdq = false, float inputScale = 0.02f) {
    trt::ITensor* x = net.addInput("x", trt::DataType::kFLOAT, {-1, 8});
    if (qdq) {
      auto* q = net.addQuantize(*x, {inputScale});
      x = net.addDequantize(*q->getOutput(0), {inputScale})->getOutput(0);
    }
    auto* c1 = net.addConstant(trt::Dims{16, 8}, {trt::DataType::kFLOAT, w1.data(), 128});
    auto* m1 =
        net.addMatrixMultiply(*x, trt::MatrixOperation::kNONE, *c1->getOutput(0), trt::MatrixOperation::kTRANSPOSE);
    auto* bc = net.addConstant(trt::Dims{1, 16}, {trt::DataType::kFLOAT, b1.data(), 16});
    auto* sum = net.addElementWise(*m1->getOutput(0), *bc->getOutput(0), trt::ElementWiseOperation::kSUM);
    auto* relu = net.addActivation(*sum->getOutput(0), trt::ActivationType::kRELU);
    relu->getOutput(0)->setName("hidden");
    auto* c2 = net.addConstant(trt::Dims{16, 4}, {trt::DataType::kFLOAT, w2.data(), 64});
    auto* m2 = net.addMatrixMultiply(*relu->getOutput(0), trt::MatrixOperation::kNONE, *c2->getOutput(0),
                                     trt::MatrixOperation::kNONE);
    m2->getOutput(0)->setName("y");
    net.markOutput(*m2->getOutput(0));
  }
};

std::unique_ptr<trt::IBuilderConfig> perceptronConfig(trt::IInt8Calibrator* calibrator, bool int8) {
  std::unique_ptr<trt::IBuilderConfig> config(new trt::IBuilderConfig());
  if (int8) config->setFlag(trt::BuilderFlag::kINT8);
  if (calibrator) config->setInt8Calibrator(calibrator);
  trt::IOptimizationProfile profile;
  profile.setDimensions("x", trt::OptProfileSelector::kMIN, {1, 8});
  profile.setDimensions("x", trt::OptProfileSelector::kOPT, {32, 8});
  profile.setDimensions("x", trt::OptProfileSelector::kMAX, {64, 8});
  config->addOptimizationProfile(&profile);
  return config;
}
}  // namespace

TEST(Int8MatrixMultiply, MatchesIntegerReference) {
  // Batch dimensions on x, K = 5 (not a multiple of 4), bias, alpha and ReLU, with and without a residual
  // (added after the bias, before the ReLU): the INT32 sums are exact.
  const int64_t B = 2, M = 3, K = 5, N = 4;
  const float sIn = 0.01f, alpha = 0.5f;
  for (bool withResidual : {false, true}) {
    Int8Product p(trt::Dims{B, M, K}, N, sIn, alpha, true, true, withResidual);
    Built b = build(p.net);
    EXPECT_EQ(countInt8Layers(*b.engine), 1) << b.engine->describeLayers();
    const std::vector<float> x = randomVector(static_cast<size_t>(B * M * K), 93, -1.5f, 1.5f);
    const auto y = run(*b.engine, {{"x", {trt::Dims{B, M, K}, x}}}).at("y");
    std::vector<float> expected;
    for (int64_t i = 0; i < B * M; ++i)
      for (int64_t n = 0; n < N; ++n) {
        int64_t sum = 0;
        for (int64_t k = 0; k < K; ++k)
          sum += static_cast<int64_t>(refQuantize(x[i * K + k], sIn)) * p.weights[n * K + k];
        float v = static_cast<float>(sum) * (sIn * p.weightScales[n] * alpha) + p.bias[n];
        if (withResidual) v += p.residual[i * N + n];
        expected.push_back(std::fmax(v, 0.f));
      }
    expectNear(y, expected, 1e-6f);
  }
}

TEST(Int8MatrixMultiply, ShapeChecksNameTheProblem) {
  auto expectError = [](const std::function<void(trt::INetworkDefinition&, trt::IMatrixMultiplyLayer&)>& breakIt,
                        const std::string& needle) {
    Int8Product p(trt::Dims{3, 5}, 4, 0.01f, 1.f, false, false);
    breakIt(p.net, *p.mm);
    try {
      build(p.net);
      FAIL() << "expected an error containing '" << needle << "'";
    } catch (const trt::Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  static const float floats[20] = {};
  expectError(
      [](trt::INetworkDefinition& net, trt::IMatrixMultiplyLayer& mm) {
        auto* c = net.addConstant(trt::Dims{4, 5}, {trt::DataType::kFLOAT, floats, 20});
        net.moveLayer(c, net.indexOf(&mm));
        mm.setInput(1, *c->getOutput(0));
      },
      "INT8 weights [N, K] transposed, got float32 (3, 5) and float32 (4, 5)");
  expectError(
      [](trt::INetworkDefinition&, trt::IMatrixMultiplyLayer& mm) {
        mm.setInt8Scales(0.01f, {0.1f, 0.2f});
      },
      "2 INT8 weight scales for 4 output columns");
  expectError(
      [](trt::INetworkDefinition&, trt::IMatrixMultiplyLayer& mm) { mm.setOperation(1, trt::MatrixOperation::kNONE); },
      "an INT8 matrix multiply takes");
  Int8Product p(trt::Dims{3, 5}, 4, 0.01f, 1.f, false, false);
  EXPECT_THROW(p.mm->setInt8Scales(0.f, {0.1f, 0.1f, 0.1f, 0.1f}), trt::Error);
  EXPECT_THROW(p.mm->setInt8Scales(0.1f, {0.1f, NAN, 0.1f, 0.1f}), trt::Error);
}

TEST(Int8MatrixMultiply, QdqPairBeforeProductsFusesIntoInt8Products) {
  // Both products read a Q/DQ pair (the second through ReLU, which commutes with quantization).
  // Weights put on a per-output-column INT8 grid first, as a quantization-aware model's are.
  Perceptron grid(true);
  for (int64_t n = 0; n < 16; ++n) {  // w1 rows are output columns
    float amax = 0.f;
    for (int k = 0; k < 8; ++k) amax = std::fmax(amax, std::fabs(grid.w1[n * 8 + k]));
    for (int k = 0; k < 8; ++k)
      grid.w1[n * 8 + k] = static_cast<float>(refQuantize(grid.w1[n * 8 + k], amax / 127.f)) * (amax / 127.f);
  }
  for (int64_t n = 0; n < 4; ++n) {  // w2 columns are output columns
    float amax = 0.f;
    for (int k = 0; k < 16; ++k) amax = std::fmax(amax, std::fabs(grid.w2[k * 4 + n]));
    for (int k = 0; k < 16; ++k)
      grid.w2[k * 4 + n] = static_cast<float>(refQuantize(grid.w2[k * 4 + n], amax / 127.f)) * (amax / 127.f);
  }
  // The second product's input: a Q/DQ pair inserted after the ReLU's input (before the ReLU).
  auto makeNet = [&](trt::INetworkDefinition& net, bool secondPair) {
    trt::ITensor* x = net.addInput("x", trt::DataType::kFLOAT, {-1, 8});
    auto* q = net.addQuantize(*x, {0.02f});
    x = net.addDequantize(*q->getOutput(0), {0.02f})->getOutput(0);
    auto* c1 = net.addConstant(trt::Dims{16, 8}, {trt::DataType::kFLOAT, grid.w1.data(), 128});
    auto* m1 =
        net.addMatrixMultiply(*x, trt::MatrixOperation::kNONE, *c1->getOutput(0), trt::MatrixOperation::kTRANSPOSE);
    auto* bc = net.addConstant(trt::Dims{1, 16}, {trt::DataType::kFLOAT, grid.b1.data(), 16});
    trt::ITensor* h =
        net.addElementWise(*m1->getOutput(0), *bc->getOutput(0), trt::ElementWiseOperation::kSUM)->getOutput(0);
    if (secondPair) {
      auto* q2 = net.addQuantize(*h, {0.05f});
      h = net.addDequantize(*q2->getOutput(0), {0.05f})->getOutput(0);
    }
    auto* relu = net.addActivation(*h, trt::ActivationType::kRELU);
    auto* c2 = net.addConstant(trt::Dims{16, 4}, {trt::DataType::kFLOAT, grid.w2.data(), 64});
    auto* m2 = net.addMatrixMultiply(*relu->getOutput(0), trt::MatrixOperation::kNONE, *c2->getOutput(0),
                                     trt::MatrixOperation::kNONE);
    m2->getOutput(0)->setName("y");
    net.markOutput(*m2->getOutput(0));
  };
  trt::INetworkDefinition int8Net, fp32Net;
  makeNet(int8Net, true);
  makeNet(fp32Net, true);
  Built fused = build(int8Net, perceptronConfig(nullptr, true).get());
  Built reference = build(fp32Net, perceptronConfig(nullptr, false).get());  // Q/DQ as FP32 fake quantization
  EXPECT_EQ(countInt8Layers(*fused.engine), 2) << fused.engine->describeLayers();
  const std::string layers = fused.engine->describeLayers();
  EXPECT_EQ(layers.find(": Quantize "), std::string::npos) << layers;  // every pair folded away
  EXPECT_EQ(layers.find(": Dequantize "), std::string::npos) << layers;
  const std::string json = fused.engine->describeLayersJson();
  EXPECT_NE(json.find("\"int8\":{\"input_scale\":0.02}"), std::string::npos) << json;
  const std::vector<float> x = randomVector(32 * 8, 104, -2.f, 2.f);
  // The same integers on both sides; FP32 sums in another order.
  expectNear(run(*fused.engine, {{"x", {trt::Dims{32, 8}, x}}}).at("y"),
             run(*reference.engine, {{"x", {trt::Dims{32, 8}, x}}}).at("y"), 1e-5f);
}

TEST(Int8MatrixMultiply, CalibrationQuantizesProductsAndTheCacheRebuildsTheSameEngine) {
  std::vector<std::vector<float>> batches;
  for (uint32_t i = 0; i < 4; ++i) batches.push_back(randomVector(32 * 8, 110 + i, -1.f, 1.f));
  VectorCalibrator calibrator(batches, trt::CalibrationAlgoType::kMINMAX_CALIBRATION, 32);
  Perceptron n;
  Built calibrated = build(n.net, perceptronConfig(&calibrator, true).get());
  EXPECT_EQ(calibrator.batchesRead(), 4u);
  EXPECT_EQ(countInt8Layers(*calibrated.engine), 2) << calibrated.engine->describeLayers();
  EXPECT_NE(calibrator.cacheOut.find("\nx: "), std::string::npos) << calibrator.cacheOut;
  // The second product reads the first one's output (its ReLU fused into it).
  EXPECT_EQ(calibrator.cacheOut.find("hidden"), std::string::npos) << calibrator.cacheOut;
  Perceptron n32;
  Built fp32 = build(n32.net, perceptronConfig(nullptr, false).get());
  const auto a = run(*calibrated.engine, {{"x", {trt::Dims{32, 8}, batches[0]}}}).at("y");
  const auto ref = run(*fp32.engine, {{"x", {trt::Dims{32, 8}, batches[0]}}}).at("y");
  EXPECT_GT(cosine(a, ref), 0.999);
  VectorCalibrator fromCache({}, trt::CalibrationAlgoType::kMINMAX_CALIBRATION, 32);
  fromCache.cacheIn = calibrator.cacheOut;
  Perceptron again;
  Built cached = build(again.net, perceptronConfig(&fromCache, true).get());
  EXPECT_EQ(fromCache.batchesRead(), 0u);
  EXPECT_EQ(cached.plan, calibrated.plan);
  // The plan round trip keeps the INT8 products.
  std::unique_ptr<trt::IHostMemory> serialized(calibrated.engine->serialize());
  const auto* bytes = static_cast<const uint8_t*>(serialized->data());
  EXPECT_EQ(std::vector<uint8_t>(bytes, bytes + serialized->size()), calibrated.plan);
}

TEST(Int8MatrixMultiply, FP16EnginesRunInt8ProductsOnHalfTensors) {
  // With FP16 enabled an INT8 product reads and writes half tensors (no casts around it): it
  // quantizes the half-rounded input and rounds its FP32 epilogue to half.
  Int8Product p(trt::Dims{6, 8}, 5, 0.02f, 1.f, true, false);
  trt::IBuilderConfig config;
  config.setFlag(trt::BuilderFlag::kFP16);
  Built half = build(p.net, &config);
  const std::string layers = half.engine->describeLayers();
  EXPECT_NE(layers.find("-> (6, 5) float16 [int8]"), std::string::npos) << layers;
  Int8Product q(trt::Dims{6, 8}, 5, 0.02f, 1.f, true, false);
  Built full = build(q.net);
  const std::vector<float> x = randomVector(48, 120, -1.f, 1.f);
  std::vector<float> halfX(x.size());
  for (size_t i = 0; i < x.size(); ++i) halfX[i] = trt::halfToFloat(trt::floatToHalf(x[i]));
  // The same as the FP32 engine on the half-rounded input, up to the output's half rounding.
  expectNear(run(*half.engine, {{"x", {trt::Dims{6, 8}, x}}}).at("y"),
             run(*full.engine, {{"x", {trt::Dims{6, 8}, halfX}}}).at("y"), 1e-3f);
}

TEST(Int8MatrixMultiply, CalibratedBuildsKeepSiblingProductsApart) {
  // Products of one input are stacked into one product by [P, K, N] weights in float builds; an INT8 build
  // keeps them apart, each quantized by calibration with its own [N, K] weights.
  const std::vector<float> w = randomVector(2 * 12, 110);
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", trt::DataType::kFLOAT, {5, 4});
  for (int p = 0; p < 2; ++p) {
    auto* wc = net.addConstant(trt::Dims{4, 3}, {trt::DataType::kFLOAT, w.data() + 12 * p, 12});
    auto* mm = net.addMatrixMultiply(*x, trt::MatrixOperation::kNONE, *wc->getOutput(0), trt::MatrixOperation::kNONE);
    mm->getOutput(0)->setName(("y" + std::to_string(p)).c_str());
    net.markOutput(*mm->getOutput(0));
  }
  VectorCalibrator calibrator({randomVector(20, 111)}, trt::CalibrationAlgoType::kMINMAX_CALIBRATION, 5);
  std::unique_ptr<trt::IBuilderConfig> config(new trt::IBuilderConfig());
  config->setFlag(trt::BuilderFlag::kINT8);
  config->setInt8Calibrator(&calibrator);
  Built b = build(net, config.get());
  EXPECT_EQ(countInt8Layers(*b.engine), 2) << b.engine->describeLayers();
}
