// NonZero: data-dependent output sizes. The coordinates against a reference loop (NaN counts, -0.0
// does not), later layers whose shapes follow the count, outputs returned through an output
// allocator, empty results, repeated runs with other counts on one context, the missing-allocator
// error, the plan round trip, and the CUDA backend against the CPU.
#include <cmath>
#include <cstring>
#include <limits>

#include "engine_test_util.h"
#ifdef TORCHTRT_WITH_CUDA
#include <cuda_runtime.h>
#endif

using namespace trt_test;

namespace {
using trt::DataType;
using trt::Dims;

// Keeps what the runtime hands over: host memory (CPU engines) or device memory (CUDA engines).
class RecordingAllocator : public trt::IOutputAllocator {
 public:
  explicit RecordingAllocator(bool device) : device_(device) {}
  ~RecordingAllocator() override { release(); }
  void* reallocateOutput(const char*, void*, uint64_t size, uint64_t) override {
    release();
    bytes = size;
#ifdef TORCHTRT_WITH_CUDA
    if (device_) {
      cudaMalloc(&memory_, size ? size : 1);
      return memory_;
    }
#endif
    memory_ = std::malloc(size ? size : 1);
    return memory_;
  }
  void notifyShape(const char*, const Dims& d) override { dims = d; }
  template <typename T>
  std::vector<T> values() const {
    std::vector<T> v(bytes / sizeof(T));
#ifdef TORCHTRT_WITH_CUDA
    if (device_) {
      cudaDeviceSynchronize();
      cudaMemcpy(v.data(), memory_, bytes, cudaMemcpyDeviceToHost);
      return v;
    }
#endif
    if (bytes) std::memcpy(v.data(), memory_, bytes);
    return v;
  }
  uint64_t bytes = 0;
  Dims dims;

 private:
  void release() {
#ifdef TORCHTRT_WITH_CUDA
    if (device_ && memory_) cudaFree(memory_);
#endif
    if (!device_) std::free(memory_);
    memory_ = nullptr;
  }
  bool device_;
  void* memory_ = nullptr;
};

// "coords": NonZero(x) [2, count]; "picked": the positive elements of x in order (x[x > 0]).
void network(trt::INetworkDefinition& net) {
  trt::ITensor* x = net.addInput("x", DataType::kFLOAT, {3, 4});
  auto* coords = net.addNonZero(*x);
  coords->getOutput(0)->setName("coords");
  net.markOutput(*coords->getOutput(0));
  static const float zero = 0.f;
  auto* z = net.addConstant({}, {DataType::kFLOAT, &zero, 1});
  auto* positive = net.addElementWise(*x, *z->getOutput(0), trt::ElementWiseOperation::kGREATER);
  auto* flat = net.addShuffle(*x);
  flat->setReshapeDimensions({12});
  auto* where = net.addNonZero(*positive->getOutput(0));  // [2, n]: rows and columns
  // Flat index = row * 4 + column, gathered from the flattened x.
  static const int32_t rowIndex = 0, columnIndex = 1;
  auto* r = net.addConstant({}, {DataType::kINT32, &rowIndex, 1});
  auto* c = net.addConstant({}, {DataType::kINT32, &columnIndex, 1});
  auto* rows = net.addGather(*where->getOutput(0), *r->getOutput(0), 0);
  auto* columns = net.addGather(*where->getOutput(0), *c->getOutput(0), 0);
  static const int64_t four = 4;
  auto* width = net.addConstant({}, {DataType::kINT64, &four, 1});
  auto* scaled = net.addElementWise(*rows->getOutput(0), *width->getOutput(0), trt::ElementWiseOperation::kPROD);
  auto* index = net.addElementWise(*scaled->getOutput(0), *columns->getOutput(0), trt::ElementWiseOperation::kSUM);
  auto* picked = net.addGather(*flat->getOutput(0), *index->getOutput(0), 0);
  picked->getOutput(0)->setName("picked");
  net.markOutput(*picked->getOutput(0));
}

std::vector<int64_t> referenceCoords(const std::vector<float>& x, int64_t rows, int64_t cols) {
  std::vector<int64_t> r, c;
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j)
      if (x[i * cols + j] != 0.f) {  // NaN != 0 is true, -0.0 != 0 is false
        r.push_back(i);
        c.push_back(j);
      }
  r.insert(r.end(), c.begin(), c.end());
  return r;
}

std::vector<float> referencePicked(const std::vector<float>& x) {
  std::vector<float> out;
  for (float v : x)
    if (v > 0.f) out.push_back(v);
  return out;
}

void runAndCheck(trt::IExecutionContext& ctx, std::vector<float> x, bool device) {
  RecordingAllocator coords(device), picked(device);
  ctx.setOutputAllocator("coords", &coords);
  ctx.setOutputAllocator("picked", &picked);
  void* bound = x.data();
#ifdef TORCHTRT_WITH_CUDA
  if (device) {
    cudaMalloc(&bound, x.size() * 4);
    cudaMemcpy(bound, x.data(), x.size() * 4, cudaMemcpyHostToDevice);
  }
#endif
  ctx.setTensorAddress("x", bound);
  EXPECT_EQ(ctx.getTensorShape("coords"), (Dims{2, -1}));  // data-dependent: each run decides
  ctx.enqueueV3(nullptr);
  const auto expected = referenceCoords(x, 3, 4);
  const int64_t count = static_cast<int64_t>(expected.size()) / 2;
  EXPECT_EQ(coords.dims, (Dims{2, count}));
  EXPECT_EQ(coords.values<int64_t>(), expected);
  const auto positives = referencePicked(x);
  EXPECT_EQ(picked.dims, (Dims{static_cast<int64_t>(positives.size())}));
  EXPECT_EQ(picked.values<float>(), positives);
  EXPECT_EQ(ctx.getTensorShape("coords"), (Dims{2, -1}));  // the allocator was told the run's shape
#ifdef TORCHTRT_WITH_CUDA
  if (device) cudaFree(bound);
#endif
}

std::vector<float> withSpecialValues() {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  return {0.f, 1.5f, -0.f, nan, -2.f, 0.f, 3.f, 0.f, 0.f, 0.f, 0.25f, -1.f};
}
}  // namespace

TEST(NonZero, CoordinatesAndLaterShapesFollowTheData) {
  trt::INetworkDefinition net;
  network(net);
  EXPECT_EQ(net.getOutput(0)->getDimensions(), (Dims{2, -1}));
  EXPECT_EQ(net.getOutput(1)->getDimensions(), (Dims{-1}));
  Built b = build(net);
  std::unique_ptr<trt::IExecutionContext> ctx(b.engine->createExecutionContext());
  runAndCheck(*ctx, withSpecialValues(), false);
  // The same context again with other counts: all zeros (empty outputs), then all nonzero.
  runAndCheck(*ctx, std::vector<float>(12, 0.f), false);
  runAndCheck(*ctx, randomVector(12, 9, 0.5f, 2.f), false);
  // The plan round trip keeps the layers.
  std::unique_ptr<trt::IHostMemory> again(b.engine->serialize());
  std::unique_ptr<trt::ICudaEngine> reloaded(b.runtime->deserializeCudaEngine(again->data(), again->size()));
  std::unique_ptr<trt::IExecutionContext> ctx2(reloaded->createExecutionContext());
  runAndCheck(*ctx2, randomVector(12, 10), false);
}

TEST(NonZero, DataDependentOutputsNeedAnAllocator) {
  trt::INetworkDefinition net;
  network(net);
  Built b = build(net);
  std::unique_ptr<trt::IExecutionContext> ctx(b.engine->createExecutionContext());
  std::vector<float> x(12, 1.f), y(24);
  ctx->setTensorAddress("x", x.data());
  ctx->setTensorAddress("coords", y.data());
  try {
    ctx->enqueueV3(nullptr);
    FAIL() << "expected an error";
  } catch (const trt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("output 'coords' has a data-dependent shape (2, -1)"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("set an output allocator with IExecutionContext::setOutputAllocator"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(ctx->setOutputAllocator("x", nullptr), trt::Error);  // inputs take no allocator
}

TEST(NonZero, EveryInputTypeCountsLikeTorch) {
  for (DataType type : {DataType::kHALF, DataType::kINT32, DataType::kINT64, DataType::kBOOL}) {
    trt::INetworkDefinition net;
    trt::ITensor* x = net.addInput("x", type, {5});
    auto* nz = net.addNonZero(*x);
    nz->getOutput(0)->setName("coords");
    net.markOutput(*nz->getOutput(0));
    Built b = build(net);
    std::unique_ptr<trt::IExecutionContext> ctx(b.engine->createExecutionContext());
    std::vector<uint8_t> data(5 * trt::dataTypeSize(type), 0);
    // Elements 1 and 3 nonzero; element 4 is -0.0 in half (sign bit only: zero).
    auto set = [&](int i, int64_t v) { std::memcpy(data.data() + i * trt::dataTypeSize(type), &v, 1); };
    set(1, 1);
    set(3, 7);
    if (type == DataType::kHALF) data[4 * 2 + 1] = 0x80;
    RecordingAllocator coords(false);
    ctx->setOutputAllocator("coords", &coords);
    ctx->setTensorAddress("x", data.data());
    ctx->enqueueV3(nullptr);
    EXPECT_EQ(coords.values<int64_t>(), (std::vector<int64_t>{1, 3})) << trt::dataTypeName(type);
  }
}

#ifdef TORCHTRT_WITH_CUDA
TEST(NonZero, CudaMatchesTheCpu) {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess || n == 0) GTEST_SKIP() << "no CUDA GPU visible";
  trt::INetworkDefinition net;
  network(net);
  trt::IBuilderConfig config;
  config.setBackend(trt::Backend::kCUDA);
  Built b = build(net, &config);
  std::unique_ptr<trt::IExecutionContext> ctx(b.engine->createExecutionContext());
  ctx->setCudaGraphMode(true);  // refused quietly: a run that reads a count back is not captured
  runAndCheck(*ctx, withSpecialValues(), true);
  runAndCheck(*ctx, std::vector<float>(12, 0.f), true);
  runAndCheck(*ctx, randomVector(12, 11), true);
  runAndCheck(*ctx, randomVector(12, 11), true);
}
#endif
