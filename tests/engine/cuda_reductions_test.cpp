// The CUDA reduce, softmax and layer-norm kernels against the CPU reference, path by path: rows
// (warp, block, split over blocks), columns (inner > 1, packed or not, split), the generic
// fallback, odd lengths, misaligned inputs, long rows, NaN, float32 / float16 / bfloat16 and the
// exact integer reductions. Compiled in the CUDA build only; skipped without a GPU.
#include "engine_test_util.h"

#ifdef TORCHTRT_WITH_CUDA
#include <cuda_runtime.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>

using namespace trt_test;

namespace {
enum class Precision { kFP32, kFP16, kBF16 };

const char* precisionName(Precision p) {
  return p == Precision::kFP32 ? "fp32" : p == Precision::kFP16 ? "fp16" : "bf16";
}

// Relative tolerance of a result computed in `p` (FP32 math everywhere): FP32 another summation
// order; FP16 / BF16 one rounding of the output to a neighbouring 16-bit value.
float toleranceOf(Precision p) { return p == Precision::kFP32 ? 1e-4f : p == Precision::kFP16 ? 2e-3f : 1.2e-2f; }

// workspace > 0: the memory pool limit (the kernels' scratch for partial results).
Built buildFor(trt::INetworkDefinition& net, trt::Backend backend, Precision p, size_t workspace = 0) {
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
  config->setBackend(backend);
  if (workspace > 0) config->setMemoryPoolLimit(workspace);
  config->clearFlag(trt::BuilderFlag::kTF32);
  if (p == Precision::kFP16) config->setFlag(trt::BuilderFlag::kFP16);
  if (p == Precision::kBF16) config->setFlag(trt::BuilderFlag::kBF16);
  return build(net, config.get());
}

// Runs input "x" (raw bytes) through the engine, output "y" as raw bytes. On the CUDA backend the
// input lies `offsetBytes` past a 256-byte aligned allocation (misaligned rows when not a multiple
// of 16).
std::vector<uint8_t> runRaw(const trt::ICudaEngine& engine, const trt::Dims& dims, const std::vector<uint8_t>& x,
                            size_t offsetBytes = 0) {
  std::unique_ptr<trt::IExecutionContext> ctx(engine.createExecutionContext());
  ctx->setInputShape("x", dims);
  const size_t outBytes =
      static_cast<size_t>(ctx->getTensorShape("y").volume()) * trt::dataTypeSize(engine.getTensorDataType("y"));
  std::vector<uint8_t> y(outBytes);
  if (engine.getBackend() == trt::Backend::kCPU) {
    std::vector<uint8_t> in = x;
    ctx->setTensorAddress("x", in.data());
    ctx->setTensorAddress("y", y.data());
    ctx->enqueueV3(nullptr);
    return y;
  }
  uint8_t *dx = nullptr, *dy = nullptr;
  EXPECT_EQ(cudaMalloc(&dx, x.size() + offsetBytes + 1), cudaSuccess);
  EXPECT_EQ(cudaMalloc(&dy, outBytes + 1), cudaSuccess);
  EXPECT_EQ(cudaMemcpy(dx + offsetBytes, x.data(), x.size(), cudaMemcpyHostToDevice), cudaSuccess);
  ctx->setTensorAddress("x", dx + offsetBytes);
  ctx->setTensorAddress("y", dy);
  cudaStream_t stream;
  cudaStreamCreate(&stream);
  ctx->enqueueV3(stream);
  EXPECT_EQ(cudaMemcpyAsync(y.data(), dy, outBytes, cudaMemcpyDeviceToHost, stream), cudaSuccess);
  EXPECT_EQ(cudaStreamSynchronize(stream), cudaSuccess);
  cudaStreamDestroy(stream);
  cudaFree(dx);
  cudaFree(dy);
  return y;
}

std::vector<uint8_t> bytesOf(const std::vector<float>& v) {
  std::vector<uint8_t> b(v.size() * 4);
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}
std::vector<float> floatsOf(const std::vector<uint8_t>& b) {
  std::vector<float> v(b.size() / 4);
  std::memcpy(v.data(), b.data(), b.size());
  return v;
}

// |actual - expected| <= tol * (1 + |expected|), NaN where NaN is expected, equal infinities.
void expectClose(const std::vector<float>& actual, const std::vector<float>& expected, float tol,
                 const std::string& what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  for (size_t i = 0; i < actual.size(); ++i) {
    const float a = actual[i], e = expected[i];
    if (std::isnan(e)) {
      ASSERT_TRUE(std::isnan(a)) << what << " at " << i << ": " << a << ", expected NaN";
    } else if (std::isinf(e)) {
      ASSERT_EQ(a, e) << what << " at " << i;
    } else {
      ASSERT_NEAR(a, e, tol * (1.f + std::fabs(e))) << what << " at " << i;
    }
  }
}

// The network's output on the CPU (in precision p) and on CUDA (p; the input `offsetBytes` off).
struct Compared {
  std::vector<float> cpu, cuda;
};
Compared runBoth(trt::INetworkDefinition& net, const trt::Dims& dims, const std::vector<float>& x, Precision p,
                 size_t offsetBytes = 0, size_t workspace = 0) {
  auto cpu = buildFor(net, trt::Backend::kCPU, p);
  auto gpu = buildFor(net, trt::Backend::kCUDA, p, workspace);
  EXPECT_EQ(gpu.engine->getBackend(), trt::Backend::kCUDA);
  return {floatsOf(runRaw(*cpu.engine, dims, bytesOf(x))),
          floatsOf(runRaw(*gpu.engine, dims, bytesOf(x), offsetBytes))};
}

std::string describe(const trt::Dims& d) {
  std::ostringstream s;
  s << "[";
  for (int i = 0; i < d.nbDims; ++i) s << (i ? "," : "") << d.d[i];
  s << "]";
  return s.str();
}

struct ReduceCase {
  trt::Dims dims;
  uint32_t axes;
  const char* path;
};

// Every path of the reduce launcher (see reduce_softmax.cu).
std::vector<ReduceCase> reduceCases() {
  return {
      {{37, 13}, 0b10, "warp rows, odd length"},
      {{6, 64}, 0b10, "warp rows, whole packs"},
      {{301, 49}, 0b10, "several short rows per warp (7x7 global pool), the last warp part-filled"},
      {{33, 1}, 0b10, "reduced dim of 1: one-element rows, 4 lanes each"},
      {{5, 3000}, 0b10, "block rows (FP32), warp rows (16-bit)"},
      {{3, 9001}, 0b10, "block rows, odd length"},
      {{2, 300001}, 0b10, "rows split over blocks"},
      {{64, 1000}, 0b11, "full reduction, split"},
      {{1}, 0b1, "one element"},
      {{4, 15, 17, 40}, 0b0110, "NHWC spatial mean: inner 40"},
      {{3, 50, 7}, 0b010, "inner 7: scalar columns"},
      {{2, 5000, 24}, 0b010, "inner 24 split over blocks"},
      {{2, 9000, 3}, 0b010, "inner 3 split over blocks"},
      {{6, 2049}, 0b01, "axis 0: inner 2049"},
      {{2, 1, 30, 1, 5}, 0b01110, "size-1 dims merged"},
      {{4, 6, 5}, 0b101, "generic: reduced axes apart"},
      {{3, 4, 5, 6}, 0b1010, "generic: two reduced groups"},
  };
}

trt::Dims reducedDims(const trt::Dims& d, uint32_t axes, bool keep) {
  trt::Dims out;
  out.nbDims = 0;
  for (int i = 0; i < d.nbDims; ++i)
    if (!((axes >> i) & 1u) || keep) out.d[out.nbDims++] = ((axes >> i) & 1u) ? 1 : d.d[i];
  return out;
}

void makeReduce(trt::INetworkDefinition& net, trt::DataType type, const trt::Dims& dims, trt::ReduceOperation op,
                uint32_t axes, bool keep) {
  auto* x = net.addInput("x", type, dims);
  auto* r = net.addReduce(*x, op, axes, keep);
  r->getOutput(0)->setName("y");
  net.markOutput(*r->getOutput(0));
}
}  // namespace

TEST(CudaReductions, ReduceMatchesTheCpuOnEveryPathAndPrecision) {
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  using Op = trt::ReduceOperation;
  const std::pair<Op, const char*> ops[] = {
      {Op::kSUM, "sum"}, {Op::kAVG, "avg"}, {Op::kMAX, "max"}, {Op::kMIN, "min"}, {Op::kPROD, "prod"}};
  for (const auto& c : reduceCases()) {
    for (const auto& [op, opName] : ops) {
      // Products of values near 1 (no overflow in any order); the others over [-1, 1].
      const bool prod = op == Op::kPROD;
      const auto x = randomVector(static_cast<size_t>(c.dims.volume()), 200, prod ? 0.9f : -1.f, prod ? 1.1f : 1.f);
      for (Precision p : {Precision::kFP32, Precision::kFP16, Precision::kBF16}) {
        // FP32 also with the input one element past a 16-byte boundary (the head of each row).
        for (size_t offset : p == Precision::kFP32 ? std::vector<size_t>{0, 4} : std::vector<size_t>{0}) {
          const bool keep = (c.dims.nbDims + static_cast<int>(offset)) % 2 == 0;
          trt::INetworkDefinition net;
          makeReduce(net, trt::DataType::kFLOAT, c.dims, op, c.axes, keep);
          const auto r = runBoth(net, c.dims, x, p, offset);
          EXPECT_EQ(r.cuda.size(), static_cast<size_t>(reducedDims(c.dims, c.axes, keep).volume()));
          expectClose(r.cuda, r.cpu, toleranceOf(p),
                      std::string(opName) + " " + describe(c.dims) + " axes " + std::to_string(c.axes) + " (" + c.path +
                          ") " + precisionName(p) + " offset " + std::to_string(offset));
        }
      }
    }
  }
}

TEST(CudaReductions, SplitSumsAreDeterministic) {
  // Partials over several blocks are combined in a fixed order: the same bits on every run.
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  for (const trt::Dims& dims : {trt::Dims{2, 300001}, trt::Dims{2, 5000, 24}}) {
    trt::INetworkDefinition net;
    makeReduce(net, trt::DataType::kFLOAT, dims, trt::ReduceOperation::kSUM, 0b10, false);
    const auto gpu = buildFor(net, trt::Backend::kCUDA, Precision::kFP32);
    const auto x = bytesOf(randomVector(static_cast<size_t>(dims.volume()), 201));
    const auto first = runRaw(*gpu.engine, dims, x);
    for (int run = 0; run < 3; ++run) EXPECT_EQ(runRaw(*gpu.engine, dims, x), first) << describe(dims);
  }
}

TEST(CudaReductions, MaxAndMinKeepNaN) {
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  for (const auto& c : reduceCases()) {
    auto x = randomVector(static_cast<size_t>(c.dims.volume()), 202);
    // A NaN in about one output of three (first, middle and last elements of the input included).
    for (size_t i = 0; i < x.size(); i += std::max<size_t>(1, x.size() / 7)) x[i] = std::nanf("");
    x.back() = std::nanf("");
    for (auto op : {trt::ReduceOperation::kMAX, trt::ReduceOperation::kMIN})
      for (Precision p : {Precision::kFP32, Precision::kFP16}) {
        trt::INetworkDefinition net;
        makeReduce(net, trt::DataType::kFLOAT, c.dims, op, c.axes, true);
        const auto r = runBoth(net, c.dims, x, p);
        expectClose(r.cuda, r.cpu, toleranceOf(p),
                    std::string(op == trt::ReduceOperation::kMAX ? "max " : "min ") + describe(c.dims) + " (" + c.path +
                        ") " + precisionName(p));
      }
  }
}

TEST(CudaReductions, IntegerReductionsAreExactAndWrap) {
  // int32 and int64 inputs accumulate in int64: sums and products wrap as PyTorch's int64
  // arithmetic, int32 outputs keep the low 32 bits; max and min of the type's full range.
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  using Op = trt::ReduceOperation;
  for (const auto& c : reduceCases()) {
    for (trt::DataType type : {trt::DataType::kINT32, trt::DataType::kINT64}) {
      for (Op op : {Op::kSUM, Op::kPROD, Op::kMAX, Op::kMIN}) {
        const size_t n = static_cast<size_t>(c.dims.volume()), elem = trt::dataTypeSize(type);
        std::mt19937_64 gen(203);
        std::vector<uint8_t> x(n * elem);
        for (size_t i = 0; i < n; ++i) {
          // Products of odd factors -3, -1, 1, 3 (wrapping after ~40 of them, never to 0); sums and
          // extrema of large values.
          const int64_t v = op == Op::kPROD ? 2 * static_cast<int64_t>(gen() % 4) - 3
                            : type == trt::DataType::kINT64
                                ? static_cast<int64_t>(gen())
                                : static_cast<int64_t>(static_cast<int32_t>(static_cast<uint32_t>(gen())));
          if (type == trt::DataType::kINT64) {
            std::memcpy(x.data() + i * elem, &v, 8);
          } else {
            const int32_t v32 = static_cast<int32_t>(v);
            std::memcpy(x.data() + i * elem, &v32, 4);
          }
        }
        trt::INetworkDefinition net;
        makeReduce(net, type, c.dims, op, c.axes, false);
        auto cpu = buildFor(net, trt::Backend::kCPU, Precision::kFP32);
        auto gpu = buildFor(net, trt::Backend::kCUDA, Precision::kFP32);
        EXPECT_EQ(runRaw(*gpu.engine, c.dims, x), runRaw(*cpu.engine, c.dims, x))
            << trt::dataTypeName(type) << " op " << static_cast<int>(op) << " " << describe(c.dims) << " (" << c.path
            << ")";
      }
    }
  }
}

namespace {
enum class MaskKind { kNone, kAlongRow, kPerRow };

// softmax(x + mask) over `axis`; the mask a constant [d0, 1, ..., len] (along the row, broadcast
// over the middle dims) or [d0, ..., 1] (one value per row), with -inf entries (masked positions)
// and, when `maskedRow`, one row masked entirely (NaN, as on the CPU).
void makeSoftmax(trt::INetworkDefinition& net, const trt::Dims& dims, int axis, MaskKind mask, bool maskedRow,
                 std::vector<float>& keep) {
  auto* x = net.addInput("x", trt::DataType::kFLOAT, dims);
  trt::ITensor* in = x;
  if (mask != MaskKind::kNone) {
    trt::Dims md = dims;
    for (int i = 1; i < dims.nbDims; ++i)
      if (mask == MaskKind::kAlongRow ? i != axis : i == axis) md.d[i] = 1;
    keep = randomVector(static_cast<size_t>(md.volume()), 210, -2.f, 2.f);
    for (size_t i = 3; i < keep.size(); i += 7) keep[i] = -std::numeric_limits<float>::infinity();
    if (maskedRow && mask == MaskKind::kPerRow) keep[0] = -std::numeric_limits<float>::infinity();
    auto* m = net.addConstant(md, {trt::DataType::kFLOAT, keep.data(), static_cast<int64_t>(keep.size())});
    in = net.addElementWise(*x, *m->getOutput(0), trt::ElementWiseOperation::kSUM)->getOutput(0);
  }
  auto* sm = net.addSoftMax(*in);
  sm->setAxes(1u << axis);
  sm->getOutput(0)->setName("y");
  net.markOutput(*sm->getOutput(0));
}
}  // namespace

TEST(CudaReductions, SoftmaxMatchesTheCpuOnEveryPathAndPrecision) {
  // The last axis: warp rows held in registers (<= 1024, packed or not), block rows (longer, packed
  // or not); another axis: columns. Each without a mask, with a mask along the row and with one
  // value per row (one row masked entirely); FP32 also misaligned.
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  struct Case {
    trt::Dims dims;
    int axis;
  };
  std::vector<Case> cases;
  for (int64_t len : {5, 32, 100, 128, 768, 1000, 1024, 1500, 4099, 20000}) cases.push_back({{3, 2, len}, 2});
  cases.push_back({{3, 200, 33}, 1});
  cases.push_back({{4, 7, 2}, 1});
  cases.push_back({{300, 5}, 0});
  for (const auto& c : cases) {
    for (MaskKind mask : {MaskKind::kNone, MaskKind::kAlongRow, MaskKind::kPerRow}) {
      const auto x = randomVector(static_cast<size_t>(c.dims.volume()), 211, -4.f, 4.f);
      for (Precision p : {Precision::kFP32, Precision::kFP16, Precision::kBF16}) {
        for (size_t offset : p == Precision::kFP32 ? std::vector<size_t>{0, 4} : std::vector<size_t>{0}) {
          std::vector<float> keep;
          trt::INetworkDefinition net;
          makeSoftmax(net, c.dims, c.axis, mask, offset == 0, keep);
          const auto r = runBoth(net, c.dims, x, p, offset);
          expectClose(r.cuda, r.cpu, p == Precision::kFP32 ? 1e-5f : toleranceOf(p),
                      "softmax " + describe(c.dims) + " axis " + std::to_string(c.axis) + " mask " +
                          std::to_string(static_cast<int>(mask)) + " " + precisionName(p) + " offset " +
                          std::to_string(offset));
        }
      }
    }
  }
}

TEST(CudaReductions, LayerNormMatchesTheCpuOnEveryPathAndPrecision) {
  // Rows in registers: a warp per row (packed, up to 1024 floats / 2048 halves; unpacked up to
  // 256), a block per row (packed up to 8192 floats / 16384 halves, unpacked up to 2048), and
  // longer rows split into segments over several blocks; with and without the fused residual add, per-element and
  // scalar scale and bias; FP32 also misaligned (the unpacked kernels).
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  struct Case {
    trt::Dims dims;
    uint32_t axes;
  };
  std::vector<Case> cases;
  for (int64_t len : {33, 256, 768, 1000, 1024, 2048, 3000, 4096, 5000, 16384, 20000, 100003})
    cases.push_back({{5, len}, 0b10});
  cases.push_back({{4, 6, 10, 12}, 0b1100});
  for (const auto& c : cases) {
    int64_t len = 1;
    for (int i = 0; i < c.dims.nbDims; ++i)
      if ((c.axes >> i) & 1u) len *= c.dims.d[i];
    trt::Dims paramDims;
    paramDims.nbDims = 0;
    for (int i = 0; i < c.dims.nbDims; ++i)
      if ((c.axes >> i) & 1u) paramDims.d[paramDims.nbDims++] = c.dims.d[i];
    const auto gamma = randomVector(static_cast<size_t>(len), 220, 0.5f, 1.5f);
    const auto beta = randomVector(static_cast<size_t>(len), 221);
    const auto residual = randomVector(static_cast<size_t>(c.dims.volume()), 222);
    const auto x = randomVector(static_cast<size_t>(c.dims.volume()), 223, -3.f, 5.f);
    for (bool fused : {true, false}) {
      for (Precision p : {Precision::kFP32, Precision::kFP16, Precision::kBF16}) {
        for (size_t offset : p == Precision::kFP32 ? std::vector<size_t>{0, 4} : std::vector<size_t>{0}) {
          trt::INetworkDefinition net;
          auto* xi = net.addInput("x", trt::DataType::kFLOAT, c.dims);
          trt::ITensor* in = xi;
          if (fused) {
            auto* r = net.addConstant(c.dims, {trt::DataType::kFLOAT, residual.data(), c.dims.volume()});
            in = net.addElementWise(*xi, *r->getOutput(0), trt::ElementWiseOperation::kSUM)->getOutput(0);
          }
          // Fused: per-element scale and bias; else a scalar scale and a per-element bias.
          auto* g = fused ? net.addConstant(paramDims, {trt::DataType::kFLOAT, gamma.data(), len})
                          : net.addConstant({}, {trt::DataType::kFLOAT, gamma.data(), 1});
          auto* b = net.addConstant(paramDims, {trt::DataType::kFLOAT, beta.data(), len});
          auto* norm = net.addNormalization(*in, *g->getOutput(0), *b->getOutput(0), c.axes);
          norm->setEpsilon(1e-5f);
          norm->getOutput(0)->setName("y");
          net.markOutput(*norm->getOutput(0));
          const auto r = runBoth(net, c.dims, x, p, offset);
          // Outputs of magnitude ~3: FP16 / BF16 round them to 2^-10 / 2^-7 of that.
          expectClose(r.cuda, r.cpu, p == Precision::kFP32 ? 1e-5f : 2 * toleranceOf(p),
                      "layer norm " + describe(c.dims) + (fused ? " fused residual " : " ") + precisionName(p) +
                          " offset " + std::to_string(offset));
        }
      }
    }
  }
}

TEST(CudaReductions, WithoutWorkspaceLongReductionsRunUnsplit) {
  // A workspace limit too small for the partial results: long reductions run one block per row
  // (reduce) and the three-pass row kernel (layer norm), with the same results.
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  const size_t tiny = 16;
  for (const auto& c : {ReduceCase{{2, 300001}, 0b10, "rows"}, ReduceCase{{2, 5000, 24}, 0b010, "columns"},
                        ReduceCase{{64, 1000}, 0b11, "full"}}) {
    const auto x = randomVector(static_cast<size_t>(c.dims.volume()), 230);
    trt::INetworkDefinition net;
    makeReduce(net, trt::DataType::kFLOAT, c.dims, trt::ReduceOperation::kAVG, c.axes, false);
    const auto r = runBoth(net, c.dims, x, Precision::kFP32, 0, tiny);
    expectClose(r.cuda, r.cpu, 1e-4f, std::string("unsplit avg ") + describe(c.dims) + " (" + c.path + ")");
  }
  for (int64_t len : {20000, 100003}) {
    const trt::Dims dims{3, len};
    const auto gamma = randomVector(static_cast<size_t>(len), 231, 0.5f, 1.5f), beta = randomVector(len, 232);
    trt::INetworkDefinition net;
    auto* x = net.addInput("x", trt::DataType::kFLOAT, dims);
    auto* g = net.addConstant({len}, {trt::DataType::kFLOAT, gamma.data(), len});
    auto* b = net.addConstant({len}, {trt::DataType::kFLOAT, beta.data(), len});
    auto* norm = net.addNormalization(*x, *g->getOutput(0), *b->getOutput(0), 0b10);
    norm->getOutput(0)->setName("y");
    net.markOutput(*norm->getOutput(0));
    const auto xv = randomVector(static_cast<size_t>(dims.volume()), 233, -3.f, 5.f);
    for (Precision p : {Precision::kFP32, Precision::kFP16}) {
      const auto r = runBoth(net, dims, xv, p, 0, tiny);
      expectClose(r.cuda, r.cpu, p == Precision::kFP32 ? 1e-5f : 2 * toleranceOf(p),
                  "unsplit layer norm " + describe(dims) + " " + precisionName(p));
    }
  }
}

#endif  // TORCHTRT_WITH_CUDA
