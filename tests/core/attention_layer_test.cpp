// scaled_dot_product_attention as the engine's one Attention layer: the converter emits it for 4-D
// inputs (the composed layers otherwise), with PyTorch's results at the edges (fully masked rows give 0,
// causal with Sq > Sk, a bool mask broadcast over heads), and refuses what PyTorch refuses.
#include <limits>
#include <memory>

#include "converter_test_util.h"
#include "core/conversion/conversion.h"
#include "trt/runtime.h"

using torchtrt_test::checkGraph;

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

TEST(AttentionLayer, FourDimensionalAttentionIsOneAttentionLayer) {
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

TEST(AttentionLayer, FullyMaskedRowsGiveZeroAsPyTorch) {
  // Row 1 of the bool mask and row 2 of the float mask leave every key out: PyTorch gives 0 there.
  at::Tensor boolMask = at::ones({4, 6}, at::kBool);
  boolMask[1] = false;
  checkGraph(kMaskedIr, {at::randn({1, 2, 4, 8}), at::randn({1, 2, 6, 8}), at::randn({1, 2, 6, 3}), boolMask});
  at::Tensor floatMask = at::zeros({4, 6});
  floatMask[2] = -std::numeric_limits<float>::infinity();
  checkGraph(kMaskedIr, {at::randn({1, 2, 4, 8}), at::randn({1, 2, 6, 8}), at::randn({1, 2, 6, 3}), floatMask});
}

TEST(AttentionLayer, CausalWithMoreQueriesThanKeysAndAScale) {
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

TEST(AttentionLayer, HalfInputsWithABoolMaskMatchPyTorch) {
  auto half = [](at::Tensor t) { return t.to(at::kHalf); };
  checkGraph(kMaskedIr, {half(at::randn({2, 2, 5, 16})), half(at::randn({2, 2, 9, 16})), half(at::randn({2, 2, 9, 8})),
                         at::rand({2, 1, 5, 9}) > 0.2});
}

TEST(AttentionLayer, MaskTogetherWithCausalIsRefusedAsPyTorchRefusesIt) {
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
