// The Scatter layer (element mode, plain and with each reduction) against reference loops, its
// checks, and CUDA against the CPU.
#include <algorithm>
#include <cmath>

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

trt::INetworkDefinition* scatterNetwork(trt::INetworkDefinition& net, const std::vector<int32_t>& indices,
                                        trt::ScatterReduction reduction = trt::ScatterReduction::kNONE,
                                        bool includeSelf = true) {
  auto* data = net.addInput("x", trt::DataType::kFLOAT, {3, 4, 2});
  auto* idx = net.addConstant({2, 3, 2}, {trt::DataType::kINT32, indices.data(), 12});
  auto* updates = net.addInput("u", trt::DataType::kFLOAT, {2, 3, 2});
  auto* s = net.addScatter(*data, *idx->getOutput(0), *updates, 1);
  s->setReduction(reduction, includeSelf);
  s->getOutput(0)->setName("y");
  net.markOutput(*s->getOutput(0));
  return &net;
}
// Indices with duplicates (every reduction must count each update), along axis 1 of [3, 4, 2].
const std::vector<int32_t> kDuplicates = {3, 3, 1, 3, 0, 3, 2, 2, 2, 0, 2, 2};

// torch.scatter_reduce written out: each reached element combines its updates (and its own value
// when includeSelf), max/min propagating NaN, the mean dividing by how many values were combined.
std::vector<float> reductionReference(const std::vector<float>& data, const std::vector<float>& updates,
                                      trt::ScatterReduction op, bool includeSelf) {
  std::vector<std::vector<float>> values(data.size());
  for (size_t i = 0; i < data.size(); ++i)
    if (includeSelf) values[i].push_back(data[i]);
  std::vector<bool> reached(data.size(), false);
  for (int a = 0; a < 2; ++a)
    for (int b = 0; b < 3; ++b)
      for (int c = 0; c < 2; ++c) {
        const int p = (a * 3 + b) * 2 + c, target = (a * 4 + kDuplicates[p]) * 2 + c;
        values[target].push_back(updates[p]);
        reached[target] = true;
      }
  std::vector<float> y = data;
  for (size_t i = 0; i < y.size(); ++i) {
    if (!reached[i]) continue;
    float acc = values[i][0];
    for (size_t v = 1; v < values[i].size(); ++v) {
      const float u = values[i][v];
      if (op == trt::ScatterReduction::kSUM || op == trt::ScatterReduction::kMEAN) acc += u;
      if (op == trt::ScatterReduction::kPROD) acc *= u;
      if (op == trt::ScatterReduction::kMAX) acc = std::isnan(acc) || std::isnan(u) ? NAN : std::max(acc, u);
      if (op == trt::ScatterReduction::kMIN) acc = std::isnan(acc) || std::isnan(u) ? NAN : std::min(acc, u);
    }
    if (op == trt::ScatterReduction::kMEAN) acc /= static_cast<float>(values[i].size());
    y[i] = acc;
  }
  return y;
}

const trt::ScatterReduction kReductions[] = {trt::ScatterReduction::kSUM, trt::ScatterReduction::kPROD,
                                             trt::ScatterReduction::kMAX, trt::ScatterReduction::kMIN,
                                             trt::ScatterReduction::kMEAN};

// Compares with NaN equal to NaN (max/min propagate the NaN planted in the data).
void expectSame(const std::vector<float>& actual, const std::vector<float>& expected, float tol,
                const std::string& what) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    if (std::isnan(expected[i])) {
      EXPECT_TRUE(std::isnan(actual[i])) << what << " at " << i;
      continue;
    }
    EXPECT_NEAR(actual[i], expected[i], tol * (1.f + std::fabs(expected[i]))) << what << " at " << i;
  }
}
}  // namespace

TEST(Scatter, ReductionsMatchReferenceLoops) {
  auto data = randomVector(24, 67), updates = randomVector(12, 68);
  data[(1 * 4 + 2) * 2 + 1] = NAN;  // reached by an update: max and min keep the NaN
  for (auto op : kReductions)
    for (bool includeSelf : {true, false}) {
      trt::INetworkDefinition net;
      Built b = build(*scatterNetwork(net, kDuplicates, op, includeSelf));
      const auto y = run(*b.engine, {{"x", {{3, 4, 2}, data}}, {"u", {{2, 3, 2}, updates}}}).at("y");
      const std::string what =
          "reduction " + std::to_string(static_cast<int>(op)) + " include_self " + std::to_string(includeSelf);
      // In index order, as the loops: equal up to the NaN rule.
      expectSame(y, reductionReference(data, updates, op, includeSelf), 0.f, what);
    }
}

TEST(Scatter, ReductionsRefuseTypesTheyCannotCombine) {
  trt::INetworkDefinition net;
  auto* data = net.addInput("x", trt::DataType::kINT32, {3, 4});
  auto* idx = net.addInput("i", trt::DataType::kINT32, {3, 2});
  auto* updates = net.addInput("u", trt::DataType::kINT32, {3, 2});
  auto* s = net.addScatter(*data, *idx, *updates, 1);
  s->setReduction(trt::ScatterReduction::kMEAN);
  try {
    s->getOutput(0)->getDimensions();
    net.validate();
    FAIL() << "expected an error";
  } catch (const trt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("a mean scatter reduction takes floating-point data, got int32"),
              std::string::npos)
        << e.what();
  }
}

namespace {
// ND: data [4, 3, 2]; tuples [3, 2] address (row, column) pairs, each replacing (or adding to) a
// 2-element slice; the pair (1, 2) appears twice.
const std::vector<int32_t> kTuples = {1, 2, 3, 0, 1, 2};

trt::INetworkDefinition* ndNetwork(trt::INetworkDefinition& net, trt::ScatterReduction reduction) {
  auto* data = net.addInput("x", trt::DataType::kFLOAT, {4, 3, 2});
  auto* idx = net.addConstant({3, 2}, {trt::DataType::kINT32, kTuples.data(), 6});
  auto* updates = net.addInput("u", trt::DataType::kFLOAT, {3, 2});
  auto* s = net.addScatter(*data, *idx->getOutput(0), *updates, 0);
  s->setMode(trt::ScatterMode::kND);
  s->setReduction(reduction);
  s->getOutput(0)->setName("y");
  net.markOutput(*s->getOutput(0));
  return &net;
}
}  // namespace

TEST(Scatter, NdModeMatchesReferenceLoops) {
  const auto data = randomVector(24, 73), updates = randomVector(6, 74);
  trt::INetworkDefinition add;
  Built b = build(*ndNetwork(add, trt::ScatterReduction::kSUM));
  const auto y = run(*b.engine, {{"x", {{4, 3, 2}, data}}, {"u", {{3, 2}, updates}}}).at("y");
  std::vector<float> expected = data;
  for (int t = 0; t < 3; ++t)
    for (int e = 0; e < 2; ++e) expected[(kTuples[t * 2] * 3 + kTuples[t * 2 + 1]) * 2 + e] += updates[t * 2 + e];
  EXPECT_EQ(y, expected);
  // Without a reduction (distinct tuples only: which duplicate wins is unspecified), k = 1: whole rows.
  trt::INetworkDefinition rows;
  auto* x = rows.addInput("x", trt::DataType::kFLOAT, {4, 3, 2});
  static const int64_t rowAt[2] = {3, 0};
  auto* idx = rows.addConstant({2, 1}, {trt::DataType::kINT64, rowAt, 2});
  auto* u = rows.addInput("u", trt::DataType::kFLOAT, {2, 3, 2});
  auto* s = rows.addScatter(*x, *idx->getOutput(0), *u, 0);
  s->setMode(trt::ScatterMode::kND);
  s->getOutput(0)->setName("y");
  rows.markOutput(*s->getOutput(0));
  Built r = build(rows);
  const auto rowUpdates = randomVector(12, 75);
  std::vector<float> expectRows = data;
  for (int e = 0; e < 6; ++e) {
    expectRows[3 * 6 + e] = rowUpdates[e];
    expectRows[0 * 6 + e] = rowUpdates[6 + e];
  }
  EXPECT_EQ(run(*r.engine, {{"x", {{4, 3, 2}, data}}, {"u", {{2, 3, 2}, rowUpdates}}}).at("y"), expectRows);
}

TEST(Scatter, NdShapesAreChecked) {
  trt::INetworkDefinition net;
  auto* data = net.addInput("x", trt::DataType::kFLOAT, {4, 3, 2});
  auto* idx = net.addInput("i", trt::DataType::kINT32, {5, 2});
  auto* updates = net.addInput("u", trt::DataType::kFLOAT, {5, 3});
  auto* s = net.addScatter(*data, *idx, *updates, 0);
  s->setMode(trt::ScatterMode::kND);
  try {
    s->getOutput(0)->getDimensions();
    net.validate();
    FAIL() << "expected an error";
  } catch (const trt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("ND updates (5, 3) must be the indices' leading dims and the data's dims "
                                         "after the first 2: (5, 2)"),
              std::string::npos)
        << e.what();
  }
}

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
namespace {
// Runs a scatter network "x", "u" -> "y" (y the data's size) on the GPU.
std::vector<float> runOnGpu(const trt::ICudaEngine& engine, const std::vector<float>& data,
                            const std::vector<float>& updates) {
  return run(engine, {{"x", {engine.getTensorShape("x"), data}}, {"u", {engine.getTensorShape("u"), updates}}}).at("y");
}
}  // namespace

TEST(Scatter, CudaMatchesTheCpu) {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess || n == 0) GTEST_SKIP() << "no CUDA GPU visible";
  const auto data = randomVector(24, 65), updates = randomVector(12, 66);
  trt::INetworkDefinition net;
  scatterNetwork(net, kIndices);
  trt::IBuilderConfig config;
  config.setBackend(trt::Backend::kCUDA);
  Built b = build(net, &config);
  const std::vector<float> y = runOnGpu(*b.engine, data, updates);
  EXPECT_EQ(y, reference(data, updates));
}

TEST(Scatter, CudaNdModeMatchesTheCpu) {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess || n == 0) GTEST_SKIP() << "no CUDA GPU visible";
  const auto data = randomVector(24, 76), updates = randomVector(6, 77);
  for (auto op : {trt::ScatterReduction::kSUM, trt::ScatterReduction::kMAX}) {
    trt::INetworkDefinition cpuNet, gpuNet;
    Built cpu = build(*ndNetwork(cpuNet, op));
    trt::IBuilderConfig config;
    config.setBackend(trt::Backend::kCUDA);
    Built gpu = build(*ndNetwork(gpuNet, op), &config);
    const std::vector<float> y = runOnGpu(*gpu.engine, data, updates);
    expectNear(y, run(*cpu.engine, {{"x", {{4, 3, 2}, data}}, {"u", {{3, 2}, updates}}}).at("y"), 1e-6f);
  }
}

TEST(Scatter, CudaReductionsMatchTheCpu) {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess || n == 0) GTEST_SKIP() << "no CUDA GPU visible";
  auto data = randomVector(24, 69), updates = randomVector(12, 70);
  data[(1 * 4 + 2) * 2 + 1] = NAN;
  for (auto op : kReductions)
    for (bool includeSelf : {true, false}) {
      trt::INetworkDefinition cpuNet, gpuNet;
      Built cpu = build(*scatterNetwork(cpuNet, kDuplicates, op, includeSelf));
      trt::IBuilderConfig config;
      config.setBackend(trt::Backend::kCUDA);
      Built gpu = build(*scatterNetwork(gpuNet, kDuplicates, op, includeSelf), &config);
      const std::vector<float> y = runOnGpu(*gpu.engine, data, updates);
      const auto expected = run(*cpu.engine, {{"x", {{3, 4, 2}, data}}, {"u", {{2, 3, 2}, updates}}}).at("y");
      // Atomic sums and products combine in arrival order: float32 rounding apart.
      expectSame(y, expected, 1e-6f, "CUDA reduction " + std::to_string(static_cast<int>(op)));
    }
}
#endif
