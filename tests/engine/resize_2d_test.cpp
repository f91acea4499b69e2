// The CUDA backend's two-axis resize (common/resize_2d.h: which resizes it takes, each output pixel's taps) against
// the CPU reference, on the host: the kernel adds only loads, stores and the vector width (its GPU run is
// CudaBackend.ResizesMatchTheCpu).
#include <memory>
#include <vector>

#include "common/resize_2d.h"
#include "engine_test_util.h"

using namespace trt_test;

namespace {
struct Case {
  ResizeCase resize;
  bool twoAxes;  // whether resize2dGeometry takes it
};

std::vector<trt::ResizeAxis> axesOf(const ResizeCase& k) {
  std::vector<trt::ResizeAxis> axes;
  for (int d = 0; d < k.in.nbDims; ++d) axes.push_back({k.in.d[d], k.out.d[d], k.ratios.empty() ? 0.0 : k.ratios[d]});
  return axes;
}
}  // namespace

TEST(Resize2d, TakesTwoNeighbouringAxesAndTheirTapsGiveTheCpuReferencesValues) {
  using M = trt::InterpolationMode;
  using C = trt::ResizeCoordinateTransformation;
  const Case cases[] = {
      {{{2, 5, 7, 16}, {2, 10, 14, 16}, M::kNEAREST, C::kASYMMETRIC, {1.0, 0.5, 0.5, 1.0}}, true},  // FPN, by scale
      {{{2, 5, 7, 16}, {2, 9, 12, 16}, M::kNEAREST, C::kHALF_PIXEL, {}}, true},
      {{{2, 5, 7, 16}, {2, 9, 12, 16}, M::kLINEAR, C::kHALF_PIXEL, {}}, true},
      {{{2, 5, 7, 16}, {2, 9, 12, 16}, M::kLINEAR, C::kALIGN_CORNERS, {}}, true},
      {{{2, 5, 7, 16}, {2, 5, 11, 16}, M::kLINEAR, C::kHALF_PIXEL, {}}, true},  // one axis
      {{{2, 5, 7, 16}, {2, 3, 4, 16}, M::kCUBIC, C::kALIGN_CORNERS, {}}, true},
      {{{2, 6, 5, 7}, {2, 6, 11, 13}, M::kLINEAR, C::kHALF_PIXEL, {}}, true},  // NCHW
      {{{2, 6, 5, 7}, {2, 6, 5, 13}, M::kCUBIC, C::kHALF_PIXEL, {}}, true},    // the last axis alone
      {{{3, 6, 13}, {3, 9, 7}, M::kLINEAR, C::kHALF_PIXEL, {}}, true},
      {{{3, 5, 7, 4}, {6, 5, 7, 4}, M::kNEAREST, C::kASYMMETRIC, {}}, true},           // the first axis alone
      {{{5, 7}, {9, 4}, M::kLINEAR, C::kHALF_PIXEL, {}}, true},                        // rank 2
      {{{2, 3, 4, 5, 6}, {2, 3, 8, 10, 6}, M::kLINEAR, C::kALIGN_CORNERS, {}}, true},  // 5-D, inner 6
      {{{2, 5, 7, 3}, {2, 9, 12, 3}, M::kLINEAR, C::kHALF_PIXEL, {}}, true},           // 3 channels
      {{{2, 5, 7, 16}, {2, 6, 8, 24}, M::kLINEAR, C::kHALF_PIXEL, {}}, false},         // three axes
      {{{2, 5, 7, 16}, {3, 5, 7, 24}, M::kNEAREST, C::kASYMMETRIC, {}}, false},        // two axes apart
  };
  for (const Case& c : cases) {
    const ResizeCase& k = c.resize;
    SCOPED_TRACE(k.in.str() + " -> " + k.out.str());
    const auto axes = axesOf(k);
    trt::Resize2dGeometry g;
    const bool taken = trt::resize2dGeometry(axes.data(), k.in.nbDims, static_cast<int32_t>(k.mode),
                                             static_cast<int32_t>(k.transform), g);
    ASSERT_EQ(taken, c.twoAxes);
    if (!taken) continue;
    trt::INetworkDefinition net;
    addResizeNetwork(net, k);
    const auto xv = randomVector(static_cast<size_t>(k.in.volume()), 98, -2.f, 2.f);
    const auto want = run(*build(net).engine, {{"x", {k.in, xv}}})["y"];
    ASSERT_EQ(want.size(), static_cast<size_t>(k.out.volume()));
    const int64_t pixels = k.out.volume() / g.inner;
    for (int64_t pixel = 0; pixel < pixels; ++pixel) {
      const trt::Resize2dTaps taps = trt::resize2dTaps<int32_t>(g, static_cast<int32_t>(pixel));
      ASSERT_TRUE(taps.rows >= 1 && taps.rows <= 4 && taps.columns >= 1 && taps.columns <= 4);
      for (int64_t c = 0; c < g.inner; ++c) {
        float acc = 0.f;
        for (int i = 0; i < taps.rows; ++i)
          for (int j = 0; j < taps.columns; ++j)
            acc += taps.weight(i, j) * xv[static_cast<size_t>(taps.rowOffset[i] + taps.columnOffset[j] + c)];
        ASSERT_NEAR(acc, want[static_cast<size_t>(pixel * g.inner + c)], 1e-6f)
            << "pixel " << pixel << " element " << c;
      }
    }
  }
}
