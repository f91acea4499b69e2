// Fake quantization from IR strings: per tensor and per channel, and torch.ao's fused observer + fake
// quantize (the default QAT fake quantizer) with its observer off, and its refusal with the observer on.
#include "converter_test_util.h"

using torchtrt_test::checkGraph;
using torchtrt_test::runEngine;

namespace {
const char* kFusedObserverIR = R"IR(
    graph(%x : Tensor, %obs : Tensor, %fq : Tensor, %lo : Tensor, %hi : Tensor, %scale : Tensor, %zp : Tensor):
      %avg : float = prim::Constant[value=0.01]()
      %qmin : int = prim::Constant[value=0]()
      %qmax : int = prim::Constant[value=255]()
      %axis : int = prim::Constant[value=CH_AXIS]()
      %per_row : bool = prim::Constant[value=PER_ROW]()
      %sym : bool = prim::Constant[value=0]()
      %y : Tensor = aten::fused_moving_avg_obs_fake_quant(%x, %obs, %fq, %lo, %hi, %scale, %zp, %avg, %qmin, %qmax, %axis, %per_row, %sym)
      return (%y))IR";

std::string fusedObserverIR(int axis, bool perRow) {
  std::string ir = kFusedObserverIR;
  ir.replace(ir.find("CH_AXIS"), 7, std::to_string(axis));
  ir.replace(ir.find("PER_ROW"), 7, perRow ? "1" : "0");
  return ir;
}
}  // namespace

TEST(Quantization, FusedObserverFakeQuantizeWithItsObserverOff) {
  const at::Tensor x = at::randn({2, 3, 4}) * 3;
  const at::Tensor off = at::zeros({1}, at::kLong), on = at::ones({1}, at::kLong);
  const at::Tensor lo = at::full({1}, -1.f), hi = at::full({1}, 1.f);
  checkGraph(fusedObserverIR(-1, false), {x}, {off, on, lo, hi, at::full({1}, 0.03f), at::full({1}, 100, at::kInt)});
  checkGraph(fusedObserverIR(1, true), {x},
             {off, on, lo, hi, at::tensor({0.02f, 0.05f, 0.1f}), at::tensor({0, 128, 3}, at::kInt)});
  checkGraph(fusedObserverIR(-1, false), {x}, {off, off, lo, hi, at::full({1}, 0.03f), at::full({1}, 100, at::kInt)});
}

TEST(Quantization, FusedObserverFakeQuantizeWithItsObserverOnIsRefused) {
  try {
    runEngine(torchtrt_test::parse(fusedObserverIR(-1, false)), {at::randn({2, 3})},
              {at::ones({1}, at::kLong), at::ones({1}, at::kLong), at::zeros({1}), at::ones({1}), at::full({1}, 0.1f),
               at::zeros({1}, at::kInt)});
    FAIL() << "an observer that updates statistics on every call must be refused";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("disable_observer"), std::string::npos) << e.what();
  }
}

TEST(Quantization, FakeQuantizePerTensorAndPerChannel) {
  // Values spread over more than the quantized range, so clamping happens on both sides.
  at::Tensor x = at::randn({2, 3, 4, 4}) * 8;
  checkGraph(R"IR(
    graph(%x : Tensor):
      %s : float = prim::Constant[value=0.05]()
      %z : int = prim::Constant[value=3]()
      %lo : int = prim::Constant[value=-128]()
      %hi : int = prim::Constant[value=127]()
      %y : Tensor = aten::fake_quantize_per_tensor_affine(%x, %s, %z, %lo, %hi)
      return (%y))IR",
             {x});
  checkGraph(R"IR(
    graph(%x : Tensor, %s : Tensor, %z : Tensor):
      %axis : int = prim::Constant[value=1]()
      %lo : int = prim::Constant[value=0]()
      %hi : int = prim::Constant[value=255]()
      %y : Tensor = aten::fake_quantize_per_channel_affine(%x, %s, %z, %axis, %lo, %hi)
      return (%y))IR",
             {x}, {at::tensor({0.02f, 0.1f, 0.07f}), at::tensor({128, 0, 17}, at::kInt)});
  checkGraph(R"IR(
    graph(%x : Tensor, %s : Tensor, %z : Tensor):
      %lo : int = prim::Constant[value=-128]()
      %hi : int = prim::Constant[value=127]()
      %t : Tensor = aten::fake_quantize_per_tensor_affine(%x, %s, %z, %lo, %hi)
      return (%t))IR",
             {x}, {at::tensor({0.03f}), at::tensor({-2}, at::kInt)});
}
