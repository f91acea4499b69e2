// Writing an output file safely: the bytes go to a new file created exclusively in the target's
// directory, which is then renamed over the target.
#pragma once

#include <functional>
#include <ostream>
#include <string>

namespace torch_tensorrt {
namespace core {
namespace util {

//! Writes `path` through `write` atomically: into a temporary file made by mkstemp beside the target
//! (O_CREAT | O_EXCL, an unpredictable name, so a symlink planted at a predictable name can neither
//! redirect nor clobber anything), then renamed over `path`. The file gets the permissions a plain
//! create would (0666 less the umask). When `write` throws or writing fails, the temporary file is
//! removed, `path` is left as it was, and std::runtime_error (or `write`'s exception) propagates.
void writeFileAtomically(const std::string& path, const std::function<void(std::ostream&)>& write);

}  // namespace util
}  // namespace core
}  // namespace torch_tensorrt
