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

//! One output pixel's taps: row tap i and column tap j read the input pixel at element rowOffset[i] +
//! columnOffset[j] (its first inner element) with weight(i, j); `rows` and `columns` of them in use.
struct Resize2dTaps {
  int rows = 0, columns = 0;
  int64_t rowOffset[4] = {0, 0, 0, 0}, columnOffset[4] = {0, 0, 0, 0};
  float rowWeight[4] = {0.f, 0.f, 0.f, 0.f}, columnWeight[4] = {0.f, 0.f, 0.f, 0.f};
  //! 1 x w_row x w_column, in that order: the general kernel's product over the axes (kept axes weigh 1).
  TRT_HOST_DEVICE float weight(int i, int j) const {
    float w = 1.f;
    w *= rowWeight[i];
    w *= columnWeight[j];
    return w;
  }
};

//! The taps of output pixel `pixel` (row-major over [outer, H_out, W_out]), to be summed row taps outer, column
//! taps inner, as the general kernel's counter runs. Fixed places (four of each), so that a kernel's unrolled loops
//! keep them in registers. Index type I for the pixel's division.
template <typename I>
TRT_HOST_DEVICE inline Resize2dTaps resize2dTaps(const Resize2dGeometry& g, I pixel) {
  const I outW = static_cast<I>(g.w.out), outH = static_cast<I>(g.h.out);
  const I ox = pixel % outW;
  const I rest = pixel / outW;
  const I oy = rest % outH, o = rest / outH;
  Resize2dTaps t;
  t.rows = resizeTaps(g.h, oy, g.mode, g.transform, t.rowOffset, t.rowWeight);
  t.columns = resizeTaps(g.w, ox, g.mode, g.transform, t.columnOffset, t.columnWeight);
  const int64_t imageRow = static_cast<int64_t>(o) * g.h.in;
  const int64_t rowElements = g.w.in * g.inner;
  for (int k = 0; k < 4; ++k) {
    t.rowOffset[k] = (imageRow + t.rowOffset[k]) * rowElements;
    t.columnOffset[k] *= g.inner;
  }
  return t;
}

}  // namespace trt
