// torchtrtc --inspect (polygraphy inspect's role), --profile (trtexec --dumpProfile) and --benchmark
// (latency percentiles and throughput) on a saved module or a serialized engine (plan).
#include "torchtrtc/analyze.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/activation_kinds.h"
#include "core/runtime/runtime.h"
#include "core/util/trt_util.h"
#include "network/computed_precision.h"
#include "plan/plan.h"
#include "runtime/runtime_impl.h"
#include "torch/script.h"
#include "torch_tensorrt/torch_tensorrt.h"
#ifdef TORCHTRT_WITH_CUDA
#include "c10/cuda/CUDAFunctions.h"
#endif

namespace torchtrtc {
namespace {

using Engine = torch_tensorrt::core::runtime::TRTEngine;

// A saved TorchScript module, or a plan wrapped in one (the file is read as a module first).
torch::jit::Module loadModuleOrPlan(const std::string& path) {
  try {
    return torch::jit::load(path);
  } catch (const std::exception&) {
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read '" + path + "'");
  std::string plan((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  try {
    return torch_tensorrt::ts::embed_engine_in_new_module(plan);
  } catch (const std::exception& e) {
    throw std::runtime_error("'" + path + "' is neither a TorchScript module nor a serialized engine: " +
                             std::string(e.what()).substr(0, std::string(e.what()).find('\n')));
  }
}

std::vector<c10::intrusive_ptr<Engine>> enginesOf(const torch::jit::Module& mod, const std::string& path) {
  std::vector<c10::intrusive_ptr<Engine>> engines;
  for (const auto& attr : mod.named_attributes(/*recurse=*/true))
    if (attr.value.isCustomClass()) engines.push_back(attr.value.toCustomClass<Engine>());
  if (engines.empty())
    throw std::runtime_error("'" + path + "' holds no Torch-TensorRT engine; compile it with torchtrtc first");
  return engines;
}

std::unique_ptr<trt::ICudaEngine> deserialize(const Engine& e) {
  static std::unique_ptr<trt::IRuntime> runtime(trt::createInferRuntime(trt::defaultLogger()));
  const std::string plan = e.serializedPlan();
  return std::unique_ptr<trt::ICudaEngine>(runtime->deserializeCudaEngine(plan.data(), plan.size()));
}

std::string activationName(int32_t act) {
  static const char* const names[] = {
      "relu", "sigmoid",      "tanh",        "leaky_relu",       "elu",      "selu",      "softsign", "softplus",
      "clip", "hard_sigmoid", "scaled_tanh", "thresholded_relu", "gelu_erf", "gelu_tanh", "silu",     "hardswish"};
  static_assert(sizeof(names) / sizeof(names[0]) == trt::kACTIVATION_TYPE_COUNT, "a name for every activation type");
  return act >= 0 && act < trt::kACTIVATION_TYPE_COUNT ? names[act] : "activation " + std::to_string(act);
}

// A parameter as written in the summary (6 significant digits: 6, 0.1, -0.25).
std::string shortNumber(float v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

// What the builder folded into a layer, in words (empty when nothing).
std::string fusions(const trt::ILayer& layer) {
  std::vector<std::string> parts;
  if (layer.getType() == trt::LayerType::kCONVOLUTION) {
    const auto& conv = static_cast<const trt::IConvolutionLayer&>(layer);
    if (conv.getBiasWeights().count > 0) parts.push_back("bias");
    if (conv.getNbInputs() > 1) parts.push_back("residual add");
    if (conv.getFusedActivation() >= 0) {
      std::string name = activationName(conv.getFusedActivation());
      if (!trt::isParameterlessActivation(
              static_cast<trt::ActivationType>(conv.getFusedActivation())))  // clip's bounds, leaky ReLU's slope
        name +=
            "(" + shortNumber(conv.getFusedActivationAlpha()) + ", " + shortNumber(conv.getFusedActivationBeta()) + ")";
      parts.push_back(name);
    }
    if (conv.getChannelsLast()) parts.push_back("NHWC");
  } else if (layer.getType() == trt::LayerType::kMATRIX_MULTIPLY) {
    const auto& mm = static_cast<const trt::IMatrixMultiplyLayer&>(layer);
    if (mm.getNbInputs() > 2) parts.push_back("bias");
    if (mm.getFusedActivation() >= 0) parts.push_back(activationName(mm.getFusedActivation()));
  } else if (layer.getType() == trt::LayerType::kNORMALIZATION && layer.getNbInputs() > 3) {
    parts.push_back("residual add");
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : " + ") + p;
  return out;
}

std::string ints(const std::vector<int64_t>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + std::to_string(v[i]);
  return out + "]";
}

void inspectText(const Engine& e, std::ostream& os) {
  auto engine = deserialize(e);
  const trt::INetworkDefinition& net = engine->network();
  os << e.toStr() << "\n";
  bool isStatic = true;
  for (int i = 0; i < net.getNbInputs(); ++i) isStatic &= net.getInput(i)->getDimensions().isStatic();
  if (isStatic) {
    std::unique_ptr<trt::IExecutionContext> ctx(engine->createExecutionContext());
    os << "  activation memory: " << ctx->getActivationBytes() << " bytes (" << ctx->getActivationBytesWithoutReuse()
       << " without reuse)\n";
  } else {
    os << "  activation memory: depends on the input shapes (dynamic inputs)\n";
  }
  std::map<int32_t, std::vector<const trt::TacticRecord*>> tactics;
  for (const auto& t : trt::internals(*engine).contents().tactics) tactics[t.layer].push_back(&t);
  // What runs each layer, where the backend tells (the CPU backend's oneDNN primitives): the JSON
  // inspector's "implementation".
  const auto described = nlohmann::json::parse(engine->describeLayersJson())["layers"];
  os << "  layers:\n";
  for (int l = 0; l < net.getNbLayers(); ++l) {
    const trt::ILayer& layer = *net.getLayer(l);
    os << "    " << l << ": " << trt::layerTypeName(layer.getType()) << " '" << layer.getName() << "' (";
    for (int i = 0; i < layer.getNbInputs(); ++i) os << (i ? ", " : "") << layer.getInput(i)->getDimensions().str();
    os << ") -> " << layer.getOutput(0)->getDimensions().str() << " "
       << trt::dataTypeName(layer.getOutput(0)->getType());
    os << " precision=" << trt::dataTypeName(trt::computedPrecision(layer))
       << (layer.precisionIsSet() ? std::string(" (pinned ") + trt::dataTypeName(layer.getPrecision()) + ")"
                                  : std::string());
    const std::string fused = fusions(layer);
    if (!fused.empty()) os << " fused: " << fused;
    for (const auto* t : tactics[l]) os << " tactic" << ints(t->shape) << "=" << ints(t->choice);
    const auto& implementation = described.at(static_cast<size_t>(l))["implementation"];
    if (implementation.is_string()) os << " runs: " << implementation.get<std::string>();
    os << "\n";
  }
}

// Random inputs for the first engine's inputs at their optimization profile's opt shapes.
std::vector<c10::IValue> randomInputs(const Engine& e, bool* onGpu) {
  auto engine = deserialize(e);
  *onGpu = engine->getBackend() == trt::Backend::kCUDA;
  std::vector<c10::IValue> args;
  for (const auto& name : e.input_names) {
    trt::Dims dims = engine->getTensorShape(name.c_str());
    if (!dims.isStatic()) dims = engine->getProfileShape(name.c_str(), 0, trt::OptProfileSelector::kOPT);
    const at::ScalarType type =
        torch_tensorrt::core::util::TRTDataTypeToScalarType(engine->getTensorDataType(name.c_str()));
    at::Tensor t =
        at::isFloatingType(type) ? at::rand(dims.toVector()).to(type) : at::randint(0, 2, dims.toVector()).to(type);
    args.push_back(*onGpu ? t.to(at::kCUDA) : t);
  }
  return args;
}

std::string oneLine(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  return s;
}

void synchronize(bool onGpu) {
#ifdef TORCHTRT_WITH_CUDA
  if (onGpu) c10::cuda::device_synchronize();
#else
  (void)onGpu;
#endif
}

}  // namespace

int analyze(const Options& o) {
  torch::jit::Module mod = loadModuleOrPlan(o.input_path);
  const auto engines = enginesOf(mod, o.input_path);
  if (o.inspect) {
    if (o.json) {
      std::cout << "[";
      for (size_t i = 0; i < engines.size(); ++i) std::cout << (i ? ",\n" : "\n") << engines[i]->layerInfoJson();
      std::cout << "]\n";
    } else {
      for (const auto& e : engines) inspectText(*e, std::cout);
    }
    if (!o.profile && !o.benchmark) return 0;
  }
  bool onGpu = false;
  std::vector<c10::IValue> args = randomInputs(*engines[0], &onGpu);
  mod.eval();
  for (int i = 0; i < o.warmup; ++i) mod.forward(args);  // first-call work (tactic timing) stays out
  synchronize(onGpu);
  if (o.profile)
    for (const auto& e : engines) e->enableProfiling(true);
  std::vector<double> latencies;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < o.iterations; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    mod.forward(args);
    synchronize(onGpu);
    latencies.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  const double totalS = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (o.profile) {
    // The layer name last: engines name layers after their TorchScript nodes, which are long.
    std::printf("%8s %12s %10s %7s  %s\n", "Calls", "Total (ms)", "Avg (ms)", "%", "Layer");
    double sum = 0;
    for (const auto& e : engines) {
      const auto [names, calls, totals] = e->layerTimes();
      for (double t : totals) sum += t;
    }
    for (const auto& e : engines) {
      e->enableProfiling(false);
      const auto [names, calls, totals] = e->layerTimes();
      for (size_t i = 0; i < names.size(); ++i)
        std::printf("%8lld %12.4f %10.4f %7.1f  %s\n", static_cast<long long>(calls[i]), totals[i],
                    calls[i] ? totals[i] / calls[i] : 0.0, sum > 0 ? 100.0 * totals[i] / sum : 0.0,
                    oneLine(names[i]).c_str());
    }
    std::printf("%8s %12.4f %10.4f %7s  %s\n", "", sum, o.iterations ? sum / o.iterations : 0.0, "", "Total");
  }
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) {
    return latencies.empty() ? 0.0
                             : latencies[std::min(latencies.size() - 1, static_cast<size_t>(p * latencies.size()))];
  };
  double mean = 0;
  for (double l : latencies) mean += l;
  mean = latencies.empty() ? 0 : mean / latencies.size();
  std::printf("Latency over %d runs (ms): min %.4f, mean %.4f, median %.4f, p90 %.4f, p99 %.4f, max %.4f\n",
              o.iterations, latencies.empty() ? 0.0 : latencies.front(), mean, pct(0.5), pct(0.9), pct(0.99),
              latencies.empty() ? 0.0 : latencies.back());
  std::printf("Throughput: %.2f inferences/s\n", totalS > 0 ? o.iterations / totalS : 0.0);
  return 0;
}

}  // namespace torchtrtc
