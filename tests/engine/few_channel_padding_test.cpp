// Zero-padded shuffles (IShuffleLayer::setZeroPaddedLastDimension) and the builder's few-channel padding: the
// transpose that brings an RGB image to NHWC writes a fourth, zero channel, and the channels-last 16-bit
// convolution reading it gets zero taps for it (the 4 channels cuDNN's first-layer kernels read). The padded bytes
// are the transposed (and cast) input with zeros after each row, on the CPU and on the GPU alike (CUDA's one-pass
// image kernel and its scratch-and-pad path), through a plan; the padded network computes what the original does.
#include <cstring>

#include "builder/passes/passes.h"
#include "common/half.h"
#include "engine_test_util.h"

using namespace trt_test;

namespace {
using trt::DataType;

std::vector<trt::Backend> backends() {
  std::vector<trt::Backend> list = {trt::Backend::kCPU};
  if (gpuVisible()) list.push_back(trt::Backend::kCUDA);
  return list;
}

// A value of `type` from a float (float32, float16 or bfloat16; int32 as the integer).
void put(float v, DataType type, uint8_t* p) {
  if (type == DataType::kFLOAT) {
    std::memcpy(p, &v, 4);
  } else if (type == DataType::kINT32) {
    const int32_t i = static_cast<int32_t>(v * 100.f);
    std::memcpy(p, &i, 4);
  } else {
    const uint16_t bits = type == DataType::kHALF ? trt::floatToHalf(v) : trt::floatToBf16(v);
    std::memcpy(p, &bits, 2);
  }
}

float get(const uint8_t* p, DataType type) {
  if (type == DataType::kFLOAT) {
    float v = 0.f;
    std::memcpy(&v, p, 4);
    return v;
  }
  if (type == DataType::kINT32) {
    int32_t i = 0;
    std::memcpy(&i, p, 4);
    return static_cast<float>(i) / 100.f;
  }
  uint16_t bits = 0;
  std::memcpy(&bits, p, 2);
  return type == DataType::kHALF ? trt::halfToFloat(bits) : trt::bf16ToFloat(bits);
}

struct PaddedCase {
  trt::Dims dims;
  std::vector<int32_t> first, second;  // empty: identity
  DataType from, to;
  int64_t padded;
  const char* what;
};

// CUDA's paths: the one-pass image kernel (1 to 3 channels to 4, whole vectors of pixels; either transpose, one image
// or several, each float type either way), and the scratch-and-pad path for the rest (pixels not in whole vectors,
// another padded size, two transposes, int32).
const PaddedCase kCases[] = {
    {{2, 3, 8, 8}, {0, 2, 3, 1}, {}, DataType::kFLOAT, DataType::kHALF, 4, "image float32 -> float16, first"},
    {{2, 3, 8, 8}, {}, {0, 2, 3, 1}, DataType::kHALF, DataType::kHALF, 4, "image float16, second transpose"},
    {{2, 3, 8, 8}, {0, 2, 3, 1}, {}, DataType::kFLOAT, DataType::kBF16, 4, "image float32 -> bfloat16"},
    {{2, 3, 5, 5}, {0, 2, 3, 1}, {}, DataType::kFLOAT, DataType::kHALF, 4, "25 pixels a plane"},
    {{2, 3, 8, 8}, {0, 2, 3, 1}, {}, DataType::kHALF, DataType::kHALF, 8, "padded to 8"},
    {{2, 3, 4, 5}, {3, 2, 1, 0}, {1, 0, 2, 3}, DataType::kFLOAT, DataType::kFLOAT, 6, "two transposes"},
    {{3, 5}, {}, {}, DataType::kINT32, DataType::kINT32, 7, "int32 rows"},
    {{1, 3, 8, 8}, {0, 2, 3, 1}, {}, DataType::kFLOAT, DataType::kHALF, 4, "one image"},
    {{2, 3, 8, 8}, {0, 2, 3, 1}, {}, DataType::kHALF, DataType::kFLOAT, 4, "image float16 -> float32"},
    {{2, 1, 8, 8}, {0, 2, 3, 1}, {}, DataType::kHALF, DataType::kHALF, 4, "one channel"},
    {{2, 2, 8, 8}, {0, 2, 3, 1}, {}, DataType::kFLOAT, DataType::kBF16, 4, "two channels"},
};

trt::Permutation permutation(const std::vector<int32_t>& order) {
  trt::Permutation p;
  for (size_t i = 0; i < order.size(); ++i) p.order[i] = order[i];
  return p;
}

// The expected output: the input moved by the two transposes (elementwise, on the host), cast, rows padded with 0.
std::vector<uint8_t> expected(const PaddedCase& c, const std::vector<uint8_t>& x) {
  const int rank = c.dims.nbDims;
  std::vector<int32_t> order(static_cast<size_t>(rank));
  for (int i = 0; i < rank; ++i) {
    const int32_t afterSecond = c.second.empty() ? i : c.second[static_cast<size_t>(i)];
    order[static_cast<size_t>(i)] = c.first.empty() ? afterSecond : c.first[static_cast<size_t>(afterSecond)];
  }
  int64_t stride[trt::Dims::MAX_DIMS];
  for (int i = rank - 1, s = 1; i >= 0; --i) {
    stride[i] = s;
    s *= static_cast<int>(c.dims.d[i]);
  }
  int64_t outDims[trt::Dims::MAX_DIMS];
  for (int i = 0; i < rank; ++i) outDims[i] = c.dims.d[order[static_cast<size_t>(i)]];
  const int64_t last = outDims[rank - 1], rows = c.dims.volume() / last;
  const size_t fromSize = trt::dataTypeSize(c.from), toSize = trt::dataTypeSize(c.to);
  std::vector<uint8_t> y(static_cast<size_t>(rows * c.padded) * toSize, 0);
  for (int64_t i = 0; i < c.dims.volume(); ++i) {
    int64_t rem = i, src = 0;
    for (int k = rank - 1; k >= 0; --k) {
      src += (rem % outDims[k]) * stride[order[static_cast<size_t>(k)]];
      rem /= outDims[k];
    }
    const int64_t row = i / last, at = i % last;
    uint8_t* out = &y[static_cast<size_t>(row * c.padded + at) * toSize];
    if (c.from == c.to)  // moved as bits
      std::memcpy(out, &x[static_cast<size_t>(src) * fromSize], toSize);
    else
      put(get(&x[static_cast<size_t>(src) * fromSize], c.from), c.to, out);
  }
  return y;
}

void addPaddedShuffle(trt::INetworkDefinition& net, const PaddedCase& c) {
  auto* shuffle = net.addShuffle(*net.addInput("x", c.from, c.dims));
  if (!c.first.empty()) shuffle->setFirstTranspose(permutation(c.first));
  if (!c.second.empty()) shuffle->setSecondTranspose(permutation(c.second));
  if (c.to != c.from) shuffle->setOutputType(0, c.to);
  shuffle->setZeroPaddedLastDimension(c.padded);
  shuffle->getOutput(0)->setName("y");
  net.markOutput(*shuffle->getOutput(0));
}
}  // namespace

TEST(ZeroPaddedShuffle, WritesTheTransposedRowsFollowedByZeros) {
  for (trt::Backend backend : backends())
    for (const PaddedCase& c : kCases) {
      const std::string what = std::string(trt::backendName(backend)) + ": " + c.what;
      trt::INetworkDefinition net;
      addPaddedShuffle(net, c);
      trt::IBuilderConfig config;
      config.setBackend(backend);
      Built built = build(net, &config);  // through the plan
      const std::vector<float> values = randomVector(static_cast<size_t>(c.dims.volume()), 41, -4.f, 4.f);
      std::vector<uint8_t> x(values.size() * trt::dataTypeSize(c.from));
      for (size_t i = 0; i < values.size(); ++i) put(values[i], c.from, &x[i * trt::dataTypeSize(c.from)]);
      // Outputs start as 0xA5 bytes: the padding's zeros must be written, not found.
      const auto y = Session(*built.engine).fillOutputsWith(0xA5).run({{"x", {c.dims, x}}}).at("y");
      EXPECT_EQ(y, expected(c, x)) << what;
    }
}

TEST(ZeroPaddedShuffle, RefusesAReshapeAShorterSizeAndANegativeOne) {
  trt::INetworkDefinition net;
  auto* shuffle = net.addShuffle(*net.addInput("x", DataType::kFLOAT, {2, 3, 4}));
  shuffle->setZeroPaddedLastDimension(2);  // the last dimension is 4
  shuffle->getOutput(0)->setName("y");
  net.markOutput(*shuffle->getOutput(0));
  try {
    net.validate();
    ADD_FAILURE() << "a padded size below the last dimension was accepted";
  } catch (const trt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("must be static and at least the transposed output's (2, 3, 4)"),
              std::string::npos)
        << e.what();
  }
  shuffle->setZeroPaddedLastDimension(6);
  shuffle->setReshapeDimensions({6, 4});
  try {
    net.validate();
    ADD_FAILURE() << "a padded reshape was accepted";
  } catch (const trt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("needs a shuffle without a reshape"), std::string::npos) << e.what();
  }
  EXPECT_THROW(shuffle->setZeroPaddedLastDimension(-1), trt::Error);
}

namespace {
struct WeightPool {
  std::vector<std::vector<float>> keep;
  uint32_t seed = 500;
  trt::Weights make(size_t n, float scale = 0.3f) {
    keep.push_back(randomVector(n, seed++, -scale, scale));
    return {DataType::kFLOAT, keep.back().data(), static_cast<int64_t>(n)};
  }
};

// ResNet's stem in miniature: a float32 RGB image, a 7x7 stride-2 convolution, ReLU, a 3x3 convolution.
void addStem(trt::INetworkDefinition& net, WeightPool& w, trt::ITensor* x) {
  auto* stem = net.addConvolutionNd(*x, 8, {7, 7}, w.make(8 * 3 * 49), w.make(8));
  stem->setStrideNd({2, 2});
  stem->setPaddingNd({3, 3});
  auto* relu = net.addActivation(*stem->getOutput(0), trt::ActivationType::kRELU);
  auto* next = net.addConvolutionNd(*relu->getOutput(0), 8, {3, 3}, w.make(8 * 8 * 9), w.make(8));
  next->setPaddingNd({1, 1});
  next->getOutput(0)->setName("y");
  net.markOutput(*next->getOutput(0));
}
}  // namespace

TEST(FewChannelPadding, TheCudaLayoutsImageTransposeWritesFourChannels) {
  // FP16 on CUDA (previewed without a GPU): the image's transpose to NHWC, with its cast, writes [2, 8, 8, 4], the
  // stem reads it, and nothing else changes shape.
  if (!trt::hasCudaBackend()) GTEST_SKIP() << "the CUDA backend's layout, previewed without a GPU, needs it built";
  WeightPool w;
  trt::INetworkDefinition net;
  addStem(net, w, net.addInput("x", DataType::kFLOAT, {2, 3, 8, 8}));
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
  config->setFlag(trt::BuilderFlag::kFP16);
  config->setBackend(trt::Backend::kCUDA);
  const std::string doc = builder->describeOptimizedNetwork(net, *config);
  EXPECT_NE(doc.find("\"dims\":[2,8,8,4]"), std::string::npos) << doc;
  EXPECT_NE(doc.find("\"zero_padded_last_dimension\":4"), std::string::npos) << doc;
  EXPECT_EQ(doc.find("\"dims\":[2,8,8,3]"), std::string::npos) << doc;
}

TEST(FewChannelPadding, ThePaddedStemComputesWhatTheOriginalDoes) {
  // The pass applied by hand to the channels-last form (an NHWC transpose with the cast, a channels-last
  // convolution). The reference is the unpadded network on the CPU backend (whose builder pads nothing); the padded
  // one gives the same bits on the CPU (the zero channel's products add nothing) and, where a GPU is visible, agrees
  // with it within FP16's tolerance on CUDA (cuDNN reading the 4-channel image).
  const std::vector<float> image = randomVector(2 * 3 * 12 * 12, 61, -2.f, 2.f);
  const auto run = [&](trt::Backend backend, bool padded) {
    WeightPool w;  // the same weights each time
    trt::INetworkDefinition net;
    auto* x = net.addInput("x", DataType::kFLOAT, {2, 3, 12, 12});
    auto* toLast = net.addShuffle(*x);
    toLast->setFirstTranspose(permutation({0, 2, 3, 1}));
    toLast->setOutputType(0, DataType::kHALF);
    auto* stem = net.addConvolutionNd(*toLast->getOutput(0), 8, {7, 7}, w.make(8 * 3 * 49), w.make(8));
    stem->setStrideNd({2, 2});
    stem->setPaddingNd({3, 3});
    stem->setChannelsLast(true);
    stem->setFusedActivation(static_cast<int32_t>(trt::ActivationType::kRELU));
    auto* toFirst = net.addShuffle(*stem->getOutput(0));
    toFirst->setFirstTranspose(permutation({0, 3, 1, 2}));
    toFirst->setOutputType(0, DataType::kFLOAT);
    toFirst->getOutput(0)->setName("y");
    net.markOutput(*toFirst->getOutput(0));
    if (padded) {
      EXPECT_EQ(trt::passes::padFewChannelConvolutionInputs(net), 1);
      EXPECT_EQ(toLast->getZeroPaddedLastDimension(), 4);
      EXPECT_EQ(stem->getKernelWeights().count, 8 * 4 * 49);
      EXPECT_EQ(toLast->getOutput(0)->getDimensions(), (trt::Dims{2, 12, 12, 4}));
    }
    trt::IBuilderConfig config;
    config.setBackend(backend);
    config.setFlag(trt::BuilderFlag::kFP16);
    Built built = build(net, &config);
    return elementsOf<float>(runBytes(*built.engine, {{"x", hostTensor(trt::Dims{2, 3, 12, 12}, image)}}).at("y"));
  };
  const std::vector<float> reference = run(trt::Backend::kCPU, false);
  for (trt::Backend backend : backends()) {
    const std::vector<float> y = run(backend, true);
    ASSERT_EQ(y.size(), reference.size());
    if (backend == trt::Backend::kCPU) {
      EXPECT_EQ(y, reference);
    } else {
      const Tolerance t = toleranceFor(DataType::kHALF);
      for (size_t i = 0; i < y.size(); ++i)
        ASSERT_NEAR(y[i], reference[i], t.atol + t.rtol * std::fabs(reference[i])) << trt::backendName(backend) << i;
    }
  }
}

TEST(ZeroPaddedShuffle, AnEmptyRowIsAllPadding) {
  // [2, 0] padded to [2, 4]: no element moves, every output element is a written zero.
  trt::INetworkDefinition net;
  auto* shuffle = net.addShuffle(*net.addInput("x", DataType::kFLOAT, {2, 0}));
  shuffle->setZeroPaddedLastDimension(4);
  shuffle->getOutput(0)->setName("y");
  net.markOutput(*shuffle->getOutput(0));
  for (trt::Backend backend : backends()) {
    trt::IBuilderConfig config;
    config.setBackend(backend);
    Built built = build(net, &config);
    const auto y = Session(*built.engine).fillOutputsWith(0xA5).run({{"x", {trt::Dims{2, 0}, {}}}}).at("y");
    EXPECT_EQ(y, std::vector<uint8_t>(2 * 4 * 4, 0)) << trt::backendName(backend);
  }
}

TEST(FewChannelPadding, LeavesOtherConvolutionsAndSharedTransposesAlone) {
  // A transpose two channels-last convolutions read, and a channels-first grouped convolution of the image: nothing
  // to pad.
  WeightPool w;
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", DataType::kHALF, {1, 3, 6, 6});
  auto* toLast = net.addShuffle(*x);
  toLast->setFirstTranspose(permutation({0, 2, 3, 1}));
  auto* a = net.addConvolutionNd(*toLast->getOutput(0), 4, {3, 3}, w.make(4 * 3 * 9), w.make(4));
  a->setChannelsLast(true);
  auto* b = net.addConvolutionNd(*toLast->getOutput(0), 4, {3, 3}, w.make(4 * 3 * 9), w.make(4));
  b->setChannelsLast(true);
  auto* grouped = net.addConvolutionNd(*x, 3, {3, 3}, w.make(3 * 1 * 9), w.make(3));
  grouped->setNbGroups(3);
  for (auto* out : {a->getOutput(0), b->getOutput(0), grouped->getOutput(0)}) {
    out->setName(("y" + std::to_string(net.getNbOutputs())).c_str());
    net.markOutput(*out);
  }
  EXPECT_EQ(trt::passes::padFewChannelConvolutionInputs(net), 0);
  EXPECT_EQ(toLast->getZeroPaddedLastDimension(), 0);
}
