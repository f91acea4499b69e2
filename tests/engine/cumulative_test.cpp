// The Cumulative layer against reference loops written for the test (sum, product, exclusive,
// reverse; float32, int32, int64), its shape checks, and the CUDA kernel against the CPU.
#include <cstring>

#include "engine_test_util.h"
#ifdef TORCHTRT_WITH_CUDA
#include <cuda_runtime.h>
#endif

using namespace trt_test;

namespace {
// Reference along axis 1 of a [2, 5, 3] tensor.
template <typename T>
std::vector<T> reference(const std::vector<T>& x, bool prod, bool exclusive, bool reverse) {
  std::vector<T> y(x.size());
  for (int o = 0; o < 2; ++o)
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 5; ++j) {
        T acc = prod ? T(1) : T(0);
        for (int k = 0; k < 5; ++k) {
          const bool included = reverse ? (exclusive ? k > j : k >= j) : (exclusive ? k < j : k <= j);
          if (included) acc = prod ? acc * x[(o * 5 + k) * 3 + i] : acc + x[(o * 5 + k) * 3 + i];
        }
        y[(o * 5 + j) * 3 + i] = acc;
      }
  return y;
}

template <typename T>
std::vector<T> runCumulative(trt::DataType type, const std::vector<T>& x, trt::CumulativeOperation op, bool exclusive,
                             bool reverse, trt::Backend backend = trt::Backend::kCPU) {
  trt::INetworkDefinition net;
  auto* in = net.addInput("x", type, {2, 5, 3});
  auto* cum = net.addCumulative(*in, 1, op, exclusive, reverse);
  cum->getOutput(0)->setName("y");
  net.markOutput(*cum->getOutput(0));
  trt::IBuilderConfig config;
  config.setBackend(backend);
  config.clearFlag(trt::BuilderFlag::kTF32);
  Built b = build(net, &config);
  return elementsOf<T>(runBytes(*b.engine, {{"x", hostTensor(trt::Dims{2, 5, 3}, x)}}).at("y"));
}
}  // namespace

TEST(Cumulative, SumAndProductMatchReferenceLoops) {
  const std::vector<float> xf = randomVector(30, 91, 0.5f, 1.5f);
  std::vector<int32_t> xi(30);
  std::vector<int64_t> xl(30);
  for (int i = 0; i < 30; ++i) {
    xi[i] = (i * 7) % 5 - 2;
    xl[i] = static_cast<int64_t>(i % 4) + 1000000;  // products beyond int32
  }
  for (bool prod : {false, true})
    for (bool exclusive : {false, true})
      for (bool reverse : {false, true}) {
        const auto op = prod ? trt::CumulativeOperation::kPROD : trt::CumulativeOperation::kSUM;
        SCOPED_TRACE(std::string(prod ? "prod" : "sum") + (exclusive ? " exclusive" : "") +
                     (reverse ? " reverse" : ""));
        expectNear(runCumulative(trt::DataType::kFLOAT, xf, op, exclusive, reverse),
                   reference(xf, prod, exclusive, reverse), 1e-6f);
        EXPECT_EQ(runCumulative(trt::DataType::kINT32, xi, op, exclusive, reverse),
                  reference(xi, prod, exclusive, reverse));
        if (!prod) {
          EXPECT_EQ(runCumulative(trt::DataType::kINT64, xl, op, exclusive, reverse),
                    reference(xl, prod, exclusive, reverse));
        }
      }
}

TEST(Cumulative, ShapeChecksNameTheProblem) {
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", trt::DataType::kFLOAT, {2, 3});
  EXPECT_THROW(net.addCumulative(*x, -1, trt::CumulativeOperation::kSUM), trt::Error);
  try {
    net.addCumulative(*x, 2, trt::CumulativeOperation::kSUM)->getOutput(0)->getDimensions();
    FAIL() << "expected an error";
  } catch (const trt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("axis 2 is beyond the input's rank 2"), std::string::npos) << e.what();
  }
  trt::INetworkDefinition boolNet;
  auto* b = boolNet.addInput("b", trt::DataType::kBOOL, {2, 3});
  try {
    boolNet.addCumulative(*b, 0, trt::CumulativeOperation::kSUM)->getOutput(0)->getType();
    FAIL() << "expected an error";
  } catch (const trt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("accumulates float32, float16, int32 or int64 tensors, got bool"),
              std::string::npos)
        << e.what();
  }
}

#ifdef TORCHTRT_WITH_CUDA
TEST(Cumulative, CudaMatchesTheCpu) {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess || n == 0) GTEST_SKIP() << "no CUDA GPU visible";
  const std::vector<float> xf = randomVector(30, 92, 0.5f, 1.5f);
  std::vector<int32_t> xi(30);
  for (int i = 0; i < 30; ++i) xi[i] = (i * 3) % 7 - 3;
  for (auto op : {trt::CumulativeOperation::kSUM, trt::CumulativeOperation::kPROD})
    for (bool exclusive : {false, true})
      for (bool reverse : {false, true}) {
        // One thread per line in the CPU's order: float32 results are identical.
        EXPECT_EQ(runCumulative(trt::DataType::kFLOAT, xf, op, exclusive, reverse, trt::Backend::kCUDA),
                  runCumulative(trt::DataType::kFLOAT, xf, op, exclusive, reverse));
        EXPECT_EQ(runCumulative(trt::DataType::kINT32, xi, op, exclusive, reverse, trt::Backend::kCUDA),
                  runCumulative(trt::DataType::kINT32, xi, op, exclusive, reverse));
      }
}
#endif
