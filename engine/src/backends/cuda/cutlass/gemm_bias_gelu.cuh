// One CUTLASS 3 kernel per (16-bit type, tile configuration): D = GELU_erf(alpha * A * B^T + bias (+ C)); the
// template (GemmBiasEpilogue) takes any epilogue activation (cutlass/gemm_bias_activation.cuh: SiLU, hard-swish).
// A [M, K] row-major, B [N, K] row-major (CUTLASS's column-major K x N: both operands K-major, the layout
// sm_90's WGMMA reads from shared memory without transposing), C and D [M, N] row-major, bias per column.
// Compiled for sm_90a only (a separate object library): WGMMA and TMA exist on no other target.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "cute/tensor.hpp"
#include "cutlass/cutlass.h"
#include "cutlass/epilogue/collective/collective_builder.hpp"
#include "cutlass/epilogue/fusion/operations.hpp"
#include "cutlass/gemm/collective/collective_builder.hpp"
#include "cutlass/gemm/device/gemm_universal_adapter.h"
#include "cutlass/gemm/kernel/gemm_universal.hpp"

#include "backends/cuda/cutlass/kept_kernels.cuh"
#include "backends/cuda/cutlass_gemm.h"
#include "common/gelu_erf.h"

namespace trt {
namespace cuda {
namespace cutlass_gemm {

// 16-byte vectors of 16-bit elements: TMA's and the epilogue's unit.
constexpr int kAlignment = 8;

using cutlass_kept::packedRows;

// An activation `Op` (a functor on float) in CUTLASS's activation functor shape: Sm90Compute instantiates it on its
// compute type (for its arguments: none) and on fragments of it.
template <typename Op>
struct ElementwiseEpilogue {
  template <typename V>
  struct Fn {
    CUTLASS_HOST_DEVICE V operator()(V const& v) const { return Op{}(v); }
  };
  template <int N>
  struct Fn<cutlass::Array<float, N>> {
    CUTLASS_HOST_DEVICE cutlass::Array<float, N> operator()(cutlass::Array<float, N> const& v) const {
      cutlass::Array<float, N> y;
      CUTLASS_PRAGMA_UNROLL
      for (int i = 0; i < N; ++i) y[i] = Op{}(v[i]);
      return y;
    }
  };
};

// The epilogue's exact GELU, in float, of a value rounded to T next (common/gelu_erf.h): CUTLASS's GELU calls
// erff, whose ~28 instructions an element took about a third of a 128 x 256 tile's time on BERT-base's FFN up.
struct GeluErfOp {
  CUTLASS_HOST_DEVICE float operator()(float v) const { return geluErfPolynomial(v); }
};
template <typename V>
using GeluErfEpilogue = typename ElementwiseEpilogue<GeluErfOp>::template Fn<V>;

// D = Activation(alpha * A * B^T + bias (+ C)): Activation a functor template as CUTLASS's (instantiated on float
// and on fragments of float); EpilogueTile the epilogue's subtile (CUTLASS's choice by default).
template <template <class> class Activation, typename T, typename TileShape, typename ClusterShape,
          typename MainloopSchedule, typename EpilogueSchedule,
          typename EpilogueTile = cutlass::epilogue::collective::EpilogueTileAuto>
struct GemmBiasEpilogue {
  using Fusion = cutlass::epilogue::fusion::LinCombPerColBiasEltAct<Activation, T, float, T, T, float>;
  using Epilogue = typename cutlass::epilogue::collective::CollectiveBuilder<
      cutlass::arch::Sm90, cutlass::arch::OpClassTensorOp, TileShape, ClusterShape, EpilogueTile, float, float, T,
      cutlass::layout::RowMajor, kAlignment, T, cutlass::layout::RowMajor, kAlignment, EpilogueSchedule,
      Fusion>::CollectiveOp;
  using Mainloop = typename cutlass::gemm::collective::CollectiveBuilder<
      cutlass::arch::Sm90, cutlass::arch::OpClassTensorOp, T, cutlass::layout::RowMajor, kAlignment, T,
      cutlass::layout::ColumnMajor, kAlignment, float, TileShape, ClusterShape,
      cutlass::gemm::collective::StageCountAutoCarveout<static_cast<int>(sizeof(typename Epilogue::SharedStorage))>,
      MainloopSchedule>::CollectiveOp;
  using Kernel = cutlass::gemm::kernel::GemmUniversal<cute::Shape<int, int, int, int>, Mainloop, Epilogue>;
  using Gemm = cutlass::gemm::device::GemmUniversalAdapter<Kernel>;

  static typename Gemm::Arguments arguments(const GemmBiasProblem& p) {
    const int M = static_cast<int>(p.M), N = static_cast<int>(p.N), K = static_cast<int>(p.K);
    const auto strideA = packedRows<typename Kernel::StrideA>(K, int64_t(M) * K);
    const auto strideB = packedRows<typename Kernel::StrideB>(K, int64_t(N) * K);
    const auto strideC = packedRows<typename Kernel::StrideC>(N, int64_t(M) * N);
    const auto strideD = packedRows<typename Kernel::StrideD>(N, int64_t(M) * N);
    typename Gemm::Arguments args{};
    args.mode = cutlass::gemm::GemmUniversalMode::kGemm;
    // The persistent grid is sized by the current device's SM count (CUTLASS asks for it at initialization).
    int device = 0;
    if (cudaGetDevice(&device) == cudaSuccess) args.hw_info.device_id = device;
    args.problem_shape = {M, N, K, 1};
    args.mainloop = {static_cast<const T*>(p.A), strideA, static_cast<const T*>(p.B), strideB};
    // Without a residual C is never read (beta 0); D stands in for its address.
    args.epilogue = {{}, static_cast<const T*>(p.residual ? p.residual : p.D), strideC, static_cast<T*>(p.D), strideD};
    args.epilogue.thread.alpha = p.alpha;
    args.epilogue.thread.beta = p.residual ? 1.f : 0.f;
    args.epilogue.thread.bias_ptr = static_cast<const T*>(p.bias);
    return args;
  }

  static int64_t workspace(const GemmBiasProblem& p) { return cutlass_kept::workspaceOrRefusal<Gemm>(arguments(p)); }

  // The initialized GEMM kept by everything its arguments hold (cutlass/kept_kernels.cuh).
  static bool run(const GemmBiasProblem& p, void* workspace, cudaStream_t stream) {
    uint32_t alphaBits = 0;
    std::memcpy(&alphaBits, &p.alpha, sizeof(alphaBits));
    std::vector<int64_t> key;
    return cutlass_kept::keptKey({p.M, p.N, p.K, alphaBits}, {p.A, p.B, p.bias, p.residual, p.D, workspace}, key) &&
           cutlass_kept::runKept<Gemm>(
               key, [&] { return arguments(p); }, workspace, stream, 256);
  }
};

template <typename T, typename TileShape, typename ClusterShape, typename MainloopSchedule, typename EpilogueSchedule,
          typename EpilogueTile = cutlass::epilogue::collective::EpilogueTileAuto>
using GemmBiasGelu =
    GemmBiasEpilogue<GeluErfEpilogue, T, TileShape, ClusterShape, MainloopSchedule, EpilogueSchedule, EpilogueTile>;

using namespace cute;
// Large products (BERT-base's FFN up at batch 64: 8192 x 3072 x 768): two consumer warp groups share a
// 128 x 256 tile, a 2 x 1 cluster multicasts B's tiles.
template <typename T>
using LargeTiles =
    GemmBiasGelu<T, Shape<_128, _256, _64>, Shape<_2, _1, _1>, cutlass::gemm::KernelTmaWarpSpecializedCooperative,
                 cutlass::epilogue::TmaWarpSpecializedCooperative>;
// Short products (Swin-T's MLPs: K 96 to 768, N 384 to 3072): 128 x 128 tiles, each warp group a tile of its own,
// taking turns, so that one tile's epilogue runs under the other's main loop.
template <typename T>
using MediumTiles =
    GemmBiasGelu<T, Shape<_128, _128, _64>, Shape<_1, _1, _1>, cutlass::gemm::KernelTmaWarpSpecializedPingpong,
                 cutlass::epilogue::TmaWarpSpecialized>;
// Few rows (batch 1: 128 x 3072): 64 x 128 tiles, two warp groups taking turns (ping-pong), so that more of the
// SMs get a tile.
template <typename T>
using SmallTiles = GemmBiasGelu<T, Shape<_64, _128, _64>, Shape<_1, _1, _1>,
                                cutlass::gemm::KernelTmaWarpSpecializedPingpong, cutlass::epilogue::TmaWarpSpecialized>;

// Wide rows in turns (configurations 3 and 4, their own files so that they build beside the others): each warp group
// a 64 x 256 tile of its own, the two taking turns, so that one tile's GELU epilogue (with erff, about a third
// of a cooperative 128 x 256 tile's time on BERT-base's FFN up at batch 64: 91 us against cuBLASLt's bare 61) runs
// under the other's main loop; 64 x 256 keeps the widest WGMMA (N 256) and 128 accumulator registers a thread. Without
// and with a 2 x 1 cluster multicasting B's tiles.
template <typename T>
using WideTurns = GemmBiasGelu<T, Shape<_64, _256, _64>, Shape<_1, _1, _1>,
                               cutlass::gemm::KernelTmaWarpSpecializedPingpong, cutlass::epilogue::TmaWarpSpecialized>;
template <typename T>
using WideTurnsPaired =
    GemmBiasGelu<T, Shape<_64, _256, _64>, Shape<_2, _1, _1>, cutlass::gemm::KernelTmaWarpSpecializedPingpong,
                 cutlass::epilogue::TmaWarpSpecialized>;

// Configurations 5 and 6 (their own files, cutlass/gemm_bias_gelu_more_{fp16,bf16}.cu), two more shapes for BERT's FFN
// up-projection (8192 x 3072 x 768 at batch 64), where configuration 0 took 86 us a call against cuBLASLt's ~53 us for
// the same FLOPs with a bias epilogue (session 43's profile): 256 x 128 tiles shared by both warp groups (each a 128 x
// 128 half: half the filter's tile loads per output row), a 1 x 2 cluster multicasting the activations' tiles; and
// configuration 0's tiles with an epilogue subtile of 128 x 64 (fewer, larger stores through shared memory than
// CUTLASS's default subtile).
template <typename T>
using TallTiles =
    GemmBiasGelu<T, Shape<_256, _128, _64>, Shape<_1, _2, _1>, cutlass::gemm::KernelTmaWarpSpecializedCooperative,
                 cutlass::epilogue::TmaWarpSpecializedCooperative>;
template <typename T>
using LargeTilesWideEpilogue =
    GemmBiasGelu<T, Shape<_128, _256, _64>, Shape<_2, _1, _1>, cutlass::gemm::KernelTmaWarpSpecializedCooperative,
                 cutlass::epilogue::TmaWarpSpecializedCooperative, Shape<_128, _64>>;

// The first configuration of the wide-row files, and of the files with configurations 5 and 6.
constexpr int32_t kFirstWideConfig = 3;
constexpr int32_t kFirstMoreConfig = 5;

// The configurations of type T in cutlass_gemm.h's numbering, a list per group of files that builds them, each
// indexed from its group's first: 0 large, 1 small, 2 medium tiles (gemm_bias_gelu_{fp16,bf16}.cu); 3 and 4 the wide
// rows in turns (gemm_bias_gelu_wide_*.cu); 5 and 6 (gemm_bias_gelu_more_*.cu).
template <typename T>
using FirstConfigs = cutlass_kept::KernelList<LargeTiles<T>, SmallTiles<T>, MediumTiles<T>>;
template <typename T>
using WideConfigs = cutlass_kept::KernelList<WideTurns<T>, WideTurnsPaired<T>>;
template <typename T>
using MoreConfigs = cutlass_kept::KernelList<TallTiles<T>, LargeTilesWideEpilogue<T>>;

}  // namespace cutlass_gemm
}  // namespace cuda
}  // namespace trt
