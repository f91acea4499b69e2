// The compile option layer_precisions applied to the layers a node converts to (TensorRT's per-layer
// precision, ILayer::setPrecision): by operator kind or by a pattern over layer names.
#pragma once

#include <string>

#include "core/conversion/conversionctx/ConversionCtx.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {

//! True when `key` names an operator kind ("aten::softmax"); any other key is a layer name pattern.
bool IsOperatorKindKey(const std::string& key);
//! Whether `name` matches the glob `pattern`: * matches any run of characters, ? any one.
bool MatchesLayerPattern(const std::string& pattern, const std::string& name);
//! Pins the layers that converting `n` added (from `first_layer` on) to the precision its entry in
//! ctx->settings.layer_precisions gives: its operator kind's entry, else the first pattern matching
//! the layer's name. A converter's own float32 pin (a float32 accumulation PyTorch also does) stays.
void PinLayerPrecisions(ConversionCtx* ctx, const torch::jit::Node* n, int32_t first_layer);

}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
