// Whether an FP8 build (BuilderFlag::kFP8) can be made for a target: kept apart from the builder so
// that the rule is tested on machines without the GPUs it describes.
#pragma once

#include <cstdint>
#include <string>

#include "trt/builder.h"

namespace trt {

//! What decides whether FP8 is allowed: the backend, the GPU's compute capability (-1 when none),
//! and where per-tensor scales come from.
struct Fp8Target {
  Backend backend = Backend::kCPU;
  int32_t smMajor = -1, smMinor = -1;
  bool hasCalibrator = false;      //!< an INT8-style calibrator, whose amax gives each tensor's scale
  bool hasQuantizeLayers = false;  //!< FP8 quantizations or products (a quantization-aware model's scales)
};

//! Throws Error saying why FP8 cannot be used: a GPU below compute capability 8.9 (no FP8 tensor cores),
//! or no source of per-tensor scales. The CPU backend emulates FP8 (E4M3 rounding, float32 products).
void checkFp8Target(const Fp8Target& target);

}  // namespace trt
