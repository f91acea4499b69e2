// Layer precision the user steers (ILayer::setPrecision, TensorRT's layer precision): pins honoured
// by the precision pass, kOBEY/kPREFER_PRECISION_CONSTRAINTS when a backend cannot honour one, the
// inspector's per-layer precision, and the FP8 target rule.
#include <cmath>

#include "builder/fp8_check.h"
#include "common/fp8_gemm.h"
#include "common/half.h"
#include "engine_test_util.h"

using namespace trt_test;

namespace {
// FP16 stores 11 significant bits; a few roundings over a handful of layers (as precision_test.cpp).
constexpr float kHalfTolerance = 1e-2f;

class RecordingLogger : public trt::ILogger {
 public:
  void log(Severity severity, const char* msg) noexcept override {
    if (severity <= Severity::kWARNING) warnings += std::string(msg) + "\n";
  }
  std::string warnings;
};

Built buildFlags(trt::INetworkDefinition& net, std::initializer_list<trt::BuilderFlag> flags,
                 trt::ILogger& logger = trt::defaultLogger()) {
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(logger));
  std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
  for (auto f : flags) config->setFlag(f);
  std::unique_ptr<trt::IHostMemory> mem(builder->buildSerializedNetwork(net, *config));
  Built b;
  b.plan.assign(static_cast<uint8_t*>(mem->data()), static_cast<uint8_t*>(mem->data()) + mem->size());
  b.runtime.reset(trt::createInferRuntime(trt::defaultLogger()));
  b.engine.reset(b.runtime->deserializeCudaEngine(b.plan.data(), b.plan.size()));
  return b;
}

const trt::ILayer* findLayer(const trt::ICudaEngine& engine, const std::string& name) {
  for (int l = 0; l < engine.network().getNbLayers(); ++l)
    if (engine.network().getLayer(l)->getName() == name) return engine.network().getLayer(l);
  return nullptr;
}

// The inspector JSON's object for the layer `name` (from its name to the next layer's index).
std::string layerJson(const trt::ICudaEngine& engine, const std::string& name) {
  const std::string json = engine.describeLayersJson();
  const size_t at = json.find("\"name\":\"" + name + "\"");
  if (at == std::string::npos) return "";
  return json.substr(at, json.find("\"index\":", at) - at);
}

// x [2, 8] -> matmul (constant weights) -> softmax "pinned softmax" -> y.
struct SoftmaxNet {
  std::vector<float> w = randomVector(8 * 8, 61, -2.f, 2.f);
  trt::INetworkDefinition net;
  trt::ILayer* softmax = nullptr;
  SoftmaxNet() {
    auto* x = net.addInput("x", trt::DataType::kFLOAT, {2, 8});
    auto* c = net.addConstant({8, 8}, {trt::DataType::kFLOAT, w.data(), 64});
    auto* mm = net.addMatrixMultiply(*x, trt::MatrixOperation::kNONE, *c->getOutput(0), trt::MatrixOperation::kNONE);
    mm->setName("product");
    auto* sm = net.addSoftMax(*mm->getOutput(0));
    sm->setAxes(1u << 1);
    sm->setName("pinned softmax");
    softmax = sm;
    sm->getOutput(0)->setName("y");
    net.markOutput(*sm->getOutput(0));
  }
};
}  // namespace

TEST(PrecisionPinning, Float32PinStaysFloat32InAnFp16BuildAndTheInspectorShowsIt) {
  SoftmaxNet n;
  n.softmax->setPrecision(trt::DataType::kFLOAT);
  auto fp32 = buildFlags(n.net, {});
  auto fp16 = buildFlags(n.net, {trt::BuilderFlag::kFP16});
  const trt::ILayer* pinned = findLayer(*fp16.engine, "pinned softmax");
  ASSERT_NE(pinned, nullptr) << fp16.engine->describeLayers();
  EXPECT_EQ(pinned->getInput(0)->getType(), trt::DataType::kFLOAT);
  EXPECT_EQ(pinned->getOutput(0)->getType(), trt::DataType::kFLOAT);
  // The inspector: the chosen precision of every layer, and the pin.
  const std::string softmaxJson = layerJson(*fp16.engine, "pinned softmax");
  EXPECT_NE(softmaxJson.find("\"precision\":\"float32\",\"pinned_precision\":\"float32\""), std::string::npos)
      << softmaxJson;
  const std::string productJson = layerJson(*fp16.engine, "product");
  EXPECT_NE(productJson.find("\"precision\":\"float16\",\"pinned_precision\":null"), std::string::npos) << productJson;
  const std::string text = fp16.engine->describeLayers();
  EXPECT_NE(text.find("'pinned softmax' ((2, 8)) -> (2, 8) float32 precision=float32 (pinned float32)"),
            std::string::npos)
      << text;

  auto x = randomVector(16, 62);
  auto ref = run(*fp32.engine, {{"x", {{2, 8}, x}}});
  auto got = run(*fp16.engine, {{"x", {{2, 8}, x}}});
  expectNear(got["y"], ref["y"], kHalfTolerance);
  // The softmax reads the half product widened exactly, so its result is the float32 softmax of
  // those half values: each row sums to 1 within float32 rounding, not half's.
  for (int r = 0; r < 2; ++r) {
    float sum = 0.f;
    for (int c = 0; c < 8; ++c) sum += got["y"][r * 8 + c];
    EXPECT_NEAR(sum, 1.f, 1e-6f) << "row " << r;
  }
}

TEST(PrecisionPinning, HalfPinComputesOneLayerInHalfInAFloat32Build) {
  // x * c pinned to FP16, then + x unpinned: the product is half(half(x) * half(c)) (FP32 math,
  // rounded once), and the sum reads it widened and stays float32 (a pin does not spread).
  trt::INetworkDefinition net;
  std::vector<float> c = {0.1f, 3.3f, -7.77f, 1e-3f};
  auto* x = net.addInput("x", trt::DataType::kFLOAT, {4});
  auto* k = net.addConstant({4}, {trt::DataType::kFLOAT, c.data(), 4});
  auto* prod = net.addElementWise(*x, *k->getOutput(0), trt::ElementWiseOperation::kPROD);
  prod->setName("half product");
  prod->setPrecision(trt::DataType::kHALF);
  auto* sum = net.addElementWise(*prod->getOutput(0), *x, trt::ElementWiseOperation::kSUM);
  sum->setName("float sum");
  sum->getOutput(0)->setName("y");
  net.markOutput(*sum->getOutput(0));
  auto built = buildFlags(net, {});
  EXPECT_EQ(findLayer(*built.engine, "half product")->getOutput(0)->getType(), trt::DataType::kHALF)
      << built.engine->describeLayers();
  EXPECT_EQ(findLayer(*built.engine, "float sum")->getOutput(0)->getType(), trt::DataType::kFLOAT)
      << built.engine->describeLayers();
  EXPECT_EQ(built.engine->getTensorDataType("y"), trt::DataType::kFLOAT);
  std::vector<float> xv = {1.2345f, -0.3333f, 17.01f, 2049.5f};
  auto y = run(*built.engine, {{"x", {{4}, xv}}})["y"];
  auto h = [](float v) { return trt::halfToFloat(trt::floatToHalf(v)); };
  for (int i = 0; i < 4; ++i) EXPECT_EQ(y[i], h(h(xv[i]) * h(c[i])) + xv[i]) << "at " << i;
}

TEST(PrecisionPinning, PinTheBackendCannotHonourFailsUnderObeyAndFallsBackOtherwise) {
  // The CPU backend computes cumulative sums in FP32 only (types.h).
  auto makeNet = [](trt::INetworkDefinition& net) {
    auto* x = net.addInput("x", trt::DataType::kFLOAT, {5});
    auto* cum = net.addCumulative(*x, 0, trt::CumulativeOperation::kSUM);
    cum->setName("running sum");
    cum->setPrecision(trt::DataType::kHALF);
    cum->getOutput(0)->setName("y");
    net.markOutput(*cum->getOutput(0));
  };
  trt::INetworkDefinition obeyed;
  makeNet(obeyed);
  try {
    buildFlags(obeyed, {trt::BuilderFlag::kFP16, trt::BuilderFlag::kOBEY_PRECISION_CONSTRAINTS});
    FAIL() << "an unhonourable pin built under kOBEY_PRECISION_CONSTRAINTS";
  } catch (const trt::Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("Layer 'running sum' (Cumulative): pinned to float16 (setPrecision), but the cpu backend has "
                       "no float16 kernel for it; BuilderFlag::kOBEY_PRECISION_CONSTRAINTS refuses"),
              std::string::npos)
        << msg;
  }
  for (auto flag : {trt::BuilderFlag::kPREFER_PRECISION_CONSTRAINTS, trt::BuilderFlag::kFP16}) {
    trt::INetworkDefinition preferred;
    makeNet(preferred);
    RecordingLogger logger;
    auto built = buildFlags(preferred, {flag}, logger);
    EXPECT_NE(logger.warnings.find("'running sum' (Cumulative): pinned to float16"), std::string::npos)
        << logger.warnings;
    EXPECT_EQ(findLayer(*built.engine, "running sum")->getInput(0)->getType(), trt::DataType::kFLOAT);
    std::vector<float> xv = {1, 2, 3, 4, 5};
    EXPECT_EQ(run(*built.engine, {{"x", {{5}, xv}}})["y"], (std::vector<float>{1, 3, 6, 10, 15}));
  }
}

TEST(PrecisionPinning, Fp8IsRefusedBelowSm89AndWithoutScalesAndEmulatedOnTheCpu) {
  auto message = [](const trt::Fp8Target& t) -> std::string {
    try {
      trt::checkFp8Target(t);
    } catch (const trt::Error& e) {
      return e.what();
    }
    return "";
  };
  trt::Fp8Target t;
  t.hasCalibrator = true;
  EXPECT_EQ(message(t), "");  // the CPU backend emulates FP8 (the builder warns)
  t.hasCalibrator = false;
  EXPECT_NE(message(t).find("needs per-tensor scales"), std::string::npos) << message(t);
  t.hasCalibrator = true;
  t.backend = trt::Backend::kCUDA;
  t.smMajor = 8;
  t.smMinor = 6;
  EXPECT_NE(message(t).find("compute capability 8.9 or newer"), std::string::npos) << message(t);
  EXPECT_NE(message(t).find("this GPU is sm_86"), std::string::npos) << message(t);
  t.smMinor = 9;
  EXPECT_EQ(message(t), "");
  t.smMajor = 9;
  t.smMinor = 0;
  EXPECT_EQ(message(t), "");
  t.hasCalibrator = false;
  EXPECT_NE(message(t).find("needs per-tensor scales"), std::string::npos) << message(t);
  t.hasQuantizeLayers = true;
  EXPECT_EQ(message(t), "");

  // The builder applies the rule: an FP8 build without a source of scales is refused before anything is built.
  SoftmaxNet n;
  try {
    buildFlags(n.net, {trt::BuilderFlag::kFP8});
    FAIL() << "an FP8 build without scales was accepted";
  } catch (const trt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("needs per-tensor scales"), std::string::npos) << e.what();
  }
}

// The FP8 GEMM emulation (the reference for a GPU FP8 product): exact where the operands are on the
// E4M3 grid of their scales, and within E4M3's rounding (2^-4 relative per operand) elsewhere.
TEST(Fp8Gemm, EmulationQuantizesEachOperandWithItsScaleAndSumsInFloat) {
  const int64_t M = 3, N = 4, K = 5;
  // Values that are E4M3 codes times the scales: the emulation equals the float32 product exactly.
  std::vector<float> A(M * K), B(K * N);
  const float sA = 0.5f, sB = 0.25f;
  for (int64_t i = 0; i < M * K; ++i) A[i] = trt::fp8::toFloat(static_cast<uint8_t>((i * 37) % 0x7E)) * sA;
  for (int64_t i = 0; i < K * N; ++i) B[i] = trt::fp8::toFloat(static_cast<uint8_t>(0x80 | ((i * 11) % 0x60))) * sB;
  auto exact = [&](const std::vector<float>& a, const std::vector<float>& b) {
    std::vector<float> c(M * N, 0.f);
    for (int64_t m = 0; m < M; ++m)
      for (int64_t n = 0; n < N; ++n)
        for (int64_t k = 0; k < K; ++k) c[m * N + n] += a[m * K + k] * b[k * N + n];
    return c;
  };
  EXPECT_EQ(trt::fp8::emulatedGemm(A.data(), B.data(), M, N, K, sA, sB), exact(A, B));

  // Random operands with amax scales: each operand is off by at most half an E4M3 step (2^-4
  // relative), so each product by at most ~2^-3 of |a||b|; the bound is that times sum_k |a||b|.
  auto a = randomVector(M * K, 71, -3.f, 3.f), b = randomVector(K * N, 72, -0.5f, 0.5f);
  const float sa = trt::fp8::scaleForAmax(3.f), sb = trt::fp8::scaleForAmax(0.5f);
  auto got = trt::fp8::emulatedGemm(a.data(), b.data(), M, N, K, sa, sb);
  auto ref = exact(a, b);
  bool anyDifferent = false;
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n) {
      float bound = 0.f;
      for (int64_t k = 0; k < K; ++k) bound += std::fabs(a[m * K + k] * b[k * N + n]);
      EXPECT_NEAR(got[m * N + n], ref[m * N + n], 0.13f * bound) << m << "," << n;
      anyDifferent |= got[m * N + n] != ref[m * N + n];
    }
  EXPECT_TRUE(anyDifferent) << "an FP8 emulation equal to FP32 on random data did not quantize";
  // Saturation: an operand beyond its scale's range is clamped to 448 steps, not NaN.
  const float big = 1000.f, one = 1.f;
  EXPECT_EQ(trt::fp8::emulatedGemm(&big, &one, 1, 1, 1, 1.f, 1.f)[0], 448.f);
}

TEST(PrecisionPinning, LayersPinnedDifferentlyAreNotFused) {
  // A ReLU folds into the product before it, unless one is pinned and the other is not: the fused
  // layer could compute in only one precision.
  std::vector<float> w = randomVector(8 * 8, 81);
  auto makeNet = [&](trt::INetworkDefinition& net, bool pin) {
    auto* x = net.addInput("x", trt::DataType::kFLOAT, {2, 8});
    auto* c = net.addConstant({8, 8}, {trt::DataType::kFLOAT, w.data(), 64});
    auto* mm = net.addMatrixMultiply(*x, trt::MatrixOperation::kNONE, *c->getOutput(0), trt::MatrixOperation::kNONE);
    auto* relu = net.addActivation(*mm->getOutput(0), trt::ActivationType::kRELU);
    relu->setName("relu");
    if (pin) relu->setPrecision(trt::DataType::kFLOAT);
    relu->getOutput(0)->setName("y");
    net.markOutput(*relu->getOutput(0));
  };
  trt::INetworkDefinition plain, pinned;
  makeNet(plain, false);
  makeNet(pinned, true);
  auto fused = buildFlags(plain, {trt::BuilderFlag::kFP16});
  EXPECT_EQ(findLayer(*fused.engine, "relu"), nullptr) << fused.engine->describeLayers();
  auto kept = buildFlags(pinned, {trt::BuilderFlag::kFP16});
  const trt::ILayer* relu = findLayer(*kept.engine, "relu");
  ASSERT_NE(relu, nullptr) << kept.engine->describeLayers();
  EXPECT_EQ(relu->getInput(0)->getType(), trt::DataType::kFLOAT);
}
