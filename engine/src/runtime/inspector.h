// The engine inspector's JSON (ICudaEngine::describeLayersJson), shared with the builder's preview of an
// optimized network (IBuilder::describeOptimizedNetwork), which has no engine to run.
#pragma once

#include <cstddef>
#include <string>
#include <unordered_map>

#include "plan/plan.h"

namespace trt {

//! What the inspector says of a layer whose output is its input's memory (runs no kernel).
constexpr const char* kViewImplementation = "view of its input's memory";

//! Activation memory at the build-time shapes, with and without the reuse of freed blocks.
struct ActivationBytes {
  size_t withReuse = 0;
  size_t withoutReuse = 0;
};

//! The inspector's JSON of a plan's network: engine-wide fields, then one record per layer. `implementations`
//! names what runs a layer where a backend runner told; layers that run as views of their input at static
//! shapes are added. `activationBytes` is null where no context was prepared (its fields are then null).
std::string inspectorJson(const PlanContents& contents, std::unordered_map<const ILayer*, std::string> implementations,
                          const ActivationBytes* activationBytes);

}  // namespace trt
