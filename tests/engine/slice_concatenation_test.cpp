// Tiling slices as a transpose: a concatenation of strided slices that tile one tensor (Swin's patch
// merging, traced as torchvision writes it: x[:, 0::2, 0::2], x[:, 1::2, 0::2], x[:, 0::2, 1::2],
// x[:, 1::2, 1::2] with shared intermediate slices, joined along the channels) becomes one transpose,
// bit for bit the same; slices that overlap, leave a gap or come in no mixed-radix order stay.
#include "engine_test_util.h"

namespace {

using trt::DataType;
using trt::Dims;
using trt::ITensor;
using trt::LayerType;

constexpr int64_t B = 2, H = 6, W = 4, C = 3;

ITensor* slice(trt::INetworkDefinition& net, ITensor& x, Dims start, Dims size, Dims stride) {
  return net.addSlice(x, start, size, stride)->getOutput(0);
}

// The parities (i: row, j: column) in the order given, each as torchvision traces it: a slice of rows
// (shared by the two parities of the same row start), then of columns, then a whole-channel slice.
trt::INetworkDefinition* patchMerging(trt::INetworkDefinition& net, const std::vector<std::pair<int, int>>& parities,
                                      bool padView = true) {
  ITensor* x = net.addInput("x", DataType::kFLOAT, {B, H, W, C});
  if (padView) {  // F.pad by zero: a fill-mode slice reading inside its input
    auto* pad = net.addSlice(*x, {0, 0, 0, 0}, {B, H, W, C}, {1, 1, 1, 1});
    pad->setMode(trt::SampleMode::kFILL);
    x = pad->getOutput(0);
  }
  ITensor* rows[2] = {slice(net, *x, {0, 0, 0, 0}, {B, H / 2, W, C}, {1, 2, 1, 1}),
                      slice(net, *x, {0, 1, 0, 0}, {B, H / 2, W, C}, {1, 2, 1, 1})};
  std::vector<ITensor*> parts;
  for (auto [i, j] : parities) {
    ITensor* cols = slice(net, *rows[i], {0, 0, j, 0}, {B, H / 2, W / 2, C}, {1, 1, 2, 1});
    parts.push_back(slice(net, *cols, {0, 0, 0, 0}, {B, H / 2, W / 2, C}, {1, 1, 1, 1}));
  }
  auto* cat = net.addConcatenation(parts.data(), static_cast<int32_t>(parts.size()));
  cat->setAxis(3);
  auto* after = net.addUnary(*cat->getOutput(0), trt::UnaryOperation::kNEG);
  after->getOutput(0)->setName("y");
  net.markOutput(*after->getOutput(0));
  return &net;
}

std::vector<float> expected(const std::vector<float>& x, const std::vector<std::pair<int, int>>& parities) {
  const int64_t P = static_cast<int64_t>(parities.size());
  std::vector<float> y(static_cast<size_t>(B * (H / 2) * (W / 2) * P * C));
  for (int64_t b = 0; b < B; ++b)
    for (int64_t r = 0; r < H / 2; ++r)
      for (int64_t q = 0; q < W / 2; ++q)
        for (int64_t p = 0; p < P; ++p)
          for (int64_t c = 0; c < C; ++c) {
            const int64_t i = parities[static_cast<size_t>(p)].first, j = parities[static_cast<size_t>(p)].second;
            y[static_cast<size_t>((((b * (H / 2) + r) * (W / 2) + q) * P + p) * C + c)] =
                -x[static_cast<size_t>(((b * H + 2 * r + i) * W + 2 * q + j) * C + c)];
          }
  return y;
}

}  // namespace

TEST(TilingSliceConcatenation, SwinsPatchMergingBecomesOneTransposeBitForBit) {
  // torchvision's order (column-major parities) and the row-major one.
  for (const auto& parities : {std::vector<std::pair<int, int>>{{0, 0}, {1, 0}, {0, 1}, {1, 1}},
                               std::vector<std::pair<int, int>>{{0, 0}, {0, 1}, {1, 0}, {1, 1}}}) {
    trt::INetworkDefinition net;
    patchMerging(net, parities);
    auto built = trt_test::build(net);
    const trt::INetworkDefinition& optimized = built.engine->network();
    EXPECT_EQ(trt_test::countLayersOfType(optimized, LayerType::kSLICE), 0) << built.engine->describeLayers();
    EXPECT_EQ(trt_test::countLayersOfType(optimized, LayerType::kCONCATENATION), 0) << built.engine->describeLayers();
    EXPECT_LE(trt_test::countLayersOfType(optimized, LayerType::kSHUFFLE), 2) << built.engine->describeLayers();
    const auto x = trt_test::randomVector(static_cast<size_t>(B * H * W * C), 81);
    const auto y = trt_test::run(*built.engine, {{"x", {Dims{B, H, W, C}, x}}})["y"];
    EXPECT_EQ(y, expected(x, parities));
  }
}

TEST(TilingSliceConcatenation, SlicesThatDoNotTileInOrderStay) {
  const std::vector<std::vector<std::pair<int, int>>> cases = {
      {{0, 0}, {1, 0}, {0, 1}, {0, 1}},  // one parity twice, one missing
      {{0, 0}, {1, 1}, {0, 1}, {1, 0}},  // every parity once, in no mixed-radix order
      {{0, 0}, {1, 0}, {0, 1}},          // three of four
  };
  for (const auto& parities : cases) {
    trt::INetworkDefinition net;
    patchMerging(net, parities, /*padView=*/false);
    auto built = trt_test::build(net);
    EXPECT_EQ(trt_test::countLayersOfType(built.engine->network(), LayerType::kCONCATENATION), 1)
        << built.engine->describeLayers();
    const auto x = trt_test::randomVector(static_cast<size_t>(B * H * W * C), 82);
    EXPECT_EQ(trt_test::run(*built.engine, {{"x", {Dims{B, H, W, C}, x}}})["y"], expected(x, parities));
  }
}
