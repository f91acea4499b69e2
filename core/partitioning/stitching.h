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
};

//! Converts one engine segment and replaces its nodes with a call to the engine. Returns false, with
//! the graph untouched and the conversion error in `error`, when the segment does not convert.
bool StitchEngineSegment(Segment* segment, const StitchContext& ctx, ShapeMap* shapes, std::string* error);

//! Partitions a block (and the blocks of its control-flow nodes) and stitches every engine segment;
//! returns how many engines were built.
int PartitionAndStitch(torch::jit::Block* block, const StitchContext& ctx, ShapeMap* shapes, FallbackReasons* reasons);

}  // namespace partitioning
}  // namespace core
}  // namespace torch_tensorrt
