// C++ API options: each refused value has one message (CompileSpec::validate); set_device and
// embed_engine_in_new_module(engine, device, ...) behave as Torch-TensorRT's.
#include <gtest/gtest.h>

#include <functional>

#include "torch/torch.h"
#include "torch_tensorrt/torch_tensorrt.h"
#include "trt/runtime.h"

namespace {
torch::jit::Module reluModule() {
  torch::jit::Module m("Relu");
  m.define(R"(
def forward(self, x):
    return torch.relu(x) * 2.0
)");
  m.eval();
  return m;
}

torch_tensorrt::ts::CompileSpec cpuSpec() {
  torch_tensorrt::ts::CompileSpec spec({torch_tensorrt::Input(std::vector<int64_t>{2, 3})});
  spec.device = torch_tensorrt::Device(torch_tensorrt::Device::DeviceType::kCPU);
  return spec;
}

void expectRefused(const torch_tensorrt::ts::CompileSpec& spec, const std::string& needle) {
  try {
    torch_tensorrt::ts::compile(reluModule(), spec);
    FAIL() << "expected a refusal containing '" << needle << "'";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}
}  // namespace

TEST(ApiOptions, FeaturesThisBuildLacksAreRefusedWithTheReason) {
  auto spec = cpuSpec();
  spec.capability = torch_tensorrt::EngineCapability::kSAFETY;
  expectRefused(spec, "capability kSAFETY needs a safety-certified runtime");
  spec = cpuSpec();
  spec.capability = torch_tensorrt::EngineCapability::kDLA_STANDALONE;
  expectRefused(spec, "NVIDIA DLA");
  spec = cpuSpec();
  spec.sparse_weights = true;
  expectRefused(spec, "sparse_weights=true needs 2:4 structured-sparse kernels");
  spec = cpuSpec();
  spec.refit = true;
  expectRefused(spec, "refit=true needs refittable engines");
  // The defaults compile.
  auto compiled = torch_tensorrt::ts::compile(reluModule(), cpuSpec());
  auto x = torch::randn({2, 3});
  EXPECT_TRUE(torch::allclose(compiled.forward({x}).toTensor(), torch::relu(x) * 2.0));
}

// CompileSpec::validate is the one check of every option: one message per option, naming the
// option, the value and what is allowed; compile() calls it, and refusals are c10::ValueError.
TEST(ApiOptions, ValidateRefusesEachOptionWithItsMessage) {
  using Spec = torch_tensorrt::ts::CompileSpec;
  const std::vector<std::pair<std::function<void(Spec&)>, std::string>> cases = {
      {[](Spec& s) { s.enabled_precisions = {torch_tensorrt::DataType::kInt}; },
       "enabled_precisions contains torch.int32, which engines do not compute in; use torch.float32, torch.float16, "
       "torch.bfloat16, torch.int8 and torch.float8_e4m3fn"},
      {[](Spec& s) { s.enabled_precisions.clear(); }, "enabled_precisions is empty"},
      {[](Spec& s) { s.layer_precisions = {{"", torch_tensorrt::DataType::kFloat}}; },
       "layer_precisions has an empty key; use an operator kind such as 'aten::softmax'"},
      {[](Spec& s) { s.layer_precisions = {{"aten::relu", torch_tensorrt::DataType::kChar}}; },
       "layer_precisions['aten::relu'] is torch.int8; layers are pinned to torch.float32, torch.float16 or "
       "torch.bfloat16"},
      {[](Spec& s) { s.layer_precisions = {{"aten::relu", torch_tensorrt::DataType::kHalf}}; },
       "layer_precisions['aten::relu'] is torch.float16, which enabled_precisions does not contain; add "
       "torch.float16 to enabled_precisions"},
      {[](Spec& s) { s.workspace_size = -1; },
       "workspace_size must be 0 (no limit) or a positive number of bytes, got -1"},
      {[](Spec& s) { s.num_avg_timing_iters = 0; }, "num_avg_timing_iters must be at least 1"},
      {[](Spec& s) { s.min_block_size = 0; }, "min_block_size must be at least 1, got 0"},
      {[](Spec& s) { s.timing_cache_path = std::string("cache\0.bin", 10); },
       "timing_cache_path must be a file path without NUL characters"},
      {[](Spec& s) { s.torch_executed_ops = {"relu"}; },
       "torch_executed_ops contains 'relu', which is not an operator name"},
      {[](Spec& s) { s.torch_executed_modules = {""}; }, "torch_executed_modules contains an empty name"},
      {[](Spec& s) { s.device.gpu_id = -2; }, "device gpu_id must be 0 or more, got -2"},
      {[](Spec& s) {
         s.graph_inputs.inputs[0].tensor_domain = {1.0, 1.0};
       },
       "inputs[0].tensor_domain must be two numbers lo < hi"},
      {[](Spec& s) {
         s.graph_inputs.input_signature = {torch_tensorrt::InputSignature::Tuple(
             {torch_tensorrt::InputSignature(torch_tensorrt::Input(std::vector<int64_t>{2}))})};
       },
       "inputs and input_signature are both given (1 and 1 entries)"},
      {[](Spec& s) {
         s.graph_inputs.inputs.clear();
         torch_tensorrt::Input bad(std::vector<int64_t>{2});
         bad.tensor_domain = {3.0};
         s.graph_inputs.input_signature = {torch_tensorrt::InputSignature::Tuple(
             {torch_tensorrt::InputSignature(torch_tensorrt::Input(std::vector<int64_t>{2})),
              torch_tensorrt::InputSignature(bad)})};
       },
       "input_signature[0][1].tensor_domain must be two numbers lo < hi (values are drawn from [lo, hi)), got 1 "
       "number(s)"},
      {[](Spec& s) { s.capability = torch_tensorrt::EngineCapability::kSAFETY; },
       "capability kSAFETY needs a safety-certified runtime"},
      {[](Spec& s) { s.sparse_weights = true; }, "sparse_weights=true needs 2:4 structured-sparse kernels"},
      {[](Spec& s) { s.refit = true; }, "refit=true needs refittable engines"},
  };
  cpuSpec().validate();  // the defaults are valid
  for (const auto& [change, needle] : cases) {
    auto spec = cpuSpec();
    change(spec);
    try {
      spec.validate();
      ADD_FAILURE() << "expected a refusal containing '" << needle << "'";
    } catch (const c10::ValueError& e) {
      EXPECT_NE(std::string(e.what_without_backtrace()).find(needle), std::string::npos) << e.what_without_backtrace();
    }
    expectRefused(spec, needle);  // compile() runs the same check
  }
}

TEST(ApiOptions, SetDeviceRefusesAGpuThatIsNotVisible) {
  const int count = static_cast<int>(torch::cuda::device_count());
  try {
    torch_tensorrt::set_device(count);
    FAIL() << "expected an error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("CUDA GPU(s) are visible"), std::string::npos) << e.what();
  }
  if (count > 0) {
    EXPECT_NO_THROW(torch_tensorrt::set_device(0));
  }
}

TEST(ApiOptions, EmbedEngineWithADeviceChecksTheBackend) {
  const std::string plan = torch_tensorrt::ts::convert_method_to_trt_engine(reluModule(), "forward", cpuSpec());
  auto onCpu = torch_tensorrt::ts::embed_engine_in_new_module(
      plan, torch_tensorrt::Device(torch_tensorrt::Device::DeviceType::kCPU));
  auto x = torch::randn({2, 3});
  EXPECT_TRUE(torch::allclose(onCpu.forward({x}).toTensor(), torch::relu(x) * 2.0));
  try {
    torch_tensorrt::ts::embed_engine_in_new_module(plan,
                                                   torch_tensorrt::Device(torch_tensorrt::Device::DeviceType::kGPU, 0));
    FAIL() << "expected an error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("built for the cpu backend but the device given is a GPU"), std::string::npos)
        << e.what();
  }
}

namespace {
// The engine inspector's JSON of a plan compiled with `spec`.
std::string inspectorJson(const torch::jit::Module& m, const torch_tensorrt::ts::CompileSpec& spec) {
  const std::string plan = torch_tensorrt::ts::convert_method_to_trt_engine(m, "forward", spec);
  std::unique_ptr<trt::IRuntime> rt(trt::createInferRuntime(trt::defaultLogger()));
  std::unique_ptr<trt::ICudaEngine> engine(rt->deserializeCudaEngine(plan.data(), plan.size()));
  return engine->describeLayersJson();
}
}  // namespace

TEST(ApiOptions, BuilderSettingsReachThePlan) {
  auto spec = cpuSpec();
  std::string json = inspectorJson(reluModule(), spec);
  EXPECT_NE(json.find("\"workspace_limit\":0,\"timing_iterations\":1,\"builder_flags\":[\"tf32\"]"),
            std::string::npos)
      << json;
  spec.workspace_size = 1 << 20;
  spec.num_avg_timing_iters = 4;
  spec.disable_tf32 = true;
  spec.debug = true;
  spec.enabled_precisions = {torch_tensorrt::DataType::kFloat, torch_tensorrt::DataType::kHalf};
  json = inspectorJson(reluModule(), spec);
  EXPECT_NE(
      json.find("\"workspace_limit\":1048576,\"timing_iterations\":4,\"builder_flags\":[\"fp16\",\"debug\"]"),
      std::string::npos)
      << json;
}

TEST(ApiOptions, TruncateLongAndDoubleLetsFloat64IntoEngines) {
  torch::jit::Module m("Double");
  m.define(R"(
def forward(self, x):
    return (x.double() * 2.0 + 1.0).float()
)");
  m.eval();
  auto spec = cpuSpec();
  spec.min_block_size = 1;
  auto countEngines = [](const torch::jit::Module& mod) {
    size_t n = 0;
    for (const auto* node : mod.get_method("forward").graph()->nodes())
      n += node->kind().toQualString() == std::string("tensorrt::execute_engine");
    return n;
  };
  EXPECT_EQ(countEngines(torch_tensorrt::ts::compile(m, spec)), 0u);  // float64 has no engine type
  spec.truncate_long_and_double = true;
  auto truncated = torch_tensorrt::ts::compile(m, spec);
  EXPECT_EQ(countEngines(truncated), 1u);
  auto x = torch::randn({2, 3});
  EXPECT_TRUE(torch::allclose(truncated.forward({x}).toTensor(), x * 2.0 + 1.0));
}

TEST(ApiOptions, TorchExecutedModulesKeepThatModuleInTorchScript) {
  torch::jit::Module head("Head");
  head.define(R"(
def forward(self, x):
    return torch.sigmoid(x) * 2.0 + 1.0
)");
  torch::jit::Module parent("Parent");
  parent.register_module("head", head);
  parent.define(R"(
def forward(self, x):
    y = torch.relu(x) * 3.0 - 1.0
    return self.head.forward(y)
)");
  parent.eval();
  auto kinds = [](const torch::jit::Module& m) {
    std::vector<std::string> out;
    for (const auto* node : m.get_method("forward").graph()->nodes()) out.push_back(node->kind().toQualString());
    return out;
  };
  auto count = [](const std::vector<std::string>& v, const std::string& k) {
    return std::count(v.begin(), v.end(), k);
  };
  auto spec = cpuSpec();
  spec.min_block_size = 1;
  auto whole = kinds(torch_tensorrt::ts::compile(parent, spec));
  EXPECT_EQ(count(whole, "tensorrt::execute_engine"), 1);
  EXPECT_EQ(count(whole, "aten::sigmoid"), 0);
  spec.torch_executed_modules = {"Head"};
  auto compiled = torch_tensorrt::ts::compile(parent, spec);
  auto split = kinds(compiled);
  EXPECT_EQ(count(split, "tensorrt::execute_engine"), 1);
  EXPECT_EQ(count(split, "aten::sigmoid"), 1);  // the head runs in TorchScript
  auto x = torch::randn({2, 3});
  EXPECT_TRUE(
      torch::allclose(compiled.forward({x}).toTensor(), torch::sigmoid(torch::relu(x) * 3.0 - 1.0) * 2.0 + 1.0));
}

TEST(ApiOptions, TensorDomainSetsTheValuesShapeAnalysisGenerates) {
  // An int64 index input: partial compilation runs the module on generated inputs, drawn from the
  // Input's tensor_domain; indices outside the embedding fail with a message naming the fix.
  torch::jit::Module m("Embed");
  m.register_parameter("weight", torch::randn({10, 6}), false);
  m.define(R"(
def forward(self, idx, x):
    e = torch.embedding(self.weight, idx)
    e = torch.logcumsumexp(e, 1)
    return torch.relu(e + x) * 2.0
)");
  m.eval();
  auto spec = [](std::vector<double> domain) {
    torch_tensorrt::Input idx(std::vector<int64_t>{2, 5}, torch_tensorrt::DataType::kLong);
    idx.tensor_domain = domain;
    torch_tensorrt::ts::CompileSpec s({idx, torch_tensorrt::Input(std::vector<int64_t>{2, 5, 6})});
    s.device = torch_tensorrt::Device(torch_tensorrt::Device::DeviceType::kCPU);
    s.min_block_size = 1;
    return s;
  };
  try {
    torch_tensorrt::ts::compile(m, spec({100, 200}));
    FAIL() << "expected an error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("tensor_domain"), std::string::npos) << e.what();
  }
  auto compiled = torch_tensorrt::ts::compile(m, spec({0, 10}));
  auto idx = torch::randint(0, 10, {2, 5}, torch::kLong);
  auto x = torch::randn({2, 5, 6});
  EXPECT_TRUE(torch::allclose(compiled.forward({idx, x}).toTensor(), m.forward({idx, x}).toTensor(), 1e-4, 1e-4));
}
