// torchtrtc's input specs under mutation (issue 28): a spec made by mutating valid ones either parses
// into a well-formed Input or is refused with a UsageError that quotes the spec; no other exception
// escapes and nothing crashes (the sanitizer builds run this too). INPUT_SPEC_FUZZ_ITERS=n for more.
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "torchtrtc/parse_args.h"

namespace {

const std::vector<std::string> kSeeds = {
    "(1,3,224,224)",
    "(1, 3, 1024, 1024)@f16%NHWC",
    "[(1,3,16,16);(4,3,32,32);(8,3,64,64)]@f32",
    "(2,16)@i32%contiguous",
    "[(1,8); (4,8); (8,8)]%channels_last@bf16",
    "()@bool",
};

// Pieces that the grammar gives meaning to, and values at the edges of what a dimension can be.
const std::vector<std::string> kTokens = {"(",
                                          ")",
                                          "[",
                                          "]",
                                          ";",
                                          ",",
                                          "@",
                                          "%",
                                          " ",
                                          "-1",
                                          "0",
                                          "1",
                                          "+3",
                                          "0x10",
                                          "1e9",
                                          "9223372036854775807",
                                          "9223372036854775808",
                                          "-9223372036854775808",
                                          "99999999999999999999999",
                                          "f16",
                                          "bf16",
                                          "i8",
                                          "bool",
                                          "NHWC",
                                          "channels_last",
                                          "contiguous",
                                          "()",
                                          "[;;]",
                                          "(;)",
                                          "@@",
                                          "%%",
                                          std::string(1, '\0'),
                                          "\xff",
                                          "\t"};

size_t iterations() {
  const char* env = std::getenv("INPUT_SPEC_FUZZ_ITERS");
  return env ? std::strtoull(env, nullptr, 10) : 20000;
}

std::string mutate(std::string s, std::mt19937& rng) {
  auto pick = [&](size_t n) { return n == 0 ? size_t{0} : std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  const int edits = 1 + static_cast<int>(pick(4));
  for (int e = 0; e < edits; ++e) {
    switch (pick(6)) {
      case 0:  // insert a token
        s.insert(pick(s.size() + 1), kTokens[pick(kTokens.size())]);
        break;
      case 1:  // delete a range
        if (!s.empty()) {
          const size_t at = pick(s.size());
          s.erase(at, 1 + pick(std::min<size_t>(8, s.size() - at)));
        }
        break;
      case 2:  // replace a byte
        if (!s.empty()) s[pick(s.size())] = static_cast<char>(pick(256));
        break;
      case 3:  // repeat a piece (long specs, many dimensions)
        if (!s.empty()) {
          const size_t at = pick(s.size()), len = 1 + pick(std::min<size_t>(12, s.size() - at));
          const std::string piece = s.substr(at, len);
          for (size_t r = 0, n = 1 + pick(40); r < n; ++r) s.insert(at, piece);
        }
        break;
      case 4:  // splice the tail of another seed
      {
        const std::string& other = kSeeds[pick(kSeeds.size())];
        s = s.substr(0, pick(s.size() + 1)) + other.substr(pick(other.size() + 1));
        break;
      }
      default:  // replace a number by an edge value
      {
        const size_t digit = s.find_first_of("0123456789", pick(s.size() + 1));
        if (digit != std::string::npos) s.replace(digit, 1, kTokens[8 + pick(11)]);
        break;
      }
    }
  }
  return s;
}

TEST(InputSpecFuzz, MutatedSpecsParseWellFormedOrAreRefusedQuotingTheSpec) {
  std::mt19937 rng(12345);
  size_t parsed = 0, refused = 0;
  for (size_t i = 0, n = iterations(); i < n; ++i) {
    const std::string spec = mutate(kSeeds[i % kSeeds.size()], rng);
    try {
      const torch_tensorrt::Input in = torchtrtc::parseInputSpec(spec);
      ++parsed;
      ASSERT_EQ(in.min_shape.size(), in.max_shape.size()) << spec;
      ASSERT_EQ(in.opt_shape.size(), in.max_shape.size()) << spec;
      for (size_t d = 0; d < in.min_shape.size(); ++d) {
        ASSERT_GE(in.min_shape[d], 0) << spec;
        ASSERT_LE(in.min_shape[d], in.opt_shape[d]) << spec;
        ASSERT_LE(in.opt_shape[d], in.max_shape[d]) << spec;
      }
    } catch (const torchtrtc::UsageError& e) {
      ++refused;
      ASSERT_NE(std::string(e.what()).find("input spec '"), std::string::npos) << spec << ": " << e.what();
    } catch (const std::exception& e) {
      FAIL() << "spec '" << spec << "' threw something other than a usage error: " << e.what();
    }
  }
  // Both outcomes are exercised (the mutations keep some specs valid).
  EXPECT_GT(parsed, 0u);
  EXPECT_GT(refused, 0u);
}

TEST(InputSpecFuzz, FindingsStayFixed) {
  // A negative dimension of a static shape escaped as the API's own error without the spec.
  for (const std::string spec : {"(1,-3)", "(-1)", "[(1,2);(2,1);(3,3)]", "[(1);(1,2);(1)]"}) {
    try {
      torchtrtc::parseInputSpec(spec);
      FAIL() << spec << " parsed";
    } catch (const torchtrtc::UsageError& e) {
      EXPECT_NE(std::string(e.what()).find("input spec '" + spec + "'"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
