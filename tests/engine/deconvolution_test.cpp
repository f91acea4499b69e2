// Deconvolution (transposed convolution) against a loop written for the test: 1-D, 2-D and 3-D,
// groups, stride, dilation, asymmetric crops and output padding (negative post padding), bias;
// dynamic batch and spatial dims through a profile; refused configurations; CUDA against the CPU.
#include <algorithm>

#include "engine_test_util.h"
#ifdef TORCHTRT_WITH_CUDA
#include <cuda_runtime.h>
#endif

using namespace trt_test;

namespace {
using trt::DataType;
using trt::Dims;

struct Config {
  Dims input;  // [N, C, spatial...]
  int32_t maps;
  Dims kernel, stride, pre, post, dilation;
  int32_t groups;
  bool bias;
};

int64_t volume(const std::vector<int64_t>& v) {
  int64_t n = 1;
  for (int64_t d : v) n *= d;
  return n;
}

// The definition: input element x[n][c][i...] adds x * w[c][m][t...] to out[n][g*mapsPerGroup + m][o...]
// with o = i * stride - pre + t * dilation, per spatial dim, where o lands inside the output.
std::vector<float> reference(const Config& c, const Dims& input, const std::vector<float>& x,
                             const std::vector<float>& w, const std::vector<float>& b, Dims& outDims) {
  const int nd = c.kernel.nbDims;
  const int64_t batch = input.d[0], cin = input.d[1], cinG = cin / c.groups, coutG = c.maps / c.groups;
  std::vector<int64_t> in(nd), out(nd), k(nd);
  outDims = input;
  outDims.d[1] = c.maps;
  for (int i = 0; i < nd; ++i) {
    in[i] = input.d[2 + i];
    k[i] = c.kernel.d[i];
    out[i] = (in[i] - 1) * c.stride.d[i] + c.dilation.d[i] * (k[i] - 1) + 1 - c.pre.d[i] - c.post.d[i];
    outDims.d[2 + i] = out[i];
  }
  const int64_t inPlane = volume(in), outPlane = volume(out), kVol = volume(k);
  std::vector<float> y(static_cast<size_t>(batch * c.maps * outPlane));
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t m = 0; m < c.maps; ++m)
      for (int64_t p = 0; p < outPlane; ++p) y[(n * c.maps + m) * outPlane + p] = c.bias ? b[m] : 0.f;
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t ic = 0; ic < cin; ++ic)
      for (int64_t ip = 0; ip < inPlane; ++ip)
        for (int64_t m = 0; m < coutG; ++m)
          for (int64_t t = 0; t < kVol; ++t) {
            int64_t op = 0, rest = ip, restT = t, inStride = inPlane, kStride = kVol;
            bool inside = true;
            for (int i = 0; i < nd; ++i) {
              inStride /= in[i];
              kStride /= k[i];
              const int64_t iPos = rest / inStride, tPos = restT / kStride;
              rest %= inStride;
              restT %= kStride;
              const int64_t o = iPos * c.stride.d[i] - c.pre.d[i] + tPos * c.dilation.d[i];
              inside &= o >= 0 && o < out[i];
              op = op * out[i] + o;
            }
            if (!inside) continue;
            const int64_t oc = (ic / cinG) * coutG + m;
            y[(n * c.maps + oc) * outPlane + op] += x[(n * cin + ic) * inPlane + ip] * w[(ic * coutG + m) * kVol + t];
          }
  return y;
}

trt::IDeconvolutionLayer* addDeconvolution(trt::INetworkDefinition& net, trt::ITensor& x, const Config& c,
                                           const std::vector<float>& w, const std::vector<float>& b) {
  auto* d = net.addDeconvolutionNd(
      x, c.maps, c.kernel, {DataType::kFLOAT, w.data(), static_cast<int64_t>(w.size())},
      c.bias ? trt::Weights{DataType::kFLOAT, b.data(), static_cast<int64_t>(b.size())} : trt::Weights{});
  d->setStrideNd(c.stride);
  d->setPrePadding(c.pre);
  d->setPostPadding(c.post);
  d->setDilationNd(c.dilation);
  d->setNbGroups(c.groups);
  d->getOutput(0)->setName("y");
  net.markOutput(*d->getOutput(0));
  return d;
}

std::vector<float> weightsFor(const Config& c, uint32_t seed) {
  return randomVector(static_cast<size_t>(c.input.d[1] * (c.maps / c.groups) * c.kernel.volume()), seed);
}

const Config kConfigs[] = {
    // 1-D: stride 3, dilation 2, crop 1 before and 2 after
    {{2, 3, 5}, 4, {3}, {3}, {1}, {2}, {2}, 1, true},
    // 2-D: 2 groups, stride 2, padding 1, output padding 1 in the width only, no bias
    {{2, 4, 3, 4}, 6, {3, 3}, {2, 2}, {1, 1}, {1, 0}, {1, 1}, 2, false},
    // 2-D: upsampling 2x with a 4x4 kernel (the usual decoder block), depthwise
    {{1, 3, 4, 4}, 3, {4, 4}, {2, 2}, {1, 1}, {1, 1}, {1, 1}, 3, true},
    // 3-D: stride (1, 2, 2), asymmetric crops
    {{1, 2, 2, 3, 3}, 2, {2, 3, 3}, {1, 2, 2}, {0, 1, 0}, {1, 0, 1}, {1, 1, 1}, 1, true},
};
}  // namespace

TEST(Deconvolution, MatchesTheDefinitionIn1d2dAnd3d) {
  uint32_t seed = 50;
  for (const Config& c : kConfigs) {
    const auto w = weightsFor(c, seed++), b = randomVector(static_cast<size_t>(c.maps), seed++);
    const auto x = randomVector(static_cast<size_t>(c.input.volume()), seed++);
    trt::INetworkDefinition net;
    addDeconvolution(net, *net.addInput("x", DataType::kFLOAT, c.input), c, w, b);
    Built built = build(net);
    Dims outDims;
    const auto expected = reference(c, c.input, x, w, b, outDims);
    EXPECT_EQ(built.engine->getTensorShape("y"), outDims);
    expectNear(run(*built.engine, {{"x", {c.input, x}}})["y"], expected, 1e-5f);
  }
}

TEST(Deconvolution, DynamicBatchAndSpatialDims) {
  const Config c = kConfigs[1];
  const auto w = weightsFor(c, 60), b = randomVector(6, 61);
  trt::INetworkDefinition net;
  addDeconvolution(net, *net.addInput("x", DataType::kFLOAT, {-1, 4, -1, -1}), c, w, b);
  EXPECT_EQ(net.getOutput(0)->getDimensions(), (Dims{-1, 6, -1, -1}));
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
  auto* profile = builder->createOptimizationProfile();
  profile->setDimensions("x", trt::OptProfileSelector::kMIN, {1, 4, 1, 1});
  profile->setDimensions("x", trt::OptProfileSelector::kOPT, {2, 4, 3, 4});
  profile->setDimensions("x", trt::OptProfileSelector::kMAX, {3, 4, 6, 7});
  config->addOptimizationProfile(profile);
  Built built = build(net, config.get());
  for (const Dims& shape : {Dims{1, 4, 1, 1}, Dims{3, 4, 6, 7}, Dims{2, 4, 2, 5}}) {
    const auto x = randomVector(static_cast<size_t>(shape.volume()), 62);
    Dims outDims;
    const auto expected = reference(c, shape, x, w, b, outDims);
    expectNear(run(*built.engine, {{"x", {shape, x}}})["y"], expected, 1e-5f);
  }
}

TEST(Deconvolution, InvalidConfigurationsAreRefusedWithTheReason) {
  auto refusal = [](Config c, size_t weightCount, Dims input) -> std::string {
    trt::INetworkDefinition net;
    std::vector<float> w(weightCount, 0.5f), b;
    c.bias = false;
    try {
      addDeconvolution(net, *net.addInput("x", DataType::kFLOAT, input), c, w, b);
      net.getOutput(0)->getDimensions();
    } catch (const trt::Error& e) {
      return e.what();
    }
    return "accepted";
  };
  const Config c = kConfigs[1];  // 4 in, 6 maps, 2 groups, 3x3: 4 * 3 * 9 = 108 weights
  EXPECT_NE(refusal(c, 100, c.input).find("kernel weights hold 100 values, expected 108"), std::string::npos);
  EXPECT_NE(refusal(c, 108, {2, 4, 3}).find("needs a rank-4 input"), std::string::npos);
  EXPECT_NE(refusal(c, 81, {2, 3, 3, 4}).find("must both divide by the number of groups"), std::string::npos);
  Config wide = c;
  wide.post = {-2, 0};  // output padding 2 with stride 2
  EXPECT_NE(refusal(wide, 108, c.input).find("must be less than the stride or the dilation"), std::string::npos);
  Config cropped = c;
  cropped.pre = {4, 1};
  cropped.post = {4, 1};  // (3 - 1) * 2 + 3 - 8 < 0
  EXPECT_NE(refusal(cropped, 108, c.input).find("leaves an empty output"), std::string::npos);
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", DataType::kFLOAT, c.input);
  std::vector<float> w(108);
  auto* d = net.addDeconvolutionNd(*x, 6, {3, 3}, {DataType::kFLOAT, w.data(), 108}, {});
  EXPECT_THROW(d->setStrideNd({0, 1}), trt::Error);
  EXPECT_THROW(d->setPrePadding({-1, 0}), trt::Error);
  EXPECT_THROW(d->setNbGroups(0), trt::Error);
}

#ifdef TORCHTRT_WITH_CUDA
TEST(Deconvolution, CudaMatchesTheCpu) {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess || n == 0) GTEST_SKIP() << "no CUDA GPU visible";
  uint32_t seed = 70;
  for (const Config& c : kConfigs) {
    const auto w = weightsFor(c, seed++), b = randomVector(static_cast<size_t>(c.maps), seed++);
    const auto x = randomVector(static_cast<size_t>(c.input.volume()), seed++);
    Dims outDims;
    const auto expected = reference(c, c.input, x, w, b, outDims);
    for (bool fp16 : {false, true}) {
      trt::INetworkDefinition net;
      addDeconvolution(net, *net.addInput("x", DataType::kFLOAT, c.input), c, w, b);
      trt::IBuilderConfig config;
      config.setBackend(trt::Backend::kCUDA);
      config.clearFlag(trt::BuilderFlag::kTF32);
      if (fp16) config.setFlag(trt::BuilderFlag::kFP16);
      Built built = build(net, &config);
      const std::vector<float> y = run(*built.engine, {{"x", {c.input, x}}}).at("y");
      // FP16: inputs, weights and the column buffer rounded to half (11-bit significands) over
      // sums of at most 4 channels x 27 taps of values below 1.
      expectNear(y, expected, fp16 ? 2e-2f : 1e-5f);
    }
  }
}
#endif
