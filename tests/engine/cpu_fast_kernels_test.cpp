// The CPU backend's fast kernels (the oneDNN plugin) against its reference kernels
// (TORCHTRT_CPU_KERNELS=reference): convolutions (1-D/2-D/3-D, strides, asymmetric and no padding,
// dilation, groups, depthwise, bias, fused residual and activations, channels-last), matrix products
// (batched, broadcast, transposed, scaled, bias, ReLU), pooling (max, average with and without padding
// counted, ceil-mode windows), NaN where PyTorch propagates it, and the default choice.
#include <cmath>
#include <cstdlib>
#include <functional>
#include <limits>

#include <cstring>
#include "backends/cpu/onednn/layer_runs.h"
#include "backends/cpu/onednn/onednn_kernels.h"
#include "backends/cpu/onednn/plugin_loader.h"

#include "engine_test_util.h"

using namespace trt_test;

namespace {
using trt::DataType;
using trt::Dims;

struct Inputs {
  std::map<std::string, std::pair<Dims, std::vector<float>>> values;
  void add(trt::INetworkDefinition& net, const std::string& name, Dims dims, uint32_t seed) {
    net.addInput(name.c_str(), DataType::kFLOAT, dims);
    values[name] = {dims, randomVector(static_cast<size_t>(dims.volume()), seed)};
  }
  //! Puts NaN at every `every`-th element of an input, from `first`.
  void sprinkleNaN(const std::string& name, size_t first, size_t every) {
    auto& v = values[name].second;
    for (size_t i = first; i < v.size(); i += every) v[i] = std::nanf("");
  }
};

// NaN where the reference has NaN, else within the tolerance `tol` (relative and absolute).
void expectSameNaNAndNear(const std::vector<float>& actual, const std::vector<float>& expected, double tol) {
  ASSERT_EQ(actual.size(), expected.size());
  size_t nans = 0;
  for (size_t i = 0; i < actual.size(); ++i) {
    ASSERT_EQ(std::isnan(actual[i]), std::isnan(expected[i]))
        << "at " << i << ": " << actual[i] << " vs " << expected[i];
    if (std::isnan(expected[i]))
      ++nans;
    else
      ASSERT_NEAR(actual[i], expected[i], tol * (1.f + std::fabs(expected[i]))) << "at " << i;
  }
  EXPECT_GT(nans, 0u) << "the case was meant to produce NaN";
}

enum class Expect { kOneDnnRuns, kAnyKernel };

// Builds and runs the network once per kernel set, the reference first (a reference build keeps the
// network's layout; a fast one makes convolution regions channels-last); the variable is restored
// afterwards. `layers` (when given) gets the fast build's layer description. `precision` kBF16 builds
// both with BuilderFlag::kBF16 (the network's float32 inputs cast inside) and compares within the
// bfloat16 tolerance.
void expectFastMatchesReference(trt::INetworkDefinition& net, const Inputs& inputs, Expect expect = Expect::kOneDnnRuns,
                                bool withNaN = false, std::string* layers = nullptr,
                                DataType precision = DataType::kFLOAT) {
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
  if (precision == DataType::kBF16) config->setFlag(trt::BuilderFlag::kBF16);
  const double tol = toleranceFor(precision).rtol;
  const char* previous = std::getenv("TORCHTRT_CPU_KERNELS");
  const std::string saved = previous ? previous : "";
  setenv("TORCHTRT_CPU_KERNELS", "reference", 1);
  auto referenceBuild = build(net, config.get());
  auto reference = run(*referenceBuild.engine, inputs.values);
  setenv("TORCHTRT_CPU_KERNELS", "fast", 1);
  auto built = build(net, config.get());
  const int64_t before = trt::cpu::onednn::layerRuns();
  auto fast = run(*built.engine, inputs.values);
  const int64_t after = trt::cpu::onednn::layerRuns();
  if (previous) {
    setenv("TORCHTRT_CPU_KERNELS", saved.c_str(), 1);
  } else {
    unsetenv("TORCHTRT_CPU_KERNELS");
  }
  if (layers) *layers = built.engine->describeLayersJson();
  if (before < 0) GTEST_SKIP() << "this build has no oneDNN plugin: both runs were the reference kernels";
  if (expect == Expect::kOneDnnRuns) {
    EXPECT_GT(after, before) << "the layer fell back to the reference kernel";
  }
  ASSERT_EQ(fast.size(), reference.size());
  for (auto& [name, values] : reference) {
    SCOPED_TRACE(name);
    if (withNaN)
      expectSameNaNAndNear(fast[name], values, tol);
    else
      expectNear(fast[name], values, static_cast<float>(tol));
  }
}

struct Conv {
  Dims input;  // [N, C, spatial...]
  int32_t maps;
  Dims kernel, stride, pre = {}, post = {}, dilation = {};
  int32_t groups = 1;
  bool bias = true, residual = false;
  int32_t activation = -1;
  bool channelsLast = false;
  size_t nanEvery = 0;                    // > 0: NaN at every nanEvery-th input element
  DataType precision = DataType::kFLOAT;  // kBF16: a bfloat16 build
};

void checkConvolution(const Conv& c) {
  trt::INetworkDefinition net;
  Inputs inputs;
  inputs.add(net, "x", c.input, 1);
  if (c.nanEvery) inputs.sprinkleNaN("x", 3, c.nanEvery);
  int64_t kVol = 1;
  for (int i = 0; i < c.kernel.nbDims; ++i) kVol *= c.kernel.d[i];
  const int64_t cin = c.channelsLast ? c.input.d[c.input.nbDims - 1] : c.input.d[1];
  const auto w = randomVector(static_cast<size_t>(c.maps * (cin / c.groups) * kVol), 2);
  const auto b = randomVector(static_cast<size_t>(c.maps), 3);
  auto* x = net.getInput(0);
  auto* conv = net.addConvolutionNd(*x, c.maps, c.kernel, {DataType::kFLOAT, w.data(), static_cast<int64_t>(w.size())},
                                    c.bias ? trt::Weights{DataType::kFLOAT, b.data(), c.maps} : trt::Weights{});
  if (c.stride.nbDims) conv->setStrideNd(c.stride);
  if (c.pre.nbDims) conv->setPrePadding(c.pre);
  if (c.post.nbDims) conv->setPostPadding(c.post);
  if (c.dilation.nbDims) conv->setDilationNd(c.dilation);
  conv->setNbGroups(c.groups);
  conv->setChannelsLast(c.channelsLast);
  if (c.residual) {
    inputs.add(net, "r", conv->getOutput(0)->getDimensions(), 4);
    conv->setInput(1, *net.getInput(1));
  }
  conv->setFusedActivation(c.activation);
  conv->getOutput(0)->setName("y");
  net.markOutput(*conv->getOutput(0));
  expectFastMatchesReference(net, inputs, Expect::kOneDnnRuns, c.nanEvery > 0, nullptr, c.precision);
}

const int32_t kRelu = static_cast<int32_t>(trt::ActivationType::kRELU);
const int32_t kSigmoid = static_cast<int32_t>(trt::ActivationType::kSIGMOID);
const int32_t kSilu = static_cast<int32_t>(trt::ActivationType::kSILU);
const int32_t kHardSwish = static_cast<int32_t>(trt::ActivationType::kHARD_SWISH);
}  // namespace

TEST(CpuFastKernels, Convolution2dPlainStridedPaddedDilated) {
  checkConvolution({{1, 3, 17, 15}, 8, {3, 3}, {}, {}, {}, {}});
  checkConvolution({{2, 5, 16, 16}, 7, {3, 3}, {2, 2}, {1, 1}, {1, 1}, {}});
  checkConvolution({{1, 16, 56, 56}, 32, {1, 1}, {2, 2}, {}, {}, {}});  // a downsample: windows end early
  checkConvolution({{1, 3, 32, 30}, 16, {7, 7}, {2, 2}, {3, 3}, {3, 3}, {}});
  checkConvolution({{1, 4, 13, 11}, 6, {3, 2}, {1, 2}, {2, 0}, {1, 1}, {2, 3}});
  checkConvolution({{1, 4, 9, 9}, 4, {3, 3}, {1, 1}, {0, 0}, {0, 0}, {}, 1, /*bias=*/false});
}

TEST(CpuFastKernels, ConvolutionGroupedAndDepthwise) {
  checkConvolution({{2, 8, 12, 10}, 12, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {}, 4});
  checkConvolution({{2, 4, 9, 8}, 6, {3, 3}, {2, 1}, {1, 0}, {1, 0}, {}, 2});           // the converter test's
  checkConvolution({{1, 32, 28, 28}, 32, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {}, 32});      // depthwise
  checkConvolution({{1, 24, 29, 29}, 24, {5, 5}, {2, 2}, {2, 2}, {2, 2}, {}, 24});      // depthwise, stride 2
  checkConvolution({{1, 16, 14, 14}, 32, {3, 3}, {1, 1}, {2, 2}, {2, 2}, {2, 2}, 16});  // channel multiplier 2
}

TEST(CpuFastKernels, ConvolutionFusedResidualAndActivations) {
  checkConvolution({{1, 16, 20, 20}, 16, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {}, 1, true, true, kRelu});
  checkConvolution({{2, 8, 10, 10}, 8, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {}, 1, true, false, kRelu});
  checkConvolution({{1, 8, 10, 10}, 8, {1, 1}, {1, 1}, {}, {}, {}, 1, false, true, -1});
  checkConvolution({{1, 8, 10, 10}, 8, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {}, 8, true, true, kSigmoid});
}

// SiLU and hard-swish run as oneDNN eltwise post-ops (swish, hardswish) inside the primitive: an
// EfficientNet expansion, a depthwise convolution with a residual, channels-last, and NaN inputs.
TEST(CpuFastKernels, ConvolutionFusedSiluAndHardSwishPostOps) {
  for (int32_t act : {kSilu, kHardSwish}) {
    SCOPED_TRACE(act);
    checkConvolution({{1, 16, 28, 28}, 96, {1, 1}, {1, 1}, {}, {}, {}, 1, true, false, act});
    checkConvolution({{2, 24, 14, 14}, 24, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {}, 24, true, true, act});
    Conv nhwc{{1, 9, 9, 16}, 32, {1, 1}, {1, 1}, {}, {}, {}, 1, true, false, act};
    nhwc.channelsLast = true;
    checkConvolution(nhwc);
    Conv withNaN{{1, 8, 10, 10}, 8, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {}, 1, true, true, act};
    withNaN.nanEvery = 97;
    checkConvolution(withNaN);
  }
}

// A fast FP32 build keeps convolution regions channels-last (oneDNN reads NHWC without reorders): a
// ResNet-style block with pooling, a residual, SiLU, a depthwise convolution, a squeeze-and-excitation
// gate and a global mean equals the reference build of the network as written.
TEST(CpuFastKernels, ConvolutionRegionsRunChannelsLast) {
  trt::INetworkDefinition net;
  Inputs inputs;
  inputs.add(net, "x", {2, 8, 12, 12}, 21);
  std::vector<std::vector<float>> keep;
  keep.reserve(8);  // the network reads the weights where they are
  auto conv = [&](trt::ITensor& in, int32_t cin, int32_t maps, int64_t k, int32_t groups) {
    keep.push_back(randomVector(static_cast<size_t>(maps * (cin / groups) * k * k), 30 + keep.size(), -0.3f, 0.3f));
    const auto& w = keep.back();
    keep.push_back(randomVector(static_cast<size_t>(maps), 30 + keep.size()));
    auto* c = net.addConvolutionNd(in, maps, {k, k}, {DataType::kFLOAT, w.data(), static_cast<int64_t>(w.size())},
                                   {DataType::kFLOAT, keep.back().data(), maps});
    c->setPaddingNd({k / 2, k / 2});
    c->setNbGroups(groups);
    return c->getOutput(0);
  };
  auto* a = net.addActivation(*conv(*net.getInput(0), 8, 16, 3, 1), trt::ActivationType::kRELU)->getOutput(0);
  auto* pool = net.addPoolingNd(*a, trt::PoolingType::kMAX, {2, 2});
  pool->setStrideNd({2, 2});
  auto* p = pool->getOutput(0);
  auto* sum = net.addElementWise(*conv(*p, 16, 16, 3, 16), *p, trt::ElementWiseOperation::kSUM)->getOutput(0);
  auto* silu = net.addActivation(*sum, trt::ActivationType::kSILU)->getOutput(0);
  auto* squeeze = net.addReduce(*silu, trt::ReduceOperation::kAVG, 0xC, true)->getOutput(0);
  auto* gate = net.addActivation(*conv(*squeeze, 16, 16, 1, 1), trt::ActivationType::kSIGMOID)->getOutput(0);
  auto* scaled = net.addElementWise(*silu, *gate, trt::ElementWiseOperation::kPROD)->getOutput(0);
  auto* mean = net.addReduce(*scaled, trt::ReduceOperation::kAVG, 0xC, false);
  mean->getOutput(0)->setName("y");
  net.markOutput(*mean->getOutput(0));
  scaled->setName("features");
  net.markOutput(*scaled);
  std::string layers;
  expectFastMatchesReference(net, inputs, Expect::kOneDnnRuns, false, &layers);
  // Channels-last regions are the oneDNN plugin's (prefersChannelsLast): a build without it skipped.
  if (IsSkipped()) return;
  EXPECT_NE(layers.find("NHWC"), std::string::npos) << layers.substr(0, 2000);
}

// Transposes on the fast path (contiguous runs over the cores) move the same values as the reference:
// BERT's head split and merge, NCHW <-> NHWC, a transpose after a reshape, a full reversal, and an
// empty tensor.
TEST(CpuFastKernels, TransposesMatchTheReference) {
  struct Case {
    Dims input;
    trt::Permutation first, second;
    Dims reshape;
  };
  const std::vector<Case> cases = {
      {{2, 16, 12, 64}, {{0, 2, 1, 3}}, {{0, 1, 2, 3}}, {}},        // head split
      {{2, 12, 16, 64}, {{0, 2, 1, 3}}, {{0, 1, 2, 3}}, {}},        // head merge
      {{2, 24, 7, 9}, {{0, 2, 3, 1}}, {{0, 1, 2, 3}}, {}},          // to NHWC
      {{2, 7, 9, 24}, {{0, 3, 1, 2}}, {{0, 1, 2, 3}}, {}},          // to NCHW
      {{3, 40, 48}, {{0, 1, 2}}, {{0, 2, 1, 3}}, {3, 40, 6, 8}},    // reshape, then transpose
      {{3, 4, 5, 6, 7}, {{4, 3, 2, 1, 0}}, {{0, 1, 2, 3, 4}}, {}},  // reversal
      {{2, 0, 5, 3}, {{0, 2, 1, 3}}, {{0, 1, 2, 3}}, {}},           // empty
      {{2, 70, 45}, {{0, 2, 1}}, {{0, 1, 2}}, {}},                  // 32 x 32 tiles with tails
      {{1, 96, 14, 14}, {{0, 2, 3, 1}}, {{0, 1, 2, 3}}, {}},        // a patch embedding's to tokens
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(i);
    const Case& c = cases[i];
    trt::INetworkDefinition net;
    Inputs inputs;
    inputs.add(net, "x", c.input, 40 + static_cast<uint32_t>(i));
    auto* s = net.addShuffle(*net.getInput(0));
    s->setFirstTranspose(c.first);
    if (c.reshape.nbDims) s->setReshapeDimensions(c.reshape);
    s->setSecondTranspose(c.second);
    s->getOutput(0)->setName("y");
    net.markOutput(*s->getOutput(0));
    expectFastMatchesReference(net, inputs, Expect::kAnyKernel);
    expectFastMatchesReference(net, inputs, Expect::kAnyKernel, false, nullptr, DataType::kBF16);
  }
}

// Transposed convolutions on oneDNN's deconvolution match the reference (GEMM + col2im): strided and
// padded, grouped, dilated, without a bias, 1-D and 3-D, an output padding within the padding (a smaller
// post-padding), and in a bfloat16 build; an output padding beyond it (a negative post-padding, which
// oneDNN's size rule cannot give) stays with the reference.
TEST(CpuFastKernels, DeconvolutionMatchesTheReference) {
  struct Case {
    Dims input;
    int32_t maps;
    Dims kernel, stride, pre, post, dilation;
    int32_t groups;
    bool bias;
    Expect expect;
    DataType precision;
  };
  const Case cases[] = {
      {{2, 8, 7, 9}, 6, {3, 3}, {2, 2}, {1, 1}, {1, 1}, {}, 1, true, Expect::kOneDnnRuns, DataType::kFLOAT},
      {{1, 8, 6, 6}, 12, {4, 4}, {2, 2}, {1, 1}, {1, 1}, {}, 4, true, Expect::kOneDnnRuns, DataType::kFLOAT},
      {{1, 4, 5, 5}, 4, {3, 3}, {1, 1}, {}, {}, {2, 2}, 1, false, Expect::kOneDnnRuns, DataType::kFLOAT},
      {{2, 6, 11}, 3, {5}, {3}, {2}, {2}, {}, 1, true, Expect::kOneDnnRuns, DataType::kFLOAT},
      {{1, 4, 3, 4, 5}, 2, {2, 2, 2}, {2, 2, 2}, {}, {}, {}, 2, true, Expect::kOneDnnRuns, DataType::kFLOAT},
      {{2, 8, 7, 9}, 6, {3, 3}, {2, 2}, {1, 1}, {0, 0}, {}, 1, true, Expect::kOneDnnRuns, DataType::kFLOAT},
      {{2, 8, 7, 9}, 6, {3, 3}, {2, 2}, {0, 0}, {-1, -1}, {}, 1, true, Expect::kAnyKernel, DataType::kFLOAT},
      {{2, 8, 7, 9}, 6, {3, 3}, {2, 2}, {1, 1}, {1, 1}, {}, 2, true, Expect::kAnyKernel, DataType::kBF16},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
    const Case& c = cases[i];
    if (c.precision == DataType::kBF16 && !trt::cpu::onednn::cpuHasBf16()) continue;
    SCOPED_TRACE("deconvolution case " + std::to_string(i));
    trt::INetworkDefinition net;
    Inputs inputs;
    inputs.add(net, "x", c.input, 60 + static_cast<uint32_t>(i));
    int64_t kVol = 1;
    for (int k = 0; k < c.kernel.nbDims; ++k) kVol *= c.kernel.d[k];
    const int64_t cin = c.input.d[1];
    const auto w = randomVector(static_cast<size_t>(cin * (c.maps / c.groups) * kVol), 61);
    const auto b = randomVector(static_cast<size_t>(c.maps), 62);
    auto* deconv = net.addDeconvolutionNd(*net.getInput(0), c.maps, c.kernel,
                                          {DataType::kFLOAT, w.data(), static_cast<int64_t>(w.size())},
                                          c.bias ? trt::Weights{DataType::kFLOAT, b.data(), c.maps} : trt::Weights{});
    deconv->setStrideNd(c.stride);
    if (c.pre.nbDims) deconv->setPrePadding(c.pre);
    if (c.post.nbDims) deconv->setPostPadding(c.post);
    if (c.dilation.nbDims) deconv->setDilationNd(c.dilation);
    deconv->setNbGroups(c.groups);
    deconv->getOutput(0)->setName("y");
    net.markOutput(*deconv->getOutput(0));
    expectFastMatchesReference(net, inputs, c.expect, false, nullptr, c.precision);
  }
}

// float32 -> bfloat16 -> float32 casts over the cores round as the reference does (to nearest even, NaN
// kept): chunks with a tail, NaN, values that round up into the next binade.
TEST(CpuFastKernels, Bfloat16CastsMatchTheReference) {
  trt::INetworkDefinition net;
  Inputs inputs;
  inputs.add(net, "x", {3, 50, 773}, 44);
  for (float& v : inputs.values["x"].second) v *= 300.f;
  inputs.sprinkleNaN("x", 5, 997);
  auto* toBf16 = net.addIdentity(*net.getInput(0));
  toBf16->setOutputType(0, DataType::kBF16);
  auto* back = net.addIdentity(*toBf16->getOutput(0));
  back->setOutputType(0, DataType::kFLOAT);
  back->getOutput(0)->setName("y");
  net.markOutput(*back->getOutput(0));
  expectFastMatchesReference(net, inputs, Expect::kAnyKernel, true);
}

// Two convolutions of the same shapes and different weights in one engine: each keeps its own primitive.
TEST(CpuFastKernels, ConvolutionsOfTheSameShapeKeepTheirOwnWeights) {
  trt::INetworkDefinition net;
  Inputs inputs;
  const Dims dims{1, 16, 12, 12};
  inputs.add(net, "x", dims, 10);
  const auto w1 = randomVector(16 * 16 * 9, 11), w2 = randomVector(16 * 16 * 9, 12), b = randomVector(16, 13);
  trt::ITensor* x = net.getInput(0);
  for (const auto* w : {&w1, &w2}) {
    auto* conv = net.addConvolutionNd(*x, 16, {3, 3}, {DataType::kFLOAT, w->data(), static_cast<int64_t>(w->size())},
                                      {DataType::kFLOAT, b.data(), 16});
    conv->setPaddingNd({1, 1});
    conv->setInput(1, *x);  // a residual block's shape
    conv->setFusedActivation(kRelu);
    x = conv->getOutput(0);
  }
  x->setName("y");
  net.markOutput(*x);
  expectFastMatchesReference(net, inputs);
}

TEST(CpuFastKernels, ConvolutionChannelsLast) {
  checkConvolution({{1, 12, 10, 8}, 16, {3, 3}, {2, 2}, {1, 1}, {1, 1}, {}, 1, true, true, kRelu, true});
  checkConvolution({{2, 9, 9, 16}, 16, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {}, 16, true, false, kRelu, true});
}

TEST(CpuFastKernels, Convolution1dAnd3d) {
  checkConvolution({{2, 6, 40}, 10, {5}, {2}, {2}, {2}, {2}});
  checkConvolution({{1, 4, 8, 9, 10}, 6, {3, 3, 3}, {1, 2, 1}, {1, 1, 1}, {1, 1, 1}, {}, 2, true, true, kRelu});
}

namespace {
struct Product {
  Dims a, b;
  trt::MatrixOperation opA = trt::MatrixOperation::kNONE, opB = trt::MatrixOperation::kNONE;
  bool bias = false, relu = false;
  float alpha = 1.f;
  size_t nanEvery = 0;  // > 0: NaN at every nanEvery-th element of a
  DataType precision = DataType::kFLOAT;
};

void checkMatrixMultiply(const Product& p) {
  trt::INetworkDefinition net;
  Inputs inputs;
  inputs.add(net, "a", p.a, 5);
  if (p.nanEvery) inputs.sprinkleNaN("a", 1, p.nanEvery);
  inputs.add(net, "b", p.b, 6);
  auto* mm = net.addMatrixMultiply(*net.getInput(0), p.opA, *net.getInput(1), p.opB);
  const Dims out = mm->getOutput(0)->getDimensions();
  if (p.bias) {
    inputs.add(net, "bias", {1, out.d[out.nbDims - 1]}, 7);
    mm->setInput(2, *net.getInput(2));
  }
  if (p.relu) mm->setFusedActivation(kRelu);
  mm->setAlpha(p.alpha);
  mm->getOutput(0)->setName("y");
  net.markOutput(*mm->getOutput(0));
  expectFastMatchesReference(net, inputs, Expect::kOneDnnRuns, p.nanEvery > 0, nullptr, p.precision);
}
using Op = trt::MatrixOperation;
}  // namespace

TEST(CpuFastKernels, MatrixMultiplyPlainTransposedBatched) {
  checkMatrixMultiply({{7, 13}, {13, 5}});
  checkMatrixMultiply({{13, 7}, {5, 13}, Op::kTRANSPOSE, Op::kTRANSPOSE});
  checkMatrixMultiply({{3, 4, 9, 16}, {3, 4, 16, 9}});
  checkMatrixMultiply({{2, 12, 64}, {2, 12, 64}, Op::kNONE, Op::kTRANSPOSE});  // attention scores
  checkMatrixMultiply({{2, 3, 8, 6}, {6, 5}});                                 // a shared right operand
  checkMatrixMultiply({{1, 8, 6}, {4, 6, 5}});                                 // a broadcast left operand
  checkMatrixMultiply({{2, 1, 8, 6}, {1, 3, 6, 5}});                           // both broadcast
}

TEST(CpuFastKernels, MatrixMultiplyFusedScaleBiasRelu) {
  checkMatrixMultiply({{128, 96}, {64, 96}, Op::kNONE, Op::kTRANSPOSE, true, false});  // a linear layer
  checkMatrixMultiply({{4, 32, 48}, {48, 40}, Op::kNONE, Op::kNONE, true, true});
  checkMatrixMultiply({{4, 10, 16}, {4, 10, 16}, Op::kNONE, Op::kTRANSPOSE, false, false, 0.25f});
  checkMatrixMultiply({{9, 16}, {12, 16}, Op::kNONE, Op::kTRANSPOSE, true, true, -0.5f});
}

// A product's constant weights that are also a network output: the primitive made before the first run
// packs the constant's own bytes, not the output buffer the run fills later (it packed that unwritten
// buffer once).
TEST(CpuFastKernels, ConstantWeightsThatAreAlsoAnOutputArePackedFromTheConstant) {
  trt::INetworkDefinition net;
  Inputs inputs;
  inputs.add(net, "x", {4, 8}, 41);
  const std::vector<float> w = randomVector(8 * 6, 42);
  auto* c = net.addConstant({8, 6}, {DataType::kFLOAT, w.data(), 48});
  c->getOutput(0)->setName("w");
  net.markOutput(*c->getOutput(0));
  auto* mm = net.addMatrixMultiply(*net.getInput(0), trt::MatrixOperation::kNONE, *c->getOutput(0),
                                   trt::MatrixOperation::kNONE);
  mm->getOutput(0)->setName("y");
  net.markOutput(*mm->getOutput(0));
  expectFastMatchesReference(net, inputs);
}

// A transformer's feed-forward on the CPU: a product by constant weights (packed once by oneDNN) with a
// constant bias and GELU (erf and tanh forms, fused by the CPU build into the product as a post-op),
// then the second product; NaN in the input stays NaN.
TEST(CpuFastKernels, FeedForwardWithFusedGeluAndPackedWeights) {
  for (auto gelu : {trt::ActivationType::kGELU_ERF, trt::ActivationType::kGELU_TANH}) {
    SCOPED_TRACE(static_cast<int>(gelu));
    trt::INetworkDefinition net;
    Inputs inputs;
    inputs.add(net, "x", {2, 16, 48}, 61);
    inputs.sprinkleNaN("x", 5, 401);
    const std::vector<float> w1 = randomVector(96 * 48, 62, -0.3f, 0.3f), b1 = randomVector(96, 63),
                             w2 = randomVector(48 * 96, 64, -0.3f, 0.3f);
    auto* c1 = net.addConstant({1, 96, 48}, {DataType::kFLOAT, w1.data(), 96 * 48});
    auto* cb = net.addConstant({1, 1, 96}, {DataType::kFLOAT, b1.data(), 96});
    auto* c2 = net.addConstant({1, 48, 96}, {DataType::kFLOAT, w2.data(), 48 * 96});
    auto* up = net.addMatrixMultiply(*net.getInput(0), trt::MatrixOperation::kNONE, *c1->getOutput(0),
                                     trt::MatrixOperation::kTRANSPOSE);
    auto* biased = net.addElementWise(*up->getOutput(0), *cb->getOutput(0), trt::ElementWiseOperation::kSUM);
    auto* act = net.addActivation(*biased->getOutput(0), gelu);
    auto* down = net.addMatrixMultiply(*act->getOutput(0), trt::MatrixOperation::kNONE, *c2->getOutput(0),
                                       trt::MatrixOperation::kTRANSPOSE);
    down->getOutput(0)->setName("y");
    net.markOutput(*down->getOutput(0));
    std::string layers;
    expectFastMatchesReference(net, inputs, Expect::kOneDnnRuns, true, &layers);
    EXPECT_EQ(layers.find("\"kind\":\"Activation\""), std::string::npos) << "GELU was not fused: " << layers;
  }
}

namespace {
struct Pool {
  Dims input;
  trt::PoolingType type;
  Dims window, stride, pre = {}, post = {};
  bool exclude = true, channelsLast = false;
  size_t nanEvery = 0;  // > 0: NaN at every nanEvery-th input element
  DataType precision = DataType::kFLOAT;
};

void checkPooling(const Pool& p) {
  trt::INetworkDefinition net;
  Inputs inputs;
  inputs.add(net, "x", p.input, 8);
  if (p.nanEvery) inputs.sprinkleNaN("x", 5, p.nanEvery);
  auto* pool = net.addPoolingNd(*net.getInput(0), p.type, p.window);
  if (p.stride.nbDims) pool->setStrideNd(p.stride);
  if (p.pre.nbDims) pool->setPrePadding(p.pre);
  if (p.post.nbDims) pool->setPostPadding(p.post);
  pool->setAverageCountExcludesPadding(p.exclude);
  pool->setChannelsLast(p.channelsLast);
  pool->getOutput(0)->setName("y");
  net.markOutput(*pool->getOutput(0));
  // Max pooling over NaN is the reference's (oneDNN's max skips NaN): no oneDNN run is expected then.
  const bool nan = p.nanEvery > 0;
  expectFastMatchesReference(net, inputs,
                             nan && p.type == trt::PoolingType::kMAX ? Expect::kAnyKernel : Expect::kOneDnnRuns, nan,
                             nullptr, p.precision);
}
using PT = trt::PoolingType;
}  // namespace

TEST(CpuFastKernels, PoolingMaxAndAverage) {
  checkPooling({{1, 64, 112, 112}, PT::kMAX, {3, 3}, {2, 2}, {1, 1}, {1, 1}});  // ResNet's stem
  checkPooling({{2, 8, 7, 7}, PT::kAVERAGE, {7, 7}, {1, 1}});                   // a global average
  checkPooling({{2, 5, 11, 9}, PT::kAVERAGE, {3, 3}, {2, 2}, {1, 1}, {1, 1}, true});
  checkPooling({{2, 5, 11, 9}, PT::kAVERAGE, {3, 3}, {2, 2}, {1, 1}, {1, 1}, false});
  checkPooling({{2, 5, 12, 10}, PT::kMAX, {3, 3}, {2, 2}, {0, 0}, {1, 1}});             // a ceil-mode window
  checkPooling({{2, 5, 12, 10}, PT::kAVERAGE, {3, 3}, {2, 2}, {1, 1}, {2, 2}, false});  // post padding counted
  checkPooling({{3, 20}, PT::kMAX, {4}, {3}});                                          // 1-D over a matrix
  checkPooling({{1, 2, 3, 6, 8, 8}, PT::kAVERAGE, {2, 2, 2}, {2, 2, 2}});               // 3-D, rank 6
  checkPooling({{1, 9, 9, 16}, PT::kMAX, {3, 3}, {2, 2}, {1, 1}, {1, 1}, true, true});  // channels-last
}

// PyTorch propagates NaN through max pooling and ReLU; oneDNN's max skips NaN and its ReLU makes it 0.
TEST(CpuFastKernels, NaNPropagatesAsInPyTorch) {
  checkPooling({{1, 8, 16, 16}, PT::kMAX, {3, 3}, {2, 2}, {1, 1}, {1, 1}, true, false, 97});
  checkPooling({{1, 9, 9, 16}, PT::kMAX, {3, 3}, {2, 2}, {1, 1}, {1, 1}, true, true, 131});  // channels-last
  checkPooling({{2, 5, 11, 9}, PT::kAVERAGE, {3, 3}, {2, 2}, {1, 1}, {1, 1}, true, false, 53});
  Conv reluConv{{1, 8, 10, 10}, 8, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {}, 1, true, false, kRelu};
  reluConv.nanEvery = 211;
  checkConvolution(reluConv);
  reluConv.residual = true;
  checkConvolution(reluConv);
  Product reluProduct{{16, 24}, {24, 8}, Op::kNONE, Op::kNONE, true, true};
  reluProduct.nanEvery = 50;
  checkMatrixMultiply(reluProduct);
}

// bfloat16 builds on a CPU with AVX-512 BF16: convolutions (residual, ReLU after the primitive in
// float32 chunks, SiLU as a post-op, grouped, channels-last), products (bias, ReLU, a scale) and pooling
// run on oneDNN's bfloat16 kernels and match the reference's bfloat16 build (which computes in float32
// from float32 weights; oneDNN rounds the weights to bfloat16: the bfloat16 tolerance covers both).
TEST(CpuFastKernels, Bfloat16OnOneDnnMatchesTheReference) {
  if (!trt::cpu::onednn::cpuHasBf16()) GTEST_SKIP() << "this CPU has no AVX-512 BF16: bfloat16 runs the reference";
  const DataType bf16 = DataType::kBF16;
  std::vector<Conv> convs = {{{1, 16, 20, 20}, 16, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {}, 1, true, true, kRelu},
                             {{2, 8, 10, 10}, 24, {1, 1}, {1, 1}, {}, {}, {}, 1, true, false, kSilu},
                             {{1, 32, 14, 14}, 32, {3, 3}, {2, 2}, {1, 1}, {1, 1}, {}, 32, true, false, kRelu}};
  Conv nhwc{{1, 9, 9, 16}, 32, {1, 1}, {1, 1}, {}, {}, {}, 1, true, false, kHardSwish};
  nhwc.channelsLast = true;
  convs.push_back(nhwc);
  Conv withNaN{{1, 8, 10, 10}, 8, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {}, 1, true, true, kRelu};
  withNaN.nanEvery = 97;
  convs.push_back(withNaN);
  for (Conv c : convs) {
    c.precision = bf16;
    checkConvolution(c);
  }
  for (Product p : {Product{{128, 96}, {64, 96}, Op::kNONE, Op::kTRANSPOSE, true, false},
                    Product{{4, 32, 48}, {48, 40}, Op::kNONE, Op::kNONE, true, true},
                    Product{{4, 10, 16}, {4, 10, 16}, Op::kNONE, Op::kTRANSPOSE, false, false, 0.25f}}) {
    p.precision = bf16;
    checkMatrixMultiply(p);
  }
  for (Pool p : {Pool{{1, 64, 56, 56}, PT::kMAX, {3, 3}, {2, 2}, {1, 1}, {1, 1}},
                 Pool{{2, 5, 11, 9}, PT::kAVERAGE, {3, 3}, {2, 2}, {1, 1}, {1, 1}, false},
                 Pool{{1, 8, 16, 16}, PT::kMAX, {3, 3}, {2, 2}, {1, 1}, {1, 1}, true, false, 97}}) {
    p.precision = bf16;
    checkPooling(p);
  }
}

// Adds, differences, products and quotients over the cores: operands of the output's shape, a scalar, a
// bias over rows ([C] and [1, 1, C] against [B, S, C]); other broadcasts stay the reference's. In float32
// and in a bfloat16 build (widened around the same kernel); NaN stays NaN.
TEST(CpuFastKernels, ElementWiseOverTheCoresMatchesTheReference) {
  using EW = trt::ElementWiseOperation;
  const std::vector<std::pair<Dims, Dims>> shapes = {{{2, 197, 768}, {2, 197, 768}},
                                                     {{2, 197, 768}, {768}},
                                                     {{1, 1, 768}, {2, 197, 768}},
                                                     {{2, 197, 768}, {1}},
                                                     {{4, 8, 6, 6}, {4, 1, 6, 6}}};
  for (DataType precision : {DataType::kFLOAT, DataType::kBF16}) {
    for (EW op : {EW::kSUM, EW::kSUB, EW::kPROD, EW::kDIV}) {
      for (const auto& [da, db] : shapes) {
        SCOPED_TRACE(std::to_string(static_cast<int>(op)) + " " + da.str() + " " + db.str());
        trt::INetworkDefinition net;
        Inputs inputs;
        inputs.add(net, "a", da, 91);
        inputs.add(net, "b", db, 92);
        inputs.sprinkleNaN("a", 7, 1001);
        auto* ew = net.addElementWise(*net.getInput(0), *net.getInput(1), op);
        ew->getOutput(0)->setName("y");
        net.markOutput(*ew->getOutput(0));
        expectFastMatchesReference(net, inputs, Expect::kAnyKernel, true, nullptr, precision);
      }
    }
  }
}

// Attention on the fast path (GEMMs around the reference's masked softmax, heads over the cores)
// equals the reference: BERT's padding mask [B, 1, 1, Sk] with masked keys, causal, a bool mask, a
// query length other than the key length, and NaN in a query row; in float32 and, where the CPU has
// AVX-512 BF16, in a bfloat16 build (bfloat16 products with float32 sums, the softmax in float32).
TEST(CpuFastKernels, AttentionMatchesTheReference) {
  std::vector<DataType> precisions = {DataType::kFLOAT};
  if (trt::cpu::onednn::cpuHasBf16()) precisions.push_back(DataType::kBF16);
  struct Case {
    int64_t b, h, sq, sk, d, dv;
    bool causal, boolMask, withNaN;
  };
  const Case cases[] = {{2, 4, 64, 64, 32, 32, false, false, false},  // enough work for several threads
                        {1, 3, 5, 9, 8, 4, true, false, false},
                        {2, 2, 7, 7, 16, 16, false, true, false},
                        {1, 2, 6, 6, 8, 8, false, false, true}};
  for (DataType precision : precisions) {
    for (const Case& c : cases) {
      trt::INetworkDefinition net;
      Inputs inputs;
      inputs.add(net, "q", {c.b, c.h, c.sq, c.d}, 40);
      inputs.add(net, "k", {c.b, c.h, c.sk, c.d}, 41);
      inputs.add(net, "v", {c.b, c.h, c.sk, c.dv}, 42);
      trt::ITensor* mask = nullptr;
      if (c.boolMask) {
        mask = net.addInput("m", DataType::kBOOL, {c.b, 1, c.sq, c.sk});
        // run() binds each input's float buffer: the bool mask's bytes are packed into one.
        const size_t n = static_cast<size_t>(c.b * c.sq * c.sk);
        std::vector<uint8_t> keep(n);
        for (size_t i = 0; i < n; ++i) keep[i] = i % 3 != 0;
        std::vector<float> packed((n + 3) / 4);
        std::memcpy(packed.data(), keep.data(), n);
        inputs.values["m"] = {Dims{c.b, 1, c.sq, c.sk}, packed};
      } else if (!c.causal) {
        inputs.add(net, "m", {c.b, 1, 1, c.sk}, 43);
        auto& m = inputs.values["m"].second;
        for (size_t j = 0; j < m.size(); j += 5) m[j] = -INFINITY;  // masked keys, as a padding mask has
        mask = net.getInput(3);
      }
      auto* attention = net.addAttention(*net.getInput(0), *net.getInput(1), *net.getInput(2), mask);
      attention->setCausal(c.causal);
      attention->getOutput(0)->setName("y");
      net.markOutput(*attention->getOutput(0));
      if (c.withNaN) inputs.sprinkleNaN("q", 3 * c.d, 1000000);  // one element of query row 3
      SCOPED_TRACE(std::string(trt::dataTypeName(precision)) + " attention " + std::to_string(c.b) + "x" +
                   std::to_string(c.h) + "x" + std::to_string(c.sq) + "x" + std::to_string(c.sk) +
                   (c.causal ? " causal" : "") + (c.boolMask ? " bool mask" : ""));
      std::string layers;
      expectFastMatchesReference(net, inputs, Expect::kOneDnnRuns, c.withNaN, &layers, precision);
      // The attention itself computed in the build's precision, on oneDNN (not widened to float32).
      const size_t at = layers.find("\"kind\":\"Attention\"");
      ASSERT_NE(at, std::string::npos) << layers;
      const std::string attentionLayer = layers.substr(at, layers.find("\"implementation\":\"oneDNN", at) - at);
      EXPECT_NE(attentionLayer.find(std::string("\"precision\":\"") + trt::dataTypeName(precision) + "\""),
                std::string::npos)
          << layers;
    }
  }
}

// Layer norm over trailing axes (with a fused residual; scale as [W] and as [1, 1, W]; rows of 96 and of
// 773, eight-lane sums with a tail on AVX-512) and activations over many chunks run on the cores on the
// fast path; a normalization over leading axes stays on the reference kernel.
TEST(CpuFastKernels, RowNormalizationAndChunkedActivationsMatchTheReference) {
  for (DataType precision : {DataType::kFLOAT, DataType::kBF16}) {
    for (uint32_t axes : {0b100u, 0b110u, 0b011u})
      for (bool residual : {false, true}) {
        trt::INetworkDefinition net;
        Inputs inputs;
        const Dims dims{4, 50, 96};
        inputs.add(net, "x", dims, 50);
        const Dims affine = axes == 0b100u ? Dims{96} : axes == 0b110u ? Dims{1, 50, 96} : Dims{4, 50, 1};
        inputs.add(net, "s", affine, 51);
        inputs.add(net, "b", affine, 52);
        if (residual) inputs.add(net, "r", dims, 53);
        auto* norm = net.addNormalization(*net.getInput(0), *net.getInput(1), *net.getInput(2), axes);
        if (residual) norm->setInput(3, *net.getInput(3));
        norm->getOutput(0)->setName("y");
        net.markOutput(*norm->getOutput(0));
        SCOPED_TRACE(std::string(trt::dataTypeName(precision)) + " axes " + std::to_string(axes) +
                     (residual ? " +residual" : ""));
        std::string layers;
        expectFastMatchesReference(net, inputs, Expect::kAnyKernel, false, &layers, precision);
        // bfloat16 rows over trailing axes are widened one at a time (not whole copies).
        if (precision == DataType::kBF16 && axes != 0b011u) {
          EXPECT_NE(layers.find("widened a row or chunk at a time"), std::string::npos) << layers;
        }
      }
    for (bool residual : {false, true}) {
      trt::INetworkDefinition net;
      Inputs inputs;
      const Dims dims{3, 5, 773};
      inputs.add(net, "x", dims, 55);
      inputs.add(net, "s", Dims{773}, 56);
      inputs.add(net, "b", Dims{773}, 57);
      if (residual) inputs.add(net, "r", dims, 58);
      auto* norm = net.addNormalization(*net.getInput(0), *net.getInput(1), *net.getInput(2), 0b100u);
      if (residual) norm->setInput(3, *net.getInput(3));
      norm->getOutput(0)->setName("y");
      net.markOutput(*norm->getOutput(0));
      SCOPED_TRACE(std::string(trt::dataTypeName(precision)) + " rows of 773" + (residual ? " +residual" : ""));
      expectFastMatchesReference(net, inputs, Expect::kAnyKernel, false, nullptr, precision);
    }
  }
  for (auto type : {trt::ActivationType::kGELU_ERF, trt::ActivationType::kSILU, trt::ActivationType::kTANH}) {
    trt::INetworkDefinition net;
    Inputs inputs;
    inputs.add(net, "x", {3, 128, 3072}, 54);  // BERT's feed-forward width: many 4096-element chunks
    auto* act = net.addActivation(*net.getInput(0), type);
    act->getOutput(0)->setName("y");
    net.markOutput(*act->getOutput(0));
    expectFastMatchesReference(net, inputs, Expect::kAnyKernel);
  }
}

// SoftMax over the last axis runs the fast path's rows (AVX-512 where the CPU has it): ViT's 197-wide
// rows, a padding mask [B, 1, 1, S] and a causal-style mask [1, 1, S, S] broadcast, a row of -inf (NaN,
// as PyTorch gives), and a softmax over a middle axis (the reference kernel).
TEST(CpuFastKernels, SoftMaxRowsMatchTheReference) {
  struct Case {
    Dims dims, mask;  // mask nbDims 0: none
    uint32_t axes;
    bool minusInfRow;
  };
  const Case cases[] = {{{1, 12, 197, 197}, {}, 0, false},
                        {{2, 3, 17, 17}, {2, 1, 1, 17}, 0b1000u, false},
                        {{2, 3, 9, 33}, {1, 1, 9, 33}, 0, true},
                        {{2, 5, 7}, {}, 0b010u, false}};
  for (const Case& c : cases) {
    trt::INetworkDefinition net;
    Inputs inputs;
    inputs.add(net, "x", c.dims, 70);
    if (c.minusInfRow)
      for (int64_t j = 0; j < c.dims.d[c.dims.nbDims - 1]; ++j)
        inputs.values.at("x").second[static_cast<size_t>(j)] = -std::numeric_limits<float>::infinity();
    auto* softmax = net.addSoftMax(*net.getInput(0));
    if (c.axes) softmax->setAxes(c.axes);
    if (c.mask.nbDims) {
      inputs.add(net, "m", c.mask, 71);
      softmax->setInput(1, *net.getInput(1));
    }
    softmax->getOutput(0)->setName("y");
    net.markOutput(*softmax->getOutput(0));
    SCOPED_TRACE("softmax of " + std::to_string(c.dims.volume()) + " values, axes " + std::to_string(c.axes));
    expectFastMatchesReference(net, inputs, Expect::kAnyKernel, c.minusInfRow);
  }
}

// Unset, TORCHTRT_CPU_KERNELS means the fast kernels, and this build's plugin loads (in engine_tests,
// a process without libtorch; tests/py/test_cpu_fast_kernels.py checks a process with it).
TEST(CpuFastKernels, FastIsTheDefaultAndThePluginLoads) {
  if (trt::cpu::onednn::layerRuns() < 0) GTEST_SKIP() << "this build has no oneDNN plugin";
  EXPECT_NE(trt::cpu::onednn::pluginApi(), nullptr) << trt::cpu::onednn::pluginLoadFailure();
  trt::INetworkDefinition net;
  Inputs inputs;
  inputs.add(net, "x", {1, 4, 8, 8}, 9);
  auto* pool = net.addPoolingNd(*net.getInput(0), PT::kMAX, {2, 2});
  net.markOutput(*pool->getOutput(0));
  auto built = build(net);
  const char* previous = std::getenv("TORCHTRT_CPU_KERNELS");
  const std::string saved = previous ? previous : "";
  unsetenv("TORCHTRT_CPU_KERNELS");
  const int64_t before = trt::cpu::onednn::layerRuns();
  run(*built.engine, inputs.values);
  const int64_t after = trt::cpu::onednn::layerRuns();
  if (previous) setenv("TORCHTRT_CPU_KERNELS", saved.c_str(), 1);
  EXPECT_GT(after, before) << "an engine without TORCHTRT_CPU_KERNELS ran the reference kernels";
}

// A context of a loaded plan with static shapes makes its oneDNN primitives when it is created (their
// weights are reordered at the first run: a context never run holds them once); its first run makes none.
TEST(CpuFastKernels, PrimitivesAreMadeWhenTheContextIsCreated) {
  if (trt::cpu::onednn::stepsCreated() < 0 || !trt::cpu::onednn::pluginApi())
    GTEST_SKIP() << "this build has no oneDNN plugin";
  const char* previous = std::getenv("TORCHTRT_CPU_KERNELS");
  const std::string saved = previous ? previous : "";
  unsetenv("TORCHTRT_CPU_KERNELS");
  trt::INetworkDefinition net;
  Inputs inputs;
  inputs.add(net, "x", {1, 4, 8, 8}, 9);
  const std::vector<float> w = randomVector(8 * 4 * 9, 3, -0.3f, 0.3f);
  auto* conv = net.addConvolutionNd(*net.getInput(0), 8, {3, 3}, {DataType::kFLOAT, w.data(), 8 * 4 * 9}, {});
  net.markOutput(*conv->getOutput(0));
  auto built = build(net);  // a plan, deserialized
  const int64_t beforeContext = trt::cpu::onednn::stepsCreated();
  std::unique_ptr<trt::IExecutionContext> context(built.engine->createExecutionContext());
  const int64_t afterContext = trt::cpu::onednn::stepsCreated();
  EXPECT_GT(afterContext, beforeContext) << "creating the context made no primitive";
  std::vector<float> x = inputs.values["x"].second, y(8 * 6 * 6);
  context->setTensorAddress(net.getInput(0)->getName(), x.data());
  context->setTensorAddress(conv->getOutput(0)->getName(), y.data());
  context->enqueueV3(nullptr);
  EXPECT_EQ(trt::cpu::onednn::stepsCreated(), afterContext) << "the first run made primitives";
  if (previous) setenv("TORCHTRT_CPU_KERNELS", saved.c_str(), 1);
}

// A dynamic-shape context run at many shapes (a server's sequence lengths) keeps the primitives of the
// most recent shapesKeptPerLayer() shapes a layer, not one set a shape it ever saw (memory without bound);
// a shape whose primitives were dropped runs again, correctly, on new ones.
TEST(CpuFastKernels, ADynamicContextKeepsPrimitivesForItsRecentShapesOnly) {
  if (trt::cpu::onednn::stepsAlive() < 0 || !trt::cpu::onednn::pluginApi())
    GTEST_SKIP() << "this build has no oneDNN plugin";
  trt::INetworkDefinition net;
  for (const char* name : {"q", "k", "v"}) net.addInput(name, DataType::kFLOAT, {1, 2, -1, 8});
  auto* attention = net.addAttention(*net.getInput(0), *net.getInput(1), *net.getInput(2), nullptr);
  attention->getOutput(0)->setName("y");
  net.markOutput(*attention->getOutput(0));
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  auto buildWith = [&](const char* kernels) {
    std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
    trt::IOptimizationProfile* profile = builder->createOptimizationProfile();
    for (const char* name : {"q", "k", "v"}) {
      profile->setDimensions(name, trt::OptProfileSelector::kMIN, {1, 2, 1, 8});
      profile->setDimensions(name, trt::OptProfileSelector::kOPT, {1, 2, 16, 8});
      profile->setDimensions(name, trt::OptProfileSelector::kMAX, {1, 2, 64, 8});
    }
    config->addOptimizationProfile(profile);
    setenv("TORCHTRT_CPU_KERNELS", kernels, 1);
    return build(net, config.get());
  };
  const char* previous = std::getenv("TORCHTRT_CPU_KERNELS");
  const std::string saved = previous ? previous : "";
  auto reference = buildWith("reference");
  auto fast = buildWith("fast");
  setenv("TORCHTRT_CPU_KERNELS", "reference", 1);  // read when a context is made
  Session referenceSession(*reference.engine);
  setenv("TORCHTRT_CPU_KERNELS", "fast", 1);
  const int64_t before = trt::cpu::onednn::stepsAlive();
  {
    Session session(*fast.engine);
    // 24 lengths, then the first again (its primitives dropped by then).
    std::vector<int64_t> lengths;
    for (int64_t length = 40; length < 64; ++length) lengths.push_back(length);
    lengths.push_back(40);
    for (int64_t length : lengths) {
      SCOPED_TRACE("sequence length " + std::to_string(length));
      const Dims dims{1, 2, length, 8};
      std::map<std::string, HostTensor> in;
      for (uint32_t i = 0; i < 3; ++i)
        in[net.getInput(static_cast<int32_t>(i))->getName()] =
            hostTensor(dims, randomVector(static_cast<size_t>(dims.volume()), 60 + i));
      const auto actual = elementsOf<float>(session.run(in).at("y"));
      const auto expected = elementsOf<float>(referenceSession.run(in).at("y"));
      expectNear(actual, expected, static_cast<float>(toleranceFor(DataType::kFLOAT).rtol));
      // Attention is two primitives a shape.
      ASSERT_LE(trt::cpu::onednn::stepsAlive() - before, int64_t(2 * trt::cpu::onednn::shapesKeptPerLayer()));
    }
    EXPECT_GT(trt::cpu::onednn::stepsAlive(), before) << "the fast context made no primitive";
  }
  EXPECT_EQ(trt::cpu::onednn::stepsAlive(), before) << "the context's primitives outlived it";
  if (previous) {
    setenv("TORCHTRT_CPU_KERNELS", saved.c_str(), 1);
  } else {
    unsetenv("TORCHTRT_CPU_KERNELS");
  }
}

// The inspector names what runs each layer: oneDNN's primitive (prepared, nothing run) on the fast
// path, the reference kernel with TORCHTRT_CPU_KERNELS=reference; nothing for a constant read in place.
TEST(CpuFastKernels, InspectorNamesWhatRunsEachLayer) {
  trt::INetworkDefinition net;
  Inputs inputs;
  inputs.add(net, "x", {1, 4, 8, 8}, 9);
  const std::vector<float> w = randomVector(8 * 4 * 9, 3, -0.3f, 0.3f), b = randomVector(8, 4);
  auto* conv = net.addConvolutionNd(*net.getInput(0), 8, {3, 3}, {DataType::kFLOAT, w.data(), 8 * 4 * 9},
                                    {DataType::kFLOAT, b.data(), 8});
  auto* pool = net.addPoolingNd(*conv->getOutput(0), PT::kMAX, {2, 2});
  net.markOutput(*pool->getOutput(0));
  const char* previous = std::getenv("TORCHTRT_CPU_KERNELS");
  const std::string saved = previous ? previous : "";
  auto describe = [&](const char* kernels) {
    setenv("TORCHTRT_CPU_KERNELS", kernels, 1);
    auto built = build(net);
    std::string json = built.engine->describeLayersJson();
    if (previous)
      setenv("TORCHTRT_CPU_KERNELS", saved.c_str(), 1);
    else
      unsetenv("TORCHTRT_CPU_KERNELS");
    return json;
  };
  const std::string reference = describe("reference");
  EXPECT_NE(reference.find("\"kind\":\"Convolution\""), std::string::npos) << reference;
  EXPECT_EQ(reference.find("oneDNN"), std::string::npos) << reference;
  EXPECT_NE(reference.find("\"implementation\":\"reference kernel\""), std::string::npos) << reference;
  if (trt::cpu::onednn::layerRuns() < 0 || !trt::cpu::onednn::pluginApi())
    GTEST_SKIP() << "this build has no oneDNN plugin";
  const std::string fast = describe("fast");
  EXPECT_NE(fast.find("\"implementation\":\"oneDNN convolution "), std::string::npos) << fast;
  EXPECT_NE(fast.find("\"implementation\":\"oneDNN pooling "), std::string::npos) << fast;
  EXPECT_EQ(fast.find("reference kernel"), std::string::npos) << fast;
}

TEST(CpuFastKernels, RejectsAnUnknownKernelChoice) {
  trt::INetworkDefinition net;
  Inputs inputs;
  inputs.add(net, "x", {1, 4, 8, 8}, 9);
  auto* pool = net.addPoolingNd(*net.getInput(0), PT::kMAX, {2, 2});
  net.markOutput(*pool->getOutput(0));
  auto built = build(net);
  setenv("TORCHTRT_CPU_KERNELS", "onednn-please", 1);
  try {
    std::unique_ptr<trt::IExecutionContext> ctx(built.engine->createExecutionContext());
    unsetenv("TORCHTRT_CPU_KERNELS");
    FAIL() << "an unknown TORCHTRT_CPU_KERNELS value was accepted";
  } catch (const trt::Error& e) {
    unsetenv("TORCHTRT_CPU_KERNELS");
    EXPECT_NE(std::string(e.what()).find("TORCHTRT_CPU_KERNELS is 'onednn-please'"), std::string::npos) << e.what();
  }
}
