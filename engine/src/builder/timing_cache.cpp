// The timing cache's file format (all integers little-endian):
//   8 bytes magic "TTRTTIME", u32 version (1), str device name, i32 sm major, i32 sm minor,
//   u32 entry count, then per entry: u32 n + i64 signature values, u32 n + i64 choice values;
//   last, u32 CRC-32 of every byte before it.
#include <cstring>

#include "builder/builder_impl.h"
#include "plan/plan_io.h"
#include "trt/builder.h"

namespace trt {

namespace {
constexpr char kMagic[8] = {'T', 'T', 'R', 'T', 'T', 'I', 'M', 'E'};
constexpr uint32_t kVersion = 1;

std::vector<int64_t> readValues(PlanReader& r, const char* field) {
  const uint32_t n = r.count(field, 8);
  if (n > 256) r.fail(field, "holds " + std::to_string(n) + " values, more than 256");
  std::vector<int64_t> values(n);
  for (auto& v : values) v = r.i64(field);
  return values;
}
}  // namespace

ITimingCache::ITimingCache() : state_(std::make_unique<TimingCacheState>()) {}
ITimingCache::~ITimingCache() = default;
int32_t ITimingCache::size() const { return static_cast<int32_t>(state_->entries.size()); }
const std::string& ITimingCache::device() const { return state_->device; }

IHostMemory* ITimingCache::serialize() const {
  PlanWriter w;
  w.raw(reinterpret_cast<const uint8_t*>(kMagic), 8);
  w.u32(kVersion);
  w.str(state_->device);
  w.i32(state_->smMajor);
  w.i32(state_->smMinor);
  w.u32(static_cast<uint32_t>(state_->entries.size()));
  for (const auto& [signature, choice] : state_->entries)
    for (const std::vector<int64_t>* v : {&signature, &choice}) {
      w.u32(static_cast<uint32_t>(v->size()));
      for (int64_t x : *v) w.i64(x);
    }
  std::vector<uint8_t> bytes = std::move(w.bytes());
  const uint32_t crc = crc32(bytes.data(), bytes.size());
  const auto* c = reinterpret_cast<const uint8_t*>(&crc);
  bytes.insert(bytes.end(), c, c + 4);
  return new HostMemory(std::move(bytes));
}

ITimingCache* IBuilderConfig::createTimingCache(const void* blob, size_t size) const {
  auto cache = std::make_unique<ITimingCache>();
  if (size == 0) return cache.release();
  if (!blob) throw Error("invalid timing cache: no data (null pointer) for " + std::to_string(size) + " bytes");
  const auto* data = static_cast<const uint8_t*>(blob);
  if (size < 8 + 4 + 4 || std::memcmp(data, kMagic, 8) != 0)
    throw Error("invalid timing cache: field 'magic' does not read \"TTRTTIME\" (" + std::to_string(size) +
                " bytes); this is not a timing cache written by this engine (delete the file to start a new one)");
  uint32_t stored = 0;
  std::memcpy(&stored, data + size - 4, 4);
  if (crc32(data, size - 4) != stored)
    throw Error("invalid timing cache: field 'crc32' at byte " + std::to_string(size - 4) +
                " does not match the contents (the file is corrupted or truncated; delete it to start a new one)");
  PlanReader r(data + 8, size - 8 - 4, 8);
  try {
    const uint32_t version = r.u32("version");
    if (version != kVersion)
      r.fail("version", "is " + std::to_string(version) + ", this engine reads version " + std::to_string(kVersion));
    const std::string device = r.str("device_name");
    const int32_t major = r.i32("sm_major"), minor = r.i32("sm_minor");
    TimingCacheState& state = TimingCacheState::of(*cache);
    state.device = device;
    state.smMajor = major;
    state.smMinor = minor;
    const uint32_t n = r.count("entry_count", 8);
    for (uint32_t i = 0; i < n; ++i) {
      r.setContext("entry " + std::to_string(i));
      std::vector<int64_t> signature = readValues(r, "signature");
      state.entries[std::move(signature)] = readValues(r, "choice");
    }
    r.setContext("");
    if (r.remaining() != 0) r.fail("end", std::to_string(r.remaining()) + " unread bytes before the checksum");
  } catch (const Error& e) {
    std::string message = e.what();
    const std::string prefix = "invalid plan: ";
    if (message.compare(0, prefix.size(), prefix) == 0)
      message = "invalid timing cache: " + message.substr(prefix.size());
    throw Error(message);
  }
  return cache.release();
}

}  // namespace trt
