// The CUTLASS INT8 convolutions' checks and dispatch (cutlass_conv.h). Host code without CUTLASS headers: the
// kernels are in cutlass/, compiled for sm_90a where the pinned CUTLASS headers were found.
#ifdef TORCHTRT_WITH_CUDA
#include "backends/cuda/cutlass_conv.h"

#include <atomic>
#include <climits>
#include <initializer_list>

#include "backends/cuda/cutlass_gemm.h"

namespace trt {
namespace cuda {

namespace {
std::atomic<int64_t> launched{0};
}  // namespace

int64_t int8ConvRuns() { return launched.load(std::memory_order_relaxed); }

#ifdef TORCHTRT_WITH_CUTLASS
namespace {
// What every configuration needs: positive int32 extents, input channels a multiple of 16 and output channels of
// 8 (TMA's and the FP16 epilogue's 16-byte vectors), 16-byte aligned addresses, a per-channel scale.
bool takes(const Int8ConvProblem& p) {
  for (int64_t extent : {p.N, p.H, p.W, p.C, p.K, p.R, p.S, p.P, p.Q})
    if (extent <= 0 || extent > INT32_MAX) return false;
  if (p.C % 16 || p.K % 8 || !p.alpha || !p.input || !p.filter || !p.output) return false;
  // Codes out: 16 of them a vector, after a ReLU (the one such epilogue built). Residual codes into codes out only.
  if (p.codesOut && (p.K % 16 || !p.relu)) return false;
  if (p.residualCodes && (!p.codesOut || !p.residual)) return false;
  // CUTLASS multiplies N * P * Q into the GEMM's rows as an int.
  if (p.N * p.P * p.Q > INT32_MAX || p.N * p.H * p.W > INT32_MAX) return false;
  if (p.padH < 0 || p.padW < 0 || p.strideH <= 0 || p.strideW <= 0 || p.dilationH <= 0 || p.dilationW <= 0)
    return false;
  for (const void* address : {p.input, p.filter, static_cast<const void*>(p.alpha), static_cast<const void*>(p.bias),
                              p.residual, static_cast<const void*>(p.output)})
    if (reinterpret_cast<uintptr_t>(address) % 16) return false;
  return deviceRunsSm90a();
}
}  // namespace

int32_t int8ConvConfigs() { return 11; }

bool int8ConvAvailable() { return deviceRunsSm90a(); }

namespace {
// Configurations 0 to 2 and 6 to 8 are implicit-GEMM convolutions, 3 to 5 and 9 to 10 GEMMs that take 1x1
// convolutions of stride 1 only.
bool isPointwiseConfig(int32_t config) { return config >= 3 && config <= 5; }
// Configurations 9 and 10 are built in units of their own (cutlass/pointwise_int8_*_more.cu).
bool isMorePointwiseConfig(int32_t config) { return config >= 9 && config <= 10; }
// Configurations 6 to 8 are built in units of their own (cutlass/conv_int8_*_few_stages.cu).
bool isFewStageConfig(int32_t config) { return config >= 6 && config <= 8; }

// The kernels of one epilogue kind (cutlass/*.cu): the workspace of a configuration and its launch.
struct Kernels {
  int64_t (*workspace)(int32_t config, const Int8ConvProblem& problem);
  bool (*run)(int32_t config, const Int8ConvProblem& problem, void* workspace, cudaStream_t stream);
};

// The kernels configuration `config` of `problem` runs: an implicit-GEMM convolution or a 1x1 GEMM, by epilogue (codes
// out read their residual as INT8 codes, or none, or as FP16: a kernel each).
Kernels kernelsFor(int32_t config, const Int8ConvProblem& problem) {
  using namespace cutlass_conv;
  const bool fp16Residual = problem.residual && !problem.residualCodes;
  if (isMorePointwiseConfig(config)) {
    if (problem.codesOut)
      return fp16Residual ? Kernels{workspacePointwiseReluCodesFp16ResidualMore, runPointwiseReluCodesFp16ResidualMore}
                          : Kernels{workspacePointwiseReluCodesMore, runPointwiseReluCodesMore};
    return problem.relu ? Kernels{workspacePointwiseReluMore, runPointwiseReluMore}
                        : Kernels{workspacePointwiseLinearMore, runPointwiseLinearMore};
  }
  if (isPointwiseConfig(config)) {
    if (problem.codesOut)
      return fp16Residual ? Kernels{workspacePointwiseReluCodesFp16Residual, runPointwiseReluCodesFp16Residual}
                          : Kernels{workspacePointwiseReluCodes, runPointwiseReluCodes};
    return problem.relu ? Kernels{workspacePointwiseRelu, runPointwiseRelu}
                        : Kernels{workspacePointwiseLinear, runPointwiseLinear};
  }
  if (isFewStageConfig(config)) {
    if (problem.codesOut)
      return fp16Residual ? Kernels{workspaceReluCodesFp16ResidualFewStages, runReluCodesFp16ResidualFewStages}
                          : Kernels{workspaceReluCodesFewStages, runReluCodesFewStages};
    return problem.relu ? Kernels{workspaceReluFewStages, runReluFewStages}
                        : Kernels{workspaceLinearFewStages, runLinearFewStages};
  }
  if (problem.codesOut)
    return fp16Residual ? Kernels{workspaceReluCodesFp16Residual, runReluCodesFp16Residual}
                        : Kernels{workspaceReluCodes, runReluCodes};
  return problem.relu ? Kernels{workspaceRelu, runRelu} : Kernels{workspaceLinear, runLinear};
}
}  // namespace

int64_t int8ConvWorkspace(int32_t config, const Int8ConvProblem& problem) {
  if (config < 0 || config >= int8ConvConfigs() || !takes(problem)) return -1;
  return kernelsFor(config, problem).workspace(config, problem);
}

bool runInt8Conv(int32_t config, const Int8ConvProblem& problem, void* workspace, cudaStream_t stream) {
  if (config < 0 || config >= int8ConvConfigs() || !takes(problem)) return false;
  const bool ran = kernelsFor(config, problem).run(config, problem, workspace, stream);
  if (ran) launched.fetch_add(1, std::memory_order_relaxed);
  return ran;
}
#else
int32_t int8ConvConfigs() { return 0; }
bool int8ConvAvailable() { return false; }
int64_t int8ConvWorkspace(int32_t, const Int8ConvProblem&) { return -1; }
bool runInt8Conv(int32_t, const Int8ConvProblem&, void*, cudaStream_t) { return false; }
#endif

std::string int8ConvConfigName(int32_t config) {
  switch (config) {
    case 0:
      return "CUTLASS sm90 INT8 implicit GEMM 128x128x128, scale + bias epilogue";
    case 1:
      return "CUTLASS sm90 INT8 implicit GEMM 128x64x128, scale + bias epilogue";
    case 2:
      return "CUTLASS sm90 INT8 implicit GEMM 128x64x64, scale + bias epilogue";
    case 3:
      return "CUTLASS sm90 INT8 GEMM (1x1 convolution) 128x128x128 ping-pong, scale + bias epilogue";
    case 4:
      return "CUTLASS sm90 INT8 GEMM (1x1 convolution) 128x64x128 ping-pong, scale + bias epilogue";
    case 5:
      return "CUTLASS sm90 INT8 GEMM (1x1 convolution) 256x128x128 cooperative, scale + bias epilogue";
    case 6:
      return "CUTLASS sm90 INT8 implicit GEMM 128x64x64, 4 stages, scale + bias epilogue";
    case 7:
      return "CUTLASS sm90 INT8 implicit GEMM 128x64x128, 3 stages, scale + bias epilogue";
    case 8:
      return "CUTLASS sm90 INT8 implicit GEMM 64x128x128, 4 stages, scale + bias epilogue";
    case 9:
      return "CUTLASS sm90 INT8 GEMM (1x1 convolution) 128x128x64 ping-pong, scale + bias epilogue";
    default:
      return "CUTLASS sm90 INT8 GEMM (1x1 convolution) 128x256x64 cooperative, scale + bias epilogue";
  }
}

}  // namespace cuda
}  // namespace trt
#endif  // TORCHTRT_WITH_CUDA
