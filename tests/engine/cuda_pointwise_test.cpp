// The CUDA pointwise kernels (elementwise, unary, activation) against the CPU reference, and
// their 16-byte vectorized fast paths against the element-by-element kernels they replace: the
// same network on 16-byte aligned operands (vector path) and on operands one element past a
// 16-byte boundary (scalar path) must give the same bits. Shapes cover same-shape operands, the
// [N, C, 1, 1] / [N, 1, 1, C] / [C] / scalar broadcasts in either operand order, tails shorter
// than a vector and spans that are not whole vectors; float32, float16 and bfloat16.
// Compiled in the CUDA build only; skipped without a GPU.
#include "engine_test_util.h"

#ifdef TORCHTRT_WITH_CUDA
#include <cuda_runtime.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <sstream>

#include "common/half.h"

using namespace trt_test;

namespace {
struct Precision {
  trt::DataType type;
  const char* name;
  float tolerance;  // relative, CUDA's libm against the CPU's, then one rounding to the storage type
};
const Precision kPrecisions[] = {{trt::DataType::kFLOAT, "fp32", 2e-5f},
                                 {trt::DataType::kHALF, "fp16", 2e-3f},
                                 {trt::DataType::kBF16, "bf16", 1.2e-2f}};

size_t elementSize(trt::DataType t) { return t == trt::DataType::kFLOAT ? 4 : 2; }

std::vector<uint8_t> encode(const std::vector<float>& v, trt::DataType t) {
  std::vector<uint8_t> b(v.size() * elementSize(t));
  for (size_t i = 0; i < v.size(); ++i) {
    if (t == trt::DataType::kFLOAT) {
      std::memcpy(b.data() + 4 * i, &v[i], 4);
    } else {
      const uint16_t h = t == trt::DataType::kHALF ? trt::floatToHalf(v[i]) : trt::floatToBf16(v[i]);
      std::memcpy(b.data() + 2 * i, &h, 2);
    }
  }
  return b;
}

std::vector<float> decode(const std::vector<uint8_t>& b, trt::DataType t) {
  std::vector<float> v(b.size() / elementSize(t));
  for (size_t i = 0; i < v.size(); ++i) {
    if (t == trt::DataType::kFLOAT) {
      std::memcpy(&v[i], b.data() + 4 * i, 4);
    } else {
      uint16_t h;
      std::memcpy(&h, b.data() + 2 * i, 2);
      v[i] = t == trt::DataType::kHALF ? trt::halfToFloat(h) : trt::bf16ToFloat(h);
    }
  }
  return v;
}

// Only the precision's flag: a float32 network is not lowered to 16-bit types behind the test's back.
Built buildFor(trt::INetworkDefinition& net, trt::Backend backend, trt::DataType type) {
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
  config->setBackend(backend);
  config->clearFlag(trt::BuilderFlag::kTF32);
  if (type == trt::DataType::kHALF) config->setFlag(trt::BuilderFlag::kFP16);
  if (type == trt::DataType::kBF16) config->setFlag(trt::BuilderFlag::kBF16);
  return build(net, config.get());
}

// Runs the engine on the named inputs (raw bytes); returns output "y" as raw bytes. On CUDA every
// input and the output lie `offsetBytes` past a 256-byte aligned allocation.
std::vector<uint8_t> runRaw(const trt::ICudaEngine& engine, const std::map<std::string, std::vector<uint8_t>>& inputs,
                            size_t offsetBytes) {
  std::unique_ptr<trt::IExecutionContext> ctx(engine.createExecutionContext());
  const size_t outBytes =
      static_cast<size_t>(ctx->getTensorShape("y").volume()) * trt::dataTypeSize(engine.getTensorDataType("y"));
  std::vector<uint8_t> y(outBytes);
  if (engine.getBackend() == trt::Backend::kCPU) {
    std::map<std::string, std::vector<uint8_t>> copies = inputs;
    for (auto& [name, bytes] : copies) ctx->setTensorAddress(name.c_str(), bytes.data());
    ctx->setTensorAddress("y", y.data());
    EXPECT_TRUE(ctx->enqueueV3(nullptr));
    return y;
  }
  std::vector<uint8_t*> buffers;
  for (const auto& [name, bytes] : inputs) {
    uint8_t* d = nullptr;
    EXPECT_EQ(cudaMalloc(&d, bytes.size() + offsetBytes + 16), cudaSuccess);
    EXPECT_EQ(cudaMemcpy(d + offsetBytes, bytes.data(), bytes.size(), cudaMemcpyHostToDevice), cudaSuccess);
    ctx->setTensorAddress(name.c_str(), d + offsetBytes);
    buffers.push_back(d);
  }
  uint8_t* dy = nullptr;
  EXPECT_EQ(cudaMalloc(&dy, outBytes + offsetBytes + 16), cudaSuccess);
  ctx->setTensorAddress("y", dy + offsetBytes);
  buffers.push_back(dy);
  cudaStream_t stream;
  cudaStreamCreate(&stream);
  EXPECT_TRUE(ctx->enqueueV3(stream));
  EXPECT_EQ(cudaMemcpyAsync(y.data(), dy + offsetBytes, outBytes, cudaMemcpyDeviceToHost, stream), cudaSuccess);
  EXPECT_EQ(cudaStreamSynchronize(stream), cudaSuccess);
  cudaStreamDestroy(stream);
  for (uint8_t* b : buffers) cudaFree(b);
  return y;
}

std::string describe(const trt::Dims& d) {
  std::ostringstream s;
  s << "[";
  for (int i = 0; i < d.nbDims; ++i) s << (i ? "," : "") << d.d[i];
  s << "]";
  return s.str();
}

// |actual - expected| <= tol * (1 + |expected|); NaN where NaN is expected, equal infinities.
void expectClose(const std::vector<float>& actual, const std::vector<float>& expected, float tol,
                 const std::string& what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  for (size_t i = 0; i < actual.size(); ++i) {
    const float a = actual[i], e = expected[i];
    if (std::isnan(e))
      ASSERT_TRUE(std::isnan(a)) << what << " at " << i << ": " << a << ", expected NaN";
    else if (std::isinf(e))
      ASSERT_EQ(a, e) << what << " at " << i;
    else
      ASSERT_NEAR(a, e, tol * (1.f + std::fabs(e))) << what << " at " << i;
  }
}

// Builds `make`'s network (inputs named in `inputs`, output "y") for the CPU and CUDA; checks
// CUDA on aligned operands against the CPU, and CUDA on misaligned operands (the scalar kernels)
// against CUDA on aligned ones, bit for bit.
void checkPointwise(const std::function<void(trt::INetworkDefinition&)>& make,
                    const std::map<std::string, std::vector<uint8_t>>& inputs, const Precision& p,
                    const std::string& what) {
  trt::INetworkDefinition net;
  make(net);
  auto cpu = buildFor(net, trt::Backend::kCPU, p.type);
  auto gpu = buildFor(net, trt::Backend::kCUDA, p.type);
  ASSERT_EQ(gpu.engine->getBackend(), trt::Backend::kCUDA);
  const trt::DataType outType = gpu.engine->getTensorDataType("y");
  const auto reference = runRaw(*cpu.engine, inputs, 0);
  const auto aligned = runRaw(*gpu.engine, inputs, 0);
  const auto misaligned = runRaw(*gpu.engine, inputs, elementSize(p.type));
  expectClose(decode(aligned, outType), decode(reference, outType), p.tolerance, what + " " + p.name + " vs the CPU");
  ASSERT_EQ(aligned.size(), misaligned.size());
  for (size_t i = 0; i < aligned.size(); ++i)
    ASSERT_EQ(aligned[i], misaligned[i]) << what << " " << p.name << ": vector and scalar paths differ at byte " << i;
}

struct BinaryCase {
  trt::Dims a, b;
  const char* path;
};

std::vector<BinaryCase> binaryCases() {
  return {
      {{8, 24, 7, 9}, {8, 24, 7, 9}, "same shape"},
      {{3, 5, 7}, {3, 5, 7}, "same shape, a tail shorter than a vector"},
      {{8, 24, 7, 9}, {8, 24, 1, 1}, "SE excitation in NCHW: span 63, inner 1"},
      {{8, 24, 1, 1}, {8, 24, 7, 9}, "SE excitation in NCHW, broadcast operand first"},
      {{4, 16, 4, 32}, {4, 16, 1, 1}, "NCHW, span 128: whole vectors per channel"},
      {{8, 7, 9, 24}, {8, 1, 1, 24}, "SE excitation in NHWC: span 1512, inner 24"},
      {{8, 1, 1, 24}, {8, 7, 9, 24}, "SE excitation in NHWC, broadcast operand first"},
      {{2, 5, 3, 13}, {2, 1, 1, 13}, "NHWC, inner 13 (vectors straddle rows)"},
      {{37, 40}, {40}, "bias over rows (rank broadcast)"},
      {{40}, {37, 40}, "bias first"},
      {{3, 5, 7}, {1, 1, 1}, "scalar"},
      {{6, 10, 12}, {6, 1, 12}, "middle broadcast of a rank-3 tensor"},
      {{6, 10, 12}, {1, 10, 1}, "a pattern the fast path does not take (generic kernel)"},
  };
}
}  // namespace

TEST(CudaPointwise, ElementWiseMatchesTheCpuAndTheScalarKernels) {
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  using Op = trt::ElementWiseOperation;
  const std::pair<Op, const char*> ops[] = {{Op::kSUM, "sum"}, {Op::kPROD, "prod"}, {Op::kSUB, "sub"},
                                            {Op::kDIV, "div"}, {Op::kMAX, "max"},   {Op::kPOW, "pow"}};
  uint32_t seed = 500;
  for (const auto& c : binaryCases()) {
    for (const auto& [op, opName] : ops) {
      for (const Precision& p : kPrecisions) {
        // pow over positive bases; division away from zero.
        const float lo = op == Op::kPOW || op == Op::kDIV ? 0.5f : -2.f;
        const auto a = randomVector(static_cast<size_t>(c.a.volume()), seed++, lo, 2.f);
        const auto b = randomVector(static_cast<size_t>(c.b.volume()), seed++, lo, 2.f);
        const auto make = [&](trt::INetworkDefinition& net) {
          auto* ta = net.addInput("a", p.type, c.a);
          auto* tb = net.addInput("b", p.type, c.b);
          auto* e = net.addElementWise(*ta, *tb, op);
          e->getOutput(0)->setName("y");
          net.markOutput(*e->getOutput(0));
        };
        checkPointwise(make, {{"a", encode(a, p.type)}, {"b", encode(b, p.type)}}, p,
                       std::string(opName) + " " + describe(c.a) + " with " + describe(c.b) + " (" + c.path + ")");
        if (HasFatalFailure()) return;
      }
    }
  }
}

TEST(CudaPointwise, UnaryMatchesTheCpuAndTheScalarKernel) {
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  using Op = trt::UnaryOperation;
  struct UnaryCase {
    Op op;
    const char* name;
    float lo, hi;
  };
  const UnaryCase ops[] = {
      {Op::kEXP, "exp", -4.f, 4.f},     {Op::kLOG, "log", 0.1f, 8.f},     {Op::kSQRT, "sqrt", 0.f, 9.f},
      {Op::kRECIP, "recip", 0.5f, 4.f}, {Op::kABS, "abs", -3.f, 3.f},     {Op::kNEG, "neg", -3.f, 3.f},
      {Op::kSIN, "sin", -3.f, 3.f},     {Op::kATAN, "atan", -3.f, 3.f},   {Op::kERF, "erf", -3.f, 3.f},
      {Op::kSIGN, "sign", -3.f, 3.f},   {Op::kROUND, "round", -9.f, 9.f}, {Op::kFLOOR, "floor", -9.f, 9.f}};
  const trt::Dims shapes[] = {{8, 24, 7, 9}, {3, 5, 7}, {1}};
  uint32_t seed = 700;
  for (const auto& u : ops) {
    for (const auto& dims : shapes) {
      for (const Precision& p : kPrecisions) {
        const auto x = randomVector(static_cast<size_t>(dims.volume()), seed++, u.lo, u.hi);
        const auto make = [&](trt::INetworkDefinition& net) {
          auto* t = net.addInput("x", p.type, dims);
          auto* l = net.addUnary(*t, u.op);
          l->getOutput(0)->setName("y");
          net.markOutput(*l->getOutput(0));
        };
        checkPointwise(make, {{"x", encode(x, p.type)}}, p, std::string(u.name) + " " + describe(dims));
        if (HasFatalFailure()) return;
      }
    }
  }
}

TEST(CudaPointwise, ActivationsMatchTheCpuAndTheScalarKernel) {
  if (!trt_test::gpuVisible()) GTEST_SKIP() << "no CUDA GPU visible";
  using A = trt::ActivationType;
  struct ActivationCase {
    A type;
    const char* name;
    float alpha, beta;
  };
  const ActivationCase acts[] = {{A::kRELU, "relu", 0.f, 0.f},
                                 {A::kSIGMOID, "sigmoid", 0.f, 0.f},
                                 {A::kHARD_SIGMOID, "hard sigmoid (hard-swish's gate)", 1.f / 6.f, 0.5f},
                                 {A::kCLIP, "clip (relu6)", 0.f, 6.f},
                                 {A::kGELU_ERF, "gelu", 0.f, 0.f},
                                 {A::kGELU_TANH, "gelu tanh", 0.f, 0.f},
                                 {A::kSILU, "silu", 0.f, 0.f},
                                 {A::kHARD_SWISH, "hard swish", 0.f, 0.f},
                                 {A::kLEAKY_RELU, "leaky relu", 0.1f, 0.f}};
  const trt::Dims shapes[] = {{8, 24, 7, 9}, {3, 5, 7}};
  uint32_t seed = 900;
  for (const auto& a : acts) {
    for (const auto& dims : shapes) {
      for (const Precision& p : kPrecisions) {
        const auto x = randomVector(static_cast<size_t>(dims.volume()), seed++, -8.f, 8.f);
        const auto make = [&](trt::INetworkDefinition& net) {
          auto* t = net.addInput("x", p.type, dims);
          auto* l = net.addActivation(*t, a.type);
          l->setAlpha(a.alpha);
          l->setBeta(a.beta);
          l->getOutput(0)->setName("y");
          net.markOutput(*l->getOutput(0));
        };
        checkPointwise(make, {{"x", encode(x, p.type)}}, p, std::string(a.name) + " " + describe(dims));
        if (HasFatalFailure()) return;
      }
    }
  }
}

#endif  // TORCHTRT_WITH_CUDA
