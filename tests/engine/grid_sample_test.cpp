// The GridSample layer against values computed by hand (each interpolation and padding rule), its
// shape checks, and the CUDA backend against the CPU over every mode.
#include <cmath>
#include <limits>

#include "engine_test_util.h"
#ifdef TORCHTRT_WITH_CUDA
#include <cuda_runtime.h>
#endif

using namespace trt_test;

namespace {
struct Mode {
  trt::InterpolationMode interpolation;
  trt::SampleMode padding;
  bool alignCorners;
};

// x [N, C, H, W] sampled at grid [N, 1, points, 2].
void gridNetwork(trt::INetworkDefinition& net, trt::Dims x, int64_t points, const Mode& m) {
  auto* in = net.addInput("x", trt::DataType::kFLOAT, x);
  auto* grid = net.addInput("g", trt::DataType::kFLOAT, {x.d[0], 1, points, 2});
  auto* gs = net.addGridSample(*in, *grid);
  gs->setInterpolationMode(m.interpolation);
  gs->setSampleMode(m.padding);
  gs->setAlignCorners(m.alignCorners);
  gs->getOutput(0)->setName("y");
  net.markOutput(*gs->getOutput(0));
}

// The 2 x 2 image [[1, 2], [3, 4]] sampled at (x, y) pairs.
std::vector<float> sample2x2(const Mode& m, const std::vector<float>& points) {
  trt::INetworkDefinition net;
  const int64_t n = static_cast<int64_t>(points.size() / 2);
  gridNetwork(net, {1, 1, 2, 2}, n, m);
  Built b = build(net);
  return run(*b.engine, {{"x", {{1, 1, 2, 2}, {1, 2, 3, 4}}}, {"g", {{1, 1, n, 2}, points}}}).at("y");
}

const trt::InterpolationMode kLinear = trt::InterpolationMode::kLINEAR, kNearest = trt::InterpolationMode::kNEAREST,
                             kCubic = trt::InterpolationMode::kCUBIC;
const trt::SampleMode kZeros = trt::SampleMode::kFILL, kBorder = trt::SampleMode::kCLAMP,
                      kReflect = trt::SampleMode::kREFLECT;
}  // namespace

TEST(GridSample, BilinearByHand) {
  // Corners align: (-1, -1) is pixel (0, 0), (0, 0) the middle, (0.5, 0) three quarters across the middle row.
  EXPECT_EQ(sample2x2({kLinear, kZeros, true}, {-1, -1, 1, -1, 0, 0, 0.5f, 0}),
            (std::vector<float>{1.f, 2.f, 2.5f, 2.75f}));
  // Without aligned corners (-1, -1) is the outer corner, half a pixel out: zeros leave a quarter of
  // pixel (0, 0); the border clamps to it; (-2, -1) reflects to x = 0.5 (1.5), zeros give nothing.
  EXPECT_EQ(sample2x2({kLinear, kZeros, false}, {-1, -1, -2, -1}), (std::vector<float>{0.25f, 0.f}));
  EXPECT_EQ(sample2x2({kLinear, kBorder, false}, {-1, -1, -2, -1}), (std::vector<float>{1.f, 1.f}));
  EXPECT_EQ(sample2x2({kLinear, kReflect, false}, {-1, -1, -2, -1}), (std::vector<float>{1.f, 1.5f}));
}

TEST(GridSample, NearestAndBicubicByHand) {
  // Nearest rounds half to even: the middle (0.5, 0.5) goes to pixel (0, 0); (0.5, 0.5) normalized
  // is input (0.75, 0.75), pixel (1, 1).
  EXPECT_EQ(sample2x2({kNearest, kZeros, true}, {0, 0, 0.5f, 0.5f, 1, -1}), (std::vector<float>{1.f, 4.f, 2.f}));
  // Bicubic at pixel centers gives the pixels (the taps' weights are 0, 1, 0, 0); with the border
  // rule the taps outside read the edge, so the corners stay exact too.
  EXPECT_EQ(sample2x2({kCubic, kBorder, true}, {-1, -1, 1, -1, -1, 1, 1, 1}), (std::vector<float>{1, 2, 3, 4}));
  // Between the two pixels of a row with border taps [a, a, b, b]: Keys' weights at t = 0.5 are
  // (-0.09375, 0.59375, 0.59375, -0.09375), so the middle of 1 and 2 is 0.5 * 1 + 0.5 * 2 = 1.5.
  const auto mid = sample2x2({kCubic, kBorder, true}, {0, -1});
  EXPECT_NEAR(mid[0], 1.5f, 1e-6f);
}

TEST(GridSample, ShapesAndModesAreChecked) {
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", trt::DataType::kFLOAT, {1, 2, 4, 4});
  auto* grid = net.addInput("g", trt::DataType::kFLOAT, {1, 3, 3, 3});
  auto* gs = net.addGridSample(*x, *grid);
  try {
    gs->getOutput(0)->getDimensions();
    net.validate();
    FAIL() << "expected an error";
  } catch (const trt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("at a grid [N, Ho, Wo, 2], got input (1, 2, 4, 4) and grid (1, 3, 3, 3)"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(gs->setSampleMode(trt::SampleMode::kWRAP), trt::Error);
  trt::INetworkDefinition ok;
  gridNetwork(ok, {2, 3, 5, 7}, 6, {kLinear, kZeros, false});
  EXPECT_EQ(ok.getOutput(0)->getDimensions(), (trt::Dims{2, 3, 1, 6}));
}

TEST(GridSample, NonFiniteAndHugeGridPositionsAreSafe) {
  // NaN, infinite and huge positions in every mode: no out-of-range read and no undefined
  // float-to-integer conversion (the sanitizer run of this suite checks both; the plan fuzzer found
  // the reflection rule's overflow). Where such a position lands no pixel, the result is 0; else any value.
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> points = {NAN, 0.f, inf, -inf, 3e38f, -3e38f, 1e20f, 0.5f};
  for (auto interpolation : {kNearest, kLinear, kCubic})
    for (auto padding : {kZeros, kBorder, kReflect})
      for (bool align : {false, true}) EXPECT_EQ(sample2x2({interpolation, padding, align}, points).size(), 4u);
  const auto zeros = sample2x2({kLinear, kZeros, false}, {3e38f, -3e38f, 1e20f, 1e20f});
  EXPECT_EQ(zeros, (std::vector<float>{0.f, 0.f}));
}

#ifdef TORCHTRT_WITH_CUDA
TEST(GridSample, CudaMatchesTheCpu) {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess || n == 0) GTEST_SKIP() << "no CUDA GPU visible";
  const trt::Dims dims{2, 3, 5, 7};
  const int64_t points = 40;
  const auto x = randomVector(2 * 3 * 5 * 7, 71);
  const auto grid = randomVector(2 * points * 2, 72, -1.3f, 1.3f);  // some positions outside
  for (auto interpolation : {kNearest, kLinear, kCubic})
    for (auto padding : {kZeros, kBorder, kReflect})
      for (bool align : {false, true}) {
        const Mode m{interpolation, padding, align};
        trt::INetworkDefinition cpuNet, gpuNet;
        gridNetwork(cpuNet, dims, points, m);
        gridNetwork(gpuNet, dims, points, m);
        Built cpu = build(cpuNet);
        trt::IBuilderConfig config;
        config.setBackend(trt::Backend::kCUDA);
        Built gpu = build(gpuNet, &config);
        const auto y = run(*gpu.engine, {{"x", {dims, x}}, {"g", {{2, 1, points, 2}, grid}}}).at("y");
        const auto expected = run(*cpu.engine, {{"x", {dims, x}}, {"g", {{2, 1, points, 2}, grid}}}).at("y");
        // The same arithmetic; the device may contract multiply-adds into FMAs.
        expectNear(y, expected, 1e-5f);
      }
}
#endif
