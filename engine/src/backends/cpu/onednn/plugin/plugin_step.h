// What the plugin's primitives share: the CPU engine, the step base and memory descriptors of the
// engine's tensors. Only plugin sources include this (it pulls in oneDNN's C++ API).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "backends/cpu/onednn/plugin_abi.h"

namespace torchtrt_onednn {

//! The process's oneDNN CPU engine (thread-safe; created on first use).
const dnnl::engine& cpuEngine();

//! One layer at one set of shapes: its primitive, reordered weights and scratch memory. Each step
//! has its own stream; the engine runs a step on one thread at a time.
class Step {
 public:
  Step() : stream_(cpuEngine()) {}
  virtual ~Step() = default;
  virtual void run(const void* const* inputs, int32_t nbInputs, void* output) = 0;
  //! oneDNN's name for the primitive's implementation (the inspector shows it).
  const char* implementation() const { return implementation_.c_str(); }

 protected:
  dnnl::stream stream_;
  std::string implementation_;
};

std::unique_ptr<Step> makeConvolution(const torchtrt_onednn_convolution& desc);
std::unique_ptr<Step> makeMatrixMultiply(const torchtrt_onednn_matrix_multiply& desc);
std::unique_ptr<Step> makePooling(const torchtrt_onednn_pooling& desc);

inline dnnl::memory::dims dimsOf(const torchtrt_onednn_tensor& t) {
  return dnnl::memory::dims(t.dims, t.dims + t.rank);
}

//! oneDNN's type for a TORCHTRT_ONEDNN_* element type.
inline dnnl::memory::data_type typeOf(int32_t dataType) {
  return dataType == TORCHTRT_ONEDNN_BF16 ? dnnl::memory::data_type::bf16 : dnnl::memory::data_type::f32;
}

//! The memory descriptor of a tensor laid out by its strides.
inline dnnl::memory::desc descOf(const torchtrt_onednn_tensor& t, int32_t dataType = TORCHTRT_ONEDNN_F32) {
  return dnnl::memory::desc(dimsOf(t), typeOf(dataType), dnnl::memory::dims(t.strides, t.strides + t.rank));
}

//! Appends activation `code` (TORCHTRT_ONEDNN_ACT_*) as an eltwise post-op.
inline void appendActivation(dnnl::post_ops& ops, int32_t code) {
  switch (code) {
    case TORCHTRT_ONEDNN_ACT_RELU:
      ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
      break;
    case TORCHTRT_ONEDNN_ACT_SILU:
      ops.append_eltwise(1.f, dnnl::algorithm::eltwise_swish, 1.f, 0.f);
      break;
    case TORCHTRT_ONEDNN_ACT_HARD_SWISH:
      // oneDNN 2.x ignores alpha and beta here; 3.x computes x * clamp(alpha * x + beta, 0, 1).
      ops.append_eltwise(1.f, dnnl::algorithm::eltwise_hardswish, 1.f / 6.f, 0.5f);
      break;
    case TORCHTRT_ONEDNN_ACT_GELU_ERF:
      ops.append_eltwise(1.f, dnnl::algorithm::eltwise_gelu_erf, 0.f, 0.f);
      break;
    case TORCHTRT_ONEDNN_ACT_GELU_TANH:
      ops.append_eltwise(1.f, dnnl::algorithm::eltwise_gelu_tanh, 0.f, 0.f);
      break;
    default:
      break;
  }
}

//! A memory over a tensor the engine owns (no copy).
inline dnnl::memory wrap(const dnnl::memory::desc& desc, const void* data) {
  return dnnl::memory(desc, cpuEngine(), const_cast<void*>(data));
}

}  // namespace torchtrt_onednn
