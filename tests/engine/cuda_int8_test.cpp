// INT8 on the CUDA backend against the CPU reference (skipped without a GPU): the INT8 convolution
// and matrix multiply (exact INT32 sums, the same epilogue arithmetic), Quantize/Dequantize, and
// calibration with batches in device memory.
#include <cmath>
#include <cstring>
#include <tuple>

#include "common/half.h"
#include "engine_test_util.h"
#include "int8_test_util.h"

#ifdef TORCHTRT_WITH_CUDA
#include <cuda_runtime.h>

#include "backends/cuda/cuda_kernels.h"
#include "backends/cuda/cutlass_conv.h"

using namespace trt_test;

namespace {
Built buildFor(trt::INetworkDefinition& net, trt::Backend backend, trt::IInt8Calibrator* calibrator = nullptr) {
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
  config->setBackend(backend);
  config->clearFlag(trt::BuilderFlag::kTF32);
  if (calibrator) {
    config->setFlag(trt::BuilderFlag::kINT8);
    config->setInt8Calibrator(calibrator);
  }
  return build(net, config.get());
}

// Runs "x" -> "y" (float32 or int8 output of `outBytes` per element) on the GPU.
std::vector<uint8_t> runOnGpu(const trt::ICudaEngine& engine, trt::Dims dims, const std::vector<float>& x,
                              size_t outBytes) {
  std::unique_ptr<trt::IExecutionContext> ctx(engine.createExecutionContext());
  ctx->setInputShape("x", dims);
  const size_t nOut = static_cast<size_t>(ctx->getTensorShape("y").volume());
  void *dx = nullptr, *dy = nullptr;
  EXPECT_EQ(cudaMalloc(&dx, x.size() * 4), cudaSuccess);
  EXPECT_EQ(cudaMalloc(&dy, nOut * outBytes), cudaSuccess);
  cudaMemcpy(dx, x.data(), x.size() * 4, cudaMemcpyHostToDevice);
  ctx->setTensorAddress("x", dx);
  ctx->setTensorAddress("y", dy);
  ctx->enqueueV3(nullptr);
  std::vector<uint8_t> y(nOut * outBytes);
  EXPECT_EQ(cudaMemcpy(y.data(), dy, y.size(), cudaMemcpyDeviceToHost), cudaSuccess);
  cudaFree(dx);
  cudaFree(dy);
  return y;
}

std::vector<float> runXYOn(const Built& b, int64_t N, int64_t C, int64_t H, const std::vector<float>& x) {
  return run(*b.engine, {{"x", {{N, C, H, H}, x}}}).at("y");
}

std::vector<float> asFloats(const std::vector<uint8_t>& bytes) {
  std::vector<float> f(bytes.size() / 4);
  std::memcpy(f.data(), bytes.data(), bytes.size());
  return f;
}

// x [N, C, H, W] -> INT8 conv (groups, stride, bias, the residual from an FP32 1x1 convolution of x, relu).
void int8ConvNetwork(trt::INetworkDefinition& net, std::vector<std::vector<float>>& keep, int64_t N, int64_t C,
                     int64_t H, int64_t M, int64_t groups) {
  keep.push_back(randomVector(static_cast<size_t>(M * (C / groups) * 9), 81));
  keep.push_back(randomVector(static_cast<size_t>(M), 82));
  keep.push_back(randomVector(static_cast<size_t>(M * C), 83));
  auto* x = net.addInput("x", trt::DataType::kFLOAT, {N, C, H, H});
  auto* side =
      net.addConvolutionNd(*x, static_cast<int32_t>(M), {1, 1}, {trt::DataType::kFLOAT, keep[2].data(), M * C}, {});
  side->setStrideNd({2, 2});
  auto* conv = net.addConvolutionNd(*x, static_cast<int32_t>(M), {3, 3},
                                    {trt::DataType::kFLOAT, keep[0].data(), static_cast<int64_t>(keep[0].size())},
                                    {trt::DataType::kFLOAT, keep[1].data(), M});
  conv->setStrideNd({2, 2});
  conv->setPaddingNd({1, 1});
  conv->setNbGroups(static_cast<int32_t>(groups));
  std::vector<float> weightScales(static_cast<size_t>(M));
  for (int64_t m = 0; m < M; ++m) weightScales[m] = 0.006f + 0.0001f * static_cast<float>(m);
  conv->setInt8Scales(0.02f, weightScales);
  conv->setInput(1, *side->getOutput(0));
  conv->setFusedActivation(static_cast<int32_t>(trt::ActivationType::kRELU));
  conv->getOutput(0)->setName("y");
  net.markOutput(*conv->getOutput(0));
}
}  // namespace

TEST(CudaInt8, Int8ConvolutionMatchesTheCpuReference) {
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  // Small, and big enough for several 64 x 64 tiles with ragged edges (70 maps, 13 x 13 outputs, K = 360).
  for (auto [N, C, H, M, G] :
       std::vector<std::tuple<int64_t, int64_t, int64_t, int64_t, int64_t>>{{2, 4, 7, 6, 2}, {3, 40, 25, 70, 1}}) {
    std::vector<std::vector<float>> keep;
    trt::INetworkDefinition cpuNet, gpuNet;
    int8ConvNetwork(cpuNet, keep, N, C, H, M, G);
    int8ConvNetwork(gpuNet, keep, N, C, H, M, G);
    Built cpu = buildFor(cpuNet, trt::Backend::kCPU), gpu = buildFor(gpuNet, trt::Backend::kCUDA);
    const std::vector<float> x = randomVector(static_cast<size_t>(N * C * H * H), 84, -2.f, 2.f);
    const auto expected = runXYOn(cpu, N, C, H, x);
    const auto actual = asFloats(runOnGpu(*gpu.engine, {N, C, H, H}, x, 4));
    // The INT32 sums are exact and the epilogue rounds like the CPU's; the FP32 residual
    // convolution (cuDNN vs the CPU's GEMM) differs by summation order only.
    expectNear(actual, expected, 1e-5f);
  }
}

TEST(CudaInt8, ChannelsLastInt8ConvolutionMatchesTheCpuReference) {
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  if (!trt::cuda::int8ConvAvailable()) GTEST_SKIP() << "no sm_90 GPU or a build without CUTLASS";
  // In an FP16 build the INT8 convolution joins a channels-last region and runs as CUTLASS's implicit GEMM: the
  // stem's 3 channels padded to 16, 72 maps (not a multiple of the tile), 64 maps (the 128 x 64 tiles), strides,
  // a 1x1 projection without bias, a residual with ReLU, a 1x1 stride-2 projection whose last input row no output
  // reads (ResNet's downsampling: no padding after it).
  struct Case {
    int64_t N, C, H, M, k, stride, pad;
    bool bias, residual, relu;
  };
  for (const Case& c : std::vector<Case>{{2, 3, 23, 64, 7, 2, 3, true, false, true},
                                         {2, 64, 14, 72, 3, 1, 1, true, true, true},
                                         {3, 40, 9, 128, 1, 1, 0, false, false, false},
                                         {1, 256, 8, 64, 1, 2, 0, true, true, false}}) {
    const int64_t P = (c.H + 2 * c.pad - c.k) / c.stride + 1;
    const std::vector<float> weights = randomVector(static_cast<size_t>(c.M * c.C * c.k * c.k), 91);
    const std::vector<float> bias = randomVector(static_cast<size_t>(c.M), 92);
    std::vector<float> weightScales(static_cast<size_t>(c.M));
    for (int64_t m = 0; m < c.M; ++m) weightScales[m] = 0.006f + 0.0001f * static_cast<float>(m);
    auto convNet = [&](trt::INetworkDefinition& net) {
      auto* x = net.addInput("x", trt::DataType::kFLOAT, {c.N, c.C, c.H, c.H});
      auto* conv =
          net.addConvolutionNd(*x, static_cast<int32_t>(c.M), {c.k, c.k},
                               {trt::DataType::kFLOAT, weights.data(), static_cast<int64_t>(weights.size())},
                               c.bias ? trt::Weights{trt::DataType::kFLOAT, bias.data(), c.M} : trt::Weights{});
      conv->setStrideNd({c.stride, c.stride});
      conv->setPaddingNd({c.pad, c.pad});
      conv->setInt8Scales(0.02f, weightScales);
      if (c.residual) conv->setInput(1, *net.addInput("r", trt::DataType::kFLOAT, {c.N, c.M, P, P}));
      if (c.relu) conv->setFusedActivation(static_cast<int32_t>(trt::ActivationType::kRELU));
      conv->getOutput(0)->setName("y");
      net.markOutput(*conv->getOutput(0));
    };
    trt::INetworkDefinition cpuNet, gpuNet;
    convNet(cpuNet);
    convNet(gpuNet);
    Built cpu = buildFor(cpuNet, trt::Backend::kCPU);
    std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
    std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
    config->setBackend(trt::Backend::kCUDA);
    config->setFlag(trt::BuilderFlag::kFP16);
    Built gpu = build(gpuNet, config.get());
    // Inputs on FP16's grid (multiples of 1/64): the cast to float16 before quantizing changes nothing, so both
    // backends quantize the same values to the same codes.
    std::vector<float> x = randomVector(static_cast<size_t>(c.N * c.C * c.H * c.H), 93, -2.f, 2.f);
    for (float& v : x) v = std::round(v * 64.f) / 64.f;
    std::map<std::string, std::pair<trt::Dims, std::vector<float>>> inputs = {{"x", {{c.N, c.C, c.H, c.H}, x}}};
    if (c.residual) {
      std::vector<float> r = randomVector(static_cast<size_t>(c.N * c.M * P * P), 94, -1.f, 1.f);
      for (float& v : r) v = std::round(v * 256.f) / 256.f;
      inputs["r"] = {{c.N, c.M, P, P}, r};
    }
    // The builder timed CUTLASS's configurations and the plan keeps the choice, which the inspector names.
    const std::string json = gpu.engine->describeLayersJson();
    EXPECT_NE(json.find("\"kernel\":\"CUTLASS sm90 INT8 implicit GEMM"), std::string::npos) << json;
    const int64_t runsBefore = trt::cuda::int8ConvRuns();
    const auto actual = run(*gpu.engine, inputs).at("y");
    EXPECT_GT(trt::cuda::int8ConvRuns(), runsBefore) << "the CUTLASS INT8 convolution did not run";
    // The INT32 sums are exact; the epilogue's float math differs from the CPU's by a fused multiply-add, and the
    // output is rounded to float16: FP16's tolerance.
    const auto expected = run(*cpu.engine, inputs).at("y");
    const trt_test::Tolerance tol = trt_test::toleranceFor(trt::DataType::kHALF);
    ASSERT_EQ(actual.size(), expected.size());
    for (size_t i = 0; i < actual.size(); ++i)
      ASSERT_NEAR(actual[i], expected[i], tol.atol + tol.rtol * std::fabs(expected[i]))
          << "at " << i << " (C " << c.C << ", M " << c.M << ", k " << c.k << ")";
  }
}

TEST(CudaInt8, Int8MatrixMultiplyMatchesTheCpuReference) {
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  // K = 64 takes cuBLAS's INT8 GEMM, K = 37 the own kernel (rows not a multiple of 4); 130 x 70
  // outputs cover ragged 64 x 64 tiles. Batch dimensions, bias, alpha and ReLU on both; a residual on the
  // second.
  for (int64_t K : {64, 37}) {
    const int64_t B = 2, M = 65, N = 70;
    std::vector<int8_t> weights(static_cast<size_t>(N * K));
    const std::vector<float> w = randomVector(weights.size(), 94, -127.f, 127.f);
    for (size_t i = 0; i < w.size(); ++i) weights[i] = static_cast<int8_t>(std::lround(w[i]));
    const std::vector<float> bias = randomVector(static_cast<size_t>(N), 95);
    const std::vector<float> residual = randomVector(static_cast<size_t>(B * M * N), 98);
    std::vector<float> weightScales(static_cast<size_t>(N));
    for (int64_t n = 0; n < N; ++n) weightScales[n] = 0.002f + 0.0001f * static_cast<float>(n);
    auto productNet = [&](trt::INetworkDefinition& net) {
      auto* x = net.addInput("x", trt::DataType::kFLOAT, {B, M, K});
      auto* b = net.addConstant({N}, {trt::DataType::kFLOAT, bias.data(), N});
      auto* wc = net.addConstant({N, K}, {trt::DataType::kINT8, weights.data(), N * K});
      auto* mm =
          net.addMatrixMultiply(*x, trt::MatrixOperation::kNONE, *wc->getOutput(0), trt::MatrixOperation::kTRANSPOSE);
      mm->setInt8Scales(0.015f, weightScales);
      mm->setAlpha(0.75f);
      mm->setInput(2, *b->getOutput(0));
      if (K == 37) {
        auto* r = net.addConstant({B, M, N}, {trt::DataType::kFLOAT, residual.data(), B * M * N});
        net.moveLayer(r, net.indexOf(mm));  // computed before the product reads it
        mm->setInput(3, *r->getOutput(0));
      }
      mm->setFusedActivation(static_cast<int32_t>(trt::ActivationType::kRELU));
      mm->getOutput(0)->setName("y");
      net.markOutput(*mm->getOutput(0));
    };
    trt::INetworkDefinition cpuNet, gpuNet;
    productNet(cpuNet);
    productNet(gpuNet);
    Built cpu = buildFor(cpuNet, trt::Backend::kCPU), gpu = buildFor(gpuNet, trt::Backend::kCUDA);
    const std::vector<float> x = randomVector(static_cast<size_t>(B * M * K), 96, -2.f, 2.f);
    const auto expected = run(*cpu.engine, {{"x", {{B, M, K}, x}}}).at("y");
    EXPECT_EQ(asFloats(runOnGpu(*gpu.engine, {B, M, K}, x, 4)), expected) << "K = " << K;  // bit for bit
  }
}

TEST(CudaInt8, QuantizeAndDequantizeMatchTheCpu) {
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  const std::vector<float> scales = {0.01f, 0.02f, 0.05f};
  auto quantizeNet = [&](trt::INetworkDefinition& net) {
    auto* x = net.addInput("x", trt::DataType::kFLOAT, {2, 3, 40});
    auto* q = net.addQuantize(*x, scales, 1);
    q->getOutput(0)->setName("y");
    net.markOutput(*q->getOutput(0));
  };
  trt::INetworkDefinition cpuNet, gpuNet;
  quantizeNet(cpuNet);
  quantizeNet(gpuNet);
  Built cpu = buildFor(cpuNet, trt::Backend::kCPU), gpu = buildFor(gpuNet, trt::Backend::kCUDA);
  const std::vector<float> x = randomVector(240, 85, -3.f, 3.f);
  std::vector<int8_t> expected(240);
  {
    std::unique_ptr<trt::IExecutionContext> ctx(cpu.engine->createExecutionContext());
    std::vector<float> in = x;
    ctx->setTensorAddress("x", in.data());
    ctx->setTensorAddress("y", expected.data());
    ctx->enqueueV3(nullptr);
  }
  const auto actual = runOnGpu(*gpu.engine, {2, 3, 40}, x, 1);
  EXPECT_EQ(std::memcmp(actual.data(), expected.data(), 240), 0);

  auto fakeQuantNet = [&](trt::INetworkDefinition& net) {
    auto* x = net.addInput("x", trt::DataType::kFLOAT, {2, 3, 40});
    auto* q = net.addQuantize(*x, {0.03f});
    auto* dq = net.addDequantize(*q->getOutput(0), {0.03f});
    dq->getOutput(0)->setName("y");
    net.markOutput(*dq->getOutput(0));
  };
  trt::INetworkDefinition cpuNet2, gpuNet2;
  fakeQuantNet(cpuNet2);
  fakeQuantNet(gpuNet2);
  Built cpu2 = buildFor(cpuNet2, trt::Backend::kCPU), gpu2 = buildFor(gpuNet2, trt::Backend::kCUDA);
  EXPECT_EQ(asFloats(runOnGpu(*gpu2.engine, {2, 3, 40}, x, 4)), run(*cpu2.engine, {{"x", {{2, 3, 40}, x}}}).at("y"));

  // Float16 in (the shared quantization before channels-last INT8 convolutions): one scale (eight values a thread)
  // and one per channel (the element-wise kernel), the same codes as the CPU's.
  std::vector<uint16_t> halves(240);
  for (size_t i = 0; i < halves.size(); ++i) halves[i] = trt::floatToHalf(x[i]);
  for (const std::vector<float>& halfScales : {std::vector<float>{0.02f}, scales}) {
    auto halfNet = [&](trt::INetworkDefinition& net) {
      auto* x = net.addInput("x", trt::DataType::kHALF, {2, 3, 40});
      auto* q = net.addQuantize(*x, halfScales, halfScales.size() > 1 ? 1 : -1);
      q->getOutput(0)->setName("y");
      net.markOutput(*q->getOutput(0));
    };
    trt::INetworkDefinition cpuNet3, gpuNet3;
    halfNet(cpuNet3);
    halfNet(gpuNet3);
    Built cpu3 = buildFor(cpuNet3, trt::Backend::kCPU), gpu3 = buildFor(gpuNet3, trt::Backend::kCUDA);
    const std::map<std::string, trt_test::HostTensor> in = {{"x", trt_test::hostTensor({2, 3, 40}, halves)}};
    EXPECT_EQ(trt_test::runBytes(*gpu3.engine, in).at("y"), trt_test::runBytes(*cpu3.engine, in).at("y"))
        << halfScales.size() << " scale(s)";
  }
}

TEST(CudaInt8, CalibrationLeavesConvolutionsOfFewInputChannelsInFloat) {
  // The CUDA INT8 kernels read 16 channels a tap: an RGB stem (3 channels padded to 16) or a group of 8 channels
  // does several times the work of its float form, so calibration leaves them float on this backend (the CPU's
  // INT8 kernels have no such step and take them). The predicate needs no GPU: it reads the network.
  std::vector<float> w3(16 * 3 * 49, 0.1f), w16(32 * 16 * 9, 0.1f), wg(32 * 8 * 9, 0.1f);
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", trt::DataType::kFLOAT, {2, 3, 32, 32});
  auto* stem = net.addConvolutionNd(*x, 16, {7, 7}, {trt::DataType::kFLOAT, w3.data(), 16 * 3 * 49}, {});
  auto* dense =
      net.addConvolutionNd(*stem->getOutput(0), 32, {3, 3}, {trt::DataType::kFLOAT, w16.data(), 32 * 16 * 9}, {});
  auto* grouped =
      net.addConvolutionNd(*dense->getOutput(0), 32, {3, 3}, {trt::DataType::kFLOAT, wg.data(), 32 * 8 * 9}, {});
  grouped->setNbGroups(4);
  net.markOutput(*grouped->getOutput(0));
  EXPECT_FALSE(trt::cuda::int8ConvolutionPays(*stem)) << "3 input channels";
  EXPECT_TRUE(trt::cuda::int8ConvolutionPays(*dense)) << "16 input channels";
  EXPECT_FALSE(trt::cuda::int8ConvolutionPays(*grouped)) << "8 input channels a group";
}

TEST(CudaInt8, ACalibratorGivingHostMemoryIsRefusedByName) {
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  // IInt8Calibrator::getBatch gives the target backend's memory; a calibrator that gives a CUDA build pageable host
  // memory is refused before the run, naming the input and the batch (the first kernel would fault, and a later call
  // report it as another call's failure). A GPU with pageable-memory access (HMM) reads it, and the build succeeds.
  int device = 0, pageable = 0;
  ASSERT_EQ(cudaGetDevice(&device), cudaSuccess);
  ASSERT_EQ(cudaDeviceGetAttribute(&pageable, cudaDevAttrPageableMemoryAccess, device), cudaSuccess);
  std::vector<float> weights = randomVector(16 * 16 * 9, 90);
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", trt::DataType::kFLOAT, {2, 16, 6, 6});
  auto* c = net.addConvolutionNd(*x, 16, {3, 3}, {trt::DataType::kFLOAT, weights.data(), 16 * 16 * 9}, {});
  c->getOutput(0)->setName("y");
  net.markOutput(*c->getOutput(0));
  trt_test::VectorCalibrator calibrator({randomVector(2 * 16 * 36, 91)}, trt::CalibrationAlgoType::kMINMAX_CALIBRATION,
                                        2);
  calibrator.giveHostMemory = true;
  try {
    Built gpu = buildFor(net, trt::Backend::kCUDA, &calibrator);
    EXPECT_TRUE(pageable) << "a build read pageable host memory on a GPU without pageable-memory access";
  } catch (const trt::Error& e) {
    EXPECT_FALSE(pageable) << e.what();
    EXPECT_NE(std::string(e.what()).find("INT8 calibration: the calibrator's memory for input 'x' in batch 0 is host "
                                         "memory the GPU cannot read"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(cudaGetLastError(), cudaSuccess) << "no fault left behind";
}

TEST(CudaInt8, CalibrationReadsBatchesInDeviceMemory) {
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  // Two FP32 convolutions of 16 input channels (fewer stay float on CUDA: ExecutionBackend::quantizesConvolution);
  // the calibrator's batches live on the GPU.
  class DeviceCalibrator : public trt::IInt8MinMaxCalibrator {
   public:
    explicit DeviceCalibrator(const std::vector<std::vector<float>>& batches) {
      for (const auto& b : batches) {
        void* d = nullptr;
        cudaMalloc(&d, b.size() * 4);
        cudaMemcpy(d, b.data(), b.size() * 4, cudaMemcpyHostToDevice);
        device_.push_back(d);
      }
    }
    ~DeviceCalibrator() override {
      for (void* d : device_) cudaFree(d);
    }
    int32_t getBatchSize() const override { return 2; }
    bool getBatch(void* bindings[], const char*[], int32_t) override {
      if (next_ >= device_.size()) return false;
      bindings[0] = device_[next_++];
      return true;
    }
    const void* readCalibrationCache(size_t& length) override {
      length = 0;
      return nullptr;
    }
    void writeCalibrationCache(const void* data, size_t length) override {
      cache.assign(static_cast<const char*>(data), length);
    }
    void setTargetBackend(trt::Backend backend, int32_t) override { target = backend; }
    std::string cache;
    trt::Backend target = trt::Backend::kCPU;

   private:
    std::vector<void*> device_;
    size_t next_ = 0;
  };
  std::vector<std::vector<float>> keep;
  keep.push_back(randomVector(16 * 16 * 9, 86));
  keep.push_back(randomVector(3 * 16 * 9, 87));
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", trt::DataType::kFLOAT, {2, 16, 6, 6});
  auto* c1 = net.addConvolutionNd(*x, 16, {3, 3}, {trt::DataType::kFLOAT, keep[0].data(), 16 * 16 * 9}, {});
  c1->setPaddingNd({1, 1});
  auto* r = net.addActivation(*c1->getOutput(0), trt::ActivationType::kRELU);
  auto* c2 = net.addConvolutionNd(*r->getOutput(0), 3, {3, 3}, {trt::DataType::kFLOAT, keep[1].data(), 3 * 16 * 9}, {});
  c2->getOutput(0)->setName("y");
  net.markOutput(*c2->getOutput(0));
  std::vector<std::vector<float>> batches = {randomVector(2 * 16 * 36, 88), randomVector(2 * 16 * 36, 89)};
  batches[1][5] = 2.5f;  // the input's largest |x|
  DeviceCalibrator calibrator(batches);
  Built gpu = buildFor(net, trt::Backend::kCUDA, &calibrator);
  EXPECT_EQ(calibrator.target, trt::Backend::kCUDA);
  float scale = 2.5f / 127.f;
  uint32_t bits;
  std::memcpy(&bits, &scale, 4);
  char line[32];
  std::snprintf(line, sizeof(line), "x: %08x\n", bits);
  EXPECT_NE(calibrator.cache.find(line), std::string::npos) << calibrator.cache;
  EXPECT_NE(gpu.engine->describeLayers().find("[int8]"), std::string::npos);
  // The CPU engine built from the cache the GPU calibration wrote computes the same INT8 numbers.
  class CacheOnly : public trt::IInt8MinMaxCalibrator {
   public:
    explicit CacheOnly(std::string cache) : cache_(std::move(cache)) {}
    int32_t getBatchSize() const override { return 2; }
    bool getBatch(void*[], const char*[], int32_t) override { return false; }
    const void* readCalibrationCache(size_t& length) override {
      length = cache_.size();
      return cache_.data();
    }
    void writeCalibrationCache(const void*, size_t) override {}

   private:
    std::string cache_;
  };
  CacheOnly fromCache(calibrator.cache);
  trt::INetworkDefinition cpuNet;
  auto* x2 = cpuNet.addInput("x", trt::DataType::kFLOAT, {2, 16, 6, 6});
  auto* d1 = cpuNet.addConvolutionNd(*x2, 16, {3, 3}, {trt::DataType::kFLOAT, keep[0].data(), 16 * 16 * 9}, {});
  d1->setPaddingNd({1, 1});
  auto* r2 = cpuNet.addActivation(*d1->getOutput(0), trt::ActivationType::kRELU);
  auto* d2 =
      cpuNet.addConvolutionNd(*r2->getOutput(0), 3, {3, 3}, {trt::DataType::kFLOAT, keep[1].data(), 3 * 16 * 9}, {});
  d2->getOutput(0)->setName("y");
  cpuNet.markOutput(*d2->getOutput(0));
  Built cpu = buildFor(cpuNet, trt::Backend::kCPU, &fromCache);
  const auto expected = run(*cpu.engine, {{"x", {{2, 16, 6, 6}, batches[0]}}}).at("y");
  const auto actual = asFloats(runOnGpu(*gpu.engine, {2, 16, 6, 6}, batches[0], 4));
  expectNear(actual, expected, 1e-5f);
}
#endif
