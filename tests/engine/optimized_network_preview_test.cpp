// IBuilder::describeOptimizedNetwork: the inspector's record of the layers a build would produce, without the
// build. On the CPU it lists what the built engine's inspector lists; for the CUDA backend it needs no GPU (the
// layout and fusion choices of a GPU engine, checked on machines without one).
#include <nlohmann/json.hpp>

#include "engine_test_util.h"
#include "int8_test_util.h"

namespace {

using Json = nlohmann::json;

// y = relu(conv_b(a) + a), a = conv_a(x), 2 channels: the residual add and the ReLU fold into conv_b.
struct ResidualBlock {
  std::vector<float> wa = {1.f, -2.f, 0.5f, 1.5f}, wb = {-1.f, 0.25f, 2.f, -0.5f}, bias = {0.1f, -0.3f};
  trt::INetworkDefinition net;
  explicit ResidualBlock(trt::Dims input = {1, 2, 3, 3}) {
    auto* x = net.addInput("x", trt::DataType::kFLOAT, input);
    auto* a = net.addConvolutionNd(*x, 2, {1, 1}, {trt::DataType::kFLOAT, wa.data(), 4}, {});
    auto* b = net.addConvolutionNd(*a->getOutput(0), 2, {1, 1}, {trt::DataType::kFLOAT, wb.data(), 4},
                                   {trt::DataType::kFLOAT, bias.data(), 2});
    auto* sum = net.addElementWise(*b->getOutput(0), *a->getOutput(0), trt::ElementWiseOperation::kSUM);
    auto* relu = net.addActivation(*sum->getOutput(0), trt::ActivationType::kRELU);
    relu->getOutput(0)->setName("y");
    net.markOutput(*relu->getOutput(0));
  }
};

Json preview(trt::INetworkDefinition& net, trt::IBuilderConfig& config) {
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  return Json::parse(builder->describeOptimizedNetwork(net, config));
}

// What identifies a layer of the record apart from what only a built engine knows (tactics, implementations).
std::vector<std::string> layerKeys(const Json& doc) {
  std::vector<std::string> keys;
  for (const Json& layer : doc["layers"])
    keys.push_back(layer["kind"].get<std::string>() + " " + layer["name"].get<std::string>() + " " +
                   layer["fused"].dump() + " " + layer["precision"].get<std::string>() + " " + layer["outputs"].dump());
  return keys;
}

}  // namespace

TEST(OptimizedNetworkPreview, OnTheCpuListsTheLayersTheBuiltEngineRuns) {
  ResidualBlock block;
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
  const int before = block.net.getNbLayers();
  const Json previewed = preview(block.net, *config);
  EXPECT_EQ(block.net.getNbLayers(), before) << "the preview optimizes a copy, as a build does";
  auto built = trt_test::build(block.net, config.get());
  const Json engine = Json::parse(built.engine->describeLayersJson());
  EXPECT_EQ(layerKeys(previewed), layerKeys(engine));
  EXPECT_EQ(previewed["backend"], "cpu");
  EXPECT_EQ(previewed["device"], engine["device"]);
  // The residual add and the ReLU are in the second convolution, as in the engine.
  EXPECT_NE(previewed.dump().find("\"residual\":true"), std::string::npos) << previewed.dump();
  // Nothing was prepared: no activation memory, no implementation but the views.
  EXPECT_TRUE(previewed["activation_bytes"].is_null());
  for (const Json& layer : previewed["layers"]) {
    EXPECT_TRUE(layer["tactics"].empty());
    EXPECT_TRUE(layer["implementation"].is_null() || layer["implementation"] == "view of its input's memory")
        << layer.dump();
  }
}

TEST(OptimizedNetworkPreview, RefusesWhatTheBuildRefuses) {
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", trt::DataType::kFLOAT, {-1, 4});
  auto* relu = net.addActivation(*x, trt::ActivationType::kRELU);
  net.markOutput(*relu->getOutput(0));
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
  try {
    builder->describeOptimizedNetwork(net, *config);
    FAIL() << "a dynamic input without an optimization profile was accepted";
  } catch (const trt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("no optimization profile"), std::string::npos) << e.what();
  }
}

TEST(OptimizedNetworkPreview, ShowsACudaEnginesLayoutWithOrWithoutAGpu) {
  if (!trt::hasCudaBackend()) GTEST_SKIP() << "this build has no CUDA backend";
  ResidualBlock block({2, 2, 8, 8});
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
  config->setBackend(trt::Backend::kCUDA);
  config->setFlag(trt::BuilderFlag::kFP16);
  const Json doc = preview(block.net, *config);
  EXPECT_EQ(doc["backend"], "cuda");
  if (!trt_test::gpuVisible()) EXPECT_EQ(doc["device"], "no GPU visible: layers previewed for sm_90");
  // The CUDA backend's choices: FP16 convolutions channels-last, the residual add and the ReLU fused.
  int nhwc = 0;
  for (const Json& layer : doc["layers"]) {
    if (layer["kind"] != "Convolution") continue;
    EXPECT_EQ(layer["precision"], "float16") << layer.dump();
    nhwc += layer["fused"].value("layout", "") == "NHWC";
    EXPECT_TRUE(layer["tactics"].empty()) << "nothing is timed in a preview";
  }
  EXPECT_EQ(nhwc, 2) << doc.dump();
  EXPECT_NE(doc.dump().find("\"residual\":true"), std::string::npos) << doc.dump();
  if (trt_test::gpuVisible()) return;
  // A build still needs the GPU.
  try {
    trt_test::build(block.net, config.get());
    FAIL() << "a CUDA build without a GPU succeeded";
  } catch (const trt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("no CUDA GPU is visible"), std::string::npos) << e.what();
  }
}

TEST(OptimizedNetworkPreview, RefusesABuildThatCalibratesAndReadsNoBatch) {
  // Calibration runs the network on the backend's device: a preview asks for none of it.
  ResidualBlock block;
  trt_test::VectorCalibrator calibrator({trt_test::randomVector(18, 5)}, trt::CalibrationAlgoType::kMINMAX_CALIBRATION,
                                        1);
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
  config->setFlag(trt::BuilderFlag::kINT8);
  config->setInt8Calibrator(&calibrator);
  try {
    builder->describeOptimizedNetwork(block.net, *config);
    FAIL() << "a preview calibrated";
  } catch (const trt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot preview a build that calibrates"), std::string::npos) << e.what();
  }
  EXPECT_EQ(calibrator.batchesRead(), 0u);
}
