// INT8 tensors between INT8 convolutions (builder/passes/int8_convolution_chaining.cpp): a convolution reading
// INT8 codes (as input or residual) and writing INT8 codes on the CPU reference, the two passes on a chain of
// channels-last INT8 convolutions and on ResNet blocks, and on CUDA the chain and the blocks whose convolutions
// write codes for the next (CUTLASS's requantizing epilogue) against the CPU reference.
//
// The networks are on exact grids: power-of-two scales, weights k * s_w, inputs q * s_in, biases on the sums'
// grid. Every sum, scale and bias is then exact in float32, so a code computed by a fused epilogue (alpha / s_out,
// bias / s_out) equals the reference's quantization of y; only a float16 output rounds.
#include <cmath>

#include "builder/passes/passes.h"
#include "common/half.h"
#include "common/int8.h"
#include "engine_test_util.h"

using namespace trt_test;

namespace {
constexpr float kInputScale = 1.f / 64, kWeightScale = 1.f / 128, kMiddleScale = 1.f / 8;

// Weights k * kWeightScale (|k| <= 127), [M][C][k][k].
std::vector<float> gridWeights(int64_t count, uint32_t seed) {
  std::vector<float> w = randomVector(static_cast<size_t>(count), seed, -127.f, 127.f);
  for (float& v : w) v = std::round(v) * kWeightScale;
  return w;
}
// Biases on the first convolution's sums' grid (kInputScale * kWeightScale), |b| <= 0.5.
std::vector<float> gridBias(int64_t count, uint32_t seed) {
  std::vector<float> b = randomVector(static_cast<size_t>(count), seed, -0.5f, 0.5f);
  for (float& v : b) v = std::round(v / (kInputScale * kWeightScale)) * (kInputScale * kWeightScale);
  return b;
}

struct Chain {
  std::vector<float> w1 = gridWeights(32 * 16 * 9, 301), b1 = gridBias(32, 302);
  std::vector<float> w2 = gridWeights(32 * 32 * 9, 303), b2 = gridBias(32, 304);
  std::vector<float> w3 = gridWeights(48 * 32, 305), b3 = gridBias(48, 306);
  std::vector<float> ws32 = std::vector<float>(32, kWeightScale), ws48 = std::vector<float>(48, kWeightScale);
};

trt::IConvolutionLayer* int8Conv(trt::INetworkDefinition& net, trt::ITensor& x, int32_t maps, int64_t k,
                                 const std::vector<float>& w, const std::vector<float>& b, float inputScale,
                                 const std::vector<float>& weightScales) {
  auto* conv = net.addConvolutionNd(x, maps, {k, k}, {trt::DataType::kFLOAT, w.data(), static_cast<int64_t>(w.size())},
                                    {trt::DataType::kFLOAT, b.data(), maps});
  conv->setPaddingNd({k / 2, k / 2});
  conv->setInt8Scales(inputScale, weightScales);
  conv->setFusedActivation(static_cast<int32_t>(trt::ActivationType::kRELU));
  return conv;
}

// x [2, 16, 12, 12] -> 3x3 INT8 conv (32 maps) -> 3x3 INT8 conv (32) -> 1x1 INT8 conv (48) -> y, each with bias
// and ReLU; channels-last (x then [2, 12, 12, 16]) for the passes, which take channels-last convolutions.
std::vector<trt::IConvolutionLayer*> chainNetwork(trt::INetworkDefinition& net, const Chain& c, bool channelsLast) {
  auto* x =
      net.addInput("x", trt::DataType::kFLOAT, channelsLast ? trt::Dims{2, 12, 12, 16} : trt::Dims{2, 16, 12, 12});
  auto* c1 = int8Conv(net, *x, 32, 3, c.w1, c.b1, kInputScale, c.ws32);
  auto* c2 = int8Conv(net, *c1->getOutput(0), 32, 3, c.w2, c.b2, kMiddleScale, c.ws32);
  auto* c3 = int8Conv(net, *c2->getOutput(0), 48, 1, c.w3, c.b3, kMiddleScale, c.ws48);
  for (auto* conv : {c1, c2, c3}) conv->setChannelsLast(channelsLast);
  c3->getOutput(0)->setName("y");
  net.markOutput(*c3->getOutput(0));
  return {c1, c2, c3};
}

// Two ResNet blocks after a stem, each a 1x1 (16 maps), 3x3 (16) and 1x1 (32) INT8 convolution with bias and ReLU,
// the last adding the block's input as its residual: x [2, 16, 8, 8] -> stem 3x3 (32) -> T0 -> block -> T1 ->
// block -> y. With `dequantizedResiduals`, each residual is Dequantize(Quantize(T, kMiddleScale)): what the passes'
// INT8 residuals stand for. Channels-last (x then [2, 8, 8, 16]) for the passes.
struct Blocks {
  std::vector<float> stem = gridWeights(32 * 16 * 9, 311), stemBias = gridBias(32, 312);
  std::vector<float> reduce = gridWeights(16 * 32, 313), reduceBias = gridBias(16, 314);
  std::vector<float> middle = gridWeights(16 * 16 * 9, 315), middleBias = gridBias(16, 316);
  std::vector<float> expand = gridWeights(32 * 16, 317), expandBias = gridBias(32, 318);
  std::vector<float> ws16 = std::vector<float>(16, kWeightScale), ws32 = std::vector<float>(32, kWeightScale);
};

std::vector<trt::IConvolutionLayer*> blocksNetwork(trt::INetworkDefinition& net, const Blocks& b, bool channelsLast,
                                                   bool dequantizedResiduals = false) {
  auto* x = net.addInput("x", trt::DataType::kFLOAT, channelsLast ? trt::Dims{2, 8, 8, 16} : trt::Dims{2, 16, 8, 8});
  std::vector<trt::IConvolutionLayer*> convs = {int8Conv(net, *x, 32, 3, b.stem, b.stemBias, kInputScale, b.ws32)};
  trt::ITensor* t = convs[0]->getOutput(0);
  for (int block = 0; block < 2; ++block) {
    auto* reduce = int8Conv(net, *t, 16, 1, b.reduce, b.reduceBias, kMiddleScale, b.ws16);
    auto* middle = int8Conv(net, *reduce->getOutput(0), 16, 3, b.middle, b.middleBias, kMiddleScale, b.ws16);
    trt::ITensor* residual = t;
    if (dequantizedResiduals)
      residual = net.addDequantize(*net.addQuantize(*t, {kMiddleScale})->getOutput(0), {kMiddleScale})->getOutput(0);
    auto* expand = int8Conv(net, *middle->getOutput(0), 32, 1, b.expand, b.expandBias, kMiddleScale, b.ws32);
    expand->setInput(1, *residual);
    convs.insert(convs.end(), {reduce, middle, expand});
    t = expand->getOutput(0);
  }
  for (auto* conv : convs) conv->setChannelsLast(channelsLast);
  t->setName("y");
  net.markOutput(*t);
  return convs;
}

std::vector<float> gridInput(int64_t count) {
  std::vector<float> x = randomVector(static_cast<size_t>(count), 307, -1.9f, 1.9f);
  for (float& v : x) v = std::round(v / kInputScale) * kInputScale;
  return x;
}
}  // namespace

TEST(Int8ConvolutionChaining, AConvolutionReadsAndWritesCodesAsQuantizesAroundItWould) {
  // CPU: conv1 writing codes of kMiddleScale and conv2 reading them (its float output type requested) against
  // conv1 writing floats that conv2 quantizes itself: the same codes, the same outputs, bit for bit.
  const Chain c;
  trt::INetworkDefinition plain, coded;
  chainNetwork(plain, c, false);
  const auto convs = chainNetwork(coded, c, false);
  convs[0]->setInt8OutputScale(kMiddleScale);
  convs[1]->setOutputType(0, trt::DataType::kFLOAT);
  EXPECT_EQ(convs[0]->getOutput(0)->getType(), trt::DataType::kINT8);
  EXPECT_EQ(convs[1]->getOutput(0)->getType(), trt::DataType::kFLOAT);
  const std::vector<float> x = gridInput(2 * 16 * 12 * 12);
  Built a = build(plain), b = build(coded);
  const auto expected = run(*a.engine, {{"x", {{2, 16, 12, 12}, x}}}).at("y");
  EXPECT_EQ(run(*b.engine, {{"x", {{2, 16, 12, 12}, x}}}).at("y"), expected);
}

TEST(Int8ConvolutionChaining, RefusesCodesWhereTheyCannotGo) {
  const Chain c;
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", trt::DataType::kFLOAT, {2, 16, 12, 12});
  auto* q = net.addQuantize(*x, {kInputScale});
  // Codes into a float convolution: nothing says what they stand for.
  auto* conv = net.addConvolutionNd(*q->getOutput(0), 32, {3, 3}, {trt::DataType::kFLOAT, c.w1.data(), 32 * 16 * 9},
                                    {trt::DataType::kFLOAT, c.b1.data(), 32});
  net.markOutput(*conv->getOutput(0));
  EXPECT_THROW(
      {
        try {
          net.validate();
        } catch (const trt::Error& e) {
          EXPECT_NE(std::string(e.what()).find("an int8 input needs an INT8 convolution"), std::string::npos)
              << e.what();
          throw;
        }
      },
      trt::Error);
  // INT8 now, but codes in with a float output need the float type requested.
  conv->setInt8Scales(kInputScale, c.ws32);
  EXPECT_THROW(
      {
        try {
          net.validate();
        } catch (const trt::Error& e) {
          EXPECT_NE(std::string(e.what()).find("writes floats of the type requested with setOutputType"),
                    std::string::npos)
              << e.what();
          throw;
        }
      },
      trt::Error);
  conv->setOutputType(0, trt::DataType::kFLOAT);
  EXPECT_NO_THROW(net.validate());
  EXPECT_THROW(conv->setInt8OutputScale(-1.f), trt::Error);
  EXPECT_THROW(conv->setInt8OutputScale(NAN), trt::Error);
}

TEST(Int8ConvolutionChaining, ThePassesKeepCodesBetweenChannelsLastConvolutions) {
  // Both passes on the channels-last chain with a backend that takes every convolution: one Quantize of x read by
  // conv1, conv1 and conv2 writing codes (conv3 writes y, a network output), the Quantizes between them gone; the
  // CPU engine of the result equals the unchained one's.
  const Chain c;
  trt::INetworkDefinition plain, chained;
  chainNetwork(plain, c, true);
  const auto convs = chainNetwork(chained, c, true);
  // As the CUDA backend's predicates, these ask the tensors' dims (which infers the network as it stands).
  const auto every = [](const trt::IConvolutionLayer& conv) { return conv.getInput(0)->getDimensions().nbDims == 4; };
  EXPECT_EQ(trt::passes::shareInt8ConvolutionQuantization(chained, every), 3);
  EXPECT_EQ(trt::passes::foldQuantizeIntoInt8Convolution(chained, every), 2);
  trt::passes::removeDeadLayers(chained);
  EXPECT_EQ(countLayersOfType(chained, trt::LayerType::kQUANTIZE), 1);
  EXPECT_EQ(convs[0]->getInput(0)->getType(), trt::DataType::kINT8);
  EXPECT_EQ(convs[0]->getOutput(0)->getType(), trt::DataType::kINT8);
  EXPECT_EQ(convs[0]->getInt8OutputScale(), kMiddleScale);
  EXPECT_EQ(convs[1]->getOutput(0)->getType(), trt::DataType::kINT8);
  EXPECT_EQ(convs[2]->getInput(0)->getType(), trt::DataType::kINT8);
  EXPECT_EQ(convs[2]->getOutput(0)->getType(), trt::DataType::kFLOAT);
  EXPECT_EQ(convs[2]->getInt8OutputScale(), 0.f) << "y is a network output: floats";
  // A backend that takes none changes nothing.
  trt::INetworkDefinition untouched;
  chainNetwork(untouched, c, true);
  const auto none = [](const trt::IConvolutionLayer&) { return false; };
  EXPECT_EQ(trt::passes::shareInt8ConvolutionQuantization(untouched, none), 0);
  EXPECT_EQ(trt::passes::foldQuantizeIntoInt8Convolution(untouched, none), 0);
  const std::vector<float> x = gridInput(2 * 12 * 12 * 16);
  Built a = build(plain), b = build(chained);
  EXPECT_EQ(run(*b.engine, {{"x", {{2, 12, 12, 16}, x}}}).at("y"),
            run(*a.engine, {{"x", {{2, 12, 12, 16}, x}}}).at("y"));
}

TEST(Int8ConvolutionChaining, AnInt8ResidualIsAddedAsTheFloatsItsCodesStandFor) {
  // CPU: a convolution reading its residual as INT8 codes of a scale against one reading Dequantize(codes): the
  // same floats added, bit for bit; codes out with either residual.
  const Chain c;
  for (bool codesOut : {false, true}) {
    trt::INetworkDefinition plain, coded;
    for (trt::INetworkDefinition* net : {&plain, &coded}) {
      auto* x = net->addInput("x", trt::DataType::kFLOAT, {2, 16, 12, 12});
      auto* r = net->addInput("r", trt::DataType::kFLOAT, {2, 32, 12, 12});
      auto* codes = net->addQuantize(*r, {kMiddleScale})->getOutput(0);
      auto* dequantized = net == &coded ? nullptr : net->addDequantize(*codes, {kMiddleScale})->getOutput(0);
      auto* conv = int8Conv(*net, *x, 32, 3, c.w1, c.b1, kInputScale, c.ws32);
      if (net == &coded) {
        conv->setInput(1, *codes);
        conv->setInt8ResidualScale(kMiddleScale);
      } else {
        conv->setInput(1, *dequantized);
      }
      if (codesOut) conv->setInt8OutputScale(kMiddleScale);
      conv->getOutput(0)->setName("y");
      net->markOutput(*conv->getOutput(0));
    }
    const std::vector<float> x = gridInput(2 * 16 * 12 * 12), r = randomVector(2 * 32 * 12 * 12, 309, -9.f, 9.f);
    Built a = build(plain), b = build(coded);
    // Bytes: float32 outputs or codes, bit for bit.
    const std::map<std::string, HostTensor> inputs = {{"x", hostTensor({2, 16, 12, 12}, x)},
                                                      {"r", hostTensor({2, 32, 12, 12}, r)}};
    EXPECT_EQ(runBytes(*b.engine, inputs).at("y"), runBytes(*a.engine, inputs).at("y")) << "codes out " << codesOut;
  }
}

TEST(Int8ConvolutionChaining, RefusesAnInt8ResidualWithoutItsScale) {
  const Chain c;
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", trt::DataType::kFLOAT, {2, 16, 12, 12});
  auto* codes = net.addQuantize(*net.addInput("r", trt::DataType::kFLOAT, {2, 32, 12, 12}), {kMiddleScale});
  auto* conv = int8Conv(net, *x, 32, 3, c.w1, c.b1, kInputScale, c.ws32);
  conv->setInput(1, *codes->getOutput(0));
  net.markOutput(*conv->getOutput(0));
  const auto refusal = [&] {
    try {
      net.validate();
    } catch (const trt::Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(refusal().find("must have the output's shape (2, 32, 12, 12) and type float32"), std::string::npos)
      << refusal();
  conv->setInt8ResidualScale(kMiddleScale);
  EXPECT_EQ(refusal(), "");
  // A residual scale on a float convolution, or with a float residual.
  conv->setInput(1, *net.getInput(1));
  EXPECT_NE(refusal().find("(its INT8 residual scale is set)"), std::string::npos) << refusal();
  trt::INetworkDefinition floatNet;
  auto* fx = floatNet.addInput("x", trt::DataType::kFLOAT, {2, 16, 12, 12});
  auto* floatConv = floatNet.addConvolutionNd(*fx, 16, {1, 1}, {trt::DataType::kFLOAT, c.w1.data(), 16 * 16}, {});
  floatConv->setInput(1, *floatNet.addInput("r", trt::DataType::kFLOAT, {2, 16, 12, 12}));
  floatConv->setInt8ResidualScale(kMiddleScale);
  floatNet.markOutput(*floatConv->getOutput(0));
  EXPECT_THROW(floatNet.validate(), trt::Error);
  EXPECT_THROW(conv->setInt8ResidualScale(-1.f), trt::Error);
  EXPECT_THROW(conv->setInt8ResidualScale(INFINITY), trt::Error);
}

TEST(Int8ConvolutionChaining, ABlocksOutputStaysInt8ForTheNextBlockAndItsResidual) {
  // The passes on two ResNet blocks with a backend that takes every convolution: the stem's and the first block's
  // outputs become INT8 codes that the next block's first convolution reads as its input and its last as its
  // residual; the last block writes y in floats. The CPU engine of the result equals the network whose residuals
  // are Dequantize(Quantize(T)), bit for bit.
  const Blocks b;
  trt::INetworkDefinition reference, chained;
  blocksNetwork(reference, b, true, true);
  const auto convs = blocksNetwork(chained, b, true);
  // As the CUDA backend's predicates, these ask the tensors' dims (which infers the network as it stands).
  const auto every = [](const trt::IConvolutionLayer& conv) { return conv.getInput(0)->getDimensions().nbDims == 4; };
  EXPECT_EQ(trt::passes::shareInt8ConvolutionQuantization(chained, every), 7);
  EXPECT_EQ(trt::passes::foldQuantizeIntoInt8Convolution(chained, every, every), 6);
  trt::passes::removeDeadLayers(chained);
  EXPECT_EQ(countLayersOfType(chained, trt::LayerType::kQUANTIZE), 1) << "x's";
  for (int i = 0; i < 6; ++i) EXPECT_EQ(convs[i]->getOutput(0)->getType(), trt::DataType::kINT8) << "conv " << i;
  for (int i : {3, 6}) {
    EXPECT_EQ(convs[i]->getInput(1)->getType(), trt::DataType::kINT8) << "conv " << i;
    EXPECT_EQ(convs[i]->getInt8ResidualScale(), kMiddleScale) << "conv " << i;
  }
  EXPECT_EQ(convs[6]->getOutput(0)->getType(), trt::DataType::kFLOAT) << "y is a network output";
  const std::vector<float> x = gridInput(2 * 8 * 8 * 16);
  Built a = build(reference), c = build(chained);
  EXPECT_EQ(run(*c.engine, {{"x", {{2, 8, 8, 16}, x}}}).at("y"), run(*a.engine, {{"x", {{2, 8, 8, 16}, x}}}).at("y"));

  // Without a backend that reads residual codes a block's output stays float (the next block adds it).
  trt::INetworkDefinition floatResiduals;
  const auto kept = blocksNetwork(floatResiduals, b, true);
  trt::passes::shareInt8ConvolutionQuantization(floatResiduals, every);
  EXPECT_EQ(trt::passes::foldQuantizeIntoInt8Convolution(floatResiduals, every), 4);
  for (int i : {0, 3}) EXPECT_NE(kept[i]->getOutput(0)->getType(), trt::DataType::kINT8) << "conv " << i;
}

TEST(Int8ConvolutionChaining, AQuantizeReadsFloat16) {
  // The shared quantization reads a channels-last region's FP16 tensor: codes of the half values, per tensor.
  std::vector<float> values = randomVector(96, 308, -3.f, 3.f);
  std::vector<uint16_t> halves(values.size());
  for (size_t i = 0; i < values.size(); ++i) halves[i] = trt::floatToHalf(values[i]);
  trt::INetworkDefinition net;
  auto* q = net.addQuantize(*net.addInput("x", trt::DataType::kHALF, {2, 48}), {0.03f});
  q->getOutput(0)->setName("y");
  net.markOutput(*q->getOutput(0));
  Built b = build(net);
  const auto codes = elementsOf<int8_t>(runBytes(*b.engine, {{"x", hostTensor({2, 48}, halves)}}).at("y"));
  ASSERT_EQ(codes.size(), halves.size());
  for (size_t i = 0; i < halves.size(); ++i)
    EXPECT_EQ(codes[i], trt::int8::quantize(trt::halfToFloat(halves[i]), trt::int8::inverse(0.03f))) << "at " << i;
}

#ifdef TORCHTRT_WITH_CUDA
#include "backends/cuda/cutlass_conv.h"

namespace {
// An FP16 CUDA build (the layout pass takes the INT8 convolutions into a channels-last region, the chaining passes
// run).
Built buildFp16OnCuda(trt::INetworkDefinition& net) {
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
  config->setBackend(trt::Backend::kCUDA);
  config->setFlag(trt::BuilderFlag::kFP16);
  return build(net, config.get());
}

// y against the CPU's: the codes are the reference's exactly (exact grids), y is rounded to float16.
void expectFloat16Near(const std::vector<float>& actual, const std::vector<float>& expected) {
  const trt_test::Tolerance tol = trt_test::toleranceFor(trt::DataType::kHALF);
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i)
    ASSERT_NEAR(actual[i], expected[i], tol.atol + tol.rtol * std::fabs(expected[i])) << "at " << i;
}
}  // namespace

TEST(Int8ConvolutionChaining, CudaConvolutionsWriteCodesForTheNextAndMatchTheCpuReference) {
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  if (!trt::cuda::int8ConvAvailable()) GTEST_SKIP() << "no sm_90 GPU or a build without CUTLASS";
  // An FP16 CUDA build of the channels-first chain: the layout pass takes the three INT8 convolutions into a
  // channels-last region, the chaining passes make conv1 and conv2 write INT8 codes (CUTLASS's requantizing
  // epilogue) and conv2 and conv3 read them. Against the CPU's FP32 engine of the unchained network: the codes are
  // the reference's exactly (exact grids), y is rounded to float16.
  const Chain c;
  trt::INetworkDefinition cpuNet, gpuNet;
  chainNetwork(cpuNet, c, false);
  chainNetwork(gpuNet, c, false);
  Built cpu = build(cpuNet);
  Built gpu = buildFp16OnCuda(gpuNet);
  const std::string json = gpu.engine->describeLayersJson();
  size_t codesOut = 0;
  for (size_t at = json.find("\"dtype\":\"int8\""); at != std::string::npos;
       at = json.find("\"dtype\":\"int8\"", at + 1))
    ++codesOut;
  // The Quantize's output (read by conv1), conv1's output and input of conv2, conv2's output and input of conv3.
  EXPECT_GE(codesOut, 5u) << json;
  const std::vector<float> x = gridInput(2 * 16 * 12 * 12);
  const int64_t runsBefore = trt::cuda::int8ConvRuns();
  const auto actual = run(*gpu.engine, {{"x", {{2, 16, 12, 12}, x}}}).at("y");
  EXPECT_GE(trt::cuda::int8ConvRuns() - runsBefore, 3) << "the CUTLASS INT8 convolutions did not run";
  const auto expected = run(*cpu.engine, {{"x", {{2, 16, 12, 12}, x}}}).at("y");
  expectFloat16Near(actual, expected);
}

TEST(Int8ConvolutionChaining, CudaBlocksKeepInt8OutputsAndResidualsAndMatchTheCpuReference) {
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  if (!trt::cuda::int8ConvAvailable()) GTEST_SKIP() << "no sm_90 GPU or a build without CUTLASS";
  // An FP16 CUDA build of the two blocks (channels-first): the stem's and the first block's outputs INT8 codes
  // that the next block reads as input and residual (the first block's last convolution writes codes with an INT8
  // residual, the second block's writes float16 with one). Against the CPU's FP32 engine of the network with
  // Dequantize(Quantize(T)) residuals: codes exact (exact grids), y rounded to float16.
  const Blocks b;
  trt::INetworkDefinition cpuNet, gpuNet;
  blocksNetwork(cpuNet, b, false, true);
  blocksNetwork(gpuNet, b, false);
  Built cpu = build(cpuNet);
  Built gpu = buildFp16OnCuda(gpuNet);
  const std::string json = gpu.engine->describeLayersJson();
  size_t residualCodes = 0;
  for (size_t at = json.find("\"residual_scale\""); at != std::string::npos;
       at = json.find("\"residual_scale\"", at + 1))
    ++residualCodes;
  EXPECT_EQ(residualCodes, 2u) << json;
  const std::vector<float> x = gridInput(2 * 16 * 8 * 8);
  const int64_t runsBefore = trt::cuda::int8ConvRuns();
  const auto actual = run(*gpu.engine, {{"x", {{2, 16, 8, 8}, x}}}).at("y");
  EXPECT_GE(trt::cuda::int8ConvRuns() - runsBefore, 7) << "the CUTLASS INT8 convolutions did not run";
  const auto expected = run(*cpu.engine, {{"x", {{2, 16, 8, 8}, x}}}).at("y");
  expectFloat16Near(actual, expected);
}
#endif
