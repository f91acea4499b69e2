// INT8 post-training calibration: sets the scales of the network's FP32 convolutions from a
// calibrator's cache or from running an FP32 copy of the network on its batches.
#pragma once

#include <cstdint>
#include <functional>

#include "plan/plan.h"
#include "trt/builder.h"

namespace trt {
namespace calibration {

//! Makes FP32 convolutions and products by constant weights INT8 (`int8`) and products FP8 (`fp8`, before
//! INT8 where both are enabled) with scales from the calibrator's cache or from running an FP32 copy of the
//! network on its batches; returns how many layers changed. `settings` gives the backend the calibration
//! runs on. Throws Error for a cache written for another network, a malformed cache, or a calibrator that
//! gives no batch.
//! `quantizes` says which float convolutions INT8 pays for on the target backend (ExecutionBackend::
//! quantizesConvolution): the others keep their float precision unless pinned to INT8, their scales still observed
//! and cached, so that one cache serves every backend.
int32_t calibrate(INetworkDefinition& network, const PlanContents& settings, IInt8Calibrator& calibrator,
                  ILogger& logger, bool int8, bool fp8,
                  const std::function<bool(const IConvolutionLayer&)>& quantizes = nullptr);

}  // namespace calibration
}  // namespace trt
