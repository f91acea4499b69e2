// Attaching a new layer to a network, the checks every add<Kind> method shares, in a header so that a
// layer kind's network method can live in the kind's own file (engine/src/layers/<kind>.cpp) instead
// of network.cpp.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "layers/make_layer.h"
#include "network/network_impl.h"

namespace trt {

//! Adds `layer` to `network` with `inputs` and `nbOutputs` new outputs; `method` names the add method
//! in errors (a null input or one of another network).
template <typename L>
L* attach(INetworkDefinition& network, NewLayer<L> layer, const std::vector<ITensor*>& inputs, int32_t nbOutputs,
          const char* method) {
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i])
      throw Error(std::string("INetworkDefinition::") + method + ": input " + std::to_string(i) + " is null");
    if (internals(*inputs[i]).network_ != &network)
      throw Error(std::string("INetworkDefinition::") + method + ": input " + std::to_string(i) +
                  " belongs to another network");
  }
  NetworkState::of(network).adoptLayer(network, std::move(layer.owner), inputs, nbOutputs);
  return layer.api;
}

}  // namespace trt
