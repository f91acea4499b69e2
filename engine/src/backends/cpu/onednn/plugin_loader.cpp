// Loads the oneDNN plugin in its own symbol scope. Why a plugin: PyTorch's libtorch_cpu carries its
// own oneDNN (3.10 in torch 2.11) and exports some of its C++ template instances: `nm -D` on both
// libraries shows weak symbols they both define, such as the std::call_once thunks of
// dnnl::impl::cpu::x64::gemm_info_t<...>::jit_init and std::vector<dnnl::impl::broadcasting_strategy_t>::
// _M_realloc_insert. With libtorch loaded first, the dynamic linker binds libdnnl's own references to
// libtorch's copies, built for the other version's data layouts; what showed it: a grouped convolution
// with bias "could not execute a primitive" in any process that imported torch (issue #25).
// dlopen(RTLD_DEEPBIND) makes the plugin and its dependencies (libdnnl) look up their own symbols
// first, whatever the process loaded before; RTLD_LOCAL keeps theirs out of everyone else's way. The
// engine itself never links libdnnl, so nothing binds it early into the global scope.
//
// Under AddressSanitizer (an ASan build, TORCHTRT_SANITIZE or the fuzzers, or libasan in the process)
// RTLD_DEEPBIND is refused (ASan aborts the dlopen: deep binding would route the plugin's malloc
// around ASan's). There the plugin loads without it, and is not used when libtorch_cpu is in the
// process (the clash above would return).
#include "backends/cpu/onednn/plugin_loader.h"

#include <dlfcn.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "trt/types.h"

namespace trt {
namespace cpu {
namespace onednn {

namespace {
const char* const kPluginName = "libtorchtrt_onednn.so";

struct Loaded {
  const torchtrt_onednn_api* api = nullptr;
  std::string path;     // where it was loaded from
  std::string failure;  // why it was not
};

std::string directoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

// Where the plugin may be, in order: TORCHTRT_ONEDNN_PLUGIN (a file), beside the library or program
// holding the engine (an installed lib/), its ../lib (torchtrtc in bin/), then the build tree's.
std::vector<std::string> candidates() {
  std::vector<std::string> paths;
  if (const char* env = std::getenv("TORCHTRT_ONEDNN_PLUGIN"); env && *env) {
    paths.emplace_back(env);
    return paths;
  }
  Dl_info info{};
  if (dladdr(reinterpret_cast<const void*>(&pluginApi), &info) && info.dli_fname && *info.dli_fname) {
    const std::string dir = directoryOf(info.dli_fname);
    paths.push_back(dir + "/" + kPluginName);
    paths.push_back(dir + "/../lib/" + kPluginName);
  }
#ifdef TORCHTRT_ONEDNN_PLUGIN_BUILD_PATH
  paths.emplace_back(TORCHTRT_ONEDNN_PLUGIN_BUILD_PATH);
#endif
  return paths;
}

bool underAddressSanitizer() {
#if defined(__SANITIZE_ADDRESS__)
  return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  return true;
#endif
#endif
  return dlsym(RTLD_DEFAULT, "__asan_init") != nullptr;  // libasan preloaded into an uninstrumented build
}

Loaded load() {
  Loaded result;
#ifndef TORCHTRT_ONEDNN_PLUGIN_BUILD_PATH
  result.failure = "this build has no oneDNN plugin (CMake did not find libdnnl-dev 2.x)";
  return result;
#else
  int flags = RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND;
  if (underAddressSanitizer()) {
    flags = RTLD_NOW | RTLD_LOCAL;
    if (void* torch = dlopen("libtorch_cpu.so", RTLD_LAZY | RTLD_NOLOAD)) {
      dlclose(torch);
      result.failure =
          "under AddressSanitizer (which refuses RTLD_DEEPBIND) oneDNN cannot be kept apart from "
          "libtorch_cpu's copy";
      return result;
    }
  }
  std::string tried;
  for (const std::string& path : candidates()) {
    void* handle = dlopen(path.c_str(), flags);
    if (!handle) {
      const char* error = dlerror();
      tried += (tried.empty() ? "" : "; ") + std::string(error ? error : path);
      continue;
    }
    auto get = reinterpret_cast<torchtrt_onednn_get_api_fn>(dlsym(handle, TORCHTRT_ONEDNN_GET_API));
    result.api = get ? get(TORCHTRT_ONEDNN_ABI_VERSION) : nullptr;
    if (result.api) {  // the handle stays open for the process's life
      result.path = path;
      return result;
    }
    tried += (tried.empty() ? "" : "; ") + path + ": not a oneDNN plugin of this engine's interface version";
    dlclose(handle);
  }
  result.failure = "cannot load " + std::string(kPluginName) + " (" + tried + ")";
  return result;
#endif
}

const Loaded& loaded() {
  static const Loaded once = [] {
    Loaded l = load();
    if (l.api)
      defaultLogger().log(
          ILogger::Severity::kINFO,
          ("CPU kernels: oneDNN " + std::string(l.api->library_version()) + " through " + l.path).c_str());
    else
      defaultLogger().log(
          ILogger::Severity::kWARNING,
          ("the CPU backend runs its reference kernels (slow): the oneDNN plugin is unavailable: " + l.failure)
              .c_str());
    return l;
  }();
  return once;
}
}  // namespace

const torchtrt_onednn_api* pluginApi() { return loaded().api; }

std::string pluginLoadFailure() { return loaded().failure; }

}  // namespace onednn
}  // namespace cpu
}  // namespace trt
