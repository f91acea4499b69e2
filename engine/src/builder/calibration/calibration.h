// INT8 post-training calibration: sets the scales of the network's FP32 convolutions from a
// calibrator's cache or from running an FP32 copy of the network on its batches.
#pragma once

#include <cstdint>

#include "plan/plan.h"
#include "trt/builder.h"

namespace trt {
namespace calibration {

//! Makes every FP32 convolution of `network` without INT8 scales an INT8 convolution; returns how
//! many. `settings` gives the backend the calibration runs on. Throws Error for a cache written for
//! another network, a malformed cache, or a calibrator that gives no batch.
int32_t calibrate(INetworkDefinition& network, const PlanContents& settings, IInt8Calibrator& calibrator,
                  ILogger& logger);

}  // namespace calibration
}  // namespace trt
