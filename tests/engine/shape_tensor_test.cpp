// Shape tensors: the Shape and Fill layers, reshape dimensions / slice windows / fill dimensions
// computed from run-time sizes, their host evaluation at build time (partially known values) and
// at run time, constant folding of static shapes, the plan round trip, and clear errors.
#include <cstring>

#include "engine_test_util.h"
#ifdef TORCHTRT_WITH_CUDA
#include <cuda_runtime.h>
#endif

using namespace trt_test;

namespace {
using trt::DataType;
using trt::Dims;
using trt::ElementWiseOperation;
constexpr int64_t kUnknown = trt::kUnknownShapeValue;

trt::ITensor* int64Constant(trt::INetworkDefinition& net, const std::vector<int64_t>& values,
                            std::vector<std::vector<int64_t>>& keep) {
  keep.push_back(values);
  return net
      .addConstant({static_cast<int64_t>(values.size())},
                   {DataType::kINT64, keep.back().data(), static_cast<int64_t>(values.size())})
      ->getOutput(0);
}

// Element `i` of a shape tensor, as a [1] tensor.
trt::ITensor* dimOf(trt::INetworkDefinition& net, trt::ITensor& shape, int64_t i,
                    std::vector<std::vector<int64_t>>& keep) {
  return net.addGather(shape, *int64Constant(net, {i}, keep), 0)->getOutput(0);
}

trt::IOptimizationProfile* profileFor(trt::IBuilder& builder, const char* name, Dims min, Dims opt, Dims max) {
  auto* profile = builder.createOptimizationProfile();
  profile->setDimensions(name, trt::OptProfileSelector::kMIN, min);
  profile->setDimensions(name, trt::OptProfileSelector::kOPT, opt);
  profile->setDimensions(name, trt::OptProfileSelector::kMAX, max);
  return profile;
}

Built buildWithProfile(trt::INetworkDefinition& net, Dims min, Dims opt, Dims max,
                       trt::Backend backend = trt::Backend::kCPU) {
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
  config->setBackend(backend);
  config->addOptimizationProfile(profileFor(*builder, "x", min, opt, max));
  return build(net, config.get());
}

struct Output {
  Dims dims;
  std::vector<uint8_t> bytes;
  template <typename T>
  std::vector<T> as() const {
    return elementsOf<T>(bytes);
  }
};

// Runs a one-input ("x", float) engine on its backend; every output comes back with its shape and bytes.
std::map<std::string, Output> runEngine(const trt::ICudaEngine& engine, Dims shape, const std::vector<float>& x) {
  std::map<std::string, Dims> shapes;
  std::map<std::string, Output> outs;
  for (auto& [name, bytes] : runBytes(engine, {{"x", hostTensor(shape, x)}}, &shapes)) {
    outs[name].dims = shapes[name];
    outs[name].bytes = std::move(bytes);
  }
  return outs;
}

// x [N, 3, H, W] -> "flat": reshape to [N * 3, -1] with the product computed from x's shape;
// "cut": x[:, :, :H-1, ::2] (sizes from x's shape); "shape": x's dimensions.
void dynamicNetwork(trt::INetworkDefinition& net, std::vector<std::vector<int64_t>>& keep) {
  trt::ITensor* x = net.addInput("x", DataType::kFLOAT, {-1, 3, -1, -1});
  trt::ITensor* shape = net.addShape(*x)->getOutput(0);
  shape->setName("shape");
  net.markOutput(*shape);
  trt::ITensor* rows =
      net.addElementWise(*dimOf(net, *shape, 0, keep), *dimOf(net, *shape, 1, keep), ElementWiseOperation::kPROD)
          ->getOutput(0);
  trt::ITensor* dims[] = {rows, int64Constant(net, {-1}, keep)};
  trt::ITensor* reshapeTo = net.addConcatenation(dims, 2)->getOutput(0);  // shape tensors come before their use
  auto* flat = net.addShuffle(*x);
  flat->setInput(1, *reshapeTo);
  flat->getOutput(0)->setName("flat");
  net.markOutput(*flat->getOutput(0));
  // size = [N, 3, H - 1, (W + 1) / 2]
  trt::ITensor* one = int64Constant(net, {1}, keep);
  trt::ITensor* two = int64Constant(net, {2}, keep);
  trt::ITensor* h = net.addElementWise(*dimOf(net, *shape, 2, keep), *one, ElementWiseOperation::kSUB)->getOutput(0);
  trt::ITensor* wPlus =
      net.addElementWise(*dimOf(net, *shape, 3, keep), *one, ElementWiseOperation::kSUM)->getOutput(0);
  trt::ITensor* w = net.addElementWise(*wPlus, *two, ElementWiseOperation::kFLOOR_DIV)->getOutput(0);
  trt::ITensor* sizeParts[] = {dimOf(net, *shape, 0, keep), dimOf(net, *shape, 1, keep), h, w};
  trt::ITensor* size = net.addConcatenation(sizeParts, 4)->getOutput(0);
  trt::ITensor* start = int64Constant(net, {0, 0, 0, 0}, keep);
  auto* cut = net.addSlice(*x, {0, 0, 0, 0}, {1, 1, 1, 1}, {1, 1, 1, 2});
  cut->setInput(1, *start);
  cut->setInput(2, *size);
  cut->getOutput(0)->setName("cut");
  net.markOutput(*cut->getOutput(0));
}

void checkDynamicNetwork(const trt::ICudaEngine& engine) {
  for (Dims shape : {Dims{1, 3, 4, 5}, Dims{3, 3, 6, 4}, Dims{4, 3, 2, 7}}) {
    const int64_t N = shape.d[0], H = shape.d[2], W = shape.d[3];
    const auto x = randomVector(static_cast<size_t>(shape.volume()), static_cast<uint32_t>(N * 100 + H));
    auto outs = runEngine(engine, shape, x);
    EXPECT_EQ(outs["shape"].as<int64_t>(), (std::vector<int64_t>{N, 3, H, W}));
    EXPECT_EQ(outs["flat"].dims, (Dims{N * 3, H * W}));
    EXPECT_EQ(outs["flat"].as<float>(), x);  // a reshape moves no element
    const int64_t Wc = (W + 1) / 2;
    ASSERT_EQ(outs["cut"].dims, (Dims{N, 3, H - 1, Wc}));
    std::vector<float> expected;
    for (int64_t n = 0; n < N; ++n)
      for (int64_t c = 0; c < 3; ++c)
        for (int64_t i = 0; i < H - 1; ++i)
          for (int64_t j = 0; j < Wc; ++j) expected.push_back(x[((n * 3 + c) * H + i) * W + j * 2]);
    EXPECT_EQ(outs["cut"].as<float>(), expected) << shape.str();
  }
}
}  // namespace

TEST(ShapeTensors, BuildTimeValuesAreKnownAsFarAsStaticDimsDecide) {
  trt::INetworkDefinition net;
  std::vector<std::vector<int64_t>> keep;
  dynamicNetwork(net, keep);
  trt::ITensor* shape = net.getOutput(0);
  EXPECT_EQ(shape->getShapeValues(), (std::vector<int64_t>{kUnknown, 3, kUnknown, kUnknown}));
  EXPECT_EQ(net.getOutput(1)->getDimensions(), (Dims{-1, -1}));         // flat: N * 3 unknown, -1 inferred later
  EXPECT_EQ(net.getOutput(2)->getDimensions(), (Dims{-1, 3, -1, -1}));  // cut: the channel count is known
  EXPECT_TRUE(net.getInput(0)->getShapeValues().empty());               // a float input is no shape tensor
}

TEST(ShapeTensors, ArithmeticKeepsTheElementsStaticDimsDecide) {
  // shape(x) + [0, 0, 2, 2], as padding computes its window: only the batch element stays unknown,
  // so the padded tensor keeps its static channel count (a convolution after it needs it).
  trt::INetworkDefinition net;
  std::vector<std::vector<int64_t>> keep;
  trt::ITensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, 3, 4, 5});
  trt::ITensor* shape = net.addShape(*x)->getOutput(0);
  trt::ITensor* padded =
      net.addElementWise(*shape, *int64Constant(net, {0, 0, 2, 2}, keep), ElementWiseOperation::kSUM)->getOutput(0);
  EXPECT_EQ(padded->getShapeValues(), (std::vector<int64_t>{kUnknown, 3, 6, 7}));
  // A broadcast operand: [N, 3, 4, 5] * [2] doubles every element, the unknown one stays unknown.
  trt::ITensor* doubled =
      net.addElementWise(*shape, *int64Constant(net, {2}, keep), ElementWiseOperation::kPROD)->getOutput(0);
  EXPECT_EQ(doubled->getShapeValues(), (std::vector<int64_t>{kUnknown, 6, 8, 10}));
  // Unknown elements never reach the arithmetic: a division by the batch leaves the others known.
  trt::ITensor* ratio =
      net.addElementWise(*int64Constant(net, {12, 12, 12, 12}, keep), *shape, ElementWiseOperation::kFLOOR_DIV)
          ->getOutput(0);
  EXPECT_EQ(ratio->getShapeValues(), (std::vector<int64_t>{kUnknown, 4, 3, 2}));
  trt::ITensor* start = int64Constant(net, {0, 0, -1, -1}, keep);  // shape tensors come before their use
  auto* window = net.addSlice(*x, Dims{0, 0, -1, -1}, Dims{0, 0, 0, 0}, Dims{1, 1, 1, 1});
  window->setInput(1, *start);
  window->setInput(2, *padded);
  window->setMode(trt::SampleMode::kFILL);
  EXPECT_EQ(window->getOutput(0)->getDimensions(), (Dims{-1, 3, 6, 7}));
  window->getOutput(0)->setName("padded");
  net.markOutput(*window->getOutput(0));
  Built b = buildWithProfile(net, {1, 3, 4, 5}, {2, 3, 4, 5}, {4, 3, 4, 5});
  const auto input = randomVector(2 * 3 * 4 * 5, 7);
  auto outs = runEngine(*b.engine, Dims{2, 3, 4, 5}, input);
  ASSERT_EQ(outs["padded"].dims, (Dims{2, 3, 6, 7}));
  const auto values = outs["padded"].as<float>();
  EXPECT_EQ(values[0], 0.0f);                                      // the fill before the first row
  EXPECT_EQ(values[(0 * 6 + 1) * 7 + 1], input[0]);                // x[0, 0, 0, 0] one row and column in
  EXPECT_EQ(values[((1 * 3 + 2) * 6 + 4) * 7 + 5], input.back());  // x[1, 2, 3, 4]
}

TEST(ShapeTensors, AnInputMadeAfterItsConsumerIsNamed) {
  // Creation order is execution order: a shape tensor created after the reshape it feeds is named
  // as such (it used to surface as an input of no shape and the wrong type).
  trt::INetworkDefinition net;
  std::vector<std::vector<int64_t>> keep;
  trt::ITensor* x = net.addInput("x", DataType::kFLOAT, Dims{2, 6});
  auto* flat = net.addShuffle(*x);
  trt::ITensor* late = int64Constant(net, {3, 4}, keep);
  flat->setInput(1, *late);
  try {
    flat->getOutput(0)->getDimensions();
    FAIL() << "an input produced by a later layer must be refused";
  } catch (const trt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("added after this layer"), std::string::npos) << e.what();
  }
}

TEST(ShapeTensors, ReshapeAndSliceFollowRunTimeShapes) {
  trt::INetworkDefinition net;
  std::vector<std::vector<int64_t>> keep;
  dynamicNetwork(net, keep);
  Built b = buildWithProfile(net, {1, 3, 2, 2}, {2, 3, 4, 4}, {4, 3, 8, 8});
  checkDynamicNetwork(*b.engine);
  // The plan round trip keeps the shape layers and their inputs.
  std::unique_ptr<trt::IHostMemory> again(b.engine->serialize());
  std::unique_ptr<trt::ICudaEngine> reloaded(b.runtime->deserializeCudaEngine(again->data(), again->size()));
  checkDynamicNetwork(*reloaded);
  EXPECT_NE(reloaded->describeLayers().find("Shape"), std::string::npos);
}

TEST(ShapeTensors, StaticShapesFoldIntoConstants) {
  trt::INetworkDefinition net;
  std::vector<std::vector<int64_t>> keep;
  trt::ITensor* x = net.addInput("x", DataType::kFLOAT, {2, 3, 4});
  trt::ITensor* shape = net.addShape(*x)->getOutput(0);
  EXPECT_EQ(shape->getShapeValues(), (std::vector<int64_t>{2, 3, 4}));
  trt::ITensor* dims[] = {dimOf(net, *shape, 0, keep), int64Constant(net, {-1}, keep)};
  trt::ITensor* reshapeTo = net.addConcatenation(dims, 2)->getOutput(0);
  auto* flat = net.addShuffle(*x);
  flat->setInput(1, *reshapeTo);
  EXPECT_EQ(flat->getOutput(0)->getDimensions(), (Dims{2, 12}));
  flat->getOutput(0)->setName("flat");
  net.markOutput(*flat->getOutput(0));
  Built b = build(net);
  const std::string layers = b.engine->describeLayers();
  EXPECT_EQ(layers.find("(Shape)"), std::string::npos) << layers;
  EXPECT_EQ(layers.find("(Gather)"), std::string::npos) << layers;
  const auto x0 = randomVector(24, 5);
  auto outs = runEngine(*b.engine, {2, 3, 4}, x0);
  EXPECT_EQ(outs["flat"].dims, (Dims{2, 12}));
  EXPECT_EQ(outs["flat"].as<float>(), x0);
}

TEST(ShapeTensors, FillWritesConstantsAndRampsOfRunTimeSize) {
  trt::INetworkDefinition net;
  std::vector<std::vector<int64_t>> keep;
  trt::ITensor* x = net.addInput("x", DataType::kFLOAT, {-1, 2});
  trt::ITensor* shape = net.addShape(*x)->getOutput(0);
  trt::ITensor* dims[] = {dimOf(net, *shape, 0, keep), int64Constant(net, {3}, keep)};
  trt::ITensor* rampDims = net.addConcatenation(dims, 2)->getOutput(0);
  auto* ramp = net.addFill({}, trt::FillOperation::kLINSPACE, DataType::kFLOAT);
  ramp->setInput(0, *rampDims);
  ramp->setAlpha(0.5);
  ramp->setBeta({10.0, -0.25});
  EXPECT_EQ(ramp->getOutput(0)->getDimensions(), (Dims{-1, 3}));
  ramp->getOutput(0)->setName("ramp");
  net.markOutput(*ramp->getOutput(0));
  auto* count = net.addFill({4}, trt::FillOperation::kLINSPACE, DataType::kINT32);
  count->setAlpha(-2);
  count->setBeta({3});
  count->getOutput(0)->setName("count");
  net.markOutput(*count->getOutput(0));
  auto* big = net.addFill({2}, trt::FillOperation::kLINSPACE, DataType::kINT64);
  big->setAlpha(4e12);
  big->setBeta({1});
  big->getOutput(0)->setName("big");
  net.markOutput(*big->getOutput(0));
  auto* flags = net.addFill({}, trt::FillOperation::kCONSTANT, DataType::kBOOL);
  flags->setInput(0, *shape);
  flags->setAlpha(1);
  flags->getOutput(0)->setName("flags");
  net.markOutput(*flags->getOutput(0));
  auto* halves = net.addFill({3}, trt::FillOperation::kCONSTANT, DataType::kHALF);
  halves->setAlpha(-1.5);
  halves->getOutput(0)->setName("halves");
  net.markOutput(*halves->getOutput(0));
  Built b = buildWithProfile(net, {1, 2}, {2, 2}, {5, 2});
  auto outs = runEngine(*b.engine, {2, 2}, randomVector(4, 1));
  EXPECT_EQ(outs["ramp"].dims, (Dims{2, 3}));
  EXPECT_EQ(outs["ramp"].as<float>(), (std::vector<float>{0.5f, 0.25f, 0.f, 10.5f, 10.25f, 10.f}));
  EXPECT_EQ(outs["count"].as<int32_t>(), (std::vector<int32_t>{-2, 1, 4, 7}));
  EXPECT_EQ(outs["big"].as<int64_t>(), (std::vector<int64_t>{4000000000000, 4000000000001}));
  EXPECT_EQ(outs["flags"].dims, (Dims{2, 2}));
  EXPECT_EQ(outs["flags"].as<uint8_t>(), (std::vector<uint8_t>{1, 1, 1, 1}));
  EXPECT_EQ(outs["halves"].as<uint16_t>(), (std::vector<uint16_t>{0xBE00, 0xBE00, 0xBE00}));  // -1.5 in half
}

TEST(ShapeTensors, BadShapeInputsAreRefusedWithTheirRole) {
  auto expectError = [](auto&& makeNetwork, const std::string& needle) {
    trt::INetworkDefinition net;
    std::vector<std::vector<int64_t>> keep;
    try {
      makeNetwork(net, keep);
      FAIL() << "no error; expected one naming " << needle;
    } catch (const trt::Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  // Reshape dimensions from a network input's data: not computable on the host.
  expectError(
      [](trt::INetworkDefinition& net, auto&) {
        trt::ITensor* x = net.addInput("x", DataType::kFLOAT, {2, 3});
        trt::ITensor* dims = net.addInput("d", DataType::kINT64, {2});
        auto* s = net.addShuffle(*x);
        s->setInput(1, *dims);
        s->getOutput(0)->getDimensions();
      },
      "input 1 (reshape dimensions) is not a shape tensor");
  expectError(
      [](trt::INetworkDefinition& net, auto& keep) {
        trt::ITensor* x = net.addInput("x", DataType::kFLOAT, {2, 3});
        trt::ITensor* dims = int64Constant(net, {-1, -1}, keep);
        auto* s = net.addShuffle(*x);
        s->setInput(1, *dims);
        s->getOutput(0)->getDimensions();
      },
      "more than one -1");
  expectError(
      [](trt::INetworkDefinition& net, auto& keep) {
        trt::ITensor* x = net.addInput("x", DataType::kFLOAT, {2, 3});
        trt::ITensor* start = int64Constant(net, {0, 0, 0}, keep);
        auto* s = net.addSlice(*x, {0, 0}, {1, 1}, {1, 1});
        s->setInput(1, *start);
        s->getOutput(0)->getDimensions();
      },
      "input 1 (start) must be a 1-D int32/int64 tensor of the input's rank 2");
  expectError(
      [](trt::INetworkDefinition& net, auto& keep) {
        trt::ITensor* dims = int64Constant(net, {2, -3}, keep);
        auto* f = net.addFill({}, trt::FillOperation::kCONSTANT);
        f->setInput(0, *dims);
        f->getOutput(0)->getDimensions();
      },
      "output dimension 1 is -3");
  expectError(
      [](trt::INetworkDefinition& net, auto&) {
        auto* f = net.addFill({2, 2}, trt::FillOperation::kLINSPACE);
        f->setBeta({1.0});
        f->getOutput(0)->getDimensions();
      },
      "one beta (step) per output dimension");
  expectError(
      [](trt::INetworkDefinition& net, auto&) {
        auto* f = net.addFill({3}, trt::FillOperation::kLINSPACE, DataType::kINT32);
        f->setAlpha(2147483646.0);
        f->setBeta({1.0});
        f->getOutput(0)->setName("y");
        net.markOutput(*f->getOutput(0));
        Built b = build(net);
        std::unique_ptr<trt::IExecutionContext> ctx(b.engine->createExecutionContext());
        std::vector<int32_t> y(3);
        ctx->setTensorAddress("y", y.data());
        ctx->enqueueV3(nullptr);
      },
      "do not fit the int32 output");
  // A run-time slice window outside the input is refused when the shapes are set.
  expectError(
      [](trt::INetworkDefinition& net, auto& keep) {
        trt::ITensor* x = net.addInput("x", DataType::kFLOAT, {-1, 4});
        trt::ITensor* shape = net.addShape(*x)->getOutput(0);
        trt::ITensor* start = int64Constant(net, {0, 1}, keep);
        auto* s = net.addSlice(*x, {0, 0}, {1, 1}, {1, 1});
        s->setInput(1, *start);
        s->setInput(2, *shape);  // starts at column 1 but reads 4 columns
        s->getOutput(0)->setName("y");
        net.markOutput(*s->getOutput(0));
        Built b = buildWithProfile(net, {1, 4}, {2, 4}, {3, 4});
        std::unique_ptr<trt::IExecutionContext> ctx(b.engine->createExecutionContext());
        ctx->setInputShape("x", {2, 4});
        ctx->getTensorShape("y");
      },
      "reads elements 1..4 of an input of size 4");
}

#ifdef TORCHTRT_WITH_CUDA
TEST(ShapeTensors, CudaMatchesTheCpu) {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess || n == 0) GTEST_SKIP() << "no CUDA GPU visible";
  trt::INetworkDefinition net;
  std::vector<std::vector<int64_t>> keep;
  dynamicNetwork(net, keep);
  Built b = buildWithProfile(net, {1, 3, 2, 2}, {2, 3, 4, 4}, {4, 3, 8, 8}, trt::Backend::kCUDA);
  checkDynamicNetwork(*b.engine);
}

TEST(ShapeTensors, CudaFillMatchesTheCpu) {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess || n == 0) GTEST_SKIP() << "no CUDA GPU visible";
  for (DataType type : {DataType::kFLOAT, DataType::kHALF, DataType::kINT32, DataType::kINT64, DataType::kBOOL}) {
    std::map<std::string, Output> results[2];
    for (int gpu = 0; gpu < 2; ++gpu) {
      trt::INetworkDefinition net;
      trt::ITensor* x = net.addInput("x", DataType::kFLOAT, {-1, 5});
      const bool ramp = type != DataType::kBOOL;
      trt::ITensor* shape = net.addShape(*x)->getOutput(0);
      auto* f = net.addFill({}, ramp ? trt::FillOperation::kLINSPACE : trt::FillOperation::kCONSTANT, type);
      f->setInput(0, *shape);
      f->setAlpha(ramp ? -3.0 : 1.0);
      if (ramp) f->setBeta({7.0, 1.5});
      f->getOutput(0)->setName("y");
      net.markOutput(*f->getOutput(0));
      Built b = buildWithProfile(net, {1, 5}, {2, 5}, {9, 5}, gpu ? trt::Backend::kCUDA : trt::Backend::kCPU);
      results[gpu] = runEngine(*b.engine, {7, 5}, randomVector(35, 3));
    }
    EXPECT_EQ(results[1]["y"].dims, (Dims{7, 5}));
    EXPECT_EQ(results[1]["y"].bytes, results[0]["y"].bytes) << trt::dataTypeName(type);
  }
}
#endif
