// The CUTLASS FP8-codes products' checks and dispatch (cutlass_fp8_codes.h). Host code without CUTLASS headers:
// the kernels are in cutlass/, compiled for sm_90a where the pinned CUTLASS headers were found.
#ifdef TORCHTRT_WITH_CUDA
#include "backends/cuda/cutlass_fp8_codes.h"

#include <atomic>
#include <climits>
#include <initializer_list>

#include "backends/cuda/cutlass_gemm.h"

namespace trt {
namespace cuda {

namespace {
std::atomic<int64_t> launched{0};
}  // namespace

int64_t fp8CodesGemmRuns() { return launched.load(std::memory_order_relaxed); }

#ifdef TORCHTRT_WITH_CUTLASS
namespace {
// What every configuration needs: a 16-bit type, int32 extents, K and N in 16-byte rows of codes, 16-byte aligned
// addresses (TMA's rule), a bias, a positive output scale.
bool takes(const Fp8CodesProblem& p) {
  if (p.type != DataType::kHALF && p.type != DataType::kBF16) return false;
  if (p.M <= 0 || p.N <= 0 || p.K <= 0 || p.M > INT32_MAX || p.N > INT32_MAX || p.K > INT32_MAX) return false;
  if (p.N % 16 || p.K % 16 || !p.bias || !(p.outputScale > 0.f)) return false;
  for (const void* address : {p.A, p.B, p.bias, static_cast<const void*>(p.D)})
    if (reinterpret_cast<uintptr_t>(address) % 16) return false;
  return deviceRunsSm90a();
}
}  // namespace

int32_t fp8CodesGemmConfigs() { return 2; }

int64_t fp8CodesGemmWorkspace(int32_t config, const Fp8CodesProblem& problem) {
  if (config < 0 || config >= fp8CodesGemmConfigs() || !takes(problem)) return -1;
  return problem.type == DataType::kHALF ? cutlass_fp8::workspaceHalf(config, problem)
                                         : cutlass_fp8::workspaceBFloat16(config, problem);
}

bool runFp8CodesGemm(int32_t config, const Fp8CodesProblem& problem, void* workspace, cudaStream_t stream) {
  if (config < 0 || config >= fp8CodesGemmConfigs() || !takes(problem)) return false;
  const bool ran = problem.type == DataType::kHALF ? cutlass_fp8::runHalf(config, problem, workspace, stream)
                                                   : cutlass_fp8::runBFloat16(config, problem, workspace, stream);
  if (ran) launched.fetch_add(1, std::memory_order_relaxed);
  return ran;
}
#else
int32_t fp8CodesGemmConfigs() { return 0; }
int64_t fp8CodesGemmWorkspace(int32_t, const Fp8CodesProblem&) { return -1; }
bool runFp8CodesGemm(int32_t, const Fp8CodesProblem&, void*, cudaStream_t) { return false; }
#endif

std::string fp8CodesGemmConfigName(int32_t config) {
  return config == 0 ? "CUTLASS sm90 FP8 128x128x128 cooperative, 1x2 cluster, bias + exact GELU + FP8 codes epilogue"
                     : "CUTLASS sm90 FP8 64x128x128 ping-pong, bias + exact GELU + FP8 codes epilogue";
}

}  // namespace cuda
}  // namespace trt
#endif  // TORCHTRT_WITH_CUDA
