// Scaled dot-product attention: masks (bool and additive, float32 with float16 inputs), scale,
// causal with dynamic lengths; 4-D inputs convert to the engine's one Attention layer (the composed
// layers otherwise), with PyTorch's results at the edges (fully masked rows give 0, causal with
// Sq > Sk, a bool mask broadcast over heads), and what PyTorch refuses is refused.
// Each graph runs in the JIT interpreter and as an engine (static and dynamic shapes), compared
// with the central per-dtype tolerances (converter_test_util.h).
#include <array>
#include <limits>
#include <memory>

#include "converter_test_util.h"
#include "core/conversion/conversion.h"
#include "trt/runtime.h"

using torchtrt_test::checkGraph;
using torchtrt_test::checkGraphDynamic;
using torchtrt_test::range;

namespace {
const char* kMaskedIr = R"IR(
    graph(%q : Tensor, %k : Tensor, %v : Tensor, %m : Tensor):
      %zero : float = prim::Constant[value=0.]()
      %f : bool = prim::Constant[value=0]()
      %none : NoneType = prim::Constant()
      %y : Tensor = aten::scaled_dot_product_attention(%q, %k, %v, %m, %zero, %f, %none, %f)
      return (%y))IR";

// How many layers of `kind` the built engine of `ir` (inputs of `inputs`' shapes) holds.
int layersOfKind(const std::string& ir, const std::vector<at::Tensor>& inputs, trt::LayerType kind) {
  using namespace torch_tensorrt::core;
  auto g = torchtrt_test::parse(ir);
  conversion::ConversionInfo info;
  for (const auto& t : inputs) {
    conversion::InputRange r;
    r.min = r.opt = r.max = t.sizes().vec();
    r.dtype = t.scalar_type();
    info.inputs.push_back(r);
  }
  const std::string plan = conversion::ConvertBlockToEngine(g->block(), info, nullptr, {});
  std::unique_ptr<trt::IRuntime> rt(trt::createInferRuntime(trt::defaultLogger()));
  std::unique_ptr<trt::ICudaEngine> engine(rt->deserializeCudaEngine(plan.data(), plan.size()));
  int n = 0;
  for (int l = 0; l < engine->network().getNbLayers(); ++l) n += engine->network().getLayer(l)->getType() == kind;
  return n;
}
}  // namespace

TEST(Attention, ScaledDotProductAttentionMasksAndScale) {
  checkGraph(R"IR(
    graph(%q : Tensor, %k : Tensor, %v : Tensor, %fmask : Tensor, %bmask : Tensor):
      %none : NoneType = prim::Constant()
      %zero : float = prim::Constant[value=0.]()
      %false : bool = prim::Constant[value=0]()
      %true : bool = prim::Constant[value=1]()
      %scale : float = prim::Constant[value=0.3]()
      %a : Tensor = aten::scaled_dot_product_attention(%q, %k, %v, %none, %zero, %false, %none, %false)
      %b : Tensor = aten::scaled_dot_product_attention(%q, %k, %v, %none, %zero, %true, %none, %false)
      %c : Tensor = aten::scaled_dot_product_attention(%q, %k, %v, %fmask, %zero, %false, %scale, %false)
      %d : Tensor = aten::scaled_dot_product_attention(%q, %k, %v, %bmask, %zero, %false, %none, %false)
      return (%a, %b, %c, %d))IR",
             {at::randn({2, 3, 5, 8}), at::randn({2, 3, 7, 8}), at::randn({2, 3, 7, 4}), at::randn({5, 7}),
              at::rand({2, 1, 5, 7}) > 0.3});
}

TEST(Attention, CausalAttentionWithDynamicLengths) {
  // is_causal=True with the batch and both sequence lengths dynamic (the mask built at run time).
  const char* ir = R"IR(
    graph(%q : Tensor, %k : Tensor, %v : Tensor):
      %none : NoneType = prim::Constant()
      %zero : float = prim::Constant[value=0.]()
      %t : bool = prim::Constant[value=1]()
      %f : bool = prim::Constant[value=0]()
      %y : Tensor = aten::scaled_dot_product_attention(%q, %k, %v, %none, %zero, %t, %none, %f)
      return (%y))IR";
  std::vector<std::vector<at::Tensor>> runs;
  for (auto [b, l, s] : std::vector<std::array<int64_t, 3>>{{1, 3, 3}, {2, 5, 7}, {3, 8, 4}})
    runs.push_back({at::randn({b, 2, l, 8}), at::randn({b, 2, s, 8}), at::randn({b, 2, s, 8})});
  checkGraphDynamic(ir,
                    {range({1, 2, 1, 8}, {2, 2, 4, 8}, {3, 2, 8, 8}), range({1, 2, 1, 8}, {2, 2, 4, 8}, {3, 2, 8, 8}),
                     range({1, 2, 1, 8}, {2, 2, 4, 8}, {3, 2, 8, 8})},
                    runs);
}

TEST(Attention, HalfAttentionWithFloatMaskInFloat32) {
  // Found: "(MatrixMultiply): input types differ" for float16 attention with a float32 mask (the scores
  // became float32, v stayed float16); and float16 logits were rounded to 16 bits before the softmax,
  // which PyTorch computes in float32: logits of magnitude ~100 lose a tenth of a unit in float16.
  const char* ir = kMaskedIr;
  auto half = [](at::Tensor t) { return t.to(at::kHalf); };
  checkGraph(ir, {half(at::randn({2, 3, 5, 8})), half(at::randn({2, 3, 6, 8})), half(at::randn({2, 3, 6, 8})),
                  at::randn({5, 6})});
  const char* noMask = R"IR(
    graph(%q : Tensor, %k : Tensor, %v : Tensor):
      %zero : float = prim::Constant[value=0.]()
      %f : bool = prim::Constant[value=0]()
      %none : NoneType = prim::Constant()
      %one : float = prim::Constant[value=1.]()
      %y : Tensor = aten::scaled_dot_product_attention(%q, %k, %v, %none, %zero, %f, %one, %f)
      return (%y))IR";
  checkGraph(noMask,
             {half(at::randn({1, 2, 4, 64}) * 3), half(at::randn({1, 2, 6, 64}) * 3), half(at::randn({1, 2, 6, 8}))});
}

TEST(Attention, FourDimensionalAttentionIsOneAttentionLayer) {
  const std::vector<at::Tensor> in = {at::randn({2, 3, 5, 8}), at::randn({2, 3, 7, 8}), at::randn({2, 3, 7, 4}),
                                      at::rand({2, 1, 1, 7}) > 0.3};
  EXPECT_EQ(layersOfKind(kMaskedIr, in, trt::LayerType::kATTENTION), 1);
  EXPECT_EQ(layersOfKind(kMaskedIr, in, trt::LayerType::kSOFTMAX), 0);
  checkGraph(kMaskedIr, in);
  // Three dimensions (no head axis): the composed layers, the same numbers.
  const std::vector<at::Tensor> in3 = {at::randn({3, 5, 8}), at::randn({3, 7, 8}), at::randn({3, 7, 4}),
                                       at::randn({5, 7})};
  EXPECT_EQ(layersOfKind(kMaskedIr, in3, trt::LayerType::kATTENTION), 0);
  checkGraph(kMaskedIr, in3);
}

TEST(Attention, FullyMaskedRowsGiveZeroAsPyTorch) {
  // Row 1 of the bool mask and row 2 of the float mask leave every key out: PyTorch gives 0 there.
  at::Tensor boolMask = at::ones({4, 6}, at::kBool);
  boolMask[1] = false;
  checkGraph(kMaskedIr, {at::randn({1, 2, 4, 8}), at::randn({1, 2, 6, 8}), at::randn({1, 2, 6, 3}), boolMask});
  at::Tensor floatMask = at::zeros({4, 6});
  floatMask[2] = -std::numeric_limits<float>::infinity();
  checkGraph(kMaskedIr, {at::randn({1, 2, 4, 8}), at::randn({1, 2, 6, 8}), at::randn({1, 2, 6, 3}), floatMask});
}

TEST(Attention, CausalWithMoreQueriesThanKeysAndAScale) {
  // Top-left causal: query i sees keys 0..i, so the queries past the last key see them all.
  checkGraph(R"IR(
    graph(%q : Tensor, %k : Tensor, %v : Tensor):
      %zero : float = prim::Constant[value=0.]()
      %t : bool = prim::Constant[value=1]()
      %f : bool = prim::Constant[value=0]()
      %scale : float = prim::Constant[value=0.2]()
      %none : NoneType = prim::Constant()
      %y : Tensor = aten::scaled_dot_product_attention(%q, %k, %v, %none, %zero, %t, %scale, %f)
      return (%y))IR",
             {at::randn({2, 2, 6, 8}), at::randn({2, 2, 4, 8}), at::randn({2, 2, 4, 8})});
}

TEST(Attention, HalfInputsWithABoolMaskMatchPyTorch) {
  auto half = [](at::Tensor t) { return t.to(at::kHalf); };
  checkGraph(kMaskedIr, {half(at::randn({2, 2, 5, 16})), half(at::randn({2, 2, 9, 16})), half(at::randn({2, 2, 9, 8})),
                         at::rand({2, 1, 5, 9}) > 0.2});
}

TEST(Attention, MaskTogetherWithCausalIsRefusedAsPyTorchRefusesIt) {
  const char* ir = R"IR(
    graph(%q : Tensor, %k : Tensor, %v : Tensor, %m : Tensor):
      %zero : float = prim::Constant[value=0.]()
      %t : bool = prim::Constant[value=1]()
      %f : bool = prim::Constant[value=0]()
      %none : NoneType = prim::Constant()
      %y : Tensor = aten::scaled_dot_product_attention(%q, %k, %v, %m, %zero, %t, %none, %f)
      return (%y))IR";
  try {
    torchtrt_test::runEngine(torchtrt_test::parse(ir), {at::randn({1, 1, 3, 4}), at::randn({1, 1, 3, 4}),
                                                        at::randn({1, 1, 3, 4}), at::zeros({3, 3})});
    FAIL() << "attn_mask with is_causal=True converted";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("both attn_mask and is_causal=True"), std::string::npos) << e.what();
  }
}
