// INT8: Quantize/Dequantize layers, the INT8 convolution against integer reference loops, the Q/DQ
// fusion pass, calibration (algorithms, cache round trip, errors).
#include <cmath>
#include <cstring>

#include "builder/calibration/calibration.h"
#include "builder/calibration/histogram.h"
#include "int8_test_util.h"

using namespace trt_test;

namespace {
// Runs a network whose one input is "x" and one output "y" (float), returns y.
std::vector<float> runXY(const trt::ICudaEngine& engine, trt::Dims dims, std::vector<float> x) {
  return run(engine, {{"x", {dims, std::move(x)}}}).at("y");
}

// Builds a network with one int8 output "q" and runs it.
std::vector<int8_t> runQuantizeOnly(const std::vector<float>& x, trt::Dims dims, std::vector<float> scales, int axis) {
  trt::INetworkDefinition net;
  auto* in = net.addInput("x", trt::DataType::kFLOAT, dims);
  auto* q = net.addQuantize(*in, scales, axis);
  q->getOutput(0)->setName("q");
  net.markOutput(*q->getOutput(0));
  Built b = build(net);
  std::unique_ptr<trt::IExecutionContext> ctx(b.engine->createExecutionContext());
  std::vector<float> input = x;
  std::vector<int8_t> out(x.size());
  ctx->setTensorAddress("x", input.data());
  ctx->setTensorAddress("q", out.data());
  ctx->enqueueV3(nullptr);
  return out;
}

// x [N,2,5,5] -> conv 3x3 (3 maps, pad 1, bias) -> relu -> conv 1x1 (2 maps) -> y.
struct TwoConvNet {
  std::vector<float> w1 = randomVector(3 * 2 * 9, 11), b1 = randomVector(3, 12), w2 = randomVector(2 * 3, 13);
  trt::INetworkDefinition net;
  explicit TwoConvNet(int64_t batch = -1) {
    auto* x = net.addInput("x", trt::DataType::kFLOAT, {batch, 2, 5, 5});
    auto* c1 = net.addConvolutionNd(*x, 3, {3, 3}, {trt::DataType::kFLOAT, w1.data(), 54},
                                    {trt::DataType::kFLOAT, b1.data(), 3});
    c1->setPaddingNd({1, 1});
    c1->setName("conv1");
    auto* r = net.addActivation(*c1->getOutput(0), trt::ActivationType::kRELU);
    c1->getOutput(0)->setName("conv1_out");  // the relu fuses into conv1: conv2 reads this tensor
    auto* c2 = net.addConvolutionNd(*r->getOutput(0), 2, {1, 1}, {trt::DataType::kFLOAT, w2.data(), 6}, {});
    c2->setName("conv2");
    c2->getOutput(0)->setName("y");
    net.markOutput(*c2->getOutput(0));
  }
};

std::unique_ptr<trt::IBuilderConfig> int8Config(trt::IInt8Calibrator* calibrator, int64_t maxBatch = 4) {
  std::unique_ptr<trt::IBuilderConfig> config(new trt::IBuilderConfig());
  config->setFlag(trt::BuilderFlag::kINT8);
  config->setInt8Calibrator(calibrator);
  trt::IOptimizationProfile profile;
  profile.setDimensions("x", trt::OptProfileSelector::kMIN, {1, 2, 5, 5});
  profile.setDimensions("x", trt::OptProfileSelector::kOPT, {2, 2, 5, 5});
  profile.setDimensions("x", trt::OptProfileSelector::kMAX, {maxBatch, 2, 5, 5});
  config->addOptimizationProfile(&profile);
  return config;
}

}  // namespace

TEST(Int8, QuantizeRoundsHalfToEvenAndSaturatesPerTensor) {
  // NaN goes to -128 and infinities saturate, as torch.fake_quantize_per_tensor_affine does (the
  // plan fuzzer found NaN reaching the float-to-int conversion, undefined behaviour before).
  const std::vector<float> x = {0.f, 0.25f, 0.75f, -0.25f, 1.25f, 100.f, -100.f, 0.49f, NAN, INFINITY, -INFINITY};
  const auto q = runQuantizeOnly(x, {11}, {0.5f}, -1);
  const std::vector<int8_t> expected = {0, 0, 2, 0, 2, 127, -128, 1, -128, 127, -128};  // 0.5 -> 0, 1.5 -> 2, 2.5 -> 2
  EXPECT_EQ(q, expected);
}

TEST(Int8, QuantizePerAxisUsesEachChannelsScale) {
  const std::vector<float> x = randomVector(2 * 3 * 4, 5, -3.f, 3.f);
  const std::vector<float> scales = {0.01f, 0.02f, 0.05f};
  const auto q = runQuantizeOnly(x, {2, 3, 4}, scales, 1);
  for (size_t i = 0; i < x.size(); ++i) ASSERT_EQ(q[i], refQuantize(x[i], scales[(i / 4) % 3])) << i;
}

TEST(Int8, QuantizeDequantizeIsFakeQuantization) {
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", trt::DataType::kFLOAT, {2, 3});
  auto* q = net.addQuantize(*x, {0.1f, 0.2f}, 0);
  auto* dq = net.addDequantize(*q->getOutput(0), {0.1f, 0.2f}, 0);
  dq->getOutput(0)->setName("y");
  net.markOutput(*dq->getOutput(0));
  Built b = build(net);
  const std::vector<float> in = {0.04f, 0.16f, -30.f, 0.29f, -0.31f, 30.f};
  const auto y = runXY(*b.engine, {2, 3}, in);
  const std::vector<float> expected = {0.f, 0.2f, -12.8f, 0.2f, -0.4f, 25.4f};
  expectNear(y, expected, 1e-6f);
}

TEST(Int8, QuantizeLayersRefuseBadConfigurations) {
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", trt::DataType::kFLOAT, {2, 3});
  EXPECT_THROW(net.addQuantize(*x, {0.f}), trt::Error);
  EXPECT_THROW(net.addQuantize(*x, {}), trt::Error);
  try {
    auto* q = net.addQuantize(*x, {1.f, 2.f}, 1);  // 2 scales, axis of size 3
    q->getOutput(0)->getDimensions();
    FAIL() << "expected an error";
  } catch (const trt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("2 scales for axis 1 of size 3"), std::string::npos) << e.what();
  }
  trt::INetworkDefinition net2;
  auto* f = net2.addInput("x", trt::DataType::kFLOAT, {2});
  try {
    net2.addDequantize(*f, {1.f})->getOutput(0)->getType();
    FAIL() << "expected an error";
  } catch (const trt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("dequantizes int8 tensors, got float32"), std::string::npos) << e.what();
  }
}

TEST(Int8, Int8ConvolutionMatchesIntegerReference) {
  // conv 3x3, stride 2, pad 1, 2 groups, bias, residual and relu: the INT32 sums are exact.
  const int64_t N = 2, C = 4, H = 7, W = 6, M = 6, G = 2, K = 3;
  const std::vector<float> w = randomVector(M * (C / G) * K * K, 21), b = randomVector(M, 22);
  const std::vector<float> x = randomVector(N * C * H * W, 23, -2.f, 2.f);
  const float sIn = 0.015f;
  std::vector<float> sW(M);
  for (int64_t m = 0; m < M; ++m) sW[m] = 0.004f + 0.001f * static_cast<float>(m);
  trt::INetworkDefinition net;
  auto* in = net.addInput("x", trt::DataType::kFLOAT, {N, C, H, W});
  auto* conv = net.addConvolutionNd(*in, M, {K, K}, {trt::DataType::kFLOAT, w.data(), static_cast<int64_t>(w.size())},
                                    {trt::DataType::kFLOAT, b.data(), M});
  conv->setStrideNd({2, 2});
  conv->setPaddingNd({1, 1});
  conv->setNbGroups(static_cast<int32_t>(G));
  conv->setInt8Scales(sIn, sW);
  conv->setFusedActivation(static_cast<int32_t>(trt::ActivationType::kRELU));
  const int64_t OH = 4, OW = 3;
  auto* r = net.addInput("r", trt::DataType::kFLOAT, {N, M, OH, OW});
  conv->setInput(1, *r);
  conv->getOutput(0)->setName("y");
  net.markOutput(*conv->getOutput(0));
  Built b1 = build(net);
  EXPECT_EQ(countInt8Layers(*b1.engine), 1);
  const std::vector<float> residual = randomVector(N * M * OH * OW, 24);
  const auto y = run(*b1.engine, {{"x", {{N, C, H, W}, x}}, {"r", {{N, M, OH, OW}, residual}}}).at("y");
  std::vector<float> expected;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t m = 0; m < M; ++m)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          int64_t sum = 0;
          const int64_t g = m / (M / G);
          for (int64_t c = 0; c < C / G; ++c)
            for (int64_t kh = 0; kh < K; ++kh)
              for (int64_t kw = 0; kw < K; ++kw) {
                const int64_t ih = oh * 2 - 1 + kh, iw = ow * 2 - 1 + kw;
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                const int64_t ci = g * (C / G) + c;
                sum += static_cast<int64_t>(refQuantize(x[((n * C + ci) * H + ih) * W + iw], sIn)) *
                       refQuantize(w[((m * (C / G) + c) * K + kh) * K + kw], sW[m]);
              }
          float v = static_cast<float>(sum) * (sIn * sW[m]) + b[m] + residual[((n * M + m) * OH + oh) * OW + ow];
          expected.push_back(std::fmax(v, 0.f));
        }
  expectNear(y, expected, 1e-6f);
}

TEST(Int8, QdqPairBeforeAConvolutionFusesIntoAnInt8Convolution) {
  // Weights on a per-channel INT8 grid (as a quantization-aware model's): the INT8 convolution
  // computes the FP32 convolution of the fake-quantized input up to FP32 rounding.
  const int64_t M = 3;
  std::vector<float> w = randomVector(M * 2 * 9, 31);
  std::vector<float> sW(M);
  for (int64_t m = 0; m < M; ++m) {
    float amax = 0.f;
    for (int i = 0; i < 18; ++i) amax = std::fmax(amax, std::fabs(w[m * 18 + i]));
    sW[m] = amax / 127.5f;  // PyTorch's symmetric observer: amax / ((qmax - qmin) / 2)
    for (int i = 0; i < 18; ++i) w[m * 18 + i] = static_cast<float>(refQuantize(w[m * 18 + i], sW[m])) * sW[m];
  }
  const float sIn = 0.02f;
  auto buildNet = [&](bool qdq, trt::IBuilderConfig* config) {
    trt::INetworkDefinition net;
    trt::ITensor* x = net.addInput("x", trt::DataType::kFLOAT, {1, 2, 5, 5});
    if (qdq) {
      auto* q = net.addQuantize(*x, {sIn});
      x = net.addDequantize(*q->getOutput(0), {sIn})->getOutput(0);
    }
    auto* conv = net.addConvolutionNd(*x, M, {3, 3}, {trt::DataType::kFLOAT, w.data(), 54}, {});
    conv->getOutput(0)->setName("y");
    net.markOutput(*conv->getOutput(0));
    return build(net, config);
  };
  trt::IBuilderConfig config;
  config.setFlag(trt::BuilderFlag::kINT8);
  Built fused = buildNet(true, &config);
  EXPECT_EQ(fused.engine->getNbLayers(), 1) << fused.engine->describeLayers();  // Q and DQ are gone
  EXPECT_EQ(countInt8Layers(*fused.engine), 1);
  // Without the INT8 flag the Q/DQ layers run as layers (fake quantization in FP32).
  trt::IBuilderConfig fp32;
  Built unfused = buildNet(true, &fp32);
  EXPECT_EQ(countLayersBesidesLayoutTransposes(unfused.engine->network()), 3) << unfused.engine->describeLayers();
  EXPECT_EQ(countInt8Layers(*unfused.engine), 0);
  const std::vector<float> x = randomVector(50, 32, -2.f, 2.f);
  expectNear(runXY(*fused.engine, {1, 2, 5, 5}, x), runXY(*unfused.engine, {1, 2, 5, 5}, x), 1e-5f);
}

TEST(Int8, Int8WithoutCalibratorOrQdqLayersIsRefused) {
  TwoConvNet n(2);
  trt::IBuilderConfig config;
  config.setFlag(trt::BuilderFlag::kINT8);
  try {
    build(n.net, &config);
    FAIL() << "expected an error";
  } catch (const trt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("no Quantize/Dequantize layers"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("calibrator"), std::string::npos) << e.what();
  }
}

TEST(Int8, CalibrationHistogramThresholds) {
  // 100,000 values uniform in [0, 1] plus one outlier at 10 (entropy's cut is at least 128 of the
  // 2048 bins: an outlier beyond 16x the bulk leaves it no cut inside the bulk).
  std::vector<float> v = randomVector(100000, 41, 0.f, 1.f);
  v.push_back(10.f);
  trt::calibration::AbsHistogram h;
  h.add(v.data(), 50000);  // two batches: the outlier arrives last and grows the range
  h.add(v.data() + 50000, static_cast<int64_t>(v.size()) - 50000);
  EXPECT_FLOAT_EQ(h.amax(), 10.f);
  EXPECT_FLOAT_EQ(trt::calibration::threshold(h, trt::CalibrationAlgoType::kMINMAX_CALIBRATION), 10.f);
  const float percentile = trt::calibration::threshold(h, trt::CalibrationAlgoType::kPERCENTILE_CALIBRATION);
  EXPECT_NEAR(percentile, 1.f, 0.05f);
  const float entropy = trt::calibration::threshold(h, trt::CalibrationAlgoType::kENTROPY_CALIBRATION_2);
  EXPECT_GT(entropy, 0.8f);  // clips the outlier, keeps the bulk of the distribution
  EXPECT_LT(entropy, 1.2f);
  double total = 0;
  for (double b : h.bins()) total += b;
  EXPECT_EQ(total, 100001.0);
}

TEST(Int8, CalibrationSetsScalesWritesACacheAndTheCacheRebuildsTheSameEngine) {
  std::vector<std::vector<float>> batches;
  for (uint32_t i = 0; i < 3; ++i) batches.push_back(randomVector(2 * 50, 50 + i, -1.f, 1.f));
  batches[1][7] = 3.f;  // the largest |x| of the input, min-max's threshold
  VectorCalibrator calibrator(batches, trt::CalibrationAlgoType::kMINMAX_CALIBRATION, 2);
  TwoConvNet n;
  auto config = int8Config(&calibrator);
  Built calibrated = build(n.net, config.get());
  EXPECT_EQ(calibrator.batchesRead(), 3u);
  EXPECT_EQ(countInt8Layers(*calibrated.engine), 2) << calibrated.engine->describeLayers();
  // The cache: a header, then the two convolutions' inputs; min-max's input scale is 3 / 127.
  const std::string& cache = calibrator.cacheOut;
  EXPECT_EQ(cache.rfind("TorchTRT-INT8-Calibration MinMaxCalibration\n", 0), 0u) << cache;
  float expectedScale = 3.f / 127.f;
  uint32_t bits;
  std::memcpy(&bits, &expectedScale, 4);
  char line[32];
  std::snprintf(line, sizeof(line), "x: %08x\n", bits);
  EXPECT_NE(cache.find(line), std::string::npos) << cache;
  EXPECT_NE(cache.find("conv1_out: "), std::string::npos) << cache;
  // Outputs stay close to FP32 (8-bit activations and weights on a small random network).
  trt::IBuilderConfig fp32Config;
  trt::IOptimizationProfile profile;
  profile.setDimensions("x", trt::OptProfileSelector::kMIN, {1, 2, 5, 5});
  profile.setDimensions("x", trt::OptProfileSelector::kOPT, {2, 2, 5, 5});
  profile.setDimensions("x", trt::OptProfileSelector::kMAX, {4, 2, 5, 5});
  fp32Config.addOptimizationProfile(&profile);
  TwoConvNet n32;
  Built fp32 = build(n32.net, &fp32Config);
  const auto a = runXY(*calibrated.engine, {2, 2, 5, 5}, batches[0]);
  const auto ref = runXY(*fp32.engine, {2, 2, 5, 5}, batches[0]);
  double dot = 0, na = 0, nr = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    dot += a[i] * ref[i];
    na += a[i] * a[i];
    nr += ref[i] * ref[i];
  }
  EXPECT_GT(dot / std::sqrt(na * nr), 0.999);
  // A second build from the cache reads no batch and gives the same plan, byte for byte.
  VectorCalibrator fromCache({}, trt::CalibrationAlgoType::kMINMAX_CALIBRATION, 2);
  fromCache.cacheIn = cache;
  TwoConvNet n2;
  auto config2 = int8Config(&fromCache);
  Built cached = build(n2.net, config2.get());
  EXPECT_EQ(fromCache.batchesRead(), 0u);
  EXPECT_EQ(cached.plan, calibrated.plan);
}

TEST(Int8, EveryAlgorithmCalibrates) {
  for (auto algo : {trt::CalibrationAlgoType::kLEGACY_CALIBRATION, trt::CalibrationAlgoType::kENTROPY_CALIBRATION,
                    trt::CalibrationAlgoType::kENTROPY_CALIBRATION_2, trt::CalibrationAlgoType::kMINMAX_CALIBRATION,
                    trt::CalibrationAlgoType::kPERCENTILE_CALIBRATION}) {
    VectorCalibrator calibrator({randomVector(4 * 50, 60, -1.f, 1.f)}, algo, 4);
    TwoConvNet n;
    auto config = int8Config(&calibrator);
    Built b = build(n.net, config.get());
    EXPECT_EQ(countInt8Layers(*b.engine), 2) << trt::calibrationAlgoName(algo);
    EXPECT_EQ(calibrator.cacheOut.rfind(std::string("TorchTRT-INT8-Calibration ") + trt::calibrationAlgoName(algo), 0),
              0u);
  }
}

TEST(Int8, CalibrationErrorsNameTheProblem) {
  auto expectError = [](VectorCalibrator& calibrator, const std::string& needle) {
    TwoConvNet n;
    auto config = int8Config(&calibrator);
    try {
      build(n.net, config.get());
      FAIL() << "expected an error containing '" << needle << "'";
    } catch (const trt::Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  VectorCalibrator empty({}, trt::CalibrationAlgoType::kENTROPY_CALIBRATION_2, 2);
  expectError(empty, "gave no batches");
  VectorCalibrator otherNetwork({}, trt::CalibrationAlgoType::kENTROPY_CALIBRATION_2, 2);
  otherNetwork.cacheIn = "TorchTRT-INT8-Calibration EntropyCalibration2\nx: 3c000000\nsomething_else: 3c000000\n";
  expectError(otherNetwork, "has no scale for tensor 'conv1_out'");
  expectError(otherNetwork, "written for another network");
  VectorCalibrator notACache({}, trt::CalibrationAlgoType::kENTROPY_CALIBRATION_2, 2);
  notACache.cacheIn = "TRT-8601-EntropyCalibration2\nx: 3c000000\n";
  expectError(notACache, "is not a calibration cache of this engine");
  VectorCalibrator malformed({}, trt::CalibrationAlgoType::kENTROPY_CALIBRATION_2, 2);
  malformed.cacheIn = "TorchTRT-INT8-Calibration EntropyCalibration2\nx: 0.5\n";
  expectError(malformed, "malformed at line 2");
}

TEST(Int8, PlanRoundTripKeepsQdqLayersAndInt8Scales) {
  std::vector<std::vector<float>> keep;
  VectorCalibrator calibrator({randomVector(2 * 50, 70)}, trt::CalibrationAlgoType::kMINMAX_CALIBRATION, 2);
  TwoConvNet n;
  auto config = int8Config(&calibrator);
  Built b = build(n.net, config.get());
  std::unique_ptr<trt::IHostMemory> again(b.engine->serialize());
  std::vector<uint8_t> bytes(static_cast<uint8_t*>(again->data()),
                             static_cast<uint8_t*>(again->data()) + again->size());
  EXPECT_EQ(bytes, b.plan);
  const std::string json = b.engine->describeLayersJson();
  EXPECT_NE(json.find("\"int8\":{\"input_scale\""), std::string::npos) << json;
}

TEST(Int8, QdqPairBeforeReluAndMaxPoolStillFusesIntoTheConvolution) {
  // quantize(relu(maxpool(x))) == relu(maxpool(quantize(x))): the pair may sit before those layers.
  std::vector<float> w = randomVector(4 * 2 * 9, 35);
  auto buildNet = [&](trt::IBuilderConfig* config) {
    trt::INetworkDefinition net;
    auto* x = net.addInput("x", trt::DataType::kFLOAT, {1, 2, 8, 8});
    auto* q = net.addQuantize(*x, {0.03f});
    auto* dq = net.addDequantize(*q->getOutput(0), {0.03f});
    auto* relu = net.addActivation(*dq->getOutput(0), trt::ActivationType::kRELU);
    auto* pool = net.addPoolingNd(*relu->getOutput(0), trt::PoolingType::kMAX, {2, 2});
    pool->setStrideNd({2, 2});
    auto* conv = net.addConvolutionNd(*pool->getOutput(0), 4, {3, 3}, {trt::DataType::kFLOAT, w.data(), 72}, {});
    conv->getOutput(0)->setName("y");
    net.markOutput(*conv->getOutput(0));
    return build(net, config);
  };
  trt::IBuilderConfig int8, fp32;
  int8.setFlag(trt::BuilderFlag::kINT8);
  Built fused = buildNet(&int8), reference = buildNet(&fp32);
  EXPECT_EQ(countInt8Layers(*fused.engine), 1);
  EXPECT_EQ(fused.engine->getNbLayers(), 3) << fused.engine->describeLayers();  // relu, pool, conv
  // The INT8 convolution re-quantizes the weights (max|w| / 127): compare with the FP32 engine
  // within the weights' quantization error.
  const std::vector<float> x = randomVector(128, 36, -2.f, 2.f);
  expectNear(runXY(*fused.engine, {1, 2, 8, 8}, x), runXY(*reference.engine, {1, 2, 8, 8}, x), 3e-2f);
}

TEST(Int8Calibration, ABackendsFloatConvolutionsKeepTheirScalesInTheCacheAndAPinWins) {
  // A backend may leave a convolution in float (CUDA: fewer than 16 input channels a group, ExecutionBackend::
  // quantizesConvolution); calibration still observes and caches its input's scale, so that one cache serves every
  // backend, and a convolution the user pinned to INT8 is quantized whatever the backend prefers. Calibration is
  // called here with such a rule on the CPU backend.
  const std::vector<float> w1 = randomVector(16 * 3 * 9, 300), w2 = randomVector(8 * 16 * 9, 301);
  for (bool pinStem : {false, true}) {
    trt::INetworkDefinition net;
    auto* x = net.addInput("x", trt::DataType::kFLOAT, {2, 3, 8, 8});
    auto* stem = net.addConvolutionNd(*x, 16, {3, 3}, {trt::DataType::kFLOAT, w1.data(), 16 * 3 * 9}, {});
    auto* relu = net.addActivation(*stem->getOutput(0), trt::ActivationType::kRELU);
    relu->getOutput(0)->setName("relu_out");
    auto* body =
        net.addConvolutionNd(*relu->getOutput(0), 8, {3, 3}, {trt::DataType::kFLOAT, w2.data(), 8 * 16 * 9}, {});
    body->getOutput(0)->setName("y");
    net.markOutput(*body->getOutput(0));
    if (pinStem) stem->setPrecision(trt::DataType::kINT8);
    VectorCalibrator calibrator({randomVector(2 * 3 * 64, 302)}, trt::CalibrationAlgoType::kMINMAX_CALIBRATION, 2);
    trt::PlanContents settings;
    settings.backend = trt::Backend::kCPU;
    const auto wide = [](const trt::IConvolutionLayer& conv) { return conv.getInput(0)->getDimensions().d[1] >= 16; };
    const int32_t changed =
        trt::calibration::calibrate(net, settings, calibrator, trt::defaultLogger(), true, false, wide);
    EXPECT_EQ(changed, pinStem ? 2 : 1);
    EXPECT_EQ(stem->isInt8(), pinStem);
    EXPECT_TRUE(body->isInt8());
    EXPECT_NE(calibrator.cacheOut.find("\nx: "), std::string::npos) << calibrator.cacheOut;
    EXPECT_NE(calibrator.cacheOut.find("\nrelu_out: "), std::string::npos) << calibrator.cacheOut;
  }
}
