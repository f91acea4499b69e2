// The installed headers (engine/include/trt) are interfaces, as TensorRT's: a class there keeps no
// state of its own beyond one pointer to the engine's (std::unique_ptr<...State> state_), and no
// engine-internal hook (shape inference, plan parameter IO, layer adoption) is declared there, so a
// change to the engine's internals recompiles no custom converter.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::vector<std::filesystem::path> publicHeaders() {
  std::vector<std::filesystem::path> headers;
  for (const auto& entry : std::filesystem::directory_iterator(TORCHTRT_PUBLIC_HEADERS))
    if (entry.path().extension() == ".h") headers.push_back(entry.path());
  return headers;
}

std::vector<std::string> linesOf(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Value types (copied like Dims): their private fields are their value, not an interface's state.
const std::set<std::string> kValueTypes = {"SharedBytes"};

TEST(PublicHeaders, ClassesKeepNoStateButOnePointer) {
  const std::regex classLine(R"(^class (\w+)\b.*\{$)");
  const std::regex allowed(
      R"(^\s*(//.*|friend class \w+;|std::unique_ptr<\w+State> state_;|virtual ~\w+\(\) = default;.*)?$)");
  const auto headers = publicHeaders();
  ASSERT_GE(headers.size(), 4u) << TORCHTRT_PUBLIC_HEADERS;
  for (const auto& header : headers) {
    std::string cls;
    bool restricted = false;
    const auto lines = linesOf(header);
    for (size_t i = 0; i < lines.size(); ++i) {
      const std::string& line = lines[i];
      std::smatch m;
      if (std::regex_match(line, m, classLine)) {
        cls = m[1];
        restricted = false;
      } else if (line == "};") {
        cls.clear();
        restricted = false;
      } else if (line == " private:" || line == " protected:") {
        restricted = true;
      } else if (line == " public:") {
        restricted = false;
      } else if (restricted && !kValueTypes.count(cls)) {
        EXPECT_TRUE(std::regex_match(line, allowed)) << header.filename().string() << ":" << i + 1 << ": class " << cls
                                                     << " keeps private state in the public header: '" << line
                                                     << "'; move it to the implementation under engine/src";
      }
    }
  }
}

TEST(PublicHeaders, DeclareNoEngineHooks) {
  const std::vector<std::string> hooks = {"inferOutputs", "writeParams", "readParams", "PlanWriter",
                                          "PlanReader",   "adoptLayer",  "makeLayer",  "PlanContents"};
  for (const auto& header : publicHeaders()) {
    const auto lines = linesOf(header);
    for (size_t i = 0; i < lines.size(); ++i)
      for (const auto& hook : hooks)
        EXPECT_EQ(lines[i].find(hook), std::string::npos)
            << header.filename().string() << ":" << i + 1 << " names the engine-internal '" << hook << "'";
  }
}

}  // namespace
