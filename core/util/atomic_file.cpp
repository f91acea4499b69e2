#include "core/util/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <streambuf>
#include <vector>

namespace torch_tensorrt {
namespace core {
namespace util {

namespace {

// A stream buffer writing to a file descriptor in 1 MiB chunks (modules with large weights are
// hundreds of MB, so they are not collected in memory first). A failed write (a full disk, a file size limit) is
// recorded and the rest discarded, while the stream stays good: PyTorch's archive writer, seeing a failing stream,
// throws from its destructor, which ends the process (torchtrtc aborted with a raw stack trace); the caller reads
// failed() when the writer is done.
class FdBuffer : public std::streambuf {
 public:
  explicit FdBuffer(int fd) : fd_(fd), buf_(1 << 20) { setp(buf_.data(), buf_.data() + buf_.size()); }
  bool failed() const { return failed_; }
  int error() const { return errno_; }

 protected:
  int_type overflow(int_type c) override {
    drain();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }
  int sync() override {
    drain();
    return 0;
  }

 private:
  void drain() {
    const char* p = pbase();
    size_t left = static_cast<size_t>(pptr() - pbase());
    while (left > 0 && !failed_) {
      const ssize_t n = ::write(fd_, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        failed_ = true;
        errno_ = errno;
        break;
      }
      p += n;
      left -= static_cast<size_t>(n);
    }
    setp(buf_.data(), buf_.data() + buf_.size());
  }
  int fd_;
  std::vector<char> buf_;
  bool failed_ = false;
  int errno_ = 0;
};

// The process's umask, read without changing it (umask(2) can only set it, which would race with
// other threads creating files).
mode_t currentUmask() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("Umask:", 0) == 0) return static_cast<mode_t>(std::stoul(line.substr(6), nullptr, 8));
  return 022;
}

std::string why(int err) { return std::strerror(err); }

}  // namespace

void writeFileAtomically(const std::string& path, const std::function<void(std::ostream&)>& write) {
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  if (base.empty()) throw std::runtime_error("cannot write '" + path + "': it names a folder, not a file");
  std::string tmpl = (dir == "/" ? "" : dir) + "/." + base + ".XXXXXX";
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  const int fd = ::mkstemp(name.data());
  if (fd < 0)
    throw std::runtime_error("cannot write '" + path + "': creating a temporary file in '" + dir +
                             "' failed: " + why(errno) + " (check that the folder exists and is writable)");
  const std::string tmp(name.data());
  auto discard = [&] { ::unlink(tmp.c_str()); };
  try {
    // mkstemp creates the file 0600; give it what a plain create would.
    if (::fchmod(fd, 0666 & ~currentUmask()) != 0)
      throw std::runtime_error("cannot set the permissions of '" + tmp + "': " + why(errno));
    FdBuffer buffer(fd);
    std::ostream out(&buffer);
    write(out);
    out.flush();
    if (!out || buffer.failed())
      throw std::runtime_error("writing '" + path + "' failed: " +
                               (buffer.failed() ? why(buffer.error()) : std::string("the writer reported an error")));
  } catch (...) {
    ::close(fd);
    discard();
    throw;
  }
  if (::close(fd) != 0) {
    const int err = errno;
    discard();
    throw std::runtime_error("writing '" + path + "' failed: " + why(err));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    discard();
    throw std::runtime_error("cannot move the finished file into place at '" + path + "': " + why(err));
  }
}

}  // namespace util
}  // namespace core
}  // namespace torch_tensorrt
