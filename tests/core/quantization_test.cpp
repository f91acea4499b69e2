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

namespace {
// FP8 quantization as a quantization-aware model writes it: (x / s).clamp(-448, 448).to(float8_e4m3fn).
const char* kFp8Quantize = R"IR(
      %lo : int = prim::Constant[value=-448]()
      %hi : int = prim::Constant[value=448]()
      %f8 : int = prim::Constant[value=24]()
      %f32 : int = prim::Constant[value=6]()
      %false : bool = prim::Constant[value=0]()
      %none : NoneType = prim::Constant()
      %d : Tensor = aten::div(%x, %sx)
      %c : Tensor = aten::clamp(%d, %lo, %hi)
      %q : Tensor = aten::to(%c, %f8, %false, %false, %none)
)IR";
}  // namespace

TEST(Quantization, Fp8QuantizeAndDequantizeAreExact) {
  const at::Tensor x = at::randn({16, 64}) * 12;  // beyond 448 * s: saturation on both sides
  checkGraph(std::string("graph(%x : Tensor, %sx : Tensor):") + kFp8Quantize + R"IR(
      %f : Tensor = aten::to(%q, %f32, %false, %false, %none)
      %y : Tensor = aten::mul(%f, %sx)
      return (%y))IR",
             {x}, {at::tensor(0.02f)});
}

TEST(Quantization, Fp8QuantizeAndDequantizeOfFloat16AndBfloat16) {
  // A 16-bit model's FP8 quantization: the division by a float32 0-dim scale stays in the input's type (PyTorch's
  // promotion), the clamp and the cast read 16-bit values, and the codes convert back to the 16-bit type.
  for (const auto& [type, code] : {std::pair<at::ScalarType, int>{at::kHalf, 5}, {at::kBFloat16, 15}}) {
    SCOPED_TRACE(c10::toString(type));
    const at::Tensor x = (at::randn({16, 64}) * 12).to(type);
    std::string ir = std::string("graph(%x : Tensor, %sx : Tensor):") + kFp8Quantize + R"IR(
      %t : int = prim::Constant[value=TYPE]()
      %f : Tensor = aten::to(%q, %t, %false, %false, %none)
      %y : Tensor = aten::mul(%f, %sx)
      return (%y))IR";
    ir.replace(ir.find("TYPE"), 4, std::to_string(code));
    checkGraph(ir, {x}, {at::tensor(0.02f)});
  }
}

TEST(Quantization, ScaledMmIsAnFp8Product) {
  const at::Tensor x = at::randn({16, 64}) * 4;
  const at::Tensor w = (at::randn({64, 32}) * 100).clamp(-448, 448).to(at::kFloat8_e4m3fn);  // [K, N]
  for (bool bias : {false, true}) {
    std::string ir = std::string("graph(%x : Tensor, %sx : Tensor, %w : Tensor, %sw : Tensor") +
                     (bias ? ", %b : Tensor):" : "):") + kFp8Quantize + R"IR(
      %fast : bool = prim::Constant[value=0]()
      %y : Tensor = aten::_scaled_mm(%q, %w, %sx, %sw, BIAS, %none, %f32, %fast)
      return (%y))IR";
    ir.replace(ir.find("BIAS"), 4, bias ? "%b" : "%none");
    std::vector<c10::IValue> params = {at::tensor(0.03f), w, at::tensor(0.004f)};
    if (bias) params.push_back(at::randn({32}));
    checkGraph(ir, {x}, params);
  }
}
