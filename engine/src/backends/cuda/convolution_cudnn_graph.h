// Channels-last 2-D convolutions with their bias, residual add and activation fused, through cuDNN's graph API
// (the frontend's conv_fprop followed by pointwise nodes: the runtime-fusion and sm90 NHWC implicit-GEMM engines the
// legacy calls do not reach). Behind a small interface, as the fused attention, so that the frontend's headers
// compile in one host C++ file (convolution_cudnn_graph.cpp). The builder times the execution plans cuDNN's
// heuristics offer against the other convolution tactics and the plan keeps the chosen plan's index.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "trt/types.h"

namespace trt {
namespace cuda {
namespace convgraph {

//! One convolution: x [n, c, h, w] stored NHWC, filter [k, c / groups, r, s] stored KRSC, y [n, k, outH, outW]
//! NHWC, all of `type` (FP16 or BF16; FP32 accumulation); bias [k] and a residual of y's shape optional;
//! `activation` an ActivationType (-1: none) with its alpha and beta, one fusedActivationSupported() accepts.
struct Config {
  DataType type = DataType::kHALF;
  int64_t n = 0, c = 0, h = 0, w = 0, k = 0, r = 0, s = 0, groups = 1, outH = 0, outW = 0;
  int64_t padH = 0, padW = 0, strideH = 1, strideW = 1, dilH = 1, dilW = 1;
  bool bias = false, residual = false;
  int32_t activation = -1;
  float alpha = 0.f, beta = 0.f;
  //! Whether cuDNN's runtime-compiled engines (NVRTC) are among the candidates: plan indices count in the list this
  //! gives, so a recorded choice carries it.
  bool runtimeCompiled = false;
};

//! Device pointers of one call (bias and residual null where the configuration has none).
struct Buffers {
  const void* x = nullptr;
  const void* w = nullptr;
  const void* bias = nullptr;
  const void* residual = nullptr;
  void* y = nullptr;
  void* workspace = nullptr;
};

//! A cuDNN handle and the graphs built so far (one per launch context; not shared between threads).
class GraphCache;

//! Whether this build has cuDNN's graph API through the frontend (its headers were found at configure time).
bool available();

//! Whether the builder offers cuDNN's runtime-compiled engines as candidates (TORCHTRT_CUDNN_RUNTIME_FUSION=1) and a
//! plan built with them may run here.
bool runtimeFusion();

//! Whether a plan file's serialized cuDNN plans are handed to cuDNN (TORCHTRT_CUDNN_RUNTIME_FUSION=1 set explicitly:
//! docs/security.md); otherwise a loaded engine builds its chosen plans itself.
bool adoptsSerializedPlans();

//! Whether the fused epilogue can compute this activation (an ActivationType, or -1 for none, with its alpha and
//! beta) exactly as the engine's other kernels do: ReLU and a clip to [0, beta] (ReLU6: cuDNN's ReLU with an upper
//! clip).
bool fusedActivationSupported(int32_t activation, float alpha, float beta);

//! Creates a cache for calls on one stream; throws when cuDNN cannot start.
std::shared_ptr<GraphCache> makeGraphCache();

//! How many execution plans cuDNN built for `config` (once per configuration; at most `most`), 0 where it supports
//! none; plan i is then 0 <= i < count, in cuDNN's heuristic order.
int32_t planCount(GraphCache& cache, void* stream, const Config& config, int32_t most);

//! Builds the graphs of `configs` (those not in the cache yet) and each one's first `most[i]` plans, compiling
//! runtime-fusion kernels, on up to `threads` threads side by side (each with a cuDNN handle of its own, which then
//! runs that configuration's plans), on the calling thread's device. A configuration cuDNN cannot build here is
//! left to planCount(), which builds it as before.
void prebuild(GraphCache& cache, const std::vector<Config>& configs, const std::vector<int32_t>& most, int32_t threads);

//! The workspace of plan `index` in bytes, or -1 when the plan does not exist.
int64_t workspaceOf(GraphCache& cache, void* stream, const Config& config, int32_t index);

//! Runs plan `index` of a configuration planCount() accepted; false when cuDNN refused it at launch (nothing was
//! written).
bool run(GraphCache& cache, void* stream, const Config& config, int32_t index, const Buffers& buffers);

//! Plan `index` of `config` serialized (for the engine's plan file, so a process loading it need not compile the
//! plan's kernel again); empty where the plan does not exist or cuDNN cannot serialize it.
std::vector<uint8_t> serialize(GraphCache& cache, void* stream, const Config& config, int32_t index);

//! A plan document (cuDNN frontend UBJSON) behind the header serialize() writes for `config` and `index`.
std::vector<uint8_t> wrapArtifact(const Config& config, int32_t index, const std::vector<uint8_t>& document);

//! Whether an artifact passes the checks adopt() makes before cuDNN reads it (header of this cuDNN, frontend,
//! configuration and index; UBJSON without declared container sizes, at most 32 levels deep and 65536 values; the
//! fields the frontend reads); needs no GPU.
bool readableArtifact(const Config& config, int32_t index, const std::vector<uint8_t>& bytes);

//! Makes a serialized plan (serialize() on a GPU and cuDNN like these) plan `index` of `config` in this cache,
//! unless the cache already has that plan; false (nothing changed) where cuDNN cannot read it here: the plan is then
//! built as without it.
bool adopt(GraphCache& cache, void* stream, const Config& config, int32_t index, const std::vector<uint8_t>& bytes);

//! How many calls run() launched in this process (the tests check that a plan's graph tactic ran as one).
int64_t runs();

//! How many execution plans this process built (compiled, for runtime-fusion engines); an adopted plan is not built.
int64_t plansBuilt();

//! How many of those prebuild() built (on its threads).
int64_t plansPrebuilt();

//! How many configurations prebuild() built at least one plan for.
int64_t configurationsPrebuilt();

}  // namespace convgraph
}  // namespace cuda
}  // namespace trt
