// A per-channel Scale that is the only reader of a concatenation along its channel axis (DenseNet's batch norm +
// ReLU after each concatenation of the earlier feature maps): the builder makes the Scale read the pieces, and
// the results equal the concatenation's, scaled, on every backend.
#include <algorithm>

#include "engine_test_util.h"

using namespace trt_test;

namespace {
using trt::DataType;
using trt::Dims;

struct Pieces {
  Dims base;                    // every input's dims but the axis
  int axis;                     // the concatenation's and the scale's channel axis
  std::vector<int64_t> widths;  // each input's size along the axis
};

Dims pieceDims(const Pieces& p, size_t i) {
  Dims d = p.base;
  d.d[p.axis] = p.widths[i];
  return d;
}

int64_t channelsOf(const Pieces& p) {
  int64_t c = 0;
  for (int64_t w : p.widths) c += w;
  return c;
}

// y = relu(concat(x0, x1, ...) * scale + shift) per channel, or with `alsoOutput` the concatenation marked as an
// output too (then it has a reader besides the scale).
void concatScaleNetwork(trt::INetworkDefinition& net, const Pieces& p, int concatAxis, bool alsoOutput = false) {
  std::vector<trt::ITensor*> xs;
  for (size_t i = 0; i < p.widths.size(); ++i)
    xs.push_back(net.addInput(("x" + std::to_string(i)).c_str(), DataType::kFLOAT, pieceDims(p, i)));
  auto* concat = net.addConcatenation(xs.data(), static_cast<int32_t>(xs.size()));
  concat->setAxis(concatAxis);
  const int64_t channels = concat->getOutput(0)->getDimensions().d[p.axis];
  auto* scale = net.addScale(*concat->getOutput(0), trt::ScaleMode::kCHANNEL, randomVector(channels, 81),
                             randomVector(channels, 82, 0.5f, 2.f), {});
  scale->setChannelAxis(p.axis);
  auto* relu = net.addActivation(*scale->getOutput(0), trt::ActivationType::kRELU);
  relu->getOutput(0)->setName("y");
  net.markOutput(*relu->getOutput(0));
  if (alsoOutput) {
    concat->getOutput(0)->setName("joined");
    net.markOutput(*concat->getOutput(0));
  }
}

std::map<std::string, std::pair<Dims, std::vector<float>>> pieceInputs(const Pieces& p) {
  std::map<std::string, std::pair<Dims, std::vector<float>>> inputs;
  for (size_t i = 0; i < p.widths.size(); ++i) {
    const Dims d = pieceDims(p, i);
    inputs["x" + std::to_string(i)] = {d, randomVector(static_cast<size_t>(d.volume()), 90 + static_cast<uint32_t>(i))};
  }
  return inputs;
}

// The loops: the concatenation written out, then scaled per channel and clamped at 0.
std::vector<float> expectedOutput(const Pieces& p, std::map<std::string, std::pair<Dims, std::vector<float>>>& in) {
  const int64_t channels = channelsOf(p);
  const auto shift = randomVector(channels, 81), scale = randomVector(channels, 82, 0.5f, 2.f);
  int64_t outer = 1, inner = 1;
  for (int k = 0; k < p.axis; ++k) outer *= p.base.d[k];
  for (int k = p.axis + 1; k < p.base.nbDims; ++k) inner *= p.base.d[k];
  std::vector<float> y;
  for (int64_t o = 0; o < outer; ++o) {
    int64_t channel = 0;
    for (size_t i = 0; i < p.widths.size(); ++i) {
      const std::vector<float>& x = in["x" + std::to_string(i)].second;
      for (int64_t c = 0; c < p.widths[i]; ++c, ++channel)
        for (int64_t j = 0; j < inner; ++j)
          y.push_back(std::max(0.f, x[(o * p.widths[i] + c) * inner + j] * scale[channel] + shift[channel]));
    }
  }
  return y;
}
}  // namespace

TEST(ScaleConcatenation, TheBuilderFoldsTheConcatenationIntoTheScale) {
  for (const Pieces& p : {Pieces{{2, 0, 3, 2}, 1, {2, 3, 1}}, Pieces{{2, 3, 2, 0}, 3, {4, 1, 3, 2}}}) {
    trt::INetworkDefinition net;
    concatScaleNetwork(net, p, p.axis);
    Built b = build(net);
    EXPECT_EQ(countLayersOfKind(*b.engine, "Concatenation"), 0) << b.engine->describeLayers();
    EXPECT_EQ(countLayersOfKind(*b.engine, "Scale"), 1) << b.engine->describeLayers();
    EXPECT_NE(b.engine->describeLayersJson().find("\"concatenation\":" + std::to_string(p.widths.size())),
              std::string::npos)
        << b.engine->describeLayersJson();
    auto inputs = pieceInputs(p);
    const std::vector<float> expected = expectedOutput(p, inputs);
    expectNear(run(*b.engine, inputs)["y"], expected, 1e-6f);
  }
}

TEST(ScaleConcatenation, AConcatenationWithAnotherReaderOrAnotherAxisStays) {
  const Pieces p{{2, 0, 3, 2}, 1, {2, 3}};
  {
    trt::INetworkDefinition net;  // the joined tensor is also an output: it must be written
    concatScaleNetwork(net, p, 1, true);
    Built b = build(net);
    EXPECT_EQ(countLayersOfKind(*b.engine, "Concatenation"), 1) << b.engine->describeLayers();
    auto inputs = pieceInputs(p);
    const std::vector<float> expected = expectedOutput(p, inputs);
    expectNear(run(*b.engine, inputs)["y"], expected, 1e-6f);
  }
  {
    trt::INetworkDefinition net;  // joined along axis 2, scaled along axis 1: not a concatenation of channels
    std::vector<trt::ITensor*> xs = {net.addInput("a", DataType::kFLOAT, {2, 3, 2, 2}),
                                     net.addInput("b", DataType::kFLOAT, {2, 3, 3, 2})};
    auto* concat = net.addConcatenation(xs.data(), 2);
    concat->setAxis(2);
    auto* scale = net.addScale(*concat->getOutput(0), trt::ScaleMode::kCHANNEL, {1.f, 2.f, 3.f}, {}, {});
    net.markOutput(*scale->getOutput(0));
    Built b = build(net);
    EXPECT_EQ(countLayersOfKind(*b.engine, "Concatenation"), 1) << b.engine->describeLayers();
  }
}

TEST(ScaleConcatenation, SeveralInputsNeedThePerChannelModeAndMatchingDims) {
  {
    trt::INetworkDefinition net;
    trt::ITensor* a = net.addInput("a", DataType::kFLOAT, {2, 3});
    trt::ITensor* b = net.addInput("b", DataType::kFLOAT, {2, 1});
    auto* s = net.addScale(*a, trt::ScaleMode::kUNIFORM, {1.f}, {}, {});
    s->setInput(1, *b);
    try {
      s->getOutput(0)->getDimensions();
      FAIL() << "a uniform scale of two inputs was accepted";
    } catch (const trt::Error& e) {
      EXPECT_NE(std::string(e.what()).find("2 inputs (scaled as their concatenation) need the per-channel mode"),
                std::string::npos)
          << e.what();
    }
  }
  {
    trt::INetworkDefinition net;
    trt::ITensor* a = net.addInput("a", DataType::kFLOAT, {2, 3});
    trt::ITensor* b = net.addInput("b", DataType::kFLOAT, {4, 1});
    auto* s = net.addScale(*a, trt::ScaleMode::kCHANNEL, {1.f, 2.f, 3.f, 4.f}, {}, {});
    s->setInput(1, *b);
    try {
      s->getOutput(0)->getDimensions();
      FAIL() << "inputs (2, 3) and (4, 1) were joined along axis 1";
    } catch (const trt::Error& e) {
      EXPECT_NE(std::string(e.what()).find("input 1 (4, 1) differs from input 0 (2, 3) outside the channel axis 1"),
                std::string::npos)
          << e.what();
    }
  }
}

#ifdef TORCHTRT_WITH_CUDA
// The CUDA kernel against the CPU reference: channels last with 16-byte accesses (FP16, BF16, FP32), more inputs
// than one launch takes, channels first with odd planes (element by element), and a plain per-channel scale.
TEST(ScaleConcatenation, CudaMatchesTheCpu) {
  if (!gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  std::vector<int64_t> forty(40, 8);
  forty[7] = 16;
  const Pieces cases[] = {
      {{2, 5, 4, 0}, 3, {16, 8, 8, 24}},  // NHWC as DenseNet's, 16-byte accesses
      {{1, 3, 3, 0}, 3, forty},           // two launches of up to 32 inputs
      {{2, 0, 3, 5}, 1, {3, 5}},          // NCHW, planes of 15: one element at a time
      {{2, 0, 4, 4}, 1, {8, 16}},         // NCHW, planes of 16: 16-byte accesses within a channel
      {{3, 0, 2, 2}, 1, {6}},             // one input: a plain per-channel scale
  };
  for (const Pieces& p : cases)
    for (DataType type : {DataType::kFLOAT, DataType::kHALF, DataType::kBF16}) {
      std::vector<float> results[2];
      auto inputs = pieceInputs(p);
      for (int gpuRun = 0; gpuRun < 2; ++gpuRun) {
        trt::INetworkDefinition net;
        concatScaleNetwork(net, p, p.axis);
        trt::IBuilderConfig config;
        config.setBackend(gpuRun ? trt::Backend::kCUDA : trt::Backend::kCPU);
        config.clearFlag(trt::BuilderFlag::kTF32);
        if (type == DataType::kHALF) config.setFlag(trt::BuilderFlag::kFP16);
        if (type == DataType::kBF16) config.setFlag(trt::BuilderFlag::kBF16);
        Built b = build(net, &config);
        EXPECT_EQ(countLayersOfKind(*b.engine, "Concatenation"), 0) << b.engine->describeLayers();
        results[gpuRun] = run(*b.engine, inputs)["y"];
      }
      const Tolerance tol = toleranceFor(type);
      ASSERT_EQ(results[1].size(), results[0].size());
      for (size_t i = 0; i < results[0].size(); ++i)
        ASSERT_LE(std::fabs(results[1][i] - results[0][i]), tol.atol + tol.rtol * std::fabs(results[0][i]))
            << "case axis " << p.axis << " with " << p.widths.size() << " inputs, " << trt::dataTypeName(type)
            << ", at " << i;
    }
}
#endif
