// Which of an Attention layer's tensors the builder lets it read and write sequence-major: [B, S, H, D]
// (the layout of the projections before a head split and after a head merge) instead of [B, H, S, D].
// The attention layout pass (builder/passes/attention_layout.cpp) sets it where the permutes around an
// attention would move bytes; kernels read each tensor through attentionStrides(). Not part of the
// public interface: a choice of the builder, kept in the plan (format 15).
#pragma once

#include <cstdint>

#include "common/host_device.h"
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

//! Where an attention's mask is read: score (b, h, i, j) of [B, H, Sq, Sk] reads element
//! rowOffset(b, h, i) + j * key of the mask. A mask of rank 4 or less broadcasts to the scores (period 1); a
//! 5-D mask [G, P, H or 1, Sq or 1, Sk or 1] broadcasts to the scores with their batch viewed as [B / P, P]
//! (G: 1 or B / P): Swin's shifted-window mask, one per window, repeats every P (windows) batches.
struct AttentionMaskStrides {
  int64_t period = 1, outer = 0, inner = 0, head = 0, row = 0, key = 0;
  TRT_HOST_DEVICE int64_t rowOffset(int64_t b, int64_t h, int64_t i) const {
    return (b / period) * outer + (b % period) * inner + h * head + i * row;
  }
};

//! The strides of a mask of dims `mask` over the scores (dims the layer checked: see IAttentionLayer).
inline AttentionMaskStrides attentionMaskStrides(const Dims& mask) {
  AttentionMaskStrides st;
  if (mask.nbDims == 5) {
    int64_t packed[5], stride = 1;
    for (int i = 4; i >= 0; --i) {
      packed[i] = mask.d[i] == 1 ? 0 : stride;
      stride *= mask.d[i];
    }
    st.period = mask.d[1];
    st.outer = packed[0], st.inner = packed[1], st.head = packed[2], st.row = packed[3], st.key = packed[4];
    return st;
  }
  int64_t s[4] = {0, 0, 0, 0}, stride = 1;
  for (int i = 3; i >= 0; --i) {  // right-aligned broadcast, as layer_util::broadcastStrides
    const int k = mask.nbDims - 4 + i;
    const int64_t d = k >= 0 ? mask.d[k] : 1;
    s[i] = d == 1 ? 0 : stride;
    stride *= d;
  }
  st.outer = s[0], st.head = s[1], st.row = s[2], st.key = s[3];
  return st;
}

}  // namespace trt
