// Each layer kind on the CPU backend against a direct reference computation.
#include <cmath>

#include "engine_test_util.h"

using namespace trt_test;

TEST(Convolution, MatchesDirectComputationWithPaddingStrideGroups) {
  const int N = 2, C = 4, H = 7, W = 6, K = 6, G = 2, kh = 3, kw = 2, sh = 2, sw = 1, ph = 1, pw = 1, dh = 1, dw = 2;
  auto x = randomVector(N * C * H * W, 1);
  auto w = randomVector(K * (C / G) * kh * kw, 2);
  auto b = randomVector(K, 3);
  trt::INetworkDefinition net;
  auto* in = net.addInput("x", trt::DataType::kFLOAT, {N, C, H, W});
  auto* conv = net.addConvolutionNd(*in, K, {kh, kw}, {trt::DataType::kFLOAT, w.data(), (int64_t)w.size()},
                                    {trt::DataType::kFLOAT, b.data(), K});
  conv->setStrideNd({sh, sw});
  conv->setPaddingNd({ph, pw});
  conv->setDilationNd({dh, dw});
  conv->setNbGroups(G);
  conv->getOutput(0)->setName("y");
  net.markOutput(*conv->getOutput(0));
  trt::Dims od = conv->getOutput(0)->getDimensions();
  const int OH = (H + 2 * ph - dh * (kh - 1) - 1) / sh + 1, OW = (W + 2 * pw - dw * (kw - 1) - 1) / sw + 1;
  ASSERT_EQ(od, (trt::Dims{N, K, OH, OW}));
  auto built = build(net);
  auto out = run(*built.engine, {{"x", {{N, C, H, W}, x}}})["y"];
  std::vector<float> ref(N * K * OH * OW);
  for (int n = 0; n < N; ++n)
    for (int k = 0; k < K; ++k) {
      int g = k / (K / G);
      for (int oh = 0; oh < OH; ++oh)
        for (int ow = 0; ow < OW; ++ow) {
          double acc = b[k];
          for (int c = 0; c < C / G; ++c)
            for (int i = 0; i < kh; ++i)
              for (int j = 0; j < kw; ++j) {
                int ih = oh * sh - ph + i * dh, iw = ow * sw - pw + j * dw;
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                acc += x[((n * C + g * (C / G) + c) * H + ih) * W + iw] * w[((k * (C / G) + c) * kh + i) * kw + j];
              }
          ref[((n * K + k) * OH + oh) * OW + ow] = static_cast<float>(acc);
        }
    }
  expectNear(out, ref);
}

TEST(Activation, AllTypesMatchFormulas) {
  auto x = randomVector(64, 4, -3.f, 3.f);
  struct Case {
    trt::ActivationType type;
    float alpha, beta;
    float (*f)(float, float, float);
  };
  std::vector<Case> cases = {
      {trt::ActivationType::kRELU, 0, 0, [](float v, float, float) { return v > 0 ? v : 0.f; }},
      {trt::ActivationType::kSIGMOID, 0, 0, [](float v, float, float) { return 1.f / (1.f + std::exp(-v)); }},
      {trt::ActivationType::kTANH, 0, 0, [](float v, float, float) { return std::tanh(v); }},
      {trt::ActivationType::kLEAKY_RELU, 0.1f, 0, [](float v, float a, float) { return v >= 0 ? v : a * v; }},
      {trt::ActivationType::kELU, 0.7f, 0, [](float v, float a, float) { return v > 0 ? v : a * (std::exp(v) - 1); }},
      {trt::ActivationType::kCLIP, -0.5f, 0.8f, [](float v, float a, float b) { return std::min(std::max(v, a), b); }},
      {trt::ActivationType::kHARD_SIGMOID, 0.2f, 0.5f,
       [](float v, float a, float b) { return std::max(0.f, std::min(1.f, a * v + b)); }},
      {trt::ActivationType::kSOFTSIGN, 0, 0, [](float v, float, float) { return v / (1 + std::fabs(v)); }},
      {trt::ActivationType::kGELU_ERF, 0, 0,
       [](float v, float, float) { return 0.5f * v * (1 + std::erf(v / std::sqrt(2.f))); }},
  };
  for (const auto& c : cases) {
    trt::INetworkDefinition net;
    auto* in = net.addInput("x", trt::DataType::kFLOAT, {64});
    auto* act = net.addActivation(*in, c.type);
    act->setAlpha(c.alpha);
    act->setBeta(c.beta);
    act->getOutput(0)->setName("y");
    net.markOutput(*act->getOutput(0));
    auto built = build(net);
    auto out = run(*built.engine, {{"x", {{64}, x}}})["y"];
    std::vector<float> ref;
    for (float v : x) ref.push_back(c.f(v, c.alpha, c.beta));
    expectNear(out, ref, 1e-5f);
  }
}

TEST(Pooling, MaxAndAverageWithPaddingAndCeilMode) {
  const int H = 7, W = 7;
  auto x = randomVector(H * W, 5);
  for (bool isMax : {true, false}) {
    trt::INetworkDefinition net;
    auto* in = net.addInput("x", trt::DataType::kFLOAT, {1, 1, H, W});
    auto* pool = net.addPoolingNd(*in, isMax ? trt::PoolingType::kMAX : trt::PoolingType::kAVERAGE, {3, 3});
    pool->setStrideNd({2, 2});
    pool->setPaddingNd({1, 1});
    pool->setPaddingMode(trt::PaddingMode::kEXPLICIT_ROUND_UP);
    pool->setAverageCountExcludesPadding(false);
    pool->getOutput(0)->setName("y");
    net.markOutput(*pool->getOutput(0));
    // PyTorch: ceil((7 + 2 - 3) / 2) + 1 = 4, and the last window starts inside the input.
    ASSERT_EQ(pool->getOutput(0)->getDimensions(), (trt::Dims{1, 1, 4, 4}));
    auto built = build(net);
    auto out = run(*built.engine, {{"x", {{1, 1, H, W}, x}}})["y"];
    for (int oh = 0; oh < 4; ++oh)
      for (int ow = 0; ow < 4; ++ow) {
        int h0 = oh * 2 - 1, w0 = ow * 2 - 1;
        int h1 = std::min(h0 + 3, H + 1), w1 = std::min(w0 + 3, W + 1);
        float m = -INFINITY, s = 0;
        for (int h = std::max(h0, 0); h < std::min(h1, H); ++h)
          for (int w = std::max(w0, 0); w < std::min(w1, W); ++w) {
            m = std::max(m, x[h * W + w]);
            s += x[h * W + w];
          }
        float expected = isMax ? m : s / float((h1 - h0) * (w1 - w0));
        EXPECT_NEAR(out[oh * 4 + ow], expected, 1e-5f) << (isMax ? "max" : "avg") << " at " << oh << "," << ow;
      }
  }
}

TEST(ElementWise, BroadcastsAcrossRanks) {
  auto a = randomVector(2 * 3 * 4, 6), b = randomVector(3 * 1, 7);
  trt::INetworkDefinition net;
  auto* ta = net.addInput("a", trt::DataType::kFLOAT, {2, 3, 4});
  auto* tb = net.addInput("b", trt::DataType::kFLOAT, {3, 1});
  for (auto op : {trt::ElementWiseOperation::kSUM, trt::ElementWiseOperation::kSUB, trt::ElementWiseOperation::kPROD,
                  trt::ElementWiseOperation::kMAX}) {
    auto* l = net.addElementWise(*ta, *tb, op);
    l->getOutput(0)->setName(("y" + std::to_string(int(op))).c_str());
    net.markOutput(*l->getOutput(0));
  }
  auto built = build(net);
  auto outs = run(*built.engine, {{"a", {{2, 3, 4}, a}}, {"b", {{3, 1}, b}}});
  for (int i = 0; i < 24; ++i) {
    float x = a[i], y = b[(i / 4) % 3];
    EXPECT_FLOAT_EQ(outs["y0"][i], x + y);
    EXPECT_FLOAT_EQ(outs["y4"][i], x - y);
    EXPECT_FLOAT_EQ(outs["y1"][i], x * y);
    EXPECT_FLOAT_EQ(outs["y2"][i], std::max(x, y));
  }
}

TEST(MatrixMultiply, BatchedWithTransposeAndBroadcast) {
  const int B = 3, M = 5, K = 7, N = 4;
  auto a = randomVector(B * M * K, 8), w = randomVector(N * K, 9);
  trt::INetworkDefinition net;
  auto* ta = net.addInput("a", trt::DataType::kFLOAT, {B, M, K});
  auto* tw = net.addConstant({N, K}, {trt::DataType::kFLOAT, w.data(), N * K})->getOutput(0);
  auto* mm = net.addMatrixMultiply(*ta, trt::MatrixOperation::kNONE, *tw, trt::MatrixOperation::kTRANSPOSE);
  mm->getOutput(0)->setName("y");
  net.markOutput(*mm->getOutput(0));
  ASSERT_EQ(mm->getOutput(0)->getDimensions(), (trt::Dims{B, M, N}));
  auto built = build(net);
  auto out = run(*built.engine, {{"a", {{B, M, K}, a}}})["y"];
  for (int b = 0; b < B; ++b)
    for (int m = 0; m < M; ++m)
      for (int n = 0; n < N; ++n) {
        double acc = 0;
        for (int k = 0; k < K; ++k) acc += a[(b * M + m) * K + k] * w[n * K + k];
        EXPECT_NEAR(out[(b * M + m) * N + n], acc, 1e-5);
      }
}

TEST(MatrixMultiply, LargeProductUsesAllTilesCorrectly) {
  const int M = 131, K = 300, N = 517;  // not multiples of any tile size
  auto a = randomVector(M * K, 10), b = randomVector(K * N, 11);
  trt::INetworkDefinition net;
  auto* ta = net.addInput("a", trt::DataType::kFLOAT, {M, K});
  auto* tb = net.addInput("b", trt::DataType::kFLOAT, {K, N});
  auto* mm = net.addMatrixMultiply(*ta, trt::MatrixOperation::kNONE, *tb, trt::MatrixOperation::kNONE);
  mm->getOutput(0)->setName("y");
  net.markOutput(*mm->getOutput(0));
  auto built = build(net);
  auto out = run(*built.engine, {{"a", {{M, K}, a}}, {"b", {{K, N}, b}}})["y"];
  for (int m = 0; m < M; m += 13)
    for (int n = 0; n < N; n += 7) {
      double acc = 0;
      for (int k = 0; k < K; ++k) acc += double(a[m * K + k]) * b[k * N + n];
      EXPECT_NEAR(out[m * N + n], acc, 1e-3);
    }
}

TEST(MatrixMultiply, BiasAndResidualShapesAreChecked) {
  // A bias row per product of the batch ([P, 1, N]) is accepted for matrices; with a vector left operand
  // (one row a product) it is refused, as is a residual that is not the output's shape.
  auto makeNet = [](trt::INetworkDefinition& net, trt::MatrixOperation op0, trt::Dims biasDims, trt::Dims resDims) {
    auto* a = net.addInput("a", trt::DataType::kFLOAT, {2, 3, 4});
    auto* b = net.addInput("b", trt::DataType::kFLOAT, {4, 5});
    auto* mm = net.addMatrixMultiply(*a, op0, *b, trt::MatrixOperation::kNONE);
    mm->setInput(2, *net.addInput("bias", trt::DataType::kFLOAT, biasDims));
    if (resDims.nbDims > 0) mm->setInput(3, *net.addInput("r", trt::DataType::kFLOAT, resDims));
    mm->getOutput(0)->setName("y");
    net.markOutput(*mm->getOutput(0));
    return mm;
  };
  {
    trt::INetworkDefinition net;
    auto* mm = makeNet(net, trt::MatrixOperation::kNONE, {2, 1, 5}, {2, 3, 5});
    EXPECT_EQ(mm->getOutput(0)->getDimensions(), (trt::Dims{2, 3, 5}));
  }
  {
    trt::INetworkDefinition net;
    auto* mm = makeNet(net, trt::MatrixOperation::kVECTOR, {2, 1, 5}, {});
    EXPECT_THROW(mm->getOutput(0)->getDimensions(), trt::Error);
  }
  {
    trt::INetworkDefinition net;
    auto* mm = makeNet(net, trt::MatrixOperation::kNONE, {5}, {1, 3, 5});
    try {
      mm->getOutput(0)->getDimensions();
      ADD_FAILURE() << "a residual that broadcasts was accepted";
    } catch (const trt::Error& e) {
      EXPECT_NE(std::string(e.what()).find("must have the output's shape and type"), std::string::npos) << e.what();
    }
  }
}

TEST(Shuffle, TransposeReshapeTranspose) {
  auto x = randomVector(2 * 3 * 4, 12);
  trt::INetworkDefinition net;
  auto* in = net.addInput("x", trt::DataType::kFLOAT, {2, 3, 4});
  auto* s = net.addShuffle(*in);
  trt::Permutation p;
  p.order[0] = 2;
  p.order[1] = 0;
  p.order[2] = 1;  // -> [4, 2, 3]
  s->setFirstTranspose(p);
  s->setReshapeDimensions({0, -1});  // -> [4, 6]
  trt::Permutation q;
  q.order[0] = 1;
  q.order[1] = 0;  // -> [6, 4]
  s->setSecondTranspose(q);
  s->getOutput(0)->setName("y");
  net.markOutput(*s->getOutput(0));
  ASSERT_EQ(s->getOutput(0)->getDimensions(), (trt::Dims{6, 4}));
  auto built = build(net);
  auto out = run(*built.engine, {{"x", {{2, 3, 4}, x}}})["y"];
  for (int r = 0; r < 6; ++r)
    for (int c = 0; c < 4; ++c) {
      int i = r / 3, j = r % 3;  // row r of the [4,6] transposed: element [c][r] = x[i][j][c]
      EXPECT_FLOAT_EQ(out[r * 4 + c], x[(i * 3 + j) * 4 + c]);
    }
}

TEST(ReduceSoftmaxConcat, MatchReferences) {
  auto x = randomVector(2 * 3 * 4, 13);
  trt::INetworkDefinition net;
  auto* in = net.addInput("x", trt::DataType::kFLOAT, {2, 3, 4});
  auto* r = net.addReduce(*in, trt::ReduceOperation::kAVG, 0b101, true);
  r->getOutput(0)->setName("mean");
  net.markOutput(*r->getOutput(0));
  auto* sm = net.addSoftMax(*in);
  sm->setAxes(1u << 1);
  sm->getOutput(0)->setName("softmax");
  net.markOutput(*sm->getOutput(0));
  trt::ITensor* parts[] = {in, in};
  auto* cat = net.addConcatenation(parts, 2);
  cat->setAxis(2);
  cat->getOutput(0)->setName("cat");
  net.markOutput(*cat->getOutput(0));
  auto built = build(net);
  auto outs = run(*built.engine, {{"x", {{2, 3, 4}, x}}});
  for (int j = 0; j < 3; ++j) {
    double s = 0;
    for (int i = 0; i < 2; ++i)
      for (int k = 0; k < 4; ++k) s += x[(i * 3 + j) * 4 + k];
    EXPECT_NEAR(outs["mean"][j], s / 8, 1e-6);
  }
  for (int i = 0; i < 2; ++i)
    for (int k = 0; k < 4; ++k) {
      double z = 0;
      for (int j = 0; j < 3; ++j) z += std::exp(x[(i * 3 + j) * 4 + k]);
      for (int j = 0; j < 3; ++j)
        EXPECT_NEAR(outs["softmax"][(i * 3 + j) * 4 + k], std::exp(x[(i * 3 + j) * 4 + k]) / z, 1e-6);
    }
  for (int row = 0; row < 6; ++row)
    for (int k = 0; k < 8; ++k) EXPECT_FLOAT_EQ(outs["cat"][row * 8 + k], x[row * 4 + k % 4]);
}

TEST(Slice, SampleModesPadLikeTorch) {
  // [1, 2, 3] read from coordinate -2 to 4: two elements of padding on each side.
  const std::vector<float> x = {1, 2, 3};
  struct Case {
    trt::SampleMode mode;
    std::vector<float> expected;
  };
  const Case cases[] = {
      {trt::SampleMode::kFILL, {7.5f, 7.5f, 1, 2, 3, 7.5f, 7.5f}},  // constant pad
      {trt::SampleMode::kCLAMP, {1, 1, 1, 2, 3, 3, 3}},             // replicate pad
      {trt::SampleMode::kREFLECT, {3, 2, 1, 2, 3, 2, 1}},           // reflection pad
      {trt::SampleMode::kWRAP, {2, 3, 1, 2, 3, 1, 2}},              // circular pad
  };
  for (const auto& c : cases) {
    trt::INetworkDefinition net;
    auto* in = net.addInput("x", trt::DataType::kFLOAT, {1, 3});
    auto* pad = net.addSlice(*in, {0, -2}, {1, 7}, {1, 1});
    pad->setMode(c.mode);
    pad->setFillValue(7.5);
    pad->getOutput(0)->setName("y");
    net.markOutput(*pad->getOutput(0));
    auto built = trt_test::build(net);  // through the plan: mode and fill value round-trip
    auto y = trt_test::run(*built.engine, {{"x", {{1, 3}, x}}})["y"];
    trt_test::expectNear(y, c.expected, 0.f);
  }
  trt::INetworkDefinition strict;
  auto* in = strict.addInput("x", trt::DataType::kFLOAT, {1, 3});
  auto* bad = strict.addSlice(*in, {0, -2}, {1, 7}, {1, 1});
  strict.markOutput(*bad->getOutput(0));
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
  EXPECT_THROW(
      {
        try {
          builder->buildSerializedNetwork(strict, *config);
        } catch (const trt::Error& e) {
          EXPECT_NE(std::string(e.what()).find("reads elements -2..4 of an input of size 3"), std::string::npos)
              << e.what();
          throw;
        }
      },
      trt::Error);
}

TEST(Resize, CoordinateRulesByHand) {
  // [0, 1] resized along the last dim; expected values worked out from the coordinate formulas.
  struct Case {
    trt::InterpolationMode mode;
    trt::ResizeCoordinateTransformation transform;
    int64_t out;
    std::vector<float> expected;
  };
  using M = trt::InterpolationMode;
  using T = trt::ResizeCoordinateTransformation;
  const Case cases[] = {
      {M::kNEAREST, T::kASYMMETRIC, 4, {0, 0, 1, 1}},         // floor(d * 0.5)
      {M::kNEAREST, T::kHALF_PIXEL, 3, {0, 1, 1}},            // floor((d + 0.5) * 2/3)
      {M::kLINEAR, T::kALIGN_CORNERS, 3, {0, 0.5f, 1}},       // x = d * 1/2
      {M::kLINEAR, T::kHALF_PIXEL, 4, {0, 0.25f, 0.75f, 1}},  // x = max((d + 0.5)/2 - 0.5, 0)
      {M::kCUBIC, T::kALIGN_CORNERS, 3, {0, 0.5f, 1}},        // symmetric taps at x = 0.5
  };
  for (const auto& c : cases) {
    trt::INetworkDefinition net;
    auto* in = net.addInput("x", trt::DataType::kFLOAT, {1, 2});
    auto* resize = net.addResize(*in, {1, c.out});
    resize->setResizeMode(c.mode);
    resize->setCoordinateTransformation(c.transform);
    resize->getOutput(0)->setName("y");
    net.markOutput(*resize->getOutput(0));
    auto built = trt_test::build(net);
    auto y = trt_test::run(*built.engine, {{"x", {{1, 2}, {0.f, 1.f}}}})["y"];
    trt_test::expectNear(y, c.expected, 1e-6f);
  }
  trt::INetworkDefinition bad;
  auto* in = bad.addInput("x", trt::DataType::kINT32, {1, 2});
  bad.markOutput(*bad.addResize(*in, {1, 4})->getOutput(0));
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
  try {
    builder->buildSerializedNetwork(bad, *config);
    FAIL() << "an int32 resize was accepted";
  } catch (const trt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("input must be a floating-point tensor, got int32"), std::string::npos)
        << e.what();
  }
}

TEST(Normalization, TrailingAndInnerAxesByHand) {
  // x [2,3,4]; over the last axis with a per-element scale and a scalar bias, and over axes 0 and 2.
  const std::vector<float> x = randomVector(24, 61, -2.f, 2.f), gamma = {0.5f, -1.f, 2.f, 1.f};
  const float beta = 0.25f, one = 1.f, zero = 0.f;
  for (uint32_t axes : {0b100u, 0b101u}) {
    trt::INetworkDefinition net;
    auto* in = net.addInput("x", trt::DataType::kFLOAT, {2, 3, 4});
    const bool trailing = axes == 0b100u;
    auto* s = trailing ? net.addConstant({4}, {trt::DataType::kFLOAT, gamma.data(), 4})
                       : net.addConstant({}, {trt::DataType::kFLOAT, &one, 1});
    auto* b = net.addConstant({}, {trt::DataType::kFLOAT, trailing ? &beta : &zero, 1});
    auto* norm = net.addNormalization(*in, *s->getOutput(0), *b->getOutput(0), axes);
    norm->setEpsilon(1e-2f);
    norm->getOutput(0)->setName("y");
    net.markOutput(*norm->getOutput(0));
    auto built = build(net);
    auto y = run(*built.engine, {{"x", {{2, 3, 4}, x}}})["y"];
    for (int j = 0; j < 3; ++j) {
      for (int i = 0; i < (trailing ? 2 : 1); ++i) {
        // The group: (i, j, 0..3) for the trailing mask, (0..1, j, 0..3) for the inner one.
        std::vector<int> members;
        for (int a = 0; a < 2; ++a)
          for (int k = 0; k < 4; ++k)
            if (!trailing || a == i) members.push_back((a * 3 + j) * 4 + k);
        double mean = 0, var = 0;
        for (int m : members) mean += x[m];
        mean /= members.size();
        for (int m : members) var += (x[m] - mean) * (x[m] - mean);
        var /= members.size();
        for (int m : members) {
          double expected =
              (x[m] - mean) / std::sqrt(var + 1e-2) * (trailing ? gamma[m % 4] : 1.0) + (trailing ? beta : 0.0);
          EXPECT_NEAR(y[m], expected, 1e-5) << "axes " << axes << " at " << m;
        }
      }
    }
  }
  trt::INetworkDefinition bad;
  auto* in = bad.addInput("x", trt::DataType::kFLOAT, {2, 3});
  const float two[2] = {1.f, 2.f};
  auto* wrong = bad.addConstant({2}, {trt::DataType::kFLOAT, two, 2});
  auto* norm = bad.addNormalization(*in, *wrong->getOutput(0), *wrong->getOutput(0), 0b10);
  try {
    norm->getOutput(0)->getDimensions();
    FAIL() << "a scale that does not broadcast must be refused";
  } catch (const trt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot be broadcast"), std::string::npos) << e.what();
  }
}

TEST(TopK, ValuesAndIndicesWithTiesByHand) {
  // Ties go to the lower index; indices are int64.
  const std::vector<float> x = {1, 5, 3, 5, -2};
  struct Case {
    trt::TopKOperation op;
    std::vector<float> values;
    std::vector<int64_t> indices;
  };
  const Case cases[] = {{trt::TopKOperation::kMAX, {5, 5}, {1, 3}}, {trt::TopKOperation::kMIN, {-2, 1}, {4, 0}}};
  for (const auto& c : cases) {
    trt::INetworkDefinition net;
    auto* in = net.addInput("x", trt::DataType::kFLOAT, {1, 5});
    auto* values = net.addTopK(*in, c.op, 2, 1u << 1, trt::TopKOutput::kVALUES);
    auto* indices = net.addTopK(*in, c.op, 2, 1u << 1, trt::TopKOutput::kINDICES);
    values->getOutput(0)->setName("values");
    indices->getOutput(0)->setName("indices");
    net.markOutput(*values->getOutput(0));
    net.markOutput(*indices->getOutput(0));
    auto built = trt_test::build(net);
    EXPECT_EQ(built.engine->getTensorDataType("indices"), trt::DataType::kINT64);
    std::unique_ptr<trt::IExecutionContext> ctx(built.engine->createExecutionContext());
    std::vector<float> v(2);
    std::vector<int64_t> i(2);
    ctx->setInputShape("x", {1, 5});
    ctx->setTensorAddress("x", const_cast<float*>(x.data()));
    ctx->setTensorAddress("values", v.data());
    ctx->setTensorAddress("indices", i.data());
    ASSERT_TRUE(ctx->enqueueV3(nullptr));
    EXPECT_EQ(v, c.values);
    EXPECT_EQ(i, c.indices);
  }
}

TEST(TopK, RunTimeKSortsAWholeDynamicAxis) {
  // k given as a shape tensor (the axis' run-time size): a sort of a dynamic axis, unknown at build.
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", trt::DataType::kFLOAT, {2, -1});
  static const int64_t axis[1] = {1};
  auto* at = net.addConstant({1}, {trt::DataType::kINT64, axis, 1});
  auto* k = net.addGather(*net.addShape(*x)->getOutput(0), *at->getOutput(0), 0);
  auto* sorted = net.addTopK(*x, trt::TopKOperation::kMIN, 1, 1u << 1, trt::TopKOutput::kVALUES);
  sorted->setInput(1, *k->getOutput(0));
  EXPECT_EQ(sorted->getOutput(0)->getDimensions(), (trt::Dims{2, -1}));
  sorted->getOutput(0)->setName("y");
  net.markOutput(*sorted->getOutput(0));
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
  auto* profile = builder->createOptimizationProfile();
  profile->setDimensions("x", trt::OptProfileSelector::kMIN, {2, 1});
  profile->setDimensions("x", trt::OptProfileSelector::kOPT, {2, 4});
  profile->setDimensions("x", trt::OptProfileSelector::kMAX, {2, 8});
  config->addOptimizationProfile(profile);
  auto built = trt_test::build(net, config.get());
  std::unique_ptr<trt::IExecutionContext> ctx(built.engine->createExecutionContext());
  for (int64_t n : {1, 5, 8}) {
    std::vector<float> in = trt_test::randomVector(static_cast<size_t>(2 * n), static_cast<uint32_t>(n));
    std::vector<float> out(in.size()), want = in;
    std::sort(want.begin(), want.begin() + n);
    std::sort(want.begin() + n, want.end());
    ctx->setInputShape("x", {2, n});
    EXPECT_EQ(ctx->getTensorShape("y"), (trt::Dims{2, n}));
    ctx->setTensorAddress("x", in.data());
    ctx->setTensorAddress("y", out.data());
    ASSERT_TRUE(ctx->enqueueV3(nullptr));
    EXPECT_EQ(out, want) << n;
  }
  // A k beyond the axis is refused when it becomes known.
  trt::INetworkDefinition bad;
  auto* y = bad.addInput("x", trt::DataType::kFLOAT, {2, 3});
  static const int64_t four[1] = {4};
  auto* k4 = bad.addConstant({1}, {trt::DataType::kINT64, four, 1});
  auto* top = bad.addTopK(*y, trt::TopKOperation::kMAX, 1, 1u << 1);
  top->setInput(1, *k4->getOutput(0));
  try {
    top->getOutput(0)->getDimensions();
    FAIL() << "k = 4 along an axis of 3 must be refused";
  } catch (const trt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("k = 4 exceeds the size 3"), std::string::npos) << e.what();
  }
}

TEST(ShapeInference, ErrorsNameTheLayer) {
  trt::INetworkDefinition net;
  auto* a = net.addInput("a", trt::DataType::kFLOAT, {2, 3});
  auto* b = net.addInput("b", trt::DataType::kFLOAT, {4, 3});
  auto* l = net.addElementWise(*a, *b, trt::ElementWiseOperation::kSUM);
  l->setName("my_add");
  try {
    l->getOutput(0)->getDimensions();
    FAIL() << "expected an error";
  } catch (const trt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("my_add"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("cannot be broadcast"), std::string::npos) << e.what();
  }
}
