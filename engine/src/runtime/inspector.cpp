// The engine inspector as JSON (the text form is ICudaEngine::describeLayers).
#include <cstdio>
#include <sstream>

#include "plan/plan.h"
#include "trt/runtime.h"

namespace trt {

namespace {
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string tensorJson(const ITensor* t) {
  std::ostringstream os;
  const Dims d = t->getDimensions();
  os << "{\"name\": " << quoted(t->getName()) << ", \"dims\": [";
  for (int i = 0; i < d.nbDims; ++i) os << (i ? ", " : "") << d.d[i];
  os << "], \"dtype\": " << quoted(dataTypeName(t->getType())) << "}";
  return os.str();
}

// A fused activation by its name (lower case, as PyTorch spells the op); unknown codes stay visible.
std::string activationName(int32_t act) {
  static const char* const names[kACTIVATION_TYPE_COUNT] = {
      "relu", "sigmoid",      "tanh",        "leaky_relu",       "elu",      "selu",     "softsign", "softplus",
      "clip", "hard_sigmoid", "scaled_tanh", "thresholded_relu", "gelu_erf", "gelu_tanh"};
  if (act >= 0 && act < kACTIVATION_TYPE_COUNT) return names[act];
  return "unknown(" + std::to_string(act) + ")";
}

std::string intList(const std::vector<int64_t>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + std::to_string(v[i]);
  return out + "]";
}

// What the builder folded into the layer (empty object when nothing).
std::string fusedJson(const ILayer* layer) {
  std::ostringstream os;
  const char* sep = "";
  auto field = [&](const char* key, const std::string& value) {
    os << sep << "\"" << key << "\": " << value;
    sep = ", ";
  };
  auto activation = [&](int32_t act) {
    if (act >= 0) field("activation", quoted(activationName(act)));
  };
  auto int8 = [&](float inputScale) {
    std::ostringstream scale;
    scale << "{\"input_scale\": " << inputScale << "}";
    field("int8", scale.str());
  };
  os << "{";
  switch (layer->getType()) {
    case LayerType::kCONVOLUTION: {
      const auto* conv = static_cast<const IConvolutionLayer*>(layer);
      if (conv->getBiasWeights().count > 0) field("bias", "true");
      if (conv->getNbInputs() > 1) field("residual", "true");
      if (conv->getChannelsLast()) field("layout", "\"NHWC\"");
      if (conv->isInt8()) int8(conv->getInt8InputScale());
      activation(conv->getFusedActivation());
      break;
    }
    case LayerType::kDECONVOLUTION:
      if (static_cast<const IDeconvolutionLayer*>(layer)->getBiasWeights().count > 0) field("bias", "true");
      break;
    case LayerType::kMATRIX_MULTIPLY: {
      const auto* mm = static_cast<const IMatrixMultiplyLayer*>(layer);
      if (mm->getAlpha() != 1.f) {
        std::ostringstream alpha;
        alpha << mm->getAlpha();
        field("alpha", alpha.str());
      }
      if (mm->getNbInputs() > 2) field("bias", "true");
      if (mm->isInt8()) int8(mm->getInt8InputScale());
      activation(mm->getFusedActivation());
      break;
    }
    case LayerType::kNORMALIZATION:
      if (layer->getNbInputs() > 3) field("residual", "true");
      break;
    case LayerType::kPOOLING:
      if (static_cast<const IPoolingLayer*>(layer)->getChannelsLast()) field("layout", "\"NHWC\"");
      break;
    case LayerType::kSOFTMAX:
      if (layer->getNbInputs() > 1) field("mask", "true");
      break;
    default:
      break;
  }
  os << "}";
  return os.str();
}
}  // namespace

std::string ICudaEngine::describeLayersJson() const {
  const INetworkDefinition& net = *contents_->network;
  std::ostringstream os;
  os << "{\"backend\": " << quoted(backendName(contents_->backend)) << ", \"device\": " << quoted(contents_->deviceName)
     << ", \"workspace_limit\": " << contents_->workspaceLimit
     << ", \"timing_iterations\": " << contents_->timingIterations << ", \"builder_flags\": [";
  const std::pair<BuilderFlag, const char*> flagNames[] = {{BuilderFlag::kFP16, "fp16"},
                                                           {BuilderFlag::kINT8, "int8"},
                                                           {BuilderFlag::kDEBUG, "debug"},
                                                           {BuilderFlag::kTF32, "tf32"},
                                                           {BuilderFlag::kBF16, "bf16"}};
  const char* sep = "";
  for (const auto& f : flagNames) {
    if ((contents_->builderFlags >> static_cast<int>(f.first)) & 1ull) {
      os << sep << quoted(f.second);
      sep = ", ";
    }
  }
  os << "]";
  // Activation memory at the build-time shapes (null when an input is dynamic).
  bool isStatic = true;
  for (int i = 0; i < net.getNbInputs(); ++i) isStatic &= net.getInput(i)->getDimensions().isStatic();
  if (isStatic) {
    std::unique_ptr<IExecutionContext> ctx(createExecutionContext());
    os << ", \"activation_bytes\": " << ctx->getActivationBytes()
       << ", \"activation_bytes_without_reuse\": " << ctx->getActivationBytesWithoutReuse();
  } else {
    os << ", \"activation_bytes\": null, \"activation_bytes_without_reuse\": null";
  }
  os << ", \"layers\": [";
  for (int l = 0; l < net.getNbLayers(); ++l) {
    const ILayer* layer = net.getLayer(l);
    os << (l ? ", " : "") << "\n  {\"index\": " << l << ", \"name\": " << quoted(layer->getName())
       << ", \"kind\": " << quoted(layerTypeName(layer->getType())) << ", \"inputs\": [";
    for (int i = 0; i < layer->getNbInputs(); ++i) os << (i ? ", " : "") << tensorJson(layer->getInput(i));
    os << "], \"outputs\": [";
    for (int i = 0; i < layer->getNbOutputs(); ++i) os << (i ? ", " : "") << tensorJson(layer->getOutput(i));
    os << "], \"precision\": "
       << (layer->precisionIsSet() ? quoted(dataTypeName(layer->getPrecision())) : std::string("null"))
       << ", \"fused\": " << fusedJson(layer) << ", \"tactics\": [";
    // The kernel choices the builder timed for this layer, per input shape (the CUDA backend's).
    const char* tsep = "";
    for (const TacticRecord& t : contents_->tactics) {
      if (t.layer != l) continue;
      os << tsep << "{\"shape\": " << intList(t.shape) << ", \"choice\": " << intList(t.choice) << "}";
      tsep = ", ";
    }
    os << "]}";
  }
  os << "\n]}\n";
  return os.str();
}

}  // namespace trt
