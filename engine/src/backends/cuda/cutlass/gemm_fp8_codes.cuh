// One CUTLASS 3 kernel per (16-bit type T, tile configuration): E4M3 codes D = q(T(GELU_erf(T(alpha * A * B^T +
// bias))) / s_out) (cutlass_fp8_codes.h). A [M, K] and B [N, K] E4M3 row-major (both K-major, as WGMMA reads FP8
// operands), D [M, N] E4M3 row-major, bias per column of T. The epilogue is a visitor tree of its own: alpha * acc +
// bias in float, then one node that rounds it to T as the product's 16-bit output stored it, applies the GELU and
// rounds again as the quantization kernel does (fp8_codes.cuh's activated<T>: the same functions, so the same bits
// for the same value) and divides by the output scale; the store converts to E4M3 with the hardware's saturating
// rounding, as that kernel does.
// Compiled for sm_90a only (a separate object library).
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "cute/tensor.hpp"
#include "cutlass/cutlass.h"
#include "cutlass/epilogue/collective/collective_builder.hpp"
#include "cutlass/epilogue/fusion/sm90_callbacks_tma_warpspecialized.hpp"
#include "cutlass/gemm/collective/collective_builder.hpp"
#include "cutlass/gemm/device/gemm_universal_adapter.h"
#include "cutlass/gemm/kernel/gemm_universal.hpp"

#include "backends/cuda/activation.cuh"
#include "backends/cuda/cutlass/kept_kernels.cuh"
#include "backends/cuda/cutlass_fp8_codes.h"
#include "backends/cuda/float_types.cuh"

namespace trt {
namespace cuda {
namespace cutlass_fp8 {

// 16-byte vectors: 16 E4M3 codes (TMA's and the store's unit), 8 16-bit bias values.
constexpr int kCodeAlignment = 16;
constexpr int kBiasAlignment = 8;

// The quotient the quantization kernel converts: the value rounded to Stored (the CUDA type the float product would
// have written), through the GELU rounded to Stored again, divided by the output scale (a correctly rounded
// division, as fp8::quantize).
// Sm90Compute takes the functor of the compute type for its Arguments and the functor of a fragment to compute.
template <typename Stored>
struct StoredGeluQuotient {
  struct Arguments {
    float outputScale = 1.f;
  };
  template <typename V>
  struct Op {
    using Arguments = StoredGeluQuotient::Arguments;
  };
  template <int N>
  struct Op<cutlass::Array<float, N>> {
    using Arguments = StoredGeluQuotient::Arguments;
    CUTLASS_DEVICE cutlass::Array<float, N> operator()(cutlass::Array<float, N> const& z, Arguments const& a) const {
      cutlass::Array<float, N> q;
      CUTLASS_PRAGMA_UNROLL
      for (int i = 0; i < N; ++i) {
        const float stored = toFloat(fromFloat<Stored>(z[i]));
        q[i] =
            toFloat(fromFloat<Stored>(activate<Stored>(ActivationType::kGELU_ERF, 0.f, 0.f, stored))) / a.outputScale;
      }
      return q;
    }
  };
};

using cutlass_kept::packedRows;

// Stored: the CUDA 16-bit type of the rounding (__half, __nv_bfloat16); Bias: CUTLASS's type of the same bits.
template <typename Stored, typename Bias, typename TileShape, typename ClusterShape, typename MainloopSchedule,
          typename EpilogueSchedule>
struct GemmFp8Codes {
  using Codes = cutlass::float_e4m3_t;
  static constexpr auto kRound = cutlass::FloatRoundStyle::round_to_nearest;
  // alpha * acc + bias[n], in float.
  using Linear = cutlass::epilogue::fusion::Sm90EVT<
      cutlass::epilogue::fusion::Sm90Compute<cutlass::homogeneous_multiply_add, float, float, kRound>,
      cutlass::epilogue::fusion::Sm90ScalarBroadcast<float, cute::Stride<cute::_0, cute::_0, int64_t>>,
      cutlass::epilogue::fusion::Sm90AccFetch,
      cutlass::epilogue::fusion::Sm90RowBroadcast<0, TileShape, Bias, float, cute::Stride<cute::_0, cute::_1, int64_t>,
                                                  kBiasAlignment>>;
  using Tree = cutlass::epilogue::fusion::Sm90EVT<
      cutlass::epilogue::fusion::Sm90Compute<StoredGeluQuotient<Stored>::template Op, Codes, float, kRound>, Linear>;
  using Epilogue = typename cutlass::epilogue::collective::CollectiveBuilder<
      cutlass::arch::Sm90, cutlass::arch::OpClassTensorOp, TileShape, ClusterShape,
      cutlass::epilogue::collective::EpilogueTileAuto, float, float, void, cutlass::layout::RowMajor, kCodeAlignment,
      Codes, cutlass::layout::RowMajor, kCodeAlignment, EpilogueSchedule, Tree>::CollectiveOp;
  using Mainloop = typename cutlass::gemm::collective::CollectiveBuilder<
      cutlass::arch::Sm90, cutlass::arch::OpClassTensorOp, Codes, cutlass::layout::RowMajor, kCodeAlignment, Codes,
      cutlass::layout::ColumnMajor, kCodeAlignment, float, TileShape, ClusterShape,
      cutlass::gemm::collective::StageCountAutoCarveout<static_cast<int>(sizeof(typename Epilogue::SharedStorage))>,
      MainloopSchedule>::CollectiveOp;
  using Kernel = cutlass::gemm::kernel::GemmUniversal<cute::Shape<int, int, int, int>, Mainloop, Epilogue>;
  using Gemm = cutlass::gemm::device::GemmUniversalAdapter<Kernel>;

  static typename Gemm::Arguments arguments(const Fp8CodesProblem& p) {
    const int M = static_cast<int>(p.M), N = static_cast<int>(p.N), K = static_cast<int>(p.K);
    typename Gemm::Arguments args{};
    args.mode = cutlass::gemm::GemmUniversalMode::kGemm;
    int device = 0;
    if (cudaGetDevice(&device) == cudaSuccess) args.hw_info.device_id = device;
    args.problem_shape = {M, N, K, 1};
    args.mainloop = {static_cast<const Codes*>(p.A), packedRows<typename Kernel::StrideA>(K, int64_t(M) * K),
                     static_cast<const Codes*>(p.B), packedRows<typename Kernel::StrideB>(K, int64_t(N) * K)};
    args.epilogue.ptr_C = nullptr;
    args.epilogue.ptr_D = static_cast<Codes*>(p.D);
    args.epilogue.dD = packedRows<typename Kernel::StrideD>(N, int64_t(M) * N);
    // A tree's arguments are its children's (op_0 ...), then its node's. Linear's: alpha, acc, bias, multiply-add.
    auto& linear = args.epilogue.thread.op_0;
    linear.op_0.scalars[0] = p.alpha;
    linear.op_2.ptr_row = static_cast<const Bias*>(p.bias);
    args.epilogue.thread.op_1.outputScale = p.outputScale;
    return args;
  }

  static int64_t workspace(const Fp8CodesProblem& p) { return cutlass_kept::workspaceOrRefusal<Gemm>(arguments(p)); }

  // The initialized GEMM kept by everything its arguments hold (cutlass/kept_kernels.cuh).
  static bool run(const Fp8CodesProblem& p, void* workspace, cudaStream_t stream) {
    uint32_t alphaBits = 0, scaleBits = 0;
    std::memcpy(&alphaBits, &p.alpha, sizeof(alphaBits));
    std::memcpy(&scaleBits, &p.outputScale, sizeof(scaleBits));
    std::vector<int64_t> key;
    return cutlass_kept::keptKey({p.M, p.N, p.K, alphaBits, scaleBits}, {p.A, p.B, p.bias, p.D, workspace}, key) &&
           cutlass_kept::runKept<Gemm>(
               key, [&] { return arguments(p); }, workspace, stream, 256);
  }
};

using namespace cute;
// FP8 main loops add the tensor cores' partial sums into a second set of float accumulators every few steps (FP8
// accumulation's promotion, as cuBLASLt without fast accumulation): twice the accumulator registers of a 16-bit
// product's, so a warp group's share of a tile stays at 64 x 128 (64 + 64 registers a thread; a 64 x 256 share spilled
// on an H100: 190 and 250 us for BERT-base's FFN up-projection at batch 64, against 78 us for cuBLASLt's GEMM and the
// quantization kernel). Two consumer warp groups share a 128 x 128 tile, a 1 x 2 cluster multicasting A's tiles (the
// shape cuBLASLt's FP8 kernel takes there); FP8's K step of 128 codes is WGMMA's 32 per instruction four times.
template <typename Stored, typename Bias>
using LargeTiles =
    GemmFp8Codes<Stored, Bias, Shape<_128, _128, _128>, Shape<_1, _2, _1>,
                 cutlass::gemm::KernelTmaWarpSpecializedCooperative, cutlass::epilogue::TmaWarpSpecializedCooperative>;
// Each warp group a 64 x 128 tile of its own, taking turns, so that one's GELU epilogue runs under the other's
// main loop.
template <typename Stored, typename Bias>
using WideTurns = GemmFp8Codes<Stored, Bias, Shape<_64, _128, _128>, Shape<_1, _1, _1>,
                               cutlass::gemm::KernelTmaWarpSpecializedPingpong, cutlass::epilogue::TmaWarpSpecialized>;

template <typename Stored, typename Bias>
int64_t workspaceOf(int32_t config, const Fp8CodesProblem& problem) {
  return config == 0 ? LargeTiles<Stored, Bias>::workspace(problem) : WideTurns<Stored, Bias>::workspace(problem);
}

template <typename Stored, typename Bias>
bool runOf(int32_t config, const Fp8CodesProblem& problem, void* workspace, cudaStream_t stream) {
  return config == 0 ? LargeTiles<Stored, Bias>::run(problem, workspace, stream)
                     : WideTurns<Stored, Bias>::run(problem, workspace, stream);
}

}  // namespace cutlass_fp8
}  // namespace cuda
}  // namespace trt
