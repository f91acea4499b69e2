// Partial compilation: split a lowered graph into engine segments and TorchScript segments.
//
// The stages, one file each: shape_analysis.cpp runs the lowered graph on generated inputs and
// records every tensor's shape range and dtype; segmentation.cpp decides, node by node, what runs
// in an engine and groups the nodes of a block into contiguous segments (contiguity keeps the
// graph's order, so in-place writes and aliasing behave as in TorchScript); the compiler then
// converts each engine segment and stitches a `tensorrt::execute_engine` call in its place.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ATen/core/ivalue.h"
#include "torch/csrc/jit/ir/ir.h"

namespace torch_tensorrt {
namespace core {
namespace partitioning {

struct PartitioningInfo {
  bool enabled = true;  //!< false under require_full_compilation
  uint64_t min_block_size = 3;
  std::set<std::string> forced_fallback_operators;  //!< "aten::relu"
  std::set<std::string> forced_fallback_modules;    //!< "torchvision.models.resnet.BasicBlock"
  bool truncate_long_and_double = false;
};

//! One generated input for shape analysis: min/opt/max shape, dtype, and the value range [lo, hi).
struct AnalysisInput {
  std::vector<int64_t> min, opt, max;
  at::ScalarType dtype = at::kFloat;
  double domain_lo = 0.0, domain_hi = 2.0;
};

//! One forward argument: a tensor (an index into the flat inputs) or a tuple/list of arguments.
struct ArgumentStructure {
  enum class Kind { kTensor, kTuple, kList } kind = Kind::kTensor;
  size_t flat_index = 0;
  std::vector<ArgumentStructure> elements;
};

//! Observed shape range of one tensor value over the analysis runs (and loop iterations).
struct ObservedTensor {
  std::vector<int64_t> min, opt, max;
  at::ScalarType dtype = at::kFloat;
  c10::Device device = c10::Device(c10::kCPU);
  bool consistent = true;       //!< false when rank or dtype changed between observations
  bool data_dependent = false;  //!< true when its shape changed with the inputs' values alone (same shapes)
};
using ShapeMap = std::unordered_map<const torch::jit::Value*, ObservedTensor>;

//! Runs the graph (first input `self` bound to `self_value`) at the min, opt and max input shapes and
//! records every tensor value it computes, including values inside loops and taken branches. The
//! generated tensors are packed into the forward arguments as `signature` says (empty: one tensor each).
ShapeMap RunShapeAnalysis(const std::shared_ptr<torch::jit::Graph>& graph, const c10::IValue& self_value,
                          const std::vector<AnalysisInput>& inputs, const std::vector<ArgumentStructure>& signature,
                          const c10::Device& device);

//! Checks that a forward argument's type fits its structure; the message names the argument.
void CheckArgumentType(const torch::jit::Value* arg, size_t index, const ArgumentStructure& structure);

enum class SegmentTarget { kTensorRT, kTorch };

struct Segment {
  SegmentTarget target;
  std::vector<torch::jit::Node*> nodes;     //!< in graph order, constants excluded
  std::vector<torch::jit::Value*> inputs;   //!< values used by the nodes and defined before them (constants excluded)
  std::vector<torch::jit::Value*> outputs;  //!< values defined by the nodes and used after them
};

//! Why each node of a graph runs in TorchScript; filled by SegmentBlock.
using FallbackReasons = std::unordered_map<const torch::jit::Node*, std::string>;

//! Splits the nodes of one block (not its sub-blocks) into segments. Nodes that hold blocks run in
//! TorchScript; the caller partitions their blocks separately.
//! Nodes in `forced` run in TorchScript for the reason given there (conversion failures found earlier).
std::vector<Segment> SegmentBlock(torch::jit::Block* block, const PartitioningInfo& info, const ShapeMap& shapes,
                                  FallbackReasons* reasons, const FallbackReasons& forced = {});

//! The inputs and outputs of a run of nodes of one block.
void ComputeSegmentIO(Segment* segment);

//! The qualified type names of the modules a node was inlined from, outermost first ("__torch__." removed).
std::vector<std::string> ModuleTypesOf(const torch::jit::Node* n);

//! "engine(12 nodes) -> torch(1 node: aten::cumsum [no converter]) -> engine(30 nodes)" for the log.
std::string DescribeSegments(const std::vector<Segment>& segments, const FallbackReasons& reasons);

}  // namespace partitioning
}  // namespace core
}  // namespace torch_tensorrt
