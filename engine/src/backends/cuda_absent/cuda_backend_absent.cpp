// Built instead of backends/cuda/ when TORCHTRT_CUDA is OFF: this build has no CUDA backend.
#include "backends/backend.h"

namespace trt {

const ExecutionBackend* cudaExecutionBackend() { return nullptr; }

}  // namespace trt
