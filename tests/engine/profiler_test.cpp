// The per-layer profiler (IExecutionContext::setProfiler) on the CPU backend: every layer that runs is
// reported once per run, by name, and the times add up to no more than the run's wall time.
#include <chrono>
#include <map>
#include <set>

#include "engine_test_util.h"

using namespace trt_test;

namespace {

struct Recorder : trt::IProfiler {
  std::vector<std::pair<std::string, float>> reports;
  void reportLayerTime(const char* layerName, float ms) noexcept override { reports.emplace_back(layerName, ms); }
};

// x [64, 128] @ w [128, 128] -> relu -> reshape [128, 64] (a view) -> sigmoid -> y.
struct Mlp {
  trt::INetworkDefinition net;
  std::vector<float> w = randomVector(128 * 128, 7);
  Mlp() {
    auto* x = net.addInput("x", trt::DataType::kFLOAT, {64, 128});
    auto* wc = net.addConstant({128, 128}, {trt::DataType::kFLOAT, w.data(), 128 * 128});
    wc->setName("weights");
    auto* mm = net.addMatrixMultiply(*x, trt::MatrixOperation::kNONE, *wc->getOutput(0), trt::MatrixOperation::kNONE);
    mm->setName("matmul");
    auto* relu = net.addActivation(*mm->getOutput(0), trt::ActivationType::kRELU);
    relu->setName("relu");
    auto* reshape = net.addShuffle(*relu->getOutput(0));
    reshape->setReshapeDimensions({128, 64});
    reshape->setName("reshape");
    auto* sig = net.addActivation(*reshape->getOutput(0), trt::ActivationType::kSIGMOID);
    sig->setName("sigmoid");
    sig->getOutput(0)->setName("y");
    net.markOutput(*sig->getOutput(0));
  }
};

// The layers of the built engine that launch work: not Constants (read in place) nor views.
std::set<std::string> runningLayers(const trt::ICudaEngine& engine) {
  std::set<std::string> names;
  for (int l = 0; l < engine.network().getNbLayers(); ++l) {
    const trt::ILayer* layer = engine.network().getLayer(l);
    if (layer->getType() == trt::LayerType::kCONSTANT || layer->getType() == trt::LayerType::kSHUFFLE) continue;
    names.insert(layer->getName());
  }
  return names;
}

}  // namespace

TEST(Profiler, ReportsEveryRunningLayerOnceWithinTheRunsWallTime) {
  Mlp mlp;
  auto built = build(mlp.net);
  std::unique_ptr<trt::IExecutionContext> ctx(built.engine->createExecutionContext());
  std::vector<float> x = randomVector(64 * 128, 8), y(64 * 128);
  ctx->setTensorAddress("x", x.data());
  ctx->setTensorAddress("y", y.data());
  Recorder recorder;
  ctx->setProfiler(&recorder);
  EXPECT_EQ(ctx->getProfiler(), &recorder);
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(ctx->enqueueV3(nullptr));
  const double wallMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();

  std::set<std::string> reported;
  double sum = 0;
  for (const auto& [name, ms] : recorder.reports) {
    EXPECT_TRUE(reported.insert(name).second) << name << " reported twice";
    EXPECT_GE(ms, 0.f) << name;
    sum += ms;
  }
  const std::set<std::string> expected = runningLayers(*built.engine);
  EXPECT_EQ(reported, expected) << built.engine->describeLayers();
  EXPECT_EQ(reported.count("reshape"), 0u) << "a view runs nothing and is not reported";
  EXPECT_EQ(reported.count("weights"), 0u) << "a constant is read in place and is not reported";
  EXPECT_GT(sum, 0.0);
  EXPECT_LE(sum, wallMs);

  // A second run reports each layer again; with the profiler removed, nothing is reported.
  ASSERT_TRUE(ctx->enqueueV3(nullptr));
  EXPECT_EQ(recorder.reports.size(), 2 * expected.size());
  ctx->setProfiler(nullptr);
  ASSERT_TRUE(ctx->enqueueV3(nullptr));
  EXPECT_EQ(recorder.reports.size(), 2 * expected.size());
}

TEST(Profiler, TheProfiledRunComputesTheSameOutput) {
  Mlp mlp;
  auto built = build(mlp.net);
  std::vector<float> x = randomVector(64 * 128, 9);
  const auto plain = run(*built.engine, {{"x", {{64, 128}, x}}})["y"];
  std::unique_ptr<trt::IExecutionContext> ctx(built.engine->createExecutionContext());
  std::vector<float> y(64 * 128);
  ctx->setTensorAddress("x", x.data());
  ctx->setTensorAddress("y", y.data());
  Recorder recorder;
  ctx->setProfiler(&recorder);
  ASSERT_TRUE(ctx->enqueueV3(nullptr));
  EXPECT_EQ(y, plain);
}

TEST(Inspector, NamesFusedActivationsAndListsTactics) {
  const std::vector<float> w = {1.f, -2.f, 0.5f, 1.5f};
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", trt::DataType::kFLOAT, {1, 2, 3, 3});
  auto* conv = net.addConvolutionNd(*x, 2, {1, 1}, {trt::DataType::kFLOAT, w.data(), 4}, {});
  auto* act = net.addActivation(*conv->getOutput(0), trt::ActivationType::kRELU);
  act->getOutput(0)->setName("y");
  net.markOutput(*act->getOutput(0));
  auto built = build(net);
  const std::string json = built.engine->describeLayersJson();
  EXPECT_NE(json.find("\"activation\":\"relu\""), std::string::npos) << json;
  // Every layer has its (possibly empty: the CPU backend times none) list of tactics.
  EXPECT_NE(json.find("\"tactics\":["), std::string::npos) << json;
}

#ifdef TORCHTRT_WITH_CUDA
#include <cuda_runtime.h>

#include <cstdlib>

#include "backends/cuda/kernel_trace.h"

// The CUDA backend: the layers are captured into a graph of the profiled run's own when the run repeats
// the previous one's shapes and bindings, and timed from CUPTI's records of their kernels (or, without
// CUPTI, by events captured between them: ctest runs this test once more with TORCHTRT_CUPTI_LIBRARY
// naming no file); the same layers are reported, once per run, their sum within the run's wall time,
// and the output is the replayed graph's.
TEST(Profiler, CudaRunsTimeEveryRunningLayer) {
  int gpus = 0;
  if (cudaGetDeviceCount(&gpus) != cudaSuccess || gpus == 0) GTEST_SKIP() << "no GPU";
  Mlp mlp;
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
  config->setBackend(trt::Backend::kCUDA);
  auto built = build(mlp.net, config.get());
  std::unique_ptr<trt::IExecutionContext> ctx(built.engine->createExecutionContext());
  ctx->setCudaGraphMode(true);
  float *dx = nullptr, *dy = nullptr;
  ASSERT_EQ(cudaMalloc(&dx, 64 * 128 * 4), cudaSuccess);
  ASSERT_EQ(cudaMalloc(&dy, 64 * 128 * 4), cudaSuccess);
  const std::vector<float> x = randomVector(64 * 128, 10);
  cudaMemcpy(dx, x.data(), x.size() * 4, cudaMemcpyHostToDevice);
  ctx->setTensorAddress("x", dx);
  ctx->setTensorAddress("y", dy);
  cudaStream_t stream;
  cudaStreamCreate(&stream);
  for (int i = 0; i < 3; ++i) ctx->enqueueV3(stream);  // captured and replayed as a graph
  cudaStreamSynchronize(stream);
  const int64_t replays = ctx->getCudaGraphLaunches();
  std::vector<float> replayed(64 * 128), profiled(64 * 128);
  cudaMemcpy(replayed.data(), dy, replayed.size() * 4, cudaMemcpyDeviceToHost);
  cudaMemset(dy, 0, 64 * 128 * 4);
  Recorder recorder;
  ctx->setProfiler(&recorder);
  const int64_t traced = trt::cuda::kernelTracedRuns();
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(ctx->enqueueV3(stream));
  const double wallMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  // Both runs from CUPTI's records where it loads (the GPU machine's toolkit has it), else from events.
  const char* forced = std::getenv("TORCHTRT_CUPTI_LIBRARY");
  const bool eventsForced = forced && std::string(forced) == "/nonexistent/libcupti.so";
  if (!eventsForced) {
    EXPECT_EQ(trt::cuda::kernelTraceUnavailable(), "");
  }
  EXPECT_EQ(trt::cuda::kernelTracedRuns() - traced, trt::cuda::kernelTraceUnavailable().empty() ? 2 : 0);
  // Profiled runs launch a graph of their own (the layers and the timer's events), not the context's.
  EXPECT_EQ(ctx->getCudaGraphLaunches(), replays) << "a profiled run replayed the context's graph";
  cudaMemcpy(profiled.data(), dy, profiled.size() * 4, cudaMemcpyDeviceToHost);
  EXPECT_EQ(profiled, replayed) << "the profiled run computed another output";
  const std::set<std::string> expected = runningLayers(*built.engine);
  ASSERT_EQ(recorder.reports.size(), 2 * expected.size());
  std::map<std::string, int> calls;
  double sum = 0;
  for (const auto& [name, ms] : recorder.reports) {
    ++calls[name];
    EXPECT_GE(ms, 0.f) << name;
    sum += ms;
  }
  for (const auto& name : expected) EXPECT_EQ(calls[name], 2) << name;
  EXPECT_GT(sum, 0.0);
  EXPECT_LE(sum, wallMs);
  cudaStreamDestroy(stream);
  cudaFree(dx);
  cudaFree(dy);
}
#endif
