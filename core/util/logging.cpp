#include "core/util/logging.h"

#include <atomic>
#include <iostream>
#include <mutex>

namespace torch_tensorrt {
namespace core {
namespace util {
namespace logging {

namespace {
std::atomic<int> g_level{static_cast<int>(LogLevel::kWARNING)};
std::mutex g_mutex;
std::function<void(LogLevel, const std::string&)> g_sink;
std::string g_prefix = "Torch-TensorRT";
bool g_colored = false;

const char* levelName(LogLevel level) {
  switch (level) {
    case LogLevel::kINTERNAL_ERROR:
      return "Internal Error";
    case LogLevel::kERROR:
      return "Error";
    case LogLevel::kWARNING:
      return "Warning";
    case LogLevel::kINFO:
      return "Info";
    case LogLevel::kDEBUG:
      return "Debug";
    case LogLevel::kGRAPH:
      return "Graph";
  }
  return "Log";
}

class EngineLogger : public trt::ILogger {
 public:
  void log(Severity severity, const char* msg) noexcept override {
    LogLevel level = LogLevel::kDEBUG;
    switch (severity) {
      case Severity::kINTERNAL_ERROR:
        level = LogLevel::kINTERNAL_ERROR;
        break;
      case Severity::kERROR:
        level = LogLevel::kERROR;
        break;
      case Severity::kWARNING:
        level = LogLevel::kWARNING;
        break;
      case Severity::kINFO:
        level = LogLevel::kINFO;
        break;
      case Severity::kVERBOSE:
        level = LogLevel::kDEBUG;
        break;
    }
    if (shouldLog(level)) logging::log(level, std::string("[engine] ") + msg);
  }
};
}  // namespace

std::atomic<bool> g_progress{true};

void setProgress(bool on) { g_progress = on; }
bool getProgress() { return g_progress; }

void progress(const std::string& msg) {
  if (!g_progress || !shouldLog(LogLevel::kWARNING)) return;
  std::lock_guard<std::mutex> lock(g_mutex);
  if (g_sink) {
    g_sink(LogLevel::kINFO, msg);
    return;
  }
  std::cerr << g_prefix << " - Progress: " << msg << std::endl;
}

void setReportableLogLevel(LogLevel level) { g_level = static_cast<int>(level); }
LogLevel getReportableLogLevel() { return static_cast<LogLevel>(g_level.load()); }
bool shouldLog(LogLevel level) { return static_cast<int>(level) <= g_level.load(); }

void log(LogLevel level, const std::string& msg) {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (g_sink) {
    g_sink(level, msg);
    return;
  }
  const char* color = "";
  const char* reset = "";
  if (g_colored) {
    reset = "\033[0m";
    color = level <= LogLevel::kERROR ? "\033[31m" : level == LogLevel::kWARNING ? "\033[33m" : "";
  }
  std::cerr << color << g_prefix << " - " << levelName(level) << ": " << msg << reset << std::endl;
}

void setSink(std::function<void(LogLevel, const std::string&)> sink) {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_sink = std::move(sink);
}
void setLoggerPrefix(const std::string& prefix) {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_prefix = prefix;
}
std::string getLoggerPrefix() {
  std::lock_guard<std::mutex> lock(g_mutex);
  return g_prefix;
}
void setIsColoredOutputOn(bool on) { g_colored = on; }

trt::ILogger& engineLogger() {
  static EngineLogger logger;
  return logger;
}

}  // namespace logging
}  // namespace util
}  // namespace core
}  // namespace torch_tensorrt
