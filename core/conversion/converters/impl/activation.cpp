// Activations; each in-place form (relu_) shares its out-of-place converter.
#include "core/conversion/converters/converter_util.h"

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

bool simpleActivation(ConversionCtx* ctx, const torch::jit::Node* n, args& a, trt::ActivationType type) {
  return activation(ctx, n, a[0].ITensorOrFreeze(ctx), type);
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
  return activation(ctx, n, a[0].ITensorOrFreeze(ctx), trt::ActivationType::kCLIP,
                    static_cast<float>(a[1].unwrapToDouble()), static_cast<float>(a[2].unwrapToDouble()));
}
bool leakyRelu(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  return activation(ctx, n, a[0].ITensorOrFreeze(ctx), trt::ActivationType::kLEAKY_RELU,
                    static_cast<float>(a[1].unwrapToDouble()));
}
bool relu6(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
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
  // Above beta x = 20 the two parts differ by log1p(exp(-20)) / beta < 2.1e-9 / beta, below float's
  // resolution there: PyTorch's default threshold needs no switch.
  if (threshold * beta >= 20.0)
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
