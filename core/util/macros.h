// Error and logging macros of the compiler. Errors are exceptions (torch::jit and callers
// catch c10::Error); the library never aborts the process.
#pragma once

#include <exception>
#include <sstream>
#include <string>

#include "c10/util/Exception.h"
#include "core/util/logging.h"

namespace torch_tensorrt {
namespace core {
namespace util {
//! An exception's message without the C++ backtrace c10 appends (for messages shown to users).
inline std::string errorMessage(const std::exception& e) {
  if (const auto* c10_error = dynamic_cast<const c10::Error*>(&e)) return c10_error->what_without_backtrace();
  return e.what();
}
}  // namespace util
}  // namespace core
}  // namespace torch_tensorrt

#define TORCHTRT_THROW_ERROR(msg)  \
  do {                             \
    std::stringstream ss_;         \
    ss_ << msg;                    \
    TORCH_CHECK(false, ss_.str()); \
  } while (0)

#define TORCHTRT_CHECK(cond, msg)           \
  do {                                      \
    if (!(cond)) TORCHTRT_THROW_ERROR(msg); \
  } while (0)

#define LOG_AT(level, msg)                                        \
  do {                                                            \
    if (torch_tensorrt::core::util::logging::shouldLog(level)) {  \
      std::stringstream ss_;                                      \
      ss_ << msg;                                                 \
      torch_tensorrt::core::util::logging::log(level, ss_.str()); \
    }                                                             \
  } while (0)

#define LOG_ERROR(msg) LOG_AT(torch_tensorrt::core::util::logging::LogLevel::kERROR, msg)
#define LOG_WARNING(msg) LOG_AT(torch_tensorrt::core::util::logging::LogLevel::kWARNING, msg)
#define LOG_INFO(msg) LOG_AT(torch_tensorrt::core::util::logging::LogLevel::kINFO, msg)
#define LOG_DEBUG(msg) LOG_AT(torch_tensorrt::core::util::logging::LogLevel::kDEBUG, msg)
#define LOG_GRAPH(msg) LOG_AT(torch_tensorrt::core::util::logging::LogLevel::kGRAPH, msg)
