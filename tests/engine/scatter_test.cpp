// The Scatter layer (element mode) against a reference loop, its checks, and CUDA against the CPU.
#include "engine_test_util.h"
#ifdef TORCHTRT_WITH_CUDA
#include <cuda_runtime.h>
#endif

using namespace trt_test;

namespace {
// data [3, 4, 2], indices/updates [2, 3, 2] along axis 1 (each line a distinct set of targets).
const std::vector<int32_t> kIndices = {3, 0, 1, 2, 0, 1, 2, 3, 1, 0, 3, 2};

std::vector<float> reference(const std::vector<float>& data, const std::vector<float>& updates) {
  std::vector<float> y = data;
  for (int a = 0; a < 2; ++a)
    for (int b = 0; b < 3; ++b)
      for (int c = 0; c < 2; ++c) {
        const int p = (a * 3 + b) * 2 + c;
        y[(a * 4 + kIndices[p]) * 2 + c] = updates[p];
      }
  return y;
}

trt::INetworkDefinition* scatterNetwork(trt::INetworkDefinition& net, const std::vector<int32_t>& indices) {
  auto* data = net.addInput("x", trt::DataType::kFLOAT, {3, 4, 2});
  auto* idx = net.addConstant({2, 3, 2}, {trt::DataType::kINT32, indices.data(), 12});
  auto* updates = net.addInput("u", trt::DataType::kFLOAT, {2, 3, 2});
  auto* s = net.addScatter(*data, *idx->getOutput(0), *updates, 1);
  s->getOutput(0)->setName("y");
  net.markOutput(*s->getOutput(0));
  return &net;
}
}  // namespace

TEST(Scatter, ElementModeMatchesReferenceLoop) {
  const auto data = randomVector(24, 61), updates = randomVector(12, 62);
  trt::INetworkDefinition net;
  Built b = build(*scatterNetwork(net, kIndices));
  const auto y = run(*b.engine, {{"x", {{3, 4, 2}, data}}, {"u", {{2, 3, 2}, updates}}}).at("y");
  EXPECT_EQ(y, reference(data, updates));
}

TEST(Scatter, BadIndicesAndShapesAreRefused) {
  std::vector<int32_t> bad = kIndices;
  bad[4] = 4;  // the axis has size 4
  trt::INetworkDefinition net;
  Built b = build(*scatterNetwork(net, bad));
  try {
    run(*b.engine, {{"x", {{3, 4, 2}, randomVector(24, 63)}}, {"u", {{2, 3, 2}, randomVector(12, 64)}}});
    FAIL() << "expected an error";
  } catch (const trt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("index 4 is out of range for an axis of size 4"), std::string::npos)
        << e.what();
  }
  trt::INetworkDefinition shapes;
  auto* data = shapes.addInput("x", trt::DataType::kFLOAT, {3, 4});
  auto* idx = shapes.addInput("i", trt::DataType::kINT32, {3, 2});
  auto* updates = shapes.addInput("u", trt::DataType::kFLOAT, {3, 3});
  try {
    shapes.addScatter(*data, *idx, *updates, 1)->getOutput(0)->getDimensions();
    FAIL() << "expected an error";
  } catch (const trt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("updates (3, 3) must have the indices' shape (3, 2)"), std::string::npos)
        << e.what();
  }
}

#ifdef TORCHTRT_WITH_CUDA
TEST(Scatter, CudaMatchesTheCpu) {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess || n == 0) GTEST_SKIP() << "no CUDA GPU visible";
  const auto data = randomVector(24, 65), updates = randomVector(12, 66);
  trt::INetworkDefinition net;
  scatterNetwork(net, kIndices);
  trt::IBuilderConfig config;
  config.setBackend(trt::Backend::kCUDA);
  Built b = build(net, &config);
  std::unique_ptr<trt::IExecutionContext> ctx(b.engine->createExecutionContext());
  float *dx, *du, *dy;
  cudaMalloc(&dx, 24 * 4);
  cudaMalloc(&du, 12 * 4);
  cudaMalloc(&dy, 24 * 4);
  cudaMemcpy(dx, data.data(), 24 * 4, cudaMemcpyHostToDevice);
  cudaMemcpy(du, updates.data(), 12 * 4, cudaMemcpyHostToDevice);
  ctx->setTensorAddress("x", dx);
  ctx->setTensorAddress("u", du);
  ctx->setTensorAddress("y", dy);
  ctx->enqueueV3(nullptr);
  std::vector<float> y(24);
  cudaMemcpy(y.data(), dy, 24 * 4, cudaMemcpyDeviceToHost);
  cudaFree(dx);
  cudaFree(du);
  cudaFree(dy);
  EXPECT_EQ(y, reference(data, updates));
}
#endif
