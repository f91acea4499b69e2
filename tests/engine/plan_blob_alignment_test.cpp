// Large weights in place (issue 28, plan format 13): a blob of 64 KiB or more starts at a multiple of
// 64 bytes from the plan's first byte, so a runtime that keeps the plan (IRuntime::deserializeCudaEngine
// of a shared plan, as a loaded TorchScript module does) reads those weights where they are instead of
// holding a copy of them beside the plan.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "engine_test_util.h"
#include "plan/plan_io.h"
#include "plan_fuzz_util.h"

namespace {

using trt_test::randomVector;

constexpr int64_t kValues = 40000;  // 160,000 bytes of float32: above the aligned-blob threshold

struct LargeConstant {
  std::vector<float> weights = randomVector(kValues, 90);
  trt_test::Built built;
  LargeConstant() {
    trt::INetworkDefinition net;
    auto* x = net.addInput("x", trt::DataType::kFLOAT, {kValues});
    auto* c = net.addConstant({kValues}, {trt::DataType::kFLOAT, weights.data(), kValues});
    auto* y = net.addElementWise(*x, *c->getOutput(0), trt::ElementWiseOperation::kSUM)->getOutput(0);
    y->setName("y");
    net.markOutput(*y);
    built = trt_test::build(net);
  }
  // Where the weights' bytes start in the plan.
  size_t offset() const {
    const auto* first = reinterpret_cast<const uint8_t*>(weights.data());
    auto at = std::search(built.plan.begin(), built.plan.end(), first, first + 256);
    EXPECT_NE(at, built.plan.end());
    return static_cast<size_t>(at - built.plan.begin());
  }
};

const trt::IConstantLayer* constantOf(const trt::ICudaEngine& engine) {
  const trt::INetworkDefinition& net = engine.network();
  for (int l = 0; l < net.getNbLayers(); ++l)
    if (net.getLayer(l)->getType() == trt::LayerType::kCONSTANT)
      return static_cast<const trt::IConstantLayer*>(net.getLayer(l));
  return nullptr;
}

TEST(PlanBlobAlignment, LargeWeightsStartAtA64ByteBoundaryOfThePlan) {
  LargeConstant model;
  EXPECT_EQ(model.offset() % trt::kPlanBlobAlignment, 0u);
  uint32_t version = 0;
  std::memcpy(&version, model.built.plan.data() + 8, 4);
  EXPECT_GE(version, 13u);  // blobs are aligned from format 13 on
}

TEST(PlanBlobAlignment, AKeptPlanLendsItsWeightsAndACopiedOneDoesNot) {
  LargeConstant model;
  auto plan = std::make_shared<const std::string>(model.built.plan.begin(), model.built.plan.end());
  std::unique_ptr<trt::IRuntime> runtime(trt::createInferRuntime(trt::defaultLogger()));
  std::weak_ptr<const std::string> watch = plan;
  std::unique_ptr<trt::ICudaEngine> kept(runtime->deserializeCudaEngine(plan));
  const uint8_t* begin = reinterpret_cast<const uint8_t*>(plan->data());
  const trt::IConstantLayer* constant = constantOf(*kept);
  ASSERT_NE(constant, nullptr);
  EXPECT_GE(constant->bytes().data(), begin);
  EXPECT_LT(constant->bytes().data(), begin + plan->size()) << "the kept plan's weights were copied";
  // The copying overload holds its own bytes; both compute the same.
  const trt::IConstantLayer* copied = constantOf(*model.built.engine);
  EXPECT_TRUE(copied->bytes().data() < begin || copied->bytes().data() >= begin + plan->size());
  const std::vector<float> x = randomVector(kValues, 91);
  plan.reset();  // the engine keeps what it reads in place
  EXPECT_FALSE(watch.expired()) << "the engine freed the plan its weights are read from";
  const auto a = trt_test::run(*kept, {{"x", {trt::Dims{kValues}, x}}})["y"];
  const auto b = trt_test::run(*model.built.engine, {{"x", {trt::Dims{kValues}, x}}})["y"];
  ASSERT_EQ(a.size(), static_cast<size_t>(kValues));
  EXPECT_EQ(a, b);
  EXPECT_EQ(a[123], x[123] + model.weights[123]);
  // Written again from the engine that borrowed its weights: the same plan, byte for byte.
  std::unique_ptr<trt::IHostMemory> again(kept->serialize());
  const auto* first = static_cast<const uint8_t*>(again->data());
  EXPECT_EQ(std::vector<uint8_t>(first, first + again->size()), model.built.plan);
}

TEST(PlanBlobAlignment, AKeptPlanMostlyOfCopiedWeightsIsFreedAfterLoading) {
  // A convolution's weights are always copied into its layer; with the 64 KiB constant less than half
  // of the plan, the constant is copied too and the engine does not keep the plan.
  const std::vector<float> kernel = randomVector(64 * 64 * 3 * 3, 92), bias = randomVector(64, 93);
  const std::vector<float> shift = randomVector(64 * 16 * 16, 94);  // 65,536 bytes
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", trt::DataType::kFLOAT, {1, 64, 16, 16});
  auto* conv = net.addConvolutionNd(*x, 64, {3, 3}, {trt::DataType::kFLOAT, kernel.data(), 64 * 64 * 9},
                                    {trt::DataType::kFLOAT, bias.data(), 64});
  conv->setPaddingNd({1, 1});
  auto* c = net.addConstant({1, 64, 16, 16}, {trt::DataType::kFLOAT, shift.data(), 64 * 16 * 16});
  auto* y = net.addElementWise(*conv->getOutput(0), *c->getOutput(0), trt::ElementWiseOperation::kSUM)->getOutput(0);
  y->setName("y");
  net.markOutput(*y);
  trt_test::Built built = trt_test::build(net);
  auto plan = std::make_shared<const std::string>(built.plan.begin(), built.plan.end());
  std::weak_ptr<const std::string> watch = plan;
  std::unique_ptr<trt::IRuntime> runtime(trt::createInferRuntime(trt::defaultLogger()));
  std::unique_ptr<trt::ICudaEngine> engine(runtime->deserializeCudaEngine(std::move(plan)));
  EXPECT_TRUE(watch.expired()) << "the engine keeps a plan whose weights it mostly copied";
  const std::vector<float> in = randomVector(64 * 16 * 16, 95);
  EXPECT_EQ(trt_test::run(*engine, {{"x", {trt::Dims{1, 64, 16, 16}, in}}})["y"],
            trt_test::run(*built.engine, {{"x", {trt::Dims{1, 64, 16, 16}, in}}})["y"]);
}

TEST(PlanBlobAlignment, BadPaddingIsRefusedNamingTheFieldAndOffset) {
  LargeConstant model;
  std::vector<uint8_t> bytes = model.built.plan;
  const size_t data = model.offset();
  // The blob's u64 byte count, then the padding length byte and the pad before the data.
  const uint64_t count = kValues * 4;
  size_t lengthAt = 0;
  for (size_t q = data - 9; q + 9 + trt::kPlanBlobAlignment > data && lengthAt == 0; --q)
    if (std::memcmp(&bytes[q], &count, 8) == 0) lengthAt = q + 8;
  ASSERT_NE(lengthAt, 0u);
  const uint8_t pad = bytes[lengthAt];
  ASSERT_EQ(lengthAt + 1 + pad, data);
  // Set the pad's last byte (or, without a pad, the length) wrong.
  if (pad > 0)
    bytes[data - 1] = 7;
  else
    bytes[lengthAt] = 200;
  trt_test::reseal(bytes);
  std::unique_ptr<trt::IRuntime> runtime(trt::createInferRuntime(trt::defaultLogger()));
  try {
    std::unique_ptr<trt::ICudaEngine> engine(runtime->deserializeCudaEngine(bytes.data(), bytes.size()));
    FAIL() << "a plan with bad padding loaded";
  } catch (const trt::Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("field 'values'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("padding"), std::string::npos) << msg;
    EXPECT_NE(msg.find(" at byte "), std::string::npos) << msg;
  }
}

}  // namespace
