// The builder's tuning run: the built engine runs once per optimization profile at its opt shapes
// with tactic timing allowed, and what its kernels timed becomes the plan's tactics.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "plan/plan.h"
#include "trt/builder.h"
#include "trt/types.h"

namespace trt {

//! Times the tactics of the engine of `plan` (contents without tactics, read from a plan) on its backend;
//! adds the kernel runs spent to `timingRuns`. A network that cannot run on zeroed inputs keeps what was timed before
//! the failure (a warning says so): the rest is chosen by heuristics when the engine runs.
//! `timingCache` (nullable): choices by layer signature read before timing and extended with what was timed.
std::vector<TacticRecord> tuneTactics(std::unique_ptr<PlanContents> plan, ILogger& logger, int64_t& timingRuns,
                                      ITimingCache::Entries* timingCache);

}  // namespace trt
