// How many layer runs oneDNN took, and how many primitives were made, over the process: lets tests
// check that a case did not fall back to the reference kernels, and when primitives are made.
// Declared without oneDNN's headers, so a test compiles in any build.
#pragma once

#include <cstdint>

namespace trt {
namespace cpu {
namespace onednn {

//! Layer runs on oneDNN primitives so far; -1 when this build has no oneDNN plugin.
int64_t layerRuns();
//! oneDNN primitives (plugin steps) created so far; -1 when this build has no oneDNN plugin.
int64_t stepsCreated();
//! oneDNN primitives (plugin steps) alive now; -1 when this build has no oneDNN plugin.
int64_t stepsAlive();

}  // namespace onednn
}  // namespace cpu
}  // namespace trt
