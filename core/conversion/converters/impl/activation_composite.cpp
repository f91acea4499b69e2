// Activations made of other layers: glu (a half gated by the sigmoid of the other half), prelu
// (x where positive, weight * x elsewhere, weight per channel) and log_sigmoid (-softplus(-x),
// computed as min(x, 0) - log1p(exp(-|x|)) so it stays finite for large |x|).
#include <optional>

#include "core/conversion/converters/converter_util.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {
using E = trt::ElementWiseOperation;

bool glu(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  const std::string name = util::node_info(n);
  auto dims = util::toVec(x->getDimensions());
  const int64_t d = util::normalizeDim(a[1].unwrapToInt(), static_cast<int64_t>(dims.size()), n);
  TORCHTRT_CHECK(dims[d] >= 0, "glu halves dimension " << d << " of " << x->getDimensions().str()
                                                       << ", which must be static: " << name);
  TORCHTRT_CHECK(dims[d] % 2 == 0,
                 "glu halves dimension " << d << " of size " << dims[d] << ", which is odd: " << name);
  const int64_t half = dims[d] / 2;
  trt::ITensor* first = sliceAlong(ctx, x, d, 0, half, 1, name + " [first half]");
  trt::ITensor* second = sliceAlong(ctx, x, d, half, half, 1, name + " [second half]");
  auto* gate = ctx->net->addActivation(*second, trt::ActivationType::kSIGMOID);
  gate->setName((name + " [gate]").c_str());
  return bindTensor(ctx, n, addElementwise(ctx, E::kPROD, first, gate->getOutput(0), name)->getOutput(0));
}

bool prelu(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  trt::ITensor* w = a[1].ITensorOrFreeze(ctx);
  const std::string name = util::node_info(n);
  const int64_t rank = rankOf(x);
  // One weight, or one per channel (dim 1) broadcast over the rest.
  if (w->getDimensions().volume() != 1 && rank >= 2) {
    std::vector<int64_t> shape(static_cast<size_t>(rank), 1);
    shape[1] = -1;
    w = reshape(ctx, w, shape, name + " [weight per channel]");
  }
  w = castTo(ctx, w, x->getType(), name + " [weight type]");
  return bindOutput(ctx, n, ctx->net->addParametricReLU(*x, *w)) != nullptr;
}

bool logSigmoid(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  const std::string name = util::node_info(n);
  // 16-bit inputs compute in float and round once, as PyTorch's: five 16-bit roundings in a row were 8 ulp off.
  const trt::DataType stored = x->getType();
  const bool narrow = stored == trt::DataType::kHALF || stored == trt::DataType::kBF16;
  if (narrow) x = castTo(ctx, x, trt::DataType::kFLOAT, name + " [to float]");
  std::optional<PinFloat32> pinned;  // FP16 builds must not take the float steps back to half
  if (narrow) pinned.emplace(ctx);
  trt::ITensor* zero = scalarConstant(ctx, 0, x->getType(), name + " [0]");
  trt::ITensor* one = scalarConstant(ctx, 1, x->getType(), name + " [1]");
  trt::ITensor* low = addElementwise(ctx, E::kMIN, x, zero, name + " [min(x,0)]")->getOutput(0);
  auto* absx = ctx->net->addUnary(*x, trt::UnaryOperation::kABS);
  auto* negabs = ctx->net->addUnary(*absx->getOutput(0), trt::UnaryOperation::kNEG);
  auto* e = ctx->net->addUnary(*negabs->getOutput(0), trt::UnaryOperation::kEXP);
  trt::ITensor* onePlus = addElementwise(ctx, E::kSUM, e->getOutput(0), one, name + " [1+exp(-|x|)]")->getOutput(0);
  auto* lg = ctx->net->addUnary(*onePlus, trt::UnaryOperation::kLOG);
  trt::ITensor* y =
      addElementwise(ctx, E::kSUB, low, lg->getOutput(0), name + (narrow ? " [float]" : ""))->getOutput(0);
  pinned.reset();
  if (narrow) y = castTo(ctx, y, stored, name);
  return bindTensor(ctx, n, y) != nullptr;
}

auto compositeActivationRegistrations = RegisterNodeConversionPatterns()
                                            .pattern({"aten::glu(Tensor self, int dim=-1) -> Tensor", glu})
                                            .pattern({"aten::prelu(Tensor self, Tensor weight) -> Tensor", prelu})
                                            .pattern({"aten::log_sigmoid(Tensor self) -> Tensor", logSigmoid});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
