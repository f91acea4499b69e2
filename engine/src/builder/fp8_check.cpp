#include "builder/fp8_check.h"

namespace trt {

namespace {
constexpr const char* kNeedsScales =
    "needs per-tensor scales: pass a calibrator (its amax sets each tensor's scale, amax / 448) or "
    "compile a quantization-aware model that quantizes to FP8 with its own scales "
    "((x / s).clamp(-448, 448).to(torch.float8_e4m3fn), or torch._scaled_mm)";
}  // namespace

void checkFp8Target(const Fp8Target& t) {
  const std::string prefix = "FP8 (BuilderFlag::kFP8; enabled_precisions contains torch.float8_e4m3fn) ";
  // The CPU backend emulates FP8 (the builder says so): only GPUs are checked for FP8 tensor cores.
  if (t.backend == Backend::kCPU) {
    if (!t.hasCalibrator && !t.hasQuantizeLayers) throw Error(prefix + kNeedsScales);
    return;
  }
  const bool fp8TensorCores = t.smMajor > 8 || (t.smMajor == 8 && t.smMinor >= 9);
  if (!fp8TensorCores)
    throw Error(prefix +
                "needs a GPU of compute capability 8.9 or newer (Ada, Hopper and later have FP8 tensor "
                "cores); this GPU is sm_" +
                std::to_string(t.smMajor) + std::to_string(t.smMinor) + ": use float16, bfloat16 or int8 instead");
  if (!t.hasCalibrator && !t.hasQuantizeLayers) throw Error(prefix + kNeedsScales);
}

}  // namespace trt
