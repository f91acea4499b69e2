// Timing a layer's candidate kernels (tactics) as the builder's tuning run does: each call after an L2 flush,
// so it starts cold as inside a network, on the stream or as a captured graph. Shared by the convolution and matrix
// multiply launchers.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "backends/cuda/cuda_kernels.h"

namespace trt {
namespace cuda {

//! Whether the diagnostic setting `variable` (TORCHTRT_CONV_TIMING, TORCHTRT_PRODUCT_TIMING) asks for every candidate
//! timed on the stream instead of as the captured graph runs it; each caller reads it once.
inline bool timingOnStreamAskedBy(const char* variable) {
  const char* v = std::getenv(variable);
  return v != nullptr && std::strcmp(v, "stream") == 0;
}

//! A device buffer twice the current GPU's L2 (made once per device), or nullptr where it cannot be allocated.
void* l2FlushBuffer(size_t& bytes);

// Milliseconds for the layer's tactic `fn`: one warm-up call, then the builder's timing iterations
// (IBuilderConfig::setAvgTimingIterations) of 3 calls each, each call after an L2 flush, averaged per
// call (the flushes themselves are not timed).
template <typename Fn>
float timeOnStream(LaunchContext& ctx, Fn fn) {
  const int runs = 3 * (ctx.timingIterations < 1 ? 1 : ctx.timingIterations);
  struct Events {
    std::vector<cudaEvent_t> events;
    ~Events() {
      for (cudaEvent_t e : events) cudaEventDestroy(e);
    }
  } e;
  e.events.resize(2 * static_cast<size_t>(runs), nullptr);
  for (auto& event : e.events) check(cudaEventCreate(&event), "cudaEventCreate");
  size_t flushBytes = 0;
  void* flush = l2FlushBuffer(flushBytes);
  fn();
  for (int i = 0; i < runs; ++i) {
    if (flush) check(cudaMemsetAsync(flush, i & 0xff, flushBytes, ctx.stream), "cudaMemsetAsync (L2 flush)");
    check(cudaEventRecord(e.events[2 * i], ctx.stream), "cudaEventRecord");
    fn();
    check(cudaEventRecord(e.events[2 * i + 1], ctx.stream), "cudaEventRecord");
  }
  check(cudaEventSynchronize(e.events.back()), "cudaEventSynchronize");
  float total = 0.f;
  for (int i = 0; i < runs; ++i) {
    float ms = 0.f;
    check(cudaEventElapsedTime(&ms, e.events[2 * i], e.events[2 * i + 1]), "cudaEventElapsedTime");
    total += ms;
  }
  ctx.timedRuns += runs + 1;
  return total / static_cast<float>(runs);
}

// timeOnStream of a tactic `fn` that returns false where it cannot run: `ran` says whether every call ran.
template <typename Fn>
float timeOnStreamIfRuns(LaunchContext& ctx, Fn fn, bool& ran) {
  bool all = true;
  const float ms = timeOnStream(ctx, [&]() { all = fn() && all; });
  ran = all;
  return ms;
}

// Milliseconds for the layer's tactic `fn` (which returns false where the tactic cannot run: `ran` false, nothing
// timed) as the engine's captured graph replays it: one uncaptured warm-up call (lazy initialization and allocation
// happen there), then the call captured into a CUDA graph, whose launches are timed as timeOnStream times its calls
// (each after an L2 flush). What a graph adds to the tactic counts: a node per kernel or memset, and the latency
// between dependent nodes. Where the call cannot be captured (or fails inside the capture), timeOnStream's figure,
// and `asGraph` false: the two methods' figures differ by the graph launch's own latency, so a caller comparing
// candidates compares figures of one method.
template <typename Fn>
float timeAsGraph(LaunchContext& ctx, Fn fn, bool& ran, bool& asGraph) {
  asGraph = false;
  ran = fn();
  if (!ran) return 0.f;
  // Captured on the context's capture stream (the caller's may be the legacy default stream, which cannot be
  // captured), as the engine's graph mode captures; launched and timed on the caller's.
  const cudaGraphExec_t exec = ctx.captureGraphOf(fn);
  if (!exec) return timeOnStreamIfRuns(ctx, fn, ran);
  struct Owned {
    cudaGraphExec_t exec;
    ~Owned() { cudaGraphExecDestroy(exec); }
  } owned{exec};
  const float ms = timeOnStream(ctx, [&]() { check(cudaGraphLaunch(exec, ctx.stream), "cudaGraphLaunch"); });
  asGraph = true;
  return ms;
}

//! A candidate's figure from timeAsGraph: its tactic, milliseconds and whether they are a captured graph's.
struct TimedTactic {
  int64_t tactic;
  float ms;
  bool asGraph;
};

// The fastest of `timed` (-1 where it is empty), comparing one method's figures: where some candidates could not be
// captured, each is timed again on the stream by `onStream(tactic, ms)` (false, or an Error thrown, where it did not
// run: it drops out).
template <typename OnStream>
int64_t fastestOfOneMethod(std::vector<TimedTactic>& timed, OnStream onStream) {
  bool graphs = false, streams = false;
  for (const TimedTactic& t : timed) (t.asGraph ? graphs : streams) = true;
  int64_t best = -1;
  float bestMs = -1.f;
  for (TimedTactic& t : timed) {
    if (graphs && streams) {
      try {
        if (!onStream(t.tactic, t.ms)) continue;
      } catch (const Error&) {
        continue;
      }
    }
    if (bestMs < 0.f || t.ms < bestMs) {
      bestMs = t.ms;
      best = t.tactic;
    }
  }
  return best;
}

// Milliseconds a call of `fn` over `calls` calls queued back to back, L2 warm and the host's launch work hidden behind
// the queue: a candidate's steady-state time as a captured graph replays it, beside timeOnStream's cold-L2 time
// (TORCHTRT_LOG_PRODUCT_TACTICS prints both beside each other; the builder chooses products by timeAsGraph's, the
// other layers by timeOnStream's).
template <typename Fn>
float timeBackToBack(LaunchContext& ctx, Fn fn, int calls = 10) {
  cudaEvent_t start = nullptr, stop = nullptr;
  check(cudaEventCreate(&start), "cudaEventCreate");
  if (cudaEventCreate(&stop) != cudaSuccess) {
    cudaEventDestroy(start);
    throw Error("CUDA backend: cudaEventCreate failed");
  }
  float ms = 0.f;
  fn();
  cudaError_t status = cudaEventRecord(start, ctx.stream);
  for (int i = 0; i < calls && status == cudaSuccess; ++i) fn();
  if (status == cudaSuccess) status = cudaEventRecord(stop, ctx.stream);
  if (status == cudaSuccess) status = cudaEventSynchronize(stop);
  if (status == cudaSuccess) status = cudaEventElapsedTime(&ms, start, stop);
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
  check(status, "back-to-back timing");
  ctx.timedRuns += calls + 1;
  return ms / static_cast<float>(calls);
}

}  // namespace cuda
}  // namespace trt
