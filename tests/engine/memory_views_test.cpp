// Reshape-like layers (a reshape, a transpose that only moves size-1 dimensions, a same-type
// identity) run as views: their output is their input's memory, so nothing is copied and the arena
// holds one block for both; real transposes still move their bytes.
#include <cmath>

#include "engine_test_util.h"

using namespace trt_test;

namespace {
// x [2, 1, 3, 4] -> relu -> shuffle(first transpose `perm`, reshape `dims`) -> relu -> y.
struct Chain {
  trt::INetworkDefinition net;
  Chain(const trt::Permutation& perm, trt::Dims dims) {
    auto* x = net.addInput("x", trt::DataType::kFLOAT, {2, 1, 3, 4});
    auto* a = net.addActivation(*x, trt::ActivationType::kRELU);
    auto* shuffle = net.addShuffle(*a->getOutput(0));
    shuffle->setFirstTranspose(perm);
    shuffle->setReshapeDimensions(dims);
    auto* b = net.addActivation(*shuffle->getOutput(0), trt::ActivationType::kSIGMOID);
    b->getOutput(0)->setName("y");
    net.markOutput(*b->getOutput(0));
  }
};

// The arena bytes and output of the chain, run on the CPU.
std::pair<size_t, std::vector<float>> runChain(Chain& chain, const std::vector<float>& x) {
  auto built = build(chain.net);
  std::unique_ptr<trt::IExecutionContext> ctx(built.engine->createExecutionContext());
  std::vector<float> xs = x, y(24);
  ctx->setTensorAddress("x", xs.data());
  ctx->setTensorAddress("y", y.data());
  EXPECT_TRUE(ctx->enqueueV3(nullptr));
  return {ctx->getActivationBytes(), y};
}

std::vector<float> reference(const std::vector<float>& x, const int32_t* perm) {
  // relu, transpose of [2, 1, 3, 4] by `perm`, sigmoid (the reshape keeps the order).
  const int64_t dims[4] = {2, 1, 3, 4};
  int64_t outDims[4], stride[4] = {12, 12, 4, 1};
  for (int i = 0; i < 4; ++i) outDims[i] = dims[perm[i]];
  std::vector<float> y;
  for (int64_t a = 0; a < outDims[0]; ++a)
    for (int64_t b = 0; b < outDims[1]; ++b)
      for (int64_t c = 0; c < outDims[2]; ++c)
        for (int64_t d = 0; d < outDims[3]; ++d) {
          const int64_t idx[4] = {a, b, c, d};
          int64_t off = 0;
          for (int i = 0; i < 4; ++i) off += idx[i] * stride[perm[i]];
          const float v = std::max(0.f, x[off]);
          y.push_back(1.f / (1.f + std::exp(-v)));
        }
  return y;
}
}  // namespace

TEST(MemoryViews, AReshapeSharesItsInputsMemory) {
  const auto x = randomVector(24, 900);
  const trt::Permutation identity;
  Chain chain(identity, {6, 4});
  const auto [arena, y] = runChain(chain, x);
  EXPECT_EQ(arena, 128u) << "relu's 96 bytes (one 64-byte-aligned block) serve the reshape too";
  expectNear(y, reference(x, identity.order), 1e-6f);
}

TEST(MemoryViews, ATransposeOfASizeOneDimensionIsAView) {
  const auto x = randomVector(24, 901);
  const trt::Permutation moveOne{{0, 2, 1, 3}};  // [2, 1, 3, 4] -> [2, 3, 1, 4]: no byte moves
  Chain chain(moveOne, {2, 12});
  const auto [arena, y] = runChain(chain, x);
  EXPECT_EQ(arena, 128u);
  expectNear(y, reference(x, moveOne.order), 1e-6f);
}

TEST(MemoryViews, ARealTransposeStillMovesItsBytes) {
  const auto x = randomVector(24, 902);
  const trt::Permutation swap{{0, 1, 3, 2}};  // [2, 1, 3, 4] -> [2, 1, 4, 3]
  Chain chain(swap, {2, 12});
  const auto [arena, y] = runChain(chain, x);
  EXPECT_EQ(arena, 256u) << "the transpose writes a block of its own";
  expectNear(y, reference(x, swap.order), 1e-6f);
}

// A pad by zero (Swin's aten::pad to whole windows when the side is already a multiple of the window: a fill-mode
// slice whose window is the whole input) reads only inside its input, so it is a view in every sample mode; a
// real pad writes a block of its own.
TEST(MemoryViews, APadByZeroIsAViewInEveryModeAndARealPadCopies) {
  const auto x = randomVector(24, 903);
  for (trt::SampleMode mode : {trt::SampleMode::kFILL, trt::SampleMode::kWRAP, trt::SampleMode::kCLAMP,
                               trt::SampleMode::kREFLECT, trt::SampleMode::kSTRICT_BOUNDS}) {
    for (int64_t pad : {0, 1}) {
      trt::INetworkDefinition net;
      auto* in = net.addInput("x", trt::DataType::kFLOAT, {2, 3, 4});
      auto* a = net.addActivation(*in, trt::ActivationType::kRELU);
      if (pad > 0 && mode == trt::SampleMode::kSTRICT_BOUNDS) continue;  // a window outside the input is refused
      auto* slice = net.addSlice(*a->getOutput(0), {0, 0, 0}, {2, 3, 4 + pad}, {1, 1, 1});
      slice->setMode(mode);
      auto* b = net.addActivation(*slice->getOutput(0), trt::ActivationType::kSIGMOID);
      b->getOutput(0)->setName("y");
      net.markOutput(*b->getOutput(0));
      auto built = build(net);
      std::unique_ptr<trt::IExecutionContext> ctx(built.engine->createExecutionContext());
      std::vector<float> xs = x, y(static_cast<size_t>(6 * (4 + pad)));
      ctx->setTensorAddress("x", xs.data());
      ctx->setTensorAddress("y", y.data());
      ASSERT_TRUE(ctx->enqueueV3(nullptr));
      EXPECT_EQ(ctx->getActivationBytes(), pad == 0 ? 128u : 256u)
          << "mode " << static_cast<int>(mode) << " pad " << pad;
      for (int64_t r = 0; r < 6; ++r)
        for (int64_t k = 0; k < 4; ++k)
          EXPECT_NEAR(y[r * (4 + pad) + k], 1.f / (1.f + std::exp(-std::max(0.f, x[r * 4 + k]))), 1e-6f);
    }
  }
}

namespace {
// x [2, 3, 4, 5] (NHWC) -> relu -> transpose to NCHW -> reshape [2, 5, 12] -> transpose to [2, 12, 5] -> relu
// -> y: a channels-last exit transpose, a flatten and the permute back (ViT's patch embedding), which together
// read x in memory order; with `undo` false the last transpose is left out, and the bytes move.
struct FlattenChain {
  trt::INetworkDefinition net;
  explicit FlattenChain(bool undo) {
    auto* x = net.addInput("x", trt::DataType::kFLOAT, {2, 3, 4, 5});
    auto* a = net.addActivation(*x, trt::ActivationType::kRELU);
    auto* toFirst = net.addShuffle(*a->getOutput(0));
    toFirst->setFirstTranspose({0, 3, 1, 2});
    auto* flatten = net.addShuffle(*toFirst->getOutput(0));
    flatten->setReshapeDimensions({2, 5, 12});
    trt::ITensor* t = flatten->getOutput(0);
    if (undo) {
      auto* back = net.addShuffle(*t);
      back->setFirstTranspose({0, 2, 1});
      t = back->getOutput(0);
    }
    auto* b = net.addActivation(*t, trt::ActivationType::kRELU);
    b->getOutput(0)->setName("y");
    net.markOutput(*b->getOutput(0));
  }
};
}  // namespace

TEST(MemoryViews, ATransposeUndoneAfterAFlattenIsOneViewOfItsInput) {
  const auto x = randomVector(120, 91);
  for (bool undo : {true, false}) {
    FlattenChain chain(undo);
    auto built = build(chain.net);
    const trt::INetworkDefinition& net = built.engine->network();
    int shuffles = 0;
    for (int l = 0; l < net.getNbLayers(); ++l) shuffles += net.getLayer(l)->getType() == trt::LayerType::kSHUFFLE;
    const std::string json = built.engine->describeLayersJson();
    const auto y = run(*built.engine, {{"x", {trt::Dims{2, 3, 4, 5}, x}}})["y"];
    ASSERT_EQ(y.size(), 120u);
    if (undo) {
      // The three shuffles are one, which runs as a view: y is relu(x) in x's own order.
      EXPECT_EQ(shuffles, 1) << built.engine->describeLayers();
      EXPECT_NE(json.find("view of its input's memory"), std::string::npos) << json;
      for (size_t i = 0; i < 120; ++i) EXPECT_EQ(y[i], std::max(0.f, x[i])) << i;
    } else {
      // y[n, c, hw] = x[n, h, w, c]: the transpose is copied (the flatten after it is a view).
      EXPECT_EQ(shuffles, 2) << built.engine->describeLayers();
      for (int n = 0; n < 2; ++n)
        for (int c = 0; c < 5; ++c)
          for (int hw = 0; hw < 12; ++hw)
            EXPECT_EQ(y[static_cast<size_t>((n * 5 + c) * 12 + hw)],
                      std::max(0.f, x[static_cast<size_t>((n * 12 + hw) * 5 + c)]));
    }
  }
}
