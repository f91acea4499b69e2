// Activation kinds the builder may fold into another layer's kernel: those without parameters (alpha and beta
// unused), so the folded layer needs the kind alone.
#pragma once

#include "trt/network.h"
#include "trt/types.h"

namespace trt {

//! An activation folded into the layer before it: its kind (-1: none) and parameters (an activation
//! layer's alpha and beta), as the kernels' epilogues take it.
struct FusedActivation {
  int32_t type = -1;
  float alpha = 0.f, beta = 0.f;
};

//! A convolution's fused activation with its parameters.
inline FusedActivation fusedActivationOf(const IConvolutionLayer& conv) {
  return {conv.getFusedActivation(), conv.getFusedActivationAlpha(), conv.getFusedActivationBeta()};
}

//! Whether `type` computes without alpha or beta: ReLU, sigmoid, tanh, softsign, GELU (erf or tanh), SiLU,
//! hard-swish.
inline bool isParameterlessActivation(ActivationType type) {
  switch (type) {
    case ActivationType::kRELU:
    case ActivationType::kSIGMOID:
    case ActivationType::kTANH:
    case ActivationType::kSOFTSIGN:
    case ActivationType::kGELU_ERF:
    case ActivationType::kGELU_TANH:
    case ActivationType::kSILU:
    case ActivationType::kHARD_SWISH:
      return true;
    default:
      return false;
  }
}

}  // namespace trt
