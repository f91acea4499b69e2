// The plan's CRC-32, now zlib's, is the one every earlier build wrote (hand-written then): the same
// check values, and the checksums stored in checked-in plans recomputed to the bit.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "plan/plan_io.h"

namespace {
std::vector<uint8_t> readFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

uint32_t crcOf(const std::string& s) { return trt::crc32(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }

uint32_t storedU32(const std::vector<uint8_t>& bytes, size_t offset) {
  uint32_t v;
  std::memcpy(&v, bytes.data() + offset, 4);
  return v;
}
}  // namespace

TEST(PlanChecksum, IsTheIeeeCrc32) {
  // The standard check values of CRC-32/ISO-HDLC (the polynomial of zlib, PNG and Ethernet).
  EXPECT_EQ(crcOf(""), 0x00000000u);
  EXPECT_EQ(crcOf("123456789"), 0xCBF43926u);
  EXPECT_EQ(crcOf("The quick brown fox jumps over the lazy dog"), 0x414FA339u);
  // A length that is not a multiple of 8 (the old hand-written loop took 8 bytes at a time).
  std::string bytes;
  for (int i = 0; i < 37; ++i) bytes += static_cast<char>(i * 37 + 11);
  EXPECT_EQ(crcOf(bytes), 0x622893DEu) << std::hex << crcOf(bytes);
}

TEST(PlanChecksum, ChecksumsStoredByEarlierBuildsAreRecomputedExactly) {
  // Header bytes 24..27: the payload's CRC; 28..31: the CRC of bytes 0..27 (plan_io.h). Written by
  // the hand-written slicing-by-8 CRC these plans were built with.
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(TORCHTRT_PLAN_CORPUS)) {
    if (entry.path().extension() != ".plan") continue;
    const auto plan = readFile(entry.path().string());
    ASSERT_GT(plan.size(), trt::kPlanHeaderSize) << entry.path();
    EXPECT_EQ(trt::crc32(plan.data() + trt::kPlanHeaderSize, plan.size() - trt::kPlanHeaderSize), storedU32(plan, 24))
        << entry.path();
    EXPECT_EQ(trt::crc32(plan.data(), 28), storedU32(plan, 28)) << entry.path();
    ++checked;
  }
  EXPECT_GE(checked, 9);
}
