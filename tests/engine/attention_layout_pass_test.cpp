// The attention layout pass: the head split's and merge's permutes around an Attention layer become the
// layer's strides (sequence-major tensors, layers/attention_layout.h). The builder runs it for backends
// whose attention reads strides (CUDA); here it is applied by hand and the transformed network, built for
// the CPU backend (whose reference reads the same strides), must compute exactly what the original does.
#include "builder/passes/passes.h"
#include "engine_test_util.h"
#include "layers/attention_layout.h"
#include "runtime/memory_views.h"

using namespace trt_test;

namespace {
constexpr int64_t kB = 2, kS = 5, kSk = 7, kH = 3, kD = 4;

trt::Permutation swapOrder() {
  trt::Permutation p;
  p.order[1] = 2, p.order[2] = 1;
  return p;
}

// [B, S, H*D] -> view [B, S, H, D] -> permute(0, 2, 1, 3), as a model's head split (one shuffle).
trt::ITensor* splitHeads(trt::INetworkDefinition& net, trt::ITensor& x, int64_t s) {
  auto* shuffle = net.addShuffle(x);
  shuffle->setReshapeDimensions({kB, s, kH, kD});
  shuffle->setSecondTranspose(swapOrder());
  return shuffle->getOutput(0);
}

// BERT's attention block: the query and value from their projections' [B, S, H*D], the key from a
// [B, Sk, H, D] tensor by a lone transpose, an additive padding mask, then the head merge to [B, S, H*D].
// `secondReader` gives the attention's output a second consumer (then it must stay [B, H, S, D]).
trt::IAttentionLayer* makeBlock(trt::INetworkDefinition& net, bool secondReader = false) {
  auto* q = net.addInput("q", trt::DataType::kFLOAT, {kB, kS, kH * kD});
  auto* k = net.addInput("k", trt::DataType::kFLOAT, {kB, kSk, kH, kD});
  auto* v = net.addInput("v", trt::DataType::kFLOAT, {kB, kSk, kH * kD});
  auto* mask = net.addInput("mask", trt::DataType::kFLOAT, {kB, 1, 1, kSk});
  auto* kT = net.addShuffle(*k);
  kT->setFirstTranspose(swapOrder());
  auto* attention = net.addAttention(*splitHeads(net, *q, kS), *kT->getOutput(0), *splitHeads(net, *v, kSk), mask);
  auto* merge = net.addShuffle(*attention->getOutput(0));
  merge->setFirstTranspose(swapOrder());
  merge->setReshapeDimensions({kB, kS, kH * kD});
  merge->getOutput(0)->setName("y");
  net.markOutput(*merge->getOutput(0));
  if (secondReader) {
    auto* twice =
        net.addElementWise(*attention->getOutput(0), *attention->getOutput(0), trt::ElementWiseOperation::kSUM);
    twice->getOutput(0)->setName("z");
    net.markOutput(*twice->getOutput(0));
  }
  return attention;
}

std::map<std::string, std::pair<trt::Dims, std::vector<float>>> inputs() {
  std::vector<float> mask = randomVector(kB * kSk, 41, -1.f, 0.f);
  mask[kSk - 1] = -1e9f;  // a padded key in the first sequence
  return {{"q", {{kB, kS, kH * kD}, randomVector(kB * kS * kH * kD, 42)}},
          {"k", {{kB, kSk, kH, kD}, randomVector(kB * kSk * kH * kD, 43)}},
          {"v", {{kB, kSk, kH * kD}, randomVector(kB * kSk * kH * kD, 44)}},
          {"mask", {{kB, 1, 1, kSk}, mask}}};
}

// Shuffles that still move bytes (not a view of their input's memory).
int movingShuffles(const trt::INetworkDefinition& net) {
  int moving = 0;
  for (int l = 0; l < net.getNbLayers(); ++l) {
    const trt::ILayer* layer = net.getLayer(l);
    if (layer->getType() == trt::LayerType::kSHUFFLE)
      moving += !trt::isMemoryView(*layer, layer->getInput(0)->getDimensions(), layer->getOutput(0)->getDimensions());
  }
  return moving;
}
}  // namespace

TEST(AttentionLayoutPass, HeadSplitsAndMergeBecomeStridesWithTheSameResults) {
  trt::INetworkDefinition reference, folded;
  makeBlock(reference);
  trt::IAttentionLayer* attention = makeBlock(folded);
  EXPECT_EQ(movingShuffles(folded), 4);
  EXPECT_EQ(trt::passes::foldAttentionLayouts(folded), 1);
  trt::passes::removeDeadLayers(folded);
  EXPECT_EQ(trt::attentionSequenceMajor(*attention), uint32_t(trt::kAllSequenceMajor));
  EXPECT_EQ(movingShuffles(folded), 0) << "what is left of the splits and the merge are views";
  EXPECT_EQ(attention->getInput(1)->getDimensions(), (trt::Dims{kB, kSk, kH, kD})) << "the key read as stored";
  EXPECT_EQ(attention->getOutput(0)->getDimensions(), (trt::Dims{kB, kS, kH, kD}));
  EXPECT_EQ(trt::passes::foldAttentionLayouts(folded), 0) << "a second run finds nothing left";
  // Built and run through a plan: the layout is in the plan, and the reference reads the strides.
  Built a = build(reference), b = build(folded);
  const auto ya = run(*a.engine, inputs()), yb = run(*b.engine, inputs());
  ASSERT_EQ(ya.at("y").size(), static_cast<size_t>(kB * kS * kH * kD));
  // The original runs on the CPU's fast path (products), the folded one on the reference (its strides):
  // float32 rounding apart; a tensor read in the wrong layout would be off by the values themselves.
  expectNear(yb.at("y"), ya.at("y"), 1e-5f);
}

TEST(AttentionLayoutPass, AnOutputReadTwiceStaysHeadsMajor) {
  trt::INetworkDefinition reference, folded;
  makeBlock(reference, true);
  trt::IAttentionLayer* attention = makeBlock(folded, true);
  EXPECT_EQ(trt::passes::foldAttentionLayouts(folded), 1);
  trt::passes::removeDeadLayers(folded);
  EXPECT_EQ(trt::attentionSequenceMajor(*attention),
            uint32_t(trt::kQuerySequenceMajor | trt::kKeySequenceMajor | trt::kValueSequenceMajor));
  EXPECT_EQ(attention->getOutput(0)->getDimensions(), (trt::Dims{kB, kH, kS, kD}));
  Built a = build(reference), b = build(folded);
  const auto ya = run(*a.engine, inputs()), yb = run(*b.engine, inputs());
  expectNear(yb.at("y"), ya.at("y"), 1e-5f);
  expectNear(yb.at("z"), ya.at("z"), 1e-5f);
}

TEST(AttentionLayoutPass, APermuteThatIsNotTheHeadSwapStays) {
  // K given [B, D, H, Sk] and permuted (0, 2, 3, 1): no sequence-major form, the shuffle stays.
  trt::INetworkDefinition net;
  auto* q = net.addInput("q", trt::DataType::kFLOAT, {kB, kH, kS, kD});
  auto* k = net.addInput("k", trt::DataType::kFLOAT, {kB, kD, kH, kSk});
  auto* v = net.addInput("v", trt::DataType::kFLOAT, {kB, kH, kSk, kD});
  auto* kT = net.addShuffle(*k);
  trt::Permutation p;
  p.order[1] = 2, p.order[2] = 3, p.order[3] = 1;
  kT->setFirstTranspose(p);
  auto* attention = net.addAttention(*q, *kT->getOutput(0), *v, nullptr);
  net.markOutput(*attention->getOutput(0));
  EXPECT_EQ(trt::passes::foldAttentionLayouts(net), 0);
  trt::passes::removeDeadLayers(net);
  EXPECT_EQ(trt::attentionSequenceMajor(*attention), 0u);
  EXPECT_EQ(attention->getInput(1), kT->getOutput(0));
}

TEST(AttentionLayoutPass, AMaskWithBitsBeyondTheFourTensorsIsRefused) {
  trt::INetworkDefinition net;
  auto* attention = makeBlock(net);
  EXPECT_THROW(trt::setAttentionSequenceMajor(*attention, 16u), trt::Error);
}
