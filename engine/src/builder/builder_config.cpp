// IOptimizationProfile and IBuilderConfig: the settings a build reads, kept behind their state pointers.
#include "builder/builder_impl.h"

namespace trt {

// ---------------- IOptimizationProfile ----------------

IOptimizationProfile::IOptimizationProfile() : state_(std::make_unique<OptimizationProfileState>()) {}
IOptimizationProfile::~IOptimizationProfile() = default;
IOptimizationProfile::IOptimizationProfile(const IOptimizationProfile& other)
    : state_(std::make_unique<OptimizationProfileState>(*other.state_)) {}
IOptimizationProfile& IOptimizationProfile::operator=(const IOptimizationProfile& other) {
  *state_ = *other.state_;
  return *this;
}

bool IOptimizationProfile::setDimensions(const char* inputName, OptProfileSelector select, Dims dims) {
  if (!inputName) return false;
  int s = static_cast<int>(select);
  if (s < 0 || s > 2) return false;
  for (auto& r : state_->ranges) {
    if (r.name == inputName) {
      r.dims[s] = dims;
      r.set[s] = true;
      return true;
    }
  }
  OptimizationProfileState::Range r;
  r.name = inputName;
  r.dims[s] = dims;
  r.set[s] = true;
  state_->ranges.push_back(r);
  return true;
}

Dims IOptimizationProfile::getDimensions(const char* inputName, OptProfileSelector select) const {
  for (const auto& r : state_->ranges)
    if (inputName && r.name == inputName && r.set[static_cast<int>(select)]) return r.dims[static_cast<int>(select)];
  Dims none;
  none.nbDims = -1;
  return none;
}

bool IOptimizationProfile::isValid() const {
  for (const auto& r : state_->ranges) {
    if (!(r.set[0] && r.set[1] && r.set[2])) return false;
    if (r.dims[0].nbDims != r.dims[1].nbDims || r.dims[1].nbDims != r.dims[2].nbDims) return false;
    for (int i = 0; i < r.dims[0].nbDims; ++i)
      if (r.dims[0].d[i] < 0 || r.dims[0].d[i] > r.dims[1].d[i] || r.dims[1].d[i] > r.dims[2].d[i]) return false;
  }
  return true;
}

// ---------------- IBuilderConfig ----------------

IBuilderConfig::IBuilderConfig() : state_(std::make_unique<BuilderConfigState>()) { setFlag(BuilderFlag::kTF32); }
IBuilderConfig::~IBuilderConfig() = default;

void IBuilderConfig::setFlag(BuilderFlag flag) { state_->flags |= (1ull << static_cast<int>(flag)); }
void IBuilderConfig::clearFlag(BuilderFlag flag) { state_->flags &= ~(1ull << static_cast<int>(flag)); }
bool IBuilderConfig::getFlag(BuilderFlag flag) const { return (state_->flags >> static_cast<int>(flag)) & 1ull; }
uint64_t IBuilderConfig::getFlags() const { return state_->flags; }
void IBuilderConfig::setFlags(uint64_t flags) { state_->flags = flags; }

int32_t IBuilderConfig::addOptimizationProfile(const IOptimizationProfile* profile) {
  if (!profile) throw Error("IBuilderConfig::addOptimizationProfile: profile is null");
  if (!profile->isValid())
    throw Error(
        "IBuilderConfig::addOptimizationProfile: every input needs min <= opt <= max, all three set and of equal rank");
  state_->profiles.push_back(*profile);
  return static_cast<int32_t>(state_->profiles.size()) - 1;
}
int32_t IBuilderConfig::getNbOptimizationProfiles() const { return static_cast<int32_t>(state_->profiles.size()); }
const IOptimizationProfile& IBuilderConfig::getOptimizationProfile(int32_t i) const { return state_->profiles.at(i); }

void IBuilderConfig::setMemoryPoolLimit(size_t bytes) { state_->workspace = bytes; }
size_t IBuilderConfig::getMemoryPoolLimit() const { return state_->workspace; }
void IBuilderConfig::setBackend(Backend backend) { state_->backend = backend; }
Backend IBuilderConfig::getBackend() const { return state_->backend; }
void IBuilderConfig::setAvgTimingIterations(int32_t n) { state_->avgTimingIterations = n < 1 ? 1 : n; }
int32_t IBuilderConfig::getAvgTimingIterations() const { return state_->avgTimingIterations; }
void IBuilderConfig::setInt8Calibrator(IInt8Calibrator* calibrator) { state_->calibrator = calibrator; }
IInt8Calibrator* IBuilderConfig::getInt8Calibrator() const { return state_->calibrator; }

bool IBuilderConfig::setTimingCache(ITimingCache& cache, bool ignoreMismatch) {
  state_->timingCache = &cache;
  state_->ignoreMismatch = ignoreMismatch;
  return true;
}
ITimingCache* IBuilderConfig::getTimingCache() const { return state_->timingCache; }
bool IBuilderConfig::getTimingCacheIgnoreMismatch() const { return state_->ignoreMismatch; }

}  // namespace trt
