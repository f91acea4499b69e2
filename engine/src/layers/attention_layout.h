// Which of an Attention layer's tensors the builder lets it read and write sequence-major: [B, S, H, D]
// (the layout of the projections before a head split and after a head merge) instead of [B, H, S, D].
// The attention layout pass (builder/passes/attention_layout.cpp) sets it where the permutes around an
// attention would move bytes; kernels read each tensor through attentionStrides(). Not part of the
// public interface: a choice of the builder, kept in the plan (format 15).
#pragma once

#include <cstdint>

#include "trt/network.h"

namespace trt {

//! Bits of the layout mask: the query, key, value inputs and the output.
enum AttentionSequenceMajor : uint32_t {
  kQuerySequenceMajor = 1u << 0,
  kKeySequenceMajor = 1u << 1,
  kValueSequenceMajor = 1u << 2,
  kOutputSequenceMajor = 1u << 3,
  kAllSequenceMajor = 15u,
};

//! The layer's mask (0: every tensor [B, H, S, D], the interface's layout).
uint32_t attentionSequenceMajor(const IAttentionLayer& layer);
//! Sets the mask; the layer's output shape follows it.
void setAttentionSequenceMajor(IAttentionLayer& layer, uint32_t mask);

//! Element strides of a tensor read as [B, H, S, D] (b, h, s, d), from its stored dims: [B, H, S, D],
//! or [B, S, H, D] when `sequenceMajor`.
struct AttentionStrides {
  int64_t b = 0, h = 0, s = 0, d = 1;
};
inline AttentionStrides attentionStrides(const Dims& stored, bool sequenceMajor) {
  AttentionStrides st;
  if (sequenceMajor) {  // [B, S, H, D]
    st.h = stored.d[3];
    st.s = stored.d[2] * stored.d[3];
  } else {  // [B, H, S, D]
    st.s = stored.d[3];
    st.h = stored.d[2] * stored.d[3];
  }
  st.b = stored.d[1] * stored.d[2] * stored.d[3];
  return st;
}

//! The [B, H, S, D] view of stored dims (dims 1 and 2 swapped when sequence-major).
inline Dims attentionLogicalDims(Dims stored, bool sequenceMajor) {
  if (sequenceMajor && stored.nbDims == 4) {
    const int64_t s = stored.d[1];
    stored.d[1] = stored.d[2];
    stored.d[2] = s;
  }
  return stored;
}

}  // namespace trt
