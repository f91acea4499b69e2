// What a plan holds once read, and the functions that write and read it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "trt/builder.h"
#include "trt/network.h"

namespace trt {

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
};

//! Serializes a network with the settings and target in `contents` (its network field is ignored).
std::vector<uint8_t> writePlan(const INetworkDefinition& network, const PlanContents& contents);
//! Serializes plan contents into the documented format (see plan_io.h).
inline std::vector<uint8_t> writePlan(const PlanContents& contents) { return writePlan(*contents.network, contents); }
//! Parses and validates a plan; throws Error naming the bad field.
std::unique_ptr<PlanContents> readPlan(const uint8_t* data, size_t size);
//! The library name and version written into plans.
const char* planProducer();

}  // namespace trt
