// What the CPU backend's AVX-512 kernels share (softmax_row_avx512.cpp, normalization_rows_avx512.cpp,
// bf16_conversion_avx512.cpp): the intrinsics where the compiler has them (TORCHTRT_CPU_AVX512), and the
// run-time check. The engine is compiled for baseline x86-64; those files' functions carry their own
// target("avx512f") and run only where cpuHasAvx512() says so.
#pragma once

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
// GCC 12's AVX-512 headers start some intrinsics from an intentionally undefined vector
// (_mm512_undefined_ps) and then warn about it where they are inlined.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
#define TORCHTRT_CPU_AVX512 1
#endif

namespace trt {
namespace cpu {

//! Whether the CPU runs AVX-512 (AVX-512F) instructions (asked once).
bool cpuHasAvx512();

}  // namespace cpu
}  // namespace trt
