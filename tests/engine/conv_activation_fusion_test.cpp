// Activations with parameters fold into the convolution before them with their alpha and beta: MobileNetV2's
// ReLU6 (a clip to [0, 6]), a detector's leaky ReLU. Dense, depthwise and pointwise convolutions (each a
// different kernel on the CUDA backend: cuDNN or im2col, the own depthwise kernel, the cuBLASLt product with
// its epilogue), with and without a residual, on every backend, against sums in double here.
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "engine_test_util.h"

using namespace trt_test;

namespace {
constexpr int64_t N = 2, Cin = 16, H = 6, W = 5;

enum class Shape { kDense3x3, kDepthwise3x3, kPointwise };

const char* shapeName(Shape s) {
  return s == Shape::kDense3x3 ? "dense 3x3" : s == Shape::kDepthwise3x3 ? "depthwise 3x3" : "pointwise";
}

struct Activation {
  trt::ActivationType type;
  float alpha, beta;
  double operator()(double v) const {
    switch (type) {
      case trt::ActivationType::kCLIP:
        return std::fmin(std::fmax(v, alpha), beta);
      case trt::ActivationType::kLEAKY_RELU:
        return v >= 0 ? v : alpha * v;
      case trt::ActivationType::kRELU:
        return std::fmax(v, 0.0);
      default:
        ADD_FAILURE() << "no reference for activation " << static_cast<int>(type);
        return v;
    }
  }
};

// y = act(conv(x) + bias [+ r]) as the network's separate layers: a convolution, an optional residual add, an
// activation layer.
struct ConvThenActivation {
  Shape shape;
  int64_t cout, k, groups, pad;
  std::vector<float> w, b;
  trt::INetworkDefinition net;

  ConvThenActivation(Shape s, Activation act, bool residual)
      : shape(s),
        cout(s == Shape::kPointwise ? 24 : Cin),
        k(s == Shape::kPointwise ? 1 : 3),
        groups(s == Shape::kDepthwise3x3 ? Cin : 1),
        pad(s == Shape::kPointwise ? 0 : 1),
        w(randomVector(static_cast<size_t>(cout * (Cin / groups) * k * k), 811)),
        b(randomVector(static_cast<size_t>(cout), 812)) {
    auto* x = net.addInput("x", trt::DataType::kFLOAT, {N, Cin, H, W});
    auto* conv = net.addConvolutionNd(*x, static_cast<int32_t>(cout), {k, k},
                                      {trt::DataType::kFLOAT, w.data(), static_cast<int64_t>(w.size())},
                                      {trt::DataType::kFLOAT, b.data(), cout});
    conv->setNbGroups(static_cast<int32_t>(groups));
    conv->setPaddingNd({pad, pad});
    trt::ITensor* y = conv->getOutput(0);
    if (residual) {
      auto* r = net.addInput("r", trt::DataType::kFLOAT, {N, cout, H, W});
      y = net.addElementWise(*y, *r, trt::ElementWiseOperation::kSUM)->getOutput(0);
    }
    auto* a = net.addActivation(*y, act.type);
    a->setAlpha(act.alpha);
    a->setBeta(act.beta);
    a->getOutput(0)->setName("y");
    net.markOutput(*a->getOutput(0));
  }

  std::vector<float> expected(const std::vector<float>& x, const std::vector<float>* r, const Activation& act) const {
    const int64_t cinG = Cin / groups, coutG = cout / groups;
    std::vector<float> y(static_cast<size_t>(N * cout * H * W));
    for (int64_t n = 0; n < N; ++n)
      for (int64_t o = 0; o < cout; ++o)
        for (int64_t i = 0; i < H; ++i)
          for (int64_t j = 0; j < W; ++j) {
            double acc = b[static_cast<size_t>(o)];
            const int64_t g = o / coutG;
            for (int64_t c = 0; c < cinG; ++c)
              for (int64_t u = 0; u < k; ++u)
                for (int64_t v = 0; v < k; ++v) {
                  const int64_t ii = i - pad + u, jj = j - pad + v;
                  if (ii < 0 || ii >= H || jj < 0 || jj >= W) continue;
                  acc += static_cast<double>(x[static_cast<size_t>(((n * Cin + g * cinG + c) * H + ii) * W + jj)]) *
                         w[static_cast<size_t>(((o * cinG + c) * k + u) * k + v)];
                }
            const size_t at = static_cast<size_t>(((n * cout + o) * H + i) * W + j);
            if (r) acc += (*r)[at];
            y[at] = static_cast<float>(act(acc));
          }
    return y;
  }
};

// The engine's one convolution (it must be the only layer besides layout transposes).
const trt::IConvolutionLayer* onlyConvolution(const trt::ICudaEngine& engine) {
  const trt::INetworkDefinition& net = engine.network();
  const trt::IConvolutionLayer* conv = nullptr;
  for (int l = 0; l < net.getNbLayers(); ++l) {
    const trt::ILayer* layer = net.getLayer(l);
    EXPECT_NE(layer->getType(), trt::LayerType::kACTIVATION) << engine.describeLayers();
    EXPECT_NE(layer->getType(), trt::LayerType::kELEMENTWISE) << engine.describeLayers();
    if (layer->getType() == trt::LayerType::kCONVOLUTION) conv = static_cast<const trt::IConvolutionLayer*>(layer);
  }
  return conv;
}

struct Config {
  trt::Backend backend;
  bool fp16;
  const char* cpuKernels;  // TORCHTRT_CPU_KERNELS for a CPU build, nullptr: as set
};

std::vector<Config> configs() {
  // The reference kernels, and the kernels the environment chooses (oneDNN's by default; scripts/test.sh's
  // LeakSanitizer run keeps oneDNN, whose threads its tracer cannot follow, out with TORCHTRT_CPU_KERNELS=reference).
  std::vector<Config> all = {{trt::Backend::kCPU, false, "reference"}, {trt::Backend::kCPU, false, nullptr}};
  if (gpuVisible()) {
    all.push_back({trt::Backend::kCUDA, false, nullptr});
    all.push_back({trt::Backend::kCUDA, true, nullptr});  // NHWC: the own depthwise kernel, the cuBLASLt product
  }
  return all;
}

// Sets TORCHTRT_CPU_KERNELS for its life, then restores it.
class CpuKernelsChoice {
 public:
  explicit CpuKernelsChoice(const char* value) {
    if (!value) return;
    const char* previous = std::getenv("TORCHTRT_CPU_KERNELS");
    had_ = previous != nullptr;
    saved_ = previous ? previous : "";
    setenv("TORCHTRT_CPU_KERNELS", value, 1);
    set_ = true;
  }
  ~CpuKernelsChoice() {
    if (!set_) return;
    if (had_)
      setenv("TORCHTRT_CPU_KERNELS", saved_.c_str(), 1);
    else
      unsetenv("TORCHTRT_CPU_KERNELS");
  }
  CpuKernelsChoice(const CpuKernelsChoice&) = delete;
  CpuKernelsChoice& operator=(const CpuKernelsChoice&) = delete;

 private:
  bool set_ = false, had_ = false;
  std::string saved_;
};

void expectFusedAndExact(Shape shape, Activation act, bool residual) {
  const auto x = randomVector(static_cast<size_t>(N * Cin * H * W), 813);
  for (const Config& c : configs()) {
    SCOPED_TRACE(std::string(shapeName(shape)) + (residual ? " + residual" : "") + " on " +
                 trt::backendName(c.backend) + (c.fp16 ? " fp16" : "") + (c.cpuKernels ? c.cpuKernels : ""));
    ConvThenActivation model(shape, act, residual);
    const auto r = randomVector(static_cast<size_t>(N * model.cout * H * W), 814);
    std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
    std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
    config->setBackend(c.backend);
    config->clearFlag(trt::BuilderFlag::kTF32);
    if (c.fp16) config->setFlag(trt::BuilderFlag::kFP16);
    CpuKernelsChoice kernels(c.cpuKernels);
    Built built = build(model.net, config.get());
    const trt::IConvolutionLayer* conv = onlyConvolution(*built.engine);
    ASSERT_NE(conv, nullptr) << built.engine->describeLayers();
    // The plan kept the activation with its parameters.
    EXPECT_EQ(conv->getFusedActivation(), static_cast<int32_t>(act.type));
    EXPECT_EQ(conv->getFusedActivationAlpha(), act.alpha);
    EXPECT_EQ(conv->getFusedActivationBeta(), act.beta);
    std::map<std::string, std::pair<trt::Dims, std::vector<float>>> inputs = {{"x", {trt::Dims{N, Cin, H, W}, x}}};
    if (residual) inputs["r"] = {trt::Dims{N, model.cout, H, W}, r};
    const auto actual = run(*built.engine, inputs).at("y");
    const auto expected = model.expected(x, residual ? &r : nullptr, act);
    const Tolerance tol = toleranceFor(c.fp16 ? trt::DataType::kHALF : trt::DataType::kFLOAT);
    ASSERT_EQ(actual.size(), expected.size());
    int clipped = 0;
    for (size_t i = 0; i < actual.size(); ++i) {
      ASSERT_LE(std::fabs(actual[i] - expected[i]), tol.atol + tol.rtol * std::fabs(expected[i]))
          << "at " << i << ": " << actual[i] << " vs " << expected[i];
      // A clip's bounds are exact: a clipped value is the bound itself, in every precision.
      if (act.type == trt::ActivationType::kCLIP && (expected[i] == act.alpha || expected[i] == act.beta)) {
        EXPECT_EQ(actual[i], expected[i]) << "at " << i;
        ++clipped;
      }
    }
    if (act.type == trt::ActivationType::kCLIP) {
      EXPECT_GT(clipped, 0) << "the bounds must be reached";
    }
  }
}

const Activation kRelu6Like{trt::ActivationType::kCLIP, -0.5f, 0.75f};  // both bounds reached at these values
const Activation kLeakyRelu{trt::ActivationType::kLEAKY_RELU, 0.1f, 0.f};
const Activation kRelu{trt::ActivationType::kRELU, 0.f, 0.f};
}  // namespace

TEST(ConvActivationFusion, AClipFoldsIntoEachKindOfConvolutionWithItsBounds) {
  for (Shape s : {Shape::kDense3x3, Shape::kDepthwise3x3, Shape::kPointwise}) expectFusedAndExact(s, kRelu6Like, false);
}

TEST(ConvActivationFusion, AClipAfterAResidualAddFoldsWithTheResidual) {
  for (Shape s : {Shape::kDense3x3, Shape::kDepthwise3x3, Shape::kPointwise}) expectFusedAndExact(s, kRelu6Like, true);
}

TEST(ConvActivationFusion, ALeakyReluKeepsItsSlope) {
  for (Shape s : {Shape::kDense3x3, Shape::kDepthwise3x3, Shape::kPointwise}) expectFusedAndExact(s, kLeakyRelu, false);
}

TEST(ConvActivationFusion, APointwiseConvolutionsReluRunsInTheProductsEpilogue) {
  // On the CUDA backend in FP16 a channels-last 1x1 convolution is one cuBLASLt product whose epilogue adds the
  // bias and residual and applies the ReLU: the results are the chain's.
  expectFusedAndExact(Shape::kPointwise, kRelu, false);
  expectFusedAndExact(Shape::kPointwise, kRelu, true);
}

TEST(ConvActivationFusion, TheInspectorShowsTheActivationsParameters) {
  ConvThenActivation model(Shape::kDense3x3, kRelu6Like, false);
  Built built = build(model.net);
  const std::string json = built.engine->describeLayersJson();
  EXPECT_NE(json.find("\"activation\":\"clip\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"activation_parameters\":{\"alpha\":-0.5,\"beta\":0.75}"), std::string::npos) << json;
}
