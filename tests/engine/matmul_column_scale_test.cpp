// A per-column scale after a product by constant weights (ConvNeXt's layer scale) folds into the weights and
// the bias, and the residual add after it then joins the product: one layer where there were three.
#include <cmath>
#include <vector>

#include "engine_test_util.h"

using namespace trt_test;

namespace {
constexpr int64_t M = 6, K = 8, N = 16;

struct ScaledProduct {
  std::vector<float> w = randomVector(N * K, 401), b = randomVector(N, 402), gamma = randomVector(N, 403, 0.01f, 2.f),
                     residual = randomVector(M * N, 404);
  trt::INetworkDefinition net;
  // transposed: weights stored [N, K] (nn.Linear); gammaDims: the scale's shape (its last extent N folds).
  ScaledProduct(bool transposed, trt::Dims gammaDims) {
    auto* x = net.addInput("x", trt::DataType::kFLOAT, {M, K});
    auto* r = net.addInput("r", trt::DataType::kFLOAT, {M, N});  // the block's input, as in ConvNeXt
    auto* wc =
        net.addConstant(transposed ? trt::Dims{N, K} : trt::Dims{K, N}, {trt::DataType::kFLOAT, w.data(), N * K});
    auto* mm = net.addMatrixMultiply(*x, trt::MatrixOperation::kNONE, *wc->getOutput(0),
                                     transposed ? trt::MatrixOperation::kTRANSPOSE : trt::MatrixOperation::kNONE);
    auto* bc = net.addConstant({1, N}, {trt::DataType::kFLOAT, b.data(), N});
    auto* biased = net.addElementWise(*mm->getOutput(0), *bc->getOutput(0), trt::ElementWiseOperation::kSUM);
    auto* g = net.addConstant(gammaDims, {trt::DataType::kFLOAT, gamma.data(), gammaDims.volume()});
    auto* scaled = net.addElementWise(*g->getOutput(0), *biased->getOutput(0), trt::ElementWiseOperation::kPROD);
    auto* sum = net.addElementWise(*scaled->getOutput(0), *r, trt::ElementWiseOperation::kSUM);
    sum->getOutput(0)->setName("y");
    net.markOutput(*sum->getOutput(0));
  }
  std::vector<float> reference(const std::vector<float>& x, bool transposed) const {
    std::vector<float> y(static_cast<size_t>(M * N));
    for (int64_t m = 0; m < M; ++m)
      for (int64_t n = 0; n < N; ++n) {
        double acc = 0;
        for (int64_t k = 0; k < K; ++k)
          acc += static_cast<double>(x[m * K + k]) * w[transposed ? n * K + k : k * N + n];
        const float g = gamma.size() == static_cast<size_t>(N) ? gamma[n] : gamma[m];
        y[m * N + n] = static_cast<float>((acc + b[n]) * g + residual[m * N + n]);
      }
    return y;
  }
};

}  // namespace

TEST(MatrixMultiplyColumnScale, FoldsIntoTheWeightsAndTheResidualJoinsTheProduct) {
  const std::vector<float> x = randomVector(M * K, 405);
  for (bool transposed : {true, false})
    for (trt::Dims gammaDims : {trt::Dims{N}, trt::Dims{1, N}}) {
      ScaledProduct p(transposed, gammaDims);
      Built b = build(p.net);
      EXPECT_EQ(countLayersOfKind(*b.engine, "ElementWise"), 0) << b.engine->describeLayers();
      EXPECT_EQ(countLayersOfKind(*b.engine, "MatrixMultiply"), 1) << b.engine->describeLayers();
      expectNear(run(*b.engine, {{"x", {trt::Dims{M, K}, x}}, {"r", {trt::Dims{M, N}, p.residual}}}).at("y"),
                 p.reference(x, transposed), 1e-5f);
    }
}

TEST(MatrixMultiplyColumnScale, AScalePerRowStaysAMultiply) {
  // gamma [M, 1] scales rows, not columns: the multiply stays, the result is still the chain's.
  const std::vector<float> x = randomVector(M * K, 406);
  ScaledProduct p(true, trt::Dims{M, 1});
  p.gamma.resize(M);
  Built b = build(p.net);
  EXPECT_GE(countLayersOfKind(*b.engine, "ElementWise"), 1) << b.engine->describeLayers();
  expectNear(run(*b.engine, {{"x", {trt::Dims{M, K}, x}}, {"r", {trt::Dims{M, N}, p.residual}}}).at("y"),
             p.reference(x, true), 1e-5f);
}

TEST(MatrixMultiplyColumnScale, FoldsThroughTheTransposeBackToChannelsFirst) {
  // ConvNeXt: the MLP's [B, H, W, C] output permuted back to [B, C, H, W], then scaled by gamma [C, 1, 1].
  const int64_t Bt = 2, Ht = 3, Wt = 4;
  const std::vector<float> w = randomVector(N * K, 411), gamma = randomVector(N, 412, 0.01f, 2.f),
                           x = randomVector(Bt * Ht * Wt * K, 413);
  trt::INetworkDefinition net;
  auto* in = net.addInput("x", trt::DataType::kFLOAT, {Bt, Ht, Wt, K});
  auto* wc = net.addConstant({N, K}, {trt::DataType::kFLOAT, w.data(), N * K});
  auto* mm =
      net.addMatrixMultiply(*in, trt::MatrixOperation::kNONE, *wc->getOutput(0), trt::MatrixOperation::kTRANSPOSE);
  auto* back = net.addShuffle(*mm->getOutput(0));
  back->setFirstTranspose({{0, 3, 1, 2}});
  auto* g = net.addConstant({N, 1, 1}, {trt::DataType::kFLOAT, gamma.data(), N});
  auto* scaled = net.addElementWise(*back->getOutput(0), *g->getOutput(0), trt::ElementWiseOperation::kPROD);
  scaled->getOutput(0)->setName("y");
  net.markOutput(*scaled->getOutput(0));
  Built b = build(net);
  EXPECT_EQ(countLayersOfKind(*b.engine, "ElementWise"), 0) << b.engine->describeLayers();
  std::vector<float> expected(static_cast<size_t>(Bt * N * Ht * Wt));
  for (int64_t bi = 0; bi < Bt; ++bi)
    for (int64_t h = 0; h < Ht; ++h)
      for (int64_t wi = 0; wi < Wt; ++wi)
        for (int64_t n = 0; n < N; ++n) {
          double acc = 0;
          for (int64_t k = 0; k < K; ++k)
            acc += static_cast<double>(x[((bi * Ht + h) * Wt + wi) * K + k]) * w[n * K + k];
          expected[((bi * N + n) * Ht + h) * Wt + wi] = static_cast<float>(acc * gamma[n]);
        }
  expectNear(run(*b.engine, {{"x", {trt::Dims{Bt, Ht, Wt, K}, x}}}).at("y"), expected, 1e-5f);
}
