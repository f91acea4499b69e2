// 1x1 INT8 convolutions of stride 1 and no padding as CUTLASS 3 GEMMs: [N*H*W, C] INT8 rows (NHWC) times the
// [K, C] filter, D [N*H*W, K], with Int8Fprop's epilogue (cutlass/conv_int8.cuh: the same fusion and math, FP16 or
// INT8 codes out). CUTLASS's sm_90 convolutions have one schedule (one consumer warp group, a tile a CTA, the
// epilogue after the main loop); its GEMMs are persistent, with two consumer warp groups that share a tile
// (cooperative) or take turns (ping-pong: one tile's epilogue under the other's main loop, which matters where the
// reduction is 64 to 256 channels, one or two stages). Separate files from the convolutions: CUTLASS's GEMM and
// convolution kernel headers do not build in one translation unit. Compiled for sm_90a only.
#pragma once

#include <cstdint>
#include <type_traits>
#include <vector>

#include "cute/tensor.hpp"
#include "cutlass/cutlass.h"
#include "cutlass/epilogue/collective/collective_builder.hpp"
#include "cutlass/epilogue/fusion/operations.hpp"
#include "cutlass/epilogue/thread/activation.h"
#include "cutlass/gemm/collective/collective_builder.hpp"
#include "cutlass/gemm/device/gemm_universal_adapter.h"
#include "cutlass/gemm/kernel/gemm_universal.hpp"

#include "backends/cuda/cutlass/kept_kernels.cuh"
#include "backends/cuda/cutlass_conv.h"

namespace trt {
namespace cuda {
namespace cutlass_conv {

// 16-byte vectors: 16 INT8 operand elements, 8 FP16 or 16 INT8 output elements.
constexpr int kPointwiseOperandAlignment = 16;

using cutlass_kept::packedRows;

// ElementOut and ElementC as Int8Fprop's.
template <template <class> class Activation, typename TileShape, typename KernelSchedule, typename EpilogueSchedule,
          typename ElementOut, typename ElementC>
struct Int8Pointwise {
  static constexpr int kOutputAlignment = 16 / static_cast<int>(sizeof(ElementOut));
  static constexpr int kResidualAlignment = 16 / static_cast<int>(sizeof(ElementC));
  using Fusion =
      cutlass::epilogue::fusion::PerColLinCombPerColBiasEltAct<Activation, ElementOut, float, float, ElementC, float>;
  using Cluster = cute::Shape<cute::_1, cute::_1, cute::_1>;
  using Epilogue = typename cutlass::epilogue::collective::CollectiveBuilder<
      cutlass::arch::Sm90, cutlass::arch::OpClassTensorOp, TileShape, Cluster,
      cutlass::epilogue::collective::EpilogueTileAuto, int32_t, float, ElementC, cutlass::layout::RowMajor,
      kResidualAlignment, ElementOut, cutlass::layout::RowMajor, kOutputAlignment, EpilogueSchedule,
      Fusion>::CollectiveOp;
  // A: the activations' rows (K-major); B: the filter as CUTLASS's column-major C x K (K-major too).
  using Mainloop = typename cutlass::gemm::collective::CollectiveBuilder<
      cutlass::arch::Sm90, cutlass::arch::OpClassTensorOp, int8_t, cutlass::layout::RowMajor,
      kPointwiseOperandAlignment, int8_t, cutlass::layout::ColumnMajor, kPointwiseOperandAlignment, int32_t, TileShape,
      Cluster,
      cutlass::gemm::collective::StageCountAutoCarveout<static_cast<int>(sizeof(typename Epilogue::SharedStorage))>,
      KernelSchedule>::CollectiveOp;
  using Kernel = cutlass::gemm::kernel::GemmUniversal<cute::Shape<int, int, int, int>, Mainloop, Epilogue>;
  using Gemm = cutlass::gemm::device::GemmUniversalAdapter<Kernel>;

  static typename Gemm::Arguments arguments(const Int8ConvProblem& p) {
    const int M = static_cast<int>(p.N * p.H * p.W), N = static_cast<int>(p.K), K = static_cast<int>(p.C);
    typename Gemm::Arguments args{};
    args.mode = cutlass::gemm::GemmUniversalMode::kGemm;
    // The persistent grid is sized by the current device's SM count (CUTLASS asks for it at initialization).
    int device = 0;
    if (cudaGetDevice(&device) == cudaSuccess) args.hw_info.device_id = device;
    args.problem_shape = {M, N, K, 1};
    args.mainloop = {static_cast<const int8_t*>(p.input), packedRows<typename Kernel::StrideA>(K, int64_t(M) * K),
                     static_cast<const int8_t*>(p.filter), packedRows<typename Kernel::StrideB>(K, int64_t(N) * K)};
    // Without a residual C is never read (beta 0: CUTLASS skips its loads); the output stands in for its address.
    args.epilogue.ptr_C = static_cast<const ElementC*>(p.residual ? p.residual : p.output);
    args.epilogue.dC = packedRows<typename Kernel::StrideC>(N, int64_t(M) * N);
    args.epilogue.ptr_D = static_cast<ElementOut*>(p.output);
    args.epilogue.dD = packedRows<typename Kernel::StrideD>(N, int64_t(M) * N);
    args.epilogue.thread.alpha_ptr = p.alpha;
    args.epilogue.thread.beta = p.residual ? p.residualScale : 0.f;
    args.epilogue.thread.bias_ptr = p.bias;
    return args;
  }

  static int64_t workspace(const Int8ConvProblem& p) {
    return int8ConvIsPointwise(p) ? cutlass_kept::workspaceOrRefusal<Gemm>(arguments(p)) : -1;
  }

  // The initialized GEMM kept by everything its arguments hold (cutlass/kept_kernels.cuh).
  static bool run(const Int8ConvProblem& p, void* workspace, cudaStream_t stream) {
    if (!int8ConvIsPointwise(p)) return false;
    int device = 0;
    if (cudaGetDevice(&device) != cudaSuccess) return false;
    return cutlass_kept::runKept<Gemm>(
        int8ConvKeptKey(device, p, workspace), [&] { return arguments(p); }, workspace, stream, 512);
  }
};

using namespace cute;
// cutlass_conv.h's numbering, after the convolutions' 0 to 2. 3: 128 x 128 tiles, ping-pong; 4: 128 x 64 tiles,
// ping-pong (64 output maps: ResNet's first stage); 5: 256 x 128 tiles, cooperative (both warp groups on a tile:
// half the filter loads per output).
template <template <class> class Activation, typename ElementOut, typename ElementC>
using PingpongTiles128 =
    Int8Pointwise<Activation, Shape<_128, _128, _128>, cutlass::gemm::KernelTmaWarpSpecializedPingpong,
                  cutlass::epilogue::TmaWarpSpecialized, ElementOut, ElementC>;
template <template <class> class Activation, typename ElementOut, typename ElementC>
using PingpongTiles64 =
    Int8Pointwise<Activation, Shape<_128, _64, _128>, cutlass::gemm::KernelTmaWarpSpecializedPingpong,
                  cutlass::epilogue::TmaWarpSpecialized, ElementOut, ElementC>;
template <template <class> class Activation, typename ElementOut, typename ElementC>
using CooperativeTiles256 =
    Int8Pointwise<Activation, Shape<_256, _128, _128>, cutlass::gemm::KernelTmaWarpSpecializedCooperative,
                  cutlass::epilogue::TmaWarpSpecializedCooperative, ElementOut, ElementC>;

// Configurations 9 and 10 (units of their own, cutlass/pointwise_int8_*_more.cu), for the 1x1 layers that ran at about
// twice their bytes' time (ResNet-50's stage-1 64 -> 256 layers with their residual, session 42): 9: 128 x 128 tiles
// 64 deep, ping-pong (the first stage's 64 input channels in one K-tile instead of half a 128-deep one, twice the
// stages elsewhere); 10: 128 x 256 tiles shared by both warp groups (a 256-map layer's outputs in one tile: each block
// of input rows read once).
template <template <class> class Activation, typename ElementOut, typename ElementC>
using PingpongTiles128Shallow =
    Int8Pointwise<Activation, Shape<_128, _128, _64>, cutlass::gemm::KernelTmaWarpSpecializedPingpong,
                  cutlass::epilogue::TmaWarpSpecialized, ElementOut, ElementC>;
template <template <class> class Activation, typename ElementOut, typename ElementC>
using CooperativeTilesWide =
    Int8Pointwise<Activation, Shape<_128, _256, _64>, cutlass::gemm::KernelTmaWarpSpecializedCooperative,
                  cutlass::epilogue::TmaWarpSpecializedCooperative, ElementOut, ElementC>;

// The configurations in cutlass_conv.cpp's numbering, a list per group of units, each indexed from its group's
// first: 3 to 5 (cutlass/pointwise_int8_*.cu), 9 and 10 (cutlass/pointwise_int8_*_more.cu).
constexpr int32_t kFirstPointwiseConfig = 3;
constexpr int32_t kFirstMorePointwiseConfig = 9;
template <template <class> class Activation, typename ElementOut = cutlass::half_t, typename ElementC = ElementOut>
using PointwiseConfigs = cutlass_kept::KernelList<PingpongTiles128<Activation, ElementOut, ElementC>,
                                                  PingpongTiles64<Activation, ElementOut, ElementC>,
                                                  CooperativeTiles256<Activation, ElementOut, ElementC>>;
template <template <class> class Activation, typename ElementOut = cutlass::half_t, typename ElementC = ElementOut>
using MorePointwiseConfigs = cutlass_kept::KernelList<PingpongTiles128Shallow<Activation, ElementOut, ElementC>,
                                                      CooperativeTilesWide<Activation, ElementOut, ElementC>>;

}  // namespace cutlass_conv
}  // namespace cuda
}  // namespace trt
