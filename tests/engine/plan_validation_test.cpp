// Plans holding layer parameters the network's setters refuse (issue 28): each must be refused while
// loading, with an error naming the layer, the field and its byte offset, and never reach shape
// inference or a kernel (a pooling stride of 0 once killed the loading process with SIGFPE).
//
// The hostile parameters are written by a stand-in layer that reports the real kind and writes raw
// parameter bytes, so the plan is well formed (sizes and CRCs valid) and only the values are wrong.
// For every kind the same encoder with valid values must load, which shows the encoding is right.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "network/network_impl.h"
#include "plan/plan.h"
#include "plan/plan_io.h"
#include "trt/runtime.h"

namespace {

using trt::DataType;
using trt::Dims;
using trt::LayerType;

class RawLayer : public trt::LayerImpl<trt::ILayer> {
 public:
  RawLayer(LayerType kind, std::vector<uint8_t> params, trt::TensorDesc out)
      : trt::LayerImpl<trt::ILayer>(kind), params_(std::move(params)), out_(std::move(out)) {}
  std::vector<trt::TensorDesc> inferOutputs(const std::vector<trt::TensorDesc>&) const override { return {out_}; }
  void writeParams(trt::PlanWriter& w) const override { w.raw(params_.data(), params_.size()); }
  void readParams(trt::PlanReader&) override {}

 private:
  std::vector<uint8_t> params_;
  trt::TensorDesc out_;
};

struct InputSpec {
  const char* name;
  Dims dims;
};

// A plan of one layer of `kind` named "hostile" over float32 inputs, with `params` as its parameters.
std::vector<uint8_t> planWith(LayerType kind, trt::PlanWriter params, const std::vector<InputSpec>& inputs,
                              const Dims& outDims) {
  trt::INetworkDefinition net;
  std::vector<trt::ITensor*> in;
  for (const auto& i : inputs) in.push_back(net.addInput(i.name, DataType::kFLOAT, i.dims));
  trt::ILayer* layer =
      &trt::NetworkState::of(net)
           .adoptLayer(net, std::make_unique<RawLayer>(kind, std::move(params.bytes()), trt::TensorDesc{outDims}), in,
                       1)
           .api();
  layer->setName("hostile");
  layer->getOutput(0)->setName("y");
  net.markOutput(*layer->getOutput(0));
  trt::PlanContents contents;
  return trt::writePlan(net, contents);
}

// Loads `plan` and returns the error, or "" when it loads.
std::string loadError(const std::vector<uint8_t>& plan) {
  try {
    trt::readPlan(plan.data(), plan.size());
    return "";
  } catch (const trt::Error& e) {
    return e.what();
  }
}

// The plan must be refused naming `field`, the layer and a byte offset.
void expectRefused(const std::vector<uint8_t>& plan, const std::string& field, const std::string& kind) {
  const std::string e = loadError(plan);
  ASSERT_FALSE(e.empty()) << "a plan with a bad " << field << " loaded";
  EXPECT_NE(e.find("field '" + field + "'"), std::string::npos) << e;
  EXPECT_NE(e.find("'hostile' (" + kind + ")"), std::string::npos) << e;
  EXPECT_NE(e.find(" at byte "), std::string::npos) << e;
}

void expectLoads(const std::vector<uint8_t>& plan) { EXPECT_EQ(loadError(plan), "") << "the valid control plan"; }

Dims d2(int64_t a, int64_t b) { return Dims{a, b}; }

void floats(trt::PlanWriter& w, const std::vector<float>& v) { w.blob(v.data(), v.size() * sizeof(float)); }

// Convolution parameters (plan format 5+): a 2-D convolution of one map over [1, 1, 4, 4].
struct Conv {
  Dims kernel = d2(2, 2), stride = d2(1, 1), pre = d2(0, 0), post = d2(0, 0), dilation = d2(1, 1);
  int32_t maps = 1, groups = 1, fused = -1;
  std::vector<uint8_t> plan(LayerType kind = LayerType::kCONVOLUTION) const {
    trt::PlanWriter w;
    w.i32(maps);
    w.dims(kernel);
    w.dims(stride);
    w.dims(pre);
    w.dims(post);
    w.dims(dilation);
    w.i32(groups);
    if (kind == LayerType::kCONVOLUTION) w.i32(fused);
    floats(w, std::vector<float>(static_cast<size_t>(std::max<int64_t>(kernel.volume(), 0)), 1.f));
    floats(w, {});
    if (kind == LayerType::kCONVOLUTION) {
      w.u8(0);   // channels_last
      w.f32(0);  // int8_input_scale: not INT8
      w.u64(0);  // int8_weight_scales: none
    }
    return planWith(kind, w, {{"x", Dims{1, 1, 4, 4}}}, Dims{1, 1, 3, 3});
  }
};

TEST(PlanValidation, ConvolutionParametersTheSettersRefuseAreRefusedWithFieldAndOffset) {
  expectLoads(Conv{}.plan());
  expectLoads(Conv{}.plan(LayerType::kDECONVOLUTION));
  for (LayerType kind : {LayerType::kCONVOLUTION, LayerType::kDECONVOLUTION}) {
    const std::string name = kind == LayerType::kCONVOLUTION ? "Convolution" : "Deconvolution";
    SCOPED_TRACE(name);
    Conv c;
    c.stride = d2(0, 1);  // was SIGFPE while loading
    expectRefused(c.plan(kind), "stride", name);
    c = Conv{};
    c.dilation = d2(0, 1);
    expectRefused(c.plan(kind), "dilation", name);
    c.dilation = d2(-1, 1);
    expectRefused(c.plan(kind), "dilation", name);
    c = Conv{};
    c.kernel = d2(0, 0);
    expectRefused(c.plan(kind), "kernel_size", name);
    c = Conv{};
    c.pre = d2(-1, 0);
    expectRefused(c.plan(kind), "pre_padding", name);
    c = Conv{};
    c.groups = 0;
    expectRefused(c.plan(kind), "groups", name);
  }
  Conv c;
  c.post = d2(0, -1);  // a deconvolution's output grows there; a convolution has no such thing
  expectRefused(c.plan(), "post_padding", "Convolution");
  c.stride = d2(2, 2);  // output padding below the stride, as PyTorch requires
  expectLoads(c.plan(LayerType::kDECONVOLUTION));
  c = Conv{};
  c.fused = 99;
  expectRefused(c.plan(), "fused_activation", "Convolution");
}

// Pooling parameters (format 4+): a 2x2 max pooling of [1, 1, 4, 4].
struct Pool {
  Dims window = d2(2, 2), stride = d2(2, 2), pre = d2(0, 0), post = d2(0, 0);
  int32_t type = 0, mode = 0;
  std::vector<uint8_t> plan() const {
    trt::PlanWriter w;
    w.i32(type);
    w.dims(window);
    w.dims(stride);
    w.dims(pre);
    w.dims(post);
    w.i32(mode);
    w.u8(1);  // average_count_excludes_padding
    w.u8(0);  // channels_last
    return planWith(LayerType::kPOOLING, w, {{"x", Dims{1, 1, 4, 4}}}, Dims{1, 1, 2, 2});
  }
};

TEST(PlanValidation, PoolingParametersTheSettersRefuseAreRefusedWithFieldAndOffset) {
  expectLoads(Pool{}.plan());
  Pool p;
  p.stride = d2(0, 2);  // was SIGFPE while loading
  expectRefused(p.plan(), "stride", "Pooling");
  p = Pool{};
  p.window = d2(0, 2);
  expectRefused(p.plan(), "window_size", "Pooling");
  p = Pool{};
  p.pre = d2(-1, 0);
  expectRefused(p.plan(), "pre_padding", "Pooling");
  p = Pool{};
  p.post = d2(0, -3);
  expectRefused(p.plan(), "post_padding", "Pooling");
  p = Pool{};
  p.mode = 9;
  expectRefused(p.plan(), "padding_mode", "Pooling");
}

TEST(PlanValidation, ZeroPoolingStrideIsRefusedThroughTheRuntimeToo) {
  Pool p;
  p.stride = d2(2, 0);
  const std::vector<uint8_t> plan = p.plan();
  std::unique_ptr<trt::IRuntime> rt(trt::createInferRuntime(trt::defaultLogger()));
  EXPECT_THROW(std::unique_ptr<trt::ICudaEngine>(rt->deserializeCudaEngine(plan.data(), plan.size())), trt::Error);
}

// Slice parameters (format 2+) of [4, 4]: start, size, stride, sample mode, fill value.
std::vector<uint8_t> slicePlan(Dims stride, int32_t mode = 0) {
  trt::PlanWriter w;
  w.dims(d2(0, 0));
  w.dims(d2(2, 2));
  w.dims(stride);
  w.u32(static_cast<uint32_t>(mode));
  w.f64(0.0);
  return planWith(LayerType::kSLICE, w, {{"x", d2(4, 4)}}, d2(2, 2));
}

TEST(PlanValidation, SliceStrideZeroAndUnknownModesAreRefused) {
  expectLoads(slicePlan(d2(1, 2)));
  expectLoads(slicePlan(d2(1, 1), 1));
  expectRefused(slicePlan(d2(0, 1)), "stride", "Slice");
  expectRefused(slicePlan(d2(1, 1), 77), "sample_mode", "Slice");
}

// Normalization parameters: axes mask, epsilon; inputs x [2, 4], scale and bias [1, 4].
std::vector<uint8_t> normalizationPlan(float epsilon) {
  trt::PlanWriter w;
  w.u32(2);  // the last axis: a layer norm
  w.f32(epsilon);
  return planWith(LayerType::kNORMALIZATION, w, {{"x", d2(2, 4)}, {"scale", d2(1, 4)}, {"bias", d2(1, 4)}}, d2(2, 4));
}

TEST(PlanValidation, InfiniteOrNaNEpsilonIsRefused) {
  expectLoads(normalizationPlan(1e-5f));
  expectRefused(normalizationPlan(std::numeric_limits<float>::infinity()), "epsilon", "Normalization");
  expectRefused(normalizationPlan(std::nanf("")), "epsilon", "Normalization");
  expectRefused(normalizationPlan(-1.f), "epsilon", "Normalization");
}

// Resize parameters: output dims, mode, coordinate transformation, ratios; [1, 1, 2, 2] to [1, 1, 4, 4].
std::vector<uint8_t> resizePlan(double ratio, Dims out = Dims{1, 1, 4, 4}, int32_t mode = 1) {
  trt::PlanWriter w;
  w.dims(out);
  w.i32(mode);
  w.i32(0);
  w.u32(4);
  for (double r : {0.0, 0.0, ratio, ratio}) w.f64(r);
  return planWith(LayerType::kRESIZE, w, {{"x", Dims{1, 1, 2, 2}}}, Dims{1, 1, 4, 4});
}

TEST(PlanValidation, InfiniteOrHugeResizeRatiosAreRefused) {
  expectLoads(resizePlan(0.5));
  expectRefused(resizePlan(std::numeric_limits<double>::infinity()), "ratio", "Resize");
  expectRefused(resizePlan(1e30), "ratio", "Resize");
  expectRefused(resizePlan(std::nan("")), "ratio", "Resize");
  expectRefused(resizePlan(0.5, Dims{1, 1, -1, 4}), "output_dims", "Resize");
  expectRefused(resizePlan(0.5, Dims{1, 1, 4, 4}, 5), "resize_mode", "Resize");
}

// Shuffle parameters: two permutations, has_reshape, reshape dims, zero_is_placeholder; [2, 3] to [3, 2].
std::vector<uint8_t> shufflePlan(Dims reshape, int32_t firstEntry = 0) {
  trt::PlanWriter w;
  for (int i = 0; i < 8; ++i) w.i32(i == 0 ? firstEntry : i);
  for (int i = 0; i < 8; ++i) w.i32(i);
  w.u8(1);
  w.dims(reshape);
  w.u8(1);
  return planWith(LayerType::kSHUFFLE, w, {{"x", d2(2, 3)}}, d2(3, 2));
}

TEST(PlanValidation, ReshapeWithTwoInferredDimensionsIsRefused) {
  expectLoads(shufflePlan(d2(3, -1)));
  expectRefused(shufflePlan(d2(-1, -1)), "reshape_dimensions", "Shuffle");
  expectRefused(shufflePlan(d2(3, -2)), "reshape_dimensions", "Shuffle");
  expectRefused(shufflePlan(d2(3, 2), 8), "first_transpose", "Shuffle");
}

// Fill parameters: operation, dims, data type, alpha, betas.
std::vector<uint8_t> fillPlan(Dims dims, int32_t type = 0) {
  trt::PlanWriter w;
  w.i32(0);  // constant
  w.dims(dims);
  w.i32(type);
  w.f64(1.0);
  w.u32(0);
  return planWith(LayerType::kFILL, w, {}, dims);
}

TEST(PlanValidation, FillOfNegativeDimensionsIsRefused) {
  expectLoads(fillPlan(d2(2, 3)));
  expectRefused(fillPlan(d2(-1, 3)), "dimensions", "Fill");
  expectRefused(fillPlan(d2(2, 3), 2), "data_type", "Fill");  // int8 cannot be filled
}

// The setters apply the same rules (one rule per parameter), so the API refuses what the reader does.
TEST(PlanValidation, SettersRefuseWhatTheReaderRefuses) {
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", DataType::kFLOAT, Dims{1, 1, 4, 4});
  auto* slice = net.addSlice(*x, Dims{0, 0, 0, 0}, Dims{1, 1, 2, 2}, Dims{1, 1, 1, 1});
  EXPECT_THROW(slice->setStride(Dims{1, 1, 0, 1}), trt::Error);
  EXPECT_THROW(slice->setMode(static_cast<trt::SampleMode>(77)), trt::Error);
  auto* resize = net.addResize(*x, Dims{1, 1, 8, 8});
  EXPECT_THROW(resize->setScales({0, 0, std::numeric_limits<double>::infinity(), 1}), trt::Error);
  EXPECT_THROW(resize->setScales({0, 0, 1e30, 1}), trt::Error);
  EXPECT_THROW(resize->setResizeMode(static_cast<trt::InterpolationMode>(9)), trt::Error);
  auto* scale = net.addInput("s", DataType::kFLOAT, Dims{1, 1, 1, 4});
  auto* norm = net.addNormalization(*x, *scale, *scale, 8);
  EXPECT_THROW(norm->setEpsilon(std::numeric_limits<float>::infinity()), trt::Error);
  std::vector<float> w(4, 1.f);
  auto* conv = net.addConvolutionNd(*x, 1, d2(2, 2), {DataType::kFLOAT, w.data(), 4}, {DataType::kFLOAT, nullptr, 0});
  EXPECT_THROW(conv->setFusedActivation(99), trt::Error);
  auto* pool = net.addPoolingNd(*x, trt::PoolingType::kMAX, d2(2, 2));
  EXPECT_THROW(pool->setPaddingMode(static_cast<trt::PaddingMode>(9)), trt::Error);
  auto* shuffle = net.addShuffle(*x);
  trt::Permutation bad;
  bad.order[0] = 9;
  EXPECT_THROW(shuffle->setFirstTranspose(bad), trt::Error);
  auto* topk = net.addTopK(*x, trt::TopKOperation::kMAX, 1, 1u << 3);
  EXPECT_THROW(topk->setReduceAxes(1u << 9), trt::Error);
  auto* fill = net.addFill(d2(2, 2), trt::FillOperation::kLINSPACE);
  EXPECT_THROW(fill->setBeta(std::vector<double>(9, 1.0)), trt::Error);
  // What the rules accept still works through the setters.
  EXPECT_NO_THROW(slice->setStride(Dims{1, 1, -1, 2}));
  EXPECT_NO_THROW(norm->setEpsilon(0.f));
  EXPECT_NO_THROW(resize->setScales({0, 0, 0.5, 0.5}));
}

// The byte offset of a plan's output list (u32 count, then u32 tensor indices), found by walking the
// fields before it as plan_io.h documents them (format 4+).
size_t outputListOffset(const std::vector<uint8_t>& plan) {
  size_t at = trt::kPlanHeaderSize;
  auto u32 = [&] {
    uint32_t v;
    std::memcpy(&v, plan.data() + at, 4);
    at += 4;
    return v;
  };
  auto str = [&] { at += u32(); };
  auto dims = [&] { at += 8 * u32(); };
  str();            // producer
  at += 4;          // backend
  str();            // device name
  at += 4 + 4;      // sm major, minor
  at += 8 + 8 + 4;  // builder flags, workspace limit, timing iterations
  for (uint32_t n = u32(), i = 0; i < n; ++i) {
    str();
    at += 4;  // data type
    dims();
    at += 1;  // is input
  }
  at += 4 * u32();  // inputs
  return at;
}

TEST(PlanValidation, AnOutputListedTwiceIsRefused) {
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", DataType::kFLOAT, d2(2, 2));
  auto* a = net.addActivation(*x, trt::ActivationType::kRELU);
  a->getOutput(0)->setName("y");
  auto* b = net.addUnary(*x, trt::UnaryOperation::kEXP);
  b->getOutput(0)->setName("z");
  net.markOutput(*a->getOutput(0));
  net.markOutput(*b->getOutput(0));
  trt::PlanContents contents;
  std::vector<uint8_t> plan = trt::writePlan(net, contents);
  expectLoads(plan);
  const size_t at = outputListOffset(plan);
  uint32_t count, first;
  std::memcpy(&count, plan.data() + at, 4);
  std::memcpy(&first, plan.data() + at + 4, 4);
  ASSERT_EQ(count, 2u);
  std::memcpy(plan.data() + at + 8, &first, 4);  // both outputs name tensor "y"
  // Re-seal: the payload CRC, then the header's.
  uint32_t crc = trt::crc32(plan.data() + trt::kPlanHeaderSize, plan.size() - trt::kPlanHeaderSize);
  std::memcpy(plan.data() + 24, &crc, 4);
  uint32_t headerCrc = trt::crc32(plan.data(), 28);
  std::memcpy(plan.data() + 28, &headerCrc, 4);
  const std::string e = loadError(plan);
  EXPECT_NE(e.find("field 'output_index'"), std::string::npos) << e;
  EXPECT_NE(e.find("listed twice"), std::string::npos) << e;
}

TEST(PlanValidation, TwoNetworkInputsOfOneNameAreRefused) {
  trt::INetworkDefinition net;
  auto* x = net.addInput("x", DataType::kFLOAT, d2(2, 2));
  auto* w = net.addInput("w", DataType::kFLOAT, d2(2, 2));
  auto* sum = net.addElementWise(*x, *w, trt::ElementWiseOperation::kSUM);
  sum->getOutput(0)->setName("y");
  net.markOutput(*sum->getOutput(0));
  EXPECT_NO_THROW(net.validate());
  w->setName("x");  // renamed after addInput, which checks names
  EXPECT_THROW(net.validate(), trt::Error);
}

}  // namespace
