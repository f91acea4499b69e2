// The ElementWise and Unary operations of plan format 10 (FMOD, REMAINDER, ATAN2, BITWISE_*, LOG2,
// LOG10, TRUNC, BITWISE_NOT) and integer Reduce: the CPU backend against scalar loops of PyTorch's
// definitions, and the CUDA backend against the CPU (skipped without a GPU).
#include <climits>
#include <cmath>
#include <cstring>

#include "engine_test_util.h"

#ifdef TORCHTRT_WITH_CUDA
#include <cuda_runtime.h>
#endif

using namespace trt_test;
using E = trt::ElementWiseOperation;
using U = trt::UnaryOperation;

namespace {
// Runs a one-input or two-input network of `n` elements on `backend` with raw host buffers (runBytes
// makes the CUDA backend's device copies); returns the output's bytes.
std::vector<uint8_t> runRaw(trt::INetworkDefinition& net, trt::Backend backend,
                            const std::vector<std::vector<uint8_t>>& inputs, size_t outBytes) {
  trt::IBuilderConfig config;
  config.setBackend(backend);
  Built b = build(net, &config);
  std::map<std::string, HostTensor> in;
  for (size_t i = 0; i < inputs.size(); ++i)
    in[net.getInput(static_cast<int32_t>(i))->getName()] = {net.getInput(static_cast<int32_t>(i))->getDimensions(),
                                                            inputs[i]};
  std::vector<uint8_t> out = runBytes(*b.engine, in).at("out");
  EXPECT_EQ(out.size(), outBytes);
  return out;
}

template <typename T>
std::vector<uint8_t> bytesOf(const std::vector<T>& v) {
  std::vector<uint8_t> b(v.size() * sizeof(T));
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

template <typename T>
trt::DataType typeOf() {
  if constexpr (std::is_same<T, float>::value) return trt::DataType::kFLOAT;
  if constexpr (std::is_same<T, int32_t>::value) return trt::DataType::kINT32;
  return trt::DataType::kINT64;
}

// a op b over two [n] inputs on `backend`.
template <typename T>
std::vector<T> binary(E op, const std::vector<T>& a, const std::vector<T>& b, trt::Backend backend) {
  trt::INetworkDefinition net;
  const int64_t n = static_cast<int64_t>(a.size());
  auto* x = net.addInput("in0", typeOf<T>(), {n});
  auto* y = net.addInput("in1", typeOf<T>(), {n});
  auto* layer = net.addElementWise(*x, *y, op);
  layer->getOutput(0)->setName("out");
  net.markOutput(*layer->getOutput(0));
  return elementsOf<T>(runRaw(net, backend, {bytesOf(a), bytesOf(b)}, a.size() * sizeof(T)));
}

template <typename T>
std::vector<T> unary(U op, const std::vector<T>& a, trt::Backend backend) {
  trt::INetworkDefinition net;
  auto* x = net.addInput("in0", typeOf<T>(), {static_cast<int64_t>(a.size())});
  auto* layer = net.addUnary(*x, op);
  layer->getOutput(0)->setName("out");
  net.markOutput(*layer->getOutput(0));
  return elementsOf<T>(runRaw(net, backend, {bytesOf(a)}, a.size() * sizeof(T)));
}

const std::vector<int32_t> kIntA = {7, -7, 7, -7, 0, INT32_MIN, INT32_MIN, 5, -13, 100};
const std::vector<int32_t> kIntB = {3, 3, -3, -3, 4, -1, 1, 5, 4, -7};
const std::vector<float> kFloatA = {7.5f, -7.5f, 7.5f, -7.5f, 0.f, -0.f, 1e10f, 3.f, INFINITY, 2.f};
const std::vector<float> kFloatB = {2.f, 2.f, -2.f, -2.f, 3.f, 3.f, 3.f, INFINITY, 2.f, NAN};

int32_t pyRemainder(int32_t a, int32_t b) {
  if (b == -1) return 0;
  int32_t m = a % b;
  return (m != 0 && ((m < 0) != (b < 0))) ? m + b : m;
}
float pyRemainder(float a, float b) {
  float m = std::fmod(a, b);
  return (m != 0 && ((m < 0) != (b < 0))) ? m + b : m;
}

void expectSameFloats(const std::vector<float>& actual, const std::vector<float>& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    if (std::isnan(expected[i]))
      EXPECT_TRUE(std::isnan(actual[i])) << i;
    else
      EXPECT_FLOAT_EQ(actual[i], expected[i]) << i;
  }
}
}  // namespace

TEST(ElementWiseMath, IntegerRemaindersAndBitwiseOnTheCpu) {
  std::vector<int32_t> fmodE, remE, andE, orE, xorE, notE;
  for (size_t i = 0; i < kIntA.size(); ++i) {
    fmodE.push_back(kIntB[i] == -1 ? 0 : kIntA[i] % kIntB[i]);
    remE.push_back(pyRemainder(kIntA[i], kIntB[i]));
    andE.push_back(kIntA[i] & kIntB[i]);
    orE.push_back(kIntA[i] | kIntB[i]);
    xorE.push_back(kIntA[i] ^ kIntB[i]);
    notE.push_back(~kIntA[i]);
  }
  const auto cpu = trt::Backend::kCPU;
  EXPECT_EQ(binary(E::kFMOD, kIntA, kIntB, cpu), fmodE);
  EXPECT_EQ(binary(E::kREMAINDER, kIntA, kIntB, cpu), remE);
  EXPECT_EQ(binary(E::kBITWISE_AND, kIntA, kIntB, cpu), andE);
  EXPECT_EQ(binary(E::kBITWISE_OR, kIntA, kIntB, cpu), orE);
  EXPECT_EQ(binary(E::kBITWISE_XOR, kIntA, kIntB, cpu), xorE);
  EXPECT_EQ(unary(U::kBITWISE_NOT, kIntA, cpu), notE);
  // The minimum integer divided by -1 wraps to itself (PyTorch's result) instead of trapping.
  EXPECT_EQ(binary(E::kFLOOR_DIV, kIntA, kIntB, cpu)[5], INT32_MIN);
  EXPECT_EQ(binary(E::kDIV, kIntA, kIntB, cpu)[5], INT32_MIN);
  EXPECT_THROW(binary(E::kREMAINDER, std::vector<int32_t>{1}, std::vector<int32_t>{0}, cpu), trt::Error);
}

TEST(ElementWiseMath, FloatRemaindersAtan2AndUnaryOnTheCpu) {
  std::vector<float> fmodE, remE, atanE, log2E, log10E, truncE;
  for (size_t i = 0; i < kFloatA.size(); ++i) {
    fmodE.push_back(std::fmod(kFloatA[i], kFloatB[i]));
    remE.push_back(pyRemainder(kFloatA[i], kFloatB[i]));
    atanE.push_back(std::atan2(kFloatA[i], kFloatB[i]));
    log2E.push_back(std::log2(kFloatA[i]));
    log10E.push_back(std::log10(kFloatA[i]));
    truncE.push_back(std::trunc(kFloatA[i]));
  }
  const auto cpu = trt::Backend::kCPU;
  expectSameFloats(binary(E::kFMOD, kFloatA, kFloatB, cpu), fmodE);
  expectSameFloats(binary(E::kREMAINDER, kFloatA, kFloatB, cpu), remE);
  expectSameFloats(binary(E::kATAN2, kFloatA, kFloatB, cpu), atanE);
  expectSameFloats(unary(U::kLOG2, kFloatA, cpu), log2E);
  expectSameFloats(unary(U::kLOG10, kFloatA, cpu), log10E);
  expectSameFloats(unary(U::kTRUNC, kFloatA, cpu), truncE);
}

TEST(ElementWiseMath, LayersRefuseTypesTheOperationsDoNotTake) {
  trt::INetworkDefinition net;
  auto* f = net.addInput("f", trt::DataType::kFLOAT, {3});
  auto* i = net.addInput("i", trt::DataType::kINT32, {3});
  EXPECT_THROW(net.addElementWise(*f, *f, E::kBITWISE_AND)->getOutput(0)->getDimensions(), trt::Error);
  EXPECT_THROW(net.addElementWise(*i, *i, E::kATAN2)->getOutput(0)->getDimensions(), trt::Error);
  EXPECT_THROW(net.addUnary(*f, U::kBITWISE_NOT)->getOutput(0)->getDimensions(), trt::Error);
}

TEST(ElementWiseMath, IntegerReductionsOnTheCpu) {
  trt::INetworkDefinition net;
  auto* x = net.addInput("in0", trt::DataType::kINT64, {2, 3});
  auto* sum = net.addReduce(*x, trt::ReduceOperation::kSUM, 0b10, false);
  sum->getOutput(0)->setName("out");
  net.markOutput(*sum->getOutput(0));
  const std::vector<int64_t> v = {INT64_MAX, 1, 0, -4, 5, 6};  // the first row wraps, as int64 arithmetic does
  auto out = elementsOf<int64_t>(runRaw(net, trt::Backend::kCPU, {bytesOf(v)}, 2 * sizeof(int64_t)));
  EXPECT_EQ(out, (std::vector<int64_t>{INT64_MIN, 7}));
}

#ifdef TORCHTRT_WITH_CUDA
TEST(ElementWiseMath, CudaMatchesTheCpu) {
  int devices = 0;
  if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) GTEST_SKIP() << "no GPU";
  const auto cpu = trt::Backend::kCPU, gpu = trt::Backend::kCUDA;
  // Integer cases without the divisor 0 (the CPU raises, the GPU gives 0).
  for (E op : {E::kFMOD, E::kREMAINDER, E::kBITWISE_AND, E::kBITWISE_OR, E::kBITWISE_XOR, E::kFLOOR_DIV, E::kDIV})
    EXPECT_EQ(binary(op, kIntA, kIntB, gpu), binary(op, kIntA, kIntB, cpu)) << static_cast<int>(op);
  EXPECT_EQ(unary(U::kBITWISE_NOT, kIntA, gpu), unary(U::kBITWISE_NOT, kIntA, cpu));
  for (E op : {E::kFMOD, E::kREMAINDER, E::kATAN2}) {
    auto g = binary(op, kFloatA, kFloatB, gpu), c = binary(op, kFloatA, kFloatB, cpu);
    for (size_t i = 0; i < g.size(); ++i)
      EXPECT_TRUE((std::isnan(g[i]) && std::isnan(c[i])) || std::fabs(g[i] - c[i]) <= 1e-6f * (1 + std::fabs(c[i])))
          << static_cast<int>(op) << " at " << i << ": " << g[i] << " vs " << c[i];
  }
  for (U op : {U::kLOG2, U::kLOG10, U::kTRUNC}) {
    auto g = unary(op, kFloatA, gpu), c = unary(op, kFloatA, cpu);
    for (size_t i = 0; i < g.size(); ++i)
      EXPECT_TRUE((std::isnan(g[i]) && std::isnan(c[i])) || g[i] == c[i] ||
                  std::fabs(g[i] - c[i]) <= 1e-6f * std::fabs(c[i]))
          << static_cast<int>(op) << " at " << i;
  }
  trt::INetworkDefinition net;
  auto* x = net.addInput("in0", trt::DataType::kINT32, {2, 5});
  auto* prod = net.addReduce(*x, trt::ReduceOperation::kMAX, 0b10, true);
  prod->getOutput(0)->setName("out");
  net.markOutput(*prod->getOutput(0));
  const std::vector<int32_t> v = {3, -9, 4, 1, 0, -5, -2, -8, -1, -7};
  auto g = elementsOf<int32_t>(runRaw(net, gpu, {bytesOf(v)}, 2 * sizeof(int32_t)));
  EXPECT_EQ(g, (std::vector<int32_t>{4, -1}));
}
#endif
