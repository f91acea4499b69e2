// What the attention kernels share: the geometry of one attention and where its mask is read, and the
// per-score rule (the causal triangle, a bool mask's exclusions, an additive mask's value).
#pragma once

#include <vector>

#include "backends/cuda/cuda_kernels.h"
#include "backends/cuda/float_types.cuh"
#include "layers/attention_layout.h"

namespace trt {
namespace cuda {

// Where the mask is read (layers/attention_layout.h: a 5-D mask repeats every `period` batches).
struct MaskView {
  const void* data = nullptr;  // nullptr: no mask
  bool isBool = false;
  AttentionMaskStrides st;
};

struct Geometry {
  int64_t b, h, sq, sk, d, dv;
};

// Whether key j is left out of query row i's softmax (the causal triangle or a false bool mask),
// else the additive mask value (0 without a mask).
template <typename T>
__device__ __forceinline__ bool maskedOut(const MaskView& m, bool causal, int64_t row, int64_t i, int64_t j,
                                          float& add) {
  add = 0.f;
  if (causal && j > i) return true;
  if (!m.data) return false;
  const int64_t off = row + j * m.st.key;
  if (m.isBool) return static_cast<const uint8_t*>(m.data)[off] == 0;
  add = toFloat(static_cast<const T*>(m.data)[off]);
  return false;
}

//! The mask (input 3, when present) read over the scores [B, H, Sq, Sk].
inline MaskView maskView(const std::vector<TensorView>& in) {
  MaskView m;
  if (in.size() < 4) return m;
  m.data = in[3].data;
  m.isBool = in[3].type == DataType::kBOOL;
  m.st = attentionMaskStrides(in[3].dims);
  return m;
}

//! Runs the layer with the own small-sequence kernel (tensor cores, the whole score matrix of a head in
//! shared memory) when it applies: 16-bit types, Sq, Sk and the head sizes at most 64, rows in 16-byte
//! vectors. False otherwise (nothing was launched).
bool smallSequenceAttention(LaunchContext& ctx, const IAttentionLayer& layer, const std::vector<TensorView>& in,
                            TensorView& out, const Geometry& g);

}  // namespace cuda
}  // namespace trt
