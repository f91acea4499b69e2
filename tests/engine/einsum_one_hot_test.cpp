// Einsum and OneHot layers against loops written for the test: products, traces, diagonals,
// broadcasting size-1 dims, implicit outputs, three inputs; one-hot with negative and out-of-range
// indices on any axis; bad equations and shapes refused; the plan round trip; CUDA against the CPU.
#include "engine_test_util.h"
#ifdef TORCHTRT_WITH_CUDA
#include <cuda_runtime.h>
#endif

using namespace trt_test;

namespace {
using trt::DataType;
using trt::Dims;

struct Operand {
  Dims dims;
  std::vector<float> data;
};

Built einsumEngine(const char* equation, const std::vector<Operand>& ops, trt::Backend backend = trt::Backend::kCPU) {
  trt::INetworkDefinition net;
  std::vector<trt::ITensor*> ins;
  for (size_t i = 0; i < ops.size(); ++i)
    ins.push_back(net.addInput(("x" + std::to_string(i)).c_str(), DataType::kFLOAT, ops[i].dims));
  auto* e = net.addEinsum(ins.data(), static_cast<int32_t>(ins.size()), equation);
  e->getOutput(0)->setName("y");
  net.markOutput(*e->getOutput(0));
  trt::IBuilderConfig config;
  config.setBackend(backend);
  config.clearFlag(trt::BuilderFlag::kTF32);
  return build(net, &config);
}

std::vector<float> runCpu(const Built& b, const std::vector<Operand>& ops) {
  std::map<std::string, std::pair<Dims, std::vector<float>>> inputs;
  for (size_t i = 0; i < ops.size(); ++i) inputs["x" + std::to_string(i)] = {ops[i].dims, ops[i].data};
  return run(*b.engine, inputs)["y"];
}

Operand operand(Dims dims, uint32_t seed) { return {dims, randomVector(static_cast<size_t>(dims.volume()), seed)}; }
}  // namespace

TEST(Einsum, ProductsTracesDiagonalsAndBroadcastsMatchLoops) {
  const Operand a = operand({2, 3}, 1), b = operand({3, 4}, 2), sq = operand({3, 3}, 3);
  // ij,jk->ik
  std::vector<float> mm(8, 0.f);
  for (int i = 0; i < 2; ++i)
    for (int k = 0; k < 4; ++k)
      for (int j = 0; j < 3; ++j) mm[i * 4 + k] += a.data[i * 3 + j] * b.data[j * 4 + k];
  expectNear(runCpu(einsumEngine("ij,jk->ik", {a, b}), {a, b}), mm, 1e-5f);
  // Implicit output: "ij,jk" is "ik".
  expectNear(runCpu(einsumEngine("ij,jk", {a, b}), {a, b}), mm, 1e-5f);
  // ii-> (trace) and ii->i (diagonal).
  const float trace = sq.data[0] + sq.data[4] + sq.data[8];
  expectNear(runCpu(einsumEngine("ii->", {sq}), {sq}), {trace}, 1e-6f);
  expectNear(runCpu(einsumEngine("ii->i", {sq}), {sq}), {sq.data[0], sq.data[4], sq.data[8]}, 1e-6f);
  // bij,bjk->bik with a size-1 batch on one side broadcasting to 2.
  const Operand x = operand({1, 2, 3}, 4), y = operand({2, 3, 2}, 5);
  std::vector<float> bmm(2 * 2 * 2, 0.f);
  for (int bb = 0; bb < 2; ++bb)
    for (int i = 0; i < 2; ++i)
      for (int k = 0; k < 2; ++k)
        for (int j = 0; j < 3; ++j) bmm[(bb * 2 + i) * 2 + k] += x.data[i * 3 + j] * y.data[(bb * 3 + j) * 2 + k];
  expectNear(runCpu(einsumEngine("bij,bjk->bik", {x, y}), {x, y}), bmm, 1e-5f);
  // Three inputs: i,i,i-> (sum of elementwise triple products) and an outer product ki,j->jik.
  const Operand u = operand({4}, 6), v = operand({4}, 7), w = operand({4}, 8);
  float triple = 0.f;
  for (int i = 0; i < 4; ++i) triple += u.data[i] * v.data[i] * w.data[i];
  expectNear(runCpu(einsumEngine("i,i,i->", {u, v, w}), {u, v, w}), {triple}, 1e-5f);
  const Operand p = operand({2, 3}, 9), q = operand({2}, 10);
  std::vector<float> outer;
  for (int j = 0; j < 2; ++j)
    for (int i = 0; i < 3; ++i)
      for (int k = 0; k < 2; ++k) outer.push_back(p.data[k * 3 + i] * q.data[j]);
  expectNear(runCpu(einsumEngine("ki,j->jik", {p, q}), {p, q}), outer, 1e-6f);
}

TEST(Einsum, BadEquationsAndShapesAreRefused) {
  auto refused = [](const char* equation, std::vector<Dims> dims, const std::string& needle) {
    trt::INetworkDefinition net;
    std::vector<trt::ITensor*> ins;
    for (size_t i = 0; i < dims.size(); ++i)
      ins.push_back(net.addInput(("x" + std::to_string(i)).c_str(), DataType::kFLOAT, dims[i]));
    try {
      net.addEinsum(ins.data(), static_cast<int32_t>(ins.size()), equation)->getOutput(0)->getDimensions();
      FAIL() << equation;
    } catch (const trt::Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  refused("ij,jk->ik", {{2, 3}, {4, 5}}, "label 'j' has sizes 3 and 4");
  refused("ij->ik", {{2, 3}}, "output label 'k' is not an input label");
  refused("ij,jk->ik", {{2, 3}}, "names 2 operands for 1 inputs");
  refused("ijk->i", {{2, 3}}, "labels 3 dimensions of a rank-2 input");
  refused("i1->i", {{2, 3}}, "label '1' is not a letter");
  refused("...ij->ij", {{2, 3}}, "without spaces or ellipses");
}

TEST(OneHot, EveryAxisNegativeAndOutOfRangeIndices) {
  for (int32_t axis : {-1, 0, 1}) {
    trt::INetworkDefinition net;
    trt::ITensor* idx = net.addInput("i", DataType::kINT32, {2, 3});
    static const float values[2] = {-1.f, 5.f};
    auto* v = net.addConstant({2}, {DataType::kFLOAT, values, 2});
    auto* oh = net.addOneHot(*idx, *v->getOutput(0), 4, axis);
    oh->getOutput(0)->setName("y");
    net.markOutput(*oh->getOutput(0));
    Built b = build(net);
    std::unique_ptr<trt::IExecutionContext> ctx(b.engine->createExecutionContext());
    std::vector<int32_t> indices = {0, 3, -1, 2, 7, -5};  // -1 wraps to 3; 7 and -5 are outside: all off
    const Dims outDims = ctx->getTensorShape("y");
    std::vector<float> y(static_cast<size_t>(outDims.volume()));
    ctx->setTensorAddress("i", indices.data());
    ctx->setTensorAddress("y", y.data());
    ctx->enqueueV3(nullptr);
    const int a = axis < 0 ? 2 : axis;
    for (int r = 0; r < 2; ++r)
      for (int c = 0; c < 3; ++c)
        for (int k = 0; k < 4; ++k) {
          int index = indices[r * 3 + c];
          if (index < 0) index += 4;
          int pos[3];
          int src[2] = {r, c};
          for (int d = 0, s = 0; d < 3; ++d) pos[d] = d == a ? k : src[s++];
          const int64_t at = (pos[0] * outDims.d[1] + pos[1]) * outDims.d[2] + pos[2];
          EXPECT_EQ(y[at], index == k ? 5.f : -1.f) << "axis " << axis << " at " << r << "," << c << "," << k;
        }
  }
}

TEST(EinsumAndOneHot, PlanRoundTrip) {
  const Operand a = operand({2, 3}, 11), b = operand({3, 4}, 12);
  Built built = einsumEngine("ij,jk->ki", {a, b});
  std::unique_ptr<trt::IHostMemory> again(built.engine->serialize());
  std::unique_ptr<trt::ICudaEngine> reloaded(built.runtime->deserializeCudaEngine(again->data(), again->size()));
  EXPECT_EQ(run(*reloaded, {{"x0", {a.dims, a.data}}, {"x1", {b.dims, b.data}}})["y"], runCpu(built, {a, b}));
  EXPECT_NE(reloaded->describeLayers().find("Einsum"), std::string::npos);
}

#ifdef TORCHTRT_WITH_CUDA
TEST(EinsumAndOneHot, CudaMatchesTheCpu) {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess || n == 0) GTEST_SKIP() << "no CUDA GPU visible";
  const Operand x = operand({1, 5, 6}, 13), y = operand({3, 6, 7}, 14);
  Built cpu = einsumEngine("bij,bjk->bki", {x, y});
  Built gpu = einsumEngine("bij,bjk->bki", {x, y}, trt::Backend::kCUDA);
  const std::vector<float> z = run(*gpu.engine, {{"x0", {x.dims, x.data}}, {"x1", {y.dims, y.data}}}).at("y");
  expectNear(z, runCpu(cpu, {x, y}), 1e-5f);
  // One-hot: int64 indices (negative and outside too), int32 values, axis 1, on both backends.
  const std::vector<int64_t> indices = {0, 4, -2, 9, 1, -7, 2, 3};
  std::vector<int32_t> results[2];
  for (int gpuRun = 0; gpuRun < 2; ++gpuRun) {
    trt::INetworkDefinition net;
    trt::ITensor* idx = net.addInput("i", DataType::kINT64, {2, 4});
    static const int32_t values[2] = {7, -3};
    auto* v = net.addConstant({2}, {DataType::kINT32, values, 2});
    auto* oh = net.addOneHot(*idx, *v->getOutput(0), 5, 1);
    oh->getOutput(0)->setName("y");
    net.markOutput(*oh->getOutput(0));
    trt::IBuilderConfig config;
    config.setBackend(gpuRun ? trt::Backend::kCUDA : trt::Backend::kCPU);
    Built b = build(net, &config);
    results[gpuRun] = elementsOf<int32_t>(runBytes(*b.engine, {{"i", hostTensor(trt::Dims{2, 4}, indices)}}).at("y"));
  }
  EXPECT_EQ(results[1], results[0]);
}
#endif
