// The channels-last 1x1 convolutions' products with an activation cuBLASLt's epilogue lacks (cutlass_gemm.h's
// runGemmBiasActivation): D = act(A * B^T + bias (+ C)) for SiLU (EfficientNet's expansions) and hard-swish
// (MobileNetV3's), in gemm_bias_gelu.cuh's kernel template. Without them the convolution writes its output, then an
// activation pass reads and writes it again. The math is activation.cuh's, in float on the unrounded sum (as every
// epilogue the engine fuses). Compiled for sm_90a only.
#pragma once

#include "backends/cuda/cutlass/gemm_bias_gelu.cuh"

namespace trt {
namespace cuda {
namespace cutlass_gemm {

// PyTorch's form (activation.cuh's kSILU): x / (1 + exp(-x)).
struct SiluOp {
  CUTLASS_HOST_DEVICE float operator()(float v) const { return v / (1.f + expf(-v)); }
};
// activation.cuh's kHARD_SWISH: x * min(max(x + 3, 0), 6) / 6 (a NaN stays NaN).
struct HardSwishOp {
  CUTLASS_HOST_DEVICE float operator()(float v) const { return v * fminf(fmaxf(v + 3.f, 0.f), 6.f) / 6.f; }
};
template <typename V>
using SiluEpilogue = typename ElementwiseEpilogue<SiluOp>::template Fn<V>;
template <typename V>
using HardSwishEpilogue = typename ElementwiseEpilogue<HardSwishOp>::template Fn<V>;

using namespace cute;
// cutlass_gemm.h's numbering of each activation's configurations. 0: 128 x 128 tiles, the two warp groups taking
// turns (one tile's epilogue under the other's main loop: the convolutions reduce over 16 to 960 channels, a few
// main-loop steps, so the epilogue is much of a tile's time); 1: 128 x 256 tiles shared by both warp groups, a 2 x 1
// cluster multicasting the filter's tiles (wide layers: 672 to 1280 output channels); 2: 64 x 128 tiles in turns
// (few rows: batch 1's late layers, 7 x 7 maps).
template <template <class> class Activation, typename T>
using ActivationTurns128 =
    GemmBiasEpilogue<Activation, T, Shape<_128, _128, _64>, Shape<_1, _1, _1>,
                     cutlass::gemm::KernelTmaWarpSpecializedPingpong, cutlass::epilogue::TmaWarpSpecialized>;
template <template <class> class Activation, typename T>
using ActivationShared256 = GemmBiasEpilogue<Activation, T, Shape<_128, _256, _64>, Shape<_2, _1, _1>,
                                             cutlass::gemm::KernelTmaWarpSpecializedCooperative,
                                             cutlass::epilogue::TmaWarpSpecializedCooperative>;
template <template <class> class Activation, typename T>
using ActivationTurns64 =
    GemmBiasEpilogue<Activation, T, Shape<_64, _128, _64>, Shape<_1, _1, _1>,
                     cutlass::gemm::KernelTmaWarpSpecializedPingpong, cutlass::epilogue::TmaWarpSpecialized>;

// The configurations of each activation, in that numbering (cutlass_gemm.cpp's gemmBiasActivationConfigs).
template <template <class> class Activation, typename T>
using ActivationConfigs =
    cutlass_kept::KernelList<ActivationTurns128<Activation, T>, ActivationShared256<Activation, T>,
                             ActivationTurns64<Activation, T>>;

}  // namespace cutlass_gemm
}  // namespace cuda
}  // namespace trt
