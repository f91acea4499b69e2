// The cuDNN frontend's headers (header-only C++ over cuDNN's graph API), for the files built with
// TORCHTRT_WITH_CUDNN_FRONTEND (engine/CMakeLists.txt: the fused attention and the graph convolutions), with the
// handle holder and the plan building they share.
#pragma once

// The frontend's headers define helpers a file may not call (-Wunused-function).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include <cudnn_frontend.h>
#pragma GCC diagnostic pop

#include "backends/cuda/cudnn_handle.h"

#include <cstdint>

namespace trt {
namespace cuda {

// Builds `built`'s candidate plans, in the frontend's order, until `most` plans are built or none is left: each that
// builds is appended to `built.plans` with its workspace beside it in `built.workspace` (`built.next`: the next
// candidate, of `built.candidates`). One after another: the frontend's plan list is written by each build (its current
// candidate, a bit vector of refused plans), and a handle is not for several threads at once. Returns how many built.
template <typename Built>
int32_t buildPlans(Built& built, int32_t most) {
  int32_t count = 0;
  while (built.graph && static_cast<int32_t>(built.plans.size()) < most && built.next < built.candidates) {
    const int64_t i = built.next++;
    int64_t bytes = 0;
    if (built.graph->build_plan_at_index(i).is_bad() ||
        built.graph->get_workspace_size_plan_at_index(i, bytes).is_bad())
      continue;
    built.plans.push_back(i);
    built.workspace.push_back(bytes);
    ++count;
  }
  return count;
}

}  // namespace cuda
}  // namespace trt
