// The execution order of an engine, computed once when the plan is loaded.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "trt/network.h"

namespace trt {

struct Schedule {
  struct Step {
    const ILayer* layer;
    std::vector<int32_t> inputs;  // tensor indices
    int32_t output;
  };
  std::vector<const ITensor*> tensors;                // inputs first, then each layer's output
  std::vector<Step> steps;                            // creation order = execution order
  std::vector<int32_t> inputIndices;                  // network inputs
  std::vector<int32_t> outputIndices;                 // network outputs
  std::vector<std::string> ioNames;                   // inputs then outputs
  std::unordered_map<std::string, int32_t> ioByName;  // name -> tensor index
  std::vector<int32_t> lastUse;                       // per tensor: last step reading it (-1 if none)
  std::vector<bool> isConstant;                       // per tensor: produced by a Constant layer
  std::unordered_map<const void*, void*> uploads;     // CUDA backend: host weights -> device copies
};

Schedule makeSchedule(const INetworkDefinition& network);

}  // namespace trt
