// Per-layer GPU times of a profiled run from CUPTI's activity records: each kernel, copy and memset
// of the run carries the GPU's own start and end stamps, so the layers are timed without adding work
// to the GPU. (Events between the layers, the fallback, cost ~3 us of GPU time each inside a graph:
// on networks of many short layers their sum overstated the run by a third and more.) CUPTI is loaded
// at run time (libcupti of the CUDA toolkit or of PyTorch's CUDA wheels); without it, or when its
// records cannot be matched to the run, the profiler falls back to events.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "backends/backend.h"

namespace trt {
namespace cuda {

//! Why CUPTI cannot time profiled runs in this process; empty when it can.
const std::string& kernelTraceUnavailable();

//! Profiled runs of this process whose layer times came from CUPTI's records (a count for tests).
int64_t kernelTracedRuns();

//! Times the layers of a profiled run captured into a graph: during the capture, end(step) notes the
//! graph nodes each layer added; collect(), after the graph ran, reads CUPTI's records of those nodes.
//! The engine registers its own activity buffers with CUPTI once; buffers of a client registered before
//! it are left alone, and records are kept only while a traced run's session is open.
//! A layer's time runs from the end of the previous layer's GPU work to the end of its own (so the
//! layers' times tile the run, as TensorRT's profiler reports them); a layer without GPU work gets 0.
class KernelTraceTimer : public StepTimer {
 public:
  ~KernelTraceTimer() override;
  //! Starts collecting activity records for the capture on `stream` (one traced run at a time in the
  //! process: a lock is held until collect() or abandon()). False when CUPTI is unavailable.
  bool start(cudaStream_t stream);
  void begin(size_t) override {}
  void end(size_t step) override;
  std::vector<std::pair<size_t, float>> finish() override { return {}; }  // collect() reads them
  //! The layers' times, once `exec` (the graph captured since start()) has run to completion; stops
  //! collecting.
  //! False, with `why`, when the records do not cover the captured nodes (the caller times with events).
  bool collect(cudaGraphExec_t exec, std::vector<std::pair<size_t, float>>& times, std::string& why);
  //! Stops collecting without reading (the capture failed).
  void abandon();

 private:
  void stop();
  cudaStream_t stream_ = nullptr;
  std::unique_lock<std::mutex> session_;
  std::unordered_set<void*> seen_;                 // graph nodes already attributed
  std::unordered_map<uint64_t, size_t> nodeStep_;  // CUPTI node id -> index into steps_
  std::vector<size_t> steps_;                      // the timed steps, in the order they ran
  std::vector<size_t> stepNodes_;                  // the kernels, copies and memsets each step added
  size_t workNodes_ = 0;                           // kernels, copies and memsets the capture added
  bool broken_ = false;                            // the capture could not be inspected
};

}  // namespace cuda
}  // namespace trt
