// The compiler's logger: a level filter, a prefix, and a thread-safe sink (stderr by default).
#pragma once

#include <functional>
#include <string>

#include "trt/types.h"

namespace torch_tensorrt {
namespace core {
namespace util {
namespace logging {

enum class LogLevel : int { kINTERNAL_ERROR = 0, kERROR = 1, kWARNING = 2, kINFO = 3, kDEBUG = 4, kGRAPH = 5 };

//! Messages above this level are dropped (default kWARNING).
void setReportableLogLevel(LogLevel level);
LogLevel getReportableLogLevel();
//! Whether a message at `level` would be printed.
bool shouldLog(LogLevel level);
//! Prints a message (thread-safe).
void log(LogLevel level, const std::string& msg);
//! Replaces the sink (nullptr restores stderr).
void setSink(std::function<void(LogLevel, const std::string&)> sink);
//! Prefix printed before each message.
void setLoggerPrefix(const std::string& prefix);
std::string getLoggerPrefix();
//! Whether messages get colour codes (default false).
void setIsColoredOutputOn(bool on);
//! Build progress: one line per compile phase with its time ("Torch-TensorRT - Progress: lowering:
//! 0.12 s"), printed while progress is on (the default) and the level reports warnings; off with
//! set_progress(false) or a level below kWARNING.
void setProgress(bool on);
bool getProgress();
//! Prints a progress line (through the sink, at kINFO, when one is set).
void progress(const std::string& msg);
//! An engine logger that forwards to this logger.
trt::ILogger& engineLogger();

}  // namespace logging
}  // namespace util
}  // namespace core
}  // namespace torch_tensorrt
