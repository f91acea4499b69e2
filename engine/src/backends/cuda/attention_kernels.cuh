// What the attention kernels share: the geometry of one attention and where its mask is read, and the
// per-score rule (the causal triangle, a bool mask's exclusions, an additive mask's value).
#pragma once

#include <vector>

#include "backends/cuda/cuda_kernels.h"
#include "backends/cuda/float_types.cuh"
#include "layers/layer_util.h"

namespace trt {
namespace cuda {

// Where the mask is read: element (b, h, i, j) of the scores reads mask[b*s0 + h*s1 + i*s2 + j*s3].
struct MaskView {
  const void* data = nullptr;  // nullptr: no mask
  bool isBool = false;
  int64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
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
  const int64_t off = row + j * m.s3;
  if (m.isBool) return static_cast<const uint8_t*>(m.data)[off] == 0;
  add = toFloat(static_cast<const T*>(m.data)[off]);
  return false;
}

//! The mask (input 3, when present) read as broadcast to the scores [B, H, Sq, Sk].
inline MaskView maskView(const std::vector<TensorView>& in, const Geometry& g) {
  MaskView m;
  if (in.size() < 4) return m;
  m.data = in[3].data;
  m.isBool = in[3].type == DataType::kBOOL;
  Dims scores;
  scores.nbDims = 4;
  scores.d[0] = g.b, scores.d[1] = g.h, scores.d[2] = g.sq, scores.d[3] = g.sk;
  int64_t s[4];
  layer_util::broadcastStrides(in[3].dims, scores, s);
  m.s0 = s[0], m.s1 = s[1], m.s2 = s[2], m.s3 = s[3];
  return m;
}

//! Runs the layer with the own small-sequence kernel (tensor cores, the whole score matrix of a head in
//! shared memory) when it applies: 16-bit types, Sq, Sk and the head sizes at most 64, rows in 16-byte
//! vectors. False otherwise (nothing was launched).
bool smallSequenceAttention(LaunchContext& ctx, const IAttentionLayer& layer, const std::vector<TensorView>& in,
                            TensorView& out, const Geometry& g);

}  // namespace cuda
}  // namespace trt
