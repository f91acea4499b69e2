// The activation functions of the CUDA kernels, in float: the activation layer's kernels and the
// epilogues that fold an activation into the layer before it (convolutions) share one definition.
#pragma once

#include <cuda_runtime.h>

#include "common/activation_kinds.h"
#include "common/gelu_erf.h"
#include "trt/types.h"

namespace trt {
namespace cuda {

//! `v` through the activation in float, for a result then stored as `Stored`. 16-bit results take the exact GELU
//! through common/gelu_erf.h's polynomial (within 2.5e-6 of the exact GELU, two thirds of erff's instructions: the
//! GELU epilogues and passes of 16-bit engines were compute-bound on erff); float32 results keep erff. Every kernel
//! that writes a GELU to 16 bits computes this one function (here, or geluErfPolynomial itself in the CUTLASS
//! epilogue), so that an FP8 quantization with the GELU folded in writes the codes of the separate GELU
//! layer's stored values. (A GELU fused into a product's or convolution's epilogue reads the unrounded sum, as
//! before.) No default for Stored: a new caller says what it stores.
template <typename Stored>
__device__ __forceinline__ float activate(ActivationType type, float alpha, float beta, float v) {
  if constexpr (sizeof(Stored) == 2)
    if (type == ActivationType::kGELU_ERF) return geluErfPolynomial(v);
  switch (type) {
    case ActivationType::kRELU:
      return v < 0.f ? 0.f : v;  // PyTorch's: NaN and -0 stay
    case ActivationType::kSIGMOID:
      return 1.f / (1.f + expf(-v));
    case ActivationType::kTANH:
      return tanhf(v);
    case ActivationType::kLEAKY_RELU:
      return v > 0.f ? v : alpha * v;  // a zero takes alpha's sign too
    case ActivationType::kELU:
      return v < 0.f ? alpha * expm1f(v) : v;  // PyTorch's: zeros stay, whatever alpha's sign
    case ActivationType::kSELU:
      return beta * (v > 0.f ? v : alpha * expm1f(v));
    case ActivationType::kSOFTSIGN:
      return v / (1.f + fabsf(v));
    case ActivationType::kSOFTPLUS: {
      float z = beta * v;
      return alpha * (z > 20.f ? z : log1pf(expf(z)));
    }
    case ActivationType::kCLIP:
      return isnan(v) ? v : fminf(fmaxf(v, alpha), beta);
    case ActivationType::kHARD_SIGMOID:
      return isnan(v) ? v : fmaxf(0.f, fminf(1.f, alpha * v + beta));
    case ActivationType::kSCALED_TANH:
      return alpha * tanhf(beta * v);
    case ActivationType::kTHRESHOLDED_RELU:
      return v > alpha ? v : 0.f;
    case ActivationType::kGELU_ERF:
      return 0.5f * v * (1.f + erff(v * 0.70710678118654752f));
    case ActivationType::kGELU_TANH:
      return 0.5f * v * (1.f + tanhf(0.79788456080286536f * (v + 0.044715f * v * v * v)));
    case ActivationType::kSILU:  // PyTorch's form (and the CPU reference's): x / (1 + exp(-x))
      return v / (1.f + expf(-v));
    case ActivationType::kHARD_SWISH:
      return v * fminf(fmaxf(v + 3.f, 0.f), 6.f) / 6.f;
  }
  return v;
}

//! v, or a layer's fused activation of v (the epilogues of convolutions), for a result stored as `Stored`.
template <typename Stored>
__device__ __forceinline__ float applyFused(const FusedActivation& a, float v) {
  return a.type < 0 ? v : activate<Stored>(static_cast<ActivationType>(a.type), a.alpha, a.beta, v);
}

struct Activate {
  ActivationType type;
  float alpha, beta;
  //! For a result stored as `Stored` (activate's rule for 16-bit GELUs).
  template <typename Stored>
  __device__ float as(float v) const {
    return activate<Stored>(type, alpha, beta, v);
  }
  //! For a float32 result (16-bit passes take as<T>).
  __device__ float operator()(float v) const { return activate<float>(type, alpha, beta, v); }
};

//! One activation fixed at compile time, for a result stored as `Stored`: the kernel holds its math only. BERT's
//! exact GELU pass ran at half the bandwidth through Activate's switch over every kind.
template <ActivationType Kind, typename Stored>
struct ActivateAs {
  float alpha, beta;
  __device__ float operator()(float v) const { return activate<Stored>(Kind, alpha, beta, v); }
};

}  // namespace cuda
}  // namespace trt
