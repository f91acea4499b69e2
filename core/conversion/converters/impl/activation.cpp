// Activations; each in-place form (relu_) shares its out-of-place converter. Of integer tensors PyTorch
// takes relu, relu6 and hardtanh (clamps in the integer type) and sigmoid and tanh (computed in float32).
#include <cmath>
#include <cstdint>

#include "core/conversion/converters/converter_util.h"
#include "core/conversion/converters/type_promotion.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {

bool activation(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* in, trt::ActivationType type,
                float alpha = 0.f, float beta = 0.f) {
  auto* layer = ctx->net->addActivation(*in, type);
  layer->setAlpha(alpha);
  layer->setBeta(beta);
  bindOutput(ctx, n, layer);
  return true;
}

bool inPlace(const torch::jit::Node* n) {
  const std::string op = n->kind().toUnqualString();
  return !op.empty() && op.back() == '_';
}

// clamp(x, lo, hi) of an integer tensor in its own type. PyTorch converts the bounds to the type
// truncating toward zero (hardtanh(x, -2.7, 1.9) clamps to [-2, 1]).
// Without an upper bound (relu), only the lower one.
bool integerClamp(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* x, double lo, double hi,
                  bool upper = true) {
  const std::string name = util::node_info(n);
  const trt::DataType type = x->getType();
  const int64_t least = type == trt::DataType::kINT8    ? INT8_MIN
                        : type == trt::DataType::kUINT8 ? 0
                        : type == trt::DataType::kINT32 ? INT32_MIN
                                                        : INT64_MIN;
  const int64_t most = type == trt::DataType::kINT8    ? INT8_MAX
                       : type == trt::DataType::kUINT8 ? UINT8_MAX
                       : type == trt::DataType::kINT32 ? INT32_MAX
                                                       : INT64_MAX;
  auto bound = [&](double v, const char* what) {
    TORCHTRT_CHECK(std::isfinite(v) && v >= static_cast<double>(least) && v <= static_cast<double>(most),
                   "Unable to convert node: " << name << "\nthe " << what << " bound " << v
                                              << " does not fit the input's integer type");
    return scalarConstant(ctx, static_cast<int64_t>(v), type, name + " [" + what + "]");
  };
  // Elementwise kernels have no 8-bit forms: those values clamp exactly in int32.
  const bool narrow = type == trt::DataType::kINT8 || type == trt::DataType::kUINT8;
  const trt::DataType work = narrow ? trt::DataType::kINT32 : type;
  trt::ITensor* lower = bound(lo, "lower");
  auto* low = ctx->net->addElementWise(*castTo(ctx, x, work, name + " [as int32]"), *castTo(ctx, lower, work, name),
                                       trt::ElementWiseOperation::kMAX);
  low->setName((name + " [lower]").c_str());
  trt::ITensor* y = low->getOutput(0);
  if (upper) {
    auto* high =
        ctx->net->addElementWise(*y, *castTo(ctx, bound(hi, "upper"), work, name), trt::ElementWiseOperation::kMIN);
    high->setName((name + " [upper]").c_str());
    y = high->getOutput(0);
  }
  return bindTensor(ctx, n, castTo(ctx, y, type, name)) != nullptr;
}

bool simpleActivation(ConversionCtx* ctx, const torch::jit::Node* n, args& a, trt::ActivationType type) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  const bool integral = isIntegerType(x->getType()) || x->getType() == trt::DataType::kBOOL;
  if (integral && type == trt::ActivationType::kRELU) {
    TORCHTRT_CHECK(x->getType() != trt::DataType::kBOOL,
                   "Unable to convert node: " << util::node_info(n) << "\nPyTorch has no relu of bool tensors");
    return integerClamp(ctx, n, x, 0.0, 0.0, false);
  }
  if (integral) {  // sigmoid, tanh: computed in float32, which an in-place form could not store
    TORCHTRT_CHECK(!inPlace(n), "Unable to convert node: " << util::node_info(n) << "\nthe in-place form cannot "
                                                           << "store its float result in an integer tensor");
    x = castTo(ctx, x, trt::DataType::kFLOAT, util::node_info(n) + " [as float]");
  }
  return activation(ctx, n, x, type);
}

// Out-of-place and in-place forms of a parameterless activation.
#define TORCHTRT_SIMPLE_ACTIVATION(op, type)                                         \
  .pattern({"aten::" #op "(Tensor self) -> (Tensor)",                                \
            [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool {     \
              return simpleActivation(ctx, n, a, trt::ActivationType::type);         \
            }})                                                                      \
      .pattern({"aten::" #op "_(Tensor(a!) self) -> (Tensor(a!))",                   \
                [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool { \
                  return simpleActivation(ctx, n, a, trt::ActivationType::type);     \
                }})

bool hardtanh(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  if (isIntegerType(x->getType())) return integerClamp(ctx, n, x, a[1].unwrapToDouble(), a[2].unwrapToDouble());
  return activation(ctx, n, a[0].ITensorOrFreeze(ctx), trt::ActivationType::kCLIP,
                    static_cast<float>(a[1].unwrapToDouble()), static_cast<float>(a[2].unwrapToDouble()));
}
bool leakyRelu(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  return activation(ctx, n, a[0].ITensorOrFreeze(ctx), trt::ActivationType::kLEAKY_RELU,
                    static_cast<float>(a[1].unwrapToDouble()));
}
bool relu6(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  if (isIntegerType(x->getType())) return integerClamp(ctx, n, x, 0.0, 6.0);
  return activation(ctx, n, a[0].ITensorOrFreeze(ctx), trt::ActivationType::kCLIP, 0.f, 6.f);
}
bool elu(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  double alpha = a[1].unwrapToDouble(), scale = a[2].unwrapToDouble(), inputScale = a[3].unwrapToDouble();
  TORCHTRT_CHECK(scale == 1.0 && inputScale == 1.0, "aten::elu with scale != 1 or input_scale != 1 is not supported");
  return activation(ctx, n, a[0].ITensorOrFreeze(ctx), trt::ActivationType::kELU, static_cast<float>(alpha));
}
bool selu(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  return activation(ctx, n, a[0].ITensorOrFreeze(ctx), trt::ActivationType::kSELU, 1.6732632423543772f,
                    1.0507009873554805f);
}
bool gelu(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  std::string approximate = a.size() > 1 ? a[1].unwrapToString() : "none";
  TORCHTRT_CHECK(approximate == "none" || approximate == "tanh",
                 "aten::gelu approximate='" << approximate << "' is not a known mode");
  return activation(ctx, n, a[0].ITensorOrFreeze(ctx),
                    approximate == "tanh" ? trt::ActivationType::kGELU_TANH : trt::ActivationType::kGELU_ERF);
}
bool hardsigmoid(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  return activation(ctx, n, a[0].ITensorOrFreeze(ctx), trt::ActivationType::kHARD_SIGMOID, 1.f / 6.f, 0.5f);
}
// silu(x) = x * sigmoid(x); hardswish(x) = x * hardsigmoid(x)
bool gatedBySelf(ConversionCtx* ctx, const torch::jit::Node* n, args& a, trt::ActivationType gate, float alpha,
                 float beta) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  auto* g = ctx->net->addActivation(*x, gate);
  g->setAlpha(alpha);
  g->setBeta(beta);
  g->setName((util::node_info(n) + " [gate]").c_str());
  return bindOutput(ctx, n, ctx->net->addElementWise(*x, *g->getOutput(0), trt::ElementWiseOperation::kPROD)) !=
         nullptr;
}
bool silu(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  return gatedBySelf(ctx, n, a, trt::ActivationType::kSIGMOID, 0.f, 0.f);
}
bool hardswish(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  return gatedBySelf(ctx, n, a, trt::ActivationType::kHARD_SIGMOID, 1.f / 6.f, 0.5f);
}
// softplus(x) = 1/beta * log(1 + exp(beta x)), and x itself where beta x > threshold (PyTorch's
// switch to the linear part); the engine's form is alpha * log(1 + exp(beta x)).
bool softplus(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  const double beta = a[1].unwrapToDouble(), threshold = a[2].unwrapToDouble();
  const std::string name = util::node_info(n);
  // PyTorch switches to x where beta x > threshold. Above beta x = 20 the two parts differ by log1p(exp(-20)) / beta
  // < 2.1e-9 / beta, below float's resolution there: a threshold of 20 or more (the default) needs no switch. (A
  // threshold below 20 switches where they differ, whatever beta: beta 10, threshold 2 gave 0.2216 for x = 0.21.)
  if (threshold >= 20.0)
    return activation(ctx, n, x, trt::ActivationType::kSOFTPLUS, static_cast<float>(1.0 / beta),
                      static_cast<float>(beta));
  auto* smooth = ctx->net->addActivation(*x, trt::ActivationType::kSOFTPLUS);
  smooth->setAlpha(static_cast<float>(1.0 / beta));
  smooth->setBeta(static_cast<float>(beta));
  smooth->setName((name + " [smooth]").c_str());
  trt::ITensor* scaled = addElementwise(ctx, trt::ElementWiseOperation::kPROD, x,
                                        scalarConstant(ctx, beta, x->getType(), name + " [beta]"), name + " [beta x]")
                             ->getOutput(0);
  trt::ITensor* linear =
      addElementwise(ctx, trt::ElementWiseOperation::kGREATER, scaled,
                     scalarConstant(ctx, threshold, x->getType(), name + " [threshold]"), name + " [linear part]")
          ->getOutput(0);
  return bindOutput(ctx, n, ctx->net->addSelect(*linear, *x, *smooth->getOutput(0))) != nullptr;
}

auto activationRegistrations =
    RegisterNodeConversionPatterns() TORCHTRT_SIMPLE_ACTIVATION(relu, kRELU) TORCHTRT_SIMPLE_ACTIVATION(
        sigmoid, kSIGMOID) TORCHTRT_SIMPLE_ACTIVATION(tanh, kTANH)
        .pattern({"aten::hardtanh(Tensor self, Scalar min_val=-1, Scalar max_val=1) -> (Tensor)", hardtanh})
        .pattern({"aten::hardtanh_(Tensor(a!) self, Scalar min_val=-1, Scalar max_val=1) -> (Tensor(a!))", hardtanh})
        .pattern({"aten::relu6(Tensor self) -> (Tensor)", relu6})
        .pattern({"aten::relu6_(Tensor(a!) self) -> (Tensor(a!))", relu6})
        .pattern({"aten::leaky_relu(Tensor self, Scalar negative_slope=0.01) -> (Tensor)", leakyRelu})
        .pattern({"aten::leaky_relu_(Tensor(a!) self, Scalar negative_slope=0.01) -> (Tensor(a!))", leakyRelu})
        .pattern({"aten::elu(Tensor self, Scalar alpha=1, Scalar scale=1, Scalar input_scale=1) -> (Tensor)", elu})
        .pattern(
            {"aten::elu_(Tensor(a!) self, Scalar alpha=1, Scalar scale=1, Scalar input_scale=1) -> (Tensor(a!))", elu})
        .pattern({"aten::selu(Tensor self) -> (Tensor)", selu})
        .pattern({"aten::selu_(Tensor(a!) self) -> (Tensor(a!))", selu})
        .pattern({"aten::gelu(Tensor self, *, str approximate='none') -> (Tensor)", gelu})
        .pattern({"aten::silu(Tensor self) -> (Tensor)", silu})
        .pattern({"aten::silu_(Tensor(a!) self) -> (Tensor(a!))", silu})
        .pattern({"aten::hardsigmoid(Tensor self) -> (Tensor)", hardsigmoid})
        .pattern({"aten::hardsigmoid_(Tensor(a!) self) -> (Tensor(a!))", hardsigmoid})
        .pattern({"aten::hardswish(Tensor self) -> (Tensor)", hardswish})
        .pattern({"aten::hardswish_(Tensor(a!) self) -> (Tensor(a!))", hardswish})
        .pattern({"aten::softplus(Tensor self, Scalar beta=1, Scalar threshold=20) -> (Tensor)", softplus});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
