// Partial compilation through the C++ API: modules defined from TorchScript source, compiled with
// fallback settings, compared with the interpreter, and checked for how many engines they hold.
#include <gtest/gtest.h>

#include "core/partitioning/partitioning.h"
#include "torch/csrc/jit/ir/irparser.h"
#include "torch_tensorrt/torch_tensorrt.h"

namespace {

size_t countEngines(const torch::jit::Block* block) {
  size_t n = 0;
  for (const auto* node : block->nodes()) {
    if (node->kind().toQualString() == std::string("tensorrt::execute_engine")) ++n;
    for (const auto* sub : node->blocks()) n += countEngines(sub);
  }
  return n;
}

size_t countEngines(const torch::jit::Module& m) { return countEngines(m.get_method("forward").graph()->block()); }

torch::jit::Module moduleFrom(const std::string& source) {
  torch::jit::Module m("TestModule");
  m.define(source);
  m.eval();
  return m;
}

torch_tensorrt::ts::CompileSpec cpuSpec(std::vector<torch_tensorrt::Input> inputs) {
  torch_tensorrt::ts::CompileSpec spec(std::move(inputs));
  spec.device = torch_tensorrt::Device(torch_tensorrt::Device::DeviceType::kCPU);
  return spec;
}

void expectSame(const at::Tensor& a, const at::Tensor& b) {
  ASSERT_EQ(a.sizes(), b.sizes());
  EXPECT_TRUE(at::allclose(a, b, 1e-4, 1e-4)) << (a - b).abs().max();
}

const char* kChain = R"(
def forward(self, x):
    y = torch.sigmoid(x * 2.0 + 1.0)
    y = torch.relu(y - 0.5)
    return torch.tanh(y * 3.0) + 1.0
)";

}  // namespace

TEST(Partitioning, ForcedOpSplitsTheGraphIntoTwoEngines) {
  auto m = moduleFrom(kChain);
  auto x = torch::randn({2, 5});
  auto whole = torch_tensorrt::ts::compile(m, cpuSpec({torch_tensorrt::Input(x)}));
  EXPECT_EQ(countEngines(whole), 1u);
  auto spec = cpuSpec({torch_tensorrt::Input(x)});
  spec.torch_executed_ops = {"aten::relu"};
  auto split = torch_tensorrt::ts::compile(m, spec);
  EXPECT_EQ(countEngines(split), 2u);
  expectSame(split.forward({x}).toTensor(), m.forward({x}).toTensor());
}

TEST(Partitioning, MinBlockSizeKeepsShortRunsInTorchScript) {
  auto m = moduleFrom(kChain);
  auto x = torch::randn({3, 4});
  auto spec = cpuSpec({torch_tensorrt::Input(x)});
  spec.torch_executed_ops = {"aten::relu"};
  spec.min_block_size = 4;  // 4 nodes before relu (mul, add, sigmoid, sub), 3 after
  auto compiled = torch_tensorrt::ts::compile(m, spec);
  EXPECT_EQ(countEngines(compiled), 1u);
  expectSame(compiled.forward({x}).toTensor(), m.forward({x}).toTensor());
}

TEST(Partitioning, FullCompilationWithForcedFallbackIsRefused) {
  auto m = moduleFrom(kChain);
  auto spec = cpuSpec({torch_tensorrt::Input(std::vector<int64_t>{2, 2})});
  spec.require_full_compilation = true;
  spec.torch_executed_ops = {"aten::relu"};
  try {
    torch_tensorrt::ts::compile(m, spec);
    FAIL() << "expected an error";
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what()).find("drop one of the two settings"), std::string::npos) << e.what();
  }
}

TEST(Partitioning, TupleInputSignature) {
  auto m = moduleFrom(R"(
def forward(self, pair: Tuple[Tensor, Tensor], z):
    a, b = pair
    return torch.sigmoid(a * 2.0 + b) * z
)");
  auto a = torch::randn({2, 3}), b = torch::randn({2, 3}), z = torch::randn({2, 3});
  torch_tensorrt::ts::CompileSpec spec;
  spec.device = torch_tensorrt::Device(torch_tensorrt::Device::DeviceType::kCPU);
  spec.graph_inputs.input_signature = {
      torch_tensorrt::InputSignature::Tuple({torch_tensorrt::Input(a), torch_tensorrt::Input(b)}),
      torch_tensorrt::Input(z)};
  auto compiled = torch_tensorrt::ts::compile(m, spec);
  EXPECT_EQ(countEngines(compiled), 1u);
  auto pair = c10::ivalue::Tuple::create({a, b});
  expectSame(compiled.forward({pair, z}).toTensor(), m.forward({pair, z}).toTensor());
}

TEST(Partitioning, SegmentIOCountsUsesInsideLaterBlocks) {
  auto g = std::make_shared<torch::jit::Graph>();
  torch::jit::parseIR(R"IR(
graph(%x : Tensor, %c : bool):
  %one : int = prim::Constant[value=1]()
  %a : Tensor = aten::relu(%x)
  %b : Tensor = aten::sigmoid(%a)
  %r : Tensor = prim::If(%c)
    block0():
      -> (%a)
    block1():
      -> (%b)
  return (%r))IR",
                      g.get());
  torch_tensorrt::core::partitioning::Segment s{
      torch_tensorrt::core::partitioning::SegmentTarget::kTensorRT, {}, {}, {}};
  for (auto* n : g->nodes())
    if (n->kind() == torch::jit::aten::relu || n->kind() == torch::jit::aten::sigmoid) s.nodes.push_back(n);
  torch_tensorrt::core::partitioning::ComputeSegmentIO(&s);
  ASSERT_EQ(s.inputs.size(), 1u);
  EXPECT_EQ(s.inputs[0]->debugName(), "x");
  ASSERT_EQ(s.outputs.size(), 2u);  // %a is used inside the If's block, %b too
}

TEST(CompileOptions, ChannelsLastInputsBindNhwcMemory) {
  // Input::format = kChannelsLast: the engine takes [N, H, W, C] memory; channels_last and
  // contiguous tensors both give the module's result. Rank 3 is refused with the reason.
  auto m = moduleFrom(R"(
def forward(self, x):
    return torch.relu(x * 2.0 - 1.0).sum(1)
)");
  auto x = torch::randn({2, 3, 4, 5});
  torch_tensorrt::Input in(std::vector<int64_t>{2, 3, 4, 5});
  in.format = torch_tensorrt::TensorFormat::kChannelsLast;
  auto compiled = torch_tensorrt::ts::compile(m, cpuSpec({in}));
  EXPECT_NE(compiled.get_method("forward").graph()->toString().find("aten::permute"), std::string::npos);
  auto expected = m.forward({x}).toTensor();
  expectSame(compiled.forward({x.contiguous(at::MemoryFormat::ChannelsLast)}).toTensor(), expected);
  expectSame(compiled.forward({x}).toTensor(), expected);
  torch_tensorrt::Input flat(std::vector<int64_t>{2, 3, 4});
  flat.format = torch_tensorrt::TensorFormat::kChannelsLast;
  try {
    torch_tensorrt::ts::compile(m, cpuSpec({flat}));
    FAIL() << "a rank-3 channels_last input was accepted";
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what()).find("channels_last needs 4-D"), std::string::npos) << e.what();
  }
}
