// FP8 products that write FP8 codes (IMatrixMultiplyLayer::setFp8OutputScale, builder pass
// foldFp8QuantizeIntoProduct): when the fold applies and when it does not, the folded engine's output bit for bit the
// unfolded one's on the CPU reference (float32, float16 and bfloat16 builds) and through a plan, the layer's checks,
// and on a GPU of compute capability 8.9 or newer every tactic of the CUDA backend (cuBLASLt's ranking followed by the
// quantization kernel, and on sm_90 CUTLASS's configurations writing the codes in their epilogue) against the CPU.
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "builder/passes/passes.h"
#include "common/fp8.h"
#include "engine_test_util.h"
#include "plan/plan.h"

using namespace trt_test;

namespace {
constexpr int64_t kRows = 250, kK = 64, kN = 128;  // rows: not a whole number of tiles

// x [rows, K] -> FP8 product by [N, K] (input scale 0.01, a bias, `activation` fused) -> Quantize to FP8 (scale
// 0.05, `quantizeActivation` folded in) -> Dequantize -> "y". With `productOutput` the product's output is an output
// too ("p"), which keeps the quantization a layer of its own (the unfolded form).
struct Ffn {
  std::vector<float> weights = randomVector(static_cast<size_t>(kN * kK), 301, -0.3f, 0.3f);
  std::vector<float> bias = randomVector(static_cast<size_t>(kN), 302, -0.5f, 0.5f);
  trt::INetworkDefinition net;
  trt::IMatrixMultiplyLayer* mm = nullptr;
  trt::IQuantizeLayer* q = nullptr;
  Ffn(trt::ActivationType activation, int32_t quantizeActivation = -1, bool productOutput = false) {
    auto* x = net.addInput("x", trt::DataType::kFLOAT, {kRows, kK});
    auto* w = net.addConstant({kN, kK}, {trt::DataType::kFLOAT, weights.data(), kN * kK});
    mm = net.addMatrixMultiply(*x, trt::MatrixOperation::kNONE, *w->getOutput(0), trt::MatrixOperation::kTRANSPOSE);
    auto* b = net.addConstant({kN}, {trt::DataType::kFLOAT, bias.data(), kN});
    net.moveLayer(b, net.indexOf(mm));
    mm->setInput(2, *b->getOutput(0));
    if (static_cast<int32_t>(activation) >= 0) mm->setFusedActivation(static_cast<int32_t>(activation));
    trt::passes::switchToFp8(net, *mm, 0.01f);
    q = net.addQuantize(*mm->getOutput(0), {0.05f});
    q->setToType(trt::DataType::kFP8);
    q->setFusedActivation(quantizeActivation);
    auto* dq = net.addDequantize(*q->getOutput(0), {0.05f});
    dq->getOutput(0)->setName("y");
    net.markOutput(*dq->getOutput(0));
    if (productOutput) {
      mm->getOutput(0)->setName("p");
      net.markOutput(*mm->getOutput(0));
    }
  }
};

const auto kAlways = [](const trt::IMatrixMultiplyLayer&, int32_t) { return true; };
constexpr auto kGelu = trt::ActivationType::kGELU_ERF;
constexpr auto kNone = static_cast<trt::ActivationType>(-1);

std::unique_ptr<trt::IBuilderConfig> configFor(trt::Backend backend, trt::BuilderFlag precision) {
  std::unique_ptr<trt::IBuilderConfig> config(new trt::IBuilderConfig());
  config->setBackend(backend);
  config->clearFlag(trt::BuilderFlag::kTF32);
  if (precision != trt::BuilderFlag::kTF32) config->setFlag(precision);
  return config;
}

const char* nameOf(trt::BuilderFlag precision) {
  return precision == trt::BuilderFlag::kFP16   ? "float16"
         : precision == trt::BuilderFlag::kBF16 ? "bfloat16"
                                                : "float32";
}
}  // namespace

TEST(Fp8ProductCodes, AQuantizationReadingAnFp8ProductAloneFoldsIntoIt) {
  {  // The quantization's GELU moves into the product (BERT's: the builder folds the GELU layer into the quantization).
    Ffn ffn(kNone, static_cast<int32_t>(kGelu));
    ASSERT_EQ(trt::passes::foldFp8QuantizeIntoProduct(ffn.net, kAlways), 1);
    EXPECT_EQ(ffn.mm->getFp8OutputScale(), 0.05f);
    EXPECT_EQ(ffn.mm->getFusedActivation(), static_cast<int32_t>(kGelu));
    EXPECT_EQ(ffn.mm->getOutput(0)->getType(), trt::DataType::kFP8);
    EXPECT_EQ(countLayersOfType(ffn.net, trt::LayerType::kQUANTIZE), 0);
  }
  {  // The product's own ReLU stays (it commutes with the rounding the quantization read).
    Ffn ffn(trt::ActivationType::kRELU);
    ASSERT_EQ(trt::passes::foldFp8QuantizeIntoProduct(ffn.net, kAlways), 1);
    EXPECT_EQ(ffn.mm->getFusedActivation(), static_cast<int32_t>(trt::ActivationType::kRELU));
  }
  // What stays: a product something else reads, the product's own GELU (computed before the rounding the quantization
  // read), two activations, one a product cannot carry, a backend's refusal.
  Ffn shared(kNone, static_cast<int32_t>(kGelu), true), ownGelu(kGelu),
      both(trt::ActivationType::kRELU, static_cast<int32_t>(kGelu)),
      silu(kNone, static_cast<int32_t>(trt::ActivationType::kSILU)), refused(kNone, static_cast<int32_t>(kGelu));
  EXPECT_EQ(trt::passes::foldFp8QuantizeIntoProduct(shared.net, kAlways), 0);
  EXPECT_EQ(trt::passes::foldFp8QuantizeIntoProduct(ownGelu.net, kAlways), 0);
  EXPECT_EQ(trt::passes::foldFp8QuantizeIntoProduct(both.net, kAlways), 0);
  EXPECT_EQ(trt::passes::foldFp8QuantizeIntoProduct(silu.net, kAlways), 0);
  EXPECT_EQ(trt::passes::foldFp8QuantizeIntoProduct(
                refused.net, [](const trt::IMatrixMultiplyLayer&, int32_t activation) { return activation < 0; }),
            0);
  for (const Ffn* kept : {&shared, &ownGelu, &both, &silu, &refused}) {
    EXPECT_EQ(kept->mm->getFp8OutputScale(), 0.f);
    EXPECT_EQ(countLayersOfType(kept->net, trt::LayerType::kQUANTIZE), 1);
  }
}

TEST(Fp8ProductCodes, TheFoldedProductWritesTheUnfoldedCodesBitForBit) {
  // The folded product stores its value in its float type and quantizes that through the activation, as the unfolded
  // product's stored output quantized by the Quantize layer: the same codes on the CPU reference in every float type,
  // with the GELU on the quantization (BERT's), the product's ReLU or none, and through a plan.
  const std::vector<float> x = randomVector(static_cast<size_t>(kRows * kK), 303, -4.f, 4.f);
  const std::pair<trt::ActivationType, int32_t> activations[] = {
      {kNone, static_cast<int32_t>(kGelu)}, {trt::ActivationType::kRELU, -1}, {kNone, -1}};
  for (trt::BuilderFlag precision : {trt::BuilderFlag::kTF32, trt::BuilderFlag::kFP16, trt::BuilderFlag::kBF16})
    for (const auto& [own, quantizations] : activations) {
      const int32_t activation = own == kNone ? quantizations : static_cast<int32_t>(own);
      Ffn folded(own, quantizations), unfolded(own, quantizations, true);
      Built f = build(folded.net, configFor(trt::Backend::kCPU, precision).get());
      Built u = build(unfolded.net, configFor(trt::Backend::kCPU, precision).get());
      const std::string layers = f.engine->describeLayers();
      EXPECT_EQ(layers.find("Quantize"), std::string::npos) << layers;
      EXPECT_NE(layers.find(" fp8 [fp8]"), std::string::npos) << layers;
      EXPECT_NE(u.engine->describeLayers().find("Quantize"), std::string::npos) << u.engine->describeLayers();
      const auto got = run(*f.engine, {{"x", {trt::Dims{kRows, kK}, x}}}).at("y");
      const auto expected = run(*u.engine, {{"x", {trt::Dims{kRows, kK}, x}}}).at("y");
      ASSERT_EQ(got.size(), expected.size());
      int saturated = 0;
      for (size_t i = 0; i < got.size(); ++i) {
        ASSERT_EQ(got[i], expected[i]) << "at " << i << ", " << nameOf(precision) << ", activation " << activation;
        saturated += std::fabs(got[i]) == trt::fp8::kMax * 0.05f;
      }
      EXPECT_LT(saturated, static_cast<int>(got.size()) / 100) << "the scale must leave the codes' range in use";
      // The plan keeps the output scale.
      std::unique_ptr<trt::IRuntime> rt(trt::createInferRuntime(trt::defaultLogger()));
      std::unique_ptr<trt::ICudaEngine> loaded(rt->deserializeCudaEngine(f.plan.data(), f.plan.size()));
      ASSERT_TRUE(loaded);
      EXPECT_EQ(run(*loaded, {{"x", {trt::Dims{kRows, kK}, x}}}).at("y"), got);
    }
}

TEST(Fp8ProductCodes, TheLayerChecksItsOutputScale) {
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", trt::DataType::kFLOAT, {4, 16});
  std::vector<float> w = randomVector(16 * 16, 304);
  auto* c = net.addConstant({16, 16}, {trt::DataType::kFLOAT, w.data(), 256});
  auto* mm = net.addMatrixMultiply(*x, trt::MatrixOperation::kNONE, *c->getOutput(0), trt::MatrixOperation::kTRANSPOSE);
  auto message = [&](float scale) {
    try {
      mm->setFp8OutputScale(scale);
    } catch (const trt::Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(message(0.5f).find("needs an FP8 product (setFp8Scales first)"), std::string::npos) << message(0.5f);
  trt::passes::switchToFp8(net, *mm, 0.01f);
  EXPECT_NE(message(-1.f).find("the FP8 output scale must be positive and finite"), std::string::npos) << message(-1.f);
  EXPECT_NE(message(INFINITY).find("got inf"), std::string::npos) << message(INFINITY);
  EXPECT_EQ(message(0.5f), "");
  EXPECT_EQ(mm->getOutput(0)->getType(), trt::DataType::kFP8);
  // No residual with codes out.
  std::vector<float> r(4 * 16, 0.f);
  auto* residual = net.addConstant({4, 16}, {trt::DataType::kFLOAT, r.data(), 64});
  auto* b = net.addConstant({16}, {trt::DataType::kFLOAT, r.data(), 16});
  net.moveLayer(residual, 0);
  net.moveLayer(b, 0);
  mm->setInput(2, *b->getOutput(0));
  mm->setInput(3, *residual->getOutput(0));
  mm->getOutput(0)->setName("y");
  net.markOutput(*mm->getOutput(0));
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  trt::IBuilderConfig config;
  try {
    std::unique_ptr<trt::IHostMemory> plan(builder->buildSerializedNetwork(net, config));
    FAIL() << "a codes-out product with a residual built";
  } catch (const trt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("takes no residual"), std::string::npos) << e.what();
  }
}

#ifdef TORCHTRT_WITH_CUDA
#include <cuda_runtime.h>

#include "backends/cuda/cutlass_fp8_codes.h"
#include "backends/cuda/cutlass_gemm.h"

TEST(CudaFp8ProductCodes, EveryTacticWritesTheCpusCodes) {
  int device = 0, major = 0, minor = 0;
  if (!gpuVisible() || cudaGetDevice(&device) != cudaSuccess ||
      cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device) != cudaSuccess ||
      cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, device) != cudaSuccess ||
      !(major > 8 || (major == 8 && minor >= 9)))
    GTEST_SKIP() << "no CUDA GPU of compute capability 8.9 or newer visible";
  // Each tactic forced through the plan: cuBLASLt's own pick and ranked algorithms (then the quantization kernel),
  // and where the GPU runs sm_90a CUTLASS's configurations (codes from their epilogue). The sums differ from the CPU's
  // float32 sums by the FP8 tensor cores' reduced-precision partial sums (kFp8TensorCoreRtol of the sums' magnitude,
  // as fp8_matrix_multiply_test.cpp's): a code may differ by that error plus one E4M3 step, and nearly every code is
  // equal. (Near zero the error spans several subnormal steps: those codes are 2^-9 apart.) The GELU on the
  // quantization (BERT's; CUTLASS's form), the product's ReLU (cuBLASLt's epilogue) and none, in float16, bfloat16 and
  // float32 (no CUTLASS form; cuBLASLt declines a float32 FP8 product's bias: the GEMM, the epilogue kernel, then the
  // quantization).
  const std::vector<float> x = randomVector(static_cast<size_t>(kRows * kK), 305, -4.f, 4.f);
  const std::pair<trt::ActivationType, int32_t> activations[] = {
      {kNone, static_cast<int32_t>(kGelu)}, {trt::ActivationType::kRELU, -1}, {kNone, -1}};
  for (trt::BuilderFlag precision : {trt::BuilderFlag::kFP16, trt::BuilderFlag::kBF16, trt::BuilderFlag::kTF32})
    for (const auto& [own, quantizations] : activations) {
      Ffn onCpu(own, quantizations), onGpu(own, quantizations);
      const auto expected =
          run(*build(onCpu.net, configFor(trt::Backend::kCPU, precision).get()).engine, {{"x", {{kRows, kK}, x}}})
              .at("y");
      std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
      std::unique_ptr<trt::IHostMemory> mem(
          builder->buildSerializedNetwork(onGpu.net, *configFor(trt::Backend::kCUDA, precision)));
      ASSERT_TRUE(mem);
      auto contents = trt::readPlan(static_cast<const uint8_t*>(mem->data()), mem->size());
      // cuBLASLt would take a float32 FP8 product's bias in bfloat16, so it declines it (ltFp8Gemm): nothing to time,
      // the plan has no tactic and the GEMM, the epilogue kernel and the quantization run as built.
      const bool float32 = precision == trt::BuilderFlag::kTF32;
      ASSERT_EQ(contents->tactics.size(), float32 ? 0u : 1u) << "one FP8 product, one shape: one tactic (float16, "
                                                                "bfloat16), none (float32)";
      constexpr int64_t kAsBuilt = -2;
      std::vector<int64_t> tactics;
      if (float32) tactics.push_back(kAsBuilt);
      for (int64_t a = -1; !float32 && a < 16; ++a) tactics.push_back(a);
      const bool cutlass = trt::cuda::deviceRunsSm90a() && trt::cuda::fp8CodesGemmConfigs() > 0 &&
                           quantizations == static_cast<int32_t>(kGelu) && !float32;
      for (int32_t config = 0; cutlass && config < trt::cuda::fp8CodesGemmConfigs(); ++config)
        tactics.push_back(100 + config);
      for (int64_t tactic : tactics) {
        if (tactic != kAsBuilt) contents->tactics[0].choice[0] = tactic;
        const auto plan = trt::writePlan(*contents);
        std::unique_ptr<trt::IRuntime> rt(trt::createInferRuntime(trt::defaultLogger()));
        std::unique_ptr<trt::ICudaEngine> engine(rt->deserializeCudaEngine(plan.data(), plan.size()));
        ASSERT_TRUE(engine) << "tactic " << tactic;
        EXPECT_EQ(engine->describeLayers().find("Quantize"), std::string::npos) << engine->describeLayers();
        const int64_t cutlassRuns = trt::cuda::fp8CodesGemmRuns();
        const auto got = run(*engine, {{"x", {{kRows, kK}, x}}}).at("y");
        if (tactic >= 100) {
          EXPECT_GT(trt::cuda::fp8CodesGemmRuns(), cutlassRuns) << "configuration " << tactic - 100;
        }
        ASSERT_EQ(got.size(), expected.size());
        size_t differ = 0;
        float largest = 0.f;
        for (float v : expected) largest = std::fmax(largest, std::fabs(v));
        for (size_t i = 0; i < got.size(); ++i) {
          if (got[i] == expected[i]) continue;
          ++differ;
          // One E4M3 step at the value's binade: 2^(e - 3) of the code's magnitude (subnormals: 2^-9), times the scale.
          const float magnitude = std::fmax(std::fabs(expected[i]), std::fabs(got[i])) / 0.05f;
          const float step = magnitude < 0.015625f ? 0.001953125f : std::exp2(std::floor(std::log2(magnitude)) - 3.f);
          ASSERT_LE(std::fabs(got[i] - expected[i]), step * 0.05f * 1.001f + kFp8TensorCoreRtol * largest)
              << "at " << i << ", tactic " << tactic << ", " << nameOf(precision) << ", activation "
              << (own == kNone ? quantizations : static_cast<int32_t>(own));
        }
        EXPECT_LE(differ, got.size() / 50) << "tactic " << tactic << ", " << nameOf(precision);
      }
    }
}
#endif
