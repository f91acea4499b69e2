// The uniform select fold: a Select whose condition is a constant of one value is the input it picks
// (DistilBERT traced without an attention mask: `scores.masked_fill(mask == 0, min)` of an all-false
// condition), so the attention chain around it fuses; mixed conditions and broadcast picks stay.
#include <limits>

#include "engine_test_util.h"

namespace {

using trt::DataType;
using trt::Dims;
using trt::ITensor;
using trt::LayerType;

// softmax(masked_fill(q k^T, condition, fill)) v over [2, 3, 4, 8] heads; `condition` a constant [2, 3, 4, 4].
struct MaskedFillChain {
  trt::INetworkDefinition net;
  std::vector<uint8_t> condition;
  std::vector<float> fill{std::numeric_limits<float>::lowest()};
  explicit MaskedFillChain(std::vector<uint8_t> cond, bool broadcastFill = true) : condition(std::move(cond)) {
    ITensor* q = net.addInput("q", DataType::kFLOAT, {2, 3, 4, 8});
    ITensor* k = net.addInput("k", DataType::kFLOAT, {2, 3, 4, 8});
    ITensor* v = net.addInput("v", DataType::kFLOAT, {2, 3, 4, 8});
    auto* qk = net.addMatrixMultiply(*q, trt::MatrixOperation::kNONE, *k, trt::MatrixOperation::kTRANSPOSE);
    ITensor* c = net.addConstant({2, 3, 4, 4}, {DataType::kBOOL, condition.data(), 96})->getOutput(0);
    if (!broadcastFill) fill.assign(96, fill[0]);
    ITensor* f = net.addConstant(broadcastFill ? Dims{1, 1, 1, 1} : Dims{2, 3, 4, 4},
                                 {DataType::kFLOAT, fill.data(), static_cast<int64_t>(fill.size())})
                     ->getOutput(0);
    ITensor* masked = net.addSelect(*c, *f, *qk->getOutput(0))->getOutput(0);
    auto* sm = net.addSoftMax(*masked);
    sm->setAxes(1u << 3);
    auto* pv = net.addMatrixMultiply(*sm->getOutput(0), trt::MatrixOperation::kNONE, *v, trt::MatrixOperation::kNONE);
    pv->getOutput(0)->setName("y");
    net.markOutput(*pv->getOutput(0));
  }
};

std::map<std::string, std::pair<Dims, std::vector<float>>> inputs() {
  return {{"q", {Dims{2, 3, 4, 8}, trt_test::randomVector(192, 41)}},
          {"k", {Dims{2, 3, 4, 8}, trt_test::randomVector(192, 42)}},
          {"v", {Dims{2, 3, 4, 8}, trt_test::randomVector(192, 43)}}};
}

// softmax(q k^T) v computed here.
std::vector<float> expectedAttention(const std::map<std::string, std::pair<Dims, std::vector<float>>>& in) {
  const auto& q = in.at("q").second;
  const auto& k = in.at("k").second;
  const auto& v = in.at("v").second;
  std::vector<float> y(192);
  for (int bh = 0; bh < 6; ++bh)
    for (int i = 0; i < 4; ++i) {
      double s[4], mx = -1e300, sum = 0;
      for (int j = 0; j < 4; ++j) {
        s[j] = 0;
        for (int d = 0; d < 8; ++d) s[j] += double(q[(bh * 4 + i) * 8 + d]) * k[(bh * 4 + j) * 8 + d];
        mx = std::max(mx, s[j]);
      }
      for (double& e : s) sum += (e = std::exp(e - mx));
      for (int d = 0; d < 8; ++d) {
        double acc = 0;
        for (int j = 0; j < 4; ++j) acc += s[j] / sum * v[(bh * 4 + j) * 8 + d];
        y[(bh * 4 + i) * 8 + d] = static_cast<float>(acc);
      }
    }
  return y;
}

}  // namespace

TEST(UniformSelectFolding, AnAllFalseMaskedFillGoesAndTheAttentionFuses) {
  MaskedFillChain chain(std::vector<uint8_t>(96, 0));
  auto built = trt_test::build(chain.net);
  const trt::INetworkDefinition& net = built.engine->network();
  EXPECT_EQ(trt_test::countLayersOfType(net, LayerType::kSELECT), 0) << built.engine->describeLayers();
  EXPECT_EQ(trt_test::countLayersOfType(net, LayerType::kATTENTION), 1) << built.engine->describeLayers();
  trt_test::expectNear(trt_test::run(*built.engine, inputs())["y"], expectedAttention(inputs()), 1e-5f);
}

TEST(UniformSelectFolding, AnAllTrueConditionPicksTheThenInputWhereItHasTheOutputsShape) {
  // Every score replaced by the fill value: uniform weights, the mean of v over the keys.
  MaskedFillChain chain(std::vector<uint8_t>(96, 1), /*broadcastFill=*/false);
  auto built = trt_test::build(chain.net);
  EXPECT_EQ(trt_test::countLayersOfType(built.engine->network(), LayerType::kSELECT), 0)
      << built.engine->describeLayers();
  const auto in = inputs();
  const auto y = trt_test::run(*built.engine, in)["y"];
  const auto& v = in.at("v").second;
  for (int bh = 0; bh < 6; ++bh)
    for (int d = 0; d < 8; ++d) {
      float mean = 0;
      for (int j = 0; j < 4; ++j) mean += v[(bh * 4 + j) * 8 + d] / 4;
      for (int i = 0; i < 4; ++i) EXPECT_NEAR(y[(bh * 4 + i) * 8 + d], mean, 1e-5f) << bh << "," << i << "," << d;
    }
}

TEST(UniformSelectFolding, AMixedConditionOrABroadcastPickStays) {
  std::vector<uint8_t> mixed(96, 0);
  mixed[5] = 1;
  MaskedFillChain mixedChain(mixed);
  auto a = trt_test::build(mixedChain.net);
  EXPECT_EQ(trt_test::countLayersOfType(a.engine->network(), LayerType::kSELECT), 1) << a.engine->describeLayers();
  // All true with a scalar fill: the pick is a broadcast, which needs the Select's own kernel.
  MaskedFillChain broadcastChain(std::vector<uint8_t>(96, 1), /*broadcastFill=*/true);
  auto b = trt_test::build(broadcastChain.net);
  EXPECT_EQ(trt_test::countLayersOfType(b.engine->network(), LayerType::kSELECT), 1) << b.engine->describeLayers();
}
