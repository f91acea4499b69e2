// What a plan holds once read, and the functions that write and read it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "trt/builder.h"
#include "trt/network.h"

namespace trt {

//! A choice the builder timed for one layer at one input shape, stored in the plan and reused by the
//! runtime, so a loaded engine times nothing. What `choice` holds is the backend's (for the CUDA
//! convolution: cuDNN's algorithm and which path runs).
struct TacticRecord {
  int32_t layer = 0;           //!< index of the layer in the plan's network
  std::vector<int64_t> shape;  //!< the layer's first input shape (channels-first) the choice was timed at
  std::vector<int64_t> choice;
  //! Format 18 on: what the backend built for the choice, so a loaded engine need not build it again (a
  //! cuDNN graph-API execution plan with a runtime-compiled kernel, serialized); empty for most choices.
  std::vector<uint8_t> artifact;
};

//! The deserialized contents of a plan: the optimized network plus build settings and target.
struct PlanContents {
  std::unique_ptr<INetworkDefinition> network;
  std::vector<IOptimizationProfile> profiles;
  Backend backend = Backend::kCPU;
  uint64_t builderFlags = 0;
  uint64_t workspaceLimit = 0;   // IBuilderConfig::setMemoryPoolLimit (0: none)
  int32_t timingIterations = 1;  // IBuilderConfig::setAvgTimingIterations
  std::string producer;
  std::string deviceName;
  int32_t smMajor = -1;
  int32_t smMinor = -1;
  std::vector<TacticRecord> tactics;  // format 11 on; the builder's timed choices
};

//! Serializes a network with the settings and target in `contents` (its network field is ignored).
//! With `sharedBlobs`, weights are not written but shared through that table (an in-memory copy for
//! readPlan with the same table; such a plan is never stored).
std::vector<uint8_t> writePlan(const INetworkDefinition& network, const PlanContents& contents,
                               std::vector<SharedBytes>* sharedBlobs = nullptr);
//! Serializes plan contents into the documented format (see plan_io.h).
inline std::vector<uint8_t> writePlan(const PlanContents& contents) { return writePlan(*contents.network, contents); }
//! Parses and validates a plan; throws Error naming the bad field. `sharedBlobs`: the table the plan
//! was written with (writePlan), whose weights the read network then shares. `owner`: keeps `data`
//! alive as long as the network, which then reads large aligned weights in place (format 13 on).
std::unique_ptr<PlanContents> readPlan(const uint8_t* data, size_t size,
                                       const std::vector<SharedBytes>* sharedBlobs = nullptr,
                                       std::shared_ptr<const void> owner = nullptr);
//! The library name and version written into plans.
const char* planProducer();

}  // namespace trt
