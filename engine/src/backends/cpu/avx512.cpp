#include "backends/cpu/avx512.h"

namespace trt {
namespace cpu {

bool cpuHasAvx512() {
#ifdef TORCHTRT_CPU_AVX512
  static const bool has = __builtin_cpu_supports("avx512f");
  return has;
#else
  return false;
#endif
}

}  // namespace cpu
}  // namespace trt
