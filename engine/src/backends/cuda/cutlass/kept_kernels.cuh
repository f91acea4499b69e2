// Initialized CUTLASS kernels kept by their parameters, shared by the exact-GELU products and the INT8
// convolutions, and the dispatch of a file's tile configurations (KernelList). Initializing one encodes its TMA
// descriptors through the driver (an entry-point lookup and an encode per operand): host time a repeated call with the
// same parameters need not pay.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "cute/tensor.hpp"
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

// A packed (rows, contiguous, batch) stride of rows `rowElems` apart and matrices `matrixElems` apart: every operand's
// in the row-major / K-major GEMMs here.
template <typename Stride>
Stride packedRows(int64_t rowElems, int64_t matrixElems) {
  Stride stride{};
  cute::get<0>(stride) = rowElems;
  cute::get<2>(stride) = matrixElems;
  return stride;
}

// The workspace bytes the device adapter `Adapter` needs for `args`, or -1 where it cannot implement them.
template <typename Adapter>
int64_t workspaceOrRefusal(const typename Adapter::Arguments& args) {
  if (Adapter::can_implement(args) != cutlass::Status::kSuccess) return -1;
  return static_cast<int64_t>(Adapter::get_workspace_size(args));
}

// The key runKept keeps an initialized adapter under: the current device, the problem's extents and scalar bits, then
// every address its arguments hold. False where the current device cannot be asked.
inline bool keptKey(std::vector<int64_t> extents, std::initializer_list<const void*> addresses,
                    std::vector<int64_t>& key) {
  int device = 0;
  if (cudaGetDevice(&device) != cudaSuccess) return false;
  key = {device};
  key.insert(key.end(), extents.begin(), extents.end());
  for (const void* address : addresses) key.push_back(reinterpret_cast<intptr_t>(address));
  return true;
}

// A file's tile configurations, numbered from 0 in the order given: each kernel type has static workspace(problem)
// (bytes, or -1 where it cannot run the problem) and run(problem, workspace, stream). One dispatch for every family
// of CUTLASS kernels instead of a switch per entry point; an index outside the list gives -1 and false.
template <typename... Kernels>
struct KernelList {
  template <typename Problem>
  static int64_t workspace(int32_t index, const Problem& problem) {
    int64_t bytes = -1;
    int32_t i = 0;
    (void)((i++ == index && (bytes = Kernels::workspace(problem), true)) || ...);
    return bytes;
  }
  template <typename Problem>
  static bool run(int32_t index, const Problem& problem, void* workspace, cudaStream_t stream) {
    bool ran = false;
    int32_t i = 0;
    (void)((i++ == index && (ran = Kernels::run(problem, workspace, stream), true)) || ...);
    return ran;
  }
};

}  // namespace cutlass_kept
}  // namespace cuda
}  // namespace trt
