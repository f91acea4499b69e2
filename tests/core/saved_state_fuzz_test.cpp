// The engine's saved state under mutation (issue 28): the pickled list of strings (ABI version, name,
// device, plan, input and output binding names) that torch.jit.load hands to the runtime. A state made
// by mutating a valid one either loads and runs on well-formed inputs, or is refused with an error;
// nothing crashes or reads memory it should not (the sanitizer builds run this too).
// SAVED_STATE_FUZZ_ITERS=n for more iterations.
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "core/runtime/runtime.h"
#include "cpu_plan.h"
#include "torch/script.h"
#include "trt/trt.h"

namespace {

using torch_tensorrt::core::runtime::TRTEngine;
namespace rt = torch_tensorrt::core::runtime;

// A CPU plan: inputs "x" [2, 3] and "w" [3], outputs "y" = relu(x) * w and "z" = exp(x).
std::string plan() {
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", trt::DataType::kFLOAT, {2, 3});
  auto* w = net.addInput("w", trt::DataType::kFLOAT, {3});
  auto* relu = net.addActivation(*x, trt::ActivationType::kRELU)->getOutput(0);
  const std::pair<trt::ITensor*, const char*> outputs[] = {
      {net.addElementWise(*relu, *w, trt::ElementWiseOperation::kPROD)->getOutput(0), "y"},
      {net.addUnary(*x, trt::UnaryOperation::kEXP)->getOutput(0), "z"}};
  for (const auto& [tensor, name] : outputs) {
    tensor->setName(name);
    net.markOutput(*tensor);
  }
  return cpuPlan(net);
}

size_t iterations() {
  const char* env = std::getenv("SAVED_STATE_FUZZ_ITERS");
  return env ? std::strtoull(env, nullptr, 10) : 600;
}

const std::vector<std::string> kNameTokens = {"x",        "w",
                                              "y",        "z",
                                              ",",        "",
                                              " ",        "x,",
                                              ",y",       "y,y",
                                              "x,w,x",    std::string(1, '\0'),
                                              "\xff\xfe", std::string(300, 'a'),
                                              "z,y"};
const std::vector<std::string> kDeviceTokens = {"cpu",     "cuda:0", "cuda:99", "",
                                                "cuda:-1", "cuda:",  "\x01",    std::string(1000, 'd')};

std::vector<std::string> mutate(std::vector<std::string> state, std::mt19937& rng) {
  auto pick = [&](size_t n) { return n == 0 ? size_t{0} : std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  for (int e = 0, edits = 1 + static_cast<int>(pick(3)); e < edits; ++e) {
    switch (pick(8)) {
      case 0:  // the ABI version
        state[rt::ABI_TARGET_IDX] = pick(2) ? std::to_string(pick(4)) : kNameTokens[pick(kNameTokens.size())];
        break;
      case 1:  // the engine's name
        state[rt::NAME_IDX] = kNameTokens[pick(kNameTokens.size())] + kNameTokens[pick(kNameTokens.size())];
        break;
      case 2:  // the device string
        state[rt::DEVICE_IDX] = kDeviceTokens[pick(kDeviceTokens.size())];
        break;
      case 3:
      case 4: {  // a binding list: built from names and separators
        const int idx = pick(2) ? rt::INPUT_BINDING_NAMES_IDX : rt::OUTPUT_BINDING_NAMES_IDX;
        std::string names;
        for (size_t k = 0, n = pick(4); k < n; ++k) names += kNameTokens[pick(kNameTokens.size())];
        state[idx] = names;
        break;
      }
      case 5: {  // plan bytes: a flipped byte (the checksums refuse it) or a truncation
        std::string& p = state[rt::ENGINE_IDX];
        if (p.empty()) break;
        if (pick(2))
          p[pick(p.size())] ^= static_cast<char>(1 + pick(255));
        else
          p.resize(pick(p.size()));
        break;
      }
      case 6:  // fields added or removed
        if (pick(2) && !state.empty())
          state.pop_back();
        else
          state.push_back(kNameTokens[pick(kNameTokens.size())]);
        break;
      default:  // two fields swapped
        if (state.size() >= 2) std::swap(state[pick(state.size())], state[pick(state.size())]);
        break;
    }
  }
  return state;
}

TEST(SavedStateFuzz, MutatedStatesLoadAndRunOrAreRefused) {
  const std::vector<std::string> valid = TRTEngine("e", plan(), "cpu", {"x", "w"}, {"y", "z"}).serialize();
  std::mt19937 rng(4242);
  size_t loaded = 0, refused = 0;
  const at::Tensor x = at::randn({2, 3}), w = at::randn({3});
  for (size_t i = 0, n = iterations(); i < n; ++i) {
    const std::vector<std::string> state = mutate(valid, rng);
    std::unique_ptr<TRTEngine> engine;
    try {
      engine = std::make_unique<TRTEngine>(state);
    } catch (const std::exception& e) {
      ++refused;
      ASSERT_GT(std::string(e.what()).size(), 0u);
      continue;
    }
    ++loaded;
    // Loaded: the bindings are the engine's own, each once, so a call binds every buffer it returns.
    ASSERT_EQ(engine->input_names.size(), 2u);
    ASSERT_EQ(engine->output_names.size(), 2u);
    std::vector<at::Tensor> inputs;
    for (const std::string& name : engine->input_names) inputs.push_back(name == "x" ? x : w);
    const std::vector<at::Tensor> out = engine->execute(inputs);
    ASSERT_EQ(out.size(), 2u);
    for (size_t o = 0; o < out.size(); ++o) {
      const at::Tensor expected = engine->output_names[o] == "y" ? at::relu(x) * w : at::exp(x);
      ASSERT_TRUE(at::allclose(out[o], expected)) << engine->output_names[o];
    }
  }
  EXPECT_GT(loaded, 0u);
  EXPECT_GT(refused, 0u);
}

}  // namespace
