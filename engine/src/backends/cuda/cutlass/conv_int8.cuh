// One CUTLASS 3 implicit-GEMM convolution per (epilogue activation, tile configuration, output type): INT8 NHWC
// activations (the GEMM's M = N*P*Q rows, loaded by TMA in im2col mode), INT8 [K, R, S, C] filters (N = K
// columns, K-major), INT32 sums, and D = act(alpha[k] * sum + bias[k] + beta * C) in FP16 NHWC, alpha, bias and
// the math float32; or D as INT8 codes (cvt.rni.sat: round half to even, saturated to [-128, 127], as
// common/int8.h), alpha, bias and beta then divided by the output's scale, C FP16 or INT8 codes. Compiled for
// sm_90a only (a separate object library), as cutlass/gemm_bias_gelu.cuh.
#pragma once

#include <algorithm>
#include <cstdint>
#include <type_traits>
#include <vector>

// First: the convolution headers use it without including it (a block of its own, kept first by clang-format).
#include "cutlass/kernel_hardware_info.hpp"

#include "cute/tensor.hpp"
#include "cutlass/conv/collective/collective_builder.hpp"
#include "cutlass/conv/convnd_problem_shape.hpp"
#include "cutlass/conv/device/conv_universal_adapter.hpp"
#include "cutlass/conv/dispatch_policy.hpp"
#include "cutlass/conv/kernel/conv_universal.hpp"
#include "cutlass/cutlass.h"
#include "cutlass/epilogue/collective/collective_builder.hpp"
#include "cutlass/epilogue/fusion/operations.hpp"
#include "cutlass/epilogue/thread/activation.h"

#include "backends/cuda/cutlass/kept_kernels.cuh"
#include "backends/cuda/cutlass_conv.h"

namespace trt {
namespace cuda {
namespace cutlass_conv {

// 16-byte vectors: 16 INT8 elements of the operands (and of an INT8 output), 8 FP16 elements of an FP16 output and
// its residual.
constexpr int kOperandAlignment = 16;

// `Base` launched with room for `MinBlocks` CTAs a multiprocessor: CUTLASS's device_kernel takes its launch bounds
// from the kernel's MinBlocksPerMultiprocessor (1 for its convolutions), so ptxas caps the registers at 65536 /
// (MinBlocks * threads): 128 for two 256-thread CTAs, which the codes-out epilogues exceed by a few otherwise.
template <class Base, int MinBlocks>
struct WithMinBlocks : Base {
  static constexpr uint32_t MinBlocksPerMultiprocessor = MinBlocks;
};

// ElementOut: cutlass::half_t (FP16 output) or int8_t (codes); ElementC, the residual's: FP16, or INT8 codes (codes
// out only). Without a residual beta is 0 and the epilogue loads no C (CUTLASS asks the scalar at run time).
// Stages: the main loop's pipeline depth; 0 fills the shared memory the epilogue leaves (one CTA a multiprocessor),
// a fixed count leaves room for two or three CTAs, whose prologues and epilogues then overlap each other's main
// loops (a kernel of one tile a CTA has no other overlap: a 3x3 layer of 64 channels reduces 9 stages a tile).
template <template <class> class Activation, typename TileShape, typename ElementOut = cutlass::half_t,
          typename ElementC = ElementOut, int Stages = 0>
struct Int8Fprop {
  static constexpr int kOutputAlignment = 16 / static_cast<int>(sizeof(ElementOut));
  static constexpr int kResidualAlignment = 16 / static_cast<int>(sizeof(ElementC));
  using Fusion =
      cutlass::epilogue::fusion::PerColLinCombPerColBiasEltAct<Activation, ElementOut, float, float, ElementC, float>;
  using Epilogue = typename cutlass::epilogue::collective::CollectiveBuilder<
      cutlass::arch::Sm90, cutlass::arch::OpClassTensorOp, TileShape, cute::Shape<cute::_1, cute::_1, cute::_1>,
      cutlass::epilogue::collective::EpilogueTileAuto, int32_t, float, ElementC, cutlass::layout::TensorNHWC,
      kResidualAlignment, ElementOut, cutlass::layout::TensorNHWC, kOutputAlignment,
      cutlass::epilogue::TmaWarpSpecialized, Fusion>::CollectiveOp;
  // The one sm_90 schedule CUTLASS's convolutions have: a producer warp group issuing TMA loads, a consumer warp
  // group issuing WGMMA, one tile a CTA (not persistent).
  using Mainloop = typename cutlass::conv::collective::CollectiveBuilder<
      cutlass::arch::Sm90, cutlass::arch::OpClassTensorOp, cutlass::conv::Operator::kFprop, int8_t,
      cutlass::layout::TensorNHWC, kOperandAlignment, int8_t, cutlass::layout::TensorNHWC, kOperandAlignment, int32_t,
      TileShape, cute::Shape<cute::_1, cute::_1, cute::_1>,
      std::conditional_t<
          Stages == 0,
          cutlass::conv::collective::StageCountAutoCarveout<static_cast<int>(sizeof(typename Epilogue::SharedStorage))>,
          cutlass::conv::collective::StageCount<Stages>>,
      cutlass::conv::KernelImplicitTmaWarpSpecializedSm90>::CollectiveOp;
  using ProblemShape = cutlass::conv::ConvProblemShape<cutlass::conv::Operator::kFprop, 2>;
  using Kernel =
      std::conditional_t<Stages == 0, cutlass::conv::kernel::ConvUniversal<ProblemShape, Mainloop, Epilogue>,
                         WithMinBlocks<cutlass::conv::kernel::ConvUniversal<ProblemShape, Mainloop, Epilogue>, 2>>;
  using Conv = cutlass::conv::device::ConvUniversalAdapter<Kernel>;

  static typename Conv::Arguments arguments(const Int8ConvProblem& p) {
    const int N = static_cast<int>(p.N), H = static_cast<int>(p.H), W = static_cast<int>(p.W),
              C = static_cast<int>(p.C), K = static_cast<int>(p.K), R = static_cast<int>(p.R),
              S = static_cast<int>(p.S);
    const ProblemShape shape(cutlass::conv::Mode::kCrossCorrelation, {N, H, W, C}, {K, R, S, C}, {p.padH, p.padW},
                             {upperPadding(p.H, p.R, p.P, p.padH, p.strideH, p.dilationH),
                              upperPadding(p.W, p.S, p.Q, p.padW, p.strideW, p.dilationW)},
                             {p.strideH, p.strideW}, {p.dilationH, p.dilationW}, 1);
    // The output's (and residual's) strides of Q, P and N, K elements per position: a dense [N, P, Q, K].
    typename Kernel::StrideC strideC{};
    typename Kernel::StrideD strideD{};
    cute::for_each(cute::make_seq<cute::rank<0>(typename Kernel::StrideC{})>{}, [&](auto i) {
      cute::get<0, i>(strideC) = shape.stride_C[ProblemShape::RankT - 2 - i];
      cute::get<0, i>(strideD) = shape.stride_C[ProblemShape::RankT - 2 - i];
    });
    typename Conv::Arguments args{};
    args.problem_shape = shape;
    int device = 0;
    if (cudaGetDevice(&device) == cudaSuccess) args.hw_info.device_id = device;
    args.mainloop = {static_cast<const int8_t*>(p.input), static_cast<const int8_t*>(p.filter)};
    // Without a residual C is never read (beta 0: CUTLASS skips its loads); the output stands in for its address.
    args.epilogue.ptr_C = static_cast<const ElementC*>(p.residual ? p.residual : p.output);
    args.epilogue.dC = strideC;
    args.epilogue.ptr_D = static_cast<ElementOut*>(p.output);
    args.epilogue.dD = strideD;
    args.epilogue.thread.alpha_ptr = p.alpha;
    args.epilogue.thread.beta = p.residual ? p.residualScale : 0.f;
    args.epilogue.thread.bias_ptr = p.bias;
    return args;
  }

  // The padding after the last row that makes CUTLASS's output extent P = (H + lower + upper - dilated window) /
  // stride + 1 the layer's. PyTorch pads both sides alike and its floor division may leave the last rows unread
  // (a 1x1 stride-2 projection of 56 rows): then none, which gives the same P (the rows needed end inside).
  static int upperPadding(int64_t in, int64_t window, int64_t out, int32_t lower, int32_t stride, int32_t dilation) {
    const int64_t dilated = (window - 1) * dilation + 1;
    return static_cast<int>(std::max<int64_t>(0, (out - 1) * stride + dilated - in - lower));
  }

  static int64_t workspace(const Int8ConvProblem& p) { return cutlass_kept::workspaceOrRefusal<Conv>(arguments(p)); }

  // The initialized kernel kept by everything its arguments hold (cutlass/kept_kernels.cuh).
  static bool run(const Int8ConvProblem& p, void* workspace, cudaStream_t stream) {
    int device = 0;
    if (cudaGetDevice(&device) != cudaSuccess) return false;
    return cutlass_kept::runKept<Conv>(
        int8ConvKeptKey(device, p, workspace), [&] { return arguments(p); }, workspace, stream, 512);
  }
};

using namespace cute;
// The reduction mode of a convolution tile is a shape of its own (C, R, S are folded into it).
// cutlass_conv.h's numbering. 0: 128 x 128 tiles, 128 bytes of the reduction a stage (the 128-byte swizzle);
// 1: 128 x 64 tiles, for layers of 64 output maps (ResNet's first stage), which would leave half a 128-wide tile
// empty; 2: 128 x 64 tiles reducing 64 channels a stage, for layers of 64 input channels, whose 128-channel
// stages would be half zeros (TMA fills the channels past C). Configurations 3 to 5: cutlass/pointwise_int8.cuh.
// 6 and 7: the shapes of 2 and 1 with 4 and 3 stages, 8: 64 x 128 tiles with 4 (two CTAs a multiprocessor, above:
// 108 registers a thread at 128 x 64, 168 at 128 x 128, which leaves one).
// The configurations in two groups, a translation unit each per epilogue (cutlass/conv_int8_*.cu and
// conv_int8_*_few_stages.cu): 0 to 2 (one CTA a multiprocessor) and 6 to 8 (few stages, two CTAs), so that no unit
// compiles six of them (a unit of six was the GPU machine's slowest build target).
enum class ConfigGroup { kOneCta, kFewStages };

template <ConfigGroup Group, template <class> class Activation, typename ElementOut, typename ElementC, typename Visit>
auto withConfig(int32_t config, Visit visit) {
  if constexpr (Group == ConfigGroup::kOneCta) {
    switch (config) {
      case 0:
        return visit(Int8Fprop<Activation, Shape<_128, _128, Shape<_128>>, ElementOut, ElementC>{});
      case 1:
        return visit(Int8Fprop<Activation, Shape<_128, _64, Shape<_128>>, ElementOut, ElementC>{});
      default:
        return visit(Int8Fprop<Activation, Shape<_128, _64, Shape<_64>>, ElementOut, ElementC>{});
    }
  } else {
    switch (config) {
      case 6:
        return visit(Int8Fprop<Activation, Shape<_128, _64, Shape<_64>>, ElementOut, ElementC, 4>{});
      case 7:
        return visit(Int8Fprop<Activation, Shape<_128, _64, Shape<_128>>, ElementOut, ElementC, 3>{});
      default:
        return visit(Int8Fprop<Activation, Shape<_64, _128, Shape<_128>>, ElementOut, ElementC, 4>{});
    }
  }
}

template <ConfigGroup Group, template <class> class Activation, typename ElementOut = cutlass::half_t,
          typename ElementC = ElementOut>
int64_t workspaceOf(int32_t config, const Int8ConvProblem& problem) {
  return withConfig<Group, Activation, ElementOut, ElementC>(
      config, [&](auto fprop) { return decltype(fprop)::workspace(problem); });
}

template <ConfigGroup Group, template <class> class Activation, typename ElementOut = cutlass::half_t,
          typename ElementC = ElementOut>
bool runOf(int32_t config, const Int8ConvProblem& problem, void* workspace, cudaStream_t stream) {
  return withConfig<Group, Activation, ElementOut, ElementC>(
      config, [&](auto fprop) { return decltype(fprop)::run(problem, workspace, stream); });
}

}  // namespace cutlass_conv
}  // namespace cuda
}  // namespace trt
