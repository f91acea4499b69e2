// masked_fill before a softmax as an additive mask: DistilBERT's `scores.masked_fill(m, finfo.min)` with m a
// padding mask expanded to the scores' shape becomes `scores + where(m, min, 0)` over the unexpanded mask, so
// the chain fuses into one Attention layer; the results are masked_fill's, fully masked rows included
// (uniform weights for a finite fill, NaN for -inf). A fill that does not absorb the scores stays a select.
#include <cmath>
#include <limits>

#include "engine_test_util.h"

namespace {

using trt::DataType;
using trt::Dims;
using trt::ITensor;
using trt::LayerType;

constexpr int64_t B = 2, H = 3, S = 4, D = 8;

// softmax(where(pad expanded, fill, q k^T)) v, or where(keep expanded, q k^T, fill) when `keepWhereTrue`;
// "pad" / "keep" a bool input [B, 1, 1, S] expanded as the converters expand (an AND with all-true [1, H, S, S]).
struct MaskedChain {
  trt::INetworkDefinition net;
  std::vector<uint8_t> ones = std::vector<uint8_t>(H * S * S, 1);
  std::vector<float> fillValue;
  MaskedChain(float fill, bool keepWhereTrue) : fillValue{fill} {
    ITensor* q = net.addInput("q", DataType::kFLOAT, {B, H, S, D});
    ITensor* k = net.addInput("k", DataType::kFLOAT, {B, H, S, D});
    ITensor* v = net.addInput("v", DataType::kFLOAT, {B, H, S, D});
    ITensor* m = net.addInput("m", DataType::kBOOL, {B, 1, 1, S});
    ITensor* all = net.addConstant({1, H, S, S}, {DataType::kBOOL, ones.data(), H * S * S})->getOutput(0);
    ITensor* expanded = net.addElementWise(*m, *all, trt::ElementWiseOperation::kAND)->getOutput(0);
    ITensor* scores =
        net.addMatrixMultiply(*q, trt::MatrixOperation::kNONE, *k, trt::MatrixOperation::kTRANSPOSE)->getOutput(0);
    ITensor* f = net.addConstant({}, {DataType::kFLOAT, fillValue.data(), 1})->getOutput(0);
    ITensor* masked = keepWhereTrue ? net.addSelect(*expanded, *scores, *f)->getOutput(0)
                                    : net.addSelect(*expanded, *f, *scores)->getOutput(0);
    auto* sm = net.addSoftMax(*masked);
    sm->setAxes(1u << 3);
    auto* pv = net.addMatrixMultiply(*sm->getOutput(0), trt::MatrixOperation::kNONE, *v, trt::MatrixOperation::kNONE);
    pv->getOutput(0)->setName("y");
    net.markOutput(*pv->getOutput(0));
  }
};

// Batch 0 masks keys 1 and 3; batch 1 masks every key (a sequence of padding only).
std::vector<bool> masked() { return {false, true, false, true, true, true, true, true}; }

trt_test::HostTensor maskInput(bool keepWhereTrue) {
  std::vector<uint8_t> bits;
  for (bool b : masked()) bits.push_back(keepWhereTrue ? !b : b);
  return trt_test::hostTensor(Dims{B, 1, 1, S}, bits);
}

// masked_fill's result in double: masked scores replaced by `fill`, softmax, times v.
std::vector<float> reference(const std::vector<float>& q, const std::vector<float>& k, const std::vector<float>& v,
                             float fill) {
  std::vector<float> y(static_cast<size_t>(B * H * S * D));
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < H; ++h)
      for (int64_t i = 0; i < S; ++i) {
        const int64_t row = (b * H + h) * S;
        double s[S], mx = -std::numeric_limits<double>::infinity(), sum = 0;
        for (int64_t j = 0; j < S; ++j) {
          double dot = 0;
          for (int64_t d = 0; d < D; ++d) dot += double(q[(row + i) * D + d]) * k[(row + j) * D + d];
          s[j] = masked()[static_cast<size_t>(b * S + j)] ? double(fill) : dot;
          mx = std::max(mx, s[j]);
        }
        for (double& e : s) sum += (e = std::exp(e - mx));
        for (int64_t d = 0; d < D; ++d) {
          double acc = 0;
          for (int64_t j = 0; j < S; ++j) acc += s[j] / sum * v[(row + j) * D + d];
          y[static_cast<size_t>((row + i) * D + d)] = static_cast<float>(acc);
        }
      }
  return y;
}

void expectMatches(const std::vector<float>& got, const std::vector<float>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(want[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << "at " << i << ": " << got[i];
      continue;
    }
    EXPECT_NEAR(got[i], want[i], 1e-5f) << "at " << i;
  }
}

}  // namespace

TEST(MaskedFillMask, DistilBertsMaskedFillFusesIntoOneAttentionWithMaskedFillsResults) {
  for (bool keepWhereTrue : {false, true}) {
    for (float fill : {std::numeric_limits<float>::lowest(), -1e30f, -std::numeric_limits<float>::infinity()}) {
      MaskedChain chain(fill, keepWhereTrue);
      auto built = trt_test::build(chain.net);
      const trt::INetworkDefinition& net = built.engine->network();
      EXPECT_EQ(trt_test::countLayersOfType(net, LayerType::kATTENTION), 1) << built.engine->describeLayers();
      EXPECT_EQ(trt_test::countLayersOfType(net, LayerType::kSOFTMAX), 0) << built.engine->describeLayers();
      // The mask is computed on [B, 1, 1, S], not on the expanded scores' shape.
      for (int l = 0; l < net.getNbLayers(); ++l)
        if (net.getLayer(l)->getType() == LayerType::kSELECT)
          EXPECT_EQ(net.getLayer(l)->getOutput(0)->getDimensions(), (Dims{B, 1, 1, S}));
      const auto q = trt_test::randomVector(B * H * S * D, 51, -2.f, 2.f),
                 k = trt_test::randomVector(B * H * S * D, 52), v = trt_test::randomVector(B * H * S * D, 53);
      auto y = trt_test::runBytes(*built.engine, {{"q", trt_test::hostTensor(Dims{B, H, S, D}, q)},
                                                  {"k", trt_test::hostTensor(Dims{B, H, S, D}, k)},
                                                  {"v", trt_test::hostTensor(Dims{B, H, S, D}, v)},
                                                  {"m", maskInput(keepWhereTrue)}});
      expectMatches(trt_test::elementsOf<float>(y["y"]), reference(q, k, v, fill));
    }
  }
}

TEST(MaskedFillMask, AFillThatDoesNotAbsorbTheScoresStaysASelect) {
  // -1e4 (a 16-bit model's mask value): s + fill is not fill, so the select stays (and computes masked_fill).
  MaskedChain chain(-1e4f, false);
  auto built = trt_test::build(chain.net);
  EXPECT_EQ(trt_test::countLayersOfType(built.engine->network(), LayerType::kATTENTION), 0)
      << built.engine->describeLayers();
  const auto q = trt_test::randomVector(B * H * S * D, 54), k = trt_test::randomVector(B * H * S * D, 55),
             v = trt_test::randomVector(B * H * S * D, 56);
  auto y = trt_test::runBytes(*built.engine, {{"q", trt_test::hostTensor(Dims{B, H, S, D}, q)},
                                              {"k", trt_test::hostTensor(Dims{B, H, S, D}, k)},
                                              {"v", trt_test::hostTensor(Dims{B, H, S, D}, v)},
                                              {"m", maskInput(false)}});
  expectMatches(trt_test::elementsOf<float>(y["y"]), reference(q, k, v, -1e4f));
}
