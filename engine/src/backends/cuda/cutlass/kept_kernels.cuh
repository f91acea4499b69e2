// Initialized CUTLASS kernels kept by their parameters, shared by the exact-GELU products and the INT8
// convolutions. Initializing one encodes its TMA descriptors through the driver (an entry-point lookup and an encode
// per operand): host time a repeated call with the same parameters need not pay.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "cutlass/cutlass.h"

namespace trt {
namespace cuda {
namespace cutlass_kept {

// Runs the CUTLASS device adapter `Adapter` with the arguments `makeArguments()` gives, on `stream`, reusing the
// adapter initialized for `key` (everything its arguments hold: device, extents, addresses, scalars, workspace). A
// bounded table per adapter type, emptied when full; one that needs a workspace is not kept (initialize() sets the
// workspace up before each run). Launches from several threads take turns (the table's lock is held through them).
template <typename Adapter, typename MakeArguments>
bool runKept(const std::vector<int64_t>& key, MakeArguments makeArguments, void* workspace, cudaStream_t stream,
             size_t mostKept) {
  static std::mutex mutex;
  static std::map<std::vector<int64_t>, std::unique_ptr<Adapter>> initialized;
  std::lock_guard<std::mutex> lock(mutex);
  auto found = initialized.find(key);
  if (found != initialized.end()) return found->second->run(stream) == cutlass::Status::kSuccess;
  const auto args = makeArguments();
  auto op = std::make_unique<Adapter>();
  if (op->can_implement(args) != cutlass::Status::kSuccess ||
      op->initialize(args, workspace, stream) != cutlass::Status::kSuccess)
    return false;
  const bool ran = op->run(stream) == cutlass::Status::kSuccess;
  if (ran && Adapter::get_workspace_size(args) == 0) {
    if (initialized.size() >= mostKept) initialized.clear();
    initialized.emplace(key, std::move(op));
  }
  return ran;
}

}  // namespace cutlass_kept
}  // namespace cuda
}  // namespace trt
