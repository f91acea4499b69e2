// Fake quantization from IR strings: torch.ao's fused observer + fake quantize (the default QAT
// fake quantizer) with its observer off, per tensor and per channel, and its refusal with the observer on.
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
