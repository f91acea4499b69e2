// Casts (Identity with an output type) between every pair of the engine's data types: float32,
// float16, bfloat16, int8, uint8, int32, int64, bool. Hand-computed results for the rules
// (truncation toward zero, saturation at the target's range, NaN -> 0, bool = "not zero", round to
// nearest even for the 16-bit floats), and the CUDA backend byte for byte against the CPU.
#include <cmath>
#include <cstring>
#include <limits>

#include "common/half.h"
#include "engine_test_util.h"
#ifdef TORCHTRT_WITH_CUDA
#include <cuda_runtime.h>
#endif

using namespace trt_test;

namespace {
using trt::DataType;

const std::vector<DataType> kTypes = {DataType::kFLOAT, DataType::kHALF,  DataType::kBF16,  DataType::kINT8,
                                      DataType::kUINT8, DataType::kINT32, DataType::kINT64, DataType::kBOOL};

// The float32 values every cast starts from (through an exact float32 -> T cast first).
const std::vector<float> kValues = {0.f,    -0.f,  1.f,    -1.f,  2.75f,  -2.75f,
                                    127.5f, 300.f, -300.f, 1e10f, -1e10f, std::numeric_limits<float>::quiet_NaN(),
                                    0.1f};

std::vector<uint8_t> castOnce(const std::vector<uint8_t>& in, DataType from, DataType to, trt::Backend backend) {
  trt::INetworkDefinition net;
  const int64_t n = static_cast<int64_t>(in.size() / trt::dataTypeSize(from));
  trt::ITensor* x = net.addInput("x", from, {n});
  auto* cast = net.addIdentity(*x);
  cast->setOutputType(0, to);
  cast->getOutput(0)->setName("y");
  net.markOutput(*cast->getOutput(0));
  trt::IBuilderConfig config;
  config.setBackend(backend);
  Built b = build(net, &config);
  std::vector<uint8_t> out = runBytes(*b.engine, {{"x", {trt::Dims{n}, in}}}).at("y");
  EXPECT_EQ(out.size(), static_cast<size_t>(n) * trt::dataTypeSize(to));
  return out;
}

std::vector<uint8_t> floats(const std::vector<float>& v) {
  std::vector<uint8_t> bytes(v.size() * 4);
  std::memcpy(bytes.data(), v.data(), bytes.size());
  return bytes;
}

template <typename T>
std::vector<T> as(const std::vector<uint8_t>& bytes) {
  EXPECT_EQ(bytes.size() % sizeof(T), 0u);
  std::vector<T> v(bytes.size() / sizeof(T));
  std::memcpy(v.data(), bytes.data(), v.size() * sizeof(T));
  return v;
}
}  // namespace

TEST(Casts, FloatToEveryTypeFollowsTheRules) {
  const auto src = floats(kValues);
  const auto cpu = [&](DataType to) { return castOnce(src, DataType::kFLOAT, to, trt::Backend::kCPU); };
  EXPECT_EQ(as<int8_t>(cpu(DataType::kINT8)),
            (std::vector<int8_t>{0, 0, 1, -1, 2, -2, 127, 127, -128, 127, -128, 0, 0}));
  EXPECT_EQ(as<uint8_t>(cpu(DataType::kUINT8)), (std::vector<uint8_t>{0, 0, 1, 0, 2, 0, 127, 255, 0, 255, 0, 0, 0}));
  EXPECT_EQ(as<int32_t>(cpu(DataType::kINT32)),
            (std::vector<int32_t>{0, 0, 1, -1, 2, -2, 127, 300, -300, INT32_MAX, INT32_MIN, 0, 0}));
  EXPECT_EQ(as<int64_t>(cpu(DataType::kINT64)),
            (std::vector<int64_t>{0, 0, 1, -1, 2, -2, 127, 300, -300, 10000000000, -10000000000, 0, 0}));
  EXPECT_EQ(as<uint8_t>(cpu(DataType::kBOOL)), (std::vector<uint8_t>{0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}));
  // 0.1 in bfloat16: 0x3DCD (round to nearest even of 0x3DCCCCCD); 2.75 is exact; 1e10 keeps its exponent.
  const auto bf = as<uint16_t>(cpu(DataType::kBF16));
  EXPECT_EQ(bf[12], 0x3DCD);
  EXPECT_EQ(trt::bf16ToFloat(bf[4]), 2.75f);
  EXPECT_NEAR(trt::bf16ToFloat(bf[9]), 1e10f, 1e10f / 128);
  EXPECT_TRUE(std::isnan(trt::bf16ToFloat(bf[11])));
  // Half: 1e10 overflows to infinity, 0.1 rounds to 0x2E66.
  const auto h = as<uint16_t>(cpu(DataType::kHALF));
  EXPECT_EQ(h[9], 0x7C00);
  EXPECT_EQ(h[12], 0x2E66);
}

TEST(Casts, EveryPairRoundTripsThroughTheCpu) {
  // From each floating type (the values cast there first) to each type and back to float32 gives what
  // the same value cast from float32 gives: a cast from floating point depends on the value only.
  for (DataType from : {DataType::kFLOAT, DataType::kHALF, DataType::kBF16}) {
    const auto src = castOnce(floats(kValues), DataType::kFLOAT, from, trt::Backend::kCPU);
    const auto back = as<float>(castOnce(src, from, DataType::kFLOAT, trt::Backend::kCPU));
    for (DataType to : kTypes) {
      const auto viaTo =
          as<float>(castOnce(castOnce(src, from, to, trt::Backend::kCPU), to, DataType::kFLOAT, trt::Backend::kCPU));
      const auto directBack = as<float>(castOnce(castOnce(floats(back), DataType::kFLOAT, to, trt::Backend::kCPU), to,
                                                 DataType::kFLOAT, trt::Backend::kCPU));
      ASSERT_EQ(viaTo.size(), directBack.size());
      for (size_t i = 0; i < viaTo.size(); ++i) {
        if (std::isnan(viaTo[i]) && std::isnan(directBack[i])) continue;
        EXPECT_EQ(viaTo[i], directBack[i]) << trt::dataTypeName(from) << " -> " << trt::dataTypeName(to) << " at " << i;
      }
    }
  }
}

TEST(Casts, IntegerNarrowingKeepsTheLowBitsAsTorchDoes) {
  const std::vector<int64_t> v = {300, -300, 10000000000, -1, 0, 255};
  std::vector<uint8_t> bytes(v.size() * 8);
  std::memcpy(bytes.data(), v.data(), bytes.size());
  const auto cpu = [&](DataType to) { return castOnce(bytes, DataType::kINT64, to, trt::Backend::kCPU); };
  EXPECT_EQ(as<int8_t>(cpu(DataType::kINT8)), (std::vector<int8_t>{44, -44, 0, -1, 0, -1}));
  EXPECT_EQ(as<uint8_t>(cpu(DataType::kUINT8)), (std::vector<uint8_t>{44, 212, 0, 255, 0, 255}));
  EXPECT_EQ(as<int32_t>(cpu(DataType::kINT32)), (std::vector<int32_t>{300, -300, 1410065408, -1, 0, 255}));
  EXPECT_EQ(as<uint8_t>(cpu(DataType::kBOOL)), (std::vector<uint8_t>{1, 1, 1, 1, 0, 1}));
}

#ifdef TORCHTRT_WITH_CUDA
TEST(Casts, CudaMatchesTheCpuForEveryPair) {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess || n == 0) GTEST_SKIP() << "no CUDA GPU visible";
  for (DataType from : kTypes) {
    const auto src = castOnce(floats(kValues), DataType::kFLOAT, from, trt::Backend::kCPU);
    for (DataType to : kTypes) {
      if (from == to) continue;
      auto gpu = castOnce(src, from, to, trt::Backend::kCUDA), cpu = castOnce(src, from, to, trt::Backend::kCPU);
      if (to == DataType::kHALF || to == DataType::kBF16) {  // NaN payloads may differ: compare NaN as NaN
        const auto g = as<uint16_t>(gpu), c = as<uint16_t>(cpu);
        for (size_t i = 0; i < g.size(); ++i) {
          const auto value = [&](uint16_t h) {
            return to == DataType::kHALF ? trt::halfToFloat(h) : trt::bf16ToFloat(h);
          };
          if (std::isnan(value(g[i])) && std::isnan(value(c[i])))
            gpu[2 * i] = cpu[2 * i], gpu[2 * i + 1] = cpu[2 * i + 1];
        }
      }
      if (to == DataType::kFLOAT) {
        const auto g = as<float>(gpu), c = as<float>(cpu);
        for (size_t i = 0; i < g.size(); ++i)
          if (std::isnan(g[i]) && std::isnan(c[i])) std::memcpy(gpu.data() + 4 * i, cpu.data() + 4 * i, 4);
      }
      EXPECT_EQ(gpu, cpu) << trt::dataTypeName(from) << " -> " << trt::dataTypeName(to);
    }
  }
  // float32 <-> float16 four elements a thread (the engines' input and output casts), 23 values (a tail of 3): ties
  // between two halves (2049, 1024.5), the largest half and past it (65504, 65519 rounding down, 65520 to
  // infinity), half subnormals and below them, infinities and signed zeros.
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> edges = {2049.f, 1024.5f, 65504.f, 65519.f,  65520.f,  -65520.f, 1e-5f, -1e-5f,
                                    6e-8f,  2.9e-8f, 1e-9f,   -0.f,     0.f,      inf,      -inf,  0.33333334f,
                                    -2.75f, 1.f / 3, 5e-5f,   -6.1e-5f, 3.14159f, 2.71828f, 1e4f};
  const auto cpuHalves = castOnce(floats(edges), DataType::kFLOAT, DataType::kHALF, trt::Backend::kCPU);
  EXPECT_EQ(castOnce(floats(edges), DataType::kFLOAT, DataType::kHALF, trt::Backend::kCUDA), cpuHalves);
  EXPECT_EQ(castOnce(cpuHalves, DataType::kHALF, DataType::kFLOAT, trt::Backend::kCUDA),
            castOnce(cpuHalves, DataType::kHALF, DataType::kFLOAT, trt::Backend::kCPU));
}
#endif
