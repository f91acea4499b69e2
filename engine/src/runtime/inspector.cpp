// The engine inspector as JSON (the text form is ICudaEngine::describeLayers), written with nlohmann/json.
#include <charconv>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "backends/backend.h"
#include "common/activation_kinds.h"
#include "layers/attention_layout.h"
#include "network/computed_precision.h"
#include "plan/plan.h"
#include "runtime/inspector.h"
#include "runtime/memory_views.h"
#include "runtime/runtime_impl.h"
#include "runtime/schedule.h"
#include "trt/runtime.h"

namespace trt {

namespace {
// Objects keep their keys in insertion order: the inspector reads top-down (engine, then layers).
using Json = nlohmann::ordered_json;

Json tensorJson(const ITensor* t) {
  const Dims d = t->getDimensions();
  return {{"name", t->getName()},
          {"dims", std::vector<int64_t>(d.d, d.d + d.nbDims)},
          {"dtype", dataTypeName(t->getType())}};
}

// A float as the shortest decimal that reads back as the same float (0.02, not 0.0199999995...): JSON
// numbers are doubles, and the float's exact binary value printed as a double is noise.
double shortestDecimal(float f) {
  char buf[32];
  const auto end = std::to_chars(buf, buf + sizeof(buf) - 1, f).ptr;
  *end = '\0';
  return std::strtod(buf, nullptr);
}

// A fused activation by its name (lower case, as PyTorch spells the op); unknown codes stay visible.
std::string activationName(int32_t act) {
  static const char* const names[] = {
      "relu", "sigmoid",      "tanh",        "leaky_relu",       "elu",      "selu",      "softsign", "softplus",
      "clip", "hard_sigmoid", "scaled_tanh", "thresholded_relu", "gelu_erf", "gelu_tanh", "silu",     "hardswish"};
  static_assert(sizeof(names) / sizeof(names[0]) == kACTIVATION_TYPE_COUNT, "a name for every activation type");
  if (act >= 0 && act < kACTIVATION_TYPE_COUNT) return names[act];
  return "unknown(" + std::to_string(act) + ")";
}

// What the builder folded into the layer (empty object when nothing).
Json fusedJson(const ILayer* layer) {
  Json fused = Json::object();
  auto activation = [&](int32_t act) {
    if (act >= 0) fused["activation"] = activationName(act);
  };
  auto int8 = [&](float inputScale) { fused["int8"] = {{"input_scale", shortestDecimal(inputScale)}}; };
  switch (layer->getType()) {
    case LayerType::kCONVOLUTION: {
      const auto* conv = static_cast<const IConvolutionLayer*>(layer);
      if (conv->getBiasWeights().count > 0) fused["bias"] = true;
      if (conv->getNbInputs() > 1) fused["residual"] = true;
      if (conv->getChannelsLast()) fused["layout"] = "NHWC";
      if (conv->isInt8()) int8(conv->getInt8InputScale());
      // INT8 codes written for the next INT8 convolution (the requantizing epilogue).
      if (conv->getInt8OutputScale() > 0.f) fused["int8"]["output_scale"] = shortestDecimal(conv->getInt8OutputScale());
      if (conv->getInt8ResidualScale() > 0.f)
        fused["int8"]["residual_scale"] = shortestDecimal(conv->getInt8ResidualScale());
      activation(conv->getFusedActivation());
      // The kinds with parameters (clip's bounds, leaky ReLU's slope) show them.
      if (conv->getFusedActivation() >= 0 &&
          !isParameterlessActivation(static_cast<ActivationType>(conv->getFusedActivation())))
        fused["activation_parameters"] = {{"alpha", shortestDecimal(conv->getFusedActivationAlpha())},
                                          {"beta", shortestDecimal(conv->getFusedActivationBeta())}};
      break;
    }
    case LayerType::kDECONVOLUTION:
      if (static_cast<const IDeconvolutionLayer*>(layer)->getBiasWeights().count > 0) fused["bias"] = true;
      break;
    case LayerType::kMATRIX_MULTIPLY: {
      const auto* mm = static_cast<const IMatrixMultiplyLayer*>(layer);
      if (mm->getAlpha() != 1.f) fused["alpha"] = shortestDecimal(mm->getAlpha());
      if (mm->getNbInputs() > 2) fused["bias"] = true;
      if (mm->getNbInputs() > 3) fused["residual"] = true;
      if (mm->isInt8()) int8(mm->getInt8InputScale());
      if (mm->isFp8())
        fused["fp8"] = {{"input_scale", shortestDecimal(mm->getFp8InputScale())},
                        {"weight_scale", shortestDecimal(mm->getFp8WeightScale())}};
      if (mm->getFp8OutputScale() > 0.f) fused["fp8"]["output_scale"] = shortestDecimal(mm->getFp8OutputScale());
      activation(mm->getFusedActivation());
      break;
    }
    case LayerType::kSCALE:
      if (layer->getNbInputs() > 1) fused["concatenation"] = layer->getNbInputs();
      activation(static_cast<const IScaleLayer*>(layer)->getFusedActivation());
      break;
    case LayerType::kQUANTIZE: {
      const auto* q = static_cast<const IQuantizeLayer*>(layer);
      if (q->getToType() == DataType::kFP8) activation(q->getFusedActivation());
      break;
    }
    case LayerType::kNORMALIZATION:
      if (layer->getNbInputs() > 3) fused["residual"] = true;
      break;
    case LayerType::kPOOLING:
      if (static_cast<const IPoolingLayer*>(layer)->getChannelsLast()) fused["layout"] = "NHWC";
      break;
    case LayerType::kSHUFFLE: {
      // The zeros a padded transpose writes after each row (an RGB image's fourth channel).
      const int64_t padded = static_cast<const IShuffleLayer*>(layer)->getZeroPaddedLastDimension();
      if (padded > 0) fused["zero_padded_last_dimension"] = padded;
      break;
    }
    case LayerType::kSOFTMAX:
      if (layer->getNbInputs() > 1) fused["mask"] = true;
      break;
    case LayerType::kATTENTION: {
      // The head split's and merge's permutes folded into strides: which tensors are [B, S, H, D].
      const uint32_t major = attentionSequenceMajor(*static_cast<const IAttentionLayer*>(layer));
      std::string tensors;
      const char* names[] = {"query", "key", "value", "output"};
      for (int i = 0; i < 4; ++i)
        if (major & (1u << i)) tensors += std::string(tensors.empty() ? "" : ",") + names[i];
      if (!tensors.empty()) fused["sequence_major"] = tensors;
      break;
    }
    default:
      break;
  }
  return fused;
}
}  // namespace

std::string inspectorJson(const PlanContents& contents, std::unordered_map<const ILayer*, std::string> implementations,
                          const ActivationBytes* activationBytes) {
  const INetworkDefinition& net = *contents.network;
  Json doc = {{"backend", backendName(contents.backend)},
              {"device", contents.deviceName},
              {"workspace_limit", contents.workspaceLimit},
              {"timing_iterations", contents.timingIterations}};
  const std::pair<BuilderFlag, const char*> flagNames[] = {
      {BuilderFlag::kFP16, "fp16"},
      {BuilderFlag::kINT8, "int8"},
      {BuilderFlag::kDEBUG, "debug"},
      {BuilderFlag::kTF32, "tf32"},
      {BuilderFlag::kBF16, "bf16"},
      {BuilderFlag::kFP8, "fp8"},
      {BuilderFlag::kOBEY_PRECISION_CONSTRAINTS, "obey_precision_constraints"},
      {BuilderFlag::kPREFER_PRECISION_CONSTRAINTS, "prefer_precision_constraints"}};
  Json& flags = doc["builder_flags"] = Json::array();
  for (const auto& f : flagNames)
    if ((contents.builderFlags >> static_cast<int>(f.first)) & 1ull) flags.push_back(f.second);
  bool isStatic = true;
  for (int i = 0; i < net.getNbInputs(); ++i) isStatic &= net.getInput(i)->getDimensions().isStatic();
  // Activation memory at the build-time shapes (null when an input is dynamic, or nothing was prepared).
  doc["activation_bytes"] = activationBytes ? Json(activationBytes->withReuse) : Json();
  doc["activation_bytes_without_reuse"] = activationBytes ? Json(activationBytes->withoutReuse) : Json();
  Json& layers = doc["layers"] = Json::array();
  for (int l = 0; l < net.getNbLayers(); ++l) {
    const ILayer* layer = net.getLayer(l);
    Json inputs = Json::array(), outputs = Json::array(), tactics = Json::array();
    for (int i = 0; i < layer->getNbInputs(); ++i) inputs.push_back(tensorJson(layer->getInput(i)));
    for (int i = 0; i < layer->getNbOutputs(); ++i) outputs.push_back(tensorJson(layer->getOutput(i)));
    // The kernel choices the builder timed for this layer, per input shape (the CUDA backend's).
    for (const TacticRecord& t : contents.tactics)
      if (t.layer == l) {
        tactics.push_back({{"shape", t.shape}, {"choice", t.choice}});
        const std::string kernel = executionBackend(contents.backend).describeTactic(*layer, t.choice);
        if (!kernel.empty()) tactics.back()["kernel"] = kernel;
        if (!t.artifact.empty()) tactics.back()["artifact_bytes"] = t.artifact.size();
      }
    // A reshape-like layer (or a contiguous slice) at static shapes runs no kernel: its output is its
    // input's memory (not a network output's, which is written).
    size_t viewBytes = 0;
    if (isStatic && !implementations.count(layer) && layer->getNbInputs() > 0 &&
        !layer->getOutput(0)->isNetworkOutput() &&
        runsAsView(*layer, layer->getInput(0)->getDimensions(), layer->getOutput(0)->getDimensions(), viewBytes))
      implementations[layer] = kViewImplementation;
    layers.push_back(
        {{"index", l},
         {"name", layer->getName()},
         {"kind", layerTypeName(layer->getType())},
         {"inputs", std::move(inputs)},
         {"outputs", std::move(outputs)},
         // What the builder chose, and the pin it honoured (null when the layer was not pinned).
         {"precision", dataTypeName(computedPrecision(*layer))},
         {"pinned_precision", layer->precisionIsSet() ? Json(dataTypeName(layer->getPrecision())) : Json()},
         {"fused", fusedJson(layer)},
         {"tactics", std::move(tactics)},
         // null: the backend does not tell, or nothing runs for the layer (a constant read in place).
         {"implementation", implementations.count(layer) ? Json(implementations.at(layer)) : Json()}});
  }
  // Names come from user models: invalid UTF-8 is replaced rather than refused (the inspector must
  // describe any loadable plan).
  return doc.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string CudaEngine::describeLayersJson() const {
  const INetworkDefinition& net = *contents_->network;
  bool isStatic = true;
  for (int i = 0; i < net.getNbInputs(); ++i) isStatic &= net.getInput(i)->getDimensions().isStatic();
  // What runs each layer at the build-time shapes, where the backend tells (the CPU backend: oneDNN's
  // primitive or the engine's kernel), from a context prepared as for its first run; nothing runs.
  std::unordered_map<const ILayer*, std::string> implementations;
  if (!isStatic) return inspectorJson(*contents_, implementations, nullptr);
  std::unique_ptr<ExecutionContext> ctx(static_cast<ExecutionContext*>(createExecutionContext()));
  const ActivationBytes bytes{ctx->getActivationBytes(), ctx->getActivationBytesWithoutReuse()};
  ExecutionContext& c = *ctx;
  if (!c.shapesResolved_) c.resolveShapes();
  c.prepareBackend();
  implementations = c.runner_->layerImplementations();
  return inspectorJson(*contents_, std::move(implementations), &bytes);
}

}  // namespace trt
