// Cast+transpose fusion: a cast between float32, float16 and bfloat16 on either side of a copying transpose
// becomes the transpose's output type. Every ordered pair of the three types, cast before and after, over the
// CUDA permute's shapes of work (a tiled transpose each way, a few channels moved last, any other order):
// the bytes are the permuted input cast once, rounded to nearest even, on the CPU and on the GPU alike.
#include <cstring>
#include <limits>

#include "common/half.h"
#include "engine_test_util.h"

using namespace trt_test;

namespace {
using trt::DataType;

const DataType kFloating[] = {DataType::kFLOAT, DataType::kHALF, DataType::kBF16};

float toFloat(const uint8_t* p, DataType type) {
  uint16_t bits = 0;
  if (type == DataType::kFLOAT) {
    float v = 0.f;
    std::memcpy(&v, p, 4);
    return v;
  }
  std::memcpy(&bits, p, 2);
  return type == DataType::kHALF ? trt::halfToFloat(bits) : trt::bf16ToFloat(bits);
}

void fromFloat(float v, DataType type, uint8_t* p) {
  if (type == DataType::kFLOAT) {
    std::memcpy(p, &v, 4);
    return;
  }
  const uint16_t bits = type == DataType::kHALF ? trt::floatToHalf(v) : trt::floatToBf16(v);
  std::memcpy(p, &bits, 2);
}

struct Shape {
  trt::Dims dims;
  std::vector<int32_t> order;
};

// The CUDA permute's cases: [B, C, P] -> [B, P, C] and back with both sides a tile or more, 3 channels moved
// last (in vectors of pixels for 64 of them, a pixel a thread for 25), and a full reversal (element by element).
const Shape kShapes[] = {{{2, 40, 7, 9}, {0, 2, 3, 1}},
                         {{2, 6, 8, 40}, {0, 3, 1, 2}},
                         {{2, 3, 8, 8}, {0, 2, 3, 1}},
                         {{2, 3, 5, 5}, {0, 2, 3, 1}},
                         {{2, 3, 4, 5}, {3, 2, 1, 0}}};

// x of `from` -> (cast to `to`, transpose) or (transpose, cast to `to`) -> y.
void addCastAndTranspose(trt::INetworkDefinition& net, const Shape& shape, DataType from, DataType to, bool castFirst) {
  trt::ITensor* t = net.addInput("x", from, shape.dims);
  trt::Permutation p;
  for (int i = 0; i < 4; ++i) p.order[i] = shape.order[static_cast<size_t>(i)];
  const auto cast = [&](trt::ITensor& in) {
    auto* c = net.addIdentity(in);
    c->setOutputType(0, to);
    return c->getOutput(0);
  };
  if (castFirst) t = cast(*t);
  auto* shuffle = net.addShuffle(*t);
  shuffle->setFirstTranspose(p);
  t = shuffle->getOutput(0);
  if (!castFirst) t = cast(*t);
  t->setName("y");
  net.markOutput(*t);
}

// The expected bytes: element i of the output reads the input element its permuted index names, cast once.
std::vector<uint8_t> permutedCast(const std::vector<uint8_t>& x, const Shape& shape, DataType from, DataType to) {
  const trt::Dims& d = shape.dims;
  int64_t stride[4];
  for (int i = 3, s = 1; i >= 0; --i) {
    stride[i] = s;
    s *= static_cast<int>(d.d[i]);
  }
  int64_t outDims[4], outStride[4];
  for (int i = 0; i < 4; ++i) {
    outDims[i] = d.d[shape.order[static_cast<size_t>(i)]];
    outStride[i] = stride[shape.order[static_cast<size_t>(i)]];
  }
  const int64_t n = d.volume();
  const size_t fromSize = trt::dataTypeSize(from), toSize = trt::dataTypeSize(to);
  std::vector<uint8_t> y(static_cast<size_t>(n) * toSize);
  for (int64_t i = 0; i < n; ++i) {
    int64_t rem = i, src = 0;
    for (int k = 3; k >= 0; --k) {
      src += (rem % outDims[k]) * outStride[k];
      rem /= outDims[k];
    }
    fromFloat(toFloat(&x[static_cast<size_t>(src) * fromSize], from), to, &y[static_cast<size_t>(i) * toSize]);
  }
  return y;
}

// Values of every magnitude the 16-bit types round differently, and every eleventh one a value that tests the
// conversion's edges: NaNs of both signs, infinities, overflow past float16's 65504, float16 and float32 subnormals.
std::vector<uint8_t> testInput(int64_t n, DataType type) {
  const float specials[] = {std::numeric_limits<float>::quiet_NaN(),
                            -std::numeric_limits<float>::quiet_NaN(),
                            std::numeric_limits<float>::infinity(),
                            -std::numeric_limits<float>::infinity(),
                            70000.f,
                            -65520.f,
                            3e-6f,
                            -6e-8f,
                            1e-40f,
                            -0.f};
  const std::vector<float> values = randomVector(static_cast<size_t>(n), 77, -300.f, 300.f);
  std::vector<uint8_t> x(values.size() * trt::dataTypeSize(type));
  for (size_t i = 0; i < values.size(); ++i) {
    const float v = i % 11 == 5 ? specials[(i / 11) % (sizeof(specials) / sizeof(float))] : values[i];
    fromFloat(v, type, &x[i * trt::dataTypeSize(type)]);
  }
  return x;
}

std::vector<trt::Backend> backends() {
  std::vector<trt::Backend> list = {trt::Backend::kCPU};
  if (gpuVisible()) list.push_back(trt::Backend::kCUDA);
  return list;
}
}  // namespace

TEST(CastTransposeFusion, ACastOnEitherSideBecomesTheTransposesOutputType) {
  for (trt::Backend backend : backends())
    for (const Shape& shape : kShapes)
      for (DataType from : kFloating)
        for (DataType to : kFloating) {
          if (from == to) continue;
          for (bool castFirst : {true, false}) {
            const std::string what = std::string(trt::backendName(backend)) + " " + trt::dataTypeName(from) + " -> " +
                                     trt::dataTypeName(to) + (castFirst ? ", cast first, " : ", cast last, ") +
                                     shape.dims.str();
            trt::INetworkDefinition net;
            addCastAndTranspose(net, shape, from, to, castFirst);
            trt::IBuilderConfig config;
            config.setBackend(backend);
            Built built = build(net, &config);
            EXPECT_EQ(countLayersOfKind(*built.engine, "Identity"), 0) << what << "\n"
                                                                       << built.engine->describeLayers();
            EXPECT_EQ(countLayersOfKind(*built.engine, "Shuffle"), 1) << what;
            const std::vector<uint8_t> x = testInput(shape.dims.volume(), from);
            const auto y = runBytes(*built.engine, {{"x", {shape.dims, x}}}).at("y");
            EXPECT_EQ(y, permutedCast(x, shape, from, to)) << what;
          }
        }
}

TEST(CastTransposeFusion, AShufflesOwnCastAfterEitherTransposeEqualsACastAfterIt) {
  // A shuffle asked for another output type casts in the step that writes its output: the second transpose after
  // a reshape, or the second of two transposes (the first into scratch memory). The reference is the same shuffle
  // then a cast, kept apart by marking the shuffle's output too.
  trt::Permutation first, second;
  first.order[0] = 2, first.order[1] = 0, first.order[2] = 1;  // [5, 6, 36] -> [36, 5, 6]
  second.order[0] = 1, second.order[1] = 0, second.order[2] = 2;
  const trt::Dims dims{5, 6, 36};
  for (bool bothTransposes : {false, true})
    for (DataType from : kFloating)
      for (DataType to : kFloating) {
        if (from == to) continue;
        const auto network = [&](trt::INetworkDefinition& net, bool ownCast) {
          auto* shuffle = net.addShuffle(*net.addInput("x", from, dims));
          if (bothTransposes) shuffle->setFirstTranspose(first);
          shuffle->setReshapeDimensions({36, 30, 1});
          shuffle->setSecondTranspose(second);
          if (ownCast) {
            shuffle->setOutputType(0, to);
            shuffle->getOutput(0)->setName("y");
            net.markOutput(*shuffle->getOutput(0));
            return;
          }
          shuffle->getOutput(0)->setName("moved");
          net.markOutput(*shuffle->getOutput(0));
          auto* cast = net.addIdentity(*shuffle->getOutput(0));
          cast->setOutputType(0, to);
          cast->getOutput(0)->setName("y");
          net.markOutput(*cast->getOutput(0));
        };
        const std::vector<uint8_t> x = testInput(dims.volume(), from);
        trt::INetworkDefinition reference;
        network(reference, false);
        const auto expected = runBytes(*build(reference).engine, {{"x", {dims, x}}}).at("y");
        for (trt::Backend backend : backends()) {
          trt::INetworkDefinition net;
          network(net, true);
          trt::IBuilderConfig config;
          config.setBackend(backend);
          const auto y = runBytes(*build(net, &config).engine, {{"x", {dims, x}}}).at("y");
          EXPECT_EQ(y, expected) << trt::backendName(backend) << " " << trt::dataTypeName(from) << " -> "
                                 << trt::dataTypeName(to) << (bothTransposes ? ", both transposes" : "");
        }
      }
}

TEST(CastTransposeFusion, ACastStaysBesideAViewOrATransposeReadElsewhere) {
  // A reshape moves no bytes (the cast alone is the one pass), and a transpose whose output another layer reads
  // (here the network) must keep its own type.
  for (bool view : {true, false}) {
    trt::INetworkDefinition net;
    auto* x = net.addInput("x", DataType::kHALF, {2, 8, 4});
    auto* shuffle = net.addShuffle(*x);
    if (view) {
      shuffle->setReshapeDimensions({2, 32});
    } else {
      trt::Permutation p;
      p.order[0] = 0, p.order[1] = 2, p.order[2] = 1;
      shuffle->setFirstTranspose(p);
      shuffle->getOutput(0)->setName("moved");
      net.markOutput(*shuffle->getOutput(0));
    }
    auto* cast = net.addIdentity(*shuffle->getOutput(0));
    cast->setOutputType(0, DataType::kFLOAT);
    cast->getOutput(0)->setName("y");
    net.markOutput(*cast->getOutput(0));
    Built built = build(net);
    EXPECT_EQ(countLayersOfKind(*built.engine, "Identity"), 1) << built.engine->describeLayers();
  }
}

TEST(CastTransposeFusion, AShuffleCastsOnlyBetweenFloatingTypes) {
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", DataType::kFLOAT, {2, 3});
  auto* shuffle = net.addShuffle(*x);
  shuffle->setOutputType(0, DataType::kINT32);
  shuffle->getOutput(0)->setName("y");
  net.markOutput(*shuffle->getOutput(0));
  try {
    build(net);
    FAIL() << "a float32 -> int32 shuffle built";
  } catch (const trt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("a shuffle casts only between float32, float16 and bfloat16, not float32 to "
                                         "int32; add an Identity layer for this cast"),
              std::string::npos)
        << e.what();
  }
}
