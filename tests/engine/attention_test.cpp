// The Attention layer kind beyond the backend-ops table: PyTorch's rules at the edges (fully masked rows,
// the causal triangle, bool masks), the builder's attention fusion (fires on the written-out chain,
// equals it, leaves non-matching variants alone), and its plan parameters (round trip, corrupt values
// refused naming the field and offset).
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "backends/cpu/avx512.h"
#include "backends/cpu/softmax_row.h"
#include "engine_test_util.h"
#include "plan/plan.h"
#include "plan/plan_io.h"

namespace {
using trt::DataType;
using trt::Dims;
using trt::ITensor;
using trt::LayerType;

int countKind(const trt::INetworkDefinition& net, LayerType kind) {
  int n = 0;
  for (int l = 0; l < net.getNbLayers(); ++l) n += net.getLayer(l)->getType() == kind;
  return n;
}

// softmax(q k^T * scale + mask) v for one [Sq, D] x [Sk, D] x [Sk, Dv] head, in double; `allowed(i, j)`
// false leaves key j out of row i; a row with no key left gives `emptyRow`.
template <typename Allowed>
std::vector<float> referenceHead(const float* q, const float* k, const float* v, const float* mask, int sq, int sk,
                                 int d, int dv, double scale, Allowed allowed, float emptyRow) {
  std::vector<float> out(static_cast<size_t>(sq * dv));
  for (int i = 0; i < sq; ++i) {
    std::vector<double> s(sk, -INFINITY);
    double mx = -INFINITY;
    for (int j = 0; j < sk; ++j) {
      if (!allowed(i, j)) continue;
      double dot = 0;
      for (int c = 0; c < d; ++c) dot += static_cast<double>(q[i * d + c]) * k[j * d + c];
      s[j] = dot * scale + (mask ? mask[i * sk + j] : 0.0);
      mx = std::max(mx, s[j]);
    }
    double sum = 0;
    for (int j = 0; j < sk; ++j) sum += mx == -INFINITY ? 0 : std::exp(s[j] - mx);
    for (int c = 0; c < dv; ++c) {
      double acc = 0;
      for (int j = 0; j < sk; ++j) acc += mx == -INFINITY ? 0 : std::exp(s[j] - mx) / sum * v[j * dv + c];
      out[i * dv + c] = mx == -INFINITY ? emptyRow : static_cast<float>(acc);
    }
  }
  return out;
}

TEST(Attention, CausalAndBoolMaskFollowPyTorchIncludingFullyMaskedRows) {
  // One batch, one head, Sq = 4 > Sk = 3: causal is the top-left triangle; row 0 keeps only key 0,
  // which the bool mask removes, so row 0 is fully masked and gives 0 (PyTorch's safe softmax).
  const int sq = 4, sk = 3, d = 2, dv = 3;
  trt::INetworkDefinition net;
  ITensor* q = net.addInput("q", DataType::kFLOAT, {1, 1, sq, d});
  ITensor* k = net.addInput("k", DataType::kFLOAT, {1, 1, sk, d});
  ITensor* v = net.addInput("v", DataType::kFLOAT, {1, 1, sk, dv});
  const uint8_t keep[sk] = {0, 1, 1};
  ITensor* mask = net.addConstant({1, sk}, {DataType::kBOOL, keep, sk})->getOutput(0);
  auto* attention = net.addAttention(*q, *k, *v, mask);
  attention->setCausal(true);
  attention->getOutput(0)->setName("y");
  net.markOutput(*attention->getOutput(0));
  auto built = trt_test::build(net);
  const auto qv = trt_test::randomVector(sq * d, 1), kv = trt_test::randomVector(sk * d, 2),
             vv = trt_test::randomVector(sk * dv, 3);
  auto outs = trt_test::run(
      *built.engine, {{"q", {Dims{1, 1, sq, d}, qv}}, {"k", {Dims{1, 1, sk, d}, kv}}, {"v", {Dims{1, 1, sk, dv}, vv}}});
  const auto expected = referenceHead(
      qv.data(), kv.data(), vv.data(), nullptr, sq, sk, d, dv, 1 / std::sqrt(2.0),
      [&](int i, int j) { return j <= i && keep[j]; }, 0.f);
  trt_test::expectNear(outs["y"], expected);
  for (int c = 0; c < dv; ++c) EXPECT_EQ(outs["y"][c], 0.f) << "row 0 has no key left";
}

// Every attention of a transformer reads the same padding mask: the CUDA backend derives cuDNN's bias
// and the live-row flags from it once per run and the other layers reuse them. The mask here is computed
// in the engine (at the same arena address every run, as BERT's), and runs on one context with other
// masks, repeated so that a captured graph replays, must each equal a fresh context's run.
TEST(Attention, LayersSharingAMaskGiveEachRunItsOwnResultOnOneContext) {
  const int b = 2, h = 2, s = 8, d = 16;
  std::vector<trt::Backend> backends = {trt::Backend::kCPU};
  if (trt_test::gpuVisible()) backends.push_back(trt::Backend::kCUDA);
  for (trt::Backend backend : backends) {
    SCOPED_TRACE(trt::backendName(backend));
    trt::INetworkDefinition net;
    ITensor* q = net.addInput("q", DataType::kFLOAT, {b, h, s, d});
    ITensor* k = net.addInput("k", DataType::kFLOAT, {b, h, s, d});
    ITensor* v = net.addInput("v", DataType::kFLOAT, {b, h, s, d});
    ITensor* keep = net.addInput("keep", DataType::kFLOAT, {b, 1, 1, s});
    const float half = 0.5f;
    ITensor* threshold = net.addConstant({1, 1, 1, 1}, {DataType::kFLOAT, &half, 1})->getOutput(0);
    ITensor* mask = net.addElementWise(*keep, *threshold, trt::ElementWiseOperation::kGREATER)->getOutput(0);
    auto* first = net.addAttention(*q, *k, *v, mask);
    auto* second = net.addAttention(*first->getOutput(0), *k, *v, mask);
    second->getOutput(0)->setName("y");
    net.markOutput(*second->getOutput(0));
    std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
    std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
    config->setBackend(backend);
    config->setFlag(trt::BuilderFlag::kFP16);  // cuDNN's SDPA, which reads the derived bias
    auto built = trt_test::build(net, config.get());
    // Mask A pads batch 0's last three keys and all of batch 1's (its rows are empty: 0); B pads less.
    std::vector<float> keepA(b * s, 1.f), keepB(b * s, 1.f);
    for (int j = 5; j < s; ++j) keepA[j] = 0.f;
    for (int j = 0; j < s; ++j) keepA[s + j] = 0.f;
    for (int j = 2; j < s; ++j) keepB[s + j] = 0.f;
    const Dims qkv{b, h, s, d}, keepDims{b, 1, 1, s};
    auto inputs = [&](const std::vector<float>& keepValues) {
      return std::map<std::string, trt_test::HostTensor>{
          {"q", trt_test::hostTensor(qkv, trt_test::randomVector(b * h * s * d, 1))},
          {"k", trt_test::hostTensor(qkv, trt_test::randomVector(b * h * s * d, 2))},
          {"v", trt_test::hostTensor(qkv, trt_test::randomVector(b * h * s * d, 3))},
          {"keep", trt_test::hostTensor(keepDims, keepValues)}};
    };
    const auto expectedA = trt_test::runBytes(*built.engine, inputs(keepA))["y"];
    const auto expectedB = trt_test::runBytes(*built.engine, inputs(keepB))["y"];
    ASSERT_NE(expectedA, expectedB) << "the two masks must give different results for this test to mean anything";
    trt_test::Session session(*built.engine);
    int runIndex = 0;
    for (const auto* keepValues : {&keepA, &keepB, &keepB, &keepB, &keepA, &keepA, &keepB}) {
      const auto y = session.run(inputs(*keepValues))["y"];
      EXPECT_EQ(y, keepValues == &keepA ? expectedA : expectedB) << "run " << runIndex;
      ++runIndex;
    }
  }
}

TEST(Attention, FullyMaskedRowGivesNaNWhenTheLayerKeepsTheSoftmaxRule) {
  trt::INetworkDefinition net;
  ITensor* q = net.addInput("q", DataType::kFLOAT, {1, 1, 2, 2});
  ITensor* k = net.addInput("k", DataType::kFLOAT, {1, 1, 2, 2});
  ITensor* v = net.addInput("v", DataType::kFLOAT, {1, 1, 2, 2});
  const float inf = std::numeric_limits<float>::infinity();
  const float maskValues[4] = {-inf, -inf, 0.f, -1.f};  // row 0 fully masked
  ITensor* mask = net.addConstant({2, 2}, {DataType::kFLOAT, maskValues, 4})->getOutput(0);
  auto* attention = net.addAttention(*q, *k, *v, mask);
  attention->setZeroFullyMaskedRows(false);
  attention->getOutput(0)->setName("y");
  net.markOutput(*attention->getOutput(0));
  auto built = trt_test::build(net);
  const std::vector<float> x = {0.5f, -1.f, 2.f, 0.25f};
  auto outs = trt_test::run(*built.engine,
                            {{"q", {Dims{1, 1, 2, 2}, x}}, {"k", {Dims{1, 1, 2, 2}, x}}, {"v", {Dims{1, 1, 2, 2}, x}}});
  EXPECT_TRUE(std::isnan(outs["y"][0]) && std::isnan(outs["y"][1]));
  EXPECT_FALSE(std::isnan(outs["y"][2]) || std::isnan(outs["y"][3]));
}

// The written-out chain: MatMul(q, k^T) / sqrt(D) + mask -> softmax(last axis) -> MatMul(., v).
// `scoresAlsoOutput` marks the scores as a network output too, which keeps them (no fusion): the
// unfused network of the same result.
struct Chain {
  trt::INetworkDefinition net;
  std::vector<float> divisor{std::sqrt(8.f)};
  ITensor* scores = nullptr;
  explicit Chain(uint32_t softmaxAxes = 1u << 3, bool scoresAlsoOutput = false) {
    ITensor* q = net.addInput("q", DataType::kFLOAT, {2, 3, 5, 8});
    ITensor* k = net.addInput("k", DataType::kFLOAT, {2, 3, 6, 8});
    ITensor* v = net.addInput("v", DataType::kFLOAT, {2, 3, 6, 4});
    ITensor* m = net.addInput("m", DataType::kFLOAT, {2, 1, 1, 6});
    auto* qk = net.addMatrixMultiply(*q, trt::MatrixOperation::kNONE, *k, trt::MatrixOperation::kTRANSPOSE);
    ITensor* c = net.addConstant({1, 1, 1, 1}, {DataType::kFLOAT, divisor.data(), 1})->getOutput(0);
    scores = net.addElementWise(*qk->getOutput(0), *c, trt::ElementWiseOperation::kDIV)->getOutput(0);
    ITensor* masked = net.addElementWise(*scores, *m, trt::ElementWiseOperation::kSUM)->getOutput(0);
    auto* sm = net.addSoftMax(*masked);
    sm->setAxes(softmaxAxes);
    ITensor* value = sm->getOutput(0);
    if (softmaxAxes != 1u << 3) value = net.addShuffle(*value)->getOutput(0);  // keeps [.., 5, 6]
    auto* pv = net.addMatrixMultiply(*value, trt::MatrixOperation::kNONE, *v, trt::MatrixOperation::kNONE);
    pv->getOutput(0)->setName("y");
    net.markOutput(*pv->getOutput(0));
    if (scoresAlsoOutput) {
      scores->setName("scores");
      net.markOutput(*scores);
    }
  }
};

std::map<std::string, std::pair<Dims, std::vector<float>>> chainInputs() {
  std::vector<float> mask = trt_test::randomVector(12, 14, -3.f, 0.f);
  mask[1] = -std::numeric_limits<float>::infinity();  // a key left out of batch 0
  return {{"q", {Dims{2, 3, 5, 8}, trt_test::randomVector(240, 11)}},
          {"k", {Dims{2, 3, 6, 8}, trt_test::randomVector(288, 12)}},
          {"v", {Dims{2, 3, 6, 4}, trt_test::randomVector(144, 13)}},
          {"m", {Dims{2, 1, 1, 6}, mask}}};
}

TEST(AttentionFusion, TheWrittenOutChainBecomesOneAttentionLayerWithTheSameResult) {
  Chain fusedChain;
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
  auto fused = trt_test::build(fusedChain.net, config.get());
  const trt::INetworkDefinition& net = fused.engine->network();
  EXPECT_EQ(countKind(net, LayerType::kATTENTION), 1);
  EXPECT_EQ(countKind(net, LayerType::kSOFTMAX), 0);
  EXPECT_EQ(countKind(net, LayerType::kMATRIX_MULTIPLY), 0);
  std::unique_ptr<trt::IHostMemory> mem(builder->buildSerializedNetwork(fusedChain.net, *config));
  bool logged = false;
  for (const auto& line : builder->lastReport().passLog) logged |= line.rfind("attention fusion: 1 layer", 0) == 0;
  EXPECT_TRUE(logged) << "the pass log names the fusion";

  Chain unfusedChain(1u << 3, /*scoresAlsoOutput=*/true);
  auto unfused = trt_test::build(unfusedChain.net);
  EXPECT_EQ(countKind(unfused.engine->network(), LayerType::kATTENTION), 0) << "the scores are needed";
  auto a = trt_test::run(*fused.engine, chainInputs());
  auto b = trt_test::run(*unfused.engine, chainInputs());
  trt_test::expectNear(a["y"], b["y"]);
}

// T5's attention as transformers 5 writes it: two chains reading one position bias [1, H, S, S] added to the
// scores (scaled by the product's alpha), then a softmax whose own mask is `maskKind`: none, a constant
// of zeros (traced without a padding mask), or a run-time padding mask [B, 1, 1, S]. `scoresAlsoOutput`
// keeps the chains unfused: the reference. Returns both outputs; counts the layers of the built network.
struct BiasChains {
  enum MaskKind { kNone, kZeros, kRunTime };
  std::vector<float> bias = trt_test::randomVector(3 * 5 * 5, 31, -2.f, 2.f), zeros = std::vector<float>(2 * 5 * 5);
  std::vector<float> y0, y1;
  int attentions = 0, sums = 0;
  BiasChains(MaskKind maskKind, bool scoresAlsoOutput) {
    trt::INetworkDefinition net;
    ITensor* m = maskKind == kRunTime ? net.addInput("m", DataType::kFLOAT, {2, 1, 1, 5}) : nullptr;
    if (maskKind == kZeros) m = net.addConstant({2, 1, 5, 5}, {DataType::kFLOAT, zeros.data(), 50})->getOutput(0);
    ITensor* pb = net.addConstant({1, 3, 5, 5}, {DataType::kFLOAT, bias.data(), 75})->getOutput(0);
    for (int chain = 0; chain < 2; ++chain) {
      const std::string n = std::to_string(chain);
      ITensor* q = net.addInput(("q" + n).c_str(), DataType::kFLOAT, {2, 3, 5, 8});
      ITensor* k = net.addInput(("k" + n).c_str(), DataType::kFLOAT, {2, 3, 5, 8});
      ITensor* v = net.addInput(("v" + n).c_str(), DataType::kFLOAT, {2, 3, 5, 4});
      auto* qk = net.addMatrixMultiply(*q, trt::MatrixOperation::kNONE, *k, trt::MatrixOperation::kTRANSPOSE);
      qk->setAlpha(0.5f);
      ITensor* scores = net.addElementWise(*qk->getOutput(0), *pb, trt::ElementWiseOperation::kSUM)->getOutput(0);
      if (scoresAlsoOutput) {
        scores->setName(("scores" + n).c_str());
        net.markOutput(*scores);
      }
      ITensor* masked = m ? net.addElementWise(*scores, *m, trt::ElementWiseOperation::kSUM)->getOutput(0) : scores;
      auto* sm = net.addSoftMax(*masked);
      sm->setAxes(1u << 3);
      auto* pv = net.addMatrixMultiply(*sm->getOutput(0), trt::MatrixOperation::kNONE, *v, trt::MatrixOperation::kNONE);
      pv->getOutput(0)->setName(("y" + n).c_str());
      net.markOutput(*pv->getOutput(0));
    }
    auto built = trt_test::build(net);
    attentions = countKind(built.engine->network(), LayerType::kATTENTION);
    sums = countKind(built.engine->network(), LayerType::kELEMENTWISE);
    std::vector<float> padding = {0.f, 0.f, 0.f, -1e9f, -std::numeric_limits<float>::infinity(),
                                  0.f, 0.f, 0.f, 0.f,   -1.f};
    std::map<std::string, std::pair<Dims, std::vector<float>>> inputs;
    for (int chain = 0; chain < 2; ++chain) {
      const std::string n = std::to_string(chain);
      inputs["q" + n] = {Dims{2, 3, 5, 8}, trt_test::randomVector(240, 32 + 3 * chain)};
      inputs["k" + n] = {Dims{2, 3, 5, 8}, trt_test::randomVector(240, 33 + 3 * chain)};
      inputs["v" + n] = {Dims{2, 3, 5, 4}, trt_test::randomVector(120, 34 + 3 * chain)};
    }
    if (maskKind == kRunTime) inputs["m"] = {Dims{2, 1, 1, 5}, padding};
    auto outs = trt_test::run(*built.engine, inputs);
    y0 = outs["y0"];
    y1 = outs["y1"];
  }
};

TEST(AttentionFusion, AnAdditiveBiasBeforeTheSoftmaxJoinsItsMask) {
  // Alone when the softmax has no mask or one of zeros; with a run-time mask through one sum that both
  // chains read.
  for (auto kind : {BiasChains::kNone, BiasChains::kZeros, BiasChains::kRunTime}) {
    BiasChains fused(kind, false), unfused(kind, true);
    EXPECT_EQ(fused.attentions, 2) << kind;
    EXPECT_EQ(fused.sums, kind == BiasChains::kRunTime ? 1 : 0) << kind;
    EXPECT_EQ(unfused.attentions, 0) << kind;
    trt_test::expectNear(fused.y0, unfused.y0);
    trt_test::expectNear(fused.y1, unfused.y1);
  }
}

// A run-time bias added after a causal where() may leave a row no key the triangle keeps (a left-padded
// row with an ALiBi-style bias): the chain then weighs the filled keys, causal attention would not. The
// where() is not taken below a bias, so the chain stays as written (and computes what it says).
TEST(AttentionFusion, ACausalWhereBelowARunTimeBiasStaysUnfused) {
  const int s = 2;
  trt::INetworkDefinition net;
  ITensor* q = net.addInput("q", DataType::kFLOAT, {1, 1, s, 4});
  ITensor* k = net.addInput("k", DataType::kFLOAT, {1, 1, s, 4});
  ITensor* v = net.addInput("v", DataType::kFLOAT, {1, 1, s, 4});
  ITensor* bias = net.addInput("bias", DataType::kFLOAT, {1, 1, s, s});
  auto* qk = net.addMatrixMultiply(*q, trt::MatrixOperation::kNONE, *k, trt::MatrixOperation::kTRANSPOSE);
  const float fill = std::numeric_limits<float>::lowest();
  std::vector<uint8_t> keep = {1, 0, 1, 1};
  ITensor* condition = net.addConstant({1, 1, s, s}, {DataType::kBOOL, keep.data(), s * s})->getOutput(0);
  ITensor* filler = net.addConstant({}, {DataType::kFLOAT, &fill, 1})->getOutput(0);
  ITensor* masked = net.addSelect(*condition, *qk->getOutput(0), *filler)->getOutput(0);
  ITensor* biased = net.addElementWise(*masked, *bias, trt::ElementWiseOperation::kSUM)->getOutput(0);
  auto* sm = net.addSoftMax(*biased);
  sm->setAxes(1u << 3);
  auto* pv = net.addMatrixMultiply(*sm->getOutput(0), trt::MatrixOperation::kNONE, *v, trt::MatrixOperation::kNONE);
  pv->getOutput(0)->setName("y");
  net.markOutput(*pv->getOutput(0));
  auto built = trt_test::build(net);
  EXPECT_EQ(countKind(built.engine->network(), LayerType::kATTENTION), 0) << built.engine->describeLayers();
  // Row 0's kept key 0 masked by the bias: its scores are finfo.min twice over, both keys weigh 1/2.
  const std::vector<float> vv = {1, 2, 3, 4, 5, 6, 7, 8};
  auto outs = trt_test::run(*built.engine, {{"q", {Dims{1, 1, s, 4}, trt_test::randomVector(8, 51)}},
                                            {"k", {Dims{1, 1, s, 4}, trt_test::randomVector(8, 52)}},
                                            {"v", {Dims{1, 1, s, 4}, vv}},
                                            {"bias", {Dims{1, 1, s, s}, {fill, 0.f, 0.f, 0.f}}}});
  for (int c = 0; c < 4; ++c) EXPECT_NEAR(outs["y"][c], (vv[c] + vv[4 + c]) / 2, 1e-5f) << c;
}

// K^T made by the head split's permute folded with the transpose (shuffle folding gives one shuffle
// [B, S, H, D] -> [B, H, D, S]), as a BERT written out in TorchScript gives it.
std::vector<float> headSplitChain(bool scoresAlsoOutput, int* attentionLayers) {
  trt::INetworkDefinition net;
  ITensor* q = net.addInput("q", DataType::kFLOAT, {2, 3, 5, 8});
  ITensor* kRows = net.addInput("k_rows", DataType::kFLOAT, {2, 6, 3, 8});
  ITensor* v = net.addInput("v", DataType::kFLOAT, {2, 3, 6, 4});
  auto* split = net.addShuffle(*kRows);
  trt::Permutation p;
  p.order[0] = 0, p.order[1] = 2, p.order[2] = 3, p.order[3] = 1;
  split->setFirstTranspose(p);
  auto* qk = net.addMatrixMultiply(*q, trt::MatrixOperation::kNONE, *split->getOutput(0), trt::MatrixOperation::kNONE);
  auto* sm = net.addSoftMax(*qk->getOutput(0));
  sm->setAxes(1u << 3);
  auto* pv = net.addMatrixMultiply(*sm->getOutput(0), trt::MatrixOperation::kNONE, *v, trt::MatrixOperation::kNONE);
  pv->getOutput(0)->setName("y");
  net.markOutput(*pv->getOutput(0));
  if (scoresAlsoOutput) {
    qk->getOutput(0)->setName("scores");
    net.markOutput(*qk->getOutput(0));
  }
  auto built = trt_test::build(net);
  *attentionLayers = countKind(built.engine->network(), LayerType::kATTENTION);
  auto outs = trt_test::run(*built.engine, {{"q", {Dims{2, 3, 5, 8}, trt_test::randomVector(240, 21)}},
                                            {"k_rows", {Dims{2, 6, 3, 8}, trt_test::randomVector(288, 22)}},
                                            {"v", {Dims{2, 3, 6, 4}, trt_test::randomVector(144, 23)}}});
  return outs["y"];
}

TEST(AttentionFusion, KeysTransposedByTheHeadSplitPermuteFuseToo) {
  int fusedLayers = 0, unfusedLayers = 0;
  const auto fused = headSplitChain(false, &fusedLayers);
  const auto unfused = headSplitChain(true, &unfusedLayers);
  EXPECT_EQ(fusedLayers, 1);
  EXPECT_EQ(unfusedLayers, 0);
  trt_test::expectNear(fused, unfused);
}

// GPT-2's eager attention: the scores cast to their own type, where(causal triangle, scores, finfo.min),
// softmax, cast again, times V. The where() becomes the layer's causal flag, with the same result; a
// condition that is not the triangle (row 0 keeps no key) stays a Select.
TEST(AttentionFusion, AConstantCausalWhereBecomesTheCausalFlag) {
  const int b = 2, h = 3, s = 6, d = 8, dv = 4;
  for (bool triangle : {true, false}) {
    SCOPED_TRACE(triangle ? "causal triangle" : "another condition");
    trt::INetworkDefinition net;
    ITensor* q = net.addInput("q", DataType::kFLOAT, {b, h, s, d});
    ITensor* k = net.addInput("k", DataType::kFLOAT, {b, h, s, d});
    ITensor* v = net.addInput("v", DataType::kFLOAT, {b, h, s, dv});
    auto* qk = net.addMatrixMultiply(*q, trt::MatrixOperation::kNONE, *k, trt::MatrixOperation::kTRANSPOSE);
    const float divisor = std::sqrt(static_cast<float>(d)), fill = std::numeric_limits<float>::lowest();
    ITensor* c = net.addConstant({1, 1, 1, 1}, {DataType::kFLOAT, &divisor, 1})->getOutput(0);
    ITensor* scores = net.addElementWise(*qk->getOutput(0), *c, trt::ElementWiseOperation::kDIV)->getOutput(0);
    ITensor* cast = net.addIdentity(*scores)->getOutput(0);
    std::vector<uint8_t> keep(s * s);
    for (int i = 0; i < s; ++i)
      for (int j = 0; j < s; ++j) keep[i * s + j] = triangle ? j <= i : j <= i && i > 0;
    ITensor* condition = net.addConstant({1, 1, s, s}, {DataType::kBOOL, keep.data(), s * s})->getOutput(0);
    ITensor* filler = net.addConstant({}, {DataType::kFLOAT, &fill, 1})->getOutput(0);
    ITensor* masked = net.addSelect(*condition, *cast, *filler)->getOutput(0);
    ITensor* weights = net.addIdentity(*net.addSoftMax(*masked)->getOutput(0))->getOutput(0);
    auto* pv = net.addMatrixMultiply(*weights, trt::MatrixOperation::kNONE, *v, trt::MatrixOperation::kNONE);
    pv->getOutput(0)->setName("y");
    net.markOutput(*pv->getOutput(0));
    auto built = trt_test::build(net);
    const trt::INetworkDefinition& plan = built.engine->network();
    EXPECT_EQ(countKind(plan, LayerType::kATTENTION), triangle ? 1 : 0) << built.engine->describeLayers();
    EXPECT_EQ(countKind(plan, LayerType::kSELECT), triangle ? 0 : 1) << built.engine->describeLayers();
    for (int l = 0; l < plan.getNbLayers(); ++l) {
      if (plan.getLayer(l)->getType() == LayerType::kATTENTION) {
        EXPECT_TRUE(static_cast<const trt::IAttentionLayer*>(plan.getLayer(l))->getCausal());
      }
    }
    const auto qv = trt_test::randomVector(b * h * s * d, 21), kv = trt_test::randomVector(b * h * s * d, 22),
               vv = trt_test::randomVector(b * h * s * dv, 23);
    auto outs = trt_test::run(
        *built.engine, {{"q", {Dims{b, h, s, d}, qv}}, {"k", {Dims{b, h, s, d}, kv}}, {"v", {Dims{b, h, s, dv}, vv}}});
    std::vector<float> expected;
    for (int head = 0; head < b * h; ++head) {
      // Row 0 of the other condition keeps no key: every score is finfo.min, so its weights are uniform.
      const auto one = referenceHead(
          qv.data() + head * s * d, kv.data() + head * s * d, vv.data() + head * s * dv, nullptr, s, s, d, dv,
          1 / std::sqrt(static_cast<double>(d)),
          [&](int i, int j) { return keep[i * s + j] != 0 || (!triangle && i == 0); }, 0.f);
      expected.insert(expected.end(), one.begin(), one.end());
    }
    if (!triangle)  // row 0 of each head: the mean of V's rows
      for (int head = 0; head < b * h; ++head)
        for (int c2 = 0; c2 < dv; ++c2) {
          double mean = 0;
          for (int j = 0; j < s; ++j) mean += vv[head * s * dv + j * dv + c2];
          expected[head * s * dv + c2] = static_cast<float>(mean / s);
        }
    trt_test::expectNear(outs["y"], expected);
  }
}

// Where a causal where()'s fill would not weigh 0, the chain stays unfused: a scaling after the where()
// scales the fill too (by 0 here: every key weighs the same); with an additive mask on the softmax only
// finfo.min is taken as the fill (-1e30 plus a mask of finfo.min rounds back to finfo.min), and only with a
// constant mask leaving each row a key at or before the diagonal: a padding mask computed at run time may
// mask all of a row's keys (left padding), and the chain then weighs the filled keys with them.
TEST(AttentionFusion, ACausalWhereWhoseFillMayNotWeighZeroStaysUnfused) {
  const int s = 4, d = 2;
  for (int variant = 0; variant < 3; ++variant) {
    SCOPED_TRACE(variant == 0   ? "scaled by 0 after the where"
                 : variant == 1 ? "fill -1e30 with an additive mask"
                                : "fill finfo.min with a run-time padding mask");
    trt::INetworkDefinition net;
    ITensor* q = net.addInput("q", DataType::kFLOAT, {1, 1, s, d});
    ITensor* k = net.addInput("k", DataType::kFLOAT, {1, 1, s, d});
    ITensor* v = net.addInput("v", DataType::kFLOAT, {1, 1, s, d});
    ITensor* m = net.addInput("m", DataType::kFLOAT, {1, 1, 1, s});
    auto* qk = net.addMatrixMultiply(*q, trt::MatrixOperation::kNONE, *k, trt::MatrixOperation::kTRANSPOSE);
    std::vector<uint8_t> keep(s * s);
    for (int i = 0; i < s; ++i)
      for (int j = 0; j < s; ++j) keep[i * s + j] = j <= i;
    const float fill = variant == 1 ? -1e30f : std::numeric_limits<float>::lowest(), zero = 0.f;
    ITensor* condition = net.addConstant({1, 1, s, s}, {DataType::kBOOL, keep.data(), s * s})->getOutput(0);
    ITensor* filler = net.addConstant({}, {DataType::kFLOAT, &fill, 1})->getOutput(0);
    ITensor* scores = net.addSelect(*condition, *qk->getOutput(0), *filler)->getOutput(0);
    if (variant == 0)
      scores = net.addElementWise(*scores, *net.addConstant({}, {DataType::kFLOAT, &zero, 1})->getOutput(0),
                                  trt::ElementWiseOperation::kPROD)
                   ->getOutput(0);
    else
      scores = net.addElementWise(*scores, *m, trt::ElementWiseOperation::kSUM)->getOutput(0);
    auto* pv = net.addMatrixMultiply(*net.addSoftMax(*scores)->getOutput(0), trt::MatrixOperation::kNONE, *v,
                                     trt::MatrixOperation::kNONE);
    pv->getOutput(0)->setName("y");
    net.markOutput(*pv->getOutput(0));
    auto built = trt_test::build(net);
    EXPECT_EQ(countKind(built.engine->network(), LayerType::kATTENTION), 0) << built.engine->describeLayers();
    // The unfused chains: variant 0 weighs every key the same; variant 1 with a fully padded mask
    // (finfo.min everywhere) spreads each row over every key too, the triangle's fill included; variant 2
    // pads key 0 only, so row 0 (its one kept key padded) spreads over every key, the later rows over
    // their keys 1..i.
    const auto qv = trt_test::randomVector(s * d, 1), kv = trt_test::randomVector(s * d, 2),
               vv = trt_test::randomVector(s * d, 3);
    std::vector<float> mv(s, variant == 0 ? 0.f : std::numeric_limits<float>::lowest());
    if (variant == 2) std::fill(mv.begin() + 1, mv.end(), 0.f);
    auto outs = trt_test::run(*built.engine, {{"q", {Dims{1, 1, s, d}, qv}},
                                              {"k", {Dims{1, 1, s, d}, kv}},
                                              {"v", {Dims{1, 1, s, d}, vv}},
                                              {"m", {Dims{1, 1, 1, s}, mv}}});
    std::vector<float> expected = referenceHead(
        qv.data(), kv.data(), vv.data(), nullptr, s, s, d, d, 1.0, [](int i, int j) { return j >= 1 && j <= i; }, 0.f);
    for (int i = 0; i < s; ++i)
      for (int c = 0; c < d; ++c) {
        double mean = 0;
        for (int j = 0; j < s; ++j) mean += vv[j * d + c] / s;
        if (variant < 2 || i == 0) expected[i * d + c] = static_cast<float>(mean);
      }
    trt_test::expectNear(outs["y"], expected);
  }
}

// The traced CausalLM form (where(triangle, scores, finfo.min) + a constant additive triangle mask of
// finfo.min above the diagonal): every row keeps its keys up to the diagonal, so it fuses as causal
// attention (the mask then masks nothing more and is dropped) with the chain's result.
TEST(AttentionFusion, ACausalWhereWithAConstantTriangleMaskFuses) {
  const int s = 5, d = 2;
  trt::INetworkDefinition net;
  ITensor* q = net.addInput("q", DataType::kFLOAT, {1, 2, s, d});
  ITensor* k = net.addInput("k", DataType::kFLOAT, {1, 2, s, d});
  ITensor* v = net.addInput("v", DataType::kFLOAT, {1, 2, s, d});
  auto* qk = net.addMatrixMultiply(*q, trt::MatrixOperation::kNONE, *k, trt::MatrixOperation::kTRANSPOSE);
  std::vector<uint8_t> keep(s * s);
  std::vector<float> additive(s * s, 0.f);
  for (int i = 0; i < s; ++i)
    for (int j = 0; j < s; ++j) {
      keep[i * s + j] = j <= i;
      if (j > i) additive[i * s + j] = std::numeric_limits<float>::lowest();
    }
  const float fill = std::numeric_limits<float>::lowest();
  ITensor* condition = net.addConstant({1, 1, s, s}, {DataType::kBOOL, keep.data(), s * s})->getOutput(0);
  ITensor* filler = net.addConstant({}, {DataType::kFLOAT, &fill, 1})->getOutput(0);
  ITensor* mask = net.addConstant({1, 1, s, s}, {DataType::kFLOAT, additive.data(), s * s})->getOutput(0);
  ITensor* scores = net.addSelect(*condition, *qk->getOutput(0), *filler)->getOutput(0);
  scores = net.addElementWise(*scores, *mask, trt::ElementWiseOperation::kSUM)->getOutput(0);
  auto* pv = net.addMatrixMultiply(*net.addSoftMax(*scores)->getOutput(0), trt::MatrixOperation::kNONE, *v,
                                   trt::MatrixOperation::kNONE);
  pv->getOutput(0)->setName("y");
  net.markOutput(*pv->getOutput(0));
  auto built = trt_test::build(net);
  const trt::INetworkDefinition& plan = built.engine->network();
  ASSERT_EQ(countKind(plan, LayerType::kATTENTION), 1) << built.engine->describeLayers();
  for (int l = 0; l < plan.getNbLayers(); ++l) {
    if (plan.getLayer(l)->getType() == LayerType::kATTENTION) {
      EXPECT_TRUE(static_cast<const trt::IAttentionLayer*>(plan.getLayer(l))->getCausal());
    }
  }
  const auto qv = trt_test::randomVector(2 * s * d, 1), kv = trt_test::randomVector(2 * s * d, 2),
             vv = trt_test::randomVector(2 * s * d, 3);
  auto outs = trt_test::run(
      *built.engine, {{"q", {Dims{1, 2, s, d}, qv}}, {"k", {Dims{1, 2, s, d}, kv}}, {"v", {Dims{1, 2, s, d}, vv}}});
  std::vector<float> expected;
  for (int head = 0; head < 2; ++head) {
    const auto one = referenceHead(
        qv.data() + head * s * d, kv.data() + head * s * d, vv.data() + head * s * d, nullptr, s, s, d, d, 1.0,
        [](int i, int j) { return j <= i; }, 0.f);
    expected.insert(expected.end(), one.begin(), one.end());
  }
  trt_test::expectNear(outs["y"], expected);
}

TEST(AttentionFusion, ASoftmaxOverAnotherAxisStaysUnfused) {
  Chain chain(1u << 2);
  auto built = trt_test::build(chain.net);
  EXPECT_EQ(countKind(built.engine->network(), LayerType::kATTENTION), 0);
  EXPECT_EQ(countKind(built.engine->network(), LayerType::kSOFTMAX), 1);
}

// A constant mask that masks nothing (all zero, as a traced model's all-ones padding mask becomes; or all
// true) is dropped by the builder with the same result; a constant that masks something stays.
TEST(AttentionMaskRemoval, AConstantMaskThatMasksNothingIsDroppedWithTheSameResult) {
  const int sq = 3, sk = 4, d = 2;
  struct Case {
    DataType type;
    std::vector<uint8_t> bytes;
    bool dropped;
  };
  const float minusZero = -0.f, one = 1.f;
  std::vector<uint8_t> zeros(sq * sk * 4, 0), signedZeros = zeros, withOne = zeros;
  std::memcpy(signedZeros.data() + 4, &minusZero, 4);
  std::memcpy(withOne.data() + 8, &one, 4);
  const std::vector<Case> cases = {{DataType::kFLOAT, zeros, true},
                                   {DataType::kFLOAT, signedZeros, true},
                                   {DataType::kFLOAT, withOne, false},
                                   {DataType::kBOOL, std::vector<uint8_t>(sq * sk, 1), true},
                                   {DataType::kBOOL, {1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1}, false}};
  const auto qv = trt_test::randomVector(sq * d, 1), kv = trt_test::randomVector(sk * d, 2),
             vv = trt_test::randomVector(sk * d, 3);
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(trt::dataTypeName(c.type)) + (c.dropped ? " mask masking nothing" : " mask masking"));
    trt::INetworkDefinition net;
    ITensor* q = net.addInput("q", DataType::kFLOAT, {1, 1, sq, d});
    ITensor* k = net.addInput("k", DataType::kFLOAT, {1, 1, sk, d});
    ITensor* v = net.addInput("v", DataType::kFLOAT, {1, 1, sk, d});
    const int64_t count = sq * sk;
    ITensor* mask = net.addConstant({sq, sk}, {c.type, c.bytes.data(), count})->getOutput(0);
    auto* attention = net.addAttention(*q, *k, *v, mask);
    attention->setScale(0.7f);
    attention->getOutput(0)->setName("y");
    net.markOutput(*attention->getOutput(0));
    auto built = trt_test::build(net);
    const trt::INetworkDefinition& plan = built.engine->network();
    ASSERT_EQ(countKind(plan, LayerType::kATTENTION), 1);
    const trt::ILayer* kept = nullptr;
    for (int l = 0; l < plan.getNbLayers(); ++l)
      if (plan.getLayer(l)->getType() == LayerType::kATTENTION) kept = plan.getLayer(l);
    const bool hasMask = kept->getNbInputs() > 3 && kept->getInput(3);
    EXPECT_EQ(hasMask, !c.dropped);
    auto outs =
        trt_test::run(*built.engine,
                      {{"q", {Dims{1, 1, sq, d}, qv}}, {"k", {Dims{1, 1, sk, d}, kv}}, {"v", {Dims{1, 1, sk, d}, vv}}});
    std::vector<float> maskValues(count, 0.f);
    for (int i = 0; i < count; ++i) {
      if (c.type == DataType::kBOOL) continue;
      std::memcpy(&maskValues[i], c.bytes.data() + 4 * i, 4);
    }
    const auto expected = referenceHead(
        qv.data(), kv.data(), vv.data(), maskValues.data(), sq, sk, d, d, 0.7,
        [&](int i, int j) { return c.type != DataType::kBOOL || c.bytes[i * sk + j] != 0; }, 0.f);
    trt_test::expectNear(outs["y"], expected);
  }
}

// A causal layer ignores its mask above the diagonal: GPT-2's additive causal mask (finfo.min there, 0
// elsewhere) masks nothing more and is dropped; alone, that mask becomes the causal flag. A mask with a
// value on a kept key stays.
TEST(AttentionMaskRemoval, AMaskThatIsTheCausalTriangleIsDroppedForTheCausalFlag) {
  const int s = 4, d = 2;
  const auto qv = trt_test::randomVector(s * d, 1), kv = trt_test::randomVector(s * d, 2),
             vv = trt_test::randomVector(s * d, 3);
  for (bool extra : {false, true})
    for (bool causalLayer : {true, false}) {
      SCOPED_TRACE(std::string(extra ? "a kept key masked too" : "the triangle only") +
                   (causalLayer ? ", causal layer" : ", the mask alone (GPT-2's additive causal mask)"));
      std::vector<float> mask(s * s, 0.f);
      for (int i = 0; i < s; ++i)
        for (int j = i + 1; j < s; ++j) mask[i * s + j] = std::numeric_limits<float>::lowest();
      if (extra) mask[2 * s + 1] = -2.f;
      trt::INetworkDefinition net;
      ITensor* q = net.addInput("q", DataType::kFLOAT, {1, 1, s, d});
      ITensor* k = net.addInput("k", DataType::kFLOAT, {1, 1, s, d});
      ITensor* v = net.addInput("v", DataType::kFLOAT, {1, 1, s, d});
      ITensor* m = net.addConstant({1, 1, s, s}, {DataType::kFLOAT, mask.data(), s * s})->getOutput(0);
      auto* attention = net.addAttention(*q, *k, *v, m);
      attention->setCausal(causalLayer);
      attention->getOutput(0)->setName("y");
      net.markOutput(*attention->getOutput(0));
      auto built = trt_test::build(net);
      const trt::INetworkDefinition& plan = built.engine->network();
      for (int l = 0; l < plan.getNbLayers(); ++l) {
        const trt::ILayer* layer = plan.getLayer(l);
        if (layer->getType() == LayerType::kATTENTION) {
          EXPECT_EQ(layer->getNbInputs() > 3 && layer->getInput(3), extra);
          EXPECT_EQ(static_cast<const trt::IAttentionLayer*>(layer)->getCausal(), causalLayer || !extra);
        }
      }
      auto outs = trt_test::run(
          *built.engine, {{"q", {Dims{1, 1, s, d}, qv}}, {"k", {Dims{1, 1, s, d}, kv}}, {"v", {Dims{1, 1, s, d}, vv}}});
      std::vector<float> additive(s * s, 0.f);
      if (extra) additive[2 * s + 1] = -2.f;
      const auto expected = referenceHead(
          qv.data(), kv.data(), vv.data(), additive.data(), s, s, d, d, 1 / std::sqrt(2.0),
          [](int i, int j) { return j <= i; }, 0.f);
      trt_test::expectNear(outs["y"], expected);
    }
}

TEST(AttentionFusion, AFullyMaskedRowStaysNaNAsTheChainGivesIt) {
  Chain chain;
  auto built = trt_test::build(chain.net);
  ASSERT_EQ(countKind(built.engine->network(), LayerType::kATTENTION), 1);
  auto inputs = chainInputs();
  for (int j = 0; j < 6; ++j) inputs["m"].second[j] = -std::numeric_limits<float>::infinity();  // batch 0
  auto outs = trt_test::run(*built.engine, inputs);
  EXPECT_TRUE(std::isnan(outs["y"][0]));
  EXPECT_FALSE(std::isnan(outs["y"][3 * 5 * 4]));  // batch 1
}

// --- Plans -------------------------------------------------------------------------------------------

std::unique_ptr<trt::INetworkDefinition> attentionNetwork(float scale, bool causal) {
  auto net = std::make_unique<trt::INetworkDefinition>();
  ITensor* q = net->addInput("q", DataType::kFLOAT, {1, 2, 3, 4});
  ITensor* k = net->addInput("k", DataType::kFLOAT, {1, 2, 5, 4});
  ITensor* v = net->addInput("v", DataType::kFLOAT, {1, 2, 5, 2});
  ITensor* m = net->addInput("m", DataType::kBOOL, {3, 5});
  auto* attention = net->addAttention(*q, *k, *v, m);
  attention->setScale(scale);
  attention->setCausal(causal);
  attention->setName("attention");
  attention->getOutput(0)->setName("y");
  net->markOutput(*attention->getOutput(0));
  return net;
}

TEST(AttentionPlan, ParametersRoundTrip) {
  auto net = attentionNetwork(0.75f, true);
  trt::PlanContents contents;
  const std::vector<uint8_t> bytes = trt::writePlan(*net, contents);
  auto plan = trt::readPlan(bytes.data(), bytes.size());  // PlanContents
  const trt::ILayer* layer = nullptr;
  for (int l = 0; l < plan->network->getNbLayers(); ++l)
    if (plan->network->getLayer(l)->getType() == LayerType::kATTENTION) layer = plan->network->getLayer(l);
  ASSERT_NE(layer, nullptr);
  const auto& attention = static_cast<const trt::IAttentionLayer&>(*layer);
  EXPECT_TRUE(attention.hasScale());
  EXPECT_EQ(attention.scaleFor(4), 0.75f);
  EXPECT_TRUE(attention.getCausal());
  EXPECT_TRUE(attention.getZeroFullyMaskedRows());
  EXPECT_EQ(layer->getNbInputs(), 4);
}

TEST(AttentionPlan, ANaNScaleIsRefusedNamingTheFieldAndOffset) {
  auto net = attentionNetwork(0.5f, false);
  trt::PlanContents contents;
  std::vector<uint8_t> bytes = trt::writePlan(*net, contents);
  // The scale's bytes follow has_scale; find the f32 0.5 and make it NaN, then fix the CRCs.
  const float half = 0.5f, nan = std::numeric_limits<float>::quiet_NaN();
  size_t at = 0;
  for (size_t i = trt::kPlanHeaderSize; i + 5 <= bytes.size(); ++i)
    if (bytes[i] == 1 && std::memcmp(&bytes[i + 1], &half, 4) == 0) at = i + 1;
  ASSERT_NE(at, 0u);
  std::memcpy(&bytes[at], &nan, 4);
  const uint32_t payloadCrc = trt::crc32(bytes.data() + trt::kPlanHeaderSize, bytes.size() - trt::kPlanHeaderSize);
  std::memcpy(&bytes[24], &payloadCrc, 4);
  const uint32_t headerCrc = trt::crc32(bytes.data(), 28);
  std::memcpy(&bytes[28], &headerCrc, 4);
  try {
    trt::readPlan(bytes.data(), bytes.size());
    FAIL() << "a NaN attention scale loaded";
  } catch (const trt::Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("field 'scale'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("'attention' (Attention)"), std::string::npos) << msg;
    EXPECT_NE(msg.find(" at byte "), std::string::npos) << msg;
    EXPECT_NE(msg.find("finite"), std::string::npos) << msg;
  }
}

TEST(AttentionPlan, TheSetterRefusesWhatTheReaderRefuses) {
  auto net = attentionNetwork(1.f, false);
  auto* attention = static_cast<trt::IAttentionLayer*>(net->getLayer(0));
  EXPECT_THROW(attention->setScale(std::numeric_limits<float>::infinity()), trt::Error);
  EXPECT_THROW(attention->setScale(std::nanf("")), trt::Error);
}

TEST(AttentionLayer, ShapesAndTypesAreChecked) {
  trt::INetworkDefinition net;
  ITensor* q = net.addInput("q", DataType::kFLOAT, {1, 2, 3, 4});
  ITensor* k = net.addInput("k", DataType::kFLOAT, {1, 2, 5, 4});
  ITensor* v = net.addInput("v", DataType::kFLOAT, {1, 2, 5, 6});
  ITensor* badK = net.addInput("bad_k", DataType::kFLOAT, {1, 2, 5, 3});
  ITensor* badMask = net.addInput("bad_mask", DataType::kFLOAT, {4, 5});
  ITensor* intMask = net.addInput("int_mask", DataType::kINT32, {3, 5});
  auto* ok = net.addAttention(*q, *k, *v);
  EXPECT_EQ(ok->getOutput(0)->getDimensions(), (Dims{1, 2, 3, 6}));
  auto expectError = [&](trt::ILayer* layer, const char* what) {
    try {
      layer->getOutput(0)->getDimensions();
      FAIL() << "no error for " << what;
    } catch (const trt::Error& e) {
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
    net.removeLayer(layer);
  };
  expectError(net.addAttention(*q, *badK, *v), "must be [B, H, Sq, D]");
  expectError(net.addAttention(*q, *k, *v, badMask), "does not broadcast");
  expectError(net.addAttention(*q, *k, *v, intMask), "must be bool or the query's");
}

}  // namespace

// The fast path's softmax rows (AVX-512 where the CPU has it) against the reference's expf rows: rows
// shorter than, equal to and longer than one vector of 16, ViT's 197 keys, masked keys (-inf), scores
// more than 87 below the row's maximum (0 there, where expf gives under 1.6e-38), and a NaN score.
TEST(AttentionSoftmaxRows, FastRowsMatchTheReferenceRows) {
  std::mt19937 gen(7);
  std::uniform_real_distribution<float> dist(-30.f, 30.f);
  const float minusInf = -std::numeric_limits<float>::infinity();
  for (int64_t n : {1, 7, 16, 17, 31, 197, 1000}) {
    for (int variant = 0; variant < 3; ++variant) {
      std::vector<float> reference(static_cast<size_t>(n));
      for (float& x : reference) x = dist(gen);
      if (variant == 1)
        for (int64_t j = 0; j < n; j += 3) reference[static_cast<size_t>(j)] = j % 2 ? minusInf : -200.f;
      if (variant == 2) reference[static_cast<size_t>(n / 2)] = std::numeric_limits<float>::quiet_NaN();
      if (variant > 0 && n == 1) reference[0] = 0.5f;  // a row of one score: nothing else to try
      std::vector<float> fast = reference;
      const float referenceInverse = trt::cpu::expShiftedRow(reference.data(), n);
      const float fastInverse = trt::cpu::expShiftedRowFast(fast.data(), n);
      SCOPED_TRACE("n " + std::to_string(n) + " variant " + std::to_string(variant) +
                   (trt::cpu::cpuHasAvx512() ? " (AVX-512)" : " (baseline: the reference itself)"));
      if (std::isnan(referenceInverse)) {
        EXPECT_TRUE(std::isnan(fastInverse));
      } else {
        EXPECT_NEAR(fastInverse, referenceInverse, 1e-6 * referenceInverse);
      }
      for (size_t j = 0; j < reference.size(); ++j) {
        if (std::isnan(reference[j])) {
          EXPECT_TRUE(std::isnan(fast[j])) << "at " << j;
          continue;
        }
        // Within 2 ulp of expf (relative 2.4e-7); below e^-87 the fast path gives 0.
        EXPECT_NEAR(fast[j], reference[j], 2.4e-7f * reference[j] + 1.7e-38f) << "at " << j;
      }
    }
  }
}
