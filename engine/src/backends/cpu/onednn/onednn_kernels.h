// The CPU backend's fast kernels: the layers oneDNN covers (convolutions, matrix products, pooling)
// run through oneDNN primitives; every other layer, and every case a primitive declines, runs the
// reference kernel. Built only with oneDNN (TORCHTRT_WITH_ONEDNN); no oneDNN type leaks out of here.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "backends/cpu/cpu_kernels.h"
#include "backends/cpu/onednn/layer_runs.h"

namespace trt {
namespace cpu {
namespace onednn {

//! Whether the oneDNN this process calls is the one the engine was built against. PyTorch's
//! libtorch_cpu exports its own oneDNN (another major version) under the same C symbols; loaded
//! first, it takes our calls, which then fail or misbehave. Then the fast kernels must not run.
bool libraryIsOurs();

//! The primitives of one execution context, created on a layer's first run with an input shape and
//! kept (weights reordered into the primitive's format once). Not thread-safe: one per runner.
class Kernels {
 public:
  Kernels();
  ~Kernels();
  Kernels(const Kernels&) = delete;
  Kernels& operator=(const Kernels&) = delete;
  //! Runs `layer` on oneDNN when it covers it; false when the caller must run the reference kernel.
  bool run(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace onednn
}  // namespace cpu
}  // namespace trt
