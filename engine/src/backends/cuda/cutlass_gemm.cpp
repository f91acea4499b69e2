// The CUTLASS products' checks and dispatch (cutlass_gemm.h). Host code without CUTLASS headers: the kernels
// are in cutlass/, compiled for sm_90a where the pinned CUTLASS headers were found (TORCHTRT_WITH_CUTLASS).
// A build without the CUDA backend compiles nothing here.
#ifdef TORCHTRT_WITH_CUDA
#include "backends/cuda/cutlass_gemm.h"

#include <atomic>
#include <climits>
#include <initializer_list>

namespace trt {
namespace cuda {

namespace {
std::atomic<int64_t> launched{0};
std::atomic<int64_t> activationLaunched{0};
}  // namespace

int64_t gemmBiasGeluRuns() { return launched.load(std::memory_order_relaxed); }
int64_t gemmBiasActivationRuns() { return activationLaunched.load(std::memory_order_relaxed); }

bool gemmBiasActivationExists(ActivationType activation) {
  return gemmBiasActivationConfigs() > 0 &&
         (activation == ActivationType::kSILU || activation == ActivationType::kHARD_SWISH);
}

#ifdef TORCHTRT_WITH_CUTLASS
// sm_90a code runs on compute capability 9.0 only (H100, H200); asked once per device.
bool deviceRunsSm90a() {
  int device = 0;
  if (cudaGetDevice(&device) != cudaSuccess) return false;
  static std::atomic<int> answers[64] = {};  // 0: not asked, 1: yes, 2: no (threads may ask at once)
  if (device < 0 || device >= 64) return false;
  int answer = answers[device].load(std::memory_order_relaxed);
  if (!answer) {
    int major = 0, minor = 0;
    const bool known = cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device) == cudaSuccess &&
                       cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, device) == cudaSuccess;
    answer = known && major == 9 && minor == 0 ? 1 : 2;
    answers[device].store(answer, std::memory_order_relaxed);
  }
  return answer == 1;
}

namespace {
// What every configuration needs: 16-bit types, int32 extents, 16-byte aligned addresses and rows (TMA's
// rule), a bias.
bool takes(const GemmBiasProblem& p) {
  if (p.type != DataType::kHALF && p.type != DataType::kBF16) return false;
  if (p.M <= 0 || p.N <= 0 || p.K <= 0 || p.M > INT32_MAX || p.N > INT32_MAX || p.K > INT32_MAX) return false;
  if (p.N % 8 || p.K % 8 || !p.bias) return false;
  for (const void* address : {p.A, p.B, p.bias, p.residual, static_cast<const void*>(p.D)})
    if (reinterpret_cast<uintptr_t>(address) % 16) return false;
  return deviceRunsSm90a();
}
}  // namespace

int32_t gemmBiasGeluConfigs() { return 7; }

int64_t gemmBiasGeluWorkspace(int32_t config, const GemmBiasProblem& problem) {
  if (config < 0 || config >= gemmBiasGeluConfigs() || !takes(problem)) return -1;
  return problem.type == DataType::kHALF ? cutlass_gemm::workspaceHalf(config, problem)
                                         : cutlass_gemm::workspaceBFloat16(config, problem);
}

bool runGemmBiasGelu(int32_t config, const GemmBiasProblem& problem, void* workspace, cudaStream_t stream) {
  if (config < 0 || config >= gemmBiasGeluConfigs() || !takes(problem)) return false;
  const bool ran = problem.type == DataType::kHALF ? cutlass_gemm::runHalf(config, problem, workspace, stream)
                                                   : cutlass_gemm::runBFloat16(config, problem, workspace, stream);
  if (ran) launched.fetch_add(1, std::memory_order_relaxed);
  return ran;
}
int32_t gemmBiasActivationConfigs() { return 3; }

int64_t gemmBiasActivationWorkspace(ActivationType activation, int32_t config, const GemmBiasProblem& problem) {
  if (!gemmBiasActivationExists(activation) || config < 0 || config >= gemmBiasActivationConfigs() || !takes(problem))
    return -1;
  const bool half = problem.type == DataType::kHALF;
  if (activation == ActivationType::kSILU)
    return half ? cutlass_gemm::workspaceSiluHalf(config, problem)
                : cutlass_gemm::workspaceSiluBFloat16(config, problem);
  return half ? cutlass_gemm::workspaceHardSwishHalf(config, problem)
              : cutlass_gemm::workspaceHardSwishBFloat16(config, problem);
}

bool runGemmBiasActivation(ActivationType activation, int32_t config, const GemmBiasProblem& problem, void* workspace,
                           cudaStream_t stream) {
  if (!gemmBiasActivationExists(activation) || config < 0 || config >= gemmBiasActivationConfigs() || !takes(problem))
    return false;
  const bool half = problem.type == DataType::kHALF;
  bool ran = false;
  if (activation == ActivationType::kSILU)
    ran = half ? cutlass_gemm::runSiluHalf(config, problem, workspace, stream)
               : cutlass_gemm::runSiluBFloat16(config, problem, workspace, stream);
  else
    ran = half ? cutlass_gemm::runHardSwishHalf(config, problem, workspace, stream)
               : cutlass_gemm::runHardSwishBFloat16(config, problem, workspace, stream);
  if (ran) activationLaunched.fetch_add(1, std::memory_order_relaxed);
  return ran;
}
#else
bool deviceRunsSm90a() { return false; }
int32_t gemmBiasGeluConfigs() { return 0; }
int64_t gemmBiasGeluWorkspace(int32_t, const GemmBiasProblem&) { return -1; }
bool runGemmBiasGelu(int32_t, const GemmBiasProblem&, void*, cudaStream_t) { return false; }
int32_t gemmBiasActivationConfigs() { return 0; }
int64_t gemmBiasActivationWorkspace(ActivationType, int32_t, const GemmBiasProblem&) { return -1; }
bool runGemmBiasActivation(ActivationType, int32_t, const GemmBiasProblem&, void*, cudaStream_t) { return false; }
#endif

std::string gemmBiasActivationConfigName(ActivationType activation, int32_t config) {
  const std::string epilogue = activation == ActivationType::kSILU         ? "bias + SiLU epilogue"
                               : activation == ActivationType::kHARD_SWISH ? "bias + hard-swish epilogue"
                                                                           : "bias + activation epilogue";
  return config == 0   ? "CUTLASS sm90 128x128x64 ping-pong, " + epilogue
         : config == 1 ? "CUTLASS sm90 128x256x64 cooperative, 2x1 cluster, " + epilogue
                       : "CUTLASS sm90 64x128x64 ping-pong, " + epilogue;
}

std::string gemmBiasGeluConfigName(int32_t config) {
  return config == 0   ? "CUTLASS sm90 128x256x64 cooperative, bias + exact GELU epilogue"
         : config == 1 ? "CUTLASS sm90 64x128x64 ping-pong, bias + exact GELU epilogue"
         : config == 2 ? "CUTLASS sm90 128x128x64 ping-pong, bias + exact GELU epilogue"
         : config == 3 ? "CUTLASS sm90 64x256x64 ping-pong, bias + exact GELU epilogue"
         : config == 4 ? "CUTLASS sm90 64x256x64 ping-pong, 2x1 cluster, bias + exact GELU epilogue"
         : config == 5 ? "CUTLASS sm90 256x128x64 cooperative, 1x2 cluster, bias + exact GELU epilogue"
                       : "CUTLASS sm90 128x256x64 cooperative, 2x1 cluster, 128x64 epilogue subtile, bias + exact GELU "
                         "epilogue";
}

}  // namespace cuda
}  // namespace trt
#endif  // TORCHTRT_WITH_CUDA
