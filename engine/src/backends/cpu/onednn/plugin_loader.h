// Finds and loads the oneDNN plugin (libtorchtrt_onednn.so) once per process.
#pragma once

#include <string>

#include "backends/cpu/onednn/plugin_abi.h"

namespace trt {
namespace cpu {
namespace onednn {

//! The plugin's table, loaded on the first call; nullptr when it cannot load (the first such call
//! logs one warning saying why: the CPU backend then runs its reference kernels).
const torchtrt_onednn_api* pluginApi();

//! Why the plugin did not load, "" when it did (tries to load it first, as pluginApi).
std::string pluginLoadFailure();

}  // namespace onednn
}  // namespace cpu
}  // namespace trt
