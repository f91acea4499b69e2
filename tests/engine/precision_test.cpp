// FP16 and BF16 builds: the precision pass (casts, pinned layers, declared output types) and 16-bit
// results on the CPU backend (half or bfloat16 storage, FP32 math) against FP32.
#include <algorithm>
#include <cmath>

#include "common/half.h"
#include "engine_test_util.h"

using namespace trt_test;

namespace {
// FP16 stores 11 significant bits: a relative step of 2^-11 per rounding, a few roundings per layer
// over a handful of layers, so 1e-2 of the magnitude (plus 1e-2 absolute near zero).
constexpr float kHalfTolerance = 1e-2f;
// BF16 stores 8 significant bits (2^-8 relative per rounding): 8x FP16's tolerance.
constexpr float kBf16Tolerance = 8e-2f;

// x [2,3,8,8] -> conv+relu -> avg pool -> + constant -> flatten -> matmul -> softmax -> y,
// and a reduce of the matmul pinned to FP32 -> r.
struct Net {
  std::vector<std::vector<float>> keep;
  trt::INetworkDefinition net;
  trt::ILayer* pinned = nullptr;
  Net() {
    keep.push_back(randomVector(4 * 3 * 3 * 3, 41));
    keep.push_back(randomVector(4, 42));
    keep.push_back(randomVector(4, 43));
    keep.push_back(randomVector(64 * 6, 44));
    auto* x = net.addInput("x", trt::DataType::kFLOAT, {2, 3, 8, 8});
    auto* conv = net.addConvolutionNd(*x, 4, {3, 3}, {trt::DataType::kFLOAT, keep[0].data(), 108},
                                      {trt::DataType::kFLOAT, keep[1].data(), 4});
    conv->setPaddingNd({1, 1});
    auto* relu = net.addActivation(*conv->getOutput(0), trt::ActivationType::kRELU);
    auto* pool = net.addPoolingNd(*relu->getOutput(0), trt::PoolingType::kAVERAGE, {2, 2});
    auto* c = net.addConstant({4, 1, 1}, {trt::DataType::kFLOAT, keep[2].data(), 4});
    auto* add = net.addElementWise(*pool->getOutput(0), *c->getOutput(0), trt::ElementWiseOperation::kSUM);
    auto* flat = net.addShuffle(*add->getOutput(0));
    flat->setReshapeDimensions({2, 64});
    auto* w = net.addConstant({64, 6}, {trt::DataType::kFLOAT, keep[3].data(), 384});
    auto* mm = net.addMatrixMultiply(*flat->getOutput(0), trt::MatrixOperation::kNONE, *w->getOutput(0),
                                     trt::MatrixOperation::kNONE);
    auto* sm = net.addSoftMax(*mm->getOutput(0));
    sm->setAxes(1u << 1);
    sm->getOutput(0)->setName("y");
    net.markOutput(*sm->getOutput(0));
    auto* r = net.addReduce(*mm->getOutput(0), trt::ReduceOperation::kSUM, 1u << 1, false);
    r->setName("pinned sum");
    r->setPrecision(trt::DataType::kFLOAT);
    pinned = r;
    r->getOutput(0)->setName("r");
    net.markOutput(*r->getOutput(0));
  }
};

Built buildWith(trt::INetworkDefinition& net, bool fp16, bool bf16 = false) {
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
  if (fp16) config->setFlag(trt::BuilderFlag::kFP16);
  if (bf16) config->setFlag(trt::BuilderFlag::kBF16);
  return build(net, config.get());
}

const trt::ILayer* findLayer(const trt::ICudaEngine& engine, const std::string& name) {
  for (int l = 0; l < engine.network().getNbLayers(); ++l)
    if (engine.network().getLayer(l)->getName() == name) return engine.network().getLayer(l);
  return nullptr;
}
}  // namespace

TEST(Precision, Fp16BuildComputesInHalfAndKeepsDeclaredOutputTypes) {
  Net n;
  auto fp32 = buildWith(n.net, false);
  auto fp16 = buildWith(n.net, true);
  EXPECT_EQ(fp16.engine->getTensorDataType("y"), trt::DataType::kFLOAT);
  EXPECT_EQ(fp16.engine->getTensorDataType("r"), trt::DataType::kFLOAT);
  const std::string layers = fp16.engine->describeLayers();
  EXPECT_NE(layers.find("float16"), std::string::npos) << layers;
  EXPECT_NE(layers.find("x to fp16 [precision]"), std::string::npos) << layers;
  EXPECT_EQ(fp32.engine->describeLayers().find("float16"), std::string::npos);
  // Every layer the pass left in half computes in half: conv, pool, add, matmul, softmax.
  int halfLayers = 0;
  for (int l = 0; l < fp16.engine->network().getNbLayers(); ++l)
    halfLayers += fp16.engine->network().getLayer(l)->getOutput(0)->getType() == trt::DataType::kHALF;
  EXPECT_GE(halfLayers, 6) << layers;

  auto x = randomVector(2 * 3 * 8 * 8, 45);
  auto ref = run(*fp32.engine, {{"x", {{2, 3, 8, 8}, x}}});
  auto got = run(*fp16.engine, {{"x", {{2, 3, 8, 8}, x}}});
  expectNear(got["y"], ref["y"], kHalfTolerance);
  expectNear(got["r"], ref["r"], kHalfTolerance);
  float maxDiff = 0.f;
  for (size_t i = 0; i < ref["y"].size(); ++i) maxDiff = std::max(maxDiff, std::fabs(got["y"][i] - ref["y"][i]));
  EXPECT_GT(maxDiff, 0.f) << "an FP16 engine that matches FP32 bit for bit did not compute in half";
}

TEST(Precision, Bf16BuildComputesInBfloat16AndFp16WinsWhenBothAreAllowed) {
  Net n;
  auto fp32 = buildWith(n.net, false);
  auto bf16 = buildWith(n.net, false, true);
  EXPECT_EQ(bf16.engine->getTensorDataType("y"), trt::DataType::kFLOAT);
  const std::string layers = bf16.engine->describeLayers();
  EXPECT_NE(layers.find("x to bf16 [precision]"), std::string::npos) << layers;
  EXPECT_EQ(layers.find(" float16"), std::string::npos) << layers;
  int bf16Layers = 0;
  for (int l = 0; l < bf16.engine->network().getNbLayers(); ++l)
    bf16Layers += bf16.engine->network().getLayer(l)->getOutput(0)->getType() == trt::DataType::kBF16;
  EXPECT_GE(bf16Layers, 6) << layers;
  EXPECT_EQ(findLayer(*bf16.engine, "pinned sum")->getOutput(0)->getType(), trt::DataType::kFLOAT);

  auto x = randomVector(2 * 3 * 8 * 8, 46);
  auto ref = run(*fp32.engine, {{"x", {{2, 3, 8, 8}, x}}});
  auto got = run(*bf16.engine, {{"x", {{2, 3, 8, 8}, x}}});
  expectNear(got["y"], ref["y"], kBf16Tolerance);
  expectNear(got["r"], ref["r"], kBf16Tolerance);
  // Coarser than FP16: the same network in FP16 lands closer to FP32.
  auto fp16 = run(*buildWith(n.net, true).engine, {{"x", {{2, 3, 8, 8}, x}}});
  float bfDiff = 0.f, halfDiff = 0.f;
  for (size_t i = 0; i < ref["r"].size(); ++i) {
    bfDiff = std::max(bfDiff, std::fabs(got["r"][i] - ref["r"][i]));
    halfDiff = std::max(halfDiff, std::fabs(fp16["r"][i] - ref["r"][i]));
  }
  EXPECT_GT(bfDiff, halfDiff) << "a BF16 engine as exact as FP16 did not compute in bfloat16";
  // Both flags: FP16 (more significand bits).
  const std::string both = buildWith(n.net, true, true).engine->describeLayers();
  EXPECT_NE(both.find(" float16"), std::string::npos) << both;
  EXPECT_EQ(both.find("bfloat16"), std::string::npos) << both;
}

TEST(Precision, PinnedLayerStaysFloat32AndThePinSurvivesThePlan) {
  Net n;
  auto fp16 = buildWith(n.net, true);
  const trt::ILayer* pinned = findLayer(*fp16.engine, "pinned sum");
  ASSERT_NE(pinned, nullptr) << fp16.engine->describeLayers();
  EXPECT_TRUE(pinned->precisionIsSet());
  EXPECT_EQ(pinned->getPrecision(), trt::DataType::kFLOAT);
  EXPECT_EQ(pinned->getInput(0)->getType(), trt::DataType::kFLOAT);
  EXPECT_EQ(pinned->getOutput(0)->getType(), trt::DataType::kFLOAT);
  // The matmul's half output reaches the pinned reduce through one cast, shared by nobody else.
  const trt::ILayer* cast = pinned->getInput(0)->getProducer();
  ASSERT_NE(cast, nullptr);
  EXPECT_EQ(cast->getType(), trt::LayerType::kIDENTITY);
  EXPECT_EQ(cast->getInput(0)->getType(), trt::DataType::kHALF);
}

TEST(Precision, InputUsedTwiceIsCastOnce) {
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", trt::DataType::kFLOAT, {4});
  auto* a = net.addUnary(*x, trt::UnaryOperation::kEXP);
  auto* b = net.addUnary(*x, trt::UnaryOperation::kSIN);
  auto* s = net.addElementWise(*a->getOutput(0), *b->getOutput(0), trt::ElementWiseOperation::kSUM);
  s->getOutput(0)->setName("y");
  net.markOutput(*s->getOutput(0));
  auto fp16 = buildWith(net, true);
  int casts = 0;
  for (int l = 0; l < fp16.engine->network().getNbLayers(); ++l)
    casts += fp16.engine->network().getLayer(l)->getType() == trt::LayerType::kIDENTITY;
  EXPECT_EQ(casts, 2) << "one cast in, one cast out:\n" << fp16.engine->describeLayers();
  std::vector<float> xv = {0.1f, -0.5f, 1.25f, 2.f};
  auto y = run(*fp16.engine, {{"x", {{4}, xv}}})["y"];
  for (size_t i = 0; i < xv.size(); ++i) EXPECT_NEAR(y[i], std::exp(xv[i]) + std::sin(xv[i]), 2e-2f);
}

TEST(Precision, HalfNetworkInputRunsWithoutTheFp16Flag) {
  // A network declared in half (a .half() model) computes in half even when FP16 is not enabled.
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", trt::DataType::kHALF, {3});
  auto* r = net.addActivation(*x, trt::ActivationType::kSIGMOID);
  r->getOutput(0)->setName("y");
  net.markOutput(*r->getOutput(0));
  auto built = buildWith(net, false);
  EXPECT_EQ(built.engine->getTensorDataType("y"), trt::DataType::kHALF);
  std::vector<uint16_t> xh = {trt::floatToHalf(-1.f), trt::floatToHalf(0.f), trt::floatToHalf(2.f)};
  std::vector<uint16_t> yh(3);
  std::unique_ptr<trt::IExecutionContext> ctx(built.engine->createExecutionContext());
  ctx->setTensorAddress("x", xh.data());
  ctx->setTensorAddress("y", yh.data());
  ctx->enqueueV3(nullptr);
  const float xs[3] = {-1.f, 0.f, 2.f};
  for (int i = 0; i < 3; ++i) {
    float expected = trt::halfToFloat(trt::floatToHalf(1.f / (1.f + std::exp(-xs[i]))));
    EXPECT_EQ(trt::halfToFloat(yh[i]), expected) << "at " << i;
  }
}

TEST(Precision, UnpinnedLayerReadsBackUnpinned) {
  // The plan writes -1 for "the builder chooses"; reading it back must not pin the layer.
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", trt::DataType::kFLOAT, {2});
  auto* r = net.addActivation(*x, trt::ActivationType::kRELU);
  r->getOutput(0)->setName("y");
  net.markOutput(*r->getOutput(0));
  auto built = buildWith(net, false);
  EXPECT_FALSE(built.engine->network().getLayer(0)->precisionIsSet());
}

TEST(Precision, OutputAlsoReadByALaterLayer) {
  // y is a network output and the input of z: y's float cast must not take over z's input.
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", trt::DataType::kFLOAT, {3});
  auto* y = net.addUnary(*x, trt::UnaryOperation::kEXP);
  y->getOutput(0)->setName("y");
  net.markOutput(*y->getOutput(0));
  auto* z = net.addUnary(*y->getOutput(0), trt::UnaryOperation::kSIN);
  z->getOutput(0)->setName("z");
  net.markOutput(*z->getOutput(0));
  auto fp16 = buildWith(net, true);
  std::vector<float> xv = {0.f, 0.5f, -1.f};
  auto out = run(*fp16.engine, {{"x", {{3}, xv}}});
  for (size_t i = 0; i < xv.size(); ++i) {
    EXPECT_NEAR(out["y"][i], std::exp(xv[i]), 1e-2f);
    EXPECT_NEAR(out["z"][i], std::sin(std::exp(xv[i])), 1e-2f);
  }
}
