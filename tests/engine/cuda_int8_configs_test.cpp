// Every CUTLASS INT8 convolution configuration against a host reference, kernel by kernel (skipped without an sm_90
// GPU): the builder times the configurations and keeps the fastest, so a network test runs one of them; this runs
// each one that takes a problem (the implicit GEMMs 0 to 2 and 6 to 8 on every geometry, the 1x1 GEMMs 3 to 5 on 1x1
// convolutions of stride 1), with every epilogue (ReLU, none, a residual, INT8 codes out with no, an FP16 or an
// INT8 residual).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "common/half.h"
#include "engine_test_util.h"

#ifdef TORCHTRT_WITH_CUDA
#include <cuda_runtime.h>

#include "backends/cuda/cutlass_conv.h"

namespace {

struct ConvCase {
  int64_t N, H, C, K, R, stride, pad;
  bool bias, residual, relu, codesOut;
  bool residualCodes = false;  // an INT8 residual (codes out only)
  float residualScale = 1.f;   // the epilogue's factor on the residual (1 / s_out for an FP16 one into codes)
};

// Device memory freed at scope exit.
struct DeviceBuffer {
  void* data = nullptr;
  explicit DeviceBuffer(size_t bytes) { EXPECT_EQ(cudaMalloc(&data, bytes), cudaSuccess); }
  ~DeviceBuffer() { cudaFree(data); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
};

template <typename T>
void upload(DeviceBuffer& buffer, const std::vector<T>& host) {
  ASSERT_EQ(cudaMemcpy(buffer.data, host.data(), host.size() * sizeof(T), cudaMemcpyHostToDevice), cudaSuccess);
}

std::vector<int8_t> randomCodes(size_t n, uint32_t seed, float range) {
  const std::vector<float> values = trt_test::randomVector(n, seed, -range, range);
  std::vector<int8_t> codes(n);
  for (size_t i = 0; i < n; ++i) codes[i] = static_cast<int8_t>(std::lround(values[i]));
  return codes;
}

}  // namespace

TEST(CudaInt8Configs, EveryCutlassConfigurationMatchesTheHostReference) {
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  if (!trt::cuda::int8ConvAvailable()) GTEST_SKIP() << "no sm_90 GPU or a build without CUTLASS";
  // 1x1 products with 64 and 256 output maps (ragged rows: N*H*W not a multiple of any tile), a 1x1 with a residual,
  // one without bias or activation of 136 maps (not a multiple of 128), codes out of a 1x1 and of a 3x3, a 3x3 and
  // a 1x1 stride-2 projection (the implicit GEMMs alone).
  const std::vector<ConvCase> cases = {
      {2, 9, 64, 64, 1, 1, 0, true, false, true, false},
      {1, 7, 256, 256, 1, 1, 0, true, false, true, false},
      {2, 5, 64, 256, 1, 1, 0, true, true, true, false},
      {1, 6, 48, 136, 1, 1, 0, false, false, false, false},
      {2, 9, 256, 64, 1, 1, 0, true, false, true, true},
      {1, 8, 64, 64, 3, 1, 1, true, false, true, true},
      {2, 8, 32, 72, 3, 1, 1, true, true, true, false},
      {1, 9, 64, 128, 1, 2, 0, true, false, false, false},
      // Codes out adding a residual: FP16 (a projection's output) on a 1x1, INT8 codes on a 3x3 and a 1x1.
      {2, 9, 64, 64, 1, 1, 0, true, true, true, true, false, 4.f},
      {1, 8, 64, 64, 3, 1, 1, true, true, true, true, true, 0.5f},
      {2, 5, 64, 256, 1, 1, 0, true, true, true, true, true, 0.5f}};
  for (const ConvCase& c : cases) {
    const int64_t P = (c.H + 2 * c.pad - c.R) / c.stride + 1;
    const size_t nIn = static_cast<size_t>(c.N * c.H * c.H * c.C), nFilter = static_cast<size_t>(c.K * c.R * c.R * c.C),
                 nOut = static_cast<size_t>(c.N * P * P * c.K);
    const std::vector<int8_t> input = randomCodes(nIn, 11, 127.f), filter = randomCodes(nFilter, 12, 127.f);
    // Scales that keep the outputs in FP16's (and the codes') range: sums reach ~C * R * R * 127 * 127 / 3.
    const float spread = static_cast<float>(c.C * c.R * c.R) * 127.f * 127.f / 3.f;
    std::vector<float> alpha(static_cast<size_t>(c.K)), bias = trt_test::randomVector(alpha.size(), 13, -2.f, 2.f);
    for (int64_t k = 0; k < c.K; ++k) alpha[k] = (c.codesOut ? 40.f : 4.f) * (1.f + 0.01f * k) / spread;
    std::vector<uint16_t> residual(nOut);
    const std::vector<float> residualValues = trt_test::randomVector(nOut, 14, -1.f, 1.f);
    for (size_t i = 0; i < nOut; ++i) residual[i] = trt::floatToHalf(residualValues[i]);
    const std::vector<int8_t> residualCodes = randomCodes(nOut, 15, 40.f);

    // The reference: exact INT32 sums, the epilogue's float math.
    std::vector<float> expected(nOut);
    for (int64_t n = 0; n < c.N; ++n)
      for (int64_t p = 0; p < P; ++p)
        for (int64_t q = 0; q < P; ++q)
          for (int64_t k = 0; k < c.K; ++k) {
            int32_t sum = 0;
            for (int64_t r = 0; r < c.R; ++r)
              for (int64_t s = 0; s < c.R; ++s) {
                const int64_t h = p * c.stride - c.pad + r, w = q * c.stride - c.pad + s;
                if (h < 0 || h >= c.H || w < 0 || w >= c.H) continue;
                for (int64_t ch = 0; ch < c.C; ++ch)
                  sum += int32_t(input[((n * c.H + h) * c.H + w) * c.C + ch]) *
                         int32_t(filter[((k * c.R + r) * c.R + s) * c.C + ch]);
              }
            const size_t o = static_cast<size_t>(((n * P + p) * P + q) * c.K + k);
            float y = alpha[k] * static_cast<float>(sum) + (c.bias ? bias[k] : 0.f);
            if (c.residual)
              y += c.residualScale *
                   (c.residualCodes ? static_cast<float>(residualCodes[o]) : trt::halfToFloat(residual[o]));
            expected[o] = c.relu ? std::max(y, 0.f) : y;
          }

    DeviceBuffer dIn(nIn), dFilter(nFilter), dAlpha(alpha.size() * 4), dBias(bias.size() * 4), dResidual(nOut * 2),
        dOut(nOut * 2);
    upload(dIn, input);
    upload(dFilter, filter);
    upload(dAlpha, alpha);
    upload(dBias, bias);
    if (c.residualCodes)
      upload(dResidual, residualCodes);
    else
      upload(dResidual, residual);
    trt::cuda::Int8ConvProblem problem;
    problem.N = c.N;
    problem.H = problem.W = c.H;
    problem.C = c.C;
    problem.K = c.K;
    problem.R = problem.S = c.R;
    problem.P = problem.Q = P;
    problem.padH = problem.padW = static_cast<int32_t>(c.pad);
    problem.strideH = problem.strideW = static_cast<int32_t>(c.stride);
    problem.input = dIn.data;
    problem.filter = dFilter.data;
    problem.alpha = static_cast<const float*>(dAlpha.data);
    problem.bias = c.bias ? static_cast<const float*>(dBias.data) : nullptr;
    problem.residual = c.residual ? dResidual.data : nullptr;
    problem.output = dOut.data;
    problem.relu = c.relu;
    problem.codesOut = c.codesOut;
    problem.residualCodes = c.residualCodes;
    problem.residualScale = c.residualScale;

    const bool isPointwise = c.R == 1 && c.stride == 1 && c.pad == 0;
    int ranConfigs = 0;
    for (int32_t config = 0; config < trt::cuda::int8ConvConfigs(); ++config) {
      const int64_t workspace = trt::cuda::int8ConvWorkspace(config, problem);
      // The 1x1 GEMMs take exactly the 1x1 convolutions of stride 1 (and every one of these).
      if ((config >= 3 && config <= 5) || config >= 9) {
        EXPECT_EQ(workspace == 0, isPointwise) << "configuration " << config << ", case C " << c.C << " K " << c.K;
      }
      if (workspace != 0) continue;
      ASSERT_EQ(cudaMemset(dOut.data, 0x7f, nOut * 2), cudaSuccess);
      ASSERT_TRUE(trt::cuda::runInt8Conv(config, problem, nullptr, nullptr)) << "configuration " << config;
      ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
      ++ranConfigs;
      std::vector<uint8_t> out(nOut * (c.codesOut ? 1 : 2));
      ASSERT_EQ(cudaMemcpy(out.data(), dOut.data, out.size(), cudaMemcpyDeviceToHost), cudaSuccess);
      for (size_t i = 0; i < nOut; ++i) {
        if (c.codesOut) {
          // Codes: clamp(round_half_even(y)); a fused multiply-add may move a value across a rounding boundary.
          const float want = std::min(127.f, std::max(-128.f, std::nearbyint(expected[i])));
          const float got = static_cast<float>(static_cast<int8_t>(out[i]));
          ASSERT_LE(std::fabs(got - want), 1.f) << "configuration " << config << " at " << i;
        } else {
          uint16_t bits = 0;
          std::memcpy(&bits, &out[2 * i], 2);
          const trt_test::Tolerance tol = trt_test::toleranceFor(trt::DataType::kHALF);
          ASSERT_NEAR(trt::halfToFloat(bits), expected[i], tol.atol + tol.rtol * std::fabs(expected[i]))
              << "configuration " << config << " at " << i << " (C " << c.C << ", K " << c.K << ", R " << c.R << ")";
        }
      }
    }
    EXPECT_GE(ranConfigs, isPointwise ? 8 : 3) << "case C " << c.C << " K " << c.K << " R " << c.R;
  }
}

#endif  // TORCHTRT_WITH_CUDA
