// INetworkDefinition::attach, the checks every add<Kind> method shares, in a header so that a layer
// kind's network method can live in the kind's own file (engine/src/layers/<kind>.cpp) instead of
// network.cpp.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "trt/network.h"

namespace trt {

template <typename L>
L* INetworkDefinition::attach(std::unique_ptr<L> layer, const std::vector<ITensor*>& inputs, int32_t nbOutputs,
                              const char* method) {
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i])
      throw Error(std::string("INetworkDefinition::") + method + ": input " + std::to_string(i) + " is null");
    if (inputs[i]->network_ != this)
      throw Error(std::string("INetworkDefinition::") + method + ": input " + std::to_string(i) +
                  " belongs to another network");
  }
  L* raw = layer.get();
  adoptLayer(std::move(layer), inputs, nbOutputs);
  return raw;
}

}  // namespace trt
