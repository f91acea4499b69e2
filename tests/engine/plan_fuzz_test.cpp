// Plan fuzzing: thousands of corrupted plans, re-sealed (sizes and CRCs recomputed) so the reader
// parses them all the way; each must load or be refused with trt::Error, never crash, never throw
// anything else. Plans that still load are run on the CPU when their tensors stay small. CI runs
// this suite under AddressSanitizer and UndefinedBehaviorSanitizer too. PLAN_FUZZ_DUMP=<file> writes the
// first plan that fails the test there, to reproduce it.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>

#include "engine_test_util.h"
#include "plan/plan_io.h"
#include "plan_fuzz_util.h"

using namespace trt_test;

namespace {
// A network with most layer kinds and their parameter blocks, as of plan format `version` (what a
// format adds joins the network from that version on). The checked-in corpus holds plans of this
// network from earlier builds (rich-v<version>.plan): change it only by adding a version's features.
std::vector<uint8_t> richPlan(std::vector<std::vector<float>>& keep, uint32_t version = trt::kPlanFormatVersion) {
  trt::INetworkDefinition net;
  keep.push_back(randomVector(4 * 2 * 3 * 3, 70));
  keep.push_back(randomVector(4, 71));
  keep.push_back(randomVector(12 * 3, 72));
  keep.push_back(randomVector(3, 73));
  static const int32_t idx[2] = {1, 0};
  static const float one = 1.f, zero = 0.f;
  trt::ITensor* x = net.addInput("x", trt::DataType::kFLOAT, {1, 2, 6, 6});
  if (version >= 5) {  // INT8: the convolution reads a Q/DQ pair (fused into an INT8 convolution)
    auto* q = net.addQuantize(*x, {0.02f});
    x = net.addDequantize(*q->getOutput(0), {0.02f})->getOutput(0);
  }
  auto* conv = net.addConvolutionNd(*x, 4, {3, 3}, {trt::DataType::kFLOAT, keep[0].data(), 72},
                                    {trt::DataType::kFLOAT, keep[1].data(), 4});
  conv->setPaddingNd({1, 1});
  auto* relu = net.addActivation(*conv->getOutput(0), trt::ActivationType::kRELU);
  if (version >= 17) {  // a clip with its bounds fused into the convolution
    relu->setActivationType(trt::ActivationType::kCLIP);
    relu->setAlpha(-0.25f);
    relu->setBeta(0.5f);
  }
  auto* pool = net.addPoolingNd(*relu->getOutput(0), trt::PoolingType::kAVERAGE, {2, 2});  // [1,4,3,3]
  trt::ITensor* pooled = pool->getOutput(0);
  if (version >= 6) {  // bicubic grid sampling with reflection, at positions inside and outside
    static const float points[1 * 3 * 3 * 2] = {-1.2f, -1.f, 0.f,  0.f,  0.7f, -0.3f, 1.1f, 0.9f, -0.5f,
                                                0.5f,  0.2f, 1.3f, -1.f, 1.f,  0.4f,  0.4f, 0.9f, -0.8f};
    auto* grid = net.addConstant({1, 3, 3, 2}, {trt::DataType::kFLOAT, points, 18});
    auto* gs = net.addGridSample(*pooled, *grid->getOutput(0));
    gs->setInterpolationMode(trt::InterpolationMode::kCUBIC);
    gs->setSampleMode(trt::SampleMode::kREFLECT);
    pooled = gs->getOutput(0);
  }
  if (version >= 8) {  // a grouped transposed convolution back to 6x6 (negative post padding: output_padding)
    auto* deconv = net.addDeconvolutionNd(*pooled, 4, {3, 3}, {trt::DataType::kFLOAT, keep[0].data(), 72},
                                          {trt::DataType::kFLOAT, keep[1].data(), 4});
    deconv->setNbGroups(2);
    deconv->setStrideNd({2, 2});
    deconv->setPrePadding({1, 1});
    deconv->setPostPadding({0, -1});
    pooled = deconv->getOutput(0);  // [1,4,5,6]
  }
  auto* up = net.addResize(*pooled, {1, 4, 6, 6});
  up->setResizeMode(trt::InterpolationMode::kLINEAR);
  trt::ITensor* activated = relu->getOutput(0);
  if (version >= 19) {  // INT8 codes between two 1x1 INT8 convolutions: the first writes them, the second reads them
    keep.push_back(randomVector(4 * 4, 74));
    const std::vector<float> weightScales(4, 0.01f);
    auto* writer = net.addConvolutionNd(*activated, 4, {1, 1}, {trt::DataType::kFLOAT, keep.back().data(), 16}, {});
    writer->setInt8Scales(0.05f, weightScales);
    writer->setFusedActivation(static_cast<int32_t>(trt::ActivationType::kRELU));
    writer->setInt8OutputScale(0.04f);
    auto* reader =
        net.addConvolutionNd(*writer->getOutput(0), 4, {1, 1}, {trt::DataType::kFLOAT, keep.back().data(), 16}, {});
    reader->setInt8Scales(0.04f, weightScales);
    reader->setOutputType(0, trt::DataType::kFLOAT);
    if (version >= 20) {  // the codes as its INT8 residual too
      reader->setInput(1, *writer->getOutput(0));
      reader->setInt8ResidualScale(0.04f);
    }
    activated = reader->getOutput(0);
  }
  auto* sum = net.addElementWise(*up->getOutput(0), *activated, trt::ElementWiseOperation::kSUM);
  trt::ITensor* summed = sum->getOutput(0);
  if (version >= 5) {  // per-channel Q/DQ layers that stay layers
    auto* q = net.addQuantize(*summed, {0.01f, 0.02f, 0.03f, 0.04f}, 1);
    summed = net.addDequantize(*q->getOutput(0), {0.01f, 0.02f, 0.03f, 0.04f}, 1)->getOutput(0);
  }
  auto* flat = net.addShuffle(*summed);
  flat->setReshapeDimensions({12, 12});
  trt::ITensor* rows = flat->getOutput(0);
  if (version >= 6) {  // INT8: the product reads a Q/DQ pair (an INT8 product with INT8 weights)
    auto* q = net.addQuantize(*rows, {0.03f});
    rows = net.addDequantize(*q->getOutput(0), {0.03f})->getOutput(0);
  }
  auto* w = net.addConstant({12, 3}, {trt::DataType::kFLOAT, keep[2].data(), 36});
  auto* mm = net.addMatrixMultiply(*rows, trt::MatrixOperation::kNONE, *w->getOutput(0), trt::MatrixOperation::kNONE);
  auto* b = net.addConstant({3}, {trt::DataType::kFLOAT, keep[3].data(), 3});
  auto* biased = net.addElementWise(*mm->getOutput(0), *b->getOutput(0), trt::ElementWiseOperation::kSUM);
  auto* u = net.addConstant({}, {trt::DataType::kFLOAT, &one, 1});
  auto* z = net.addConstant({}, {trt::DataType::kFLOAT, &zero, 1});
  auto* norm = net.addNormalization(*biased->getOutput(0), *u->getOutput(0), *z->getOutput(0), 0b10);
  auto* sm = net.addSoftMax(*norm->getOutput(0));
  sm->setAxes(0b10);
  if (version >= 4) sm->setInput(1, *b->getOutput(0));  // an additive mask
  trt::ITensor* soft = sm->getOutput(0);
  if (version >= 5) {
    soft = net.addCumulative(*soft, 1, trt::CumulativeOperation::kSUM, false, true)->getOutput(0);
    static const int32_t slots[12 * 2] = {2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1};
    auto* idx = net.addConstant({12, 2}, {trt::DataType::kINT32, slots, 24});
    auto* part = net.addSlice(*soft, {0, 0}, {12, 2}, {1, 1});
    auto* scatter = net.addScatter(*soft, *idx->getOutput(0), *part->getOutput(0), 1);
    if (version >= 6) scatter->setReduction(trt::ScatterReduction::kMAX, false);  // duplicate indices, reduced
    soft = scatter->getOutput(0);
    if (version >= 6) {  // ND: rows 5 and 0 get the first two rows added
      static const int32_t rowsAt[2] = {5, 0};
      auto* tuples = net.addConstant({2, 1}, {trt::DataType::kINT32, rowsAt, 2});
      auto* rows = net.addSlice(*soft, {0, 0}, {2, 3}, {1, 1});
      auto* nd = net.addScatter(*soft, *tuples->getOutput(0), *rows->getOutput(0), 0);
      nd->setMode(trt::ScatterMode::kND);
      nd->setReduction(trt::ScatterReduction::kSUM);
      soft = nd->getOutput(0);
    }
  }
  auto* red = net.addReduce(*soft, trt::ReduceOperation::kMAX, 0b10, true);  // [12,1]
  trt::ITensor* parts[] = {soft, red->getOutput(0)};
  auto* cat = net.addConcatenation(parts, 2);
  cat->setAxis(1);  // [12,4]
  trt::ITensor* joined = cat->getOutput(0);
  if (version >= 10) {  // format 10's elementwise operations: remainder with the divisor's sign, atan2
    static const float divisor = -0.37f;
    auto* d = net.addConstant({}, {trt::DataType::kFLOAT, &divisor, 1});
    auto* rem = net.addElementWise(*joined, *d->getOutput(0), trt::ElementWiseOperation::kREMAINDER);
    joined = net.addElementWise(*joined, *rem->getOutput(0), trt::ElementWiseOperation::kATAN2)->getOutput(0);
  }
  if (version >= 7) {  // a linspace ramp added on
    auto* ramp = net.addFill({12, 4}, trt::FillOperation::kLINSPACE);
    ramp->setAlpha(-1.0);
    ramp->setBeta({0.125, 0.25});
    joined = net.addElementWise(*joined, *ramp->getOutput(0), trt::ElementWiseOperation::kSUM)->getOutput(0);
    // Columns scaled by an einsum, and a one-hot of constant classes added on.
    static const float scales[4] = {1.f, -0.5f, 2.f, 0.25f};
    auto* s = net.addConstant({4}, {trt::DataType::kFLOAT, scales, 4});
    trt::ITensor* operands[] = {joined, s->getOutput(0)};
    joined = net.addEinsum(operands, 2, "ij,j->ij")->getOutput(0);
    static const int32_t classes[12] = {0, 1, 2, 3, 3, 2, 1, 0, -1, 5, 2, 1};
    static const float offOn[2] = {0.f, 0.5f};
    auto* c = net.addConstant({12}, {trt::DataType::kINT32, classes, 12});
    auto* v = net.addConstant({2}, {trt::DataType::kFLOAT, offOn, 2});
    auto* oh = net.addOneHot(*c->getOutput(0), *v->getOutput(0), 4);
    joined = net.addElementWise(*joined, *oh->getOutput(0), trt::ElementWiseOperation::kSUM)->getOutput(0);
    // A per-channel (column) scale with powers, and a parametric ReLU with per-column slopes.
    joined = net.addScale(*joined, trt::ScaleMode::kCHANNEL, {0.5f, 1.f, 1.5f, 2.f}, {1.f, -1.f, 0.5f, 2.f},
                          {1.f, 2.f, 1.f, 1.f})
                 ->getOutput(0);
    static const float slopes[4] = {0.1f, 0.2f, -0.3f, 0.4f};
    auto* k = net.addConstant({4}, {trt::DataType::kFLOAT, slopes, 4});
    joined = net.addParametricReLU(*joined, *k->getOutput(0))->getOutput(0);
  }
  if (version >= 16) {  // an FP8 product by E4M3 weights [4, 4] (transposed), with its two scales
    static const uint8_t fp8Weights[16] = {0x38, 0xB0, 0x00, 0x44, 0x30, 0x3C, 0xC0, 0x08,
                                           0x81, 0x40, 0x34, 0xB8, 0x2C, 0x00, 0x48, 0xBC};
    auto* wq = net.addConstant({4, 4}, {trt::DataType::kFP8, fp8Weights, 16});
    auto* fp8 = net.addMatrixMultiply(*joined, trt::MatrixOperation::kNONE, *wq->getOutput(0),
                                      trt::MatrixOperation::kTRANSPOSE);
    fp8->setFp8Scales(0.02f, 0.25f);
    // Then one of an FP8 input from a Quantize layer, with a bias (which gives its output's type).
    // (Through a GELU the builder folds into the quantization.)
    auto* gelu = net.addActivation(*fp8->getOutput(0), trt::ActivationType::kGELU_ERF);
    auto* q = net.addQuantize(*gelu->getOutput(0), {0.03f});
    q->setToType(trt::DataType::kFP8);
    static const float fp8Bias[4] = {0.5f, -0.25f, 0.f, 1.f};
    auto* bias = net.addConstant({4}, {trt::DataType::kFLOAT, fp8Bias, 4});
    auto* fromCodes = net.addMatrixMultiply(*q->getOutput(0), trt::MatrixOperation::kNONE, *wq->getOutput(0),
                                            trt::MatrixOperation::kTRANSPOSE);
    fromCodes->setFp8Scales(0.03f, 0.25f);
    fromCodes->setInput(2, *bias->getOutput(0));
    joined = fromCodes->getOutput(0);
  }
  if (version >= 18) {  // a concatenation [12, 4 + 4] read only by a per-channel scale + ReLU (one Scale of two inputs)
    auto* magnitude = net.addUnary(*joined, trt::UnaryOperation::kABS);
    trt::ITensor* pieces[] = {joined, magnitude->getOutput(0)};
    auto* both = net.addConcatenation(pieces, 2);
    both->setAxis(1);
    auto* affine =
        net.addScale(*both->getOutput(0), trt::ScaleMode::kCHANNEL, {0.5f, -1.f, 0.25f, 2.f, 1.f, -0.5f, 0.f, 0.75f},
                     {2.f, 1.f, -1.f, 0.5f, 1.5f, 1.f, 3.f, -2.f}, {});
    joined = net.addActivation(*affine->getOutput(0), trt::ActivationType::kRELU)->getOutput(0);
  }
  if (version >= 23) {  // an FP8 product by a stack of two E4M3 matrices [2, 4, 8] with a bias row each, then their sum
    static uint8_t stackWeights[64];
    for (int i = 0; i < 64; ++i) stackWeights[i] = static_cast<uint8_t>((i * 37 + 11) % 0x7E ^ (i % 3 ? 0x80 : 0));
    static const float stackBias[8] = {0.5f, -0.25f, 0.f, 1.f, -1.f, 0.25f, 2.f, 0.125f};
    auto* ws = net.addConstant({2, 4, 8}, {trt::DataType::kFP8, stackWeights, 64});
    auto* bs = net.addConstant({2, 1, 4}, {trt::DataType::kFLOAT, stackBias, 8});
    trt::ITensor* wide = joined;  // [12, 8] (a version before 18: [12, 4], widened by a concatenation)
    if (joined->getDimensions().d[1] == 4) {
      trt::ITensor* halves[] = {joined, joined};
      auto* twice = net.addConcatenation(halves, 2);
      twice->setAxis(1);
      wide = twice->getOutput(0);
    }
    auto* stack =
        net.addMatrixMultiply(*wide, trt::MatrixOperation::kNONE, *ws->getOutput(0), trt::MatrixOperation::kTRANSPOSE);
    stack->setFp8Scales(0.05f, 0.125f);
    stack->setInput(2, *bs->getOutput(0));
    joined = net.addReduce(*stack->getOutput(0), trt::ReduceOperation::kSUM, 1, false)->getOutput(0);  // [12, 4]
  }
  if (version >= 24) {  // [12, 4] transposed, transposed back with zero padding to [12, 6]: its rows' max added on
    trt::Permutation swap;
    swap.order[0] = 1, swap.order[1] = 0;
    auto* across = net.addShuffle(*joined);
    across->setFirstTranspose(swap);
    auto* back = net.addShuffle(*across->getOutput(0));
    back->setFirstTranspose(swap);
    back->setZeroPaddedLastDimension(6);
    auto* peak = net.addReduce(*back->getOutput(0), trt::ReduceOperation::kMAX, 0b10, true);  // [12, 1], >= 0
    joined = net.addElementWise(*joined, *peak->getOutput(0), trt::ElementWiseOperation::kSUM)->getOutput(0);
  }
  auto* sl = net.addSlice(*joined, {0, -1}, {12, 6}, {1, 1});
  sl->setMode(trt::SampleMode::kREFLECT);
  auto* gi = net.addConstant({2}, {trt::DataType::kINT32, idx, 2});
  auto* g = net.addGather(*sl->getOutput(0), *gi->getOutput(0), 1);  // [12,2]
  trt::ITensor* gathered = g->getOutput(0);
  if (version >= 9) {  // an ascending sort of the two columns, k read from the shape (folds to a constant)
    static const int64_t axis[1] = {1};
    auto* at = net.addConstant({1}, {trt::DataType::kINT64, axis, 1});
    auto* k = net.addGather(*net.addShape(*gathered)->getOutput(0), *at->getOutput(0), 0);
    auto* sorted = net.addTopK(*gathered, trt::TopKOperation::kMIN, 1, 0b10);
    sorted->setInput(1, *k->getOutput(0));
    gathered = sorted->getOutput(0);
  }
  auto* top = net.addTopK(*gathered, trt::TopKOperation::kMAX, 1, 0b10);
  auto* pos = net.addElementWise(*top->getOutput(0), *z->getOutput(0), trt::ElementWiseOperation::kGREATER);
  auto* neg = net.addUnary(*top->getOutput(0), trt::UnaryOperation::kNEG);
  auto* sel = net.addSelect(*pos->getOutput(0), *top->getOutput(0), *neg->getOutput(0));
  auto* cast = net.addIdentity(*sel->getOutput(0));
  cast->setOutputType(0, trt::DataType::kHALF);
  cast->getOutput(0)->setName("y");
  net.markOutput(*cast->getOutput(0));
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
  config->setFlag(trt::BuilderFlag::kFP16);  // casts and a pinned-free precision pass in the plan
  if (version >= 5) config->setFlag(trt::BuilderFlag::kINT8);
  std::unique_ptr<trt::IHostMemory> mem(builder->buildSerializedNetwork(net, *config));
  const auto* p = static_cast<const uint8_t*>(mem->data());
  return std::vector<uint8_t>(p, p + mem->size());
}

}  // namespace

TEST(PlanFuzz, CorruptedPlansLoadOrFailCleanly) {
  std::vector<std::vector<float>> keep;
  const std::vector<uint8_t> plan = richPlan(keep);
  std::unique_ptr<trt::IRuntime> rt(trt::createInferRuntime(trt::defaultLogger()));
  { std::unique_ptr<trt::ICudaEngine> ok(rt->deserializeCudaEngine(plan.data(), plan.size())); }
  // PLAN_FUZZ_SEED / PLAN_FUZZ_ITERS run other or longer campaigns (CI: seed 1234, 4000 plans).
  const char* seedEnv = std::getenv("PLAN_FUZZ_SEED");
  const char* itersEnv = std::getenv("PLAN_FUZZ_ITERS");
  std::mt19937 gen(seedEnv ? static_cast<uint32_t>(std::strtoul(seedEnv, nullptr, 10)) : 1234u);
  const int iterations = itersEnv ? std::atoi(itersEnv) : 4000;
  const size_t payload = plan.size() - trt::kPlanHeaderSize;
  std::uniform_int_distribution<size_t> at(trt::kPlanHeaderSize, plan.size() - 1);
  const uint32_t extremes[] = {0u, 1u, 2u, 7u, 8u, 9u, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFFu, 0xFFFFu, 1u << 20};
  int loaded = 0, refused = 0;
  for (int iter = 0; iter < iterations; ++iter) {
    std::vector<uint8_t> m = plan;
    switch (iter % 4) {
      case 0:  // a few bit flips
        for (int k = 0; k < 1 + iter % 3; ++k) m[at(gen)] ^= static_cast<uint8_t>(1u << (gen() % 8));
        break;
      case 1: {  // an extreme 32-bit value anywhere (counts, indices, enums, dims)
        size_t pos = at(gen);
        if (pos + 4 > m.size()) pos = m.size() - 4;
        std::memcpy(m.data() + pos, &extremes[gen() % (sizeof(extremes) / 4)], 4);
        break;
      }
      case 2:  // truncated payload
        m.resize(trt::kPlanHeaderSize + gen() % payload);
        break;
      default: {  // bytes inserted or removed in the middle
        size_t pos = at(gen);
        if (gen() % 2)
          m.insert(m.begin() + static_cast<std::ptrdiff_t>(pos), 1 + gen() % 8, static_cast<uint8_t>(gen()));
        else
          m.erase(m.begin() + static_cast<std::ptrdiff_t>(pos),
                  m.begin() + static_cast<std::ptrdiff_t>(std::min(m.size(), pos + 1 + gen() % 8)));
        break;
      }
    }
    reseal(m);
    try {
      std::unique_ptr<trt::ICudaEngine> engine(rt->deserializeCudaEngine(m.data(), m.size()));
      ++loaded;
      runIfSmall(*engine);
    } catch (const trt::Error&) {
      ++refused;
    } catch (const std::exception& e) {
      if (const char* dump = std::getenv("PLAN_FUZZ_DUMP")) {
        FILE* f = std::fopen(dump, "wb");
        std::fwrite(m.data(), 1, m.size(), f);
        std::fclose(f);
      }
      FAIL() << "iteration " << iter << " threw a non-trt::Error exception: " << e.what();
    }
  }
  // Both outcomes occur: mutations in weights still load, mutations in structure are refused.
  EXPECT_GT(loaded, 0);
  EXPECT_GT(refused, iterations / 4);
}

namespace {
std::vector<std::string> corpusFiles() {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(TORCHTRT_PLAN_CORPUS))
    if (entry.path().extension() == ".plan") files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<uint8_t> readFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}
}  // namespace

TEST(PlanFuzz, CheckedInPlansOfEarlierBuildsStillLoadAndRun) {
  // PLAN_CORPUS_WRITE=1 adds this build's rich plan to the corpus (when its format version is new).
  std::vector<std::vector<float>> keep;
  const std::vector<uint8_t> current = richPlan(keep);
  const std::string ours =
      std::string(TORCHTRT_PLAN_CORPUS) + "/rich-v" + std::to_string(trt::kPlanFormatVersion) + ".plan";
  if (std::getenv("PLAN_CORPUS_WRITE")) {
    std::ofstream(ours, std::ios::binary).write(reinterpret_cast<const char*>(current.data()), current.size());
  }
  const auto files = corpusFiles();
  ASSERT_FALSE(files.empty()) << "no plans in " << TORCHTRT_PLAN_CORPUS;
  std::unique_ptr<trt::IRuntime> rt(trt::createInferRuntime(trt::defaultLogger()));
  for (const auto& file : files) {
    const auto bytes = readFile(file);
    std::unique_ptr<trt::ICudaEngine> engine;
    ASSERT_NO_THROW(engine.reset(rt->deserializeCudaEngine(bytes.data(), bytes.size()))) << file;
    // Run on a known input and compare with this build's engine of the same network (output: 12 halves).
    const std::string name = std::filesystem::path(file).stem().string();  // rich-v<version>
    const uint32_t version = static_cast<uint32_t>(std::stoul(name.substr(name.find("-v") + 2)));
    std::vector<std::vector<float>> keepSame;
    const std::vector<uint8_t> same = richPlan(keepSame, version);
    std::vector<float> x = randomVector(72, 80);
    std::unique_ptr<trt::ICudaEngine> fresh(rt->deserializeCudaEngine(same.data(), same.size()));
    std::unique_ptr<trt::IExecutionContext> a(engine->createExecutionContext()), b(fresh->createExecutionContext());
    std::vector<uint16_t> ya(12), yb(12);
    a->setTensorAddress("x", x.data());
    a->setTensorAddress("y", ya.data());
    b->setTensorAddress("x", x.data());
    b->setTensorAddress("y", yb.data());
    a->enqueueV3(nullptr);
    b->enqueueV3(nullptr);
    EXPECT_EQ(ya, yb) << file << " computes differently from this build's plan of the same network";
  }
}

TEST(PlanFuzz, SliceStartOfTheRunTimeSentinelIsRefused) {
  // Found by the plan fuzzer: a slice start of INT64_MIN (the marker of a run-time shape value)
  // skipped the bounds check in an empty dimension and overflowed the kernel's offset arithmetic.
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", trt::DataType::kFLOAT, {2, 3});
  auto* slice = net.addSlice(*x, {0, -77777}, {2, 0}, {1, 1});
  slice->setMode(trt::SampleMode::kFILL);
  EXPECT_THROW(slice->setStart({0, std::numeric_limits<int64_t>::min()}), trt::Error);
  slice->getOutput(0)->setName("y");
  net.markOutput(*slice->getOutput(0));
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
  std::unique_ptr<trt::IHostMemory> mem(builder->buildSerializedNetwork(net, *config));
  const auto* p = static_cast<const uint8_t*>(mem->data());
  std::vector<uint8_t> plan(p, p + mem->size());
  const int64_t marker = -77777, sentinel = std::numeric_limits<int64_t>::min();
  size_t at = 0, found = 0;
  for (size_t i = 0; i + 8 <= plan.size(); ++i)
    if (std::memcmp(plan.data() + i, &marker, 8) == 0) at = i, ++found;
  ASSERT_EQ(found, 1u);
  std::memcpy(plan.data() + at, &sentinel, 8);
  reseal(plan);
  std::unique_ptr<trt::IRuntime> rt(trt::createInferRuntime(trt::defaultLogger()));
  try {
    std::unique_ptr<trt::ICudaEngine> engine(rt->deserializeCudaEngine(plan.data(), plan.size()));
    FAIL() << "a plan with a sentinel slice start loaded";
  } catch (const trt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("start"), std::string::npos) << e.what();
  }
}
