// The timing cache's bytes: a round trip keeps every entry and the GPU; damaged or foreign bytes are
// refused naming the field and offset. (Builds reusing a cache are in cuda_tactics_test.cpp.)
#include <cstring>

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
  empty->setDevice("NVIDIA H200", 9, 0);
  empty->entries()[{1, 90100, 2, 8, 16, 16}] = {1, 1};
  empty->entries()[{1, 90100, 64, 256, 56, 56}] = {6, 0};
  auto back = fromBytes(bytesOf(*empty));
  EXPECT_EQ(back->device(), "NVIDIA H200");
  EXPECT_EQ(back->smMajor(), 9);
  EXPECT_EQ(back->smMinor(), 0);
  EXPECT_EQ(back->entries(), empty->entries());
}

TEST(TimingCache, DamagedOrForeignBytesAreRefusedNamingTheField) {
  trt::ITimingCache cache;
  cache.setDevice("NVIDIA H200", 9, 0);
  cache.entries()[{1, 2, 3}] = {4, 1};
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
