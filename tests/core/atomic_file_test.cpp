// Output files are created exclusively (issue 28): the INT8 calibration cache once wrote
// `<cache>.tmp` with a plain open, so a symlink planted at that name had its target overwritten.
#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/util/atomic_file.h"
#include "torch_tensorrt/ptq.h"

namespace {

// POSIX calls rather than std::filesystem, whose copy inside libtorch crashes when mixed with ours.
std::string slurp(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void spit(const std::string& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }

std::vector<std::string> entries(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  while (dirent* e = d ? ::readdir(d) : nullptr)
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) names.push_back(e->d_name);
  if (d) ::closedir(d);
  return names;
}

bool isSymlink(const std::string& p) {
  struct stat st {};
  return ::lstat(p.c_str(), &st) == 0 && S_ISLNK(st.st_mode);
}

struct TempDir {
  std::string path;
  TempDir() {
    std::string t = "/tmp/torchtrt_atomic_XXXXXX";
    path = ::mkdtemp(t.data());
  }
  ~TempDir() {
    for (const auto& n : entries(path)) ::unlink((path + "/" + n).c_str());
    ::rmdir(path.c_str());
  }
};

TEST(AtomicFile, TheCalibrationCacheNeverWritesThroughAPlantedSymlink) {
  TempDir dir;
  const std::string cache = dir.path + "/calib.cache", victim = dir.path + "/victim";
  spit(victim, "keep me");
  ASSERT_EQ(::symlink(victim.c_str(), (cache + ".tmp").c_str()), 0);  // the old, predictable temporary name
  torch_tensorrt::ptq::CalibratorState state(nullptr, cache, true);
  const std::string bytes = "calibration table";
  state.writeCache(bytes.data(), bytes.size());
  EXPECT_EQ(slurp(victim), "keep me");
  EXPECT_FALSE(isSymlink(cache));
  EXPECT_EQ(slurp(cache), bytes);
  EXPECT_EQ(entries(dir.path).size(), 3u) << "a temporary file was left behind";
}

TEST(AtomicFile, ReplacesTheTargetWithTheUsualPermissionsAndLeavesNothingOnFailure) {
  TempDir dir;
  const std::string out = dir.path + "/out.bin";
  spit(out, "old");
  torch_tensorrt::core::util::writeFileAtomically(out, [](std::ostream& o) { o << "new"; });
  EXPECT_EQ(slurp(out), "new");
  struct stat st {};
  ASSERT_EQ(::stat(out.c_str(), &st), 0);
  const mode_t mask = ::umask(022);
  ::umask(mask);
  EXPECT_EQ(st.st_mode & 0777, 0666 & ~mask);
  EXPECT_THROW(torch_tensorrt::core::util::writeFileAtomically(out,
                                                               [](std::ostream& o) {
                                                                 o << "half";
                                                                 throw std::runtime_error("writer failed");
                                                               }),
               std::runtime_error);
  EXPECT_EQ(slurp(out), "new");
  EXPECT_EQ(entries(dir.path).size(), 1u) << "the temporary file of a failed write was left behind";
  EXPECT_THROW(
      torch_tensorrt::core::util::writeFileAtomically(dir.path + "/missing/x", [](std::ostream& o) { o << "x"; }),
      std::runtime_error);
}

}  // namespace
