// FP8 products by stacked weights [P, N, K] (the builder's stack of sibling products, an attention's Q, K and V
// projections, in FP8 builds): the stack switches to FP8 with one weight scale for its P matrices, and its P results
// are bit for bit those of P separate FP8 products by the same codes, on the CPU reference in float32 and float16
// builds and through a plan; calibration's key for the stack's scale (its siblings' input, so one cache serves builds
// that stack and builds that do not); the layer's form checks; and on a GPU of compute capability 8.9 or newer the CUDA
// backend's one strided FP8 GEMM (every ranked cuBLASLt algorithm) against the CPU, and a calibrated FP8 build that
// stacks its siblings.
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "builder/passes/passes.h"
#include "common/fp8.h"
#include "int8_test_util.h"
#include "plan/plan.h"

using namespace trt_test;

namespace {
constexpr int64_t kRows = 40, kK = 64, kN = 32, kParts = 3;
constexpr float kInputScale = 3.f / 448.f;

// h = -x, the siblings' input: a tensor of the network's type (float16 in a float16 build, where the network's input
// x stays float32), as a model's hidden states are.
trt::ITensor* entry(trt::INetworkDefinition& net) {
  auto* x = net.addInput("x", trt::DataType::kFLOAT, {kRows, kK});
  auto* h = net.addUnary(*x, trt::UnaryOperation::kNEG);
  h->getOutput(0)->setName("h");
  return h->getOutput(0);
}

// x [rows, K] -> h -> P sibling products (float32 weights [K, N] as is, or [N, K] transposed; a bias each) -> ReLU ->
// y0 .. y2.
struct Siblings {
  std::vector<std::vector<float>> weights, biases;
  trt::INetworkDefinition net;
  trt::ITensor* h = nullptr;
  // reader: the activation reading each product. The CUDA backend fuses a ReLU into its product, whose output then
  // is the network's (and not stacked): the CUDA tests read through tanh.
  explicit Siblings(bool transposed, bool withBias = true, trt::ActivationType reader = trt::ActivationType::kRELU) {
    trt::ITensor* x = h = entry(net);
    for (int64_t p = 0; p < kParts; ++p) {
      // Each matrix its own range: one weight scale (the largest amax) for all three.
      const float range = 0.25f * static_cast<float>(p + 1);
      weights.push_back(randomVector(static_cast<size_t>(kK * kN), 600 + p, -range, range));
      biases.push_back(randomVector(static_cast<size_t>(kN), 610 + p));
      const trt::Dims wd = transposed ? trt::Dims{kN, kK} : trt::Dims{kK, kN};
      auto* w = net.addConstant(wd, {trt::DataType::kFLOAT, weights[p].data(), kK * kN});
      auto* mm = net.addMatrixMultiply(*x, trt::MatrixOperation::kNONE, *w->getOutput(0),
                                       transposed ? trt::MatrixOperation::kTRANSPOSE : trt::MatrixOperation::kNONE);
      if (withBias) {
        auto* b = net.addConstant(trt::Dims{kN}, {trt::DataType::kFLOAT, biases[p].data(), kN});
        net.moveLayer(b, net.indexOf(mm));
        mm->setInput(2, *b->getOutput(0));
      }
      // A reader (the pass stacks products that are not network outputs): attention reads Q, K and V.
      auto* relu = net.addActivation(*mm->getOutput(0), reader);
      relu->getOutput(0)->setName(("y" + std::to_string(p)).c_str());
      net.markOutput(*relu->getOutput(0));
    }
  }
  // The weights' value at (n, k) of matrix p.
  float at(int64_t p, int64_t n, int64_t k, bool transposed) const {
    return transposed ? weights[p][n * kK + k] : weights[p][k * kN + n];
  }
};

// The products' stack (the pass the CUDA backend's builds run), switched to FP8 as calibration switches it, its input
// quantized once. Returns the stacked product.
trt::IMatrixMultiplyLayer* stackInFp8(trt::INetworkDefinition& net) {
  EXPECT_EQ(trt::passes::stackSiblingProducts(net), 1);
  trt::passes::removeDeadLayers(net);
  trt::IMatrixMultiplyLayer* stack = nullptr;
  for (int l = 0; l < net.getNbLayers(); ++l)
    if (net.getLayer(l)->getType() == trt::LayerType::kMATRIX_MULTIPLY)
      stack = static_cast<trt::IMatrixMultiplyLayer*>(net.getLayer(l));
  if (!stack || !trt::passes::canRunInFp8(*stack)) return nullptr;
  trt::passes::switchToFp8(net, *stack, kInputScale);
  EXPECT_EQ(trt::passes::shareFp8Quantization(net), 1);
  trt::passes::removeDeadLayers(net);
  return stack;
}

// P separate FP8 products by the codes of `s`'s matrices quantized with `weightScale`, each quantizing x itself.
struct SeparateFp8 {
  std::vector<std::vector<uint8_t>> codes;
  trt::INetworkDefinition net;
  trt::ITensor* h = nullptr;
  SeparateFp8(const Siblings& s, bool transposed, float weightScale, bool withBias = true) {
    trt::ITensor* x = h = entry(net);
    for (int64_t p = 0; p < kParts; ++p) {
      codes.emplace_back();
      for (int64_t n = 0; n < kN; ++n)
        for (int64_t k = 0; k < kK; ++k) codes[p].push_back(trt::fp8::quantize(s.at(p, n, k, transposed), weightScale));
      auto* w = net.addConstant(trt::Dims{kN, kK}, {trt::DataType::kFP8, codes[p].data(), kN * kK});
      auto* mm =
          net.addMatrixMultiply(*x, trt::MatrixOperation::kNONE, *w->getOutput(0), trt::MatrixOperation::kTRANSPOSE);
      if (withBias) {
        auto* b = net.addConstant(trt::Dims{kN}, {trt::DataType::kFLOAT, s.biases[p].data(), kN});
        net.moveLayer(b, net.indexOf(mm));
        mm->setInput(2, *b->getOutput(0));
      }
      mm->setFp8Scales(kInputScale, weightScale);
      auto* relu = net.addActivation(*mm->getOutput(0), trt::ActivationType::kRELU);
      relu->getOutput(0)->setName(("y" + std::to_string(p)).c_str());
      net.markOutput(*relu->getOutput(0));
    }
  }
};

float largestMagnitude(const Siblings& s) {
  float amax = 0.f;
  for (const auto& w : s.weights)
    for (float v : w) amax = std::fmax(amax, std::fabs(v));
  return amax;
}

int countMarks(const std::string& text, const std::string& mark) {
  int n = 0;
  for (size_t p = text.find(mark); p != std::string::npos; p = text.find(mark, p + 1)) ++n;
  return n;
}

std::unique_ptr<trt::IBuilderConfig> configFor(trt::Backend backend, bool half) {
  std::unique_ptr<trt::IBuilderConfig> config(new trt::IBuilderConfig());
  config->setBackend(backend);
  config->clearFlag(trt::BuilderFlag::kTF32);
  if (half) config->setFlag(trt::BuilderFlag::kFP16);
  return config;
}
}  // namespace

TEST(Fp8StackedProduct, TheStackIsOneFp8ProductByOneWeightScale) {
  for (bool transposed : {false, true}) {
    Siblings s(transposed);
    trt::IMatrixMultiplyLayer* stack = stackInFp8(s.net);
    ASSERT_TRUE(stack) << "the stack of three [N, K] products by one input can run in FP8";
    EXPECT_TRUE(stack->isFp8());
    EXPECT_EQ(stack->getFp8WeightScale(), trt::fp8::scaleForAmax(largestMagnitude(s)));
    const trt::Dims w = stack->getInput(1)->getDimensions();
    EXPECT_EQ(w, (trt::Dims{kParts, kN, kK}));
    EXPECT_EQ(stack->getInput(1)->getType(), trt::DataType::kFP8);
    EXPECT_EQ(stack->getInput(0)->getType(), trt::DataType::kFP8);  // the one shared quantization's codes
    EXPECT_EQ(stack->getInput(2)->getDimensions(), (trt::Dims{kParts, 1, kN}));
  }
}

TEST(Fp8StackedProduct, ItsResultsAreTheSeparateProductsBitForBit) {
  // The same codes, sums and scales as three products each by its block of the stack's codes: equal in float32 and
  // float16 builds (each block's float32 sums in the same order, one rounding to the output's type), with a bias row
  // per matrix or none (the shared quantization gives the stack one zero row for all), and through a plan.
  const std::vector<float> x = randomVector(static_cast<size_t>(kRows * kK), 620, -3.f, 3.f);
  for (bool half : {false, true})
    for (bool transposed : {false, true})
      for (bool withBias : {true, false}) {
        Siblings s(transposed, withBias);
        trt::IMatrixMultiplyLayer* stack = stackInFp8(s.net);
        ASSERT_TRUE(stack);
        EXPECT_EQ(stack->getInput(2)->getDimensions(), withBias ? (trt::Dims{kParts, 1, kN}) : (trt::Dims{kN}));
        SeparateFp8 separate(s, transposed, trt::fp8::scaleForAmax(largestMagnitude(s)), withBias);
        Built stacked = build(s.net, configFor(trt::Backend::kCPU, half).get());
        Built reference = build(separate.net, configFor(trt::Backend::kCPU, half).get());
        const std::string layers = stacked.engine->describeLayers();
        EXPECT_EQ(countMarks(layers, "[fp8]"), 1) << layers;
        EXPECT_EQ(countMarks(layers, ": Quantize "), 1) << layers;
        const auto got = run(*stacked.engine, {{"x", {trt::Dims{kRows, kK}, x}}});
        const auto expected = run(*reference.engine, {{"x", {trt::Dims{kRows, kK}, x}}});
        std::unique_ptr<trt::IRuntime> rt(trt::createInferRuntime(trt::defaultLogger()));
        std::unique_ptr<trt::ICudaEngine> loaded(rt->deserializeCudaEngine(stacked.plan.data(), stacked.plan.size()));
        ASSERT_TRUE(loaded);
        const auto fromPlan = run(*loaded, {{"x", {trt::Dims{kRows, kK}, x}}});
        for (int p = 0; p < kParts; ++p) {
          const std::string y = "y" + std::to_string(p);
          EXPECT_EQ(got.at(y), expected.at(y))
              << y << (half ? " float16" : " float32") << " transposed " << transposed << " bias " << withBias;
          EXPECT_EQ(fromPlan.at(y), got.at(y)) << y;
        }
      }
}

TEST(Fp8StackedProduct, TheStackSharesItsInputsQuantizationWithAProductBesideIt) {
  // A fourth product of x, 16 columns (not the siblings' shape, so not stacked), reads x's codes itself; the stack
  // reads the same codes through its [1, rows, K] view: one quantization of x, the results those of four products
  // that each quantize x.
  constexpr int64_t kLoneN = 16;
  Siblings s(false);
  const std::vector<float> lone = randomVector(static_cast<size_t>(kK * kLoneN), 660, -0.5f, 0.5f);
  auto* w = s.net.addConstant(trt::Dims{kK, kLoneN}, {trt::DataType::kFLOAT, lone.data(), kK * kLoneN});
  s.net.moveLayer(w, 0);
  auto* beside =
      s.net.addMatrixMultiply(*s.h, trt::MatrixOperation::kNONE, *w->getOutput(0), trt::MatrixOperation::kNONE);
  beside->getOutput(0)->setName("lone");
  s.net.markOutput(*beside->getOutput(0));
  EXPECT_EQ(trt::passes::stackSiblingProducts(s.net), 1);
  trt::passes::removeDeadLayers(s.net);
  trt::IMatrixMultiplyLayer* stack = nullptr;
  for (int l = 0; l < s.net.getNbLayers(); ++l)
    if (s.net.getLayer(l)->getType() == trt::LayerType::kMATRIX_MULTIPLY && s.net.getLayer(l) != beside)
      stack = static_cast<trt::IMatrixMultiplyLayer*>(s.net.getLayer(l));
  ASSERT_TRUE(stack && trt::passes::canRunInFp8(*stack) && trt::passes::canRunInFp8(*beside));
  trt::passes::switchToFp8(s.net, *stack, kInputScale);
  trt::passes::switchToFp8(s.net, *beside, kInputScale);
  EXPECT_EQ(trt::passes::shareFp8Quantization(s.net), 2);
  trt::passes::removeDeadLayers(s.net);
  EXPECT_EQ(countLayersOfType(s.net, trt::LayerType::kQUANTIZE), 1);
  EXPECT_EQ(stack->getInput(0)->getType(), trt::DataType::kFP8);
  EXPECT_EQ(stack->getInput(0)->getDimensions(), (trt::Dims{1, kRows, kK}));
  EXPECT_EQ(beside->getInput(0)->getType(), trt::DataType::kFP8);

  SeparateFp8 separate(s, false, trt::fp8::scaleForAmax(largestMagnitude(s)));
  float loneMax = 0.f;
  for (float v : lone) loneMax = std::fmax(loneMax, std::fabs(v));
  const float loneScale = trt::fp8::scaleForAmax(loneMax);
  std::vector<uint8_t> loneCodes;
  for (int64_t n = 0; n < kLoneN; ++n)
    for (int64_t k = 0; k < kK; ++k) loneCodes.push_back(trt::fp8::quantize(lone[k * kLoneN + n], loneScale));
  auto* lw = separate.net.addConstant(trt::Dims{kLoneN, kK}, {trt::DataType::kFP8, loneCodes.data(), kLoneN * kK});
  separate.net.moveLayer(lw, 0);
  auto* loneProduct = separate.net.addMatrixMultiply(*separate.h, trt::MatrixOperation::kNONE, *lw->getOutput(0),
                                                     trt::MatrixOperation::kTRANSPOSE);
  loneProduct->setFp8Scales(kInputScale, loneScale);
  loneProduct->getOutput(0)->setName("lone");
  separate.net.markOutput(*loneProduct->getOutput(0));
  const std::vector<float> x = randomVector(static_cast<size_t>(kRows * kK), 661, -3.f, 3.f);
  Built shared = build(s.net, configFor(trt::Backend::kCPU, false).get());
  Built reference = build(separate.net, configFor(trt::Backend::kCPU, false).get());
  const auto got = run(*shared.engine, {{"x", {trt::Dims{kRows, kK}, x}}});
  const auto expected = run(*reference.engine, {{"x", {trt::Dims{kRows, kK}, x}}});
  for (const char* y : {"y0", "y1", "y2", "lone"}) EXPECT_EQ(got.at(y), expected.at(y)) << y;
}

TEST(Fp8StackedProduct, CalibrationKeysTheStacksScaleByTheSiblingsInput) {
  // The stack reads x through a reshape; its scale is x's, so one cache serves a build that stacks (CUDA's) and one
  // that does not (the CPU's), either way round.
  std::vector<std::vector<float>> batches;
  for (uint32_t i = 0; i < 3; ++i) batches.push_back(randomVector(static_cast<size_t>(kRows * kK), 650 + i, -2.f, 2.f));
  auto fp8Config = [](trt::IInt8Calibrator* calibrator) {
    std::unique_ptr<trt::IBuilderConfig> config = configFor(trt::Backend::kCPU, false);
    config->setFlag(trt::BuilderFlag::kFP8);
    config->setInt8Calibrator(calibrator);
    return config;
  };
  Siblings stackedNet(false);
  EXPECT_EQ(trt::passes::stackSiblingProducts(stackedNet.net), 1);
  trt::passes::removeDeadLayers(stackedNet.net);
  VectorCalibrator calibrator(batches, trt::CalibrationAlgoType::kMINMAX_CALIBRATION, static_cast<int32_t>(kRows));
  Built stacked = build(stackedNet.net, fp8Config(&calibrator).get());
  EXPECT_EQ(countMarks(stacked.engine->describeLayers(), "[fp8]"), 1) << stacked.engine->describeLayers();
  EXPECT_NE(calibrator.cacheOut.find("[fp8] h:"), std::string::npos) << calibrator.cacheOut;
  EXPECT_EQ(countMarks(calibrator.cacheOut, "[fp8]"), 1) << calibrator.cacheOut;
  // The unstacked siblings from that cache: three FP8 products, the scale read, no batch.
  VectorCalibrator fromCache({}, trt::CalibrationAlgoType::kMINMAX_CALIBRATION, static_cast<int32_t>(kRows));
  fromCache.cacheIn = calibrator.cacheOut;
  Siblings separateNet(false);
  Built separate = build(separateNet.net, fp8Config(&fromCache).get());
  EXPECT_EQ(countMarks(separate.engine->describeLayers(), "[fp8]"), 3) << separate.engine->describeLayers();
  EXPECT_EQ(fromCache.batchesRead(), 0u);
}

TEST(Fp8StackedProduct, TheLayerTakesAStackOnlyByOneInputMatrixAndWithAFloatOutput) {
  auto failure = [](trt::INetworkDefinition& net) {
    std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
    trt::IBuilderConfig config;
    try {
      std::unique_ptr<trt::IHostMemory> plan(builder->buildSerializedNetwork(net, config));
    } catch (const trt::Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  std::vector<uint8_t> codes(static_cast<size_t>(kParts * kN * kK), trt::fp8::quantize(0.5f, 0.01f));
  auto stackedNet = [&](trt::INetworkDefinition& net, trt::Dims xDims) {
    auto* x = net.addInput("x", trt::DataType::kFLOAT, xDims);
    auto* w = net.addConstant(trt::Dims{kParts, kN, kK}, {trt::DataType::kFP8, codes.data(), kParts * kN * kK});
    auto* mm =
        net.addMatrixMultiply(*x, trt::MatrixOperation::kNONE, *w->getOutput(0), trt::MatrixOperation::kTRANSPOSE);
    mm->setFp8Scales(0.01f, 0.01f);
    mm->getOutput(0)->setName("y");
    net.markOutput(*mm->getOutput(0));
    return mm;
  };
  {  // Each of the P matrices by its own input matrix: not the stacked form.
    trt::INetworkDefinition net;
    stackedNet(net, trt::Dims{kParts, kRows, kK});
    const std::string message = failure(net);
    EXPECT_NE(message.find("(or [P, N, K] by one input matrix [M, K] or [1, M, K])"), std::string::npos) << message;
  }
  {  // FP8 codes out: one matrix only.
    trt::INetworkDefinition net;
    trt::IMatrixMultiplyLayer* mm = stackedNet(net, trt::Dims{1, kRows, kK});
    EXPECT_EQ(failure(net), "");
    mm->setFp8OutputScale(0.5f);
    const std::string message = failure(net);
    EXPECT_NE(message.find("writes a float output; FP8 codes out (fp8_output_scale) need weights [N, K]"),
              std::string::npos)
        << message;
  }
}

#ifdef TORCHTRT_WITH_CUDA
#include <cuda_runtime.h>

namespace {
bool fp8GpuVisible() {
  int device = 0, major = 0, minor = 0;
  return gpuVisible() && cudaGetDevice(&device) == cudaSuccess &&
         cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device) == cudaSuccess &&
         cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, device) == cudaSuccess &&
         (major > 8 || (major == 8 && minor >= 9));
}

// |got - expected| within the FP8 tensor cores' partial-sum error, relative to the output's largest magnitude too
// (as fp8_matrix_multiply_test.cpp's comparisons).
void expectFp8Near(const std::vector<float>& got, const std::vector<float>& expected, bool half,
                   const std::string& what) {
  const Tolerance t = toleranceFor(half ? trt::DataType::kHALF : trt::DataType::kFLOAT);
  const double rtol = std::max(t.rtol, static_cast<double>(kFp8TensorCoreRtol));
  double largest = 0;
  for (float v : expected) largest = std::max(largest, static_cast<double>(std::fabs(v)));
  ASSERT_EQ(got.size(), expected.size()) << what;
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_NEAR(got[i], expected[i], t.atol + rtol * (std::fabs(expected[i]) + largest)) << "at " << i << ", " << what;
}
}  // namespace

TEST(CudaFp8StackedProduct, EveryAlgorithmOfTheStridedGemmMatchesTheCpu) {
  if (!fp8GpuVisible()) GTEST_SKIP() << "no CUDA GPU of compute capability 8.9 or newer visible";
  // One strided-batched cuBLASLt FP8 GEMM (the input's batch stride 0, a bias row per matrix) in float16, each ranked
  // algorithm and cuBLASLt's own pick (-1) forced through the plan; in float32, whose bias cuBLASLt declines, one
  // product at a time (cuBLASLt's GEMM, then the epilogue kernel with the matrix's bias row).
  const std::vector<float> x = randomVector(static_cast<size_t>(kRows * kK), 630, -3.f, 3.f);
  for (bool half : {false, true}) {
    Siblings cpuNet(true), gpuNet(true);
    ASSERT_TRUE(stackInFp8(cpuNet.net));
    ASSERT_TRUE(stackInFp8(gpuNet.net));
    Built cpu = build(cpuNet.net, configFor(trt::Backend::kCPU, half).get());
    Built gpu = build(gpuNet.net, configFor(trt::Backend::kCUDA, half).get());
    EXPECT_EQ(countMarks(gpu.engine->describeLayers(), "[fp8]"), 1) << gpu.engine->describeLayers();
    const auto expected = run(*cpu.engine, {{"x", {trt::Dims{kRows, kK}, x}}});
    const auto got = run(*gpu.engine, {{"x", {trt::Dims{kRows, kK}, x}}});
    for (int p = 0; p < kParts; ++p) {
      const std::string y = "y" + std::to_string(p);
      expectFp8Near(got.at(y), expected.at(y), half, y + (half ? " float16" : " float32") + ", the builder's tactic");
    }
    // Every ranked algorithm through the plan: the stacked product's tactic (the plan's only one) replaced. A float32
    // product's bias leaves cuBLASLt out (one product at a time, then the epilogue kernel): nothing timed.
    auto contents = trt::readPlan(gpu.plan.data(), gpu.plan.size());
    if (!half) {
      EXPECT_EQ(contents->tactics.size(), 0u);
      continue;
    }
    ASSERT_EQ(contents->tactics.size(), 1u) << "one FP8 product, one shape: one tactic";
    for (int64_t algorithm = -1; algorithm < 16; ++algorithm) {
      contents->tactics[0].choice[0] = algorithm;
      const auto plan = trt::writePlan(*contents);
      std::unique_ptr<trt::IRuntime> rt(trt::createInferRuntime(trt::defaultLogger()));
      std::unique_ptr<trt::ICudaEngine> forced(rt->deserializeCudaEngine(plan.data(), plan.size()));
      ASSERT_TRUE(forced);
      const auto out = run(*forced, {{"x", {trt::Dims{kRows, kK}, x}}});
      for (int p = 0; p < kParts; ++p) {
        const std::string y = "y" + std::to_string(p);
        expectFp8Near(out.at(y), expected.at(y), half, y + ", algorithm " + std::to_string(algorithm));
      }
    }
  }
}

TEST(CudaFp8StackedProduct, ACalibratedFp8BuildStacksItsSiblings) {
  if (!fp8GpuVisible()) GTEST_SKIP() << "no CUDA GPU of compute capability 8.9 or newer visible";
  // The CUDA backend's FP8 build stacks the three siblings before calibration, which switches the stack to FP8 with
  // one weight scale: one FP8 product and one quantization, close to the float32 engine.
  std::vector<std::vector<float>> batches;
  for (uint32_t i = 0; i < 4; ++i) batches.push_back(randomVector(static_cast<size_t>(kRows * kK), 640 + i, -2.f, 2.f));
  VectorCalibrator calibrator(batches, trt::CalibrationAlgoType::kMINMAX_CALIBRATION, static_cast<int32_t>(kRows));
  const auto tanh = trt::ActivationType::kTANH;
  Siblings fp8Net(false, true, tanh), floatNet(false, true, tanh), cpuNet(false, true, tanh);
  std::unique_ptr<trt::IBuilderConfig> config = configFor(trt::Backend::kCUDA, true);
  config->setFlag(trt::BuilderFlag::kFP8);
  config->setInt8Calibrator(&calibrator);
  Built fp8 = build(fp8Net.net, config.get());
  // Its cache serves the CPU's build, which does not stack.
  VectorCalibrator fromCache({}, trt::CalibrationAlgoType::kMINMAX_CALIBRATION, static_cast<int32_t>(kRows));
  fromCache.cacheIn = calibrator.cacheOut;
  std::unique_ptr<trt::IBuilderConfig> cpuConfig = configFor(trt::Backend::kCPU, false);
  cpuConfig->setFlag(trt::BuilderFlag::kFP8);
  cpuConfig->setInt8Calibrator(&fromCache);
  Built cpu = build(cpuNet.net, cpuConfig.get());
  EXPECT_EQ(countMarks(cpu.engine->describeLayers(), "[fp8]"), 3) << cpu.engine->describeLayers();
  Built reference = build(floatNet.net, configFor(trt::Backend::kCPU, false).get());
  const std::string layers = fp8.engine->describeLayers();
  EXPECT_EQ(countMarks(layers, "[fp8]"), 1) << layers;
  // The stacked product's own name ends in the mark; its weights' and rows' layers carry it inside theirs.
  EXPECT_EQ(countMarks(layers, "[3 stacked]'"), 1) << layers;
  EXPECT_EQ(countMarks(layers, ": Quantize "), 1) << layers;
  const auto got = run(*fp8.engine, {{"x", {trt::Dims{kRows, kK}, batches[1]}}});
  const auto expected = run(*reference.engine, {{"x", {trt::Dims{kRows, kK}, batches[1]}}});
  for (int p = 0; p < kParts; ++p) {
    const std::string y = "y" + std::to_string(p);
    double dot = 0, na = 0, nb = 0;
    for (size_t i = 0; i < got.at(y).size(); ++i) {
      dot += static_cast<double>(got.at(y)[i]) * expected.at(y)[i];
      na += static_cast<double>(got.at(y)[i]) * got.at(y)[i];
      nb += static_cast<double>(expected.at(y)[i]) * expected.at(y)[i];
    }
    EXPECT_GT(dot / std::sqrt(na * nb), 0.99) << y;
  }
}
#endif
