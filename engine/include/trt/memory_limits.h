// Limits on the memory one run may ask for (issue 28: a 9 KB plan whose Fill of [2^30, 4] float32
// feeds an output made its first call allocate and zero-fill 16 GB). The runtime checks a run's
// activations and outputs against the memory available and a configurable cap before it allocates.
#pragma once

#include <cstdint>
#include <string>

#include "trt/network.h"

namespace trt {

//! Bytes the host can still hand out without swapping: MemAvailable of /proc/meminfo, or 0 when
//! unknown (then only the cap applies).
uint64_t availableHostMemory();

//! The cap on one run's activations and on each output: the last setMemoryCap value, else the
//! environment variable TORCHTRT_MEMORY_CAP (bytes, or with a K, M, G or T suffix: powers of 1024),
//! else 0, meaning no cap.
uint64_t memoryCap();
//! Passed to setMemoryCap: the cap comes from TORCHTRT_MEMORY_CAP again.
constexpr uint64_t kMemoryCapFromEnvironment = UINT64_MAX;
//! Sets the cap for the whole process (0 removes it; overrides TORCHTRT_MEMORY_CAP).
void setMemoryCap(uint64_t bytes);

//! Throws Error unless `bytes` of `what` fit: not above memoryCap() and, when `available` is not 0,
//! not above `available` bytes of `where` ("host memory", "GPU memory"). `what` names the demand,
//! e.g. describeTensor(...) or "the activations of these input shapes". The message names what, its
//! size and the limit that refused it, and says how to proceed.
void checkMemoryDemand(const std::string& what, uint64_t bytes, uint64_t available, const char* where);

//! "layer 'name' (Kind): its output 'tensor' [dims] float32" (or "network input 'x' [dims] float32"):
//! the words that name a tensor in a memory error. Its size in bytes is tensorBytes.
std::string describeTensor(const ITensor& tensor, const Dims& shape);
//! The bytes of a tensor of `shape` and `type`; UINT64_MAX when the product overflows or a dimension is dynamic.
uint64_t tensorBytes(const Dims& shape, DataType type);

}  // namespace trt
