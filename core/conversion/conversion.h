// Conversion: walks a lowered graph and builds an engine network from it.
#pragma once

#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/conversion/conversionctx/ConversionCtx.h"
#include "torch/csrc/jit/ir/ir.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {

//! Shape range and type of one engine input.
struct InputRange {
  std::vector<int64_t> min, opt, max;
  at::ScalarType dtype = at::kFloat;
  double domain_lo = 0.0, domain_hi = 2.0;  //!< values of generated inputs (shape analysis), [lo, hi)
  bool channels_last = false;               //!< the binding holds [N, H, W, C] (a channels_last tensor's memory)
  bool isDynamic() const { return min != max; }
};

struct ConversionInfo {
  std::vector<InputRange> inputs;  //!< one per graph input after `self`
  BuilderSettings engine_settings;
};

//! Graph inputs bound to compile-time values (weights passed as inputs, as in converter tests).
using StaticParams = std::unordered_map<const torch::jit::Value*, torch::jit::IValue>;

//! Builds and serializes an engine for a block; throws with the seed's message for unsupported nodes.
//! Block inputs in `params` are compile-time values; every other input (after `self`) takes an InputRange.
//! On failure, `failed_node` (when given) names the node whose conversion failed, if one did.
//! With `boundary_casts` given, a graph output that is a cast to float64 (which the engine has no type
//! for) is returned in its source type, exactly widened by the caller: the vector gets one entry per
//! flattened graph output, the dtype to cast it to or kUndefined; without it such casts are refused.
std::string ConvertBlockToEngine(const torch::jit::Block* block, const ConversionInfo& info,
                                 int32_t* layer_count = nullptr, const StaticParams& params = {},
                                 const torch::jit::Node** failed_node = nullptr,
                                 std::vector<at::ScalarType>* boundary_casts = nullptr);
//! The engine inspector's JSON of the engine ConvertBlockToEngine would build, its layers as the builder's passes
//! leave them, without building a plan (no GPU needed to preview a CUDA engine's layers).
std::string DescribeBlockEngine(const torch::jit::Block* block, const ConversionInfo& info);
//! True when every node of the block can be evaluated or converted.
bool VerifyConverterSupportForBlock(const torch::jit::Block* block, bool suppress_errors = false);
//! One line per unsupported op kind: schema, and the source lines where it appears.
std::vector<std::string> GetUnsupportedOpsInBlock(const torch::jit::Block* block);
//! The tensor outliving a call that the in-place op `n` writes into, directly or through a view of it, or nullptr:
//! an argument of the graph's function (the caller's tensor), a module attribute (state such as a step counter) or
//! a constant. An engine's outputs are its own buffers, so it cannot make such a write last: these ops run in
//! TorchScript, or whole-graph conversion refuses.
const torch::jit::Value* WrittenLongLivedTensor(const torch::jit::Node* n);
//! Refuses an input range with a dimension beyond 2^31 - 1 (the largest an engine takes), naming input `index`.
void checkInputDimensions(const InputRange& r, size_t index);
//! What a value WrittenLongLivedTensor returned is, for messages: "forward's argument %x (the caller's tensor)",
//! "the module's attribute 'steps' (state kept between calls)" or "the constant %c".
std::string DescribeLongLivedTensor(const torch::jit::Value* v);
//! True when the node can be converted or evaluated by itself (without knowing its inputs).
bool OpSupported(const torch::jit::Node* n);

}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
