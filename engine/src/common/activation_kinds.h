// Activation kinds the builder may fold into another layer's kernel: those without parameters (alpha and beta
// unused), so the folded layer needs the kind alone.
#pragma once

#include "trt/types.h"

namespace trt {

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
