// Building stays linear in the network's size (issue 28: a chain of 5,000 scalar adds took 40 s to
// compile, a third of it re-inferring every layer's shapes after each layer a converter added).
// Shape inference visits only layers added or changed since it last ran; the visits are counted.
#include <gtest/gtest.h>

#include <vector>

#include "trt/network.h"

namespace {

TEST(NetworkInference, AChainBuiltLayerByLayerIsInferredOncePerLayer) {
  constexpr int kLayers = 5000;
  trt::INetworkDefinition net;
  trt::ITensor* y = net.addInput("x", trt::DataType::kFLOAT, {2, 3});
  const float one = 1.f;
  for (int i = 0; i < kLayers / 2; ++i) {
    trt::ITensor* c = net.addConstant({1, 1}, {trt::DataType::kFLOAT, &one, 1})->getOutput(0);
    y = net.addElementWise(*y, *c, trt::ElementWiseOperation::kSUM)->getOutput(0);
    ASSERT_EQ(y->getDimensions(), (trt::Dims{2, 3}));  // as a converter asks after each layer
  }
  EXPECT_EQ(net.getNbLayers(), kLayers);
  EXPECT_EQ(net.getInferenceVisits(), static_cast<uint64_t>(kLayers));
}

TEST(NetworkInference, AChangeReinfersOnlyTheLayersFromTheChangedOne) {
  trt::INetworkDefinition net;
  trt::ITensor* x = net.addInput("x", trt::DataType::kFLOAT, {1, 4, 4});
  std::vector<trt::ILayer*> layers;
  trt::ITensor* y = x;
  for (int i = 0; i < 10; ++i) {
    layers.push_back(net.addActivation(*y, trt::ActivationType::kRELU));
    y = layers.back()->getOutput(0);
  }
  auto* pool = net.addPoolingNd(*y, trt::PoolingType::kMAX, {2, 2});
  EXPECT_EQ(pool->getOutput(0)->getDimensions(), (trt::Dims{1, 2, 2}));
  EXPECT_EQ(net.getInferenceVisits(), 11u);
  // Names and output marks do not change shapes.
  y->setName("t");
  net.markOutput(*pool->getOutput(0));
  EXPECT_EQ(pool->getOutput(0)->getDimensions(), (trt::Dims{1, 2, 2}));
  EXPECT_EQ(net.getInferenceVisits(), 11u);
  // A parameter of the last layer: only it is inferred again, and its shape follows.
  pool->setWindowSizeNd({4, 4});
  EXPECT_EQ(pool->getOutput(0)->getDimensions(), (trt::Dims{1, 1, 1}));
  EXPECT_EQ(net.getInferenceVisits(), 12u);
  // A parameter of layer 7: layers 7 to 10.
  layers[7]->setPrecision(trt::DataType::kFLOAT);
  net.inferShapes();
  EXPECT_EQ(net.getInferenceVisits(), 16u);
  // An input's dimensions: everything, and the new shape reaches the end of the chain.
  x->setDimensions({1, 8, 8});
  EXPECT_EQ(pool->getOutput(0)->getDimensions(), (trt::Dims{1, 2, 2}));
  EXPECT_EQ(net.getInferenceVisits(), 27u);
}

TEST(NetworkInference, MovedRemovedAndRewiredLayersAreInferredAgain) {
  trt::INetworkDefinition net;
  trt::ITensor* x = net.addInput("x", trt::DataType::kFLOAT, {1, 4, 4});
  auto* a = net.addActivation(*x, trt::ActivationType::kRELU);
  auto* pool = net.addPoolingNd(*x, trt::PoolingType::kMAX, {2, 2});
  auto* b = net.addActivation(*pool->getOutput(0), trt::ActivationType::kRELU);
  EXPECT_EQ(b->getOutput(0)->getDimensions(), (trt::Dims{1, 2, 2}));
  net.replaceAllUses(*pool->getOutput(0), *a->getOutput(0));  // b now reads a's [1, 4, 4]
  EXPECT_EQ(b->getOutput(0)->getDimensions(), (trt::Dims{1, 4, 4}));
  net.removeLayer(pool);
  EXPECT_EQ(net.indexOf(b), 1);
  EXPECT_EQ(b->getOutput(0)->getDimensions(), (trt::Dims{1, 4, 4}));
  // A layer moved before the producer of its input is named, as before.
  net.moveLayer(b, 0);
  EXPECT_THROW(net.inferShapes(), trt::Error);
  net.moveLayer(b, 1);
  EXPECT_NO_THROW(net.inferShapes());
}

}  // namespace
