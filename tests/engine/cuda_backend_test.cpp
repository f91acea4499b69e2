// The CUDA backend against the CPU reference, layer kind by layer kind (skipped without a GPU).
#include <algorithm>
#include <cmath>

#include "engine_test_util.h"

#ifdef TORCHTRT_WITH_CUDA
#include <cuda_runtime.h>

using namespace trt_test;

namespace {
std::vector<float> runCuda(const trt::ICudaEngine& engine, const std::string& in, trt::Dims dims,
                           const std::vector<float>& x, const std::string& out) {
  std::unique_ptr<trt::IExecutionContext> ctx(engine.createExecutionContext());
  ctx->setInputShape(in.c_str(), dims);
  size_t nOut = static_cast<size_t>(ctx->getTensorShape(out.c_str()).volume());
  float *dx = nullptr, *dy = nullptr;
  EXPECT_EQ(cudaMalloc(&dx, x.size() * 4), cudaSuccess);
  EXPECT_EQ(cudaMalloc(&dy, nOut * 4), cudaSuccess);
  cudaMemcpy(dx, x.data(), x.size() * 4, cudaMemcpyHostToDevice);
  ctx->setTensorAddress(in.c_str(), dx);
  ctx->setTensorAddress(out.c_str(), dy);
  cudaStream_t stream;
  cudaStreamCreate(&stream);
  ctx->enqueueV3(stream);
  std::vector<float> y(nOut);
  cudaMemcpyAsync(y.data(), dy, nOut * 4, cudaMemcpyDeviceToHost, stream);
  cudaStreamSynchronize(stream);
  cudaStreamDestroy(stream);
  cudaFree(dx);
  cudaFree(dy);
  return y;
}

// `net` built for the CUDA backend in exact FP32 (TF32 off), or with FP16 allowed.
Built buildForCuda(trt::INetworkDefinition& net, bool fp16 = false) {
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
  config->setBackend(trt::Backend::kCUDA);
  config->clearFlag(trt::BuilderFlag::kTF32);
  if (fp16) config->setFlag(trt::BuilderFlag::kFP16);
  return build(net, config.get());
}

// x [2,3,8,8] -> conv+relu -> maxpool -> (+ broadcast constant) -> shuffle -> matmul -> softmax,
// concat with a reduce, strided/reversed slice, gelu, gather, select, transpose (a sine before the softmax covers
// Unary).
void makeNetwork(trt::INetworkDefinition& net, std::vector<std::vector<float>>& keep) {
  keep.push_back(randomVector(4 * 3 * 3 * 3, 31));
  keep.push_back(randomVector(4, 32));
  keep.push_back(randomVector(4, 33));
  keep.push_back(randomVector(16 * 5, 34));
  auto* x = net.addInput("x", trt::DataType::kFLOAT, {2, 3, 8, 8});
  auto* conv = net.addConvolutionNd(*x, 4, {3, 3}, {trt::DataType::kFLOAT, keep[0].data(), (int64_t)keep[0].size()},
                                    {trt::DataType::kFLOAT, keep[1].data(), 4});
  conv->setPaddingNd({1, 1});
  auto* relu0 = net.addActivation(*conv->getOutput(0), trt::ActivationType::kRELU);
  // A residual block: relu(conv1x1(h) + h), which the builder folds into one convolution.
  keep.push_back(randomVector(4 * 4, 38));
  keep.push_back(randomVector(4, 39));
  auto* conv2 =
      net.addConvolutionNd(*relu0->getOutput(0), 4, {1, 1}, {trt::DataType::kFLOAT, keep[keep.size() - 2].data(), 16},
                           {trt::DataType::kFLOAT, keep.back().data(), 4});
  auto* skip = net.addElementWise(*conv2->getOutput(0), *relu0->getOutput(0), trt::ElementWiseOperation::kSUM);
  auto* relu = net.addActivation(*skip->getOutput(0), trt::ActivationType::kRELU);
  auto* pool = net.addPoolingNd(*relu->getOutput(0), trt::PoolingType::kMAX, {2, 2});
  auto* bias = net.addConstant({4, 1, 1}, {trt::DataType::kFLOAT, keep[2].data(), 4});
  auto* add = net.addElementWise(*pool->getOutput(0), *bias->getOutput(0), trt::ElementWiseOperation::kSUM);
  auto* flat = net.addShuffle(*add->getOutput(0));
  flat->setReshapeDimensions({2, 4, 16});  // [2,4,16]
  auto* w = net.addConstant({16, 5}, {trt::DataType::kFLOAT, keep[3].data(), 80});
  auto* mm = net.addMatrixMultiply(*flat->getOutput(0), trt::MatrixOperation::kNONE, *w->getOutput(0),
                                   trt::MatrixOperation::kNONE);
  // A bias per column, folded into the product (cuBLASLt's bias epilogue).
  keep.push_back(randomVector(5, 40));
  auto* mmBias = net.addConstant({1, 1, 5}, {trt::DataType::kFLOAT, keep.back().data(), 5});
  auto* biased = net.addElementWise(*mm->getOutput(0), *mmBias->getOutput(0), trt::ElementWiseOperation::kSUM);
  auto* sine = net.addUnary(*biased->getOutput(0), trt::UnaryOperation::kSIN);
  auto* sm = net.addSoftMax(*sine->getOutput(0));
  sm->setAxes(1u << 2);
  auto* red = net.addReduce(*biased->getOutput(0), trt::ReduceOperation::kAVG, 1u << 1, true);  // [2,1,5]
  trt::ITensor* parts[] = {sm->getOutput(0), red->getOutput(0)};
  auto* cat = net.addConcatenation(parts, 2);
  cat->setAxis(1);                                                                      // [2,5,5]
  auto* reversed = net.addSlice(*cat->getOutput(0), {0, 1, 4}, {2, 2, 5}, {1, 2, -1});  // [2,2,5], last dim reversed
  // Padding through each sample mode: [2,2,5] -> [2,4,9] -> [3,4,10] -> [3,6,10] -> [3,6,13].
  auto* reflect = net.addSlice(*reversed->getOutput(0), {0, -1, -2}, {2, 4, 9}, {1, 1, 1});
  reflect->setMode(trt::SampleMode::kREFLECT);
  auto* fill = net.addSlice(*reflect->getOutput(0), {-1, 0, -1}, {3, 4, 10}, {1, 1, 1});
  fill->setMode(trt::SampleMode::kFILL);
  fill->setFillValue(0.5);
  auto* clamp = net.addSlice(*fill->getOutput(0), {0, -2, 0}, {3, 6, 10}, {1, 1, 1});
  clamp->setMode(trt::SampleMode::kCLAMP);
  auto* wrap = net.addSlice(*clamp->getOutput(0), {0, 0, -3}, {3, 6, 13}, {1, 1, 1});
  wrap->setMode(trt::SampleMode::kWRAP);
  // [3,6,13] -> [3,9,7] bilinear (half-pixel), then back to [3,6,13] bicubic (align corners).
  auto* down = net.addResize(*wrap->getOutput(0), {3, 9, 7});
  down->setResizeMode(trt::InterpolationMode::kLINEAR);
  down->setCoordinateTransformation(trt::ResizeCoordinateTransformation::kHALF_PIXEL);
  auto* up = net.addResize(*down->getOutput(0), {3, 6, 13});
  up->setResizeMode(trt::InterpolationMode::kCUBIC);
  up->setCoordinateTransformation(trt::ResizeCoordinateTransformation::kALIGN_CORNERS);
  // Sorted descending along the last dim (a full-length TopK), then used as data.
  auto* sorted = net.addTopK(*up->getOutput(0), trt::TopKOperation::kMAX, 13, 1u << 2);
  auto* act = net.addActivation(*sorted->getOutput(0), trt::ActivationType::kGELU_ERF);
  // Layer norm over the last axis (row kernel, per-element scale), then over axes 0 and 2 (group kernel).
  keep.push_back(randomVector(13, 37));
  static const float one = 1.f, half = 0.5f;
  auto* gamma = net.addConstant({13}, {trt::DataType::kFLOAT, keep.back().data(), 13});
  auto* beta = net.addConstant({}, {trt::DataType::kFLOAT, &half, 1});
  auto* unit = net.addConstant({1, 1, 1}, {trt::DataType::kFLOAT, &one, 1});
  // The row norm reads act + sorted (a fused residual).
  auto* residualSum = net.addElementWise(*act->getOutput(0), *sorted->getOutput(0), trt::ElementWiseOperation::kSUM);
  auto* rowNorm = net.addNormalization(*residualSum->getOutput(0), *gamma->getOutput(0), *beta->getOutput(0), 1u << 2);
  auto* groupNorm = net.addNormalization(*rowNorm->getOutput(0), *unit->getOutput(0), *beta->getOutput(0), 0b101);
  groupNorm->setEpsilon(1e-3f);
  static const int32_t order[2] = {1, 0};
  static const float zero = 0.f;
  auto* idx = net.addConstant({2}, {trt::DataType::kINT32, order, 2});
  auto* swappedRows = net.addGather(*groupNorm->getOutput(0), *idx->getOutput(0), 1);  // rows swapped
  // Then element gather along the last dim with a constant index of the same shape (torch.gather).
  static std::vector<int32_t> elementIdx;
  const auto swappedDims = swappedRows->getOutput(0)->getDimensions();
  elementIdx.assign(static_cast<size_t>(swappedDims.volume()), 0);
  for (size_t i = 0; i < elementIdx.size(); ++i) elementIdx[i] = static_cast<int32_t>((i * 7) % swappedDims.d[2]);
  auto* eidx = net.addConstant(swappedDims, {trt::DataType::kINT32, elementIdx.data(), (int64_t)elementIdx.size()});
  auto* swapped = net.addGather(*swappedRows->getOutput(0), *eidx->getOutput(0), 2);
  swapped->setMode(trt::GatherMode::kELEMENT);
  auto* z = net.addConstant({}, {trt::DataType::kFLOAT, &zero, 1});
  auto* positive = net.addElementWise(*swapped->getOutput(0), *z->getOutput(0), trt::ElementWiseOperation::kGREATER);
  auto* negated = net.addUnary(*swapped->getOutput(0), trt::UnaryOperation::kNEG);
  auto* absolute = net.addSelect(*positive->getOutput(0), *swapped->getOutput(0), *negated->getOutput(0));
  auto* y = net.addShuffle(*absolute->getOutput(0));
  trt::Permutation p;
  p.order[0] = 2;
  p.order[1] = 0;
  p.order[2] = 1;
  y->setFirstTranspose(p);
  y->getOutput(0)->setName("y");
  net.markOutput(*y->getOutput(0));
}
}  // namespace

TEST(CudaBackend, MatchesCpuReferenceOnEveryLayerKindUsed) {
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  std::vector<std::vector<float>> keep;
  trt::INetworkDefinition net;
  makeNetwork(net, keep);
  auto x = randomVector(2 * 3 * 8 * 8, 35);
  auto cpuBuilt = build(net);
  auto expected = run(*cpuBuilt.engine, {{"x", {{2, 3, 8, 8}, x}}})["y"];
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
  config->setBackend(trt::Backend::kCUDA);
  config->clearFlag(trt::BuilderFlag::kTF32);  // exact FP32 for the comparison
  auto gpuBuilt = build(net, config.get());
  EXPECT_EQ(gpuBuilt.engine->getBackend(), trt::Backend::kCUDA);
  auto actual = runCuda(*gpuBuilt.engine, "x", {2, 3, 8, 8}, x, "y");
  expectNear(actual, expected, 1e-4f);
  // A second run on the same context reuses the arena and gives the same result (up to one rounding:
  // the first run times the convolution's algorithms, which may sum in another order than the one chosen).
  auto again = runCuda(*gpuBuilt.engine, "x", {2, 3, 8, 8}, x, "y");
  expectNear(again, actual, 1e-6f);
}

// Concatenations the CUDA kernel copies in blocks per source: 40 inputs (two launches of up to 32), rows of
// widths that allow 16-byte units and widths that do not (odd int32 rows: 4-byte units), one row (plain copies).
// Exact: a concatenation moves bytes.
TEST(CudaBackend, ConcatenationsOfManyInputsMatchTheCpu) {
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  struct Case {
    int64_t outer, inner;
    std::vector<int64_t> widths;
  };
  std::vector<int64_t> forty(40, 4);
  forty[3] = 7;
  for (const Case& c : {Case{3, 5, forty}, Case{6, 4, {4, 8, 12, 4}}, Case{1, 9, {2, 3, 5}}, Case{129, 1, {1, 3, 2}}}) {
    trt::INetworkDefinition net;
    std::vector<trt::ITensor*> xs;
    std::map<std::string, HostTensor> inputs;
    for (size_t i = 0; i < c.widths.size(); ++i) {
      const trt::Dims d{c.outer, c.widths[i], c.inner};
      const std::string name = "x" + std::to_string(i);
      xs.push_back(net.addInput(name.c_str(), trt::DataType::kINT32, d));
      std::vector<int32_t> values(static_cast<size_t>(d.volume()));
      for (size_t k = 0; k < values.size(); ++k) values[k] = static_cast<int32_t>(i * 100000 + k);
      inputs[name] = hostTensor(d, values);
    }
    auto* cat = net.addConcatenation(xs.data(), static_cast<int32_t>(xs.size()));
    cat->setAxis(1);
    cat->getOutput(0)->setName("y");
    net.markOutput(*cat->getOutput(0));
    const auto expected = runBytes(*build(net).engine, inputs)["y"];
    const auto actual = runBytes(*buildForCuda(net).engine, inputs)["y"];
    EXPECT_EQ(actual, expected) << c.widths.size() << " inputs, " << c.outer << " rows";
  }
}

TEST(CudaBackend, Fp16EngineMatchesTheCpuFp16Reference) {
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  std::vector<std::vector<float>> keep;
  trt::INetworkDefinition net;
  makeNetwork(net, keep);
  auto x = randomVector(2 * 3 * 8 * 8, 36);
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  std::unique_ptr<trt::IBuilderConfig> cpuConfig(builder->createBuilderConfig());
  cpuConfig->setFlag(trt::BuilderFlag::kFP16);
  auto cpuBuilt = build(net, cpuConfig.get());
  auto expected = run(*cpuBuilt.engine, {{"x", {{2, 3, 8, 8}, x}}})["y"];
  std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
  config->setBackend(trt::Backend::kCUDA);
  config->setFlag(trt::BuilderFlag::kFP16);
  auto gpuBuilt = build(net, config.get());
  const std::string layers = gpuBuilt.engine->describeLayers();
  EXPECT_NE(layers.find("float16"), std::string::npos) << layers;
  auto actual = runCuda(*gpuBuilt.engine, "x", {2, 3, 8, 8}, x, "y");
  // Both store every layer's output in FP16 and compute in FP32; sums in another order can round
  // to a neighbouring half (2^-11 relative) and that difference propagates a few layers.
  expectNear(actual, expected, 2e-2f);
}

TEST(CudaBackend, Bf16EngineMatchesTheCpuBf16Reference) {
  // The same network with BF16 allowed: cuDNN's and cuBLAS(Lt)'s bfloat16 paths and every kernel
  // instantiated for __nv_bfloat16, against the CPU's emulation (bfloat16 storage, FP32 math).
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  std::vector<std::vector<float>> keep;
  trt::INetworkDefinition net;
  makeNetwork(net, keep);
  auto x = randomVector(2 * 3 * 8 * 8, 37);
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  std::unique_ptr<trt::IBuilderConfig> cpuConfig(builder->createBuilderConfig());
  cpuConfig->setFlag(trt::BuilderFlag::kBF16);
  auto cpuBuilt = build(net, cpuConfig.get());
  auto expected = run(*cpuBuilt.engine, {{"x", {{2, 3, 8, 8}, x}}})["y"];
  std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
  config->setBackend(trt::Backend::kCUDA);
  config->setFlag(trt::BuilderFlag::kBF16);
  auto gpuBuilt = build(net, config.get());
  const std::string layers = gpuBuilt.engine->describeLayers();
  EXPECT_NE(layers.find("bfloat16"), std::string::npos) << layers;
  auto actual = runCuda(*gpuBuilt.engine, "x", {2, 3, 8, 8}, x, "y");
  // As the FP16 twin, with bfloat16's 8-bit significand: a neighbouring value is 2^-8 away.
  expectNear(actual, expected, 1e-1f);
}

TEST(CudaBackend, PermutesMatchTheCpu) {
  // Head split and merge as in attention ([B,S,H,D] <-> [B,H,S,D]: rows move as vectors), a full
  // reversal (element by element) and an odd inner size, in float32 and float16; an image's NCHW -> NHWC with 3
  // channels and a [C, P] -> [P, C] of 2 (the few-channels kernels: 16-byte vectors of pixels where the planes hold
  // whole vectors, as 4x8 does, a thread a pixel where they do not, as 5x5); 40 and 37 channels over 63 and 66
  // pixels both ways (the tiled transpose, batched and not, with partial tiles at both edges).
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  const std::vector<std::vector<int32_t>> orders = {{0, 2, 1, 3}, {3, 2, 1, 0}, {1, 0, 2, 3},
                                                    {0, 2, 3, 1}, {1, 2, 3, 0}, {0, 3, 1, 2}};
  for (const trt::Dims& dims :
       {trt::Dims{2, 3, 4, 8}, trt::Dims{2, 3, 5, 5}, trt::Dims{2, 40, 7, 9}, trt::Dims{1, 37, 6, 11}})
    for (const auto& order : orders) {
      for (bool fp16 : {false, true}) {
        trt::INetworkDefinition net;
        auto* x = net.addInput("x", trt::DataType::kFLOAT, dims);
        // Between two FP16 layers, the transpose moves 16-bit elements (no cast to fold into it).
        auto* before = net.addUnary(*x, trt::UnaryOperation::kNEG);
        auto* t = net.addShuffle(*before->getOutput(0));
        trt::Permutation p;
        for (int i = 0; i < 4; ++i) p.order[i] = order[i];
        t->setFirstTranspose(p);
        auto* y = net.addUnary(*t->getOutput(0), trt::UnaryOperation::kNEG);
        y->getOutput(0)->setName("y");
        net.markOutput(*y->getOutput(0));
        auto xv = randomVector(static_cast<size_t>(dims.volume()), 50);
        auto expected = run(*build(net).engine, {{"x", {dims, xv}}})["y"];
        std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
        std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
        config->setBackend(trt::Backend::kCUDA);
        if (fp16) config->setFlag(trt::BuilderFlag::kFP16);
        auto gpu = build(net, config.get());
        auto actual = runCuda(*gpu.engine, "x", dims, xv, "y");
        expectNear(actual, expected, fp16 ? 1e-3f : 0.f);
      }
    }
}

TEST(CudaBackend, FusedMatrixMultiplyEpiloguesMatchTheCpu) {
  // relu(alpha * x @ w + b [+ r]) with w shared by the batch (one cuBLASLt call, r its C) and with w batched
  // (a strided GEMM and the epilogue kernel), in float32 and float16; the residual r is an engine input.
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  const std::vector<float> wShared = randomVector(4 * 6, 51), wBatched = randomVector(2 * 4 * 6, 52),
                           bias = randomVector(6, 53);
  const float scale = 0.75f;
  for (int variant = 0; variant < 4; ++variant) {
    const bool batched = variant & 1, withResidual = variant & 2;
    for (bool fp16 : {false, true}) {
      trt::INetworkDefinition net;
      auto* x = net.addInput("x", trt::DataType::kFLOAT, {2, 3, 4});
      auto* r = withResidual ? net.addInput("r", trt::DataType::kFLOAT, {2, 3, 6}) : nullptr;
      auto* w = batched ? net.addConstant({2, 4, 6}, {trt::DataType::kFLOAT, wBatched.data(), 48})
                        : net.addConstant({4, 6}, {trt::DataType::kFLOAT, wShared.data(), 24});
      auto* mm = net.addMatrixMultiply(*x, trt::MatrixOperation::kNONE, *w->getOutput(0), trt::MatrixOperation::kNONE);
      auto* s = net.addConstant({}, {trt::DataType::kFLOAT, &scale, 1});
      auto* scaled = net.addElementWise(*mm->getOutput(0), *s->getOutput(0), trt::ElementWiseOperation::kPROD);
      auto* b = net.addConstant({1, 1, 6}, {trt::DataType::kFLOAT, bias.data(), 6});
      auto* biased = net.addElementWise(*scaled->getOutput(0), *b->getOutput(0), trt::ElementWiseOperation::kSUM);
      trt::ITensor* sum = biased->getOutput(0);
      if (r) sum = net.addElementWise(*r, *sum, trt::ElementWiseOperation::kSUM)->getOutput(0);
      auto* relu = net.addActivation(*sum, trt::ActivationType::kRELU);
      relu->getOutput(0)->setName("y");
      net.markOutput(*relu->getOutput(0));
      auto xv = randomVector(24, 54), rv = randomVector(36, 55);
      std::map<std::string, std::pair<trt::Dims, std::vector<float>>> inputs{{"x", {{2, 3, 4}, xv}}};
      if (r) inputs["r"] = {{2, 3, 6}, rv};
      auto expected = run(*build(net).engine, inputs)["y"];
      std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
      std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
      config->setBackend(trt::Backend::kCUDA);
      config->clearFlag(trt::BuilderFlag::kTF32);
      if (fp16) config->setFlag(trt::BuilderFlag::kFP16);
      auto gpu = build(net, config.get());
      auto actual = run(*gpu.engine, inputs)["y"];
      expectNear(actual, expected, fp16 ? 1e-2f : 1e-5f);
    }
  }
}

TEST(CudaBackend, OneContextOnSeveralStreamsKeepsEachResult) {
  // Runs alternate between two streams with no host synchronisation; the context orders each run
  // after the previous one (they share its activation arena), so every output is its own input's.
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  std::vector<std::vector<float>> keep;
  trt::INetworkDefinition net;
  makeNetwork(net, keep);
  auto cpuBuilt = build(net);
  auto gpuBuilt = buildForCuda(net);
  std::unique_ptr<trt::IExecutionContext> ctx(gpuBuilt.engine->createExecutionContext());
  ctx->setInputShape("x", {2, 3, 8, 8});
  const size_t nIn = 2 * 3 * 8 * 8, nOut = static_cast<size_t>(ctx->getTensorShape("y").volume());
  constexpr int kRuns = 8;
  cudaStream_t streams[2];
  for (auto& st : streams) ASSERT_EQ(cudaStreamCreateWithFlags(&st, cudaStreamNonBlocking), cudaSuccess);
  std::vector<std::vector<float>> inputs, outputs(kRuns, std::vector<float>(nOut));
  std::vector<float*> dx(kRuns), dy(kRuns);
  for (int r = 0; r < kRuns; ++r) {
    inputs.push_back(randomVector(nIn, 60 + r));
    ASSERT_EQ(cudaMalloc(&dx[r], nIn * 4), cudaSuccess);
    ASSERT_EQ(cudaMalloc(&dy[r], nOut * 4), cudaSuccess);
    ASSERT_EQ(cudaMemcpy(dx[r], inputs[r].data(), nIn * 4, cudaMemcpyHostToDevice), cudaSuccess);
  }
  for (int r = 0; r < kRuns; ++r) {
    ctx->setTensorAddress("x", dx[r]);
    ctx->setTensorAddress("y", dy[r]);
    ctx->enqueueV3(streams[r % 2]);
    cudaMemcpyAsync(outputs[r].data(), dy[r], nOut * 4, cudaMemcpyDeviceToHost, streams[r % 2]);
  }
  for (auto& st : streams) ASSERT_EQ(cudaStreamSynchronize(st), cudaSuccess);
  for (int r = 0; r < kRuns; ++r) {
    auto expected = run(*cpuBuilt.engine, {{"x", {{2, 3, 8, 8}, inputs[r]}}})["y"];
    expectNear(outputs[r], expected, 1e-4f);
    cudaFree(dx[r]);
    cudaFree(dy[r]);
  }
  for (auto& st : streams) cudaStreamDestroy(st);
}

namespace {
// Builds `net` for the CUDA backend (exact FP32, or FP16) and runs input "x" through it.
std::vector<float> runOnGpu(trt::INetworkDefinition& net, trt::Dims dims, const std::vector<float>& x, bool fp16) {
  auto gpu = buildForCuda(net, fp16);
  return runCuda(*gpu.engine, "x", dims, x, "y");
}

// The CPU engine's result (FP16 emulated as half storage and FP32 math when fp16).
std::vector<float> runOnCpu(trt::INetworkDefinition& net, trt::Dims dims, const std::vector<float>& x, bool fp16,
                            bool bf16 = false) {
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
  if (fp16) config->setFlag(trt::BuilderFlag::kFP16);
  if (bf16) config->setFlag(trt::BuilderFlag::kBF16);
  return run(*build(net, config.get()).engine, {{"x", {dims, x}}})["y"];
}
}  // namespace

TEST(CudaBackend, MaskedSoftmaxMatchesTheCpuAtEveryRowLength) {
  // Row lengths for each register-held variant (<= 32, 128, 512, 1024) and the general kernel
  // (2000), the mask [B,1,1,S] folded in; and a softmax over a middle axis with a mask.
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  for (int64_t len : {7, 128, 300, 1000, 2000}) {
    for (bool fp16 : {false, true}) {
      const trt::Dims dims{2, 3, 2, len};
      const auto mask = randomVector(2 * len, 70);
      trt::INetworkDefinition net;
      auto* x = net.addInput("x", trt::DataType::kFLOAT, dims);
      auto* m = net.addConstant({2, 1, 1, len}, {trt::DataType::kFLOAT, mask.data(), 2 * len});
      auto* sum = net.addElementWise(*x, *m->getOutput(0), trt::ElementWiseOperation::kSUM);
      auto* sm = net.addSoftMax(*sum->getOutput(0));
      sm->setAxes(1u << 3);
      sm->getOutput(0)->setName("y");
      net.markOutput(*sm->getOutput(0));
      const auto xv = randomVector(static_cast<size_t>(dims.volume()), 71);
      expectNear(runOnGpu(net, dims, xv, fp16), runOnCpu(net, dims, xv, fp16), fp16 ? 2e-3f : 1e-6f);
    }
  }
  const trt::Dims dims{2, 5, 3};
  const auto mask = randomVector(5, 72);
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", trt::DataType::kFLOAT, dims);
  auto* m = net.addConstant({5, 1}, {trt::DataType::kFLOAT, mask.data(), 5});
  auto* sum = net.addElementWise(*x, *m->getOutput(0), trt::ElementWiseOperation::kSUM);
  auto* sm = net.addSoftMax(*sum->getOutput(0));
  sm->setAxes(1u << 1);
  sm->getOutput(0)->setName("y");
  net.markOutput(*sm->getOutput(0));
  const auto xv = randomVector(30, 73);
  expectNear(runOnGpu(net, dims, xv, false), runOnCpu(net, dims, xv, false), 1e-6f);
}

TEST(CudaBackend, LayerNormMatchesTheCpuAtEveryRowLength) {
  // Rows held in registers (<= 256, 512, 1024 elements) and the three-pass kernel (3000), with the
  // residual add folded in; GELU after it runs vectorised (odd sizes finish element by element). Short packed
  // rows run 8 or 16 lanes a row, several rows a warp (8 to 256: Swin's and ConvNeXt's 96 and 192 channels): 37
  // rows leave the last warp's groups partly past the end.
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  const int64_t rows = 37;
  for (int64_t len : {8, 33, 64, 96, 120, 192, 256, 500, 768, 3000}) {
    for (bool fp16 : {false, true}) {
      SCOPED_TRACE("row length " + std::to_string(len) + (fp16 ? " fp16" : " fp32"));
      const trt::Dims dims{rows, len};
      const auto r = randomVector(rows * len, 80), gamma = randomVector(len, 81), beta = randomVector(len, 82);
      trt::INetworkDefinition net;
      auto* x = net.addInput("x", trt::DataType::kFLOAT, dims);
      auto* rc = net.addConstant(dims, {trt::DataType::kFLOAT, r.data(), rows * len});
      auto* sum = net.addElementWise(*x, *rc->getOutput(0), trt::ElementWiseOperation::kSUM);
      auto* g = net.addConstant({len}, {trt::DataType::kFLOAT, gamma.data(), len});
      auto* b = net.addConstant({len}, {trt::DataType::kFLOAT, beta.data(), len});
      auto* norm = net.addNormalization(*sum->getOutput(0), *g->getOutput(0), *b->getOutput(0), 0b10);
      auto* gelu = net.addActivation(*norm->getOutput(0), trt::ActivationType::kGELU_ERF);
      gelu->getOutput(0)->setName("y");
      net.markOutput(*gelu->getOutput(0));
      const auto xv = randomVector(static_cast<size_t>(dims.volume()), 83);
      expectNear(runOnGpu(net, dims, xv, fp16), runOnCpu(net, dims, xv, fp16), fp16 ? 1e-2f : 1e-5f);
    }
  }
}

TEST(CudaBackend, Fp16ConvolutionsMatchTheCpuOnBothPaths) {
  // Symmetric padding (cuDNN's algorithms timed against im2col + GEMM) and asymmetric padding
  // (im2col + an FP16 GEMM only), with a grouped case, at batch 1 and 8.
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  const auto w = randomVector(8 * 8 * 3 * 3, 90), bias = randomVector(8, 91);
  for (int64_t batch : {1, 8}) {
    for (bool asymmetric : {false, true}) {
      for (int groups : {1, 2}) {
        trt::INetworkDefinition net;
        const trt::Dims dims{batch, 8, 10, 9};
        auto* x = net.addInput("x", trt::DataType::kFLOAT, dims);
        auto* conv = net.addConvolutionNd(*x, 8, {3, 3}, {trt::DataType::kFLOAT, w.data(), 8 * (8 / groups) * 9},
                                          {trt::DataType::kFLOAT, bias.data(), 8});
        conv->setNbGroups(groups);
        conv->setPrePadding({1, asymmetric ? 0 : 1});
        conv->setPostPadding({1, asymmetric ? 2 : 1});
        auto* relu = net.addActivation(*conv->getOutput(0), trt::ActivationType::kRELU);
        relu->getOutput(0)->setName("y");
        net.markOutput(*relu->getOutput(0));
        const auto xv = randomVector(static_cast<size_t>(dims.volume()), 92);
        expectNear(runOnGpu(net, dims, xv, true), runOnCpu(net, dims, xv, true), 1e-2f);
      }
    }
  }
}

TEST(CudaBackend, CudaGraphModeReplaysWhileShapesAndAddressesRepeat) {
  // Run 1 runs normally, run 2 (same bindings) runs and captures, run 3 replays the graph (on new
  // input values); a new input address runs normally twice (captured on the second) and then replays.
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  std::vector<std::vector<float>> keep;
  trt::INetworkDefinition net;
  makeNetwork(net, keep);
  auto cpuBuilt = build(net);
  auto gpuBuilt = buildForCuda(net);
  std::unique_ptr<trt::IExecutionContext> ctx(gpuBuilt.engine->createExecutionContext());
  ctx->setCudaGraphMode(true);
  ctx->setInputShape("x", {2, 3, 8, 8});
  const size_t nIn = 2 * 3 * 8 * 8, nOut = static_cast<size_t>(ctx->getTensorShape("y").volume());
  float *dx[2], *dy = nullptr;
  for (auto& p : dx) ASSERT_EQ(cudaMalloc(&p, nIn * 4), cudaSuccess);
  ASSERT_EQ(cudaMalloc(&dy, nOut * 4), cudaSuccess);
  cudaStream_t stream;
  ASSERT_EQ(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), cudaSuccess);
  const int64_t expectedLaunches[] = {0, 0, 1, 1, 1, 2};
  for (int r = 0; r < 6; ++r) {
    const int buffer = r < 3 ? 0 : 1;  // runs 4-6 bind another input buffer
    auto x = randomVector(nIn, 100 + r);
    // On the run's stream: a plain cudaMemcpy from pageable memory may return before its DMA
    // lands, and a non-blocking stream does not wait for the legacy stream.
    ASSERT_EQ(cudaMemcpyAsync(dx[buffer], x.data(), nIn * 4, cudaMemcpyHostToDevice, stream), cudaSuccess);
    ctx->setTensorAddress("x", dx[buffer]);
    ctx->setTensorAddress("y", dy);
    ctx->enqueueV3(stream);
    std::vector<float> y(nOut);
    ASSERT_EQ(cudaMemcpyAsync(y.data(), dy, nOut * 4, cudaMemcpyDeviceToHost, stream), cudaSuccess);
    ASSERT_EQ(cudaStreamSynchronize(stream), cudaSuccess);
    expectNear(y, run(*cpuBuilt.engine, {{"x", {{2, 3, 8, 8}, x}}})["y"], 1e-4f);
    EXPECT_EQ(ctx->getCudaGraphLaunches(), expectedLaunches[r]) << "after run " << r + 1;
  }
  cudaStreamDestroy(stream);
  for (auto& p : dx) cudaFree(p);
  cudaFree(dy);
}

TEST(CudaBackend, ChannelsLastRegionsMatchTheCpu) {
  // FP16 (and BF16) at batch 8: the layout pass makes conv -> relu -> max pool -> conv (+ residual)
  // -> relu -> avg pool channels-last; 8 and 16 channels take the 8-channel vector kernels, 6 the
  // scalar ones.
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  for (int64_t c : {6, 8, 16})
    for (bool bf16 : {false, true}) {
      const auto w1 = randomVector(c * 3 * 9, 120), b1 = randomVector(c, 121), w2 = randomVector(c * c * 9, 122),
                 b2 = randomVector(c, 123);
      trt::INetworkDefinition net;
      const trt::Dims dims{8, 3, 12, 12};
      auto* x = net.addInput("x", trt::DataType::kFLOAT, dims);
      auto* c1 = net.addConvolutionNd(*x, static_cast<int32_t>(c), {3, 3}, {trt::DataType::kFLOAT, w1.data(), c * 27},
                                      {trt::DataType::kFLOAT, b1.data(), c});
      c1->setPaddingNd({1, 1});
      auto* r1 = net.addActivation(*c1->getOutput(0), trt::ActivationType::kRELU);
      auto* mp = net.addPoolingNd(*r1->getOutput(0), trt::PoolingType::kMAX, {3, 3});  // ResNet's stem pooling
      mp->setStrideNd({2, 2});
      mp->setPaddingNd({1, 1});
      auto* c2 =
          net.addConvolutionNd(*mp->getOutput(0), static_cast<int32_t>(c), {3, 3},
                               {trt::DataType::kFLOAT, w2.data(), c * c * 9}, {trt::DataType::kFLOAT, b2.data(), c});
      c2->setPaddingNd({1, 1});
      auto* sum = net.addElementWise(*c2->getOutput(0), *mp->getOutput(0), trt::ElementWiseOperation::kSUM);
      auto* r2 = net.addActivation(*sum->getOutput(0), trt::ActivationType::kRELU);
      auto* ap = net.addPoolingNd(*r2->getOutput(0), trt::PoolingType::kAVERAGE, {3, 3});
      ap->setStrideNd({1, 1});
      ap->setPaddingNd({1, 1});
      ap->setAverageCountExcludesPadding(c != 8);
      ap->getOutput(0)->setName("y");
      net.markOutput(*ap->getOutput(0));
      const auto xv = randomVector(static_cast<size_t>(dims.volume()), 124);
      std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
      std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
      config->setBackend(trt::Backend::kCUDA);
      config->setFlag(bf16 ? trt::BuilderFlag::kBF16 : trt::BuilderFlag::kFP16);
      auto gpu = build(net, config.get());
      EXPECT_NE(gpu.engine->describeLayersJson().find("NHWC"), std::string::npos) << gpu.engine->describeLayers();
      expectNear(runCuda(*gpu.engine, "x", dims, xv, "y"), runOnCpu(net, dims, xv, !bf16, bf16), bf16 ? 1e-1f : 2e-2f);
    }
}
TEST(CudaBackend, ConvolutionEpilogueActivationsMatchTheCpu) {
  // x * sigmoid(conv(x)) and x * hardsigmoid(conv(x)) as the converters write SiLU and hard-swish,
  // GELU and tanh: each folds into the convolution's epilogue (with a residual add too), channels-last
  // at 16 channels (the 8-channel vector epilogue) and 6 (the scalar one), FP16 and BF16.
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  using A = trt::ActivationType;
  struct Case {
    A gate;  // sigmoid / hard sigmoid: composed as x * gate(x); otherwise the activation itself
    const char* fusedName;
  };
  const Case cases[] = {
      {A::kSIGMOID, "silu"}, {A::kHARD_SIGMOID, "hardswish"}, {A::kGELU_ERF, "gelu_erf"}, {A::kTANH, "tanh"}};
  for (const Case& k : cases)
    for (int64_t c : {6, 16})
      for (bool residual : {false, true})
        for (bool bf16 : {false, true}) {
          const auto w = randomVector(c * c * 9, 130), b = randomVector(c, 131);
          trt::INetworkDefinition net;
          const trt::Dims dims{8, c, 10, 10};
          auto* x = net.addInput("x", trt::DataType::kFLOAT, dims);
          auto* conv =
              net.addConvolutionNd(*x, static_cast<int32_t>(c), {3, 3}, {trt::DataType::kFLOAT, w.data(), c * c * 9},
                                   {trt::DataType::kFLOAT, b.data(), c});
          conv->setPaddingNd({1, 1});
          trt::ITensor* pre = conv->getOutput(0);
          if (residual) pre = net.addElementWise(*pre, *x, trt::ElementWiseOperation::kSUM)->getOutput(0);
          trt::ITensor* y = nullptr;
          if (k.gate == A::kSIGMOID || k.gate == A::kHARD_SIGMOID) {
            auto* g = net.addActivation(*pre, k.gate);
            g->setAlpha(k.gate == A::kHARD_SIGMOID ? 1.f / 6.f : 0.f);
            g->setBeta(k.gate == A::kHARD_SIGMOID ? 0.5f : 0.f);
            y = net.addElementWise(*pre, *g->getOutput(0), trt::ElementWiseOperation::kPROD)->getOutput(0);
          } else {
            y = net.addActivation(*pre, k.gate)->getOutput(0);
          }
          y->setName("y");
          net.markOutput(*y);
          const auto xv = randomVector(static_cast<size_t>(dims.volume()), 132, -3.f, 3.f);
          std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
          std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
          config->setBackend(trt::Backend::kCUDA);
          config->setFlag(bf16 ? trt::BuilderFlag::kBF16 : trt::BuilderFlag::kFP16);
          auto gpu = build(net, config.get());
          SCOPED_TRACE(std::string(k.fusedName) + " C=" + std::to_string(c) + (residual ? " +residual" : "") +
                       (bf16 ? " bf16" : " fp16"));
          const std::string json = gpu.engine->describeLayersJson();
          EXPECT_NE(json.find(std::string("\"activation\":\"") + k.fusedName + "\""), std::string::npos) << json;
          expectNear(runCuda(*gpu.engine, "x", dims, xv, "y"), runOnCpu(net, dims, xv, !bf16, bf16),
                     bf16 ? 1e-1f : 2e-2f);
        }
}

TEST(CudaBackend, WholePlanePoolingMatchesTheCpu) {
  // Global average and max pooling (the window is the whole unpadded plane: a reduction kernel), in
  // both layouts, with channel counts that take the 8-channel vector path (16) and the scalar one
  // (12), planes smaller and larger than a block's 32 rows, and large enough (75x76 rows, few
  // channels) that channels-last splits the rows over blocks; max keeps a NaN of its plane.
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  for (bool channelsLast : {false, true})
    for (int64_t channels : {16, 12})
      for (int64_t side : {3, 19, 75})
        for (auto type : {trt::PoolingType::kAVERAGE, trt::PoolingType::kMAX})
          for (bool fp16 : {false, true}) {
            const trt::Dims dims =
                channelsLast ? trt::Dims{2, side, side + 1, channels} : trt::Dims{2, channels, side, side + 1};
            trt::INetworkDefinition net;
            auto* pool = net.addPoolingNd(*net.addInput("x", trt::DataType::kFLOAT, dims), type, {side, side + 1});
            pool->setChannelsLast(channelsLast);
            pool->getOutput(0)->setName("y");
            net.markOutput(*pool->getOutput(0));
            auto xv = randomVector(static_cast<size_t>(dims.volume()), 95);
            SCOPED_TRACE((channelsLast ? "NHWC C=" : "NCHW C=") + std::to_string(channels) + " side " +
                         std::to_string(side) + (type == trt::PoolingType::kMAX ? " max" : " avg") +
                         (fp16 ? " fp16" : " fp32"));
            expectNear(runOnGpu(net, dims, xv, fp16), runOnCpu(net, dims, xv, fp16), fp16 ? 2e-3f : 1e-5f);
            if (type == trt::PoolingType::kMAX) {
              xv[xv.size() / 2] = NAN;  // in the second image's plane of some channel
              const auto gpu = runOnGpu(net, dims, xv, fp16), cpu = runOnCpu(net, dims, xv, fp16);
              EXPECT_EQ(std::count_if(cpu.begin(), cpu.end(), [](float v) { return std::isnan(v); }), 1);
              for (size_t i = 0; i < cpu.size(); ++i) EXPECT_EQ(std::isnan(gpu[i]), std::isnan(cpu[i])) << "at " << i;
            }
          }
}

TEST(CudaBackend, ResizesMatchTheCpu) {
  // Resize through the two-axis kernel: NHWC (16 channels: 16-byte vectors in 16-bit, 4-float ones in FP32; 3
  // channels: an element a thread) and NCHW (one element a thread), both spatial axes or one (the first, the last), an
  // FPN's 2x nearest upsampling by scale, bilinear in half-pixel and align-corners, bicubic; and a resize of three axes
  // (the general kernel). Every mode and dtype against the CPU: nearest copies exactly.
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  using M = trt::InterpolationMode;
  using C = trt::ResizeCoordinateTransformation;
  const ResizeCase cases[] = {
      {{2, 5, 7, 16}, {2, 10, 14, 16}, M::kNEAREST, C::kASYMMETRIC, {1.0, 0.5, 0.5, 1.0}},  // FPN's upsampling
      {{2, 5, 7, 16}, {2, 9, 12, 16}, M::kNEAREST, C::kHALF_PIXEL, {}},
      {{2, 5, 7, 16}, {2, 9, 12, 16}, M::kLINEAR, C::kHALF_PIXEL, {}},
      {{2, 5, 7, 16}, {2, 9, 12, 16}, M::kLINEAR, C::kALIGN_CORNERS, {}},
      {{2, 5, 7, 16}, {2, 5, 11, 16}, M::kLINEAR, C::kHALF_PIXEL, {}},  // one axis
      {{2, 5, 7, 16}, {2, 3, 4, 16}, M::kCUBIC, C::kALIGN_CORNERS, {}},
      {{2, 6, 5, 7}, {2, 6, 11, 13}, M::kLINEAR, C::kHALF_PIXEL, {}},  // NCHW, FCN's final upsampling
      {{2, 6, 5, 7}, {2, 6, 10, 14}, M::kNEAREST, C::kASYMMETRIC, {}},
      {{2, 5, 7, 3}, {2, 9, 12, 3}, M::kLINEAR, C::kHALF_PIXEL, {}},   // 3 channels: an element a thread
      {{3, 5, 7, 4}, {6, 5, 7, 4}, M::kNEAREST, C::kASYMMETRIC, {}},   // the first axis alone
      {{3, 6, 13}, {3, 6, 29}, M::kCUBIC, C::kHALF_PIXEL, {}},         // the last axis alone
      {{2, 5, 7, 16}, {2, 6, 8, 24}, M::kLINEAR, C::kHALF_PIXEL, {}},  // three axes: the general kernel
  };
  for (const ResizeCase& k : cases)
    for (int type = 0; type < 3; ++type) {  // FP32, FP16, BF16
      trt::INetworkDefinition net;
      addResizeNetwork(net, k);
      const auto xv = randomVector(static_cast<size_t>(k.in.volume()), 97, -2.f, 2.f);
      std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
      std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
      config->setBackend(trt::Backend::kCUDA);
      config->clearFlag(trt::BuilderFlag::kTF32);
      if (type == 1) config->setFlag(trt::BuilderFlag::kFP16);
      if (type == 2) config->setFlag(trt::BuilderFlag::kBF16);
      auto gpu = build(net, config.get());
      SCOPED_TRACE(k.in.str() + " -> " + k.out.str() + " mode " + std::to_string(static_cast<int>(k.mode)) +
                   " transform " + std::to_string(static_cast<int>(k.transform)) + " type " + std::to_string(type));
      const float tol = type == 0 ? 1e-5f : type == 1 ? 2e-3f : 2e-2f;
      expectNear(runCuda(*gpu.engine, "x", k.in, xv, "y"), runOnCpu(net, k.in, xv, type == 1, type == 2),
                 k.mode == M::kNEAREST ? 0.f : tol);
    }
}

TEST(CudaBackend, ChannelsLastMaxPoolingMatchesTheCpuBitForBit) {
  // 16-bit channels-last max pooling: the packed kernel's windows (3x3 stride 2 padding 1 as ResNet's stem, 3x3
  // stride 1, 2x2 stride 2, 3x3 with post padding as ceil mode makes it) and the general kernel's (5x5), FP16 and
  // BF16, at 8 and 64 channels. Max rounds nothing, so the GPU's values equal the CPU's exactly, with a NaN (which
  // every window holding it passes on) and -inf (which loses to any number) among them.
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  struct Window {
    int32_t k, stride, pad, postPad;
  };
  for (const Window& wnd :
       {Window{3, 2, 1, 0}, Window{3, 1, 1, 0}, Window{2, 2, 0, 0}, Window{3, 2, 0, 1}, Window{5, 2, 2, 0}})
    for (int64_t channels : {8, 64})
      for (bool bf16 : {false, true}) {
        const trt::Dims dims{2, 11, 13, channels};
        trt::INetworkDefinition net;
        auto* pool =
            net.addPoolingNd(*net.addInput("x", trt::DataType::kFLOAT, dims), trt::PoolingType::kMAX, {wnd.k, wnd.k});
        pool->setStrideNd({wnd.stride, wnd.stride});
        pool->setPrePadding({wnd.pad, wnd.pad});
        pool->setPostPadding({wnd.pad + wnd.postPad, wnd.pad + wnd.postPad});
        pool->setChannelsLast(true);
        pool->getOutput(0)->setName("y");
        net.markOutput(*pool->getOutput(0));
        auto xv = randomVector(static_cast<size_t>(dims.volume()), 96, -4.f, 4.f);
        xv[static_cast<size_t>(5 * 13 * channels + 6 * channels + 3)] = NAN;  // first image, row 5, column 6
        xv[static_cast<size_t>(dims.volume() - 1)] = -INFINITY;               // the second image's last pixel
        std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
        std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
        config->setBackend(trt::Backend::kCUDA);
        config->setFlag(bf16 ? trt::BuilderFlag::kBF16 : trt::BuilderFlag::kFP16);
        auto gpu = build(net, config.get());
        const auto got = runCuda(*gpu.engine, "x", dims, xv, "y");
        const auto want = runOnCpu(net, dims, xv, !bf16, bf16);
        SCOPED_TRACE("window " + std::to_string(wnd.k) + " stride " + std::to_string(wnd.stride) + " pad " +
                     std::to_string(wnd.pad) + "+" + std::to_string(wnd.postPad) + " C=" + std::to_string(channels) +
                     (bf16 ? " bf16" : " fp16"));
        ASSERT_EQ(got.size(), want.size());
        size_t nans = 0;
        for (size_t i = 0; i < want.size(); ++i) {
          nans += std::isnan(want[i]);
          if (std::isnan(want[i]))
            EXPECT_TRUE(std::isnan(got[i])) << "at " << i;
          else
            EXPECT_EQ(got[i], want[i]) << "at " << i;
        }
        EXPECT_GT(nans, 0u);  // the NaN reached the output
      }
}

#endif
