// Stitching engine segments into a graph (see stitching.cpp).
#pragma once

#include <string>

#include "core/conversion/conversion.h"
#include "core/partitioning/partitioning.h"
#include "torch/csrc/jit/api/module.h"

namespace torch_tensorrt {
namespace core {
namespace partitioning {

struct StitchContext {
  PartitioningInfo info;
  conversion::BuilderSettings settings;
  std::string device_info;     //!< where the engines run ("cpu", "cuda:0")
  torch::jit::Module* module;  //!< receives one attribute per engine
  torch::jit::Value* self;     //!< the graph's `self` input, typed as `module`
  std::string name_prefix = "_trt_engine_";
  //! Whether forward's inputs have ranges (min != max): an engine whose inputs shape analysis may not have seen in
  //! every size then keeps its TorchScript for the sizes outside its range (see StitchEngineSegment).
  bool dynamic_inputs = false;
};

//! A converted segment, or the error (and, when known, the node) that stopped its conversion.
struct SegmentEngine {
  std::string plan;
  int32_t layers = 0;
  std::string error;
  const torch::jit::Node* failed_node = nullptr;  //!< a node of the segment (in the original graph)
  bool ok() const { return error.empty(); }
};

//! Converts one engine segment into a plan (the graph is not changed).
SegmentEngine BuildSegmentEngine(const Segment& segment, const StitchContext& ctx, const ShapeMap& shapes);

//! Replaces the segment's nodes with a call to its engine, registered on ctx.module. A segment reading a value whose
//! size is a count of values (after nonzero, unique, where(cond)), or, with dynamic inputs, a segment inside a loop
//! or branch or reading a value computed after one, took its range from the sizes the shape analysis runs happened
//! to reach (a branch the opt shape alone takes, a loop that grows a tensor, the tokens routed to an expert): its
//! nodes stay, as the TorchScript a call runs when tensorrt::accepts_shapes says the engine does not take its sizes.
void StitchEngineSegment(Segment* segment, const SegmentEngine& engine, const StitchContext& ctx, ShapeMap* shapes);

//! Partitions a block (and the blocks of its control-flow nodes) and stitches every engine segment;
//! returns how many engines were built.
int PartitionAndStitch(torch::jit::Block* block, const StitchContext& ctx, ShapeMap* shapes, FallbackReasons* reasons);

}  // namespace partitioning
}  // namespace core
}  // namespace torch_tensorrt
