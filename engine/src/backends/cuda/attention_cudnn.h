// cuDNN's fused scaled-dot-product attention (SDPA) through the cuDNN frontend's graph API, behind a
// small interface so that the frontend's headers are compiled in one host C++ file
// (attention_cudnn.cpp): through nvcc they took four minutes to compile, as plain C++ under a minute.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "trt/types.h"

namespace trt {
namespace cuda {
namespace sdpa {

//! One SDPA configuration: Q [b, h, sq, d], K [b, h, sk, d], V [b, h, sk, dv], O [b, h, sq, dv], each
//! packed in that order, or stored [b, s, h, d] where its bit of `sequenceMajor` is set (bits 0-3: Q, K, V,
//! O; layers/attention_layout.h). An optional additive bias of T (the I/O type) broadcast over [b, h, sq, sk]:
//! biasBatch and biasHeads are b or 1 (0: no bias), biasRows sq or 1 (1: one row of keys for every query, read with a
//! zero stride). Equal configurations share one built graph.
struct Config {
  DataType type = DataType::kHALF;  // kHALF or kBF16
  int64_t b = 0, h = 0, sq = 0, sk = 0, d = 0, dv = 0;
  int64_t biasBatch = 0, biasHeads = 0, biasRows = 0;
  bool causal = false;
  float scale = 1.f;
  uint32_t sequenceMajor = 0;
};

//! What distinguishes one configuration from another (equal keys share one built graph), as numbers.
std::vector<int64_t> configurationKey(const Config& config);

//! Device pointers of one call; bias may be null when the configuration has none.
struct Buffers {
  const void* q = nullptr;
  const void* k = nullptr;
  const void* v = nullptr;
  void* o = nullptr;
  const void* bias = nullptr;
  void* workspace = nullptr;
};

//! A cuDNN handle and the graphs built so far (one per launch context; not shared between threads).
class GraphCache;

//! Whether this build has cuDNN's SDPA (the frontend's headers were found at configure time).
bool available();

//! cuDNN's and the frontend's versions as one number (0 without the frontend): plan indices mean what they mean in
//! one pair of versions.
int64_t versionKey();

//! Creates a cache for calls on `stream` (a cudaStream_t); throws when cuDNN cannot start.
std::shared_ptr<GraphCache> makeGraphCache();

//! Most plans a configuration has (cuDNN's candidates that build here, in its order).
constexpr int32_t kMostPlans = 4;

//! Builds (once) the graph of `config` and its first `most` plans (fewer where cuDNN has fewer), and returns how many
//! are built: 0 when cuDNN does not support the configuration (the caller computes attention another way). Plan 0 is
//! the first of cuDNN's heuristic ranking that builds.
int32_t planCount(GraphCache& cache, void* stream, const Config& config, int32_t most);

//! The workspace in bytes of plan `plan` of `config` (built once, with the plans before it), or -1 when there is no
//! such plan or cuDNN refused it at launch.
int64_t prepare(GraphCache& cache, void* stream, const Config& config, int32_t plan);

//! Runs plan `plan` of a configuration prepare() accepted; false when cuDNN refused it at launch (nothing was
//! written; that plan is refused from then on, the others keep their indices).
bool run(GraphCache& cache, void* stream, const Config& config, int32_t plan, const Buffers& buffers);

}  // namespace sdpa
}  // namespace cuda
}  // namespace trt
