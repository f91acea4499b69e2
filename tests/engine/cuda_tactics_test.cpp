// Tactics on the CUDA backend: the builder times them, the plan stores them, a loaded engine (in a
// fresh process too) runs them without timing anything (skipped without a GPU).
#include "engine_test_util.h"

#ifdef TORCHTRT_WITH_CUDA
#include <cuda_runtime.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "backends/cuda/attention_cudnn.h"
#include "backends/cuda/convolution_cudnn_graph.h"
#include "backends/cuda/convolution_depthwise.h"
#include "backends/cuda/convolution_few_channel.h"
#include "backends/cuda/cutlass_gemm.h"
#include "backends/cuda/tactic_timing.cuh"
#include "builder/builder_impl.h"
#include "plan/plan.h"
#include "runtime/runtime_impl.h"

using namespace trt_test;

namespace {
// Runs input "x" through a CUDA engine's fresh context; returns output "y" and the context's timing runs.
std::vector<float> runOnDevice(const trt::ICudaEngine& engine, trt::Dims dims, const std::vector<float>& x,
                               int64_t* timingRuns = nullptr) {
  std::unique_ptr<trt::IExecutionContext> ctx(engine.createExecutionContext());
  ctx->setInputShape("x", dims);
  const size_t m = static_cast<size_t>(ctx->getTensorShape("y").volume());
  float *dx = nullptr, *dy = nullptr;
  EXPECT_EQ(cudaMalloc(&dx, x.size() * 4), cudaSuccess);
  EXPECT_EQ(cudaMalloc(&dy, m * 4), cudaSuccess);
  cudaMemcpy(dx, x.data(), x.size() * 4, cudaMemcpyHostToDevice);
  ctx->setTensorAddress("x", dx);
  ctx->setTensorAddress("y", dy);
  EXPECT_TRUE(ctx->enqueueV3(nullptr));
  std::vector<float> y(m);
  cudaMemcpy(y.data(), dy, m * 4, cudaMemcpyDeviceToHost);
  cudaFree(dx);
  cudaFree(dy);
  if (timingRuns) *timingRuns = ctx->getTacticTimingRuns();
  return y;
}

// Runs input "x" through the plan `contents` with its one convolution's tactic forced to `path` (0 im2col +
// GEMM, 1 cuDNN, 2 the own depthwise kernel, 3 the cuDNN graph API's first plan); returns output "y" (empty when
// the plan does not load).
std::vector<float> runWithConvolutionPath(trt::PlanContents& contents, int64_t path, trt::Dims dims,
                                          const std::vector<float>& x, int64_t ownVariant = 0) {
  const std::vector<int64_t> built = contents.tactics[0].choice;
  contents.tactics[0].choice = {built[0], path};
  if (path == 2 && ownVariant > 0) contents.tactics[0].choice.push_back(ownVariant);
  if (path == 3)  // the graph plan's index, and whether runtime-compiled plans were candidates (as in this process)
    contents.tactics[0].choice = {0, 3, trt::cuda::convgraph::runtimeFusion() ? 1 : 0};
  const auto plan = trt::writePlan(contents);
  contents.tactics[0].choice = built;  // the next forced path starts from the builder's choice
  std::unique_ptr<trt::IRuntime> rt(trt::createInferRuntime(trt::defaultLogger()));
  std::unique_ptr<trt::ICudaEngine> engine(rt->deserializeCudaEngine(plan.data(), plan.size()));
  EXPECT_TRUE(engine) << "the plan with tactic path " << path << " did not load";
  return engine ? runOnDevice(*engine, dims, x) : std::vector<float>{};
}

// A builder configuration of `backend` in the 16-bit `type` (float16 or bfloat16), TF32 off.
std::unique_ptr<trt::IBuilderConfig> sixteenBitConfig(trt::Backend backend, trt::DataType type) {
  std::unique_ptr<trt::IBuilderConfig> config(new trt::IBuilderConfig());
  config->setBackend(backend);
  config->clearFlag(trt::BuilderFlag::kTF32);
  config->setFlag(type == trt::DataType::kHALF ? trt::BuilderFlag::kFP16 : trt::BuilderFlag::kBF16);
  return config;
}

// x [M, K] times constant weights w [N, K] transposed, plus the constant bias b [N]: the product + bias the product
// tests build (the builder folds the bias into the product).
trt::ITensor* addBiasedProduct(trt::INetworkDefinition& net, trt::ITensor& x, const std::vector<float>& w,
                               const std::vector<float>& b, int64_t N, int64_t K) {
  auto* wc = net.addConstant({N, K}, {trt::DataType::kFLOAT, w.data(), N * K});
  auto* mm = net.addMatrixMultiply(x, trt::MatrixOperation::kNONE, *wc->getOutput(0), trt::MatrixOperation::kTRANSPOSE);
  auto* bc = net.addConstant({1, N}, {trt::DataType::kFLOAT, b.data(), N});
  return net.addElementWise(*mm->getOutput(0), *bc->getOutput(0), trt::ElementWiseOperation::kSUM)->getOutput(0);
}

// A builder configuration for `backend` with FP16 allowed.
std::unique_ptr<trt::IBuilderConfig> fp16Config(trt::IBuilder& builder, trt::Backend backend) {
  std::unique_ptr<trt::IBuilderConfig> config(builder.createBuilderConfig());
  config->setBackend(backend);
  config->setFlag(trt::BuilderFlag::kFP16);
  return config;
}

// conv 3x3 (+ bias) -> ReLU over `dims`' channels, 8 output maps.
void addConvRelu(trt::INetworkDefinition& net, trt::ITensor* x, const std::vector<float>& w,
                 const std::vector<float>& b, int64_t channels) {
  auto* conv = net.addConvolutionNd(*x, 8, {3, 3}, {trt::DataType::kFLOAT, w.data(), 8 * channels * 9},
                                    {trt::DataType::kFLOAT, b.data(), 8});
  conv->setPaddingNd({1, 1});
  auto* relu = net.addActivation(*conv->getOutput(0), trt::ActivationType::kRELU);
  relu->getOutput(0)->setName("y");
  net.markOutput(*relu->getOutput(0));
}
}  // namespace

TEST(CudaTactics, TheBuilderTimesAndThePlanKeepsTheChoice) {
  // More timing iterations time each tactic longer; a 1-byte workspace limit leaves only the
  // algorithms that need no scratch (and no im2col buffer). All timing is the builder's: the
  // engine's contexts time nothing, and the result stays right.
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  const auto w = randomVector(8 * 8 * 9, 130), b = randomVector(8, 131);
  trt::INetworkDefinition net;
  const trt::Dims dims{2, 8, 16, 16};
  addConvRelu(net, net.addInput("x", trt::DataType::kFLOAT, dims), w, b, 8);
  const auto xv = randomVector(static_cast<size_t>(dims.volume()), 132);
  const auto expected = run(*build(net).engine, {{"x", {dims, xv}}})["y"];
  auto timingRuns = [&](int32_t iterations, size_t workspace) {
    std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
    std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
    config->setBackend(trt::Backend::kCUDA);
    config->clearFlag(trt::BuilderFlag::kTF32);
    config->setAvgTimingIterations(iterations);
    config->setMemoryPoolLimit(workspace);
    std::unique_ptr<trt::IHostMemory> mem(builder->buildSerializedNetwork(net, *config));
    const auto contents = trt::readPlan(static_cast<const uint8_t*>(mem->data()), mem->size());
    EXPECT_EQ(contents->tactics.size(), 1u) << "one convolution, one profile shape: one tactic";
    std::unique_ptr<trt::IRuntime> rt(trt::createInferRuntime(trt::defaultLogger()));
    std::unique_ptr<trt::ICudaEngine> engine(rt->deserializeCudaEngine(mem->data(), mem->size()));
    int64_t contextRuns = -1;
    expectNear(runOnDevice(*engine, dims, xv, &contextRuns), expected, 1e-4f);
    EXPECT_EQ(contextRuns, 0) << "a loaded engine timed tactics";
    // The inspector says in words what the recorded tactic runs (issue 23: each layer's kernel).
    const std::string json = engine->describeLayersJson();
    EXPECT_TRUE(json.find("\"kernel\":\"cuDNN ") != std::string::npos ||
                json.find("\"kernel\":\"im2col + GEMM\"") != std::string::npos)
        << json;
    return builder->lastReport().tacticTimingRuns;
  };
  const int64_t once = timingRuns(1, 0), four = timingRuns(4, 0);
  EXPECT_GT(once, 0);
  EXPECT_GT(four, once);
  EXPECT_GT(timingRuns(1, 1), 0);  // still timed among the scratch-free algorithms, and correct
}

TEST(CudaTactics, TacticsTimedAtTheOptShapeServeTheOtherShapesOfTheProfile) {
  // A dynamic batch: the builder times at the profile's opt shape; every shape runs (none timed)
  // and matches the CPU, as does going back to the first shape.
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  const auto w = randomVector(8 * 4 * 9, 140), b = randomVector(8, 141);
  trt::INetworkDefinition net;
  addConvRelu(net, net.addInput("x", trt::DataType::kFLOAT, {-1, 4, 12, 12}), w, b, 4);
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  auto configFor = [&](trt::Backend backend) {
    std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
    config->setBackend(backend);
    config->clearFlag(trt::BuilderFlag::kTF32);
    auto* profile = builder->createOptimizationProfile();
    profile->setDimensions("x", trt::OptProfileSelector::kMIN, {1, 4, 12, 12});
    profile->setDimensions("x", trt::OptProfileSelector::kOPT, {2, 4, 12, 12});
    profile->setDimensions("x", trt::OptProfileSelector::kMAX, {8, 4, 12, 12});
    config->addOptimizationProfile(profile);
    return config;
  };
  auto gpu = build(net, configFor(trt::Backend::kCUDA).get());
  auto cpu = build(net, configFor(trt::Backend::kCPU).get());
  ASSERT_EQ(trt::internals(*gpu.engine).contents().tactics.size(), 1u);
  EXPECT_EQ(trt::internals(*gpu.engine).contents().tactics[0].shape, (std::vector<int64_t>{2, 4, 12, 12}));
  for (int64_t batch : {2, 7, 1, 2}) {
    const trt::Dims dims{batch, 4, 12, 12};
    const auto xv = randomVector(static_cast<size_t>(dims.volume()), static_cast<uint32_t>(142 + batch));
    int64_t timed = -1;
    expectNear(runOnDevice(*gpu.engine, dims, xv, &timed), run(*cpu.engine, {{"x", {dims, xv}}})["y"], 1e-4f);
    EXPECT_EQ(timed, 0) << "batch " << batch << " timed tactics";
  }
}

TEST(CudaTactics, IdenticalConvolutionsAreTimedOnceAndEachKeepsATactic) {
  // ResNet's repeated blocks: a second convolution of the same geometry reuses the first one's timing
  // within the build, and the plan still holds a tactic for each layer.
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  const auto w = randomVector(8 * 8 * 9, 160), b = randomVector(8, 161), w2 = randomVector(8 * 8 * 9, 162);
  const trt::Dims dims{2, 8, 16, 16};
  auto buildRuns = [&](bool twice, size_t& tactics) {
    trt::INetworkDefinition net;
    trt::ITensor* x = net.addInput("x", trt::DataType::kFLOAT, dims);
    if (twice) {
      auto* first = net.addConvolutionNd(*x, 8, {3, 3}, {trt::DataType::kFLOAT, w2.data(), 8 * 8 * 9},
                                         {trt::DataType::kFLOAT, b.data(), 8});
      first->setPaddingNd({1, 1});
      x = net.addActivation(*first->getOutput(0), trt::ActivationType::kRELU)->getOutput(0);
    }
    addConvRelu(net, x, w, b, 8);
    std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
    std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
    config->setBackend(trt::Backend::kCUDA);
    config->clearFlag(trt::BuilderFlag::kTF32);
    std::unique_ptr<trt::IHostMemory> mem(builder->buildSerializedNetwork(net, *config));
    tactics = trt::readPlan(static_cast<const uint8_t*>(mem->data()), mem->size())->tactics.size();
    return builder->lastReport().tacticTimingRuns;
  };
  size_t one = 0, two = 0;
  const int64_t runsOne = buildRuns(false, one), runsTwo = buildRuns(true, two);
  EXPECT_EQ(one, 1u);
  EXPECT_EQ(two, 2u);
  EXPECT_GT(runsOne, 0);
  EXPECT_EQ(runsTwo, runsOne) << "the second, identical convolution was timed again";
}

TEST(CudaTactics, ATimingCacheMakesTheRebuildTimeNothing) {
  // The first build fills the cache; a rebuild through the cache's bytes (a file's contents) times
  // nothing and keeps the same tactics; a cache of another GPU is refused unless told to ignore it.
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  const auto w = randomVector(8 * 8 * 9, 170), b = randomVector(8, 171);
  trt::INetworkDefinition net;
  const trt::Dims dims{2, 8, 16, 16};
  addConvRelu(net, net.addInput("x", trt::DataType::kFLOAT, dims), w, b, 8);
  auto buildWith = [&](trt::ITimingCache* cache, bool ignoreMismatch, int64_t& runs) {
    std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
    std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
    config->setBackend(trt::Backend::kCUDA);
    config->setFlag(trt::BuilderFlag::kFP16);
    if (cache) config->setTimingCache(*cache, ignoreMismatch);
    std::unique_ptr<trt::IHostMemory> mem(builder->buildSerializedNetwork(net, *config));
    runs = builder->lastReport().tacticTimingRuns;
    return trt::readPlan(static_cast<const uint8_t*>(mem->data()), mem->size())->tactics;
  };
  trt::IBuilderConfig config;
  std::unique_ptr<trt::ITimingCache> cache(config.createTimingCache(nullptr, 0));
  int64_t firstRuns = 0, againRuns = -1, foreignRuns = 0;
  const auto first = buildWith(cache.get(), false, firstRuns);
  EXPECT_GT(firstRuns, 0);
  EXPECT_EQ(cache->size(), 1);
  EXPECT_FALSE(cache->device().empty());
  std::unique_ptr<trt::IHostMemory> bytes(cache->serialize());
  std::unique_ptr<trt::ITimingCache> reread(config.createTimingCache(bytes->data(), bytes->size()));
  const auto again = buildWith(reread.get(), false, againRuns);
  EXPECT_EQ(againRuns, 0) << "the rebuild timed tactics the cache holds";
  ASSERT_EQ(again.size(), first.size());
  EXPECT_EQ(again[0].choice, first[0].choice);
  trt::ITimingCache foreign;
  trt::TimingCacheState& foreignState = trt::TimingCacheState::of(foreign);
  foreignState.device = "another GPU";
  foreignState.smMajor = 8;
  foreignState.smMinor = 0;
  foreignState.entries[{1, 2, 3}] = {0, 1};
  try {
    buildWith(&foreign, false, foreignRuns);
    ADD_FAILURE() << "a cache of another GPU was used";
  } catch (const trt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("the timing cache was made on another GPU (sm_80)"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(buildWith(&foreign, true, foreignRuns).size(), 1u);
  EXPECT_GT(foreignRuns, 0) << "ignored, so timed afresh";
  EXPECT_EQ(foreign.size(), 1) << "an ignored cache is left as it was";
}

TEST(CudaTactics, APlanLoadedInAFreshProcessTimesNothing) {
  // The parent builds and saves a plan; a new process of this test binary loads it, runs it, and
  // reports how many tactic timings ran (through its exit status: 0 when none and the output is right).
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  const auto w = randomVector(8 * 8 * 9, 150), b = randomVector(8, 151);
  trt::INetworkDefinition net;
  const trt::Dims dims{4, 8, 20, 20};
  addConvRelu(net, net.addInput("x", trt::DataType::kFLOAT, dims), w, b, 8);
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
  config->setBackend(trt::Backend::kCUDA);
  config->setFlag(trt::BuilderFlag::kFP16);
  std::unique_ptr<trt::IHostMemory> mem(builder->buildSerializedNetwork(net, *config));
  ASSERT_GT(builder->lastReport().tacticTimingRuns, 0);
  char dir[] = "/tmp/torchtrt-tactics-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string plan = std::string(dir) + "/conv.plan";
  std::ofstream(plan, std::ios::binary).write(static_cast<const char*>(mem->data()), mem->size());
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  const std::string command = "TORCHTRT_TACTICS_CHILD_PLAN=" + plan + " '" + self +
                              "' --gtest_filter=CudaTactics.FreshProcessChild >" + dir + "/child.log 2>&1";
  const int status = std::system(command.c_str());
  std::ifstream log(std::string(dir) + "/child.log");
  const std::string output((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_EQ(status, 0) << output;
  EXPECT_NE(output.find("[  PASSED  ] 1 test"), std::string::npos) << output;
  std::filesystem::remove_all(dir);
}

TEST(CudaTactics, FreshProcessChild) {
  // The child half of APlanLoadedInAFreshProcessTimesNothing (skipped when run on its own).
  const char* path = std::getenv("TORCHTRT_TACTICS_CHILD_PLAN");
  if (!path) GTEST_SKIP() << "runs as the child of CudaTactics.APlanLoadedInAFreshProcessTimesNothing";
  std::ifstream f(path, std::ios::binary);
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::unique_ptr<trt::IRuntime> rt(trt::createInferRuntime(trt::defaultLogger()));
  std::unique_ptr<trt::ICudaEngine> engine(rt->deserializeCudaEngine(bytes.data(), bytes.size()));
  ASSERT_FALSE(trt::internals(*engine).contents().tactics.empty()) << "the plan lost its tactics";
  const trt::Dims dims{4, 8, 20, 20};
  const auto xv = randomVector(static_cast<size_t>(dims.volume()), 152);
  int64_t timed = -1;
  const auto y = runOnDevice(*engine, dims, xv, &timed);
  EXPECT_EQ(timed, 0) << "the loaded plan timed tactics at its first call";
  // Against the CPU engine of the same network in FP16.
  const auto w = randomVector(8 * 8 * 9, 150), b = randomVector(8, 151);
  trt::INetworkDefinition net;
  addConvRelu(net, net.addInput("x", trt::DataType::kFLOAT, dims), w, b, 8);
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
  config->setFlag(trt::BuilderFlag::kFP16);
  expectNear(y, run(*build(net, config.get()).engine, {{"x", {dims, xv}}})["y"], 2e-2f);
}
TEST(CudaTactics, AChannelsLastPointwiseConvolutionRunsRightThroughCudnnAndThroughOneGemm) {
  // A 1x1 convolution of [N, H, W, C] (one group, bias, and a fused ReLU or a residual input) has
  // two tactics: cuDNN and one cuBLAS GEMM of the pixel rows with the filter (bias and residual then
  // in cuBLASLt's epilogue, its own pick or one of its ranked algorithms). Each, forced through the plan's tactic
  // record, matches the CPU, on the 1x1 planes of squeeze-and-excitation blocks and on a larger plane.
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  for (bool withResidual : {false, true})
    for (int64_t side : {1, 5})
      for (bool fp16 : {false, true}) {
        const int64_t cin = withResidual ? 16 : 24, cout = 16;
        const auto w = randomVector(cout * cin, 150), b = randomVector(cout, 151);
        const trt::Dims dims{4, side, side, cin};
        trt::INetworkDefinition net;
        auto* conv = net.addConvolutionNd(*net.addInput("x", trt::DataType::kFLOAT, dims), cout, {1, 1},
                                          {trt::DataType::kFLOAT, w.data(), cout * cin},
                                          {trt::DataType::kFLOAT, b.data(), cout});
        conv->setChannelsLast(true);
        trt::ILayer* last = withResidual
                                ? static_cast<trt::ILayer*>(net.addElementWise(*conv->getOutput(0), *conv->getInput(0),
                                                                               trt::ElementWiseOperation::kSUM))
                                : net.addActivation(*conv->getOutput(0), trt::ActivationType::kRELU);
        last->getOutput(0)->setName("y");
        net.markOutput(*last->getOutput(0));
        const auto xv = randomVector(static_cast<size_t>(dims.volume()), 152);
        std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
        auto configFor = [&](trt::Backend backend) {
          std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
          config->setBackend(backend);
          config->clearFlag(trt::BuilderFlag::kTF32);
          if (fp16) config->setFlag(trt::BuilderFlag::kFP16);
          return config;
        };
        const auto expected = run(*build(net, configFor(trt::Backend::kCPU).get()).engine, {{"x", {dims, xv}}})["y"];
        std::unique_ptr<trt::IHostMemory> mem(builder->buildSerializedNetwork(net, *configFor(trt::Backend::kCUDA)));
        ASSERT_TRUE(mem);
        auto contents = trt::readPlan(static_cast<const uint8_t*>(mem->data()), mem->size());
        ASSERT_EQ(contents->tactics.size(), 1u);
        ASSERT_GE(contents->tactics[0].choice.size(), 2u);  // {cuDNN algorithm, 1: cuDNN, 0: GEMM}
        for (int64_t viaDnn : {0, 1}) {
          SCOPED_TRACE(std::string(viaDnn ? "cuDNN" : "GEMM") + " side " + std::to_string(side) +
                       (fp16 ? " fp16" : "") + (withResidual ? " +residual" : " relu"));
          expectNear(runWithConvolutionPath(*contents, viaDnn, dims, xv), expected, fp16 ? 1e-2f : 1e-5f);
        }
        // The GEMM with each of cuBLASLt's ranked algorithms (those for the workspace, then those needing none; an
        // index past this configuration's ranking runs cuBLASLt's own pick), and an index past any ranking (refused:
        // cuDNN's heuristic algorithm runs). The first entry a cuDNN algorithm (IMPLICIT_GEMM where a graph plan won).
        const std::vector<int64_t> built = contents->tactics[0].choice;
        std::unique_ptr<trt::IRuntime> rt(trt::createInferRuntime(trt::defaultLogger()));
        for (int64_t algorithm : {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 99}) {
          SCOPED_TRACE("cuBLASLt algorithm " + std::to_string(algorithm) + " side " + std::to_string(side) +
                       (fp16 ? " fp16" : "") + (withResidual ? " +residual" : " relu"));
          contents->tactics[0].choice = {built[1] == 3 ? 0 : built[0], 0, algorithm};
          const auto plan = trt::writePlan(*contents);
          std::unique_ptr<trt::ICudaEngine> engine(rt->deserializeCudaEngine(plan.data(), plan.size()));
          ASSERT_TRUE(engine);
          expectNear(runOnDevice(*engine, dims, xv), expected, fp16 ? 1e-2f : 1e-5f);
        }
        contents->tactics[0].choice = built;
      }
}
TEST(CudaTactics, AChannelsLastPointwiseConvolutionWithSiluOrHardSwishRunsRightThroughEachCutlassProduct) {
  // A 1x1 channels-last convolution with SiLU or hard-swish fused (cuBLASLt's epilogue has neither: its GEMM path
  // is the product, then an activation pass) has CUTLASS products with the activation, bias and residual in their
  // epilogue among its GEMM tactics on sm_90 ({algorithm, 0, 100 + configuration}). Each configuration, forced
  // through the plan, matches the CPU in FP16 and BF16, with and without a residual, at sizes that leave partial
  // tiles; elsewhere (another GPU, a build without CUTLASS) the forced tactic runs the GEMM and the pass, as right.
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  int major = 0, minor = 0;
  cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, 0);
  cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, 0);
  const bool cutlassRuns = trt::cuda::gemmBiasActivationConfigs() > 0 && major == 9 && minor == 0;
  struct Shape {
    int64_t n, side, cin, cout;
  };
  for (const trt::ActivationType act : {trt::ActivationType::kSILU, trt::ActivationType::kHARD_SWISH})
    for (const Shape shape : {Shape{4, 5, 24, 16}, Shape{2, 12, 40, 72}})
      for (const bool withResidual : {false, true})
        for (const trt::DataType type : {trt::DataType::kHALF, trt::DataType::kBF16}) {
          SCOPED_TRACE(std::string(act == trt::ActivationType::kSILU ? "SiLU" : "hard-swish") + " " +
                       std::to_string(shape.cin) + " -> " + std::to_string(shape.cout) + " " + trt::dataTypeName(type) +
                       (withResidual ? " +residual" : ""));
          const int64_t cin = shape.cin, cout = shape.cout;
          // Weights of unit fan-in scale: values around the activations' bends (hard-swish's -3 and 3).
          auto w = randomVector(cout * cin, 153);
          for (float& v : w) v *= 3.f / std::sqrt(static_cast<float>(cin));
          const auto b = randomVector(cout, 154);
          const trt::Dims dims{shape.n, shape.side, shape.side, cin};
          const trt::Dims outDims{shape.n, shape.side, shape.side, cout};
          trt::INetworkDefinition net;
          auto* conv = net.addConvolutionNd(*net.addInput("x", trt::DataType::kFLOAT, dims), cout, {1, 1},
                                            {trt::DataType::kFLOAT, w.data(), cout * cin},
                                            {trt::DataType::kFLOAT, b.data(), cout});
          conv->setChannelsLast(true);
          trt::ITensor* sum = conv->getOutput(0);
          if (withResidual)
            sum = net.addElementWise(*sum, *net.addInput("r", trt::DataType::kFLOAT, outDims),
                                     trt::ElementWiseOperation::kSUM)
                      ->getOutput(0);
          auto* activation = net.addActivation(*sum, act);
          activation->getOutput(0)->setName("y");
          net.markOutput(*activation->getOutput(0));
          std::map<std::string, std::pair<trt::Dims, std::vector<float>>> inputs = {
              {"x", {dims, randomVector(static_cast<size_t>(dims.volume()), 155)}}};
          if (withResidual) inputs["r"] = {outDims, randomVector(static_cast<size_t>(outDims.volume()), 156)};
          auto configFor = [&](trt::Backend backend) { return sixteenBitConfig(backend, type); };
          const auto expected = run(*build(net, configFor(trt::Backend::kCPU).get()).engine, inputs)["y"];
          std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
          std::unique_ptr<trt::IHostMemory> mem(builder->buildSerializedNetwork(net, *configFor(trt::Backend::kCUDA)));
          ASSERT_TRUE(mem);
          auto contents = trt::readPlan(static_cast<const uint8_t*>(mem->data()), mem->size());
          ASSERT_EQ(contents->tactics.size(), 1u);
          const trt::ILayer* layer = contents->network->getLayer(contents->tactics[0].layer);
          ASSERT_EQ(layer->getType(), trt::LayerType::kCONVOLUTION);
          EXPECT_EQ(layer->getNbInputs(), withResidual ? 2 : 1) << "the residual was not fused";
          EXPECT_EQ(static_cast<const trt::IConvolutionLayer*>(layer)->getFusedActivation(), static_cast<int32_t>(act));
          // FP16's central tolerance; BF16's central one (8e-2) would let SiLU pass for hard-swish over most of the
          // range: the fused epilogue rounds once, the CPU reference rounds the inputs and the sum before the
          // activation, a few BF16 steps (2^-8 each) apart.
          const float tolerance = type == trt::DataType::kBF16 ? 3e-2f : static_cast<float>(toleranceFor(type).rtol);
          // Inputs of other values, run first on each forced engine: its output memory then holds their results,
          // so a kernel that wrote nothing (or skipped a partial tile) leaves values that differ from `expected`.
          auto decoys = inputs;
          for (auto& input : decoys) {
            for (float& v : input.second.second) v = -2.f * v + 1.f;
          }
          std::unique_ptr<trt::IRuntime> rt(trt::createInferRuntime(trt::defaultLogger()));
          std::unique_ptr<trt::ICudaEngine> chosen(rt->deserializeCudaEngine(mem->data(), mem->size()));
          expectNear(run(*chosen, inputs)["y"], expected, tolerance);
          const std::vector<int64_t> built = contents->tactics[0].choice;
          for (int64_t config : {0, 1, 2}) {
            SCOPED_TRACE("CUTLASS configuration " + std::to_string(config));
            contents->tactics[0].choice = {built[1] == 3 ? 0 : built[0], 0, 100 + config};
            const auto plan = trt::writePlan(*contents);
            std::unique_ptr<trt::ICudaEngine> forced(rt->deserializeCudaEngine(plan.data(), plan.size()));
            ASSERT_TRUE(forced);
            // The inspector names the forced tactic.
            EXPECT_NE(forced->describeLayersJson().find("CUTLASS sm90"), std::string::npos)
                << forced->describeLayersJson();
            const int64_t runsBefore = trt::cuda::gemmBiasActivationRuns();
            run(*forced, decoys);
            expectNear(run(*forced, inputs)["y"], expected, tolerance);
            // Again: the CUTLASS product initialized for these addresses runs as it was kept.
            expectNear(run(*forced, inputs)["y"], expected, tolerance);
            if (cutlassRuns) {
              EXPECT_GT(trt::cuda::gemmBiasActivationRuns(), runsBefore) << "the CUTLASS kernel did not run";
            }
          }
          contents->tactics[0].choice = built;
        }
}

// A channels-last 16-bit convolution the own kernels take (convolution_depthwise.h,
// convolution_grouped.h), with a residual input and/or an activation fused after it.
struct OwnKernelCase {
  int64_t k, stride, channels;
  bool residual;
  int32_t activation;      // -1: none
  int64_t side = 11;       // input height and width
  int64_t groupWidth = 1;  // input (and output) channels a group: 1 depthwise
  float clipHigh = 6.f;    // a clip's upper bound (its lower one 0: ReLU6)
  int64_t dilation = 1;    // 2: the depthwise pixel-a-thread kernel (the row kernel takes dilation 1)
};

// The case's network: x [3, side, side, channels] (channels last) -> convolution (+ x) (-> activation) -> y; `w` and
// `b` hold its weights (kept alive by the caller).
trt::Dims ownKernelNetwork(trt::INetworkDefinition& net, const OwnKernelCase& k, std::vector<float>& w,
                           std::vector<float>& b) {
  const int64_t c = k.channels, side = k.side, filter = k.groupWidth * k.k * k.k;
  w = randomVector(c * filter, 160);
  b = randomVector(c, 161);
  const trt::Dims dims{3, side, side, c};
  auto* x = net.addInput("x", trt::DataType::kFLOAT, dims);
  auto* conv =
      net.addConvolutionNd(*x, static_cast<int32_t>(c), {k.k, k.k}, {trt::DataType::kFLOAT, w.data(), c * filter},
                           {trt::DataType::kFLOAT, b.data(), c});
  conv->setNbGroups(static_cast<int32_t>(c / k.groupWidth));
  conv->setStrideNd({k.stride, k.stride});
  conv->setPaddingNd({k.k / 2 * k.dilation, k.k / 2 * k.dilation});
  conv->setDilationNd({k.dilation, k.dilation});
  conv->setChannelsLast(true);
  trt::ITensor* y = conv->getOutput(0);
  if (k.residual) y = net.addElementWise(*y, *x, trt::ElementWiseOperation::kSUM)->getOutput(0);
  if (k.activation >= 0) {
    auto* activation = net.addActivation(*y, static_cast<trt::ActivationType>(k.activation));
    activation->setBeta(k.clipHigh);  // read by a clip only
    y = activation->getOutput(0);
  }
  y->setName("y");
  net.markOutput(*y);
  return dims;
}

// Forced through the plan's tactic record onto each of `paths` (2 the own kernel, 1 cuDNN, 3 a cuDNN graph plan),
// the convolution matches the CPU in FP16 and BF16; the own kernel in each of its `ownVariants` (the depthwise
// kernel's row shapes).
void expectOwnKernelMatchesTheCpuAndCudnn(const OwnKernelCase& k, std::vector<int64_t> paths = {2, 1},
                                          int64_t ownVariants = 1) {
  for (bool bf16 : {false, true}) {
    const int64_t c = k.channels, side = k.side;
    std::vector<float> w, b;
    trt::INetworkDefinition net;
    const trt::Dims dims = ownKernelNetwork(net, k, w, b);
    const auto xv = randomVector(static_cast<size_t>(dims.volume()), 162);
    std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
    auto configFor = [&](trt::Backend backend) {
      std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
      config->setBackend(backend);
      config->setFlag(bf16 ? trt::BuilderFlag::kBF16 : trt::BuilderFlag::kFP16);
      return config;
    };
    const auto expected = run(*build(net, configFor(trt::Backend::kCPU).get()).engine, {{"x", {dims, xv}}})["y"];
    std::unique_ptr<trt::IHostMemory> mem(builder->buildSerializedNetwork(net, *configFor(trt::Backend::kCUDA)));
    ASSERT_TRUE(mem);
    auto contents = trt::readPlan(static_cast<const uint8_t*>(mem->data()), mem->size());
    ASSERT_EQ(contents->tactics.size(), 1u);
    ASSERT_GE(contents->tactics[0].choice.size(), 2u);  // {algorithm or graph plan, path[, runtime fusion]}
    std::vector<std::pair<int64_t, int64_t>> runs;      // {path, variant}
    for (int64_t path : paths)
      for (int64_t variant = 0; variant < (path == 2 ? ownVariants : 1); ++variant) runs.push_back({path, variant});
    for (const auto& [path, variant] : runs) {
      SCOPED_TRACE(std::string(path == 2   ? "own kernel variant " + std::to_string(variant)
                               : path == 3 ? "cuDNN graph"
                                           : "cuDNN") +
                   " k" + std::to_string(k.k) + " s" + std::to_string(k.stride) + " C=" + std::to_string(c) +
                   " group width " + std::to_string(k.groupWidth) + " side " + std::to_string(side) +
                   (k.residual ? " +residual" : "") + " activation " + std::to_string(k.activation) +
                   (bf16 ? " bf16" : " fp16"));
      const auto tolerance = toleranceFor(bf16 ? trt::DataType::kBF16 : trt::DataType::kHALF);
      const int64_t graphRunsBefore = trt::cuda::convgraph::runs();
      const int64_t variantRunsBefore = trt::cuda::depthwiseNhwcVariantRuns(static_cast<int>(variant));
      expectNear(runWithConvolutionPath(*contents, path, dims, xv, variant), expected,
                 static_cast<float>(tolerance.rtol));
      // A forced depthwise variant ran itself, not cuDNN's fallback (every case here but the dilated one takes the
      // row kernel, and all are square with one stride: the tile variants too).
      if (path == 2 && k.groupWidth == 1 && k.dilation == 1) {
        EXPECT_GT(trt::cuda::depthwiseNhwcVariantRuns(static_cast<int>(variant)), variantRunsBefore);
      }
      // With runtime-compiled engines allowed a dense convolution has a fused graph plan (an H200 offered no
      // precompiled one for these); grouped ones may fall back either way.
      if (path == 3 && trt::cuda::convgraph::available() && k.groupWidth == c &&
          trt::cuda::convgraph::runtimeFusion()) {
        EXPECT_GT(trt::cuda::convgraph::runs(), graphRunsBefore) << "the graph plan did not run (it fell back)";
      }
    }
  }
}

TEST(CudaTactics, TheOwnDepthwiseKernelMatchesTheCpuAndCudnn) {
  // A channels-last depthwise convolution (16-bit, a multiple of 8 channels) has a third tactic, the
  // project's kernel with bias, residual and activation inside: 3x3 at stride 1 and 2, 5x5 with
  // padding 2 (MobileNetV3's), 7x7 (fewer channel lanes a block, for shared memory), with a fused
  // GELU, SiLU or hard-swish and/or a residual input; 16 and 24 channels (one block across the
  // channels), 264 (three blocks of 11 lanes), and larger planes. Stride 1 or 2 with a 3, 5 or 7 wide filter runs
  // the row kernel (each of its shapes: channels by pixels a thread), the others the pixel-a-thread kernel.
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  using A = trt::ActivationType;
  const OwnKernelCase cases[] = {{3, 1, 16, false, static_cast<int32_t>(A::kGELU_ERF)},
                                 {3, 2, 24, false, static_cast<int32_t>(A::kSILU)},
                                 {5, 2, 16, false, static_cast<int32_t>(A::kHARD_SWISH)},
                                 {5, 1, 24, true, -1},
                                 {3, 1, 16, true, static_cast<int32_t>(A::kSILU)},
                                 {3, 1, 264, false, static_cast<int32_t>(A::kSILU)},
                                 {7, 1, 264, true, static_cast<int32_t>(A::kHARD_SWISH), 9},
                                 // Enough pixels that each block of the grid loops over several rows of them.
                                 {3, 1, 264, true, static_cast<int32_t>(A::kSILU), 96},
                                 // ConvNeXt's 7x7: 96 and 384 channels (shared memory limits the lanes).
                                 {7, 1, 96, false, static_cast<int32_t>(A::kGELU_ERF), 14},
                                 {7, 1, 384, true, -1, 7},
                                 // 768 channels (lanes that divide their 96 vectors), 40 (5 lanes); the
                                 // row kernel's last segment of a row partial (sides 10 and 13).
                                 {7, 1, 768, true, static_cast<int32_t>(A::kGELU_ERF), 10},
                                 {5, 1, 40, false, static_cast<int32_t>(A::kSILU), 13},
                                 // Larger planes (odd and even sides, stride 2): blocks loop over many pixels.
                                 {3, 1, 16, true, static_cast<int32_t>(A::kSILU), 111},
                                 {3, 1, 16, false, static_cast<int32_t>(A::kHARD_SWISH), 150},
                                 {5, 2, 16, false, static_cast<int32_t>(A::kSILU), 300},
                                 // Dilation 2 (DeepLab's atrous depthwise layers): the pixel-a-thread kernel.
                                 {3, 1, 32, true, static_cast<int32_t>(A::kRELU), 23, 1, 6.f, 2}};
  // Every variant of the row kernel (depthwiseNhwcVariants), the tile variants (several output rows a thread, which
  // the builder does not time until this test has passed on a GPU: kDepthwiseTimedVariants) included; where the
  // pixel-a-thread kernel runs (one variant) the others fall back to cuDNN.
  for (const OwnKernelCase& k : cases)
    expectOwnKernelMatchesTheCpuAndCudnn(k, {2, 1}, trt::cuda::kDepthwiseRowVariants);
}

TEST(CudaTactics, TheCudnnGraphPlanMatchesTheCpu) {
  // A channels-last 16-bit convolution whose activation cuDNN's pointwise epilogue computes (none, ReLU, ReLU6) has
  // cuDNN graph-API plans as tactics (bias, residual and activation fused): dense 3x3 at stride 1 and 2, 1x1, grouped
  // and depthwise, forced onto its first plan and onto the legacy call.
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  using A = trt::ActivationType;
  const OwnKernelCase cases[] = {{3, 1, 64, true, static_cast<int32_t>(A::kRELU), 14, 64},
                                 {3, 2, 64, false, static_cast<int32_t>(A::kRELU), 15, 64},
                                 {1, 1, 64, true, -1, 14, 64},
                                 {3, 1, 64, true, static_cast<int32_t>(A::kCLIP), 9, 64, 0.75f},  // ReLU6-like
                                 {3, 1, 64, true, static_cast<int32_t>(A::kRELU), 9, 16},         // groups of 16
                                 {3, 1, 64, false, static_cast<int32_t>(A::kRELU), 9, 1}};        // depthwise
  for (const OwnKernelCase& k : cases) expectOwnKernelMatchesTheCpuAndCudnn(k, {3, 1});
}

TEST(CudaTactics, AGraphPlanTravelsInThePlanFileAndIsNotBuiltAgain) {
  // The builder keeps a chosen cuDNN graph plan serialized beside its tactic (format 18): a process that loads the
  // plan adopts it instead of building (for a runtime-fusion engine, compiling) it again, and computes the same
  // result; a damaged one is refused by cuDNN and the plan is built as without it.
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  if (!trt::cuda::convgraph::available()) GTEST_SKIP() << "this build has no cuDNN frontend";
  // Runtime-compiled plans (the ones worth carrying; an H200's cuDNN offers no precompiled one here), for this
  // test's process (ctest runs each test in its own).
  setenv("TORCHTRT_CUDNN_RUNTIME_FUSION", "1", 1);
  if (!trt::cuda::convgraph::adoptsSerializedPlans())
    GTEST_SKIP() << "the setting was read before this test (without adopting serialized plans)";
  const OwnKernelCase k{3, 1, 64, true, static_cast<int32_t>(trt::ActivationType::kRELU), 14, 64};
  std::vector<float> w, b;
  trt::INetworkDefinition net;
  const trt::Dims dims = ownKernelNetwork(net, k, w, b);
  const auto xv = randomVector(static_cast<size_t>(dims.volume()), 162);
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  auto configFor = [&](trt::Backend backend) { return fp16Config(*builder, backend); };
  const auto expected = run(*build(net, configFor(trt::Backend::kCPU).get()).engine, {{"x", {dims, xv}}})["y"];
  std::unique_ptr<trt::IHostMemory> mem(builder->buildSerializedNetwork(net, *configFor(trt::Backend::kCUDA)));
  ASSERT_TRUE(mem);
  auto contents = trt::readPlan(static_cast<const uint8_t*>(mem->data()), mem->size());
  ASSERT_EQ(contents->tactics.size(), 1u);
  // The layer's graph configuration, as the convolution gives it, and its first plan serialized.
  trt::cuda::convgraph::Config config;
  config.n = 3, config.c = 64, config.h = 14, config.w = 14, config.k = 64, config.r = 3, config.s = 3;
  config.outH = 14, config.outW = 14, config.padH = 1, config.padW = 1;
  config.bias = true, config.residual = true, config.activation = k.activation, config.beta = k.clipHigh;
  config.runtimeCompiled = true;  // as the builder's candidates with the setting above
  std::vector<uint8_t> serialized;
  {
    auto cache = trt::cuda::convgraph::makeGraphCache();
    if (trt::cuda::convgraph::planCount(*cache, nullptr, config, 1) < 1) GTEST_SKIP() << "cuDNN has no graph plan";
    serialized = trt::cuda::convgraph::serialize(*cache, nullptr, config, 0);
  }
  ASSERT_FALSE(serialized.empty()) << "cuDNN did not serialize the plan";
  contents->tactics[0].choice = {0, 3, 1};
  // Without the artifact the loaded engine builds the plan; with it, it builds nothing, and both give one result.
  const int64_t builtBefore = trt::cuda::convgraph::plansBuilt();
  const auto built = runWithConvolutionPath(*contents, 3, dims, xv);
  EXPECT_GT(trt::cuda::convgraph::plansBuilt(), builtBefore);
  contents->tactics[0].artifact = serialized;
  const int64_t builtBeforeAdopting = trt::cuda::convgraph::plansBuilt(), runsBefore = trt::cuda::convgraph::runs();
  const auto adopted = runWithConvolutionPath(*contents, 3, dims, xv);
  EXPECT_EQ(trt::cuda::convgraph::plansBuilt(), builtBeforeAdopting) << "the serialized plan was built again";
  EXPECT_GT(trt::cuda::convgraph::runs(), runsBefore) << "the adopted plan did not run";
  EXPECT_EQ(adopted, built);
  expectNear(adopted, expected, static_cast<float>(toleranceFor(trt::DataType::kHALF).rtol));
  // The plan file carries the artifact: written, read back, the same bytes.
  const auto plan = trt::writePlan(*contents);
  EXPECT_EQ(trt::readPlan(plan.data(), plan.size())->tactics[0].artifact, serialized);
  // A damaged artifact (its middle zeroed) is cuDNN's to refuse; the plan is then built and runs right.
  std::fill(contents->tactics[0].artifact.begin() + static_cast<std::ptrdiff_t>(serialized.size() / 4),
            contents->tactics[0].artifact.end() - static_cast<std::ptrdiff_t>(serialized.size() / 4), uint8_t(0));
  expectNear(runWithConvolutionPath(*contents, 3, dims, xv), expected,
             static_cast<float>(toleranceFor(trt::DataType::kHALF).rtol));
}

TEST(CudaTactics, TheGraphPlansOfAllConvolutionsAreBuiltSideBySideBeforeTheRun) {
  // Runtime-fusion plans compile their kernels when built (~0.1 s each): the builder's tuning run builds every
  // channels-last convolution's candidates on several threads before the first layer runs, and a loaded engine
  // builds each chosen plan the same way where it does not adopt the plan file's serialized ones. Three
  // configurations (3x3 with ReLU, 1x1 with a residual, 3x3 at stride 2), checked against the CPU, and two contexts
  // of the loaded engine against each other, bit for bit.
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  if (!trt::cuda::convgraph::available()) GTEST_SKIP() << "this build has no cuDNN frontend";
  // Runtime-compiled plans for this test's process (ctest runs each test in its own).
  setenv("TORCHTRT_CUDNN_RUNTIME_FUSION", "1", 1);
  if (!trt::cuda::convgraph::runtimeFusion()) GTEST_SKIP() << "runtime fusion was read as off before this test";
  const int64_t c = 64;
  const trt::Dims dims{2, 12, 12, c};
  std::vector<std::vector<float>> weights, biases;
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", trt::DataType::kFLOAT, dims);
  auto addConv = [&](trt::ITensor& in, int64_t k, int64_t stride, uint32_t seed) {
    // Scaled by 1 / sqrt(fan-in), as trained layers are: activations stay near 1 through the chain, where FP16's
    // tolerance is meant (unscaled, the third layer's sums reach ~4 and its roundings compound past it).
    weights.push_back(randomVector(c * c * k * k, seed));
    for (float& v : weights.back()) v /= std::sqrt(static_cast<float>(c * k * k));
    biases.push_back(randomVector(c, seed + 1));
    auto* conv = net.addConvolutionNd(in, static_cast<int32_t>(c), {k, k},
                                      {trt::DataType::kFLOAT, weights.back().data(), c * c * k * k},
                                      {trt::DataType::kFLOAT, biases.back().data(), c});
    conv->setStrideNd({stride, stride});
    conv->setPaddingNd({k / 2, k / 2});
    conv->setChannelsLast(true);
    return conv->getOutput(0);
  };
  trt::ITensor* a = net.addActivation(*addConv(*x, 3, 1, 170), trt::ActivationType::kRELU)->getOutput(0);
  trt::ITensor* b = net.addElementWise(*addConv(*a, 1, 1, 172), *a, trt::ElementWiseOperation::kSUM)->getOutput(0);
  trt::ITensor* y = net.addActivation(*addConv(*b, 3, 2, 174), trt::ActivationType::kRELU)->getOutput(0);
  y->setName("y");
  net.markOutput(*y);
  const auto xv = randomVector(static_cast<size_t>(dims.volume()), 176);
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  auto configFor = [&](trt::Backend backend) { return fp16Config(*builder, backend); };
  const auto expected = run(*build(net, configFor(trt::Backend::kCPU).get()).engine, {{"x", {dims, xv}}})["y"];
  const int64_t builtBefore = trt::cuda::convgraph::plansBuilt(),
                prebuiltBefore = trt::cuda::convgraph::plansPrebuilt();
  const int64_t configurationsBefore = trt::cuda::convgraph::configurationsPrebuilt();
  std::unique_ptr<trt::IHostMemory> mem(builder->buildSerializedNetwork(net, *configFor(trt::Backend::kCUDA)));
  ASSERT_TRUE(mem);
  const int64_t prebuilt = trt::cuda::convgraph::plansPrebuilt() - prebuiltBefore;
  EXPECT_EQ(trt::cuda::convgraph::configurationsPrebuilt() - configurationsBefore, 3)
      << "cuDNN built no graph plan for some of the three configurations";
  EXPECT_EQ(trt::cuda::convgraph::plansBuilt() - builtBefore, prebuilt) << "a plan was built one by one in the run";
  std::unique_ptr<trt::IRuntime> rt(trt::createInferRuntime(trt::defaultLogger()));
  std::unique_ptr<trt::ICudaEngine> engine(rt->deserializeCudaEngine(mem->data(), mem->size()));
  ASSERT_TRUE(engine);
  const auto plan = trt::readPlan(static_cast<const uint8_t*>(mem->data()), mem->size());
  int64_t graphChoices = 0;
  for (const trt::TacticRecord& t : plan->tactics) graphChoices += t.choice.size() == 3 && t.choice[1] == 3;
  const int64_t loadedBuiltBefore = trt::cuda::convgraph::plansBuilt();
  const int64_t loadedPrebuiltBefore = trt::cuda::convgraph::plansPrebuilt();
  const auto loaded = runOnDevice(*engine, dims, xv);
  expectNear(loaded, expected, static_cast<float>(toleranceFor(trt::DataType::kHALF).rtol));
  EXPECT_EQ(trt::cuda::convgraph::plansBuilt() - loadedBuiltBefore,
            trt::cuda::convgraph::plansPrebuilt() - loadedPrebuiltBefore);
  // (Where the builder chose no graph plan nothing is built here; a process adopting the plan file's serialized
  // plans builds none either.)
  if (graphChoices > 0 && !trt::cuda::convgraph::adoptsSerializedPlans()) {
    EXPECT_GT(trt::cuda::convgraph::plansPrebuilt(), loadedPrebuiltBefore);
  }
  // A second context (a graph cache of its own: the chosen plans built again) computes the same bits.
  const auto again = runOnDevice(*engine, dims, xv);
  EXPECT_EQ(again, loaded);
}

TEST(CudaTactics, TheOwnGroupedKernelMatchesTheCpuAndCudnn) {
  // Narrow groups whose width is not a power of two (RegNet's 24 channels a group; 40, 48 and 56, up to
  // 64 x 9 filter elements) have the own grouped kernel as their third tactic: 3x3 at stride 1 and 2, a
  // 1x1, a residual and activations, one block across the channels or several (the last partial), and
  // runs of several pixels a thread.
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  using A = trt::ActivationType;
  const OwnKernelCase cases[] = {{3, 1, 48, false, static_cast<int32_t>(A::kRELU), 11, 24},
                                 {3, 2, 48, false, -1, 11, 24},
                                 {3, 1, 120, true, static_cast<int32_t>(A::kRELU), 14, 24},
                                 {3, 1, 96, false, static_cast<int32_t>(A::kSILU), 9, 48},
                                 {3, 2, 240, false, -1, 13, 40},
                                 {3, 1, 888, true, static_cast<int32_t>(A::kRELU), 7, 24},
                                 {3, 1, 112, false, -1, 5, 56},
                                 {1, 1, 72, true, -1, 9, 24},
                                 {3, 1, 48, true, static_cast<int32_t>(A::kRELU), 150, 24}};
  for (const OwnKernelCase& k : cases) expectOwnKernelMatchesTheCpuAndCudnn(k);
}
TEST(CudaTactics, TheOwnFourChannelKernelMatchesTheCpuAndCudnn) {
  // A channels-last 16-bit convolution of a four-channel image (the stem the builder's few-channel padding makes)
  // has the own tensor-core kernel as its third tactic: ResNet's 7x7 stride-2 stem of 64 maps, MobileNetV3's 3x3
  // stride-2 stem of 16 with hard-swish, EfficientNet-B3's 40 maps with SiLU (a partial n8 tile block), ConvNeXt's
  // 4x4 stride-4 patchify of 96 (two channel blocks, the second partial), a 5x5 dilated one without bias; sides and
  // batches whose pixels leave the last 128-pixel tile partial. Each variant, forced through the plan, matches the CPU
  // in FP16 and BF16 and ran itself (not cuDNN's fallback), as does cuDNN's own path.
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  using A = trt::ActivationType;
  struct Case {
    int64_t k, stride, pad, dilation, maps, batch, side;
    int32_t activation;
    bool bias;
  };
  const Case cases[] = {{7, 2, 3, 1, 64, 2, 37, static_cast<int32_t>(A::kRELU), true},
                        {3, 2, 1, 1, 16, 3, 29, static_cast<int32_t>(A::kHARD_SWISH), true},
                        {3, 2, 1, 1, 40, 1, 33, static_cast<int32_t>(A::kSILU), true},
                        {4, 4, 0, 1, 96, 2, 28, -1, true},
                        {5, 1, 4, 2, 24, 1, 19, static_cast<int32_t>(A::kRELU), false}};
  for (const Case& k : cases)
    for (const trt::DataType type : {trt::DataType::kHALF, trt::DataType::kBF16}) {
      const int64_t filter = 4 * k.k * k.k;
      const auto w = randomVector(static_cast<size_t>(k.maps * filter), 170);
      const auto b = randomVector(static_cast<size_t>(k.maps), 171);
      trt::INetworkDefinition net;
      const trt::Dims dims{k.batch, k.side, k.side, 4};
      auto* x = net.addInput("x", trt::DataType::kFLOAT, dims);
      auto* conv = net.addConvolutionNd(*x, static_cast<int32_t>(k.maps), {k.k, k.k},
                                        {trt::DataType::kFLOAT, w.data(), k.maps * filter},
                                        k.bias ? trt::Weights{trt::DataType::kFLOAT, b.data(), k.maps}
                                               : trt::Weights{trt::DataType::kFLOAT, nullptr, 0});
      conv->setStrideNd({k.stride, k.stride});
      conv->setPaddingNd({k.pad, k.pad});
      conv->setDilationNd({k.dilation, k.dilation});
      conv->setChannelsLast(true);
      trt::ITensor* y = conv->getOutput(0);
      if (k.activation >= 0) y = net.addActivation(*y, static_cast<trt::ActivationType>(k.activation))->getOutput(0);
      y->setName("y");
      net.markOutput(*y);
      const auto xv = randomVector(static_cast<size_t>(dims.volume()), 172);
      const auto expected =
          run(*build(net, sixteenBitConfig(trt::Backend::kCPU, type).get()).engine, {{"x", {dims, xv}}})["y"];
      std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
      std::unique_ptr<trt::IHostMemory> mem(
          builder->buildSerializedNetwork(net, *sixteenBitConfig(trt::Backend::kCUDA, type)));
      ASSERT_TRUE(mem);
      auto contents = trt::readPlan(static_cast<const uint8_t*>(mem->data()), mem->size());
      ASSERT_EQ(contents->tactics.size(), 1u);
      const auto tolerance = toleranceFor(type);
      for (int64_t variant = 0; variant < trt::cuda::kFewChannelVariants; ++variant) {
        SCOPED_TRACE("own kernel variant " + std::to_string(variant) + " k" + std::to_string(k.k) + " s" +
                     std::to_string(k.stride) + " maps " + std::to_string(k.maps) + " " + trt::dataTypeName(type));
        const int64_t runsBefore = trt::cuda::fewChannelNhwcRuns();
        expectNear(runWithConvolutionPath(*contents, 2, dims, xv, variant), expected,
                   static_cast<float>(tolerance.rtol));
        EXPECT_GT(trt::cuda::fewChannelNhwcRuns(), runsBefore) << "the own kernel did not run (cuDNN's fallback did)";
      }
      SCOPED_TRACE("cuDNN k" + std::to_string(k.k) + " " + trt::dataTypeName(type));
      expectNear(runWithConvolutionPath(*contents, 1, dims, xv), expected, static_cast<float>(tolerance.rtol));
    }
}
TEST(CudaTactics, TheBuilderChoosesEachProductsCublasLtAlgorithm) {
  // A product with a bias (one cuBLASLt call with its epilogue), alone in its network: the builder times cuBLASLt's
  // own pick and its ranked algorithms (those for its workspace, then those needing none) and the plan keeps the
  // fastest with the alignments it was ranked for; a loaded engine runs it without timing; every ranked algorithm,
  // forced through the plan, a choice outside the ranking (another GPU's plan) and one ranked for other alignments
  // compute the same.
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  const int64_t M = 96, K = 64, N = 80;
  const auto w = randomVector(N * K, 180), b = randomVector(N, 181), xv = randomVector(M * K, 182);
  trt::INetworkDefinition net;
  trt::ITensor* y = addBiasedProduct(net, *net.addInput("x", trt::DataType::kFLOAT, {M, K}), w, b, N, K);
  y->setName("y");
  net.markOutput(*y);
  auto configFor = [&](trt::Backend backend) {
    std::unique_ptr<trt::IBuilderConfig> config(new trt::IBuilderConfig());
    config->setBackend(backend);
    config->clearFlag(trt::BuilderFlag::kTF32);
    return config;
  };
  const auto expected = run(*build(net, configFor(trt::Backend::kCPU).get()).engine, {{"x", {{M, K}, xv}}})["y"];
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  std::unique_ptr<trt::IHostMemory> mem(builder->buildSerializedNetwork(net, *configFor(trt::Backend::kCUDA)));
  ASSERT_TRUE(mem);
  EXPECT_GT(builder->lastReport().tacticTimingRuns, 0);
  auto contents = trt::readPlan(static_cast<const uint8_t*>(mem->data()), mem->size());
  ASSERT_EQ(contents->tactics.size(), 1u) << "one product, one shape: one tactic";
  ASSERT_EQ(contents->tactics[0].choice.size(), 6u) << "the algorithm and the five alignments it was ranked for";
  const int64_t chosen = contents->tactics[0].choice[0];
  EXPECT_GE(chosen, -1);
  EXPECT_LT(chosen, 16) << "cuBLASLt's 8 best with a workspace, then its 8 best without";
  std::unique_ptr<trt::IRuntime> rt(trt::createInferRuntime(trt::defaultLogger()));
  std::unique_ptr<trt::ICudaEngine> engine(rt->deserializeCudaEngine(mem->data(), mem->size()));
  int64_t timed = -1;
  expectNear(runOnDevice(*engine, {M, K}, xv, &timed), expected, 1e-4f);
  EXPECT_EQ(timed, 0) << "a loaded engine timed its product";
  for (int64_t algorithm : {-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 99, 1000}) {
    contents->tactics[0].choice[0] = algorithm == 1000 ? 0 : algorithm;
    if (algorithm == 1000) contents->tactics[0].choice[1] = 16;  // ranked for a 16-byte aligned weight
    const auto plan = trt::writePlan(*contents);
    std::unique_ptr<trt::ICudaEngine> forced(rt->deserializeCudaEngine(plan.data(), plan.size()));
    ASSERT_TRUE(forced) << "algorithm " << algorithm;
    expectNear(runOnDevice(*forced, {M, K}, xv), expected, 1e-4f);
  }
}

TEST(CudaTactics, AGraphTimedTacticFallsBackToTheStreamWhereItCannotBeCaptured) {
  // Products are timed as the engine's captured graph runs them (timeAsGraph). A tactic whose call cannot be captured
  // (here: it synchronizes its stream) is timed on the stream instead, and the streams are left usable, the capture
  // stream not capturing; a tactic that cannot run is reported so, not timed.
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  cudaStream_t stream = nullptr;
  ASSERT_EQ(cudaStreamCreate(&stream), cudaSuccess);
  void* buffer = nullptr;
  ASSERT_EQ(cudaMalloc(&buffer, 1 << 20), cudaSuccess);
  trt::cuda::LaunchContext ctx;
  ctx.stream = stream;
  int calls = 0;
  auto clear = [&]() {  // on the context's stream, as a launcher's work
    ++calls;
    return cudaMemsetAsync(buffer, calls & 0xff, 1 << 20, ctx.stream) == cudaSuccess;
  };
  bool ran = false, asGraph = false;
  const float captured = trt::cuda::timeAsGraph(ctx, clear, ran, asGraph);
  EXPECT_TRUE(ran);
  EXPECT_TRUE(asGraph);
  EXPECT_GT(captured, 0.f);
  EXPECT_EQ(calls, 2) << "one warm-up call and one captured call; the timed runs replay the graph";
  calls = 0;
  auto synchronizing = [&]() { return clear() && cudaStreamSynchronize(ctx.stream) == cudaSuccess; };
  ran = false;
  const float onStream = trt::cuda::timeAsGraph(ctx, synchronizing, ran, asGraph);
  EXPECT_TRUE(ran) << "the stream's timing of a tactic that cannot be captured";
  EXPECT_FALSE(asGraph);
  EXPECT_GT(onStream, 0.f);
  EXPECT_GT(calls, 3) << "the warm-up, the refused capture, then timeOnStream's calls";
  cudaStreamCaptureStatus status = cudaStreamCaptureStatusActive;
  EXPECT_EQ(ctx.stream, stream) << "the caller's stream bound again";
  ASSERT_NE(ctx.captureStream, nullptr);
  EXPECT_EQ(cudaStreamIsCapturing(ctx.captureStream, &status), cudaSuccess);
  EXPECT_EQ(status, cudaStreamCaptureStatusNone);
  EXPECT_EQ(cudaStreamSynchronize(stream), cudaSuccess);
  EXPECT_EQ(cudaGetLastError(), cudaSuccess);
  ran = true;
  EXPECT_EQ(trt::cuda::timeAsGraph(
                ctx, [] { return false; }, ran, asGraph),
            0.f);
  EXPECT_FALSE(ran);
  // The builder's tuning run binds the legacy default stream, which cannot be captured: the capture stream takes the
  // capture, the legacy stream the timed launches.
  ctx.bindStream(nullptr);
  calls = 0;
  EXPECT_GT(trt::cuda::timeAsGraph(ctx, clear, ran, asGraph), 0.f);
  EXPECT_TRUE(ran);
  EXPECT_TRUE(asGraph);
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(ctx.stream, nullptr);
  EXPECT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  cudaFree(buffer);
  cudaStreamDestroy(stream);
}

TEST(CudaTactics, AProductWithTheExactGeluMatchesTheCpuOnEveryTactic) {
  // x [M, K] times constant weights [N, K] transposed, + bias (+ a residual input r [M, N]), then the exact (erf)
  // GELU: the builder folds the residual and the GELU into the product (one layer, one tactic). cuBLASLt's
  // epilogue has only GELU's tanh form, so its algorithms run the product with its bias (and the residual as C)
  // and then a GELU pass; on sm_90 the CUTLASS kernels (tactics 100 to 106: the GELU in their epilogue, the
  // residual their C) are candidates too. Each, forced through the plan, matches the CPU in FP16
  // and BF16, at a size that leaves partial tiles (200 x 136, K 72) and at BERT's FFN width (256 x 3072, K 768).
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  struct Size {
    int64_t M, K, N;
  };
  int major = 0, minor = 0;
  cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, 0);
  cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, 0);
  const bool cutlassRuns = trt::cuda::gemmBiasGeluConfigs() > 0 && major == 9 && minor == 0;
  for (const Size size : {Size{200, 72, 136}, Size{256, 768, 3072}}) {
    for (const bool withResidual : {false, true}) {
      for (const trt::DataType type : {trt::DataType::kHALF, trt::DataType::kBF16}) {
        const int64_t M = size.M, K = size.K, N = size.N;
        SCOPED_TRACE(std::to_string(M) + "x" + std::to_string(N) + "x" + std::to_string(K) + " " +
                     trt::dataTypeName(type) + (withResidual ? " +residual" : ""));
        const auto w = randomVector(N * K, 190), b = randomVector(N, 191), xv = randomVector(M * K, 192),
                   rv = randomVector(M * N, 193);
        trt::INetworkDefinition net;
        trt::ITensor* sum = addBiasedProduct(net, *net.addInput("x", trt::DataType::kFLOAT, {M, K}), w, b, N, K);
        if (withResidual) {
          auto* r = net.addInput("r", trt::DataType::kFLOAT, {M, N});
          sum = net.addElementWise(*sum, *r, trt::ElementWiseOperation::kSUM)->getOutput(0);
        }
        auto* gelu = net.addActivation(*sum, trt::ActivationType::kGELU_ERF);
        gelu->getOutput(0)->setName("y");
        net.markOutput(*gelu->getOutput(0));
        std::map<std::string, std::pair<trt::Dims, std::vector<float>>> inputs = {{"x", {{M, K}, xv}}};
        if (withResidual) inputs["r"] = {{M, N}, rv};
        auto configFor = [&](trt::Backend backend) { return sixteenBitConfig(backend, type); };
        const auto expected = run(*build(net, configFor(trt::Backend::kCPU).get()).engine, inputs)["y"];
        std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
        std::unique_ptr<trt::IHostMemory> mem(builder->buildSerializedNetwork(net, *configFor(trt::Backend::kCUDA)));
        ASSERT_TRUE(mem);
        auto contents = trt::readPlan(static_cast<const uint8_t*>(mem->data()), mem->size());
        ASSERT_EQ(contents->tactics.size(), 1u) << "the GELU was not folded into the product";
        ASSERT_EQ(contents->tactics[0].choice.size(), 6u);
        const trt::ILayer* product = contents->network->getLayer(contents->tactics[0].layer);
        ASSERT_EQ(product->getType(), trt::LayerType::kMATRIX_MULTIPLY);
        EXPECT_EQ(static_cast<const trt::IMatrixMultiplyLayer*>(product)->getFusedActivation(),
                  static_cast<int32_t>(trt::ActivationType::kGELU_ERF));
        if (withResidual) {
          EXPECT_EQ(product->getNbInputs(), 4) << "the residual was not folded into the product";
        }
        const float tolerance = static_cast<float>(toleranceFor(type).rtol);
        std::unique_ptr<trt::IRuntime> rt(trt::createInferRuntime(trt::defaultLogger()));
        std::unique_ptr<trt::ICudaEngine> built(rt->deserializeCudaEngine(mem->data(), mem->size()));
        expectNear(run(*built, inputs)["y"], expected, tolerance);
        for (int64_t tactic : {-1, 0, 100, 101, 102, 103, 104, 105, 106}) {
          SCOPED_TRACE("tactic " + std::to_string(tactic));
          contents->tactics[0].choice[0] = tactic;
          const auto plan = trt::writePlan(*contents);
          std::unique_ptr<trt::ICudaEngine> forced(rt->deserializeCudaEngine(plan.data(), plan.size()));
          ASSERT_TRUE(forced);
          const int64_t cutlassRunsBefore = trt::cuda::gemmBiasGeluRuns();
          expectNear(run(*forced, inputs)["y"], expected, tolerance);
          // Again: a CUTLASS product initialized for these addresses runs as it was kept.
          expectNear(run(*forced, inputs)["y"], expected, tolerance);
          if (tactic >= 100 && cutlassRuns) {
            EXPECT_GT(trt::cuda::gemmBiasGeluRuns(), cutlassRunsBefore) << "the CUTLASS kernel did not run";
          }
        }
      }
    }
  }
}

TEST(CudaTactics, AnExactGeluProductKeepsATimingCacheEntryOfItsOwn) {
  // cuBLASLt's key for a product with the exact GELU fused is the plain product's (the GELU is a pass after it), but
  // its candidates (cuBLASLt + the pass, the CUTLASS kernels) and their times differ: a cache filled by the plain
  // product must not answer for the GELU one, which is timed and gets an entry of its own.
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  const int64_t M = 128, K = 64, N = 256;
  const auto w = randomVector(N * K, 195), b = randomVector(N, 196);
  auto network = [&](trt::INetworkDefinition& net, bool gelu) {
    trt::ITensor* y = addBiasedProduct(net, *net.addInput("x", trt::DataType::kFLOAT, {M, K}), w, b, N, K);
    if (gelu) y = net.addActivation(*y, trt::ActivationType::kGELU_ERF)->getOutput(0);
    y->setName("y");
    net.markOutput(*y);
  };
  trt::IBuilderConfig cacheMaker;
  std::unique_ptr<trt::ITimingCache> cache(cacheMaker.createTimingCache(nullptr, 0));
  auto buildWith = [&](bool gelu) {
    trt::INetworkDefinition net;
    network(net, gelu);
    std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
    std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
    config->setBackend(trt::Backend::kCUDA);
    config->setFlag(trt::BuilderFlag::kFP16);
    config->setTimingCache(*cache, false);
    std::unique_ptr<trt::IHostMemory> mem(builder->buildSerializedNetwork(net, *config));
    EXPECT_TRUE(mem);
    return builder->lastReport().tacticTimingRuns;
  };
  EXPECT_GT(buildWith(false), 0);
  EXPECT_EQ(cache->size(), 1);
  EXPECT_GT(buildWith(true), 0) << "the exact GELU's product reused the plain product's timing";
  EXPECT_EQ(cache->size(), 2);
  EXPECT_EQ(buildWith(true), 0) << "a rebuild timed what the cache holds";
}

TEST(CudaTactics, ANaNThroughAConvolutionsFusedReluStaysNaNOnEveryPath) {
  // PyTorch's relu keeps NaN (and the CPU reference does): every tactic of a channels-last 16-bit convolution with
  // its ReLU fused must too: cuDNN's fused call (legacy, path 1), its graph API's epilogue (path 3) and, for a 1x1,
  // the cuBLASLt product with its ReLU epilogue (path 0).
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  for (int64_t k : {3, 1}) {
    const int64_t c = 32, side = 6;
    const auto w = randomVector(c * c * k * k, 170), b = randomVector(c, 171);
    const trt::Dims dims{2, side, side, c};
    trt::INetworkDefinition net;
    auto* x = net.addInput("x", trt::DataType::kFLOAT, dims);
    auto* conv =
        net.addConvolutionNd(*x, static_cast<int32_t>(c), {k, k}, {trt::DataType::kFLOAT, w.data(), c * c * k * k},
                             {trt::DataType::kFLOAT, b.data(), c});
    conv->setPaddingNd({k / 2, k / 2});
    conv->setChannelsLast(true);
    auto* relu = net.addActivation(*conv->getOutput(0), trt::ActivationType::kRELU);
    relu->getOutput(0)->setName("y");
    net.markOutput(*relu->getOutput(0));
    auto xv = randomVector(static_cast<size_t>(dims.volume()), 172);
    xv[static_cast<size_t>((1 * side * side + 2 * side + 3) * c + 5)] = NAN;  // image 1, pixel (2, 3), channel 5
    std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
    auto configFor = [&](trt::Backend backend) {
      std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
      config->setBackend(backend);
      config->setFlag(trt::BuilderFlag::kFP16);
      return config;
    };
    const auto expected = run(*build(net, configFor(trt::Backend::kCPU).get()).engine, {{"x", {dims, xv}}})["y"];
    ASSERT_GT(std::count_if(expected.begin(), expected.end(), [](float v) { return std::isnan(v); }), 0);
    std::unique_ptr<trt::IHostMemory> mem(builder->buildSerializedNetwork(net, *configFor(trt::Backend::kCUDA)));
    ASSERT_TRUE(mem);
    auto contents = trt::readPlan(static_cast<const uint8_t*>(mem->data()), mem->size());
    ASSERT_EQ(contents->tactics.size(), 1u);
    std::vector<int64_t> paths = {1, 3};
    if (k == 1) paths.push_back(0);
    for (int64_t path : paths) {
      SCOPED_TRACE("k" + std::to_string(k) + " path " + std::to_string(path));
      const auto actual = runWithConvolutionPath(*contents, path, dims, xv);
      ASSERT_EQ(actual.size(), expected.size());
      for (size_t i = 0; i < actual.size(); ++i) {
        ASSERT_EQ(std::isnan(actual[i]), std::isnan(expected[i])) << "at " << i;
        if (!std::isnan(expected[i])) {
          ASSERT_NEAR(actual[i], expected[i], 2e-2f * (1.f + std::fabs(expected[i])));
        }
      }
    }
  }
}

TEST(CudaTactics, AnArtifactTheChecksRefuseNeverReachesCuDnn) {
  // The checks adopt() makes before cuDNN reads a plan file's artifact, without a GPU: deep nesting (the UBJSON
  // reader recurses once a level), a declared container size, too many values, the wrong header, missing fields.
  if (!trt::cuda::convgraph::available()) GTEST_SKIP() << "this build has no cuDNN frontend";
  trt::cuda::convgraph::Config config;
  config.n = 1, config.c = 8, config.h = 4, config.w = 4, config.k = 8, config.r = 3, config.s = 3;
  config.outH = 4, config.outW = 4, config.padH = 1, config.padW = 1;
  using trt::cuda::convgraph::readableArtifact;
  using trt::cuda::convgraph::wrapArtifact;
  const std::vector<uint8_t> deep(100000, '[');
  EXPECT_FALSE(readableArtifact(config, 0, wrapArtifact(config, 0, deep)));
  const std::vector<uint8_t> declared = {'[', '$', 'Z', '#', 'l', 0x7f, 0xff, 0xff, 0xff};
  EXPECT_FALSE(readableArtifact(config, 0, wrapArtifact(config, 0, declared)));
  std::vector<uint8_t> many(70000, 'Z');
  many.insert(many.begin(), '[');
  many.push_back(']');
  EXPECT_FALSE(readableArtifact(config, 0, wrapArtifact(config, 0, many)));
  const std::vector<uint8_t> empty = {'{', '}'};
  EXPECT_FALSE(readableArtifact(config, 0, wrapArtifact(config, 0, empty))) << "no plan fields";
  EXPECT_FALSE(readableArtifact(config, 0, wrapArtifact(config, 1, empty))) << "another plan index's header";
  EXPECT_FALSE(readableArtifact(config, 0, empty)) << "no header";
}

TEST(CudaTactics, TheBuilderChoosesAnAttentionsCudnnPlanAndEveryPlanMatchesTheCpu) {
  // FP16 attention over 128 tokens with a padding mask (BERT's): cuDNN's SDPA runs it. The builder builds cuDNN's
  // candidate plans, times each as the engine's captured graph runs it and the plan keeps the fastest (the inspector
  // names it); every plan, forced through the plan file, and an index cuDNN
  // has no plan for (another cuDNN's plan) compute what the CPU computes.
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  const trt::Dims qkv{2, 4, 128, 64}, maskDims{2, 1, 1, 128};
  const auto q = randomVector(2 * 4 * 128 * 64, 190), k = randomVector(2 * 4 * 128 * 64, 191),
             v = randomVector(2 * 4 * 128 * 64, 192);
  std::vector<float> mask(2 * 128, 0.f);
  for (int64_t key = 100; key < 128; ++key) mask[128 + key] = -10000.f;  // the second sequence's padding
  trt::INetworkDefinition net;
  auto* attention = net.addAttention(
      *net.addInput("q", trt::DataType::kFLOAT, qkv), *net.addInput("k", trt::DataType::kFLOAT, qkv),
      *net.addInput("v", trt::DataType::kFLOAT, qkv), net.addInput("m", trt::DataType::kFLOAT, maskDims));
  attention->setName("attention");
  attention->getOutput(0)->setName("y");
  net.markOutput(*attention->getOutput(0));
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  const std::map<std::string, std::pair<trt::Dims, std::vector<float>>> inputs = {
      {"q", {qkv, q}}, {"k", {qkv, k}}, {"v", {qkv, v}}, {"m", {maskDims, mask}}};
  const auto expected = run(*build(net, fp16Config(*builder, trt::Backend::kCPU).get()).engine, inputs)["y"];
  std::unique_ptr<trt::IHostMemory> mem(
      builder->buildSerializedNetwork(net, *fp16Config(*builder, trt::Backend::kCUDA)));
  ASSERT_TRUE(mem);
  auto contents = trt::readPlan(static_cast<const uint8_t*>(mem->data()), mem->size());
  std::unique_ptr<trt::IRuntime> rt(trt::createInferRuntime(trt::defaultLogger()));
  std::unique_ptr<trt::ICudaEngine> engine(rt->deserializeCudaEngine(mem->data(), mem->size()));
  ASSERT_TRUE(engine);
  const trt_test::Tolerance tol = trt_test::toleranceFor(trt::DataType::kHALF);
  expectNear(run(*engine, inputs)["y"], expected, static_cast<float>(tol.rtol));
  trt::TacticRecord* tactic = nullptr;
  for (trt::TacticRecord& t : contents->tactics)
    if (contents->network->getLayer(t.layer)->getType() == trt::LayerType::kATTENTION) tactic = &t;
  // The configuration cuDNN sees (a padding mask: one bias row per sequence, read with a zero stride).
  trt::cuda::sdpa::Config config;
  config.b = 2, config.h = 4, config.sq = 128, config.sk = 128, config.d = 64, config.dv = 64;
  config.biasBatch = 2, config.biasHeads = 1, config.biasRows = 1, config.scale = 0.125f;
  if (!trt::cuda::sdpa::available()) GTEST_SKIP() << "this build has no cuDNN frontend: attention is composed";
  auto cache = trt::cuda::sdpa::makeGraphCache();
  if (trt::cuda::sdpa::planCount(*cache, nullptr, config, trt::cuda::sdpa::kMostPlans) < 2)
    GTEST_SKIP() << "cuDNN builds one SDPA plan for this configuration here: nothing to choose";
  ASSERT_TRUE(tactic) << "the builder recorded no choice among cuDNN's plans";
  ASSERT_EQ(tactic->choice.size(), 1u);
  EXPECT_GE(tactic->choice[0], 0);
  EXPECT_LT(tactic->choice[0], 4) << "at most 4 plans are built";
  const std::string json = engine->describeLayersJson();
  EXPECT_NE(json.find("cuDNN SDPA plan " + std::to_string(tactic->choice[0])), std::string::npos) << json;
  for (int64_t plan : {0, 1, 2, 3, 99}) {
    tactic->choice[0] = plan;
    const auto bytes = trt::writePlan(*contents);
    std::unique_ptr<trt::ICudaEngine> forced(rt->deserializeCudaEngine(bytes.data(), bytes.size()));
    ASSERT_TRUE(forced) << "plan " << plan;
    expectNear(run(*forced, inputs)["y"], expected, static_cast<float>(tol.rtol));
  }
}

#endif
