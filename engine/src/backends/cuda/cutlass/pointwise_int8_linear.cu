// The 1x1 INT8 convolutions as GEMMs whose epilogue ends in no activation (cutlass/pointwise_int8.cuh); a file each
// so that they build in parallel.
#include "backends/cuda/cutlass/pointwise_int8.cuh"

namespace trt {
namespace cuda {
namespace cutlass_conv {

int64_t workspacePointwiseLinear(int32_t config, const Int8ConvProblem& problem) {
  return PointwiseConfigs<cutlass::epilogue::thread::Identity>::workspace(config - kFirstPointwiseConfig, problem);
}

bool runPointwiseLinear(int32_t config, const Int8ConvProblem& problem, void* workspace, cudaStream_t stream) {
  return PointwiseConfigs<cutlass::epilogue::thread::Identity>::run(config - kFirstPointwiseConfig, problem, workspace,
                                                                    stream);
}

}  // namespace cutlass_conv
}  // namespace cuda
}  // namespace trt
