// The CPU backend's fast kernels: the layers oneDNN covers (convolutions, matrix products, pooling,
// attention's two products)
// run on the oneDNN plugin's primitives (plugin_abi.h); every other layer, and every case the plugin
// declines, runs the reference kernel. No oneDNN header or type is seen by the engine.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "backends/cpu/cpu_kernels.h"
#include "backends/cpu/onednn/layer_runs.h"
#include "backends/cpu/onednn/plugin_abi.h"

namespace trt {
namespace cpu {
namespace onednn {

class Step;
struct AttentionSteps;

//! The shapes a layer keeps its primitives for (the most recently used ones) unless TORCHTRT_CPU_SHAPES_KEPT
//! says another number: a dynamic-shape engine holds at most this many a layer, whatever the number of shapes
//! it has run at (each with the primitive's own copy of the weights in its format).
constexpr size_t kShapesKeptPerLayer = 8;
//! kShapesKeptPerLayer, or TORCHTRT_CPU_SHAPES_KEPT (a positive integer), read once.
size_t shapesKeptPerLayer();

//! Whether the CPU has AVX-512 BF16: bfloat16 convolutions, products and pooling then run on oneDNN.
bool cpuHasBf16();

//! The primitives of one execution context, created before the first run at an input shape (prepare)
//! and kept (weights reordered into the primitive's format once, at the first run). Not thread-safe: one per runner.
class Kernels {
 public:
  //! `api`: the loaded plugin's table (plugin_loader.h).
  explicit Kernels(const torchtrt_onednn_api& api);
  ~Kernels();
  Kernels(const Kernels&) = delete;
  Kernels& operator=(const Kernels&) = delete;
  //! Runs `layer` on oneDNN when it covers it; false when the caller must run the reference kernel.
  bool run(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output);
  //! Creates the primitives `layer` runs on at these shapes; returns oneDNN's name for them ("oneDNN
  //! convolution brg:avx2"), or "" when the layer runs on the engine's own kernel.
  std::string prepare(const ILayer& layer, const std::vector<TensorView>& inputs, const TensorView& output);

 private:
  //! Attention: Q K^T and P V on oneDNN around the reference's masked softmax; false where not taken.
  bool runAttention(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output);
  //! The cached step (or attention's two) of `layer` at these shapes, created on first use; nullptr where
  //! the reference runs it.
  Step* step(const ILayer& layer, const std::vector<TensorView>& inputs, const TensorView& output);
  AttentionSteps* attentionSteps(const ILayer& layer, const std::vector<TensorView>& inputs, const TensorView& output);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace onednn
}  // namespace cpu
}  // namespace trt
