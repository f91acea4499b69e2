// PyTorch's fused fast-path ops (_transformer_encoder_layer_fwd, _native_multi_head_attention) against
// the JIT interpreter, which runs ATen's own fused kernels: post-norm and pre-norm, ReLU and GELU,
// every mask type (bool and float, which the fast path reads as bool), attention weights, dynamic
// batch and sequence length; and the lowering of nn.TransformerEncoder's nested-tensor path.
#include "converter_test_util.h"
#include "core/lowering/passes/passes.h"

namespace {
using torchtrt_test::checkGraph;
using torchtrt_test::checkGraphDynamic;
using torchtrt_test::range;

constexpr int64_t kEmbed = 16, kHeads = 4, kFfn = 32;

// Parameters of one encoder layer with nn.Linear / nn.LayerNorm-like scales (outputs of magnitude ~1).
std::vector<c10::IValue> layerParams(uint64_t seed) {
  at::manual_seed(seed);
  const double s = 1.0 / std::sqrt(static_cast<double>(kEmbed)), f = 1.0 / std::sqrt(static_cast<double>(kFfn));
  return {at::randn({3 * kEmbed, kEmbed}) * s,
          at::randn({3 * kEmbed}) * 0.1,
          at::randn({kEmbed, kEmbed}) * s,
          at::randn({kEmbed}) * 0.1,
          at::rand({kEmbed}) + 0.5,
          at::randn({kEmbed}) * 0.1,
          at::rand({kEmbed}) + 0.5,
          at::randn({kEmbed}) * 0.1,
          at::randn({kFfn, kEmbed}) * s,
          at::randn({kFfn}) * 0.1,
          at::randn({kEmbed, kFfn}) * f,
          at::randn({kEmbed}) * 0.1};
}

// One _transformer_encoder_layer_fwd; with a mask, `mask` is the graph's second input.
std::string encoderLayerIR(bool gelu, bool normFirst, bool mask = false, int maskType = 1) {
  std::string ir = std::string("graph(%x : Tensor, ") + (mask ? "%mask : Tensor, " : "") +
                   "%qw : Tensor, %qb : Tensor, %pw : Tensor, %pb : Tensor, %n1w : Tensor, %n1b : Tensor, "
                   "%n2w : Tensor, %n2b : Tensor, %f1w : Tensor, %f1b : Tensor, %f2w : Tensor, %f2b : Tensor):\n";
  ir += "  %e : int = prim::Constant[value=" + std::to_string(kEmbed) + "]()\n";
  ir += "  %h : int = prim::Constant[value=" + std::to_string(kHeads) + "]()\n";
  ir += std::string("  %gelu : bool = prim::Constant[value=") + (gelu ? "1" : "0") + "]()\n";
  ir += std::string("  %nf : bool = prim::Constant[value=") + (normFirst ? "1" : "0") + "]()\n";
  ir += "  %eps : float = prim::Constant[value=1.0000000000000001e-05]()\n";
  ir += "  %none : NoneType = prim::Constant()\n";
  ir += "  %mt : int = prim::Constant[value=" + std::to_string(maskType) + "]()\n";
  ir += std::string("  %y : Tensor = aten::_transformer_encoder_layer_fwd(%x, %e, %h, %qw, %qb, %pw, %pb, %gelu, ") +
        "%nf, %eps, %n1w, %n1b, %n2w, %n2b, %f1w, %f1b, %f2w, %f2b, " + (mask ? "%mask, %mt" : "%none, %none") +
        ")\n  return (%y)";
  return ir;
}

// A [B, S] key padding mask blocking the last `padded[b]` keys of batch entry b.
at::Tensor keyPadding(int64_t length, std::vector<int64_t> padded) {
  at::Tensor m = at::zeros({static_cast<int64_t>(padded.size()), length}, at::kBool);
  for (size_t b = 0; b < padded.size(); ++b)
    if (padded[b] > 0) m[b].narrow(0, length - padded[b], padded[b]).fill_(true);
  return m;
}
}  // namespace

TEST(TransformerFastPath, EncoderLayerPostAndPreNormWithReluAndGelu) {
  for (bool normFirst : {false, true})
    for (bool gelu : {false, true}) {
      SCOPED_TRACE(std::string("norm_first=") + (normFirst ? "1" : "0") + " use_gelu=" + (gelu ? "1" : "0"));
      checkGraph(encoderLayerIR(gelu, normFirst), {at::randn({2, 7, kEmbed})}, layerParams(1));
    }
}

TEST(TransformerFastPath, EncoderLayerWithKeyPaddingMask) {
  // mask_type 1: bool, and float (-inf where padded, as _canonical_mask makes it).
  at::Tensor blocked = keyPadding(6, {0, 2, 5});
  for (bool normFirst : {false, true}) {
    SCOPED_TRACE(normFirst ? "norm_first" : "post-norm");
    checkGraph(encoderLayerIR(true, normFirst, true, 1), {at::randn({3, 6, kEmbed}), blocked}, layerParams(2));
    at::Tensor additive = at::zeros({3, 6}).masked_fill(blocked, -std::numeric_limits<float>::infinity());
    checkGraph(encoderLayerIR(false, normFirst, true, 1), {at::randn({3, 6, kEmbed}), additive}, layerParams(3));
  }
}

TEST(TransformerFastPath, EncoderLayerWithAttentionMasks) {
  // mask_type 0: an [L, L] causal mask; a float mask's non-zero entries block (-1 as much as -inf).
  at::Tensor causal = at::ones({5, 5}, at::kBool).triu(1);
  checkGraph(encoderLayerIR(false, false, true, 0), {at::randn({2, 5, kEmbed}), causal}, layerParams(4));
  at::Tensor additive = at::zeros({5, 5});
  additive[1][3] = -1.0;
  additive[4][0] = -std::numeric_limits<float>::infinity();
  checkGraph(encoderLayerIR(true, true, true, 0), {at::randn({2, 5, kEmbed}), additive}, layerParams(5));
  // mask_type 2: a [B, H, L, L] mask (an attention mask merged with a key padding mask).
  at::Tensor merged = at::rand({2, kHeads, 5, 5}) > 0.7;
  merged.select(3, 0).fill_(false);  // every query keeps a key
  checkGraph(encoderLayerIR(true, false, true, 2), {at::randn({2, 5, kEmbed}), merged}, layerParams(6));
}

TEST(TransformerFastPath, EncoderLayerWithDynamicBatchAndLength) {
  auto params = layerParams(7);
  checkGraphDynamic(encoderLayerIR(false, false), {range({1, 2, kEmbed}, {2, 8, kEmbed}, {4, 12, kEmbed})},
                    {{at::randn({1, 2, kEmbed})}, {at::randn({3, 9, kEmbed})}, {at::randn({4, 12, kEmbed})}}, params);
  checkGraphDynamic(encoderLayerIR(true, true, true, 1),
                    {range({1, 2, kEmbed}, {2, 8, kEmbed}, {4, 12, kEmbed}), range({1, 2}, {2, 8}, {4, 12}, at::kBool)},
                    {{at::randn({1, 3, kEmbed}), keyPadding(3, {1})},
                     {at::randn({3, 9, kEmbed}), keyPadding(9, {0, 4, 8})},
                     {at::randn({4, 12, kEmbed}), keyPadding(12, {11, 0, 3, 6})}},
                    params);
  at::Tensor causal = at::ones({12, 12}, at::kBool).triu(1);
  checkGraphDynamic(
      encoderLayerIR(true, false, true, 0),
      {range({1, 2, kEmbed}, {2, 8, kEmbed}, {4, 12, kEmbed}), range({2, 2}, {8, 8}, {12, 12}, at::kBool)},
      {{at::randn({2, 4, kEmbed}), causal.narrow(0, 0, 4).narrow(1, 0, 4)}, {at::randn({4, 12, kEmbed}), causal}},
      params);
}

TEST(TransformerFastPath, QueriesWithEveryKeyBlockedGiveNaNAsOnTheCpu) {
  at::Tensor blocked = keyPadding(4, {0, 4});
  checkGraph(encoderLayerIR(false, false, true, 1), {at::randn({2, 4, kEmbed}), blocked}, layerParams(8));
}

namespace {
// One _native_multi_head_attention on x (self-attention), returning the output and, with
// need_weights, the weights.
std::string multiHeadIR(bool mask, int maskType, bool needWeights, bool average) {
  std::string ir = std::string("graph(%x : Tensor, ") + (mask ? "%mask : Tensor, " : "") +
                   "%w : Tensor, %b : Tensor, %pw : Tensor, %pb : Tensor):\n";
  ir += "  %e : int = prim::Constant[value=" + std::to_string(kEmbed) + "]()\n";
  ir += "  %h : int = prim::Constant[value=" + std::to_string(kHeads) + "]()\n";
  ir += "  %none : NoneType = prim::Constant()\n";
  ir += std::string("  %nw : bool = prim::Constant[value=") + (needWeights ? "1" : "0") + "]()\n";
  ir += std::string("  %avg : bool = prim::Constant[value=") + (average ? "1" : "0") + "]()\n";
  ir += "  %mt : int = prim::Constant[value=" + std::to_string(maskType) + "]()\n";
  ir += std::string("  %y : Tensor, %weights : Tensor = aten::_native_multi_head_attention(%x, %x, %x, %e, %h, %w, ") +
        "%b, %pw, %pb, " + (mask ? "%mask, " : "%none, ") + "%nw, %avg, " + (mask ? "%mt" : "%none") + ")\n";
  ir += needWeights ? "  return (%y, %weights)" : "  return (%y)";
  return ir;
}

std::vector<c10::IValue> attentionParams(uint64_t seed) {
  auto p = layerParams(seed);
  return {p.begin(), p.begin() + 4};
}
}  // namespace

TEST(TransformerFastPath, MultiHeadAttentionWeightsAveragedAndPerHead) {
  checkGraph(multiHeadIR(false, 0, true, true), {at::randn({2, 6, kEmbed})}, attentionParams(9));
  checkGraph(multiHeadIR(false, 0, true, false), {at::randn({2, 6, kEmbed})}, attentionParams(9));
}

TEST(TransformerFastPath, MultiHeadAttentionWithoutWeightsOrMaskIsOneAttentionLayer) {
  // ViT's self-attention traced under no_grad: need_weights=False and no mask, as PyTorch computes it
  // with scaled_dot_product_attention; the engine's one Attention layer gives the same result.
  checkGraph(multiHeadIR(false, 0, false, false), {at::randn({2, 7, kEmbed})}, attentionParams(13));
  checkGraph(multiHeadIR(false, 0, false, true), {at::randn({1, 197, kEmbed})}, attentionParams(14));
  // In bfloat16 and float16 (inputs and weights of one type, as nn.MultiheadAttention requires).
  for (at::ScalarType type : {at::kBFloat16, at::kHalf}) {
    std::vector<c10::IValue> params;
    for (const c10::IValue& p : attentionParams(15)) params.push_back(p.toTensor().to(type));
    checkGraph(multiHeadIR(false, 0, false, false), {at::randn({2, 9, kEmbed}).to(type)}, params);
  }
}

TEST(TransformerFastPath, MultiHeadAttentionWithEachMaskType) {
  // nn.MultiheadAttention passes its bool masks as float (-inf where blocked), the fast path reads
  // them back as bool.
  const float inf = std::numeric_limits<float>::infinity();
  at::Tensor padding = at::zeros({2, 6}).masked_fill(keyPadding(6, {1, 3}), -inf);
  checkGraph(multiHeadIR(true, 1, true, true), {at::randn({2, 6, kEmbed}), padding}, attentionParams(10));
  at::Tensor causal = at::ones({6, 6}, at::kBool).triu(1);
  checkGraph(multiHeadIR(true, 0, true, false), {at::randn({2, 6, kEmbed}), causal}, attentionParams(11));
  at::Tensor merged = at::rand({2, kHeads, 6, 6}) > 0.6;
  merged.select(3, 5).fill_(false);
  checkGraph(multiHeadIR(true, 2, false, true), {at::randn({2, 6, kEmbed}), merged}, attentionParams(12));
}

TEST(TransformerFastPath, NestedEncoderBecomesDenseWithAKeyPaddingMask) {
  // nn.TransformerEncoder(...)(x, src_key_padding_mask=m) as traced in inference: the batch packed
  // into a nested tensor, two layers, padded back with zeros to x's size.
  std::string ir = R"IR(
    graph(%x : Tensor, %kpm : Tensor, %qw : Tensor, %qb : Tensor, %pw : Tensor, %pb : Tensor, %n1w : Tensor,
          %n1b : Tensor, %n2w : Tensor, %n2b : Tensor, %f1w : Tensor, %f1b : Tensor, %f2w : Tensor, %f2b : Tensor):
      %0 : int = prim::Constant[value=0]()
      %1 : int = prim::Constant[value=1]()
      %2 : int = prim::Constant[value=2]()
      %e : int = prim::Constant[value=16]()
      %h : int = prim::Constant[value=4]()
      %f : bool = prim::Constant[value=0]()
      %pad : float = prim::Constant[value=0.]()
      %eps : float = prim::Constant[value=1.0000000000000001e-05]()
      %none : NoneType = prim::Constant()
      %keep : Tensor = aten::logical_not(%kpm)
      %nt : Tensor = aten::_nested_tensor_from_mask(%x, %keep, %f)
      %y1 : Tensor = aten::_transformer_encoder_layer_fwd(%nt, %e, %h, %qw, %qb, %pw, %pb, %f, %f, %eps, %n1w, %n1b, %n2w, %n2b, %f1w, %f1b, %f2w, %f2b, %none, %none)
      %y2 : Tensor = aten::_transformer_encoder_layer_fwd(%y1, %e, %h, %qw, %qb, %pw, %pb, %f, %f, %eps, %n1w, %n1b, %n2w, %n2b, %f1w, %f1b, %f2w, %f2b, %none, %none)
      %s0 : int = aten::size(%x, %0)
      %s1 : int = aten::size(%x, %1)
      %s2 : int = aten::size(%x, %2)
      %sizes : int[] = prim::ListConstruct(%s0, %s1, %s2)
      %out : Tensor = aten::to_padded_tensor(%y2, %pad, %sizes)
      return (%out))IR";
  auto original = torchtrt_test::parse(ir);
  auto lowered = original->copy();
  torch_tensorrt::core::lowering::passes::NestedEncoderToPaddingMask(lowered);
  for (const torch::jit::Node* n : lowered->nodes()) {
    EXPECT_NE(n->kind().toQualString(), std::string("aten::_nested_tensor_from_mask")) << *lowered;
    EXPECT_NE(n->kind().toQualString(), std::string("aten::to_padded_tensor")) << *lowered;
  }
  auto params = layerParams(13);
  for (auto padded : {std::vector<int64_t>{0, 2, 5}, std::vector<int64_t>{1, 1, 1}}) {
    std::vector<at::Tensor> inputs = {at::randn({3, 7, kEmbed}), keyPadding(7, padded)};
    auto expected = torchtrt_test::runJit(original, inputs, params);
    auto actual = torchtrt_test::runEngine(lowered, inputs, params);
    torchtrt_test::expectClose(actual[0], expected[0], torchtrt_test::toleranceFor(at::kFloat));
  }
  torchtrt_test::recordCompared(lowered->block());
}

TEST(TransformerFastPath, NestedTensorUsedElsewhereIsLeftAlone) {
  // to_padded_tensor without an output_size pads to the longest sequence: a data-dependent size.
  auto g = torchtrt_test::parse(R"IR(
    graph(%x : Tensor, %keep : Tensor):
      %f : bool = prim::Constant[value=0]()
      %pad : float = prim::Constant[value=0.]()
      %none : NoneType = prim::Constant()
      %nt : Tensor = aten::_nested_tensor_from_mask(%x, %keep, %f)
      %out : Tensor = aten::to_padded_tensor(%nt, %pad, %none)
      return (%out))IR");
  torch_tensorrt::core::lowering::passes::NestedEncoderToPaddingMask(g);
  int nested = 0;
  for (const torch::jit::Node* n : g->nodes())
    nested += n->kind().toQualString() == std::string("aten::_nested_tensor_from_mask");
  EXPECT_EQ(nested, 1) << *g;
}
