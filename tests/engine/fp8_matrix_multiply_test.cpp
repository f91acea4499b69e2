// FP8 E4M3 matrix multiply: the layer (the CPU backend's emulation) against the FP8 GEMM reference
// (common/fp8_gemm.h), its shape and scale checks, calibration of a perceptron in an FP8 build (with the
// cache and the plan round trip), what stays in float, and on a GPU of compute capability 8.9 or newer
// the CUDA backend's cuBLASLt FP8 product against the CPU.
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>

#include "builder/passes/passes.h"
#include "common/fp8.h"
#include "common/fp8_gemm.h"
#include "common/half.h"
#include "int8_test_util.h"
#include "plan/plan.h"

using namespace trt_test;

namespace {
// x [rows..., K] times FP8 weights [N, K] (transposed), with the scales, bias, alpha, residual and ReLU given.
struct Fp8Product {
  std::vector<uint8_t> weights;
  std::vector<float> bias, residual;
  trt::INetworkDefinition net;
  trt::IMatrixMultiplyLayer* mm = nullptr;
  Fp8Product(trt::Dims xDims, int64_t N, float inputScale, float weightScale, float alpha, bool withBias, bool relu,
             bool withResidual) {
    const int64_t K = xDims.d[xDims.nbDims - 1];
    for (float v : randomVector(static_cast<size_t>(N * K), 191, -300.f, 300.f))
      weights.push_back(trt::fp8::fromFloat(v));
    bias = randomVector(static_cast<size_t>(N), 192);
    auto* x = net.addInput("x", trt::DataType::kFLOAT, xDims);
    auto* wc = net.addConstant(trt::Dims{N, K}, {trt::DataType::kFP8, weights.data(), N * K});
    mm = net.addMatrixMultiply(*x, trt::MatrixOperation::kNONE, *wc->getOutput(0), trt::MatrixOperation::kTRANSPOSE);
    mm->setFp8Scales(inputScale, weightScale);
    mm->setAlpha(alpha);
    if (withBias) {
      auto* b = net.addConstant(trt::Dims{N}, {trt::DataType::kFLOAT, bias.data(), N});
      net.moveLayer(b, net.indexOf(mm));
      mm->setInput(2, *b->getOutput(0));
    }
    if (withResidual) {
      trt::Dims outDims = xDims;
      outDims.d[outDims.nbDims - 1] = N;
      residual = randomVector(static_cast<size_t>(outDims.volume()), 197);
      auto* r = net.addConstant(outDims, {trt::DataType::kFLOAT, residual.data(), outDims.volume()});
      net.moveLayer(r, net.indexOf(mm));
      mm->setInput(3, *r->getOutput(0));
    }
    if (relu) mm->setFusedActivation(static_cast<int32_t>(trt::ActivationType::kRELU));
    mm->getOutput(0)->setName("y");
    net.markOutput(*mm->getOutput(0));
  }
  // The reference: fp8::emulatedGemm on x and the weights' values (already on the FP8 grid), then the epilogue.
  std::vector<float> expected(const std::vector<float>& x, int64_t rows, int64_t N, int64_t K, float sIn, float sW,
                              float alpha, bool withBias, bool relu, bool withResidual) const {
    std::vector<float> wT(static_cast<size_t>(K * N));  // [K, N] values
    for (int64_t n = 0; n < N; ++n)
      for (int64_t k = 0; k < K; ++k) wT[k * N + n] = trt::fp8::toFloat(weights[n * K + k]) * sW;
    std::vector<float> y = trt::fp8::emulatedGemm(x.data(), wT.data(), rows, N, K, sIn, sW);
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t n = 0; n < N; ++n) {
        float& v = y[i * N + n];
        v *= alpha;
        if (withBias) v += bias[n];
        if (withResidual) v += residual[i * N + n];
        if (relu) v = std::fmax(v, 0.f);
      }
    return y;
  }
};

int countFp8Layers(const trt::ICudaEngine& engine) {
  int n = 0;
  const std::string text = engine.describeLayers();
  for (size_t p = text.find("[fp8]"); p != std::string::npos; p = text.find("[fp8]", p + 1)) ++n;
  return n;
}

double cosine(const std::vector<float>& a, const std::vector<float>& b) {
  double dot = 0, na = 0, nb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    dot += static_cast<double>(a[i]) * b[i];
    na += static_cast<double>(a[i]) * a[i];
    nb += static_cast<double>(b[i]) * b[i];
  }
  return dot / std::sqrt(na * nb);
}

// x [B, 32] -> linear(32 -> 64, weights stored [64, 32], used transposed) + bias -> relu -> product by
// weights stored [64, 16] (as is) -> y [B, 16]; a third product, K = 16 -> N = 8, stays in float (N is
// not a multiple of 16).
struct Perceptron {
  std::vector<float> w1 = randomVector(64 * 32, 201), b1 = randomVector(64, 202), w2 = randomVector(64 * 16, 203),
                     w3 = randomVector(16 * 8, 204);
  trt::INetworkDefinition net;
  Perceptron() {
    trt::ITensor* x = net.addInput("x", trt::DataType::kFLOAT, {-1, 32});
    auto* c1 = net.addConstant(trt::Dims{64, 32}, {trt::DataType::kFLOAT, w1.data(), 64 * 32});
    auto* m1 =
        net.addMatrixMultiply(*x, trt::MatrixOperation::kNONE, *c1->getOutput(0), trt::MatrixOperation::kTRANSPOSE);
    auto* bc = net.addConstant(trt::Dims{1, 64}, {trt::DataType::kFLOAT, b1.data(), 64});
    auto* sum = net.addElementWise(*m1->getOutput(0), *bc->getOutput(0), trt::ElementWiseOperation::kSUM);
    auto* relu = net.addActivation(*sum->getOutput(0), trt::ActivationType::kRELU);
    auto* c2 = net.addConstant(trt::Dims{64, 16}, {trt::DataType::kFLOAT, w2.data(), 64 * 16});
    auto* m2 = net.addMatrixMultiply(*relu->getOutput(0), trt::MatrixOperation::kNONE, *c2->getOutput(0),
                                     trt::MatrixOperation::kNONE);
    auto* c3 = net.addConstant(trt::Dims{16, 8}, {trt::DataType::kFLOAT, w3.data(), 16 * 8});
    auto* m3 = net.addMatrixMultiply(*m2->getOutput(0), trt::MatrixOperation::kNONE, *c3->getOutput(0),
                                     trt::MatrixOperation::kNONE);
    m3->getOutput(0)->setName("y");
    net.markOutput(*m3->getOutput(0));
  }
};

std::unique_ptr<trt::IBuilderConfig> fp8Config(trt::IInt8Calibrator* calibrator, bool fp8,
                                               trt::Backend backend = trt::Backend::kCPU) {
  std::unique_ptr<trt::IBuilderConfig> config(new trt::IBuilderConfig());
  config->setBackend(backend);
  config->clearFlag(trt::BuilderFlag::kTF32);
  if (fp8) config->setFlag(trt::BuilderFlag::kFP8);
  if (calibrator) config->setInt8Calibrator(calibrator);
  trt::IOptimizationProfile profile;
  profile.setDimensions("x", trt::OptProfileSelector::kMIN, {1, 32});
  profile.setDimensions("x", trt::OptProfileSelector::kOPT, {32, 32});
  profile.setDimensions("x", trt::OptProfileSelector::kMAX, {64, 32});
  config->addOptimizationProfile(&profile);
  return config;
}

std::vector<std::vector<float>> perceptronBatches() {
  std::vector<std::vector<float>> batches;
  for (uint32_t i = 0; i < 4; ++i) batches.push_back(randomVector(32 * 32, 210 + i, -1.f, 1.f));
  return batches;
}
}  // namespace

TEST(Fp8MatrixMultiply, MatchesTheFp8GemmReference) {
  // Batch dimensions on x, bias, alpha, ReLU, with and without a residual; inputs beyond the input scale's
  // range saturate at 448 steps. The E4M3 products are exact in float32; the sums' order may differ.
  const int64_t B = 2, M = 3, K = 32, N = 16;
  const float sIn = 2.f / 448.f, sW = 0.004f, alpha = 0.5f;
  for (bool withResidual : {false, true}) {
    Fp8Product p(trt::Dims{B, M, K}, N, sIn, sW, alpha, true, true, withResidual);
    Built b = build(p.net);
    EXPECT_EQ(countFp8Layers(*b.engine), 1) << b.engine->describeLayers();
    const std::vector<float> x = randomVector(static_cast<size_t>(B * M * K), 193, -2.5f, 2.5f);
    const auto y = run(*b.engine, {{"x", {trt::Dims{B, M, K}, x}}}).at("y");
    expectNear(y, p.expected(x, B * M, N, K, sIn, sW, alpha, true, true, withResidual), 1e-5f);
  }
  // The inspector shows the product's precision and scales.
  Fp8Product p(trt::Dims{4, K}, N, 0.25f, 0.5f, 1.f, false, false, false);
  Built b = build(p.net);
  EXPECT_NE(b.engine->describeLayers().find("precision=fp8"), std::string::npos) << b.engine->describeLayers();
  const std::string json = b.engine->describeLayersJson();
  EXPECT_NE(json.find("\"fp8\":{\"input_scale\":0.25,\"weight_scale\":0.5}"), std::string::npos) << json;
}

TEST(Fp8MatrixMultiply, ChecksNameTheProblem) {
  auto expectError = [](const std::function<void(trt::INetworkDefinition&, trt::IMatrixMultiplyLayer&)>& breakIt,
                        const std::string& needle) {
    Fp8Product p(trt::Dims{3, 16}, 16, 0.01f, 0.01f, 1.f, false, false, false);
    breakIt(p.net, *p.mm);
    try {
      build(p.net);
      FAIL() << "expected an error containing '" << needle << "'";
    } catch (const trt::Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  static const float floats[256] = {};
  expectError(
      [](trt::INetworkDefinition& net, trt::IMatrixMultiplyLayer& mm) {
        auto* c = net.addConstant(trt::Dims{16, 16}, {trt::DataType::kFLOAT, floats, 256});
        net.moveLayer(c, net.indexOf(&mm));
        mm.setInput(1, *c->getOutput(0));
      },
      "FP8 weights [N, K] transposed (or [P, N, K] by one input matrix [M, K] or [1, M, K]), got float32 (3, 16) and "
      "float32 (16, 16)");
  expectError(
      [](trt::INetworkDefinition&, trt::IMatrixMultiplyLayer& mm) { mm.setOperation(1, trt::MatrixOperation::kNONE); },
      "an FP8 matrix multiply takes");
  Fp8Product p(trt::Dims{3, 16}, 16, 0.01f, 0.01f, 1.f, false, false, false);
  EXPECT_THROW(p.mm->setFp8Scales(0.f, 0.1f), trt::Error);
  EXPECT_THROW(p.mm->setFp8Scales(0.1f, NAN), trt::Error);
  EXPECT_THROW(p.mm->setFp8Scales(0.1f, -1.f), trt::Error);
  // INT8 and FP8 exclude each other.
  Fp8Product q(trt::Dims{3, 16}, 16, 0.01f, 0.01f, 1.f, false, false, false);
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", trt::DataType::kFLOAT, {3, 16});
  static const int8_t int8Weights[256] = {};
  auto* wc = net.addConstant(trt::Dims{16, 16}, {trt::DataType::kINT8, int8Weights, 256});
  auto* mm =
      net.addMatrixMultiply(*x, trt::MatrixOperation::kNONE, *wc->getOutput(0), trt::MatrixOperation::kTRANSPOSE);
  mm->setInt8Scales(0.1f, std::vector<float>(16, 0.1f));
  try {
    mm->setFp8Scales(0.1f, 0.1f);
    FAIL() << "an INT8 product was made FP8 too";
  } catch (const trt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("INT8 already"), std::string::npos) << e.what();
  }
}

TEST(Fp8MatrixMultiply, CalibrationQuantizesProductsAndTheCacheRebuildsTheSameEngine) {
  const auto batches = perceptronBatches();
  VectorCalibrator calibrator(batches, trt::CalibrationAlgoType::kENTROPY_CALIBRATION_2, 32);
  Perceptron n;
  Built calibrated = build(n.net, fp8Config(&calibrator, true).get());
  EXPECT_EQ(calibrator.batchesRead(), 4u);
  // The two products with K and N multiples of 16 are FP8; the last one (N = 8) stays float32.
  EXPECT_EQ(countFp8Layers(*calibrated.engine), 2) << calibrated.engine->describeLayers();
  // FP8 scales are amax / 448 whatever the algorithm: the input's is the largest |x| of the batches.
  float amax = 0.f;
  for (const auto& b : batches)
    for (float v : b) amax = std::fmax(amax, std::fabs(v));
  const trt::IMatrixMultiplyLayer* first = nullptr;
  for (int l = 0; l < calibrated.engine->network().getNbLayers() && !first; ++l) {
    const trt::ILayer* layer = calibrated.engine->network().getLayer(l);
    if (layer->getType() == trt::LayerType::kMATRIX_MULTIPLY &&
        static_cast<const trt::IMatrixMultiplyLayer*>(layer)->isFp8())
      first = static_cast<const trt::IMatrixMultiplyLayer*>(layer);
  }
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->getFp8InputScale(), amax / 448.f);
  EXPECT_NE(calibrator.cacheOut.find("\n[fp8] x: "), std::string::npos) << calibrator.cacheOut;
  Perceptron n32;
  Built fp32 = build(n32.net, fp8Config(nullptr, false).get());
  const auto a = run(*calibrated.engine, {{"x", {trt::Dims{32, 32}, batches[0]}}}).at("y");
  const auto ref = run(*fp32.engine, {{"x", {trt::Dims{32, 32}, batches[0]}}}).at("y");
  const double c = cosine(a, ref);
  EXPECT_GT(c, 0.99);
  EXPECT_LT(c, 1.0 - 1e-7) << "an FP8 engine equal to FP32 did not quantize";
  // From the cache: no batch read, the same plan.
  VectorCalibrator fromCache({}, trt::CalibrationAlgoType::kENTROPY_CALIBRATION_2, 32);
  fromCache.cacheIn = calibrator.cacheOut;
  Perceptron again;
  Built cached = build(again.net, fp8Config(&fromCache, true).get());
  EXPECT_EQ(fromCache.batchesRead(), 0u);
  EXPECT_EQ(cached.plan, calibrated.plan);
  // An INT8 cache lacks the FP8 scales: the error names the missing key.
  VectorCalibrator int8Calibrator(batches, trt::CalibrationAlgoType::kENTROPY_CALIBRATION_2, 32);
  Perceptron forInt8;
  auto int8Config = fp8Config(&int8Calibrator, false);
  int8Config->setFlag(trt::BuilderFlag::kINT8);
  build(forInt8.net, int8Config.get());
  VectorCalibrator wrongCache({}, trt::CalibrationAlgoType::kENTROPY_CALIBRATION_2, 32);
  wrongCache.cacheIn = int8Calibrator.cacheOut;
  Perceptron stale;
  try {
    build(stale.net, fp8Config(&wrongCache, true).get());
    FAIL() << "an INT8 cache calibrated an FP8 build";
  } catch (const trt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("has no FP8 scale for tensor 'x', the input of a matrix multiply"),
              std::string::npos)
        << e.what();
  }
  // The plan round trip keeps the FP8 products.
  std::unique_ptr<trt::IHostMemory> serialized(calibrated.engine->serialize());
  const auto* bytes = static_cast<const uint8_t*>(serialized->data());
  EXPECT_EQ(std::vector<uint8_t>(bytes, bytes + serialized->size()), calibrated.plan);
}

TEST(Fp8MatrixMultiply, Fp8WinsProductsOverInt8AndPinsKeepLayersOut) {
  // With INT8 and FP8 both enabled, products go FP8; a product pinned to float32 stays float32.
  const auto batches = perceptronBatches();
  VectorCalibrator calibrator(batches, trt::CalibrationAlgoType::kMINMAX_CALIBRATION, 32);
  Perceptron both;
  auto config = fp8Config(&calibrator, true);
  config->setFlag(trt::BuilderFlag::kINT8);
  Built b = build(both.net, config.get());
  EXPECT_EQ(countFp8Layers(*b.engine), 2) << b.engine->describeLayers();
  // The third product (N = 8) cannot be FP8: it is INT8 instead.
  EXPECT_EQ(countInt8Layers(*b.engine), 1) << b.engine->describeLayers();

  VectorCalibrator again(batches, trt::CalibrationAlgoType::kMINMAX_CALIBRATION, 32);
  Perceptron pinned;
  for (int l = 0; l < pinned.net.getNbLayers(); ++l)
    if (pinned.net.getLayer(l)->getType() == trt::LayerType::kMATRIX_MULTIPLY) {
      pinned.net.getLayer(l)->setPrecision(trt::DataType::kFLOAT);
      break;
    }
  Built p = build(pinned.net, fp8Config(&again, true).get());
  EXPECT_EQ(countFp8Layers(*p.engine), 1) << p.engine->describeLayers();
}

TEST(Fp8MatrixMultiply, FP16EnginesRunFp8ProductsOnHalfTensors) {
  // With FP16 enabled an FP8 product reads and writes half tensors (no casts around it); the first, whose output
  // only the second's quantization reads, writes that quantization's codes itself.
  const auto batches = perceptronBatches();
  VectorCalibrator calibrator(batches, trt::CalibrationAlgoType::kMINMAX_CALIBRATION, 32);
  Perceptron n;
  auto config = fp8Config(&calibrator, true);
  config->setFlag(trt::BuilderFlag::kFP16);
  Built half = build(n.net, config.get());
  const std::string layers = half.engine->describeLayers();
  EXPECT_NE(layers.find("(1, 64)) -> (-1, 64) fp8 [fp8]"), std::string::npos) << layers;
  EXPECT_NE(layers.find("(16)) -> (-1, 16) float16 [fp8]"), std::string::npos) << layers;
  Perceptron n32;
  Built fp32 = build(n32.net, fp8Config(nullptr, false).get());
  const auto a = run(*half.engine, {{"x", {trt::Dims{32, 32}, batches[1]}}}).at("y");
  const auto ref = run(*fp32.engine, {{"x", {trt::Dims{32, 32}, batches[1]}}}).at("y");
  EXPECT_GT(cosine(a, ref), 0.99);
}

TEST(Fp8MatrixMultiply, SiblingProductsShareOneQuantization) {
  // Q, K and V projections of one input: one Quantize to FP8 feeds the three FP8 products, whose results are
  // those of products that each quantize the input themselves (the same codes, sums and scales).
  const int64_t K = 32, N = 32;
  std::vector<std::vector<float>> weights;
  for (uint32_t p = 0; p < 3; ++p) weights.push_back(randomVector(static_cast<size_t>(K * N), 220 + p));
  auto makeNet = [&](trt::INetworkDefinition& net) {
    auto* x = net.addInput("x", trt::DataType::kFLOAT, {-1, K});
    for (int p = 0; p < 3; ++p) {
      auto* w = net.addConstant(trt::Dims{K, N}, {trt::DataType::kFLOAT, weights[p].data(), K * N});
      auto* mm = net.addMatrixMultiply(*x, trt::MatrixOperation::kNONE, *w->getOutput(0), trt::MatrixOperation::kNONE);
      mm->getOutput(0)->setName(("y" + std::to_string(p)).c_str());
      net.markOutput(*mm->getOutput(0));
    }
  };
  const auto batches = perceptronBatches();
  VectorCalibrator calibrator(batches, trt::CalibrationAlgoType::kMINMAX_CALIBRATION, 32);
  trt::INetworkDefinition shared;
  makeNet(shared);
  Built b = build(shared, fp8Config(&calibrator, true).get());
  const std::string layers = b.engine->describeLayers();
  EXPECT_EQ(countFp8Layers(*b.engine), 3) << layers;
  size_t quantizes = 0;
  for (size_t p = layers.find(": Quantize "); p != std::string::npos; p = layers.find(": Quantize ", p + 1))
    ++quantizes;
  EXPECT_EQ(quantizes, 1u) << layers;
  EXPECT_NE(layers.find("(-1, 32) fp8"), std::string::npos) << layers;  // the shared codes

  // The same products, each quantizing x itself with the calibrated scale, on the FP8 weights the build made.
  float amax = 0.f;
  for (const auto& batch : batches)
    for (float v : batch) amax = std::fmax(amax, std::fabs(v));
  trt::INetworkDefinition separate;
  auto* x = separate.addInput("x", trt::DataType::kFLOAT, {32, K});
  std::vector<std::vector<uint8_t>> codes(3);
  for (int p = 0; p < 3; ++p) {
    float wmax = 0.f;
    for (float v : weights[p]) wmax = std::fmax(wmax, std::fabs(v));
    const float sW = trt::fp8::scaleForAmax(wmax);
    for (int64_t n = 0; n < N; ++n)
      for (int64_t k = 0; k < K; ++k) codes[p].push_back(trt::fp8::quantize(weights[p][k * N + n], sW));
    auto* w = separate.addConstant(trt::Dims{N, K}, {trt::DataType::kFP8, codes[p].data(), N * K});
    auto* mm =
        separate.addMatrixMultiply(*x, trt::MatrixOperation::kNONE, *w->getOutput(0), trt::MatrixOperation::kTRANSPOSE);
    mm->setFp8Scales(trt::fp8::scaleForAmax(amax), sW);
    mm->getOutput(0)->setName(("y" + std::to_string(p)).c_str());
    separate.markOutput(*mm->getOutput(0));
  }
  Built reference = build(separate);
  const auto got = run(*b.engine, {{"x", {trt::Dims{32, K}, batches[3]}}});
  const auto expected = run(*reference.engine, {{"x", {trt::Dims{32, K}, batches[3]}}});
  for (const char* y : {"y0", "y1", "y2"}) EXPECT_EQ(got.at(y), expected.at(y)) << y;
}

TEST(Fp8Quantize, QuantizeAndDequantizeFp8MatchTheConversions) {
  // Quantize to FP8 rounds x / s to E4M3 (saturating); Dequantize gives code * s. In an FP16 build it reads
  // what it gets as it is: the float32 input unrounded, or the half result of a layer computed in FP16 (here
  // a negation), with no cast before it. One scale per tensor only.
  const std::vector<float> x = randomVector(64, 230, -600.f, 600.f);
  for (bool half : {false, true})
    for (bool negated : {false, true}) {
      trt::INetworkDefinition net;
      trt::ITensor* in = net.addInput("x", trt::DataType::kFLOAT, {4, 16});
      if (negated) in = net.addUnary(*in, trt::UnaryOperation::kNEG)->getOutput(0);
      auto* q = net.addQuantize(*in, {0.5f});
      q->setToType(trt::DataType::kFP8);
      auto* dq = net.addDequantize(*q->getOutput(0), {0.5f});
      dq->getOutput(0)->setName("y");
      net.markOutput(*dq->getOutput(0));
      trt::IBuilderConfig config;
      if (half) config.setFlag(trt::BuilderFlag::kFP16);
      Built b = build(net, &config);
      const bool readsHalf = half && negated;
      const std::string layers = b.engine->describeLayers();
      const size_t at = layers.find(": Quantize ");
      ASSERT_NE(at, std::string::npos) << layers;
      EXPECT_NE(layers.substr(at, layers.find('\n', at) - at)
                    .find(readsHalf ? "fp8 precision=float16" : "fp8 precision=float32"),
                std::string::npos)
          << layers;
      EXPECT_EQ(layers.find("to fp32 [precision]"), std::string::npos) << layers;
      const auto y = run(*b.engine, {{"x", {trt::Dims{4, 16}, x}}}).at("y");
      for (size_t i = 0; i < x.size(); ++i) {
        float v = negated ? -x[i] : x[i];
        if (readsHalf) v = trt::halfToFloat(trt::floatToHalf(v));
        ASSERT_EQ(y[i], trt::fp8::toFloat(trt::fp8::quantize(v, 0.5f)) * 0.5f) << i << (half ? " (half)" : "");
      }
    }
  trt::INetworkDefinition net;
  auto* in = net.addInput("x", trt::DataType::kFLOAT, {4, 16});
  auto* q = net.addQuantize(*in, {0.5f, 0.25f, 1.f, 2.f}, 0);
  q->setToType(trt::DataType::kFP8);
  net.markOutput(*q->getOutput(0));
  try {
    build(net);
    FAIL() << "a per-axis FP8 quantize was built";
  } catch (const trt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("FP8 with one scale for the tensor, got 4 scale(s) along axis 0"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(q->setToType(trt::DataType::kHALF), trt::Error);
}

TEST(Fp8Quantize, AnActivationReadOnlyByAnFp8QuantizationFoldsIntoIt) {
  // GELU -> Quantize(FP8) -> Dequantize: one quantization computing GELU in float first; the values are the
  // E4M3 grid's nearest to GELU(x) / s (within one step of 2^-3 relative, where float rounding of GELU
  // may move a value across a rounding boundary). An activation something else also reads stays.
  const std::vector<float> x = randomVector(64, 240, -4.f, 4.f);
  for (bool alsoOutput : {false, true}) {
    trt::INetworkDefinition net;
    auto* in = net.addInput("x", trt::DataType::kFLOAT, {4, 16});
    auto* gelu = net.addActivation(*in, trt::ActivationType::kGELU_ERF);
    auto* q = net.addQuantize(*gelu->getOutput(0), {0.01f});
    q->setToType(trt::DataType::kFP8);
    auto* dq = net.addDequantize(*q->getOutput(0), {0.01f});
    dq->getOutput(0)->setName("y");
    net.markOutput(*dq->getOutput(0));
    if (alsoOutput) {
      gelu->getOutput(0)->setName("g");
      net.markOutput(*gelu->getOutput(0));
    }
    Built b = build(net);
    const std::string layers = b.engine->describeLayers();
    if (!alsoOutput) {
      EXPECT_EQ(layers.find(": Activation "), std::string::npos) << layers;
      EXPECT_NE(b.engine->describeLayersJson().find("\"activation\":\"gelu_erf\""), std::string::npos);
    } else {
      EXPECT_NE(layers.find(": Activation "), std::string::npos) << layers;
    }
    const auto y = run(*b.engine, {{"x", {trt::Dims{4, 16}, x}}}).at("y");
    for (size_t i = 0; i < x.size(); ++i) {
      const double g = 0.5 * x[i] * (1.0 + std::erf(x[i] / std::sqrt(2.0)));
      ASSERT_NEAR(y[i], g, 0.07 * std::fabs(g) + 0.01 / 512) << i;
    }
  }
}

TEST(Fp8Quantize, AnActivationTheFp8ProductCannotComputeMovesIntoItsQuantization) {
  // BERT's FFN: an FP8 product with the exact GELU fused, read only by the FP8 quantization before the next product.
  // Where the backend's FP8 product cannot compute the GELU (CUDA's cuBLASLt epilogue: ReLU and GELU's tanh form),
  // the GELU moves into the quantization; in float32 the codes are the same bits (act computed once in float either
  // way). A product something else reads, or an activation the product computes, stays.
  const std::vector<float> w = randomVector(32 * 32, 250), x = randomVector(8 * 32, 251, -3.f, 3.f);
  struct Net {
    trt::INetworkDefinition net;
    trt::IMatrixMultiplyLayer* mm = nullptr;
    trt::IQuantizeLayer* q = nullptr;
  };
  auto make = [&](Net& n, bool productAlsoOutput) {
    auto* in = n.net.addInput("x", trt::DataType::kFLOAT, {8, 32});
    auto* weights = n.net.addConstant({32, 32}, {trt::DataType::kFLOAT, w.data(), 32 * 32});
    n.mm = n.net.addMatrixMultiply(*in, trt::MatrixOperation::kNONE, *weights->getOutput(0),
                                   trt::MatrixOperation::kTRANSPOSE);
    n.mm->setFusedActivation(static_cast<int32_t>(trt::ActivationType::kGELU_ERF));
    trt::passes::switchToFp8(n.net, *n.mm, 0.01f);
    n.q = n.net.addQuantize(*n.mm->getOutput(0), {0.02f});
    n.q->setToType(trt::DataType::kFP8);
    auto* dq = n.net.addDequantize(*n.q->getOutput(0), {0.02f});
    dq->getOutput(0)->setName("y");
    n.net.markOutput(*dq->getOutput(0));
    if (productAlsoOutput) {
      n.mm->getOutput(0)->setName("p");
      n.net.markOutput(*n.mm->getOutput(0));
    }
  };
  const auto reluOnly = [](trt::ActivationType t) { return t == trt::ActivationType::kRELU; };
  const auto gelu = static_cast<int32_t>(trt::ActivationType::kGELU_ERF);
  Net moved, computed, shared;
  make(moved, false);
  make(computed, false);
  make(shared, true);
  EXPECT_EQ(trt::passes::moveFp8ProductActivationIntoQuantize(moved.net, reluOnly), 1);
  EXPECT_EQ(moved.mm->getFusedActivation(), -1);
  EXPECT_EQ(moved.q->getFusedActivation(), gelu);
  EXPECT_EQ(trt::passes::moveFp8ProductActivationIntoQuantize(computed.net, [](trt::ActivationType) { return true; }),
            0);
  EXPECT_EQ(computed.mm->getFusedActivation(), gelu);
  EXPECT_EQ(trt::passes::moveFp8ProductActivationIntoQuantize(shared.net, reluOnly), 0);
  EXPECT_EQ(shared.mm->getFusedActivation(), gelu);
  const auto y = run(*build(moved.net).engine, {{"x", {trt::Dims{8, 32}, x}}}).at("y");
  const auto expected = run(*build(computed.net).engine, {{"x", {trt::Dims{8, 32}, x}}}).at("y");
  ASSERT_EQ(y.size(), expected.size());
  for (size_t i = 0; i < y.size(); ++i) ASSERT_EQ(y[i], expected[i]) << i;
}

namespace {
// x + 0.5 (a 16-bit sum in 16-bit builds) -> GELU -> Quantize(FP8, scale) -> Dequantize -> "y"; with `folded`
// false the GELU's output is an output too ("g": the activation stays a layer), with `sumOutput` the sum's ("s": its
// stored 16-bit values are what both forms read, whatever a backend fuses).
void addGeluQuantization(trt::INetworkDefinition& net, trt::Dims dims, float scale, bool folded, bool sumOutput) {
  auto* in = net.addInput("x", trt::DataType::kFLOAT, dims);
  static const float half = 0.5f;
  auto* c = net.addConstant(trt::Dims{1, 1}, {trt::DataType::kFLOAT, &half, 1});
  auto* sum = net.addElementWise(*in, *c->getOutput(0), trt::ElementWiseOperation::kSUM);
  if (sumOutput) {
    sum->getOutput(0)->setName("s");
    net.markOutput(*sum->getOutput(0));
  }
  auto* gelu = net.addActivation(*sum->getOutput(0), trt::ActivationType::kGELU_ERF);
  auto* q = net.addQuantize(*gelu->getOutput(0), {scale});
  q->setToType(trt::DataType::kFP8);
  auto* dq = net.addDequantize(*q->getOutput(0), {scale});
  dq->getOutput(0)->setName("y");
  net.markOutput(*dq->getOutput(0));
  if (!folded) {
    gelu->getOutput(0)->setName("g");
    net.markOutput(*gelu->getOutput(0));
  }
}
}  // namespace

TEST(Fp8Quantize, AFoldedActivationRoundsToItsInputsTypeFirst) {
  // In a 16-bit build the activation layer stored GELU(x) in 16 bits and the quantization read that: folded, the
  // quantization rounds GELU(x) to 16 bits before E4M3, so every code is the unfolded network's (a 16-bit value on a
  // tie between two codes rounds to even; the float value next to it would not).
  const std::vector<float> x = randomVector(4096, 241, -3.f, 3.f);
  for (trt::BuilderFlag flag : {trt::BuilderFlag::kBF16, trt::BuilderFlag::kFP16}) {
    std::vector<float> outputs[2];
    for (bool folded : {true, false}) {
      trt::INetworkDefinition net;
      // GELU reads a 16-bit tensor in both networks: the sum computes in 16 bits.
      addGeluQuantization(net, trt::Dims{64, 64}, 0.0625f, folded, false);
      trt::IBuilderConfig config;
      config.setFlag(flag);
      Built b = build(net, &config);
      EXPECT_EQ(b.engine->describeLayers().find(": Activation ") == std::string::npos, folded)
          << b.engine->describeLayers();
      outputs[folded ? 0 : 1] = run(*b.engine, {{"x", {trt::Dims{64, 64}, x}}}).at("y");
    }
    for (size_t i = 0; i < x.size(); ++i)
      ASSERT_EQ(outputs[0][i], outputs[1][i])
          << "x = " << x[i] << (flag == trt::BuilderFlag::kBF16 ? " bf16" : " fp16");
  }
}

#ifdef TORCHTRT_WITH_CUDA
#include <cuda_runtime.h>

#include "backends/cuda/fp8_quantize_table.h"

namespace {

bool fp8GpuVisible() {
  if (!gpuVisible()) return false;
  int device = 0, major = 0, minor = 0;
  cudaGetDevice(&device);
  cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device);
  cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, device);
  return major > 8 || (major == 8 && minor >= 9);
}
}  // namespace

TEST(CudaFp8, Fp8MatrixMultiplyMatchesTheCpuReference) {
  if (!fp8GpuVisible()) GTEST_SKIP() << "no CUDA GPU of compute capability 8.9 or newer visible";
  // cuBLASLt's FP8 GEMM with bias, alpha, ReLU and a residual in its epilogue, in float32 and float16; the
  // quantized operands are the same codes on both backends, the float32 sums in another order.
  const int64_t B = 2, M = 65, K = 64, N = 48;
  for (bool half : {false, true})
    for (bool withResidual : {false, true}) {
      auto buildOn = [&](trt::Backend backend, Fp8Product& p) {
        trt::IBuilderConfig config;
        config.setBackend(backend);
        config.clearFlag(trt::BuilderFlag::kTF32);
        if (half) config.setFlag(trt::BuilderFlag::kFP16);
        return build(p.net, &config);
      };
      Fp8Product cpuNet(trt::Dims{B, M, K}, N, 2.f / 448.f, 0.003f, 0.75f, true, true, withResidual);
      Fp8Product gpuNet(trt::Dims{B, M, K}, N, 2.f / 448.f, 0.003f, 0.75f, true, true, withResidual);
      Built cpu = buildOn(trt::Backend::kCPU, cpuNet), gpu = buildOn(trt::Backend::kCUDA, gpuNet);
      EXPECT_EQ(countFp8Layers(*gpu.engine), 1) << gpu.engine->describeLayers();
      const std::vector<float> x = randomVector(static_cast<size_t>(B * M * K), 196, -2.5f, 2.5f);
      const auto expected = run(*cpu.engine, {{"x", {{B, M, K}, x}}}).at("y");
      const auto got = run(*gpu.engine, {{"x", {{B, M, K}, x}}}).at("y");
      const Tolerance t = toleranceFor(half ? trt::DataType::kHALF : trt::DataType::kFLOAT);
      // The accumulation error scales with the sums' magnitude, not with an output that cancels: the
      // tolerance is relative to the largest output too.
      const double rtol = std::max(t.rtol, static_cast<double>(kFp8TensorCoreRtol));
      double largest = 0;
      for (float v : expected) largest = std::max(largest, static_cast<double>(std::fabs(v)));
      ASSERT_EQ(got.size(), expected.size());
      for (size_t i = 0; i < got.size(); ++i)
        ASSERT_NEAR(got[i], expected[i], t.atol + rtol * (std::fabs(expected[i]) + largest))
            << "at " << i << (half ? " (float16)" : " (float32)") << (withResidual ? " with residual" : "");
    }
}

TEST(CudaFp8, TheBuilderTimesTheFp8ProductsAlgorithmAndThePlanKeepsIt) {
  if (!fp8GpuVisible()) GTEST_SKIP() << "no CUDA GPU of compute capability 8.9 or newer visible";
  // cuBLASLt's FP8 algorithm is timed by the builder among its ranking (as the 16-bit products') and kept in the plan
  // as the product's tactic: each algorithm of the ranking (and cuBLASLt's own pick, -1) forced through the plan
  // gives the CPU's result. Eight ranked candidates at most; an index past the
  // ranking falls back to cuBLASLt's pick.
  const int64_t B = 2, M = 64, K = 64, N = 48;
  Fp8Product cpuNet(trt::Dims{B, M, K}, N, 2.f / 448.f, 0.003f, 0.75f, true, true, true);
  Fp8Product gpuNet(trt::Dims{B, M, K}, N, 2.f / 448.f, 0.003f, 0.75f, true, true, true);
  trt::IBuilderConfig cpuConfig;
  cpuConfig.setFlag(trt::BuilderFlag::kFP16);
  const std::vector<float> x = randomVector(static_cast<size_t>(B * M * K), 198, -2.5f, 2.5f);
  const auto expected = run(*build(cpuNet.net, &cpuConfig).engine, {{"x", {{B, M, K}, x}}}).at("y");
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
  config->setBackend(trt::Backend::kCUDA);
  config->setFlag(trt::BuilderFlag::kFP16);
  std::unique_ptr<trt::IHostMemory> mem(builder->buildSerializedNetwork(gpuNet.net, *config));
  ASSERT_TRUE(mem);
  auto contents = trt::readPlan(static_cast<const uint8_t*>(mem->data()), mem->size());
  ASSERT_EQ(contents->tactics.size(), 1u) << "one FP8 product, one profile shape: one tactic";
  ASSERT_EQ(contents->tactics[0].choice.size(), 6u) << "{algorithm, five alignments}";
  const Tolerance t = toleranceFor(trt::DataType::kHALF);
  double largest = 0;
  for (float v : expected) largest = std::max(largest, static_cast<double>(std::fabs(v)));
  // cuBLASLt's ranking: 8 algorithms for a workspace, then 8 needing none.
  for (int64_t algorithm = -1; algorithm < 16; ++algorithm) {
    contents->tactics[0].choice[0] = algorithm;
    const auto plan = trt::writePlan(*contents);
    std::unique_ptr<trt::IRuntime> rt(trt::createInferRuntime(trt::defaultLogger()));
    std::unique_ptr<trt::ICudaEngine> engine(rt->deserializeCudaEngine(plan.data(), plan.size()));
    ASSERT_TRUE(engine) << "algorithm " << algorithm;
    const auto got = run(*engine, {{"x", {{B, M, K}, x}}}).at("y");
    ASSERT_EQ(got.size(), expected.size());
    for (size_t i = 0; i < got.size(); ++i)
      ASSERT_NEAR(got[i], expected[i], t.atol + kFp8TensorCoreRtol * (std::fabs(expected[i]) + largest))
          << "at " << i << ", algorithm " << algorithm;
  }
}

TEST(CudaFp8, CalibratedPerceptronMatchesTheCpuEmulation) {
  if (!fp8GpuVisible()) GTEST_SKIP() << "no CUDA GPU of compute capability 8.9 or newer visible";
  // The same cache on both backends gives the same scales and the same FP8 weights.
  const auto batches = perceptronBatches();
  VectorCalibrator calibrator(batches, trt::CalibrationAlgoType::kMINMAX_CALIBRATION, 32);
  Perceptron cpuNet;
  Built cpu = build(cpuNet.net, fp8Config(&calibrator, true).get());
  VectorCalibrator fromCache({}, trt::CalibrationAlgoType::kMINMAX_CALIBRATION, 32);
  fromCache.cacheIn = calibrator.cacheOut;
  Perceptron gpuNet;
  Built gpu = build(gpuNet.net, fp8Config(&fromCache, true, trt::Backend::kCUDA).get());
  EXPECT_EQ(countFp8Layers(*gpu.engine), 2) << gpu.engine->describeLayers();
  const auto a = run(*gpu.engine, {{"x", {trt::Dims{32, 32}, batches[2]}}}).at("y");
  const auto ref = run(*cpu.engine, {{"x", {trt::Dims{32, 32}, batches[2]}}}).at("y");
  expectNear(a, ref, 2.f * kFp8TensorCoreRtol);  // two FP8 products deep
}
TEST(CudaFp8, AFoldedActivationsLargeQuantizationByTableWritesTheUnfoldedCodes) {
  if (!gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  // A 16-bit quantization to FP8 with GELU folded in, of at least kFp8TableMinimumElements, looks its codes up in a
  // table built from every 16-bit value (fp8_quantize_table.h); its codes are the unfolded network's, where the GELU
  // layer stores its 16-bit values and a plain quantization (computed per element) reads them: bit for bit, in
  // float16 and bfloat16, over values spanning the saturation bound, and a tail of 5 after the last group of eight.
  const int64_t rows = 1025, cols = 1029;  // 1,054,725 elements: past the table's minimum, 5 past a multiple of 8
  static_assert(rows * cols >= trt::cuda::kFp8TableMinimumElements, "the table path");
  const std::vector<float> x = randomVector(static_cast<size_t>(rows * cols), 260, -8.f, 8.f);
  for (trt::BuilderFlag flag : {trt::BuilderFlag::kFP16, trt::BuilderFlag::kBF16}) {
    std::vector<float> outputs[2];
    for (bool folded : {true, false}) {
      trt::INetworkDefinition net;
      // The sum an output too, so that both networks read its stored 16-bit values (no pointwise fusion into the GELU).
      addGeluQuantization(net, trt::Dims{rows, cols}, 0.01f, folded, true);
      trt::IBuilderConfig config;
      config.setBackend(trt::Backend::kCUDA);
      config.setFlag(flag);
      Built b = build(net, &config);
      EXPECT_EQ(b.engine->describeLayers().find(": Activation ") == std::string::npos, folded)
          << b.engine->describeLayers();
      outputs[folded ? 0 : 1] = run(*b.engine, {{"x", {trt::Dims{rows, cols}, x}}}).at("y");
    }
    ASSERT_EQ(outputs[0].size(), outputs[1].size());
    for (size_t i = 0; i < x.size(); ++i)
      ASSERT_EQ(outputs[0][i], outputs[1][i])
          << "x = " << x[i] << " at " << i << (flag == trt::BuilderFlag::kBF16 ? " bf16" : " fp16");
  }
}

TEST(CudaFp8, QuantizeToFp8MatchesTheCpu) {
  if (!gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  // The FP8 codes of float32 and float16 inputs, bit for bit (71 values: a partial last group of eight): random ones
  // past the saturation bound, and with scale 0.5 (codes of 2x) the cases where the GPU's hardware conversion could
  // part from the shared rounding: ties between two normal codes and two subnormal ones, values just past 448 and at
  // the 464 tie, infinities, NaNs of both signs, signed zeros, the smallest subnormal's half.
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> x = {0.53125f,       -0.53125f,
                          0.5625f,        0.75f * 0x1p-9f,
                          1.5f * 0x1p-9f, 0.25f * 0x1p-9f,
                          0x1p-12f,       224.5f,
                          232.f,          -232.f,
                          240.f,          inf,
                          -inf,           nan,
                          -nan,           0.f,
                          -0.f,           1e-30f,
                          -3.3f,          100.f};
  const std::vector<float> rest = randomVector(71 - x.size(), 231, -600.f, 600.f);
  x.insert(x.end(), rest.begin(), rest.end());
  const int64_t n = static_cast<int64_t>(x.size());
  for (bool half : {false, true}) {
    auto buildOn = [&](trt::Backend backend, trt::INetworkDefinition& net) {
      auto* in = net.addInput("x", trt::DataType::kFLOAT, {n});
      auto* q = net.addQuantize(*in, {0.5f});
      q->setToType(trt::DataType::kFP8);
      auto* dq = net.addDequantize(*q->getOutput(0), {0.5f});
      dq->getOutput(0)->setName("y");
      net.markOutput(*dq->getOutput(0));
      trt::IBuilderConfig config;
      config.setBackend(backend);
      if (half) config.setFlag(trt::BuilderFlag::kFP16);
      return build(net, &config);
    };
    trt::INetworkDefinition cpuNet, gpuNet;
    Built cpu = buildOn(trt::Backend::kCPU, cpuNet), gpu = buildOn(trt::Backend::kCUDA, gpuNet);
    const auto expected = run(*cpu.engine, {{"x", {{n}, x}}}).at("y"),
               actual = run(*gpu.engine, {{"x", {{n}, x}}}).at("y");
    ASSERT_EQ(actual.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      // The dequantized NaN's sign and payload are the arithmetic's (a GPU's product gives its canonical NaN).
      if (std::isnan(expected[i])) {
        EXPECT_TRUE(std::isnan(actual[i])) << "x[" << i << "] = " << x[i] << (half ? " (float16)" : "");
        continue;
      }
      EXPECT_EQ(std::memcmp(&actual[i], &expected[i], 4), 0)
          << "x[" << i << "] = " << x[i] << ": " << actual[i] << " vs " << expected[i] << (half ? " (float16)" : "");
    }
  }
}
#endif
