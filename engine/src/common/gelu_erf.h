// The exact (erf) GELU for results rounded to 16 bits: x * Phi(x), Phi the normal distribution function, through
// one polynomial and one exp2 instead of erff. CUDA 13's erff selects between two polynomials coefficient by
// coefficient (28 PTX arithmetic instructions with the GELU around it, against 20 here), and that arithmetic made
// the GELU epilogue of BERT's FFN product and the 16-bit GELU pass compute-bound (86.5 us against cuBLASLt's bare
// 61; the pass at twice its bytes' time). Shared by the CUDA kernels and the CPU test that bounds its error.
#pragma once

#include <cmath>

#include "common/host_device.h"

namespace trt {

//! Beyond this |x| the polynomial is not fitted: Phi(-6) ~ 1e-9 is below float's resolution next to 1 and
//! float16's smallest subnormal next to x, so x * (1 - Phi(-|x|)) is x and x * Phi(-|x|) is taken as 0. (bfloat16
//! could hold the ~1e-9 |x| there; PyTorch's float erff formula gives 0 already from x = -5.4.)
constexpr float kGeluErfFitLimit = 6.f;

//! x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)), within 2.5e-6 of it relative for |x| in [1e-20, 5] (float32 erff's
//! formula loses more to 1 + erf's cancellation below x = -3). Not correctly rounded: for float16 and bfloat16
//! outputs and FP8 codes, where 2.5e-6 is a hundredth of a rounding step; float32 results keep erff.
//! Method: log2 Phi(-a) for a = |x| in [0, 6], fitted by a Chebyshev series of degree 10 (error 6e-7 in log2 with the
//! float coefficients), in monomial form evaluated by Horner; Phi(x) = 1 - Phi(-a) for x >= 0, else Phi(-a). NaN
//! propagates through the final product; GELU(-inf) is NaN, as PyTorch's -inf * 0.
TRT_HOST_DEVICE inline float geluErfPolynomial(float x) {
  // Branch-free: the polynomial reads |x| clamped to the fit (NaN reads 6) and the tail past the fit is multiplied by
  // 0. The first form selected exp2f(p) or 0, which nvcc compiled to a branch around the whole polynomial; with it
  // the CUTLASS epilogue was no faster than erff's (the builder timed 114.6 us on BERT-base's FFN up at batch 64,
  // against 95.7 for cuBLASLt + the GELU pass), and a branch keeps a fragment's elements from interleaving their
  // Horner chains.
  const float a = fabsf(x);
  const float c = fminf(a, kGeluErfFitLimit);
  float p = -1.1235724855718623e-8f;
  p = fmaf(p, c, 3.8226112525174867e-7f);
  p = fmaf(p, c, -5.5257984110534226e-6f);
  p = fmaf(p, c, 4.2365627542064799e-5f);
  p = fmaf(p, c, -1.5187275902652057e-4f);
  p = fmaf(p, c, -2.932787055410031e-4f);
  p = fmaf(p, c, 7.3520899152893944e-3f);
  p = fmaf(p, c, -5.2759472288615455e-2f);
  p = fmaf(p, c, -4.5909503293986273e-1f);
  p = fmaf(p, c, -1.1511233492095218f);
  p = fmaf(p, c, -9.9999952327754499e-1f);
  const float lowerTail = exp2f(p) * static_cast<float>(a < kGeluErfFitLimit);  // Phi(-|x|)
  return x >= 0.f ? x * (1.f - lowerTail) : x * lowerTail;
}

}  // namespace trt
