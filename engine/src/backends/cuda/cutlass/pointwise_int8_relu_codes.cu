// The 1x1 INT8 convolutions as GEMMs that write INT8 codes after a ReLU, with no residual or an INT8 one
// (cutlass/pointwise_int8.cuh); a file each
// so that they build in parallel.
#include "backends/cuda/cutlass/pointwise_int8.cuh"

namespace trt {
namespace cuda {
namespace cutlass_conv {

int64_t workspacePointwiseReluCodes(int32_t config, const Int8ConvProblem& problem) {
  return PointwiseConfigs<cutlass::epilogue::thread::ReLu, int8_t>::workspace(config - kFirstPointwiseConfig, problem);
}

bool runPointwiseReluCodes(int32_t config, const Int8ConvProblem& problem, void* workspace, cudaStream_t stream) {
  return PointwiseConfigs<cutlass::epilogue::thread::ReLu, int8_t>::run(config - kFirstPointwiseConfig, problem,
                                                                        workspace, stream);
}

}  // namespace cutlass_conv
}  // namespace cuda
}  // namespace trt
