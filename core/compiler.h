// The compiler's stages joined: lower -> convert -> embed.
#pragma once

#include <string>
#include <vector>

#include "core/conversion/conversion.h"
#include "core/lowering/lowering.h"
#include "core/partitioning/partitioning.h"
#include "torch/csrc/jit/api/module.h"

namespace torch_tensorrt {
namespace core {

struct CompileSpec {
  explicit CompileSpec(std::vector<conversion::InputRange> inputs = {}) { convert_info.inputs = std::move(inputs); }
  conversion::ConversionInfo convert_info;
  lowering::LowerInfo lower_info;
  partitioning::PartitioningInfo partitioning_info;
  //! How convert_info.inputs pack into forward's arguments (tuples, lists); empty: one tensor each.
  std::vector<partitioning::ArgumentStructure> input_signature;
  std::string device_info = "cpu";
};

//! How the compiled forward returns its outputs.
enum class OutputStructure { kSingle, kTuple, kList };

//! Lowers and converts a method into a serialized plan.
std::string ConvertGraphToTRTEngine(const torch::jit::Module& mod, const std::string& method_name, CompileSpec cfg);
//! Lowers and converts a method as ConvertGraphToTRTEngine does, then returns the engine inspector's JSON of its
//! layers as the builder's passes leave them, without building a plan (a CUDA spec needs no GPU).
std::string DescribeGraphEngine(const torch::jit::Module& mod, const std::string& method_name, CompileSpec cfg);
//! Compiles `forward`: into one engine when every op converts (or require_full_compilation is set),
//! else into engines for the convertible segments with TorchScript between them.
torch::jit::Module CompileGraph(const torch::jit::Module& mod, CompileSpec cfg);
//! True when every op of the method can be converted; logs the unsupported ones otherwise.
bool CheckMethodOperatorSupport(const torch::jit::Module& mod, const std::string& method_name);
//! The unsupported ops of a method, one entry per op kind with schema and source lines.
std::vector<std::string> UnsupportedOperators(const torch::jit::Module& mod, const std::string& method_name);
//! Wraps a plan in a new module whose forward calls tensorrt::execute_engine. Inputs flagged in
//! `channels_last` are bound [N, H, W, C]: forward permutes its [N, C, H, W] argument to that view
//! (free for a channels_last tensor, a copy for a contiguous one). forward's arguments take the names in
//! `argument_names` (the compiled module's, so keyword calls keep working; "x.1" reads as x), else input_<i>.
//! An output whose entry in `output_types` is int, float or bool (a size computed in the engine) is returned as
//! that number, as the source graph returned it, instead of the engine's 0-d tensor.
torch::jit::Module EmbedEngineInNewModule(const std::string& plan, const std::string& device_info,
                                          const std::vector<std::string>& input_binding_names,
                                          const std::vector<std::string>& output_binding_names,
                                          OutputStructure structure = OutputStructure::kSingle,
                                          const std::vector<bool>& channels_last = {},
                                          const std::vector<std::string>& argument_names = {},
                                          const std::vector<c10::TypePtr>& output_types = {});

}  // namespace core
}  // namespace torch_tensorrt
