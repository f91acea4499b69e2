// The serialized CPU plan of a network built in a test (the engine's default builder config).
#pragma once

#include <memory>
#include <string>

#include "trt/trt.h"

inline std::string cpuPlan(trt::INetworkDefinition& net) {
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
  std::unique_ptr<trt::IHostMemory> mem(builder->buildSerializedNetwork(net, *config));
  return std::string(static_cast<const char*>(mem->data()), mem->size());
}
