// The timing cache's bytes: a round trip keeps every entry and the GPU; damaged or foreign bytes are
// refused naming the field and offset. (Builds reusing a cache are in cuda_tactics_test.cpp.)
#include <cstring>

#include "builder/builder_impl.h"
#include "engine_test_util.h"
#include "plan/plan_io.h"

namespace {
std::unique_ptr<trt::ITimingCache> fromBytes(const std::vector<uint8_t>& bytes) {
  trt::IBuilderConfig config;
  return std::unique_ptr<trt::ITimingCache>(config.createTimingCache(bytes.data(), bytes.size()));
}

std::vector<uint8_t> bytesOf(const trt::ITimingCache& cache) {
  std::unique_ptr<trt::IHostMemory> mem(cache.serialize());
  const auto* p = static_cast<const uint8_t*>(mem->data());
  return std::vector<uint8_t>(p, p + mem->size());
}

std::string refusal(const std::vector<uint8_t>& bytes) {
  try {
    fromBytes(bytes);
    return "";
  } catch (const trt::Error& e) {
    return e.what();
  }
}
}  // namespace

TEST(TimingCache, ARoundTripKeepsTheEntriesAndTheGpu) {
  trt::IBuilderConfig config;
  std::unique_ptr<trt::ITimingCache> empty(config.createTimingCache(nullptr, 0));
  EXPECT_EQ(empty->size(), 0);
  trt::TimingCacheState& state = trt::TimingCacheState::of(*empty);
  state.device = "NVIDIA H200";
  state.smMajor = 9;
  state.smMinor = 0;
  state.entries[{1, 90100, 2, 8, 16, 16}] = {1, 1};
  state.entries[{1, 90100, 64, 256, 56, 56}] = {6, 0};
  auto back = fromBytes(bytesOf(*empty));
  EXPECT_EQ(back->device(), "NVIDIA H200");
  EXPECT_EQ(trt::TimingCacheState::of(*back).smMajor, 9);
  EXPECT_EQ(trt::TimingCacheState::of(*back).smMinor, 0);
  EXPECT_EQ(trt::TimingCacheState::of(*back).entries, state.entries);
}

TEST(TimingCache, DamagedOrForeignBytesAreRefusedNamingTheField) {
  trt::ITimingCache cache;
  trt::TimingCacheState& cacheState = trt::TimingCacheState::of(cache);
  cacheState.device = "NVIDIA H200";
  cacheState.smMajor = 9;
  cacheState.smMinor = 0;
  cacheState.entries[{1, 2, 3}] = {4, 1};
  const std::vector<uint8_t> good = bytesOf(cache);
  std::vector<uint8_t> flipped = good;
  flipped[20] ^= 1;
  EXPECT_NE(refusal(flipped).find("field 'crc32'"), std::string::npos) << refusal(flipped);
  std::vector<uint8_t> plan(good.size(), 0);
  std::memcpy(plan.data(), "TTRTPLAN", 8);
  EXPECT_NE(refusal(plan).find("field 'magic'"), std::string::npos) << refusal(plan);
  EXPECT_NE(refusal({1, 2, 3}).find("not a timing cache"), std::string::npos);
  // A count larger than the bytes, with a valid checksum: the reader names the field and offset.
  std::vector<uint8_t> lying(good.begin(), good.end() - 4);
  const size_t countAt = 8 + 4 + 4 + std::strlen("NVIDIA H200") + 4 + 4;
  const uint32_t huge = 1u << 30;
  std::memcpy(lying.data() + countAt, &huge, 4);
  const uint32_t crc = trt::crc32(lying.data(), lying.size());
  const auto* c = reinterpret_cast<const uint8_t*>(&crc);
  lying.insert(lying.end(), c, c + 4);
  const std::string e = refusal(lying);
  // (the reader names the offset after the count it read)
  EXPECT_NE(e.find("invalid timing cache: field 'entry_count' at byte " + std::to_string(countAt + 4)),
            std::string::npos)
      << e;
}
