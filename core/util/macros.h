// Error and logging macros of the compiler. Errors are exceptions (torch::jit and callers
// catch c10::Error); the library never aborts the process.
#pragma once

#include <sstream>

#include "c10/util/Exception.h"
#include "core/util/logging.h"

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
    if (torch_tensorrt::core::util::logging::should_log(level)) { \
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
