// Resize of two neighbouring axes with every other axis kept, as the CUDA backend's two-axis kernel runs it: the
// geometry and each output pixel's taps, shared with the host so that a CPU test checks them against the CPU
// reference (the kernel adds only the loads, stores and vector width).
#pragma once

#include <cstdint>

#include "common/host_device.h"
#include "common/resize_taps.h"

namespace trt {

//! The tensor as [outer, H, W, inner]: H and W the resized pair (one of them may keep its size), `inner` the
//! elements after W (NHWC: the channels; NCHW: 1).
struct Resize2dGeometry {
  ResizeAxis h{}, w{};
  int32_t mode = 0, transform = 0;
  int64_t inner = 1;
};

//! Whether axis `a` keeps its elements (the one-tap identity of resizeTaps).
inline bool resizeKeepsAxis(const ResizeAxis& a) { return a.in == a.out && (a.ratio == 0.0 || a.ratio == 1.0); }

//! Fills `g` where every axis the resize changes is one of two neighbours (at least one changes); false otherwise.
inline bool resize2dGeometry(const ResizeAxis* axes, int rank, int32_t mode, int32_t transform, Resize2dGeometry& g) {
  int first = -1, last = -1;
  for (int d = 0; d < rank; ++d)
    if (!resizeKeepsAxis(axes[d])) {
      if (first < 0) first = d;
      last = d;
    }
  if (first < 0 || last - first > 1 || rank < 2) return false;
  const int h = first == rank - 1 ? first - 1 : first;  // the pair (h, h + 1) holds every resized axis
  g.h = axes[h];
  g.w = axes[h + 1];
  g.mode = mode;
  g.transform = transform;
  g.inner = 1;
  for (int d = h + 2; d < rank; ++d) g.inner *= axes[d].in;
  return g.inner > 0;
}

//! Output pixel `pixel` (row-major over [outer, H_out, W_out]): its row and column taps, as a 4 x 4 grid (entry
//! i * 4 + j the offset of the input pixel's first inner element and the weight of row tap i, column tap j; `rows`
//! and `columns` of them in use), summed in the general kernel's order (row taps outer, column taps inner; weight
//! 1 x w_row x w_column, as its product over the axes). A grid of fixed places, so that a kernel's unrolled loops
//! keep it in registers. Index type I for the pixel's division.
template <typename I>
TRT_HOST_DEVICE inline void resize2dTaps(const Resize2dGeometry& g, I pixel, int64_t* offsets, float* weights,
                                         int& rows, int& columns) {
  const I outW = static_cast<I>(g.w.out), outH = static_cast<I>(g.h.out);
  const I ox = pixel % outW;
  const I rest = pixel / outW;
  const I oy = rest % outH, o = rest / outH;
  int64_t hIdx[4] = {0, 0, 0, 0}, wIdx[4] = {0, 0, 0, 0};
  float hW[4] = {0.f, 0.f, 0.f, 0.f}, wW[4] = {0.f, 0.f, 0.f, 0.f};
  rows = resizeTaps(g.h, oy, g.mode, g.transform, hIdx, hW);
  columns = resizeTaps(g.w, ox, g.mode, g.transform, wIdx, wW);
  const int64_t imageRow = static_cast<int64_t>(o) * g.h.in;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) {
      float weight = 1.f;
      weight *= hW[i];
      weight *= wW[j];
      offsets[i * 4 + j] = ((imageRow + hIdx[i]) * g.w.in + wIdx[j]) * g.inner;
      weights[i * 4 + j] = weight;
    }
}

}  // namespace trt
