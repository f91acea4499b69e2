// The plugin's exported table (plugin_abi.h): every call turns oneDNN's and C++'s exceptions into a
// status and a message, since none may cross into the engine.
#include <cstdio>
#include <cstring>
#include <new>

#include "backends/cpu/onednn/plugin/plugin_step.h"
#include "oneapi/dnnl/dnnl_version.h"

struct torchtrt_onednn_step {
  std::unique_ptr<torchtrt_onednn::Step> step;
};

namespace torchtrt_onednn {

const dnnl::engine& cpuEngine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

namespace {
void say(char* message, size_t size, const char* text) {
  if (message && size > 0) std::snprintf(message, size, "%s", text);
}

// Runs `body`; unimplemented means oneDNN has no kernel for the case (the engine's reference runs it).
template <typename Body>
int32_t guarded(char* message, size_t size, Body&& body) {
  try {
    return body();
  } catch (const dnnl::error& e) {
    if (e.status == dnnl_unimplemented) return TORCHTRT_ONEDNN_DECLINED;
    say(message, size, e.what());
  } catch (const std::bad_alloc&) {
    say(message, size, "out of memory");
  } catch (const std::exception& e) {
    say(message, size, e.what());
  } catch (...) {
    say(message, size, "unknown error");
  }
  return TORCHTRT_ONEDNN_FAILED;
}

template <typename Desc, typename Make>
int32_t create(const Desc* desc, torchtrt_onednn_step** out, char* message, size_t size, Make make) {
  *out = nullptr;
  return guarded(message, size, [&] {
    std::unique_ptr<Step> step = make(*desc);
    if (!step) return TORCHTRT_ONEDNN_DECLINED;
    *out = new torchtrt_onednn_step{std::move(step)};
    return TORCHTRT_ONEDNN_OK;
  });
}

const char* libraryVersion() {
  static char text[32];
  const dnnl_version_t* v = dnnl_version();
  std::snprintf(text, sizeof text, "%d.%d.%d", v->major, v->minor, v->patch);
  return text;
}

int32_t createConvolution(const torchtrt_onednn_convolution* d, torchtrt_onednn_step** s, char* m, size_t n) {
  return create(d, s, m, n, makeConvolution);
}
int32_t createMatrixMultiply(const torchtrt_onednn_matrix_multiply* d, torchtrt_onednn_step** s, char* m, size_t n) {
  return create(d, s, m, n, makeMatrixMultiply);
}
int32_t createPooling(const torchtrt_onednn_pooling* d, torchtrt_onednn_step** s, char* m, size_t n) {
  return create(d, s, m, n, makePooling);
}
int32_t execute(torchtrt_onednn_step* step, const void* const* inputs, int32_t nbInputs, void* output, char* message,
                size_t size) {
  const int32_t status = guarded(message, size, [&] {
    step->step->run(inputs, nbInputs, output);
    return TORCHTRT_ONEDNN_OK;
  });
  // A primitive that was created has an implementation: "unimplemented" here is a failure.
  if (status == TORCHTRT_ONEDNN_DECLINED) say(message, size, "could not execute a primitive");
  return status == TORCHTRT_ONEDNN_OK ? TORCHTRT_ONEDNN_OK : TORCHTRT_ONEDNN_FAILED;
}
void destroy(torchtrt_onednn_step* step) { delete step; }

const char* implementation(const torchtrt_onednn_step* step) { return step->step->implementation(); }

const torchtrt_onednn_api kApi = {TORCHTRT_ONEDNN_ABI_VERSION,
                                  libraryVersion,
                                  createConvolution,
                                  createMatrixMultiply,
                                  createPooling,
                                  execute,
                                  destroy,
                                  implementation};
}  // namespace
}  // namespace torchtrt_onednn

extern "C" __attribute__((visibility("default"))) const torchtrt_onednn_api* torchtrt_onednn_get_api(
    uint32_t abiVersion) {
  return abiVersion == TORCHTRT_ONEDNN_ABI_VERSION ? &torchtrt_onednn::kApi : nullptr;
}
