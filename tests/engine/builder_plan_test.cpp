// Builder passes, dynamic shapes with profiles, plan round trip and corrupted plans.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>

#include "builder/passes/passes.h"
#include "common/half.h"
#include "engine_test_util.h"
#include "layers/attention_layout.h"
#include "plan/plan_io.h"

using namespace trt_test;

namespace {
// x -> relu(conv(x)) + (c1 * c2), where c1 * c2 is foldable and one layer is dead.
void makeNetwork(trt::INetworkDefinition& net, std::vector<float>& w, std::vector<float>& c) {
  w = randomVector(2 * 1 * 1 * 1, 20);
  c = {2.f};
  auto* in = net.addInput("x", trt::DataType::kFLOAT, {1, 1, 3, 3});
  auto* conv = net.addConvolutionNd(*in, 2, {1, 1}, {trt::DataType::kFLOAT, w.data(), 2}, {});
  auto* relu = net.addActivation(*conv->getOutput(0), trt::ActivationType::kRELU);
  auto* c1 = net.addConstant({}, {trt::DataType::kFLOAT, c.data(), 1});
  auto* c2 = net.addConstant({}, {trt::DataType::kFLOAT, c.data(), 1});
  auto* prod = net.addElementWise(*c1->getOutput(0), *c2->getOutput(0), trt::ElementWiseOperation::kPROD);
  auto* sum = net.addElementWise(*relu->getOutput(0), *prod->getOutput(0), trt::ElementWiseOperation::kSUM);
  net.addActivation(*in, trt::ActivationType::kTANH);  // dead
  sum->getOutput(0)->setName("y");
  net.markOutput(*sum->getOutput(0));
}
}  // namespace

TEST(Builder, FoldsConstantsRemovesDeadLayersAndFusesRelu) {
  trt::INetworkDefinition net;
  std::vector<float> w, c;
  makeNetwork(net, w, c);
  ASSERT_EQ(net.getNbLayers(), 7);
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
  std::unique_ptr<trt::IHostMemory> plan(builder->buildSerializedNetwork(net, *config));
  EXPECT_EQ(net.getNbLayers(), 7) << "the caller's network must be untouched";
  std::unique_ptr<trt::IRuntime> rt(trt::createInferRuntime(trt::defaultLogger()));
  std::unique_ptr<trt::ICudaEngine> engine(rt->deserializeCudaEngine(plan->data(), plan->size()));
  // conv(+relu), folded constant, sum
  EXPECT_EQ(countLayersBesidesLayoutTransposes(engine->network()), 3) << engine->describeLayers();
  auto x = randomVector(9, 21);
  auto out = run(*engine, {{"x", {{1, 1, 3, 3}, x}}})["y"];
  for (int k = 0; k < 2; ++k)
    for (int i = 0; i < 9; ++i) EXPECT_FLOAT_EQ(out[k * 9 + i], std::max(0.f, x[i] * w[k]) + 4.f);
}

// TORCHTRT_SKIP_PASSES (a diagnostic for A/B timings) keeps the passes named from running: the same network built
// without constant folding keeps its constant product as layers, gives the same values and warns about a name that
// matched no pass; the precision assignment cannot be skipped.
TEST(Builder, SkipsThePassesTorchtrtSkipPassesNames) {
  class WarningLog : public trt::ILogger {
   public:
    void log(Severity severity, const char* msg) noexcept override {
      if (severity <= Severity::kWARNING) warnings += std::string(msg) + "\n";
    }
    std::string warnings;
  } log;
  struct SkipPasses {
    explicit SkipPasses(const char* names) { setenv("TORCHTRT_SKIP_PASSES", names, 1); }
    ~SkipPasses() { unsetenv("TORCHTRT_SKIP_PASSES"); }
  };
  trt::INetworkDefinition net;
  std::vector<float> w, c;
  makeNetwork(net, w, c);
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(log));
  std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
  std::unique_ptr<trt::IHostMemory> plan;
  {
    SkipPasses skip(" constant folding ,no such pass");
    plan.reset(builder->buildSerializedNetwork(net, *config));
  }
  EXPECT_NE(log.warnings.find("TORCHTRT_SKIP_PASSES: not running constant folding, no such pass"), std::string::npos)
      << log.warnings;
  EXPECT_NE(log.warnings.find("no pass named 'no such pass' ran in this build"), std::string::npos) << log.warnings;
  EXPECT_EQ(log.warnings.find("no pass named 'constant folding'"), std::string::npos) << log.warnings;
  std::unique_ptr<trt::IRuntime> rt(trt::createInferRuntime(trt::defaultLogger()));
  std::unique_ptr<trt::ICudaEngine> engine(rt->deserializeCudaEngine(plan->data(), plan->size()));
  // conv(+relu), the two constants, their product (not folded) and the sum
  EXPECT_EQ(countLayersBesidesLayoutTransposes(engine->network()), 5) << engine->describeLayers();
  const auto x = randomVector(9, 21);
  const auto out = run(*engine, {{"x", {{1, 1, 3, 3}, x}}})["y"];
  for (int k = 0; k < 2; ++k)
    for (int i = 0; i < 9; ++i) EXPECT_FLOAT_EQ(out[k * 9 + i], std::max(0.f, x[i] * w[k]) + 4.f);
  SkipPasses skip("precision assignment (casts added)");
  try {
    std::unique_ptr<trt::IHostMemory> refused(builder->buildSerializedNetwork(net, *config));
    FAIL() << "the precision assignment was skipped";
  } catch (const trt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot be skipped"), std::string::npos) << e.what();
  }
}

// A cast of large weights folds although its result passes the size limit of folded constants: it
// replaces a larger constant that nothing else reads (VGG-16's classifier weights were cast to
// float16 at every call). The float16 values are the cast's.
TEST(Builder, FoldsALargeCastOfWeightsThatNothingElseReads) {
  const int64_t n = (int64_t(64) << 20) / 2 + 4096;  // float16 result just over the 64 MiB limit
  std::vector<float> weights(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) weights[static_cast<size_t>(i)] = static_cast<float>(i % 1000) * 0.01f - 5.f;
  trt::INetworkDefinition net;
  auto* in = net.addInput("x", trt::DataType::kHALF, {n});
  auto* c = net.addConstant({1, n}, {trt::DataType::kFLOAT, weights.data(), n});
  c->getOutput(0)->setName("w");
  auto* cast = net.addIdentity(*c->getOutput(0));
  cast->setOutputType(0, trt::DataType::kHALF);
  auto* shuffle = net.addShuffle(*cast->getOutput(0));
  shuffle->setReshapeDimensions(trt::Dims{n});
  auto* sum = net.addElementWise(*in, *shuffle->getOutput(0), trt::ElementWiseOperation::kSUM);
  net.markOutput(*sum->getOutput(0));
  EXPECT_EQ(trt::passes::foldConstants(net), 2) << "the cast, then the reshape of its result";
  trt::passes::removeDeadLayers(net);
  int constants = 0, identities = 0;
  for (int l = 0; l < net.getNbLayers(); ++l) {
    const trt::ILayer* layer = net.getLayer(l);
    identities += layer->getType() == trt::LayerType::kIDENTITY;
    if (layer->getType() != trt::LayerType::kCONSTANT) continue;
    ++constants;
    const auto* folded = static_cast<const trt::IConstantLayer*>(layer);
    ASSERT_EQ(folded->getWeights().type, trt::DataType::kHALF);
    const auto* half = reinterpret_cast<const uint16_t*>(folded->bytes().data());
    for (int64_t i : {int64_t(0), int64_t(777), n - 1})
      EXPECT_EQ(trt::halfToFloat(half[i]), trt::halfToFloat(trt::floatToHalf(weights[static_cast<size_t>(i)])))
          << "at " << i;
  }
  EXPECT_EQ(constants, 1) << net.getLayer(0)->describe();
  EXPECT_EQ(identities, 0) << "the cast still runs at every call";
  EXPECT_EQ(net.getNbLayers(), 2) << "the folded constant and the sum";
}

TEST(Builder, FoldsResidualAddAndReluIntoTheConvolution) {
  // y = relu(conv_b(a) + a), a = conv_a(x): conv_b takes a as its residual input and the ReLU.
  const std::vector<float> wa = {1.f, -2.f, 0.5f, 1.5f}, wb = {-1.f, 0.25f, 2.f, -0.5f}, bias = {0.1f, -0.3f};
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", trt::DataType::kFLOAT, {1, 2, 3, 3});
  auto* a = net.addConvolutionNd(*x, 2, {1, 1}, {trt::DataType::kFLOAT, wa.data(), 4}, {});
  auto* b = net.addConvolutionNd(*a->getOutput(0), 2, {1, 1}, {trt::DataType::kFLOAT, wb.data(), 4},
                                 {trt::DataType::kFLOAT, bias.data(), 2});
  auto* sum = net.addElementWise(*b->getOutput(0), *a->getOutput(0), trt::ElementWiseOperation::kSUM);
  auto* relu = net.addActivation(*sum->getOutput(0), trt::ActivationType::kRELU);
  relu->getOutput(0)->setName("y");
  net.markOutput(*relu->getOutput(0));
  auto built = build(net);
  ASSERT_EQ(countLayersBesidesLayoutTransposes(built.engine->network()), 2) << built.engine->describeLayers();
  // The inspector's JSON names what was folded into the convolution.
  const std::string json = built.engine->describeLayersJson();
  EXPECT_NE(json.find("\"fused\":{\"bias\":true,\"residual\":true,"), std::string::npos) << json;
  EXPECT_NE(json.find("\"activation\":\"relu\"}"), std::string::npos) << json;
  EXPECT_NE(json.find("\"backend\":\"cpu\""), std::string::npos) << json;
  const trt::IConvolutionLayer* fused = nullptr;  // the second convolution
  for (int l = 0; l < built.engine->network().getNbLayers(); ++l)
    if (built.engine->network().getLayer(l)->getType() == trt::LayerType::kCONVOLUTION)
      fused = static_cast<const trt::IConvolutionLayer*>(built.engine->network().getLayer(l));
  ASSERT_NE(fused, nullptr);
  EXPECT_EQ(fused->getNbInputs(), 2);
  EXPECT_EQ(fused->getFusedActivation(), static_cast<int32_t>(trt::ActivationType::kRELU));
  auto xv = randomVector(18, 23);
  auto y = run(*built.engine, {{"x", {{1, 2, 3, 3}, xv}}})["y"];
  for (int p = 0; p < 9; ++p) {
    float av[2], by[2];
    for (int c = 0; c < 2; ++c) av[c] = wa[c * 2] * xv[p] + wa[c * 2 + 1] * xv[9 + p];
    for (int c = 0; c < 2; ++c) {
      by[c] = wb[c * 2] * av[0] + wb[c * 2 + 1] * av[1] + bias[c];
      EXPECT_NEAR(y[c * 9 + p], std::max(0.f, by[c] + av[c]), 1e-5f) << "at " << c << "," << p;
    }
  }
}

TEST(Builder, FoldsAResidualComputedAfterTheConvolution) {
  // An FPN's top-down step as traced: lateral = conv(c), then top = upsample(p) (after the convolution in layer
  // order), then lateral + top. The convolution moves to just before the sum and reads top as its residual; the
  // result is the unfused network's.
  const std::vector<float> w = randomVector(4 * 4, 37), bias = randomVector(4, 38);
  trt::INetworkDefinition net;
  auto* c = net.addInput("c", trt::DataType::kFLOAT, {1, 4, 4, 4});
  auto* p = net.addInput("p", trt::DataType::kFLOAT, {1, 4, 2, 2});
  auto* lateral = net.addConvolutionNd(*c, 4, {1, 1}, {trt::DataType::kFLOAT, w.data(), 16},
                                       {trt::DataType::kFLOAT, bias.data(), 4});
  auto* top = net.addResize(*p, {1, 4, 4, 4});
  top->setResizeMode(trt::InterpolationMode::kNEAREST);
  auto* sum = net.addElementWise(*lateral->getOutput(0), *top->getOutput(0), trt::ElementWiseOperation::kSUM);
  sum->getOutput(0)->setName("y");
  net.markOutput(*sum->getOutput(0));
  const auto cv = randomVector(64, 39), pv = randomVector(16, 40);
  auto built = build(net);
  int sums = 0, residualConvolutions = 0;
  for (int l = 0; l < built.engine->network().getNbLayers(); ++l) {
    const trt::ILayer* layer = built.engine->network().getLayer(l);
    sums += layer->getType() == trt::LayerType::kELEMENTWISE;
    residualConvolutions += layer->getType() == trt::LayerType::kCONVOLUTION && layer->getNbInputs() == 2;
  }
  EXPECT_EQ(sums, 0) << built.engine->describeLayers();
  EXPECT_EQ(residualConvolutions, 1) << built.engine->describeLayers();
  const auto y = run(*built.engine, {{"c", {{1, 4, 4, 4}, cv}}, {"p", {{1, 4, 2, 2}, pv}}})["y"];
  for (int k = 0; k < 4; ++k)
    for (int h = 0; h < 4; ++h)
      for (int x = 0; x < 4; ++x) {
        float v = bias[k];
        for (int ch = 0; ch < 4; ++ch) v += w[k * 4 + ch] * cv[(ch * 4 + h) * 4 + x];
        v += pv[(k * 2 + h / 2) * 2 + x / 2];
        EXPECT_NEAR(y[(k * 4 + h) * 4 + x], v, 1e-5f) << k << "," << h << "," << x;
      }
}

TEST(Builder, ASumOfTwoConvolutionsFoldsIntoTheLaterOneInPlace) {
  // conv_a(x) + conv_b(x) as a ResNet block's last convolution + its downsample: conv_b, which runs after conv_a,
  // takes conv_a's output as its residual where it stands; nothing moves (the move is for a residual computed
  // after both convolutions).
  const std::vector<float> wa = randomVector(4 * 4, 41), wb = randomVector(4 * 4, 42);
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", trt::DataType::kFLOAT, {1, 4, 3, 3});
  auto* a = net.addConvolutionNd(*x, 4, {1, 1}, {trt::DataType::kFLOAT, wa.data(), 16}, {});
  a->setName("conv_a");
  auto* b = net.addConvolutionNd(*x, 4, {1, 1}, {trt::DataType::kFLOAT, wb.data(), 16}, {});
  b->setName("conv_b");
  auto* sum = net.addElementWise(*a->getOutput(0), *b->getOutput(0), trt::ElementWiseOperation::kSUM);
  sum->getOutput(0)->setName("y");
  net.markOutput(*sum->getOutput(0));
  auto built = build(net);
  std::vector<std::pair<std::string, int>> convolutions;
  for (int l = 0; l < built.engine->network().getNbLayers(); ++l) {
    const trt::ILayer* layer = built.engine->network().getLayer(l);
    if (layer->getType() == trt::LayerType::kCONVOLUTION)
      convolutions.emplace_back(std::string(layer->getName()).substr(0, 6), layer->getNbInputs());
  }
  ASSERT_EQ(convolutions.size(), 2u) << built.engine->describeLayers();
  EXPECT_EQ(convolutions[0], std::make_pair(std::string("conv_a"), 1));
  EXPECT_EQ(convolutions[1], std::make_pair(std::string("conv_b"), 2));
  const auto xv = randomVector(36, 43);
  const auto y = run(*built.engine, {{"x", {{1, 4, 3, 3}, xv}}})["y"];
  for (int k = 0; k < 4; ++k)
    for (int p = 0; p < 9; ++p) {
      float v = 0.f;
      for (int c = 0; c < 4; ++c) v += (wa[k * 4 + c] + wb[k * 4 + c]) * xv[c * 9 + p];
      EXPECT_NEAR(y[k * 9 + p], v, 1e-5f) << k << "," << p;
    }
}

TEST(Builder, GatedActivationsBecomeOneActivationAndFoldIntoTheConvolution) {
  // silu(conv(x)) written as c * sigmoid(c) and hardswish(x) as x * hardsigmoid(x): the first
  // becomes the convolution's fused SiLU, the second one hard-swish activation layer. A gate read
  // twice, or a hard sigmoid with other parameters, stays as it is.
  const std::vector<float> w = {1.5f, -0.5f};
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", trt::DataType::kFLOAT, {1, 1, 3, 3});
  auto* conv = net.addConvolutionNd(*x, 2, {1, 1}, {trt::DataType::kFLOAT, w.data(), 2}, {});
  auto* sig = net.addActivation(*conv->getOutput(0), trt::ActivationType::kSIGMOID);
  auto* silu = net.addElementWise(*conv->getOutput(0), *sig->getOutput(0), trt::ElementWiseOperation::kPROD);
  auto* hs = net.addActivation(*x, trt::ActivationType::kHARD_SIGMOID);
  hs->setAlpha(1.f / 6.f);
  hs->setBeta(0.5f);
  auto* hswish = net.addElementWise(*hs->getOutput(0), *x, trt::ElementWiseOperation::kPROD);
  auto* other = net.addActivation(*x, trt::ActivationType::kHARD_SIGMOID);  // alpha 0.2: not hardsigmoid
  other->setAlpha(0.2f);
  other->setBeta(0.5f);
  auto* kept = net.addElementWise(*x, *other->getOutput(0), trt::ElementWiseOperation::kPROD);
  auto* twice = net.addActivation(*x, trt::ActivationType::kSIGMOID);  // read by the product and an output
  auto* gated = net.addElementWise(*x, *twice->getOutput(0), trt::ElementWiseOperation::kPROD);
  const char* names[] = {"silu", "hswish", "kept", "gated", "gate"};
  trt::ITensor* outs[] = {silu->getOutput(0), hswish->getOutput(0), kept->getOutput(0), gated->getOutput(0),
                          twice->getOutput(0)};
  for (int i = 0; i < 5; ++i) {
    outs[i]->setName(names[i]);
    net.markOutput(*outs[i]);
  }
  auto built = build(net);
  const trt::INetworkDefinition& after = built.engine->network();
  int convolutions = 0, hardSwishes = 0, products = 0;
  for (int l = 0; l < after.getNbLayers(); ++l) {
    const trt::ILayer* layer = after.getLayer(l);
    if (layer->getType() == trt::LayerType::kCONVOLUTION) {
      ++convolutions;
      EXPECT_EQ(static_cast<const trt::IConvolutionLayer*>(layer)->getFusedActivation(),
                static_cast<int32_t>(trt::ActivationType::kSILU));
    }
    if (layer->getType() == trt::LayerType::kACTIVATION &&
        static_cast<const trt::IActivationLayer*>(layer)->getActivationType() == trt::ActivationType::kHARD_SWISH)
      ++hardSwishes;
    products += layer->getType() == trt::LayerType::kELEMENTWISE;
  }
  EXPECT_EQ(convolutions, 1);
  EXPECT_EQ(hardSwishes, 1);
  EXPECT_EQ(products, 2) << built.engine->describeLayers();
  const auto xv = randomVector(9, 33, -5.f, 5.f);
  auto y = run(*built.engine, {{"x", {{1, 1, 3, 3}, xv}}});
  for (int i = 0; i < 9; ++i) {
    const float v = xv[i];
    for (int k = 0; k < 2; ++k) {
      const float c = w[k] * v;
      EXPECT_NEAR(y["silu"][k * 9 + i], c / (1.f + std::exp(-c)), 1e-6f);
    }
    EXPECT_NEAR(y["hswish"][i], v * std::min(std::max(v + 3.f, 0.f), 6.f) / 6.f, 1e-6f);
    EXPECT_NEAR(y["kept"][i], v * std::max(0.f, std::min(1.f, 0.2f * v + 0.5f)), 1e-6f);
    EXPECT_NEAR(y["gated"][i], v / (1.f + std::exp(-v)), 1e-6f);
  }
}

TEST(Builder, FoldsGeluIntoAMatrixMultiplyOnlyWhereTheBackendFusesIt) {
  // The pass with the default rule (ReLU only: ExecutionBackend's) leaves GELU a layer; with a rule that takes
  // the exact GELU (the CPU's and CUDA's) it joins the product; and the CPU build computes what the unfused
  // reference does.
  const std::vector<float> w = randomVector(8, 24);
  auto make = [&](trt::INetworkDefinition& net) {
    auto* x = net.addInput("x", trt::DataType::kFLOAT, {2, 3, 4});
    auto* wc = net.addConstant({4, 2}, {trt::DataType::kFLOAT, w.data(), 8});
    auto* mm = net.addMatrixMultiply(*x, trt::MatrixOperation::kNONE, *wc->getOutput(0), trt::MatrixOperation::kNONE);
    auto* gelu = net.addActivation(*mm->getOutput(0), trt::ActivationType::kGELU_ERF);
    gelu->getOutput(0)->setName("y");
    net.markOutput(*gelu->getOutput(0));
    return mm;
  };
  trt::INetworkDefinition cudaRule, cpuRule, built;
  auto* mmCuda = make(cudaRule);
  auto* mmCpu = make(cpuRule);
  EXPECT_EQ(trt::passes::fuseActivation(cudaRule), 0);
  EXPECT_EQ(mmCuda->getFusedActivation(), -1);
  EXPECT_EQ(
      trt::passes::fuseActivation(cpuRule, [](trt::ActivationType t) { return t == trt::ActivationType::kGELU_ERF; }),
      1);
  EXPECT_EQ(mmCpu->getFusedActivation(), static_cast<int32_t>(trt::ActivationType::kGELU_ERF));
  make(built);
  auto engine = build(built);
  EXPECT_NE(engine.engine->describeLayersJson().find("gelu"), std::string::npos) << engine.engine->describeLayers();
  const auto xv = randomVector(24, 25);
  const auto y = run(*engine.engine, {{"x", {{2, 3, 4}, xv}}})["y"];
  for (int r = 0; r < 6; ++r)
    for (int c = 0; c < 2; ++c) {
      float v = 0.f;
      for (int k = 0; k < 4; ++k) v += xv[r * 4 + k] * w[k * 2 + c];
      EXPECT_NEAR(y[r * 2 + c], 0.5f * v * (1.f + std::erf(v / std::sqrt(2.f))), 1e-5f);
    }
  // In an FP16 build too (16-bit storage, the product and GELU computed in float): within half's
  // rounding of the inputs, the weights and the result.
  trt::INetworkDefinition half;
  make(half);
  trt::IBuilderConfig fp16;
  fp16.setFlag(trt::BuilderFlag::kFP16);
  auto halfEngine = build(half, &fp16);
  EXPECT_NE(halfEngine.engine->describeLayersJson().find("float16"), std::string::npos);
  const auto yh = run(*halfEngine.engine, {{"x", {{2, 3, 4}, xv}}})["y"];
  for (size_t i = 0; i < y.size(); ++i) EXPECT_NEAR(yh[i], y[i], 1e-2f * (1.f + std::fabs(y[i]))) << i;
}

// GELU's tanh form written out as GPT-2's feed-forward writes it, after a product with a bias seen through
// a view ([B*S, N] rows as [B, S, N]): the builder makes it one GELU_TANH activation and folds it into the
// product (cuBLASLt's GELU epilogue on CUDA, a oneDNN post-op on the CPU); each backend computes the formula.
TEST(Builder, TanhGeluWrittenOutBecomesOneActivationFoldedIntoTheProduct) {
  const std::vector<float> w = randomVector(32, 31), b = randomVector(8, 32);
  auto make = [&](trt::INetworkDefinition& net) {
    auto* x = net.addInput("x", trt::DataType::kFLOAT, {6, 4});
    auto* wc = net.addConstant({4, 8}, {trt::DataType::kFLOAT, w.data(), 32});
    auto* mm = net.addMatrixMultiply(*x, trt::MatrixOperation::kNONE, *wc->getOutput(0), trt::MatrixOperation::kNONE);
    auto* bc = net.addConstant({1, 8}, {trt::DataType::kFLOAT, b.data(), 8});
    auto* biased = net.addElementWise(*mm->getOutput(0), *bc->getOutput(0), trt::ElementWiseOperation::kSUM);
    auto* view = net.addShuffle(*biased->getOutput(0));
    view->setReshapeDimensions({2, 3, 8});
    trt::ITensor* h = view->getOutput(0);
    auto scalar = [&](float v) {
      static std::vector<std::unique_ptr<float>> kept;
      kept.push_back(std::make_unique<float>(v));
      return net.addConstant({}, {trt::DataType::kFLOAT, kept.back().get(), 1})->getOutput(0);
    };
    using Op = trt::ElementWiseOperation;
    auto op = [&](trt::ITensor* a, trt::ITensor* c, Op o) { return net.addElementWise(*a, *c, o)->getOutput(0); };
    trt::ITensor* halfX = op(h, scalar(0.5f), Op::kPROD);
    trt::ITensor* cube = op(h, scalar(3.f), Op::kPOW);
    trt::ITensor* inner = op(op(h, op(cube, scalar(0.044715f), Op::kPROD), Op::kSUM),
                             scalar(static_cast<float>(std::sqrt(2.0 / M_PI))), Op::kPROD);
    trt::ITensor* gate = op(net.addActivation(*inner, trt::ActivationType::kTANH)->getOutput(0), scalar(1.f), Op::kSUM);
    trt::ITensor* y = op(halfX, gate, Op::kPROD);
    y->setName("y");
    net.markOutput(*y);
  };
  const auto xv = randomVector(24, 33);
  std::vector<float> expected(48);
  for (int r = 0; r < 6; ++r)
    for (int c = 0; c < 8; ++c) {
      double v = b[c];
      for (int k = 0; k < 4; ++k) v += static_cast<double>(xv[r * 4 + k]) * w[k * 8 + c];
      expected[r * 8 + c] =
          static_cast<float>(0.5 * v * (1 + std::tanh(std::sqrt(2.0 / M_PI) * (v + 0.044715 * v * v * v))));
    }
  std::vector<trt::Backend> backends = {trt::Backend::kCPU};
  if (gpuVisible()) backends.push_back(trt::Backend::kCUDA);
  for (trt::Backend backend : backends) {
    SCOPED_TRACE(trt::backendName(backend));
    trt::INetworkDefinition net;
    make(net);
    trt::IBuilderConfig config;
    config.setBackend(backend);
    config.clearFlag(trt::BuilderFlag::kTF32);
    auto built = build(net, &config);
    const trt::INetworkDefinition& plan = built.engine->network();
    int elementwise = 0, activations = 0, geluProducts = 0;
    for (int l = 0; l < plan.getNbLayers(); ++l) {
      const trt::ILayer* layer = plan.getLayer(l);
      elementwise += layer->getType() == trt::LayerType::kELEMENTWISE;
      activations += layer->getType() == trt::LayerType::kACTIVATION;
      if (layer->getType() == trt::LayerType::kMATRIX_MULTIPLY)
        geluProducts += static_cast<const trt::IMatrixMultiplyLayer*>(layer)->getFusedActivation() ==
                        static_cast<int32_t>(trt::ActivationType::kGELU_TANH);
    }
    EXPECT_EQ(elementwise, 0) << built.engine->describeLayers();
    EXPECT_EQ(activations, 0) << built.engine->describeLayers();
    EXPECT_EQ(geluProducts, 1) << built.engine->describeLayers();
    const auto y = run(*built.engine, {{"x", {{6, 4}, xv}}})["y"];
    expectNear(y, expected, 1e-5f);
  }
}

// T5's RMS normalization written out: w * (x * rsqrt(mean(x.float() ** 2, -1, keepdim) + eps)), rsqrt as
// 1 / sqrt and the square read through a no-op cast, becomes one RMSNormalization layer with the same
// result; without w too; a mean over a leading axis is no RMS normalization and stays.
TEST(Builder, RmsNormalizationWrittenOutBecomesOneLayer) {
  const int rows = 6, width = 16;
  const std::vector<float> w = randomVector(width, 41, 0.5f, 1.5f), xv = randomVector(rows * width, 42, -2.f, 2.f);
  const float eps = 1e-6f, two = 2.f;
  for (int variant = 0; variant < 3; ++variant) {
    const bool scaled = variant != 1, lastAxis = variant != 2;
    SCOPED_TRACE(variant == 0 ? "scaled" : variant == 1 ? "unscaled" : "mean over axis 0");
    trt::INetworkDefinition net;
    auto* x = net.addInput("x", trt::DataType::kFLOAT, {rows, width});
    trt::ITensor* cast = net.addIdentity(*x)->getOutput(0);
    trt::ITensor* square =
        net.addElementWise(*cast, *net.addConstant({}, {trt::DataType::kFLOAT, &two, 1})->getOutput(0),
                           trt::ElementWiseOperation::kPOW)
            ->getOutput(0);
    trt::ITensor* mean =
        net.addReduce(*square, trt::ReduceOperation::kAVG, lastAxis ? 1u << 1 : 1u << 0, true)->getOutput(0);
    trt::ITensor* shifted =
        net.addElementWise(*mean, *net.addConstant({}, {trt::DataType::kFLOAT, &eps, 1})->getOutput(0),
                           trt::ElementWiseOperation::kSUM)
            ->getOutput(0);
    trt::ITensor* root = net.addUnary(*shifted, trt::UnaryOperation::kSQRT)->getOutput(0);
    trt::ITensor* inverse = net.addUnary(*root, trt::UnaryOperation::kRECIP)->getOutput(0);
    trt::ITensor* y = net.addElementWise(*x, *inverse, trt::ElementWiseOperation::kPROD)->getOutput(0);
    if (scaled)
      y = net.addElementWise(*net.addConstant({width}, {trt::DataType::kFLOAT, w.data(), width})->getOutput(0), *y,
                             trt::ElementWiseOperation::kPROD)
              ->getOutput(0);
    y->setName("y");
    net.markOutput(*y);
    auto built = build(net);
    int norms = 0, elementwise = 0;
    const trt::INetworkDefinition& plan = built.engine->network();
    for (int l = 0; l < plan.getNbLayers(); ++l) {
      norms += plan.getLayer(l)->getType() == trt::LayerType::kRMS_NORMALIZATION;
      elementwise += plan.getLayer(l)->getType() == trt::LayerType::kELEMENTWISE;
    }
    EXPECT_EQ(norms, lastAxis ? 1 : 0) << built.engine->describeLayers();
    if (lastAxis) {
      EXPECT_EQ(elementwise, 0) << built.engine->describeLayers();
    }
    const auto out = run(*built.engine, {{"x", {{rows, width}, xv}}})["y"];
    std::vector<float> expected(rows * width);
    for (int r = 0; r < rows; ++r)
      for (int c = 0; c < width; ++c) {
        double ms = 0;
        if (lastAxis)
          for (int k = 0; k < width; ++k) ms += double(xv[r * width + k]) * xv[r * width + k] / width;
        else
          for (int k = 0; k < rows; ++k) ms += double(xv[k * width + c]) * xv[k * width + c] / rows;
        expected[r * width + c] = static_cast<float>(xv[r * width + c] / std::sqrt(ms + eps) * (scaled ? w[c] : 1.f));
      }
    expectNear(out, expected, 1e-5f);
  }
}

TEST(Builder, FoldsColumnBiasAndReluIntoTheMatrixMultiply) {
  // y = relu(x [2,3,4] @ w [4,2] + b [1,2]) becomes one MatrixMultiply (+ its weight and bias constants).
  const std::vector<float> w = randomVector(8, 24), b = {0.5f, -0.25f};
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", trt::DataType::kFLOAT, {2, 3, 4});
  auto* wc = net.addConstant({4, 2}, {trt::DataType::kFLOAT, w.data(), 8});
  auto* bc = net.addConstant({1, 2}, {trt::DataType::kFLOAT, b.data(), 2});
  auto* mm = net.addMatrixMultiply(*x, trt::MatrixOperation::kNONE, *wc->getOutput(0), trt::MatrixOperation::kNONE);
  auto* sum = net.addElementWise(*bc->getOutput(0), *mm->getOutput(0), trt::ElementWiseOperation::kSUM);
  auto* relu = net.addActivation(*sum->getOutput(0), trt::ActivationType::kRELU);
  relu->getOutput(0)->setName("y");
  net.markOutput(*relu->getOutput(0));
  auto built = build(net);
  int matmuls = 0, others = 0;
  for (int l = 0; l < built.engine->network().getNbLayers(); ++l) {
    const trt::ILayer* layer = built.engine->network().getLayer(l);
    if (layer->getType() == trt::LayerType::kMATRIX_MULTIPLY) {
      ++matmuls;
      EXPECT_EQ(layer->getNbInputs(), 3);
      EXPECT_EQ(static_cast<const trt::IMatrixMultiplyLayer*>(layer)->getFusedActivation(),
                static_cast<int32_t>(trt::ActivationType::kRELU));
    } else if (layer->getType() != trt::LayerType::kCONSTANT) {
      ++others;
    }
  }
  EXPECT_EQ(matmuls, 1);
  EXPECT_EQ(others, 0) << built.engine->describeLayers();
  auto xv = randomVector(24, 25);
  auto y = run(*built.engine, {{"x", {{2, 3, 4}, xv}}})["y"];
  for (int r = 0; r < 6; ++r)
    for (int c = 0; c < 2; ++c) {
      float v = b[c];
      for (int k = 0; k < 4; ++k) v += xv[r * 4 + k] * w[k * 2 + c];
      EXPECT_NEAR(y[r * 2 + c], std::max(0.f, v), 1e-5f) << r << "," << c;
    }
}

TEST(Builder, FoldsResidualAddIntoTheMatrixMultiply) {
  // r + (x @ w [+ b]) as pre-norm transformers write it: with a bias, without one (a zero bias joins), through
  // GPT-2's reshape of the product's rows, and with a ReLU after the sum (folded after the residual). One
  // MatrixMultiply with four inputs computes each; a ReLU before the sum keeps the add a layer of its own.
  enum Form { kBias, kNoBias, kReshaped, kReluAfter, kReluBefore, kScaled };
  const std::vector<float> w = randomVector(4 * 2, 31), b = {0.5f, -0.25f};
  const float half = 0.5f;
  for (Form form : {kBias, kNoBias, kReshaped, kReluAfter, kReluBefore, kScaled}) {
    trt::INetworkDefinition net;
    const trt::Dims xDims = form == kReshaped ? trt::Dims{6, 4} : trt::Dims{2, 3, 4};
    auto* x = net.addInput("x", trt::DataType::kFLOAT, xDims);
    auto* r = net.addInput("r", trt::DataType::kFLOAT, {2, 3, 2});
    auto* wc = net.addConstant({4, 2}, {trt::DataType::kFLOAT, w.data(), 8});
    auto* mm = net.addMatrixMultiply(*x, trt::MatrixOperation::kNONE, *wc->getOutput(0), trt::MatrixOperation::kNONE);
    trt::ITensor* product = mm->getOutput(0);
    if (form == kScaled) {  // alpha 0.5: on oneDNN a scale post-op, then the bias and the residual as binary ones
      auto* c = net.addConstant({}, {trt::DataType::kFLOAT, &half, 1});
      product = net.addElementWise(*product, *c->getOutput(0), trt::ElementWiseOperation::kPROD)->getOutput(0);
    }
    if (form != kNoBias) {
      auto* bc = net.addConstant({2}, {trt::DataType::kFLOAT, b.data(), 2});
      product = net.addElementWise(*product, *bc->getOutput(0), trt::ElementWiseOperation::kSUM)->getOutput(0);
    }
    if (form == kReshaped) {
      auto* view = net.addShuffle(*product);
      view->setReshapeDimensions({2, 3, 2});
      product = view->getOutput(0);
    }
    if (form == kReluBefore) product = net.addActivation(*product, trt::ActivationType::kRELU)->getOutput(0);
    trt::ITensor* y = net.addElementWise(*r, *product, trt::ElementWiseOperation::kSUM)->getOutput(0);
    if (form == kReluAfter) y = net.addActivation(*y, trt::ActivationType::kRELU)->getOutput(0);
    y->setName("y");
    net.markOutput(*y);
    auto built = build(net);
    int matmuls = 0, adds = 0;
    for (int l = 0; l < built.engine->network().getNbLayers(); ++l) {
      const trt::ILayer* layer = built.engine->network().getLayer(l);
      if (layer->getType() == trt::LayerType::kMATRIX_MULTIPLY) {
        ++matmuls;
        EXPECT_EQ(layer->getNbInputs(), form == kReluBefore ? 3 : 4) << form;
        EXPECT_EQ(static_cast<const trt::IMatrixMultiplyLayer*>(layer)->getFusedActivation(),
                  form == kReluAfter || form == kReluBefore ? static_cast<int32_t>(trt::ActivationType::kRELU) : -1);
      }
      adds += layer->getType() == trt::LayerType::kELEMENTWISE;
    }
    EXPECT_EQ(matmuls, 1) << form;
    EXPECT_EQ(adds, form == kReluBefore ? 1 : 0) << form << "\n" << built.engine->describeLayers();
    const auto xv = randomVector(24, 32), rv = randomVector(12, 33);
    auto out = run(*built.engine, {{"x", {xDims, xv}}, {"r", {{2, 3, 2}, rv}}})["y"];
    for (int row = 0; row < 6; ++row)
      for (int c = 0; c < 2; ++c) {
        float v = 0.f;
        for (int k = 0; k < 4; ++k) v += xv[row * 4 + k] * w[k * 2 + c];
        if (form == kScaled) v *= 0.5f;
        if (form != kNoBias) v += b[c];
        if (form == kReluBefore) v = std::max(0.f, v);
        v += rv[row * 2 + c];
        if (form == kReluAfter) v = std::max(0.f, v);
        EXPECT_NEAR(out[row * 2 + c], v, 1e-5f) << form << " " << row << "," << c;
      }
  }
}

TEST(Builder, KeepsAResidualAddThatBroadcastsOrComesLater) {
  // A residual that broadcasts ([1, 2] against [3, 2]) is no element-by-element addend; one computed by a
  // layer after the product (relu(r) added after it) is not there when the product runs. Both sums stay.
  const std::vector<float> w = randomVector(4 * 2, 34);
  for (bool broadcast : {true, false}) {
    trt::INetworkDefinition net;
    const trt::Dims rDims = broadcast ? trt::Dims{1, 2} : trt::Dims{3, 2};
    auto* x = net.addInput("x", trt::DataType::kFLOAT, {3, 4});
    auto* r = net.addInput("r", trt::DataType::kFLOAT, rDims);
    auto* wc = net.addConstant({4, 2}, {trt::DataType::kFLOAT, w.data(), 8});
    auto* mm = net.addMatrixMultiply(*x, trt::MatrixOperation::kNONE, *wc->getOutput(0), trt::MatrixOperation::kNONE);
    trt::ITensor* addend = broadcast ? r : net.addActivation(*r, trt::ActivationType::kRELU)->getOutput(0);
    trt::ITensor* y = net.addElementWise(*mm->getOutput(0), *addend, trt::ElementWiseOperation::kSUM)->getOutput(0);
    y->setName("y");
    net.markOutput(*y);
    auto built = build(net);
    int adds = 0;
    for (int l = 0; l < built.engine->network().getNbLayers(); ++l) {
      const trt::ILayer* layer = built.engine->network().getLayer(l);
      if (layer->getType() == trt::LayerType::kMATRIX_MULTIPLY) {
        EXPECT_LT(layer->getNbInputs(), 4) << broadcast;
      }
      adds += layer->getType() == trt::LayerType::kELEMENTWISE;
    }
    EXPECT_EQ(adds, 1) << broadcast << "\n" << built.engine->describeLayers();
    const auto xv = randomVector(12, 35), rv = randomVector(static_cast<size_t>(rDims.volume()), 36);
    auto out = run(*built.engine, {{"x", {{3, 4}, xv}}, {"r", {rDims, rv}}})["y"];
    for (int row = 0; row < 3; ++row)
      for (int c = 0; c < 2; ++c) {
        float v = 0.f;
        for (int k = 0; k < 4; ++k) v += xv[row * 4 + k] * w[k * 2 + c];
        const float expected = broadcast ? v + rv[c] : v + std::max(0.f, rv[row * 2 + c]);
        EXPECT_NEAR(out[row * 2 + c], expected, 1e-5f) << broadcast;
      }
  }
}

TEST(Builder, StacksProductsOfOneInputIntoOneProductReadAsViews) {
  // Q, K and V projections of one input x [2, 3, 4]: by [4, 8] weights with biases, and by [1, 8, 4] weights
  // read transposed (nn.MultiheadAttention's form) without. Each trio becomes one product by [3, 4, 8]
  // (or [3, 8, 4]) weights; its three results are slices of its output that run as views (no copy); a
  // fourth product by other-shaped weights stays on its own. Results as the separate products give them.
  for (bool transposed : {false, true}) {
    const std::vector<float> w = randomVector(3 * 32, 40), b = randomVector(24, 41), other = randomVector(4 * 2, 42);
    trt::INetworkDefinition net;
    auto* x = net.addInput("x", trt::DataType::kFLOAT, {2, 3, 4});
    for (int p = 0; p < 3; ++p) {
      const trt::Dims wd = transposed ? trt::Dims{1, 8, 4} : trt::Dims{4, 8};
      auto* wc = net.addConstant(wd, {trt::DataType::kFLOAT, w.data() + 32 * p, 32});
      auto* mm = net.addMatrixMultiply(*x, trt::MatrixOperation::kNONE, *wc->getOutput(0),
                                       transposed ? trt::MatrixOperation::kTRANSPOSE : trt::MatrixOperation::kNONE);
      trt::ITensor* y = mm->getOutput(0);
      if (!transposed) {
        auto* bc = net.addConstant({8}, {trt::DataType::kFLOAT, b.data() + 8 * p, 8});
        y = net.addElementWise(*y, *bc->getOutput(0), trt::ElementWiseOperation::kSUM)->getOutput(0);
      }
      y = net.addActivation(*y, trt::ActivationType::kTANH)->getOutput(0);  // read by another layer, as attention does
      y->setName(("y" + std::to_string(p)).c_str());
      net.markOutput(*y);
    }
    auto* oc = net.addConstant({4, 2}, {trt::DataType::kFLOAT, other.data(), 8});
    auto* lone = net.addMatrixMultiply(*x, trt::MatrixOperation::kNONE, *oc->getOutput(0), trt::MatrixOperation::kNONE);
    lone->getOutput(0)->setName("z");
    net.markOutput(*lone->getOutput(0));
    // The CUDA backend's builds stack (the CPU's oneDNN runs the stacked form on its reference kernel): the
    // pass itself here, after the bias fusion it follows, then a CPU build of its result.
    trt::passes::fuseMatrixMultiplyBias(net);
    trt::passes::removeDeadLayers(net);
    EXPECT_EQ(trt::passes::stackSiblingProducts(net), 1);
    auto built = build(net);
    int products = 0, stackedProducts = 0, slices = 0;
    const trt::INetworkDefinition& bn = built.engine->network();
    for (int l = 0; l < bn.getNbLayers(); ++l) {
      const trt::ILayer* layer = bn.getLayer(l);
      if (layer->getType() == trt::LayerType::kMATRIX_MULTIPLY) {
        ++products;
        stackedProducts +=
            layer->getInput(1)->getDimensions().nbDims == 3 && layer->getInput(1)->getDimensions().d[0] == 3;
      }
      slices += layer->getType() == trt::LayerType::kSLICE;
    }
    EXPECT_EQ(products, 2) << built.engine->describeLayers();
    EXPECT_EQ(stackedProducts, 1);
    EXPECT_EQ(slices, 3);
    const std::string info = built.engine->describeLayers();
    const auto xv = randomVector(24, 43);
    auto out = run(*built.engine, {{"x", {{2, 3, 4}, xv}}});
    for (int p = 0; p < 3; ++p)
      for (int row = 0; row < 6; ++row)
        for (int c = 0; c < 8; ++c) {
          float v = transposed ? 0.f : b[8 * p + c];
          for (int k = 0; k < 4; ++k)
            v += xv[row * 4 + k] * (transposed ? w[32 * p + c * 4 + k] : w[32 * p + k * 8 + c]);
          EXPECT_NEAR(out["y" + std::to_string(p)][row * 8 + c], std::tanh(v), 1e-5f) << transposed << " " << p;
        }
    for (int row = 0; row < 6; ++row)
      for (int c = 0; c < 2; ++c) {
        float v = 0.f;
        for (int k = 0; k < 4; ++k) v += xv[row * 4 + k] * other[k * 2 + c];
        EXPECT_NEAR(out["z"][row * 2 + c], v, 1e-5f);
      }
  }
}

TEST(Builder, StacksTheColumnBlocksOfAProductSplitBySlices) {
  // GPT-2's fused Q/K/V projection: x [2, 3, 4] viewed as [6, 4], times W [4, 24] (or [24, 4] read transposed)
  // plus a bias, viewed as [2, 3, 24], split by three slices of 8 columns (listed out of order). The product
  // becomes one by W's column blocks [3, 4, 8] whose results are views; unequal slices leave it as it is.
  for (int variant = 0; variant < 3; ++variant) {
    const bool transposed = variant == 1, unequal = variant == 2;
    const std::vector<float> w = randomVector(96, 60), b = randomVector(24, 61);
    trt::INetworkDefinition net;
    auto* x = net.addInput("x", trt::DataType::kFLOAT, {2, 3, 4});
    auto* rows = net.addShuffle(*x);
    rows->setReshapeDimensions({6, 4});
    auto* wc = net.addConstant(transposed ? trt::Dims{24, 4} : trt::Dims{4, 24}, {trt::DataType::kFLOAT, w.data(), 96});
    auto* mm = net.addMatrixMultiply(*rows->getOutput(0), trt::MatrixOperation::kNONE, *wc->getOutput(0),
                                     transposed ? trt::MatrixOperation::kTRANSPOSE : trt::MatrixOperation::kNONE);
    auto* bc = net.addConstant({24}, {trt::DataType::kFLOAT, b.data(), 24});
    auto* biased = net.addElementWise(*mm->getOutput(0), *bc->getOutput(0), trt::ElementWiseOperation::kSUM);
    auto* view = net.addShuffle(*biased->getOutput(0));
    view->setReshapeDimensions({2, 3, 24});
    const std::vector<std::pair<int64_t, int64_t>> windows =
        unequal ? std::vector<std::pair<int64_t, int64_t>>{{0, 8}, {8, 16}}
                : std::vector<std::pair<int64_t, int64_t>>{{16, 8}, {0, 8}, {8, 8}};
    for (size_t i = 0; i < windows.size(); ++i) {
      auto* slice = net.addSlice(*view->getOutput(0), {0, 0, windows[i].first}, {2, 3, windows[i].second}, {1, 1, 1});
      auto* y = net.addActivation(*slice->getOutput(0), trt::ActivationType::kTANH);
      y->getOutput(0)->setName(("y" + std::to_string(i)).c_str());
      net.markOutput(*y->getOutput(0));
    }
    trt::passes::fuseMatrixMultiplyBias(net);
    trt::passes::removeDeadLayers(net);
    EXPECT_EQ(trt::passes::stackColumnSlicedProducts(net), unequal ? 0 : 1) << variant;
    auto built = build(net);
    int stacked = 0;
    for (int l = 0; l < built.engine->network().getNbLayers(); ++l) {
      const trt::ILayer* layer = built.engine->network().getLayer(l);
      stacked +=
          layer->getType() == trt::LayerType::kMATRIX_MULTIPLY && layer->getInput(1)->getDimensions().nbDims == 3;
    }
    EXPECT_EQ(stacked, unequal ? 0 : 1) << built.engine->describeLayers();
    const auto xv = randomVector(24, 62);
    auto out = run(*built.engine, {{"x", {{2, 3, 4}, xv}}});
    for (size_t i = 0; i < windows.size(); ++i)
      for (int row = 0; row < 6; ++row)
        for (int64_t c = 0; c < windows[i].second; ++c) {
          const int64_t col = windows[i].first + c;
          float v = b[col];
          for (int k = 0; k < 4; ++k) v += xv[row * 4 + k] * (transposed ? w[col * 4 + k] : w[k * 24 + col]);
          EXPECT_NEAR(out["y" + std::to_string(i)][row * windows[i].second + c], std::tanh(v), 1e-5f)
              << variant << " " << i;
        }
  }
}

TEST(Builder, StacksTheHeadBlocksOfAProductSplitByAPermute) {
  // Swin's packed Q/K/V: x [2, 4, 8] times W [8, 24] (or [24, 8] read transposed) plus a bias, viewed as
  // [2, 4, 3, 2, 4] and permuted (2, 0, 3, 1, 4) to [3, 2, 2, 4, 4] (one shuffle, or a reshape then a
  // transpose), then qkv[0], qkv[1], qkv[2] (a slice of one index and a reshape dropping the axis), the
  // attention's Q, K and V. The product becomes one by W's column blocks [3, 8, 8]; each select reads its
  // block through a reshape + transpose, which the attention layout pass then folds into the attention's
  // strides (no copy left). Left as they are: a permute that brings the heads axis first (variant 3), and
  // selects that something besides the attention reads (variant 4). Each transformed network computes what
  // the original does.
  for (int variant = 0; variant < 5; ++variant) {
    const bool transposed = variant == 1, twoShuffles = variant == 2, headsFirst = variant == 3,
               otherReader = variant == 4;
    const std::vector<float> w = randomVector(192, 63), b = randomVector(24, 64);
    const trt::Permutation order = headsFirst ? trt::Permutation{{3, 0, 2, 1, 4}} : trt::Permutation{{2, 0, 3, 1, 4}};
    auto makeNetwork = [&](trt::INetworkDefinition& net) {
      auto* x = net.addInput("x", trt::DataType::kFLOAT, {2, 4, 8});
      auto* wc =
          net.addConstant(transposed ? trt::Dims{24, 8} : trt::Dims{8, 24}, {trt::DataType::kFLOAT, w.data(), 192});
      auto* mm = net.addMatrixMultiply(*x, trt::MatrixOperation::kNONE, *wc->getOutput(0),
                                       transposed ? trt::MatrixOperation::kTRANSPOSE : trt::MatrixOperation::kNONE);
      auto* bc = net.addConstant({24}, {trt::DataType::kFLOAT, b.data(), 24});
      auto* biased = net.addElementWise(*mm->getOutput(0), *bc->getOutput(0), trt::ElementWiseOperation::kSUM);
      auto* split = net.addShuffle(*biased->getOutput(0));
      split->setReshapeDimensions({2, 4, 3, 2, 4});
      trt::ITensor* blocks = split->getOutput(0);
      if (twoShuffles) {
        blocks = net.addShuffle(*blocks)->getOutput(0);
        static_cast<trt::IShuffleLayer*>(blocks->getProducer())->setFirstTranspose(order);
      } else {
        split->setSecondTranspose(order);
      }
      const trt::Dims bd = blocks->getDimensions();
      std::vector<trt::ITensor*> qkv;
      for (int64_t p = 0; p < bd.d[0]; ++p) {
        auto* slice = net.addSlice(*blocks, {p, 0, 0, 0, 0}, {1, bd.d[1], bd.d[2], bd.d[3], bd.d[4]}, {1, 1, 1, 1, 1});
        auto* squeeze = net.addShuffle(*slice->getOutput(0));
        squeeze->setReshapeDimensions({bd.d[1], bd.d[2], bd.d[3], bd.d[4]});
        qkv.push_back(squeeze->getOutput(0));
      }
      auto* attention = net.addAttention(*qkv[0], *qkv[1], *qkv[qkv.size() - 1]);
      attention->getOutput(0)->setName("y");
      net.markOutput(*attention->getOutput(0));
      if (otherReader) {
        auto* seen = net.addActivation(*qkv[1], trt::ActivationType::kTANH);
        seen->getOutput(0)->setName("k");
        net.markOutput(*seen->getOutput(0));
      }
    };
    trt::INetworkDefinition original, net;
    makeNetwork(original);
    makeNetwork(net);
    trt::passes::fuseMatrixMultiplyBias(net);
    trt::passes::removeDeadLayers(net);
    const bool stacks = !headsFirst && !otherReader;
    EXPECT_EQ(trt::passes::stackHeadSplitProducts(net), stacks ? 1 : 0) << variant;
    trt::passes::removeDeadLayers(net);
    trt::passes::foldShufflesIntoViews(net);
    trt::passes::foldAttentionLayouts(net);
    trt::passes::removeDeadLayers(net);
    int stacked = 0;
    for (int l = 0; l < net.getNbLayers(); ++l) {
      const trt::ILayer* layer = net.getLayer(l);
      stacked +=
          layer->getType() == trt::LayerType::kMATRIX_MULTIPLY && layer->getInput(1)->getDimensions().nbDims == 3;
      if (stacks && layer->getType() == trt::LayerType::kATTENTION) {
        const uint32_t qkvMajor = trt::kQuerySequenceMajor | trt::kKeySequenceMajor | trt::kValueSequenceMajor;
        EXPECT_EQ(trt::attentionSequenceMajor(*static_cast<const trt::IAttentionLayer*>(layer)) & qkvMajor, qkvMajor);
      }
    }
    EXPECT_EQ(stacked, stacks ? 1 : 0) << variant;
    auto want = build(original), got = build(net);
    const auto xv = randomVector(64, 65);
    auto expected = run(*want.engine, {{"x", {{2, 4, 8}, xv}}}), out = run(*got.engine, {{"x", {{2, 4, 8}, xv}}});
    for (const auto& [name, values] : expected) {
      ASSERT_EQ(out[name].size(), values.size()) << name;
      for (size_t i = 0; i < values.size(); ++i) EXPECT_NEAR(out[name][i], values[i], 1e-5f) << variant << name << i;
    }
  }
}

TEST(Builder, RowMoversAfterASquareProductRunBeforeItSoItsResidualAddFuses) {
  // Swin's output projection: x [2, 6, 8] times W [8, 8] plus a bias, then rows rearranged (a view as [2, 3, 2, 8],
  // a permute of the outer axes, a roll of axis 1), then + r. The rearrangement runs on x instead, the product
  // after it, and the sum becomes the product's residual input. Left as they are: a transpose that moves the last
  // axis (variant 1), a product that changes the row length (variant 2) and a slice that fills rows in (variant 3:
  // a filled row is no row of the product). Same results each time.
  for (int variant = 0; variant < 4; ++variant) {
    const bool movesColumns = variant == 1, narrows = variant == 2, fills = variant == 3;
    const int64_t n = narrows ? 4 : 8;
    const std::vector<float> w = randomVector(static_cast<size_t>(8 * n), 66),
                             b = randomVector(static_cast<size_t>(n), 67);
    auto makeNetwork = [&](trt::INetworkDefinition& net) {
      auto* x = net.addInput("x", trt::DataType::kFLOAT, {2, 6, 8});
      auto* wc = net.addConstant({8, n}, {trt::DataType::kFLOAT, w.data(), 8 * n});
      auto* mm = net.addMatrixMultiply(*x, trt::MatrixOperation::kNONE, *wc->getOutput(0), trt::MatrixOperation::kNONE);
      auto* bc = net.addConstant({n}, {trt::DataType::kFLOAT, b.data(), n});
      auto* y = net.addElementWise(*mm->getOutput(0), *bc->getOutput(0), trt::ElementWiseOperation::kSUM);
      auto* view = net.addShuffle(*y->getOutput(0));
      view->setReshapeDimensions({2, 3, 2, n});
      auto* permute = net.addShuffle(*view->getOutput(0));
      permute->setFirstTranspose(movesColumns ? trt::Permutation{{0, 2, 3, 1}} : trt::Permutation{{0, 2, 1, 3}});
      const trt::Dims pd = permute->getOutput(0)->getDimensions();
      auto* roll = net.addSlice(*permute->getOutput(0), {0, fills ? -1 : 1, 0, 0}, pd, {1, 1, 1, 1});
      roll->setMode(fills ? trt::SampleMode::kFILL : trt::SampleMode::kWRAP);
      if (fills) roll->setFillValue(0.5);
      auto* r = net.addInput("r", trt::DataType::kFLOAT, pd);
      auto* sum = net.addElementWise(*roll->getOutput(0), *r, trt::ElementWiseOperation::kSUM);
      sum->getOutput(0)->setName("y");
      net.markOutput(*sum->getOutput(0));
    };
    trt::INetworkDefinition original, net;
    makeNetwork(original);
    makeNetwork(net);
    trt::passes::fuseMatrixMultiplyBias(net);
    trt::passes::removeDeadLayers(net);
    const bool moves = !movesColumns && !narrows && !fills;
    EXPECT_EQ(trt::passes::moveRowOrderBeforeProducts(net), moves ? 1 : 0) << variant;
    trt::passes::removeDeadLayers(net);
    EXPECT_EQ(trt::passes::fuseMatrixMultiplyResidual(net), moves ? 1 : 0) << variant;
    trt::passes::removeDeadLayers(net);
    auto want = build(original), got = build(net);
    const trt::Dims rd = original.getInput(1)->getDimensions();
    const auto xv = randomVector(96, 68), rv = randomVector(static_cast<size_t>(rd.volume()), 69);
    auto expected = run(*want.engine, {{"x", {{2, 6, 8}, xv}}, {"r", {rd, rv}}}).at("y");
    auto out = run(*got.engine, {{"x", {{2, 6, 8}, xv}}, {"r", {rd, rv}}}).at("y");
    expectNear(out, expected, 1e-5f);
  }
}

TEST(Builder, RowMoversThatCopyTwiceBecomeOneGatherOfRows) {
  // Swin's shifted windows: x [2, 6, 6, 8] rolled by (1, 1) over height and width (a wrapping slice), viewed
  // [2, 2, 3, 2, 3, 8], the windows brought together (a permute), viewed [8, 9, 8]: two copies, one gather of rows
  // by a table of one batch's 36 rows (variant 0). A permute that mixes the batches (variant 1) takes a table of
  // every row; one copy alone (variant 2, no roll) stays as it is. Same results each time.
  for (int variant = 0; variant < 3; ++variant) {
    const bool mixesBatches = variant == 1, oneCopy = variant == 2;
    auto makeNetwork = [&](trt::INetworkDefinition& net) {
      auto* x = net.addInput("x", trt::DataType::kFLOAT, {2, 6, 6, 8});
      trt::ITensor* t = x;
      if (!oneCopy) {
        auto* roll = net.addSlice(*t, {0, 1, 1, 0}, {2, 6, 6, 8}, {1, 1, 1, 1});
        roll->setMode(trt::SampleMode::kWRAP);
        t = roll->getOutput(0);
      }
      auto* view = net.addShuffle(*t);
      view->setReshapeDimensions({2, 2, 3, 2, 3, 8});
      auto* windows = net.addShuffle(*view->getOutput(0));
      windows->setFirstTranspose(mixesBatches ? trt::Permutation{{1, 0, 3, 2, 4, 5}}
                                              : trt::Permutation{{0, 1, 3, 2, 4, 5}});
      auto* rows = net.addShuffle(*windows->getOutput(0));
      rows->setReshapeDimensions({8, 9, 8});
      auto* y = net.addActivation(*rows->getOutput(0), trt::ActivationType::kTANH);
      y->getOutput(0)->setName("y");
      net.markOutput(*y->getOutput(0));
    };
    trt::INetworkDefinition original, net;
    makeNetwork(original);
    makeNetwork(net);
    EXPECT_EQ(trt::passes::gatherRowMoverChains(net), oneCopy ? 0 : 1) << variant;
    trt::passes::removeDeadLayers(net);
    int gathers = 0;
    for (int l = 0; l < net.getNbLayers(); ++l) {
      const trt::ILayer* layer = net.getLayer(l);
      if (layer->getType() != trt::LayerType::kGATHER) continue;
      ++gathers;
      EXPECT_EQ(layer->getInput(1)->getDimensions(), (trt::Dims{mixesBatches ? 72 : 36})) << variant;
    }
    EXPECT_EQ(gathers, oneCopy ? 0 : 1) << variant;
    auto want = build(original), got = build(net);
    const auto xv = randomVector(576, 70);
    expectNear(run(*got.engine, {{"x", {{2, 6, 6, 8}, xv}}}).at("y"),
               run(*want.engine, {{"x", {{2, 6, 6, 8}, xv}}}).at("y"), 0.f);
  }
}

TEST(Builder, StackedProductsKeepTheirPlan) {
  // The stacked engine survives its plan round trip (a view at an offset is the runtime's choice, not the
  // plan's).
  const std::vector<float> w = randomVector(2 * 32, 44);
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", trt::DataType::kFLOAT, {8, 4});
  for (int p = 0; p < 2; ++p) {
    auto* wc = net.addConstant({4, 8}, {trt::DataType::kFLOAT, w.data() + 32 * p, 32});
    auto* mm = net.addMatrixMultiply(*x, trt::MatrixOperation::kNONE, *wc->getOutput(0), trt::MatrixOperation::kNONE);
    auto* relu = net.addActivation(*mm->getOutput(0), trt::ActivationType::kSIGMOID);
    relu->getOutput(0)->setName(("y" + std::to_string(p)).c_str());
    net.markOutput(*relu->getOutput(0));
  }
  EXPECT_EQ(trt::passes::stackSiblingProducts(net), 1);
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
  std::unique_ptr<trt::IHostMemory> plan(builder->buildSerializedNetwork(net, *config));
  ASSERT_TRUE(plan);
  std::unique_ptr<trt::IRuntime> runtime(trt::createInferRuntime(trt::defaultLogger()));
  std::unique_ptr<trt::ICudaEngine> engine(runtime->deserializeCudaEngine(plan->data(), plan->size()));
  ASSERT_TRUE(engine);
  const auto xv = randomVector(32, 45);
  auto out = run(*engine, {{"x", {{8, 4}, xv}}});
  for (int p = 0; p < 2; ++p)
    for (int row = 0; row < 8; ++row)
      for (int c = 0; c < 8; ++c) {
        float v = 0.f;
        for (int k = 0; k < 4; ++k) v += xv[row * 4 + k] * w[32 * p + k * 8 + c];
        EXPECT_NEAR(out["y" + std::to_string(p)][row * 8 + c], 1.f / (1.f + std::exp(-v)), 1e-5f);
      }
}

TEST(Builder, FoldsScalarScaleIntoTheMatrixMultiply) {
  // Attention scores: (q @ k^T) / 4, and (q @ k^T) * 0.5 + bias: the scale becomes the product's alpha.
  const std::vector<float> k = randomVector(2 * 5 * 4, 26), bias = {1.f, -1.f, 0.5f, 0.f, 2.f};
  const float four = 4.f, half = 0.5f;
  for (bool divide : {true, false}) {
    trt::INetworkDefinition net;
    auto* q = net.addInput("q", trt::DataType::kFLOAT, {2, 3, 4});
    auto* kc = net.addConstant({2, 5, 4}, {trt::DataType::kFLOAT, k.data(), 40});
    auto* mm =
        net.addMatrixMultiply(*q, trt::MatrixOperation::kNONE, *kc->getOutput(0), trt::MatrixOperation::kTRANSPOSE);
    auto* c = net.addConstant({}, {trt::DataType::kFLOAT, divide ? &four : &half, 1});
    auto* scaled = divide ? net.addElementWise(*mm->getOutput(0), *c->getOutput(0), trt::ElementWiseOperation::kDIV)
                          : net.addElementWise(*c->getOutput(0), *mm->getOutput(0), trt::ElementWiseOperation::kPROD);
    trt::ITensor* y = scaled->getOutput(0);
    if (!divide) {
      auto* b = net.addConstant({5}, {trt::DataType::kFLOAT, bias.data(), 5});
      y = net.addElementWise(*y, *b->getOutput(0), trt::ElementWiseOperation::kSUM)->getOutput(0);
    }
    y->setName("y");
    net.markOutput(*y);
    auto built = build(net);
    int nonConstant = 0;
    for (int l = 0; l < built.engine->network().getNbLayers(); ++l) {
      const trt::ILayer* layer = built.engine->network().getLayer(l);
      if (layer->getType() == trt::LayerType::kCONSTANT) continue;
      ++nonConstant;
      ASSERT_EQ(layer->getType(), trt::LayerType::kMATRIX_MULTIPLY);
      EXPECT_EQ(static_cast<const trt::IMatrixMultiplyLayer*>(layer)->getAlpha(), divide ? 0.25f : 0.5f);
    }
    EXPECT_EQ(nonConstant, 1) << built.engine->describeLayers();
    auto qv = randomVector(24, 27);
    auto out = run(*built.engine, {{"q", {{2, 3, 4}, qv}}})["y"];
    for (int b = 0; b < 2; ++b)
      for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 5; ++j) {
          float dot = 0.f;
          for (int d = 0; d < 4; ++d) dot += qv[(b * 3 + i) * 4 + d] * k[(b * 5 + j) * 4 + d];
          float expected = divide ? dot / 4.f : dot * 0.5f + bias[j];
          EXPECT_NEAR(out[(b * 3 + i) * 5 + j], expected, 1e-5f);
        }
  }
}

TEST(Builder, FoldsResidualAddIntoTheNormalization) {
  // layer_norm(x + r) over the last axis (a transformer's post-norm) becomes one Normalization.
  const std::vector<float> r = randomVector(2 * 6, 28), gamma = randomVector(6, 29);
  const float beta = 0.1f;
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", trt::DataType::kFLOAT, {2, 6});
  auto* rc = net.addConstant({2, 6}, {trt::DataType::kFLOAT, r.data(), 12});
  auto* sum = net.addElementWise(*x, *rc->getOutput(0), trt::ElementWiseOperation::kSUM);
  auto* g = net.addConstant({6}, {trt::DataType::kFLOAT, gamma.data(), 6});
  auto* b = net.addConstant({}, {trt::DataType::kFLOAT, &beta, 1});
  auto* norm = net.addNormalization(*sum->getOutput(0), *g->getOutput(0), *b->getOutput(0), 0b10);
  norm->getOutput(0)->setName("y");
  net.markOutput(*norm->getOutput(0));
  auto built = build(net);
  int normalizations = 0, others = 0;
  for (int l = 0; l < built.engine->network().getNbLayers(); ++l) {
    const trt::ILayer* layer = built.engine->network().getLayer(l);
    if (layer->getType() == trt::LayerType::kNORMALIZATION) {
      ++normalizations;
      EXPECT_EQ(layer->getNbInputs(), 4);
    } else if (layer->getType() != trt::LayerType::kCONSTANT) {
      ++others;
    }
  }
  EXPECT_EQ(normalizations, 1);
  EXPECT_EQ(others, 0) << built.engine->describeLayers();
  auto xv = randomVector(12, 30);
  auto y = run(*built.engine, {{"x", {{2, 6}, xv}}})["y"];
  for (int row = 0; row < 2; ++row) {
    double mean = 0, var = 0;
    for (int k = 0; k < 6; ++k) mean += xv[row * 6 + k] + r[row * 6 + k];
    mean /= 6;
    for (int k = 0; k < 6; ++k) var += std::pow(xv[row * 6 + k] + r[row * 6 + k] - mean, 2);
    var /= 6;
    for (int k = 0; k < 6; ++k)
      EXPECT_NEAR(y[row * 6 + k], (xv[row * 6 + k] + r[row * 6 + k] - mean) / std::sqrt(var + 1e-5) * gamma[k] + beta,
                  1e-5);
  }
}

TEST(Builder, FoldsTheMaskAddIntoTheSoftMax) {
  // softmax(scores + mask) with the mask broadcast as attention's [B,1,1,S] against [B,H,S,S].
  const std::vector<float> mask = {0.f, -1e4f, 0.5f, 0.f, 0.f, 0.f, -3.f, 1.f};  // [2,1,1,4]
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", trt::DataType::kFLOAT, {2, 3, 2, 4});
  auto* m = net.addConstant({2, 1, 1, 4}, {trt::DataType::kFLOAT, mask.data(), 8});
  auto* sum = net.addElementWise(*m->getOutput(0), *x, trt::ElementWiseOperation::kSUM);  // mask first
  auto* sm = net.addSoftMax(*sum->getOutput(0));
  sm->setAxes(1u << 3);
  sm->getOutput(0)->setName("y");
  net.markOutput(*sm->getOutput(0));
  auto built = build(net);
  int softmaxes = 0, others = 0;
  for (int l = 0; l < built.engine->network().getNbLayers(); ++l) {
    const trt::ILayer* layer = built.engine->network().getLayer(l);
    if (layer->getType() == trt::LayerType::kSOFTMAX) {
      ++softmaxes;
      EXPECT_EQ(layer->getNbInputs(), 2);
      EXPECT_EQ(layer->getInput(0)->getDimensions(), (trt::Dims{2, 3, 2, 4}));
    } else if (layer->getType() != trt::LayerType::kCONSTANT) {
      ++others;
    }
  }
  EXPECT_EQ(softmaxes, 1);
  EXPECT_EQ(others, 0) << built.engine->describeLayers();
  EXPECT_NE(built.engine->describeLayersJson().find("\"mask\":true"), std::string::npos);
  auto xv = randomVector(48, 31);
  auto y = run(*built.engine, {{"x", {{2, 3, 2, 4}, xv}}})["y"];
  for (int row = 0; row < 12; ++row) {
    const int b = row / 6;
    double z = 0;
    for (int k = 0; k < 4; ++k) z += std::exp(double(xv[row * 4 + k]) + mask[b * 4 + k]);
    for (int k = 0; k < 4; ++k)
      EXPECT_NEAR(y[row * 4 + k], std::exp(double(xv[row * 4 + k]) + mask[b * 4 + k]) / z, 1e-6) << row << "," << k;
  }
  // A mask that does not broadcast to the input is refused by name.
  trt::INetworkDefinition bad;
  auto* bx = bad.addInput("x", trt::DataType::kFLOAT, {2, 4});
  auto* bm = bad.addConstant({3}, {trt::DataType::kFLOAT, mask.data(), 3});
  auto* bs = bad.addSoftMax(*bx);
  try {
    bs->setInput(1, *bm->getOutput(0));
    bad.markOutput(*bs->getOutput(0));
    bad.validate();
    FAIL() << "a [3] mask against a [2,4] input was accepted";
  } catch (const trt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("mask"), std::string::npos) << e.what();
  }
}

namespace {
// The CUDA backend's choice: FP16 and BF16 convolutions go channels-last.
bool halfTypes(trt::DataType t) { return t == trt::DataType::kHALF || t == trt::DataType::kBF16; }

// conv -> relu -> maxpool -> conv (+ residual from the pool) -> relu, in FP16, and a sum with a
// per-channel constant outside the convolutions' region ([C,1,1]: rank 3).
void makeConvRegion(trt::INetworkDefinition& net, std::vector<std::vector<float>>& keep) {
  keep = {randomVector(6 * 3 * 9, 110), randomVector(6, 111), randomVector(6 * 6 * 9, 112), randomVector(6, 113),
          randomVector(6, 114)};
  auto* x = net.addInput("x", trt::DataType::kHALF, {8, 3, 8, 8});  // batch 8: the pass skips smaller ones
  auto* c1 = net.addConvolutionNd(*x, 6, {3, 3}, {trt::DataType::kFLOAT, keep[0].data(), 162},
                                  {trt::DataType::kFLOAT, keep[1].data(), 6});
  c1->setPaddingNd({1, 1});
  auto* r1 = net.addActivation(*c1->getOutput(0), trt::ActivationType::kRELU);
  auto* pool = net.addPoolingNd(*r1->getOutput(0), trt::PoolingType::kMAX, {2, 2});
  auto* c2 = net.addConvolutionNd(*pool->getOutput(0), 6, {3, 3}, {trt::DataType::kFLOAT, keep[2].data(), 324},
                                  {trt::DataType::kFLOAT, keep[3].data(), 6});
  c2->setPaddingNd({1, 1});
  auto* sum = net.addElementWise(*c2->getOutput(0), *pool->getOutput(0), trt::ElementWiseOperation::kSUM);
  auto* r2 = net.addActivation(*sum->getOutput(0), trt::ActivationType::kRELU);
  auto* k = net.addConstant({6, 1, 1}, {trt::DataType::kFLOAT, keep[4].data(), 6});
  auto* kh = net.addIdentity(*k->getOutput(0));
  kh->setOutputType(0, trt::DataType::kHALF);
  auto* shifted = net.addElementWise(*r2->getOutput(0), *kh->getOutput(0), trt::ElementWiseOperation::kSUM);
  shifted->getOutput(0)->setName("y");
  net.markOutput(*shifted->getOutput(0));
}
}  // namespace

TEST(Builder, ChannelsLastRegionsComputeWhatChannelsFirstDoes) {
  // The layout pass (run by the builder for CUDA) applied by hand, then built for the CPU, whose
  // channels-last convolution and pooling are transposes around the channels-first kernels.
  std::vector<std::vector<float>> keepA, keepB;
  trt::INetworkDefinition reference, nhwc;
  makeConvRegion(reference, keepA);
  makeConvRegion(nhwc, keepB);
  const int32_t changed = trt::passes::useChannelsLast(nhwc, halfTypes);
  int convs = 0, pools = 0, transposes = 0;
  for (int l = 0; l < nhwc.getNbLayers(); ++l) {
    const trt::ILayer* layer = nhwc.getLayer(l);
    if (layer->getType() == trt::LayerType::kCONVOLUTION)
      convs += static_cast<const trt::IConvolutionLayer*>(layer)->getChannelsLast();
    if (layer->getType() == trt::LayerType::kPOOLING)
      pools += static_cast<const trt::IPoolingLayer*>(layer)->getChannelsLast();
    transposes += layer->getType() == trt::LayerType::kSHUFFLE;
  }
  EXPECT_EQ(convs, 2);
  EXPECT_EQ(pools, 1);
  // The rank-3 broadcast [6, 1, 1] joins the region too, entering as [1, 1, 1, 6].
  EXPECT_EQ(transposes, 3) << "into the region: x and the rank-3 operand; out of it: y";
  EXPECT_EQ(changed, 7 + 3);  // conv, relu, pool, conv, sum, relu, the broadcast sum; three transposes
  EXPECT_EQ(nhwc.getOutput(0)->getDimensions(), (trt::Dims{8, 6, 4, 4}));
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
  config->setFlag(trt::BuilderFlag::kFP16);
  auto a = build(reference, config.get()), b = build(nhwc, config.get());
  const auto x = randomVector(8 * 3 * 8 * 8, 115);
  std::vector<uint16_t> xh(x.size());
  for (size_t i = 0; i < x.size(); ++i) xh[i] = trt::floatToHalf(x[i]);
  auto runHalf = [&](const trt::ICudaEngine& engine) {
    std::unique_ptr<trt::IExecutionContext> ctx(engine.createExecutionContext());
    std::vector<uint16_t> y(8 * 6 * 4 * 4);
    ctx->setTensorAddress("x", xh.data());
    ctx->setTensorAddress("y", y.data());
    ctx->enqueueV3(nullptr);
    return y;
  };
  EXPECT_EQ(runHalf(*a.engine), runHalf(*b.engine));
  EXPECT_NE(b.engine->describeLayersJson().find("NHWC"), std::string::npos);
}

TEST(Plan, KeepsTheWorkspaceLimitAndTimingIterations) {
  // The CUDA backend's tactic choice reads both from the plan (cuda_backend_test checks the effect).
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", trt::DataType::kFLOAT, {2, 3});
  auto* y = net.addActivation(*x, trt::ActivationType::kRELU);
  y->getOutput(0)->setName("y");
  net.markOutput(*y->getOutput(0));
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
  config->setMemoryPoolLimit(12345);
  config->setAvgTimingIterations(4);
  auto built = build(net, config.get());
  const std::string json = built.engine->describeLayersJson();
  EXPECT_NE(json.find("\"workspace_limit\":12345"), std::string::npos) << json;
  EXPECT_NE(json.find("\"timing_iterations\":4"), std::string::npos) << json;
  config->setAvgTimingIterations(0);  // clamped: at least one measurement
  EXPECT_EQ(config->getAvgTimingIterations(), 1);
}

TEST(Builder, ChannelsLastRegionsReadAChannelsLastInputDirectly) {
  // An input bound [N, H, W, C] and transposed to [N, C, H, W] feeds a convolution region: the
  // region reads the binding itself instead of transposing it back.
  const auto w = randomVector(4 * 3 * 9, 140);
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", trt::DataType::kHALF, {8, 6, 6, 3});
  auto* toFirst = net.addShuffle(*x);
  trt::Permutation p;
  p.order[0] = 0, p.order[1] = 3, p.order[2] = 1, p.order[3] = 2;
  toFirst->setFirstTranspose(p);
  auto* conv = net.addConvolutionNd(*toFirst->getOutput(0), 4, {3, 3}, {trt::DataType::kFLOAT, w.data(), 108}, {});
  conv->setPaddingNd({1, 1});
  conv->getOutput(0)->setName("y");
  net.markOutput(*conv->getOutput(0));
  trt::passes::useChannelsLast(net, halfTypes);
  trt::passes::removeDeadLayers(net);
  int shuffles = 0;
  for (int l = 0; l < net.getNbLayers(); ++l) shuffles += net.getLayer(l)->getType() == trt::LayerType::kSHUFFLE;
  EXPECT_EQ(conv->getInput(0), x);
  EXPECT_EQ(shuffles, 1) << "only the transpose of the output back to NCHW";
  EXPECT_EQ(net.getOutput(0)->getDimensions(), (trt::Dims{8, 4, 6, 6}));
}

TEST(Builder, FoldsTransposePairsAndDropsIdentityShuffles) {
  // x [2,3,4] -> transpose (1,0,2) -> transpose (0,2,1) -> relu: one shuffle with the composed
  // order (1,2,0); a transpose and its inverse before a negation vanish.
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", trt::DataType::kFLOAT, {2, 3, 4});
  auto transpose = [&](trt::ITensor& t, std::initializer_list<int32_t> order) {
    auto* s = net.addShuffle(t);
    trt::Permutation p;
    int i = 0;
    for (int32_t o : order) p.order[i++] = o;
    s->setFirstTranspose(p);
    return s->getOutput(0);
  };
  auto* a = transpose(*transpose(*x, {1, 0, 2}), {0, 2, 1});
  auto* relu = net.addActivation(*a, trt::ActivationType::kRELU);
  relu->getOutput(0)->setName("y");
  net.markOutput(*relu->getOutput(0));
  auto* back = transpose(*transpose(*x, {2, 0, 1}), {1, 2, 0});
  auto* neg = net.addUnary(*back, trt::UnaryOperation::kNEG);
  neg->getOutput(0)->setName("z");
  net.markOutput(*neg->getOutput(0));
  auto built = build(net);
  int shuffles = 0;
  for (int l = 0; l < built.engine->network().getNbLayers(); ++l) {
    const trt::ILayer* layer = built.engine->network().getLayer(l);
    if (layer->getType() != trt::LayerType::kSHUFFLE) continue;
    ++shuffles;
    const trt::Permutation p = static_cast<const trt::IShuffleLayer*>(layer)->getFirstTranspose();
    EXPECT_EQ(p.order[0], 1);
    EXPECT_EQ(p.order[1], 2);
    EXPECT_EQ(p.order[2], 0);
  }
  EXPECT_EQ(shuffles, 1) << built.engine->describeLayers();
  const auto xv = randomVector(24, 150);
  auto outs = run(*built.engine, {{"x", {{2, 3, 4}, xv}}});
  // y[i][j][k] = relu(x[j][k][i]) for y of shape [3,4,2]; z = -x.
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j)
      for (int k = 0; k < 2; ++k)
        EXPECT_FLOAT_EQ(outs["y"][(i * 4 + j) * 2 + k], std::max(0.f, xv[(k * 3 + i) * 4 + j]));
  for (int i = 0; i < 24; ++i) EXPECT_FLOAT_EQ(outs["z"][i], -xv[i]);
}

TEST(DynamicShapes, ProfileRangeIsEnforcedAndShapesFollowInputs) {
  trt::INetworkDefinition net;
  auto* in = net.addInput("x", trt::DataType::kFLOAT, {-1, 3});
  auto* r = net.addReduce(*in, trt::ReduceOperation::kSUM, 0b10, false);
  r->getOutput(0)->setName("y");
  net.markOutput(*r->getOutput(0));
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
  EXPECT_THROW(builder->buildSerializedNetwork(net, *config), trt::Error);  // no profile
  auto* profile = builder->createOptimizationProfile();
  profile->setDimensions("x", trt::OptProfileSelector::kMIN, {1, 3});
  profile->setDimensions("x", trt::OptProfileSelector::kOPT, {4, 3});
  profile->setDimensions("x", trt::OptProfileSelector::kMAX, {8, 3});
  config->addOptimizationProfile(profile);
  auto built = build(net, config.get());
  for (int b : {1, 5, 8}) {
    auto x = randomVector(b * 3, b);
    auto out = run(*built.engine, {{"x", {{b, 3}, x}}})["y"];
    ASSERT_EQ(out.size(), size_t(b));
    for (int i = 0; i < b; ++i) EXPECT_NEAR(out[i], x[i * 3] + x[i * 3 + 1] + x[i * 3 + 2], 1e-6);
  }
  std::unique_ptr<trt::IExecutionContext> ctx(built.engine->createExecutionContext());
  try {
    ctx->setInputShape("x", {9, 3});
    FAIL();
  } catch (const trt::Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("'x'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("(8, 3)"), std::string::npos) << msg;
  }
}

TEST(Plan, RoundTripIsByteIdentical) {
  trt::INetworkDefinition net;
  std::vector<float> w, c;
  makeNetwork(net, w, c);
  auto built = build(net);
  std::unique_ptr<trt::IHostMemory> again(built.engine->serialize());
  ASSERT_EQ(again->size(), built.plan.size());
  EXPECT_EQ(std::memcmp(again->data(), built.plan.data(), built.plan.size()), 0);
}

namespace {
std::string loadError(const std::vector<uint8_t>& bytes) {
  std::unique_ptr<trt::IRuntime> rt(trt::createInferRuntime(trt::defaultLogger()));
  try {
    std::unique_ptr<trt::ICudaEngine> e(rt->deserializeCudaEngine(bytes.data(), bytes.size()));
  } catch (const trt::Error& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(Plan, TruncatedCorruptedAndNewerPlansAreRefused) {
  trt::INetworkDefinition net;
  std::vector<float> w, c;
  makeNetwork(net, w, c);
  auto plan = build(net).plan;
  for (size_t cut : {size_t(0), size_t(10), size_t(31), size_t(32), plan.size() / 2, plan.size() - 1}) {
    std::vector<uint8_t> truncated(plan.begin(), plan.begin() + cut);
    std::string msg = loadError(truncated);
    EXPECT_NE(msg.find("truncated"), std::string::npos) << "cut at " << cut << ": " << msg;
  }
  for (size_t pos = 0; pos < plan.size(); pos += 7) {
    auto flipped = plan;
    flipped[pos] ^= 0x10;
    EXPECT_NE(loadError(flipped), "") << "a bit flip at byte " << pos << " was accepted";
  }
  auto newer = plan;
  uint32_t version = 99;
  std::memcpy(newer.data() + 8, &version, 4);
  uint32_t headerCrc = trt::crc32(newer.data(), 28);  // a well-formed plan from a newer writer
  std::memcpy(newer.data() + 28, &headerCrc, 4);
  std::string msg = loadError(newer);
  EXPECT_NE(msg.find("format_version"), std::string::npos) << msg;
  EXPECT_NE(msg.find("reads versions 1 to " + std::to_string(trt::kPlanFormatVersion)), std::string::npos) << msg;
  EXPECT_NE(msg.find("recompile"), std::string::npos) << msg;
  EXPECT_NE(loadError({'n', 'o', 't', ' ', 'a', ' ', 'p', 'l', 'a', 'n'}), "");
}

TEST(Builder, FoldsPerChannelScaleAndShiftIntoConvolution) {
  auto w = randomVector(3 * 2 * 3 * 3, 40), b = randomVector(3, 41), s = randomVector(3, 42), t = randomVector(3, 43);
  trt::INetworkDefinition net;
  auto* in = net.addInput("x", trt::DataType::kFLOAT, {2, 2, 6, 6});
  auto* conv = net.addConvolutionNd(*in, 3, {3, 3}, {trt::DataType::kFLOAT, w.data(), (int64_t)w.size()},
                                    {trt::DataType::kFLOAT, b.data(), 3});
  auto* sc = net.addConstant({1, 3, 1, 1}, {trt::DataType::kFLOAT, s.data(), 3});
  auto* sh = net.addConstant({3, 1, 1}, {trt::DataType::kFLOAT, t.data(), 3});
  auto* mul = net.addElementWise(*sc->getOutput(0), *conv->getOutput(0), trt::ElementWiseOperation::kPROD);
  auto* add = net.addElementWise(*mul->getOutput(0), *sh->getOutput(0), trt::ElementWiseOperation::kSUM);
  auto* relu = net.addActivation(*add->getOutput(0), trt::ActivationType::kRELU);
  relu->getOutput(0)->setName("y");
  net.markOutput(*relu->getOutput(0));
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
  std::unique_ptr<trt::IHostMemory> plan(builder->buildSerializedNetwork(net, *config));
  auto reference = build(net);  // same network; compare against an unfused computation below
  // conv with folded scale, shift and relu
  EXPECT_EQ(countLayersBesidesLayoutTransposes(reference.engine->network()), 1) << reference.engine->describeLayers();
  auto x = randomVector(2 * 2 * 6 * 6, 44);
  auto out = run(*reference.engine, {{"x", {{2, 2, 6, 6}, x}}})["y"];
  for (int n = 0; n < 2; ++n)
    for (int o = 0; o < 3; ++o)
      for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j) {
          double acc = b[o];
          for (int c = 0; c < 2; ++c)
            for (int u = 0; u < 3; ++u)
              for (int v = 0; v < 3; ++v)
                acc += x[((n * 2 + c) * 6 + i + u) * 6 + j + v] * w[((o * 2 + c) * 3 + u) * 3 + v];
          double expected = std::max(0.0, acc * s[o] + t[o]);
          EXPECT_NEAR(out[((n * 3 + o) * 4 + i) * 4 + j], expected, 1e-5);
        }
}

TEST(MemoryPlanning, ChainReusesTwoBuffers) {
  // x -> 6 unary layers -> y: 5 intermediates of 4 KiB, of which only two are ever alive together.
  trt::INetworkDefinition net;
  trt::ITensor* t = net.addInput("x", trt::DataType::kFLOAT, {1024});
  for (int i = 0; i < 6; ++i)
    t = net.addUnary(*t, i % 2 ? trt::UnaryOperation::kNEG : trt::UnaryOperation::kABS)->getOutput(0);
  t->setName("y");
  net.markOutput(*t);
  auto built = build(net);
  std::unique_ptr<trt::IExecutionContext> ctx(built.engine->createExecutionContext());
  EXPECT_EQ(ctx->getActivationBytesWithoutReuse(), 5u * 4096u);
  EXPECT_EQ(ctx->getActivationBytes(), 2u * 4096u);
}

TEST(Builder, FoldsReshapeChainsAndDropsIdentityReshapes) {
  // x [2,3,4] -> reshape (6,4) -> reshape (0,2,2) with 0 copying the 6 -> tanh: one reshape of x to
  // (6,2,2). A reshape of (2,3,4) to (2,3,4) before a negation vanishes. Dynamic: a reshape whose 0
  // copies a run-time dimension of the intermediate stays two reshapes.
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", trt::DataType::kFLOAT, {2, 3, 4});
  auto reshape = [&](trt::ITensor& t, trt::Dims dims) {
    auto* s = net.addShuffle(t);
    s->setReshapeDimensions(dims);
    return s->getOutput(0);
  };
  auto* tanh = net.addActivation(*reshape(*reshape(*x, {6, 4}), {0, 2, 2}), trt::ActivationType::kTANH);
  tanh->getOutput(0)->setName("y");
  net.markOutput(*tanh->getOutput(0));
  auto* neg = net.addUnary(*reshape(*x, {2, 3, 4}), trt::UnaryOperation::kNEG);
  neg->getOutput(0)->setName("z");
  net.markOutput(*neg->getOutput(0));
  auto built = build(net);
  int shuffles = 0;
  for (int l = 0; l < built.engine->network().getNbLayers(); ++l) {
    const trt::ILayer* layer = built.engine->network().getLayer(l);
    if (layer->getType() != trt::LayerType::kSHUFFLE) continue;
    ++shuffles;
    EXPECT_EQ(static_cast<const trt::IShuffleLayer*>(layer)->getReshapeDimensions(), (trt::Dims{6, 2, 2}));
    EXPECT_EQ(layer->getInput(0)->getName(), std::string("x"));
  }
  EXPECT_EQ(shuffles, 1) << built.engine->describeLayers();
  const auto xv = randomVector(24, 151);
  auto outs = run(*built.engine, {{"x", {{2, 3, 4}, xv}}});
  for (int i = 0; i < 24; ++i) {
    EXPECT_FLOAT_EQ(outs["y"][i], std::tanh(xv[i]));
    EXPECT_FLOAT_EQ(outs["z"][i], -xv[i]);
  }

  trt::INetworkDefinition dyn;
  auto* d = dyn.addInput("x", trt::DataType::kFLOAT, {-1, 3, 4});
  auto* first = dyn.addShuffle(*d);
  first->setReshapeDimensions({0, 12});
  auto* second = dyn.addShuffle(*first->getOutput(0));
  second->setReshapeDimensions({0, 3, 4});
  second->getOutput(0)->setName("y");
  dyn.markOutput(*second->getOutput(0));
  trt::IBuilderConfig config;
  trt::IOptimizationProfile profile;
  profile.setDimensions("x", trt::OptProfileSelector::kMIN, {1, 3, 4});
  profile.setDimensions("x", trt::OptProfileSelector::kOPT, {2, 3, 4});
  profile.setDimensions("x", trt::OptProfileSelector::kMAX, {4, 3, 4});
  config.addOptimizationProfile(&profile);
  auto dynBuilt = build(dyn, &config);
  EXPECT_EQ(dynBuilt.engine->getNbLayers(), 2);
  const auto dv = randomVector(36, 152);
  EXPECT_EQ(run(*dynBuilt.engine, {{"x", {{3, 3, 4}, dv}}})["y"], dv);
}
