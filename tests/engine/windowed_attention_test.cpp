// Shifted-window attention (Swin's scores viewed [B, nW, H, N, N] to add a constant window mask): the
// builder reads it with batch B and nW*H heads, one constant bias, and fuses it into one Attention layer;
// the results are those of the written-out chain (a reference loop here). A scaled query folds into the
// attention's scale.
#include <cmath>
#include <string>
#include <vector>

#include "builder/passes/passes.h"
#include "engine_test_util.h"

using namespace trt_test;

namespace {
constexpr int64_t B = 2, nW = 3, H = 2, N = 4, D = 8;

struct WindowedAttention {
  std::vector<float> position = randomVector(static_cast<size_t>(H * N * N), 301, -1.f, 1.f);
  std::vector<float> mask;
  trt::INetworkDefinition net;
  // maskBatch: the mask's extent in dim 0 of the 5-D view (1 folds; B is per batch and stays as it is).
  // divisor: scores divided by it before the position bias (Hugging Face's Swin), 0 for none.
  WindowedAttention(bool withPosition, int64_t maskBatch, float divisor = 0.f) {
    mask.assign(static_cast<size_t>(maskBatch * nW * N * N), 0.f);
    for (size_t i = 0; i < mask.size(); ++i)
      if ((i * 7) % 5 == 1) mask[i] = -100.f;  // left-out pairs, as Swin's -100
    auto* q = net.addInput("q", trt::DataType::kFLOAT, {B * nW, H, N, D});
    auto* k = net.addInput("k", trt::DataType::kFLOAT, {B * nW, H, N, D});
    auto* v = net.addInput("v", trt::DataType::kFLOAT, {B * nW, H, N, D});
    auto* kt = net.addShuffle(*k);
    kt->setFirstTranspose({{0, 1, 3, 2}});
    auto* s = net.addMatrixMultiply(*q, trt::MatrixOperation::kNONE, *kt->getOutput(0), trt::MatrixOperation::kNONE);
    trt::ITensor* scores = s->getOutput(0);
    if (divisor != 0.f) {
      static float d;
      d = divisor;
      auto* c = net.addConstant({}, {trt::DataType::kFLOAT, &d, 1});
      scores = net.addElementWise(*scores, *c->getOutput(0), trt::ElementWiseOperation::kDIV)->getOutput(0);
    }
    if (withPosition) {
      auto* p = net.addConstant({1, H, N, N}, {trt::DataType::kFLOAT, position.data(), H * N * N});
      scores = net.addElementWise(*scores, *p->getOutput(0), trt::ElementWiseOperation::kSUM)->getOutput(0);
    }
    auto* split = net.addShuffle(*scores);
    split->setReshapeDimensions({B, nW, H, N, N});
    auto* m = net.addConstant({maskBatch, nW, 1, N, N},
                              {trt::DataType::kFLOAT, mask.data(), static_cast<int64_t>(mask.size())});
    auto* masked = net.addElementWise(*split->getOutput(0), *m->getOutput(0), trt::ElementWiseOperation::kSUM);
    auto* merge = net.addShuffle(*masked->getOutput(0));
    merge->setReshapeDimensions({B * nW, H, N, N});
    auto* sm = net.addSoftMax(*merge->getOutput(0));
    sm->setAxes(1u << 3);
    auto* o = net.addMatrixMultiply(*sm->getOutput(0), trt::MatrixOperation::kNONE, *v, trt::MatrixOperation::kNONE);
    o->getOutput(0)->setName("y");
    net.markOutput(*o->getOutput(0));
  }
  std::vector<float> reference(const std::vector<float>& q, const std::vector<float>& k, const std::vector<float>& v,
                               bool withPosition, int64_t maskBatch, float divisor = 0.f) const {
    std::vector<float> y(static_cast<size_t>(B * nW * H * N * D));
    for (int64_t bw = 0; bw < B * nW; ++bw)
      for (int64_t h = 0; h < H; ++h) {
        const int64_t base = (bw * H + h) * N * D;
        for (int64_t i = 0; i < N; ++i) {
          std::vector<double> s(static_cast<size_t>(N));
          double mx = -1e300;
          for (int64_t j = 0; j < N; ++j) {
            double dot = 0;
            for (int64_t d = 0; d < D; ++d) dot += static_cast<double>(q[base + i * D + d]) * k[base + j * D + d];
            if (divisor != 0.f) dot /= divisor;
            if (withPosition) dot += position[(h * N + i) * N + j];
            const int64_t maskRow = maskBatch == 1 ? bw % nW : bw;
            dot += mask[(maskRow * N + i) * N + j];
            s[j] = dot;
            mx = std::fmax(mx, dot);
          }
          double sum = 0;
          for (auto& e : s) sum += (e = std::exp(e - mx));
          for (int64_t d = 0; d < D; ++d) {
            double acc = 0;
            for (int64_t j = 0; j < N; ++j) acc += s[j] / sum * v[base + j * D + d];
            y[base + i * D + d] = static_cast<float>(acc);
          }
        }
      }
    return y;
  }
};

}  // namespace

TEST(WindowedAttention, MaskThroughAFiveDimensionalViewFusesIntoOneAttention) {
  const size_t n = static_cast<size_t>(B * nW * H * N * D);
  const auto q = randomVector(n, 311), k = randomVector(n, 312), v = randomVector(n, 313);
  for (bool withPosition : {true, false}) {
    WindowedAttention w(withPosition, 1);
    Built b = build(w.net);
    EXPECT_EQ(countLayersOfKind(*b.engine, "Attention"), 1) << b.engine->describeLayers();
    EXPECT_EQ(countLayersOfKind(*b.engine, "SoftMax"), 0) << b.engine->describeLayers();
    const trt::Dims dims{B * nW, H, N, D};
    const auto y = run(*b.engine, {{"q", {dims, q}}, {"k", {dims, k}}, {"v", {dims, v}}}).at("y");
    expectNear(y, w.reference(q, k, v, withPosition, 1), 1e-5f);
  }
}

TEST(WindowedAttention, AScaledProductFoldsItsScaleIntoTheAttention) {
  // Hugging Face's Swin: (Q K^T) / sqrt(d) + P, then the windowed mask.
  const size_t n = static_cast<size_t>(B * nW * H * N * D);
  const auto q = randomVector(n, 331), k = randomVector(n, 332), v = randomVector(n, 333);
  for (bool withPosition : {true, false}) {
    WindowedAttention w(withPosition, 1, std::sqrt(static_cast<float>(D)));
    Built b = build(w.net);
    EXPECT_EQ(countLayersOfKind(*b.engine, "Attention"), 1) << b.engine->describeLayers();
    const trt::Dims dims{B * nW, H, N, D};
    const auto y = run(*b.engine, {{"q", {dims, q}}, {"k", {dims, k}}, {"v", {dims, v}}}).at("y");
    expectNear(y, w.reference(q, k, v, withPosition, 1, std::sqrt(static_cast<float>(D))), 1e-5f);
  }
}

TEST(WindowedAttention, APerBatchMaskStaysAsWritten) {
  // A mask with its own value per batch (extent B in dim 0) is no windowed mask: the chain stays, still exact.
  const size_t n = static_cast<size_t>(B * nW * H * N * D);
  const auto q = randomVector(n, 321), k = randomVector(n, 322), v = randomVector(n, 323);
  WindowedAttention w(true, B);
  Built b = build(w.net);
  EXPECT_EQ(countLayersOfKind(*b.engine, "Attention"), 0) << b.engine->describeLayers();
  const trt::Dims dims{B * nW, H, N, D};
  const auto y = run(*b.engine, {{"q", {dims, q}}, {"k", {dims, k}}, {"v", {dims, v}}}).at("y");
  expectNear(y, w.reference(q, k, v, true, B), 1e-5f);
}

TEST(WindowedAttention, ReadPerWindowItsMaskRepeatsEveryWindowsBatches) {
  // For backends whose attention reads strides the builder then reads the fused attention per window: Q, K, V as
  // given ([B*nW, H, N, D], no reshape to windows x heads), the bias a 5-D mask [1, nW, H, N, N] repeating every
  // nW batches. Same results.
  const size_t n = static_cast<size_t>(B * nW * H * N * D);
  const auto q = randomVector(n, 341), k = randomVector(n, 342), v = randomVector(n, 343);
  WindowedAttention w(true, 1);
  EXPECT_EQ(trt::passes::foldWindowedAttentionBias(w.net), 1);
  trt::passes::removeDeadLayers(w.net);
  trt::passes::fuseSoftMaxMask(w.net);
  trt::passes::removeDeadLayers(w.net);
  trt::passes::fuseMatrixMultiplyScale(w.net);
  trt::passes::removeDeadLayers(w.net);
  EXPECT_EQ(trt::passes::fuseAttention(w.net), 1);
  trt::passes::removeDeadLayers(w.net);
  EXPECT_EQ(trt::passes::regroupWindowedAttention(w.net), 1);
  trt::passes::removeDeadLayers(w.net);
  EXPECT_EQ(trt::passes::regroupWindowedAttention(w.net), 0);  // nothing left to regroup
  const trt::IAttentionLayer* attention = nullptr;
  for (int l = 0; l < w.net.getNbLayers(); ++l)
    if (w.net.getLayer(l)->getType() == trt::LayerType::kATTENTION)
      attention = static_cast<const trt::IAttentionLayer*>(w.net.getLayer(l));
  ASSERT_NE(attention, nullptr);
  EXPECT_STREQ(attention->getInput(0)->getName(), "q");
  EXPECT_EQ(attention->getInput(3)->getDimensions(), (trt::Dims{1, nW, H, N, N}));
  EXPECT_EQ(attention->getOutput(0)->getDimensions(), (trt::Dims{B * nW, H, N, D}));
  Built b = build(w.net);
  const trt::Dims dims{B * nW, H, N, D};
  const auto y = run(*b.engine, {{"q", {dims, q}}, {"k", {dims, k}}, {"v", {dims, v}}}).at("y");
  expectNear(y, w.reference(q, k, v, true, 1), 1e-5f);
}

TEST(WindowedAttention, AFiveDimensionalMaskMustDivideTheBatch) {
  trt::INetworkDefinition net;
  auto* q = net.addInput("q", trt::DataType::kFLOAT, {6, 2, 4, 8});
  auto* bad = net.addInput("m", trt::DataType::kFLOAT, {1, 4, 2, 4, 4});
  net.addAttention(*q, *q, *q, bad);
  try {
    net.getLayer(0)->getOutput(0)->getDimensions();
    Built b = build(net);
    FAIL() << "a 5-D mask of 4 windows over a batch of 6 was accepted";
  } catch (const trt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("does not broadcast to the scores"), std::string::npos) << e.what();
  }
}

TEST(AttentionQueryScale, AScaledQueryFoldsIntoTheAttentionsScale) {
  // q * c or q / (1 / c) read only by an attention (directly, or through a reshape as the windowed attention
  // reads it): the multiply or division goes, the attention's scale becomes c / sqrt(D).
  const int64_t Bq = 2, Hq = 3, S = 5, Dq = 8;
  const size_t n = static_cast<size_t>(Bq * Hq * S * Dq);
  const auto q = randomVector(n, 341), k = randomVector(n, 342), v = randomVector(n, 343);
  static const float c = 0.3f, divisor = 1.f / c;
  for (int variant = 0; variant < 3; ++variant) {
    // q * c, q * c through a reshape, and q / (1 / c) (DistilBERT's q / sqrt(head size)).
    const bool throughReshape = variant == 1, divide = variant == 2;
    trt::INetworkDefinition net;
    const trt::Dims dims{Bq, Hq, S, Dq};
    auto* qi = net.addInput("q", trt::DataType::kFLOAT, throughReshape ? trt::Dims{Bq * Hq, S, Dq} : dims);
    auto* ki = net.addInput("k", trt::DataType::kFLOAT, dims);
    auto* vi = net.addInput("v", trt::DataType::kFLOAT, dims);
    auto* cc = net.addConstant({}, {trt::DataType::kFLOAT, divide ? &divisor : &c, 1});
    trt::ITensor* scaled =
        net.addElementWise(*qi, *cc->getOutput(0),
                           divide ? trt::ElementWiseOperation::kDIV : trt::ElementWiseOperation::kPROD)
            ->getOutput(0);
    if (throughReshape) {
      auto* view = net.addShuffle(*scaled);
      view->setReshapeDimensions(dims);
      scaled = view->getOutput(0);
    }
    auto* attention = net.addAttention(*scaled, *ki, *vi, nullptr);
    attention->getOutput(0)->setName("y");
    net.markOutput(*attention->getOutput(0));
    Built b = build(net);
    EXPECT_EQ(countLayersOfKind(*b.engine, "ElementWise"), 0) << b.engine->describeLayers();
    std::vector<float> expected(n);
    for (int64_t bh = 0; bh < Bq * Hq; ++bh)
      for (int64_t i = 0; i < S; ++i) {
        std::vector<double> s(static_cast<size_t>(S));
        double mx = -1e300, sum = 0;
        for (int64_t j = 0; j < S; ++j) {
          double dot = 0;
          for (int64_t d = 0; d < Dq; ++d)
            dot += static_cast<double>(q[(bh * S + i) * Dq + d]) * k[(bh * S + j) * Dq + d];
          s[j] = dot * c / std::sqrt(static_cast<double>(Dq));
          mx = std::fmax(mx, s[j]);
        }
        for (auto& e : s) sum += (e = std::exp(e - mx));
        for (int64_t d = 0; d < Dq; ++d) {
          double acc = 0;
          for (int64_t j = 0; j < S; ++j) acc += s[j] / sum * v[(bh * S + j) * Dq + d];
          expected[(bh * S + i) * Dq + d] = static_cast<float>(acc);
        }
      }
    const auto y =
        run(*b.engine,
            {{"q", {throughReshape ? trt::Dims{Bq * Hq, S, Dq} : dims, q}}, {"k", {dims, k}}, {"v", {dims, v}}})
            .at("y");
    expectNear(y, expected, 1e-5f);
  }
}

TEST(AttentionQueryScale, AQueryTheScaledTensorAlsoFeedsElsewhereStaysScaled) {
  // The scaled query is also a network output: the multiply stays (folding would change that output).
  const int64_t Bq = 1, Hq = 2, S = 3, Dq = 4;
  static const float c = 0.5f;
  trt::INetworkDefinition net;
  const trt::Dims dims{Bq, Hq, S, Dq};
  auto* qi = net.addInput("q", trt::DataType::kFLOAT, dims);
  auto* ki = net.addInput("k", trt::DataType::kFLOAT, dims);
  auto* vi = net.addInput("v", trt::DataType::kFLOAT, dims);
  auto* cc = net.addConstant({}, {trt::DataType::kFLOAT, &c, 1});
  auto* scaled = net.addElementWise(*qi, *cc->getOutput(0), trt::ElementWiseOperation::kPROD);
  scaled->getOutput(0)->setName("qs");
  net.markOutput(*scaled->getOutput(0));
  auto* attention = net.addAttention(*scaled->getOutput(0), *ki, *vi, nullptr);
  attention->getOutput(0)->setName("y");
  net.markOutput(*attention->getOutput(0));
  Built b = build(net);
  EXPECT_EQ(countLayersOfKind(*b.engine, "ElementWise"), 1) << b.engine->describeLayers();
  const size_t n = static_cast<size_t>(Bq * Hq * S * Dq);
  const auto q = randomVector(n, 351);
  const auto out =
      run(*b.engine, {{"q", {dims, q}}, {"k", {dims, randomVector(n, 352)}}, {"v", {dims, randomVector(n, 353)}}});
  for (size_t i = 0; i < n; ++i) EXPECT_EQ(out.at("qs")[i], q[i] * c);
}
