// The channels-last layout pass on MobileNet / EfficientNet blocks: grouped and depthwise
// convolutions, squeeze-and-excitation (spatial mean with kept dims, 1x1 convolutions, sigmoid,
// broadcast multiply), per-channel scales, concatenations and a global mean without kept dims
// stay NHWC end to end. The builder runs it where the backend prefers NHWC (CUDA for FP16/BF16, the
// CPU's oneDNN kernels for FP32); here it is applied by hand and the transformed network built for
// the CPU backend must compute what the original does.
#include <cstring>

#include "builder/passes/passes.h"
#include "common/half.h"
#include "engine_test_util.h"

using namespace trt_test;

namespace {
// The CUDA backend's choice: FP16 and BF16 convolutions go channels-last.
bool halfTypes(trt::DataType t) { return t == trt::DataType::kHALF || t == trt::DataType::kBF16; }

// Weights live as long as the network: `keep` owns them.
struct WeightPool {
  std::vector<std::vector<float>> keep;
  uint32_t seed = 300;
  trt::Weights make(size_t n, float scale = 0.5f) {
    keep.push_back(randomVector(n, seed++, -scale, scale));
    return {trt::DataType::kFLOAT, keep.back().data(), static_cast<int64_t>(n)};
  }
};

trt::ITensor* conv(trt::INetworkDefinition& net, WeightPool& w, trt::ITensor& x, int32_t in, int32_t out, int32_t k,
                   int32_t groups = 1) {
  auto* c = net.addConvolutionNd(x, out, {k, k}, w.make(static_cast<size_t>(out * (in / groups) * k * k)),
                                 w.make(static_cast<size_t>(out)));
  c->setNbGroups(groups);
  c->setPaddingNd({k / 2, k / 2});
  return c->getOutput(0);
}

trt::ITensor* silu(trt::INetworkDefinition& net, trt::ITensor& x) {
  auto* s = net.addActivation(x, trt::ActivationType::kSIGMOID);
  return net.addElementWise(x, *s->getOutput(0), trt::ElementWiseOperation::kPROD)->getOutput(0);
}

// An MBConv block (expand 1x1 + per-channel scale + SiLU, depthwise 3x3, squeeze-and-excitation,
// project 1x1, residual), a concatenation with the block's input, then two outputs: the
// concatenation ("z", NHWC inside, leaves through a transpose) and its global mean ("y", [N, C]).
void makeMbConv(trt::INetworkDefinition& net, WeightPool& w, int64_t batch) {
  auto* x = net.addInput("x", trt::DataType::kHALF, {batch, 8, 6, 6});
  auto* expand = conv(net, w, *x, 8, 16, 1);
  std::vector<float> shift = randomVector(16, 7), scale = randomVector(16, 8, 0.5f, 1.5f);
  auto* bn = net.addScale(*expand, trt::ScaleMode::kCHANNEL, shift, scale, {});
  auto* a1 = silu(net, *bn->getOutput(0));
  auto* dw = conv(net, w, *a1, 16, 16, 3, 16);
  auto* a2 = silu(net, *dw);
  auto* pool = net.addReduce(*a2, trt::ReduceOperation::kAVG, 0xC, true);  // [N, 16, 1, 1]
  auto* squeeze = silu(net, *conv(net, w, *pool->getOutput(0), 16, 4, 1));
  auto* excite = net.addActivation(*conv(net, w, *squeeze, 4, 16, 1), trt::ActivationType::kSIGMOID);
  auto* scaled = net.addElementWise(*a2, *excite->getOutput(0), trt::ElementWiseOperation::kPROD);
  auto* project = conv(net, w, *scaled->getOutput(0), 16, 8, 1);
  auto* residual = net.addElementWise(*project, *x, trt::ElementWiseOperation::kSUM);
  trt::ITensor* parts[] = {residual->getOutput(0), x};
  auto* cat = net.addConcatenation(parts, 2);
  cat->setAxis(1);
  auto* mean = net.addReduce(*cat->getOutput(0), trt::ReduceOperation::kAVG, 0xC, false);
  mean->getOutput(0)->setName("y");
  net.markOutput(*mean->getOutput(0));
  cat->getOutput(0)->setName("z");
  net.markOutput(*cat->getOutput(0));
}

std::vector<uint16_t> toHalf(const std::vector<float>& v) {
  std::vector<uint16_t> h(v.size());
  for (size_t i = 0; i < v.size(); ++i) h[i] = trt::floatToHalf(v[i]);
  return h;
}

// Runs an FP16 engine on half inputs by name; returns every output's half bits by name.
std::map<std::string, std::vector<uint16_t>> runHalf(const trt::ICudaEngine& engine,
                                                     std::map<std::string, std::vector<uint16_t>> inputs) {
  std::unique_ptr<trt::IExecutionContext> ctx(engine.createExecutionContext());
  for (auto& [name, data] : inputs) ctx->setTensorAddress(name.c_str(), data.data());
  std::map<std::string, std::vector<uint16_t>> outs;
  for (int i = 0; i < engine.getNbIOTensors(); ++i) {
    const char* name = engine.getIOTensorName(i);
    if (engine.getTensorIOMode(name) != trt::TensorIOMode::kOUTPUT) continue;
    outs[name].resize(static_cast<size_t>(ctx->getTensorShape(name).volume()));
  }
  for (auto& [name, buf] : outs) ctx->setTensorAddress(name.c_str(), buf.data());
  EXPECT_TRUE(ctx->enqueueV3(nullptr));
  return outs;
}

Built buildHalf(trt::INetworkDefinition& net) {
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
  config->setFlag(trt::BuilderFlag::kFP16);
  return build(net, config.get());
}

int count(const trt::INetworkDefinition& net, trt::LayerType type) {
  int n = 0;
  for (int l = 0; l < net.getNbLayers(); ++l) n += net.getLayer(l)->getType() == type;
  return n;
}

template <typename Layer>
std::vector<const Layer*> layersOf(const trt::INetworkDefinition& net, trt::LayerType type) {
  std::vector<const Layer*> found;
  for (int l = 0; l < net.getNbLayers(); ++l)
    if (net.getLayer(l)->getType() == type) found.push_back(static_cast<const Layer*>(net.getLayer(l)));
  return found;
}

// Every output of the two networks, bit for bit: the CPU's NHWC forms are transposes around the
// channels-first kernels, and the reductions sum in the same order in both layouts. `gateFolded`: the NHWC
// network's excitation gate became its projection's weights scaled per image (channels-last only), which rounds
// the weights to half instead of the gated feature map: FP16's tolerance then.
void expectSameResults(trt::INetworkDefinition& reference, trt::INetworkDefinition& nhwc,
                       const std::map<std::string, std::vector<uint16_t>>& inputs, bool gateFolded = false) {
  auto a = buildHalf(reference), b = buildHalf(nhwc);
  const auto ya = runHalf(*a.engine, inputs), yb = runHalf(*b.engine, inputs);
  ASSERT_EQ(ya.size(), yb.size());
  const Tolerance t = toleranceFor(trt::DataType::kHALF);
  if (gateFolded) {
    EXPECT_NE(b.engine->describeLayers().find(": MatrixMultiply "), std::string::npos);
  }
  for (const auto& [name, values] : ya) {
    ASSERT_EQ(values.size(), yb.at(name).size()) << name;
    for (size_t i = 0; i < values.size(); ++i) {
      const float want = trt::halfToFloat(values[i]), got = trt::halfToFloat(yb.at(name)[i]);
      if (gateFolded)
        ASSERT_NEAR(got, want, t.atol + t.rtol * std::fabs(want)) << name << " at " << i;
      else
        ASSERT_EQ(values[i], yb.at(name)[i]) << name << " at " << i << ": " << want << " vs " << got;
    }
  }
  EXPECT_NE(b.engine->describeLayersJson().find("NHWC"), std::string::npos);
}
}  // namespace

TEST(ChannelsLastPass, KeepsAnMbConvBlockChannelsLastEndToEnd) {
  WeightPool wa, wb;
  trt::INetworkDefinition reference, nhwc;
  makeMbConv(reference, wa, 8);
  makeMbConv(nhwc, wb, 8);
  const int layersBefore = nhwc.getNbLayers();
  const int32_t changed = trt::passes::useChannelsLast(nhwc, halfTypes);
  trt::passes::removeDeadLayers(nhwc);
  // Every layer joined the region; only x enters (once, though three layers read it) and only z leaves.
  EXPECT_EQ(count(nhwc, trt::LayerType::kSHUFFLE), 2);
  EXPECT_EQ(changed, layersBefore + 2);
  for (const auto* c : layersOf<trt::IConvolutionLayer>(nhwc, trt::LayerType::kCONVOLUTION))
    EXPECT_TRUE(c->getChannelsLast()) << c->getName() << " (groups " << c->getNbGroups() << ")";
  const auto reduces = layersOf<trt::IReduceLayer>(nhwc, trt::LayerType::kREDUCE);
  ASSERT_EQ(reduces.size(), 2u);
  EXPECT_EQ(reduces[0]->getReduceAxes(), 0x6u) << "the SE pool reduces H and W of [N, H, W, C]";
  EXPECT_EQ(reduces[1]->getReduceAxes(), 0x6u);
  EXPECT_EQ(layersOf<trt::IConcatenationLayer>(nhwc, trt::LayerType::kCONCATENATION)[0]->getAxis(), 3);
  EXPECT_EQ(layersOf<trt::IScaleLayer>(nhwc, trt::LayerType::kSCALE)[0]->getChannelAxis(), 3);
  EXPECT_EQ(nhwc.getOutput(0)->getDimensions(), (trt::Dims{8, 16}));
  EXPECT_EQ(nhwc.getOutput(1)->getDimensions(), (trt::Dims{8, 16, 6, 6}));
  expectSameResults(reference, nhwc, {{"x", toHalf(randomVector(8 * 8 * 6 * 6, 301, -2.f, 2.f))}}, true);
}

namespace {
// A grouped (not depthwise) convolution, a hard-swish, a channel max with kept dims, and an
// excitation multiply whose [N, C, 1, 1] operand is a network input (it enters through a transpose).
void makeGroupedBlock(trt::INetworkDefinition& net, WeightPool& w, int64_t batch) {
  auto* x = net.addInput("x", trt::DataType::kHALF, {batch, 8, 5, 7});
  auto* s = net.addInput("s", trt::DataType::kHALF, {batch, 12, 1, 1});
  auto* g = conv(net, w, *x, 8, 12, 3, 4);
  auto* hs = net.addActivation(*g, trt::ActivationType::kHARD_SIGMOID);
  hs->setAlpha(1.f / 6.f);
  hs->setBeta(0.5f);
  auto* hswish = net.addElementWise(*g, *hs->getOutput(0), trt::ElementWiseOperation::kPROD);
  auto* excited = net.addElementWise(*hswish->getOutput(0), *s, trt::ElementWiseOperation::kPROD);
  auto* channelMax = net.addReduce(*excited->getOutput(0), trt::ReduceOperation::kMAX, 0x2, true);  // [N, 1, H, W]
  auto* y = net.addElementWise(*excited->getOutput(0), *channelMax->getOutput(0), trt::ElementWiseOperation::kSUB);
  auto* scaled = net.addScale(*y->getOutput(0), trt::ScaleMode::kUNIFORM, {0.25f}, {2.f}, {});
  scaled->getOutput(0)->setName("y");
  net.markOutput(*scaled->getOutput(0));
}
}  // namespace

TEST(ChannelsLastPass, GroupedConvolutionsChannelReductionsAndBroadcastInputs) {
  WeightPool wa, wb;
  trt::INetworkDefinition reference, nhwc;
  makeGroupedBlock(reference, wa, 8);
  makeGroupedBlock(nhwc, wb, 8);
  trt::passes::useChannelsLast(nhwc, halfTypes);
  EXPECT_EQ(count(nhwc, trt::LayerType::kSHUFFLE), 3) << "x and s enter, y leaves";
  const auto* g = layersOf<trt::IConvolutionLayer>(nhwc, trt::LayerType::kCONVOLUTION)[0];
  EXPECT_TRUE(g->getChannelsLast());
  EXPECT_EQ(layersOf<trt::IReduceLayer>(nhwc, trt::LayerType::kREDUCE)[0]->getReduceAxes(), 0x8u)
      << "the channel axis of [N, H, W, C]";
  EXPECT_EQ(nhwc.getOutput(0)->getDimensions(), (trt::Dims{8, 12, 5, 7}));
  expectSameResults(
      reference, nhwc,
      {{"x", toHalf(randomVector(8 * 8 * 5 * 7, 302, -2.f, 2.f))}, {"s", toHalf(randomVector(8 * 12, 303, 0.f, 1.f))}});
}

TEST(ChannelsLastPass, LeavesDynamicBatchesAndUnsupportedLayersChannelsFirst) {
  {
    WeightPool w;
    trt::INetworkDefinition net;
    makeMbConv(net, w, -1);  // a dynamic batch: no region
    EXPECT_EQ(trt::passes::useChannelsLast(net, halfTypes), 0);
    EXPECT_EQ(count(net, trt::LayerType::kSHUFFLE), 0);
  }
  {
    WeightPool w;
    trt::INetworkDefinition net;
    makeMbConv(net, w, 1);  // batch 1 is channels-last like any static batch
    EXPECT_GT(trt::passes::useChannelsLast(net, halfTypes), 0);
  }
  // A per-element scale (coefficients in NCHW order) and a non-spatial reduction without kept dims
  // stay outside the region: the convolution's output leaves through one transpose.
  WeightPool w;
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", trt::DataType::kHALF, {8, 4, 3, 3});
  auto* c = conv(net, w, *x, 4, 4, 3, 2);
  auto* perElement = net.addScale(*c, trt::ScaleMode::kELEMENTWISE, randomVector(36, 9), {}, {});
  auto* channelSum = net.addReduce(*c, trt::ReduceOperation::kSUM, 0x2, false);
  perElement->getOutput(0)->setName("a");
  channelSum->getOutput(0)->setName("b");
  net.markOutput(*perElement->getOutput(0));
  net.markOutput(*channelSum->getOutput(0));
  trt::passes::useChannelsLast(net, halfTypes);
  EXPECT_EQ(count(net, trt::LayerType::kSHUFFLE), 2);
  EXPECT_EQ(perElement->getInput(0), channelSum->getInput(0));
  EXPECT_EQ(static_cast<const trt::IScaleLayer*>(perElement)->getChannelAxis(), 1);
  EXPECT_EQ(channelSum->getReduceAxes(), 0x2u);
}

#ifdef TORCHTRT_WITH_CUDA
#include <cuda_runtime.h>

namespace {
// Runs an engine built for the CUDA backend on half inputs (runBytes copies them to the device);
// returns the named outputs' half bits.
std::map<std::string, std::vector<uint16_t>> runHalfOnDevice(
    const trt::ICudaEngine& engine, const std::map<std::string, std::vector<uint16_t>>& inputs) {
  std::map<std::string, HostTensor> bytes;
  for (const auto& [name, data] : inputs) bytes[name] = hostTensor(engine.getTensorShape(name.c_str()), data);
  std::map<std::string, std::vector<uint16_t>> outs;
  for (auto& [name, out] : runBytes(engine, bytes)) outs[name] = elementsOf<uint16_t>(out);
  return outs;
}
}  // namespace

TEST(ChannelsLastPass, CudaRunsGroupedAndDepthwiseBlocksChannelsLast) {
  // The builder applies the pass for the CUDA backend itself: cuDNN's NHWC grouped and depthwise
  // convolutions (filters [K, R, S, C/groups]), the NHWC spatial mean and the [N, 1, 1, C]
  // excitation multiply against the CPU's channels-first reference.
  int devices = 0;
  if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) GTEST_SKIP() << "no CUDA GPU visible";
  // At batch 8 and at batch 1 (every static batch is channels-last).
  for (int variant = 0; variant < 4; ++variant) {
    const int64_t batch = variant < 2 ? 8 : 1;
    WeightPool wa, wb;
    trt::INetworkDefinition cpuNet, cudaNet;
    std::map<std::string, std::vector<uint16_t>> inputs;
    if (variant % 2 == 0) {
      makeMbConv(cpuNet, wa, batch);
      makeMbConv(cudaNet, wb, batch);
      inputs = {{"x", toHalf(randomVector(batch * 8 * 6 * 6, 311, -2.f, 2.f))}};
    } else {
      makeGroupedBlock(cpuNet, wa, batch);
      makeGroupedBlock(cudaNet, wb, batch);
      inputs = {{"x", toHalf(randomVector(batch * 8 * 5 * 7, 312, -2.f, 2.f))},
                {"s", toHalf(randomVector(batch * 12, 313, 0.f, 1.f))}};
    }
    std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
    std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
    config->setFlag(trt::BuilderFlag::kFP16);
    auto cpu = build(cpuNet, config.get());
    config->setBackend(trt::Backend::kCUDA);
    auto gpu = build(cudaNet, config.get());
    ASSERT_EQ(gpu.engine->getBackend(), trt::Backend::kCUDA);
    EXPECT_NE(gpu.engine->describeLayersJson().find("NHWC"), std::string::npos);
    const auto expected = runHalf(*cpu.engine, inputs), actual = runHalfOnDevice(*gpu.engine, inputs);
    for (const auto& [name, values] : expected) {
      std::vector<float> e(values.size()), a(values.size());
      for (size_t i = 0; i < values.size(); ++i) {
        e[i] = trt::halfToFloat(values[i]);
        a[i] = trt::halfToFloat(actual.at(name)[i]);
      }
      // FP16 storage between layers, summation orders of cuDNN's kernels: a few half ulps.
      expectNear(a, e, 1e-2f);
    }
  }
}
#endif  // TORCHTRT_WITH_CUDA

namespace {
// A ConvNeXt block: depthwise convolution -> the model's permute to [N, H, W, C] -> a product (outside
// any region) -> the permute back -> (with `layerScale`, a multiply by a [C, 1, 1] weight) -> residual
// add -> depthwise convolution.
void makeConvNeXtBlock(trt::INetworkDefinition& net, std::vector<std::vector<float>>& keep, bool layerScale) {
  keep = {randomVector(16 * 9, 71, -0.3f, 0.3f), randomVector(16, 72), randomVector(16 * 16, 73, -0.3f, 0.3f),
          randomVector(16, 74)};
  auto* x = net.addInput("x", trt::DataType::kFLOAT, {2, 16, 6, 6});
  auto dw = [&](trt::ITensor& in) {
    auto* c = net.addConvolutionNd(in, 16, {3, 3}, {trt::DataType::kFLOAT, keep[0].data(), 144},
                                   {trt::DataType::kFLOAT, keep[1].data(), 16});
    c->setNbGroups(16);
    c->setPaddingNd({1, 1});
    return c->getOutput(0);
  };
  auto* toLast = net.addShuffle(*dw(*x));
  toLast->setFirstTranspose({{0, 2, 3, 1}});
  auto* m = net.addConstant({1, 1, 16, 16}, {trt::DataType::kFLOAT, keep[2].data(), 256});
  auto* mm = net.addMatrixMultiply(*toLast->getOutput(0), trt::MatrixOperation::kNONE, *m->getOutput(0),
                                   trt::MatrixOperation::kNONE);
  auto* back = net.addShuffle(*mm->getOutput(0));
  back->setFirstTranspose({{0, 3, 1, 2}});
  trt::ITensor* branch = back->getOutput(0);
  if (layerScale) {
    auto* gamma = net.addConstant({16, 1, 1}, {trt::DataType::kFLOAT, keep[3].data(), 16});
    branch = net.addElementWise(*gamma->getOutput(0), *branch, trt::ElementWiseOperation::kPROD)->getOutput(0);
  }
  auto* add = net.addElementWise(*x, *branch, trt::ElementWiseOperation::kSUM);
  auto* y = dw(*add->getOutput(0));
  y->setName("y");
  net.markOutput(*y);
}
}  // namespace

TEST(ChannelsLastPass, ConvNeXtBlockWithItsOwnPermutesAroundAProduct) {
  // The pass used to turn the convolution NHWC and then infer the product's shape before the region's
  // exit had its transpose: "inner dimensions differ". The add reads the product's output directly (the
  // permute back undone).
  auto make = [](trt::INetworkDefinition& net, std::vector<std::vector<float>>& keep) {
    makeConvNeXtBlock(net, keep, false);
  };
  std::vector<std::vector<float>> wa, wb;
  trt::INetworkDefinition reference, nhwc;
  make(reference, wa);
  make(nhwc, wb);
  const auto float32 = [](trt::DataType t) { return t == trt::DataType::kFLOAT; };
  EXPECT_GT(trt::passes::useChannelsLast(nhwc, float32, 1), 0);
  // x in, the convolution's exit to the product, the model's permute to [N, H, W, C], y out, and the
  // model's permute back, now dead (the add reads the product): dead-layer removal takes it.
  EXPECT_EQ(count(nhwc, trt::LayerType::kSHUFFLE), 5);
  const std::vector<float> x = randomVector(2 * 16 * 6 * 6, 74);
  auto a = build(reference), b = build(nhwc);
  expectNear(run(*b.engine, {{"x", {{2, 16, 6, 6}, x}}})["y"], run(*a.engine, {{"x", {{2, 16, 6, 6}, x}}})["y"]);
}

TEST(ChannelsLastPass, ConvNeXtResidualAddJoinsTheProductOnceThePermutesCancel) {
  // Before the layout the model's permute back stands between the MLP's product and the block's residual add; once
  // the region's transpose has cancelled it, the product fusion run again after the layout (as the builder does)
  // takes the add into the product (cuBLASLt's C): no elementwise kernel is left.
  auto make = [](trt::INetworkDefinition& net, std::vector<std::vector<float>>& keep) {
    makeConvNeXtBlock(net, keep, false);
  };
  std::vector<std::vector<float>> wa, wb;
  trt::INetworkDefinition reference, nhwc;
  make(reference, wa);
  make(nhwc, wb);
  EXPECT_EQ(trt::passes::fuseMatrixMultiplyResidual(nhwc), 0) << "a permute separates them before the layout";
  const auto float32 = [](trt::DataType t) { return t == trt::DataType::kFLOAT; };
  EXPECT_GT(trt::passes::useChannelsLast(nhwc, float32, 1), 0);
  trt::passes::foldConstants(nhwc);
  trt::passes::foldShuffles(nhwc);
  trt::passes::removeDeadLayers(nhwc);
  EXPECT_EQ(trt::passes::fuseMatrixMultiplyResidual(nhwc), 1);
  trt::passes::removeDeadLayers(nhwc);
  EXPECT_EQ(count(nhwc, trt::LayerType::kELEMENTWISE), 0);
  const std::vector<float> x = randomVector(2 * 16 * 6 * 6, 75);
  auto a = build(reference), b = build(nhwc);
  expectNear(run(*b.engine, {{"x", {{2, 16, 6, 6}, x}}})["y"], run(*a.engine, {{"x", {{2, 16, 6, 6}, x}}})["y"]);
}

TEST(ChannelsLastPass, ConvNeXtLayerScaleOfLowerRankJoinsTheRegion) {
  // ConvNeXt multiplies the MLP's output by its layer scale, a [C, 1, 1] weight, after the permute back
  // and before the residual add. A rank-3 operand kept that multiply out of the region: the permute
  // back and a transpose into the region ran in every block (36 transposes a call in ConvNeXt-T). It
  // now enters as [1, 1, 1, C], and the multiply reads the product's output directly.
  auto make = [](trt::INetworkDefinition& net, std::vector<std::vector<float>>& keep) {
    makeConvNeXtBlock(net, keep, true);
  };
  std::vector<std::vector<float>> wa, wb, wc;
  trt::INetworkDefinition reference, nhwc, built;
  make(reference, wa);
  make(nhwc, wb);
  make(built, wc);
  const auto float32 = [](trt::DataType t) { return t == trt::DataType::kFLOAT; };
  EXPECT_GT(trt::passes::useChannelsLast(nhwc, float32, 1), 0);
  for (int l = 0; l < nhwc.getNbLayers(); ++l) {
    const trt::ILayer* layer = nhwc.getLayer(l);
    if (layer->getType() != trt::LayerType::kELEMENTWISE) continue;
    EXPECT_EQ(layer->getOutput(0)->getDimensions(), (trt::Dims{2, 6, 6, 16})) << layer->describe();
    if (static_cast<const trt::IElementWiseLayer*>(layer)->getOperation() == trt::ElementWiseOperation::kPROD) {
      EXPECT_EQ(layer->getInput(0)->getDimensions(), (trt::Dims{1, 1, 1, 16})) << "the layer scale's shape";
      EXPECT_EQ(layer->getInput(1)->getProducer()->getType(), trt::LayerType::kMATRIX_MULTIPLY)
          << "the multiply reads the permute back, not the product";
    }
  }
  // With the builder's folds after it (the constant's reshape, the model's permute to NHWC against the
  // region's exit, the dead permute back): only the input's and the output's transposes remain.
  EXPECT_GT(trt::passes::useChannelsLast(built, float32, 1), 0);
  trt::passes::foldConstants(built);
  trt::passes::foldShuffles(built);
  trt::passes::removeDeadLayers(built);
  EXPECT_EQ(count(built, trt::LayerType::kSHUFFLE), 2);
  const std::vector<float> x = randomVector(2 * 16 * 6 * 6, 85);
  auto a = build(reference), b = build(nhwc);
  expectNear(run(*b.engine, {{"x", {{2, 16, 6, 6}, x}}})["y"], run(*a.engine, {{"x", {{2, 16, 6, 6}, x}}})["y"]);
}

TEST(ChannelsLastPass, ARegionNeedsTheBackendsMinimumOfConvolutions) {
  // The CPU's rule: a lone convolution stays channels-first (its transposes would cost what oneDNN's
  // reorders did); two in one region switch.
  WeightPool w;
  trt::INetworkDefinition one, two;
  auto* x1 = one.addInput("x", trt::DataType::kFLOAT, {2, 4, 6, 6});
  one.markOutput(*one.addActivation(*conv(one, w, *x1, 4, 8, 3), trt::ActivationType::kRELU)->getOutput(0));
  auto* x2 = two.addInput("x", trt::DataType::kFLOAT, {2, 4, 6, 6});
  two.markOutput(*conv(two, w, *conv(two, w, *x2, 4, 8, 3), 8, 8, 1));
  const auto float32 = [](trt::DataType t) { return t == trt::DataType::kFLOAT; };
  EXPECT_EQ(trt::passes::useChannelsLast(one, float32, 2), 0);
  EXPECT_GT(trt::passes::useChannelsLast(two, float32, 2), 0);
  EXPECT_EQ(count(two, trt::LayerType::kSHUFFLE), 2);
}

TEST(ChannelsLastPass, LeavesALayerAlreadyChannelsLastAsItIs) {
  // A convolution and a pooling set channels-last through the API read [N, H, W, C] as given: the pass
  // adds no transpose around them (it would reorder data already in NHWC).
  trt::INetworkDefinition net;
  const std::vector<float> w(16 * 8, 0.25f);
  auto* x = net.addInput("x", trt::DataType::kHALF, {8, 6, 6, 8});
  auto* conv = net.addConvolutionNd(*x, 16, {1, 1}, {trt::DataType::kFLOAT, w.data(), 16 * 8}, {});
  conv->setChannelsLast(true);
  auto* pool = net.addPoolingNd(*conv->getOutput(0), trt::PoolingType::kMAX, {2, 2});
  pool->setChannelsLast(true);
  net.markOutput(*pool->getOutput(0));
  EXPECT_EQ(trt::passes::useChannelsLast(net, halfTypes), 0);
  EXPECT_EQ(count(net, trt::LayerType::kSHUFFLE), 0);
  EXPECT_EQ(net.getOutput(0)->getDimensions(), (trt::Dims{8, 3, 3, 16}));
}

namespace {
// An FPN top-down step: the coarse level upsampled (nearest 2x, or bilinear to the fine level's size with
// half-pixel centres and explicit ratios), added to the fine level's lateral 1x1 convolution, then a 3x3
// convolution; output "y".
void makeTopDown(trt::INetworkDefinition& net, WeightPool& w, trt::InterpolationMode mode) {
  auto* fine = net.addInput("fine", trt::DataType::kHALF, {2, 4, 8, 8});
  auto* coarse = net.addInput("coarse", trt::DataType::kHALF, {2, 8, 4, 4});
  auto* top = conv(net, w, *coarse, 8, 6, 1);
  auto* up = net.addResize(*top, {2, 6, 8, 8});
  up->setResizeMode(mode);
  if (mode == trt::InterpolationMode::kLINEAR) {
    up->setCoordinateTransformation(trt::ResizeCoordinateTransformation::kHALF_PIXEL);
    up->setScales({1.0, 1.0, 0.5, 0.5});
  }
  auto* sum = net.addElementWise(*conv(net, w, *fine, 4, 6, 1), *up->getOutput(0), trt::ElementWiseOperation::kSUM);
  auto* out = conv(net, w, *sum->getOutput(0), 6, 6, 3);
  out->setName("y");
  net.markOutput(*out);
}
}  // namespace

TEST(ChannelsLastPass, AnFpnUpsamplingStaysInTheRegionWithTheSameResult) {
  for (auto mode : {trt::InterpolationMode::kNEAREST, trt::InterpolationMode::kLINEAR}) {
    WeightPool w1, w2;
    trt::INetworkDefinition reference, nhwc;
    makeTopDown(reference, w1, mode);
    makeTopDown(nhwc, w2, mode);
    trt::passes::useChannelsLast(nhwc, halfTypes);
    // One region: the resize reads and writes NHWC ([2, 8, 8, 6] with its ratios reordered), so the only
    // transposes are the two inputs' and the output's.
    const auto resizes = layersOf<trt::IResizeLayer>(nhwc, trt::LayerType::kRESIZE);
    ASSERT_EQ(resizes.size(), 1u);
    EXPECT_EQ(resizes[0]->getOutputDimensions(), (trt::Dims{2, 8, 8, 6}));
    if (mode == trt::InterpolationMode::kLINEAR) {
      EXPECT_EQ(resizes[0]->getScales(), (std::vector<double>{1.0, 0.5, 0.5, 1.0}));
    }
    EXPECT_EQ(count(nhwc, trt::LayerType::kSHUFFLE), 3);
    expectSameResults(
        reference, nhwc,
        {{"fine", toHalf(randomVector(2 * 4 * 64, 61))}, {"coarse", toHalf(randomVector(2 * 8 * 16, 62))}});
  }
}

TEST(ChannelsLastPass, AResizeOfChannelsOrARunTimeSizeStaysChannelsFirst) {
  WeightPool w;
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", trt::DataType::kHALF, {2, 4, 8, 8});
  auto* up = net.addResize(*conv(net, w, *x, 4, 6, 1), {2, 12, 8, 8});  // resizes the channels
  auto* out = conv(net, w, *up->getOutput(0), 12, 4, 1);
  out->setName("y");
  net.markOutput(*out);
  trt::passes::useChannelsLast(net, halfTypes);
  EXPECT_EQ(layersOf<trt::IResizeLayer>(net, trt::LayerType::kRESIZE)[0]->getOutputDimensions(),
            (trt::Dims{2, 12, 8, 8}));
}

TEST(ChannelsLastPass, AnFp16EnginesInputAndOutputCastsFoldIntoTheRegionsTransposes) {
  // float32 bindings, FP16 convolutions: the input's cast to FP16 and its transpose to NHWC are one shuffle that
  // reads float32 and writes float16, and the transpose back writes float32 (one pass over the bytes each way, no
  // Identity layer left).
  WeightPool w;
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", trt::DataType::kFLOAT, {2, 4, 8, 8});
  auto* out = conv(net, w, *conv(net, w, *x, 4, 6, 3), 6, 6, 3);
  out->setName("y");
  net.markOutput(*out);
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
  config->setFlag(trt::BuilderFlag::kFP16);
  if (!trt::hasCudaBackend()) GTEST_SKIP() << "the CUDA backend's layout, previewed without a GPU, needs it built";
  config->setBackend(trt::Backend::kCUDA);
  const std::string doc = builder->describeOptimizedNetwork(net, *config);
  EXPECT_EQ(doc.find("\"kind\":\"Identity\""), std::string::npos) << doc;
  const size_t toLast = doc.find("to NHWC [layout]"), toFirst = doc.find("to NCHW [layout]");
  ASSERT_NE(toLast, std::string::npos) << doc;
  ASSERT_NE(toFirst, std::string::npos) << doc;
  EXPECT_LT(toLast, toFirst) << doc;
  // Each transpose's input type, then its output type.
  const auto types = [&](size_t at) {
    const size_t in = doc.find("\"dtype\":\"", at), out = doc.find("\"dtype\":\"", in + 1);
    return doc.substr(in + 9, doc.find('"', in + 9) - in - 9) + " -> " +
           doc.substr(out + 9, doc.find('"', out + 9) - out - 9);
  };
  EXPECT_EQ(types(toLast), "float32 -> float16") << doc;
  EXPECT_EQ(types(toFirst), "float16 -> float32") << doc;
}

TEST(ChannelsLastPass, ASegmentationHeadsLastUpsamplingRunsOnItsSmallInput) {
  // conv -> bilinear 8x upsampling -> float32 output: the resize stays outside the region (the transpose back
  // moves the 8x8 map, not the 64x64 one) and computes in float32 (its small input is cast, not its output).
  WeightPool w;
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", trt::DataType::kFLOAT, {2, 4, 8, 8});
  auto* up = net.addResize(*conv(net, w, *conv(net, w, *x, 4, 6, 3), 6, 3, 1), {2, 3, 64, 64});
  up->setResizeMode(trt::InterpolationMode::kLINEAR);
  up->getOutput(0)->setName("y");
  net.markOutput(*up->getOutput(0));
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
  config->setFlag(trt::BuilderFlag::kFP16);
  // On the CPU (no region without the oneDNN plugin's preference, the same precision rule): float32, and the
  // result is the FP16 convolutions' upsampled exactly as a float32 resize of them.
  auto cpu = build(net, config.get());
  const std::string cpuDoc = cpu.engine->describeLayersJson();
  const size_t resizeAt = cpuDoc.find("\"kind\":\"Resize\"");
  ASSERT_NE(resizeAt, std::string::npos) << cpuDoc;
  EXPECT_NE(cpuDoc.find("\"precision\":\"float32\"", resizeAt), std::string::npos) << cpuDoc;
  EXPECT_EQ(cpuDoc.find("\"y to fp32 [precision]\""), std::string::npos) << "no cast of the large output: " << cpuDoc;
  const auto in = randomVector(2 * 4 * 64, 71);
  auto fp32 = build(net);
  expectNear(run(*cpu.engine, {{"x", {trt::Dims{2, 4, 8, 8}, in}}})["y"],
             run(*fp32.engine, {{"x", {trt::Dims{2, 4, 8, 8}, in}}})["y"], 2e-2f);
  if (!trt::hasCudaBackend()) return;
  config->setBackend(trt::Backend::kCUDA);
  const std::string doc = builder->describeOptimizedNetwork(net, *config);
  const size_t toFirst = doc.find("to NCHW [layout]"), resize = doc.find("\"kind\":\"Resize\"");
  ASSERT_NE(toFirst, std::string::npos) << doc;
  EXPECT_LT(toFirst, resize) << doc;
  EXPECT_NE(doc.find("\"dims\":[2,3,8,8]", toFirst), std::string::npos) << "the small map is transposed: " << doc;
  EXPECT_NE(doc.find("\"precision\":\"float32\"", resize), std::string::npos) << doc;
}
