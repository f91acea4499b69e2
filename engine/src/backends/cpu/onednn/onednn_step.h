// What the oneDNN kernels share: the engine and stream, a cached step, and the dims helpers.
#pragma once

#include <memory>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "backends/cpu/cpu_kernels.h"

namespace trt {
namespace cpu {
namespace onednn {

struct Context {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
};

//! One layer at one input shape: its primitive, reordered weights and scratch buffers.
class Step {
 public:
  virtual ~Step() = default;
  virtual void run(Context& ctx, const std::vector<TensorView>& inputs, TensorView& output) = 0;
};

// Each returns nullptr when oneDNN does not cover the layer at these shapes (the reference runs it).
std::unique_ptr<Step> makeConvolution(Context& ctx, const ILayer& layer, const std::vector<TensorView>& inputs,
                                      const TensorView& output);
std::unique_ptr<Step> makeMatrixMultiply(Context& ctx, const ILayer& layer, const std::vector<TensorView>& inputs,
                                         const TensorView& output);
std::unique_ptr<Step> makePooling(Context& ctx, const ILayer& layer, const std::vector<TensorView>& inputs,
                                  const TensorView& output);

inline dnnl::memory::dims toDims(const Dims& d) { return dnnl::memory::dims(d.d, d.d + d.nbDims); }

//! The dense row-major tag of a rank (1-5), or channels-last (N, spatial..., C) for ranks 3-5.
dnnl::memory::format_tag plainTag(int rank, bool channelsLast = false);

//! A channels-last tensor's [N, spatial..., C] as oneDNN's logical [N, C, spatial...] (its tag says the layout).
inline Dims channelsFirst(const Dims& d) {
  Dims r = d;
  r.d[1] = d.d[d.nbDims - 1];
  for (int i = 2; i < d.nbDims; ++i) r.d[i] = d.d[i - 1];
  return r;
}

//! A memory for a tensor the engine owns (no copy).
inline dnnl::memory wrap(Context& ctx, const dnnl::memory::desc& desc, const void* data) {
  return dnnl::memory(desc, ctx.engine, const_cast<void*>(data));
}

//! oneDNN's fused eltwise for an activation that matches the reference exactly, or false.
bool fusableActivation(int32_t activation, dnnl::algorithm& algorithm);

}  // namespace onednn
}  // namespace cpu
}  // namespace trt
