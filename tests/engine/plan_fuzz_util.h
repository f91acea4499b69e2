// Shared by the plan fuzz test (GoogleTest, a fixed campaign) and the libFuzzer target
// (tests/fuzz/plan_fuzzer.cpp, coverage-guided): re-sealing mutated plans and running what loads.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "plan/plan_io.h"
#include "trt/runtime.h"

namespace trt_test {

// Recomputes payload size and both CRCs, so a corrupted payload reaches the field parser.
inline void reseal(std::vector<uint8_t>& plan) {
  if (plan.size() < trt::kPlanHeaderSize) return;
  uint64_t payload = plan.size() - trt::kPlanHeaderSize;
  std::memcpy(plan.data() + 16, &payload, 8);
  uint32_t crc = trt::crc32(plan.data() + trt::kPlanHeaderSize, payload);
  std::memcpy(plan.data() + 24, &crc, 4);
  uint32_t headerCrc = trt::crc32(plan.data(), 28);
  std::memcpy(plan.data() + 28, &headerCrc, 4);
}

// Runs a loaded engine on zeros when every tensor is small; kernels must cope or throw trt::Error.
inline void runIfSmall(const trt::ICudaEngine& engine) {
  for (int l = 0; l < engine.network().getNbLayers(); ++l) {
    trt::Dims d = engine.network().getLayer(l)->getOutput(0)->getDimensions();
    if (!d.isStatic() || d.volume() > (1 << 16)) return;
  }
  std::unique_ptr<trt::IExecutionContext> ctx(engine.createExecutionContext());
  std::vector<std::vector<uint8_t>> buffers;
  for (int i = 0; i < engine.getNbIOTensors(); ++i) {
    const char* name = engine.getIOTensorName(i);
    trt::Dims d = ctx->getTensorShape(name);
    if (!d.isStatic() || d.volume() > (1 << 16)) return;
    buffers.emplace_back(static_cast<size_t>(d.volume()) * 8 + 8, 0);
    ctx->setTensorAddress(name, buffers.back().data());
  }
  ctx->enqueueV3(nullptr);
}

}  // namespace trt_test
