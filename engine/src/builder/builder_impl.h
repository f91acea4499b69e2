// The engine's side of trt/builder.h: the state behind optimization profiles, timing caches and
// builder configs, and the builder and host memory implementations.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "plan/plan.h"
#include "trt/builder.h"

namespace trt {

//! An optimization profile's ranges, one per input given dims.
class OptimizationProfileState {
 public:
  struct Range {
    std::string name;
    Dims dims[3];
    bool set[3] = {false, false, false};
  };
  //! The state behind `profile`.
  static OptimizationProfileState& of(IOptimizationProfile& profile) { return *profile.state_; }
  static const OptimizationProfileState& of(const IOptimizationProfile& profile) { return *profile.state_; }
  std::vector<Range> ranges;
};

//! A timing cache's entries and the GPU they were timed on.
class TimingCacheState {
 public:
  //! The state behind `cache`.
  static TimingCacheState& of(ITimingCache& cache) { return *cache.state_; }
  static const TimingCacheState& of(const ITimingCache& cache) { return *cache.state_; }
  std::string device;
  int32_t smMajor = -1, smMinor = -1;
  ITimingCache::Entries entries;
};

//! A builder config's settings.
class BuilderConfigState {
 public:
  IInt8Calibrator* calibrator = nullptr;
  ITimingCache* timingCache = nullptr;
  bool ignoreMismatch = false;
  uint64_t flags = 0;
  std::vector<IOptimizationProfile> profiles;
  size_t workspace = 0;
  Backend backend = Backend::kCPU;
  int32_t avgTimingIterations = 1;
};

//! Bytes the engine hands out (a plan, a timing cache).
class HostMemory final : public IHostMemory {
 public:
  explicit HostMemory(std::vector<uint8_t> bytes) : bytes_(std::move(bytes)) {}
  void* data() const override { return const_cast<uint8_t*>(bytes_.data()); }
  size_t size() const override { return bytes_.size(); }
  DataType type() const override { return DataType::kUINT8; }

 private:
  std::vector<uint8_t> bytes_;
};

//! The builder: validates a network, runs the optimization passes, times tactics, writes the plan.
class Builder final : public IBuilder {
 public:
  explicit Builder(ILogger& logger) : logger_(logger) {}
  INetworkDefinition* createNetworkV2(uint32_t flags = 0) override;
  IBuilderConfig* createBuilderConfig() override;
  IOptimizationProfile* createOptimizationProfile() override;
  IHostMemory* buildSerializedNetwork(INetworkDefinition& network, IBuilderConfig& config) override;
  std::string describeOptimizedNetwork(INetworkDefinition& network, IBuilderConfig& config) override;
  const BuildReport& lastReport() const override { return report_; }

 private:
  // Validates the network and runs the optimization passes on a copy of it for the config's backend: the
  // returned contents hold the optimized network and the plan's settings, without tactics. `preview`: the
  // backend's device need not be present (ExecutionBackend::describePreviewTarget).
  PlanContents optimize(INetworkDefinition& network, IBuilderConfig& config, bool preview);

  ILogger& logger_;
  std::vector<std::unique_ptr<IOptimizationProfile>> profiles_;
  BuildReport report_;
};

}  // namespace trt
