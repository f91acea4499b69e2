// layer_norm, group_norm and instance_norm as Normalization layers (FP32 statistics in any build),
// rms_norm as an RMSNormalization layer, and log_softmax from reductions and elementwise layers pinned to FP32.
#include <cmath>
#include <limits>

#include "core/conversion/converters/shape_tensors.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {
using E = trt::ElementWiseOperation;

trt::ITensor* ew(ConversionCtx* ctx, E op, trt::ITensor* a, trt::ITensor* b, const std::string& name) {
  return addElementwise(ctx, op, a, b, name)->getOutput(0);
}

// The Normalization layer takes eps >= 0; PyTorch takes any eps and computes (x - mean) * rstd with
// rstd = 1 / sqrt(var + eps), NaN where var + eps < 0. That form, in FP32 layers, rounded to x's type.
trt::ITensor* normalizeNegativeEps(ConversionCtx* ctx, trt::ITensor* x, uint32_t axes, double eps,
                                   const std::string& name, trt::ITensor* scale, trt::ITensor* bias) {
  PinFloat32 pin(ctx);
  const trt::DataType type = x->getType();
  trt::ITensor* xf = castTo(ctx, x, trt::DataType::kFLOAT, name + " [float]");
  auto* mean = ctx->net->addReduce(*xf, trt::ReduceOperation::kAVG, axes, true);
  mean->setName((name + " [mean]").c_str());
  trt::ITensor* centered = ew(ctx, E::kSUB, xf, mean->getOutput(0), name + " [center]");
  auto* var = ctx->net->addReduce(*ew(ctx, E::kPROD, centered, centered, name + " [square]"),
                                  trt::ReduceOperation::kAVG, axes, true);
  var->setName((name + " [var]").c_str());
  trt::ITensor* shifted = ew(ctx, E::kSUM, var->getOutput(0),
                             scalarConstant(ctx, eps, trt::DataType::kFLOAT, name + " [eps]"), name + " [var + eps]");
  auto* root = ctx->net->addUnary(*shifted, trt::UnaryOperation::kSQRT);
  root->setName((name + " [std]").c_str());
  trt::ITensor* rstd = ew(ctx, E::kDIV, scalarConstant(ctx, 1.0, trt::DataType::kFLOAT, name + " [1]"),
                          root->getOutput(0), name + " [rstd]");
  trt::ITensor* out = ew(ctx, E::kPROD, centered, rstd, name + " [normalized]");
  out = ew(ctx, E::kPROD, out, castTo(ctx, scale, trt::DataType::kFLOAT, name + " [scale float]"), name + " [scale]");
  out = ew(ctx, E::kSUM, out, castTo(ctx, bias, trt::DataType::kFLOAT, name + " [bias float]"), name + " [bias]");
  return castTo(ctx, out, type, name + " [result type]");
}

// (x - mean) / sqrt(var + eps) over `axes` (biased variance, as the norms use), times scale plus bias
// (broadcast to x; unit scale and zero bias when null): one Normalization layer, FP32 inside.
trt::ITensor* normalizeOver(ConversionCtx* ctx, trt::ITensor* x, uint32_t axes, double eps, const std::string& name,
                            trt::ITensor* scale = nullptr, trt::ITensor* bias = nullptr) {
  if (!scale) scale = scalarConstant(ctx, 1.0, x->getType(), name + " [unit scale]");
  if (!bias) bias = scalarConstant(ctx, 0.0, x->getType(), name + " [zero bias]");
  if (eps < 0) return normalizeNegativeEps(ctx, x, axes, eps, name, scale, bias);
  scale = castTo(ctx, scale, x->getType(), name + " [cast scale]");
  bias = castTo(ctx, bias, x->getType(), name + " [cast bias]");
  auto* norm = ctx->net->addNormalization(*x, *scale, *bias, axes);
  norm->setEpsilon(static_cast<float>(eps));
  norm->setName(name.c_str());
  return norm->getOutput(0);
}

// Per-channel weight or bias [C] applied to x [N, C, *]: reshaped to [C, 1, ..., 1].
trt::ITensor* applyPerChannel(ConversionCtx* ctx, E op, trt::ITensor* x, Var& v, const std::string& name) {
  if (v.isNone()) return x;
  trt::ITensor* t = v.ITensorOrFreeze(ctx);
  std::vector<int64_t> shape(static_cast<size_t>(rankOf(x) - 1), 1);
  shape[0] = -1;
  return ew(ctx, op, x, reshape(ctx, t, shape, name), name);
}

bool groupNorm(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  const std::string name = util::node_info(n);
  auto dims = util::toVec(x->getDimensions());
  const int64_t groups = a[1].unwrapToInt();
  TORCHTRT_CHECK(dims.size() >= 2 && dims[1] >= 0, "group_norm needs [N, C, *] with a static channel count, got "
                                                       << x->getDimensions().str() << ": " << name);
  TORCHTRT_CHECK(groups > 0 && dims[1] % groups == 0,
                 "group_norm: " << dims[1] << " channels do not split into " << groups << " groups: " << name);
  // [N, C, *] -> [N, G, C/G * prod(*)] (N copied, whatever its run-time size), normalised over the
  // last axis, then back to x's shape (read at run time where dynamic).
  auto* split = ctx->net->addShuffle(*x);
  split->setZeroIsPlaceholder(true);
  split->setReshapeDimensions(util::toDims(std::vector<int64_t>{0, groups, -1}));
  split->setName((name + " [groups]").c_str());
  trt::ITensor* out = normalizeOver(ctx, split->getOutput(0), 1u << 2, a[4].unwrapToDouble(), name);
  out = x->getDimensions().isStatic()
            ? reshape(ctx, out, dims, name + " [ungroup]")
            : shape::reshapeTo(ctx, out, shape::shapeOf(ctx, x, name + " [shape]"), name + " [ungroup]");
  out = applyPerChannel(ctx, E::kPROD, out, a[2], name + " [weight]");
  out = applyPerChannel(ctx, E::kSUM, out, a[3], name + " [bias]");
  return bindTensor(ctx, n, out) != nullptr;
}

bool instanceNorm(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  const std::string name = util::node_info(n);
  const int64_t rank = rankOf(x);
  TORCHTRT_CHECK(rank >= 3, "instance_norm needs [N, C, spatial...], got " << x->getDimensions().str());
  const double eps = a[7].unwrapToDouble();
  trt::ITensor* out;
  if (a[5].unwrapToBool()) {
    uint32_t axes = 0;
    for (int64_t i = 2; i < rank; ++i) axes |= 1u << i;
    out = normalizeOver(ctx, x, axes, eps, name);
  } else {
    // Running statistics, as batch norm in inference.
    TORCHTRT_CHECK(!a[3].isNone() && !a[4].isNone(),
                   "instance_norm with use_input_stats=False needs running_mean and running_var: " << name);
    out = applyPerChannel(ctx, E::kSUB, x, a[3], name + " [running mean]");
    TORCHTRT_CHECK(a[4].isIValue(), "instance_norm running_var must be known at compile time: " << name);
    at::Tensor var = a[4].IValue()->toTensor().to(at::kFloat);
    Var invStd(ctx->constantTensor(at::rsqrt(var + eps), name + " [1/std]"));
    out = applyPerChannel(ctx, E::kPROD, out, invStd, name + " [running std]");
  }
  out = applyPerChannel(ctx, E::kPROD, out, a[1], name + " [weight]");
  out = applyPerChannel(ctx, E::kSUM, out, a[2], name + " [bias]");
  // x's type: the running statistics are float32 constants, which made a float16 x's result float32 (the next
  // engine of a partly compiled module then refused its input).
  return bindTensor(ctx, n, castTo(ctx, out, x->getType(), name + " [to input type]")) != nullptr;
}

bool layerNorm(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  const std::string name = util::node_info(n);
  auto shape = a[1].unwrapToIntList().vec();
  const int64_t rank = rankOf(x);
  TORCHTRT_CHECK(!shape.empty() && static_cast<int64_t>(shape.size()) <= rank,
                 "layer_norm normalized_shape has " << shape.size() << " dims for an input of rank " << rank);
  uint32_t axes = 0;
  for (int64_t i = rank - static_cast<int64_t>(shape.size()); i < rank; ++i) axes |= 1u << i;
  trt::ITensor* weight = a[2].isNone() ? nullptr : a[2].ITensorOrFreeze(ctx);
  trt::ITensor* bias = a[3].isNone() ? nullptr : a[3].ITensorOrFreeze(ctx);
  trt::ITensor* out = normalizeOver(ctx, x, axes, a[4].unwrapToDouble(), name, weight, bias);
  ctx->AssociateValueAndTensor(n->outputs()[0], out);
  return true;
}

// PyTorch takes any eps: rsqrt(mean(x^2) + eps) is NaN where the sum is negative (and 0 for an
// infinite eps), which the RMSNormalization layer's eps >= 0 rule leaves out. That form, in FP32
// layers, rounded once to x's type.
trt::ITensor* rmsNormAnyEps(ConversionCtx* ctx, trt::ITensor* x, uint32_t axes, double eps, const std::string& name,
                            trt::ITensor* weight) {
  PinFloat32 pin(ctx);
  const trt::DataType type = x->getType();
  trt::ITensor* xf = castTo(ctx, x, trt::DataType::kFLOAT, name + " [float]");
  auto* meanSquare =
      ctx->net->addReduce(*ew(ctx, E::kPROD, xf, xf, name + " [square]"), trt::ReduceOperation::kAVG, axes, true);
  meanSquare->setName((name + " [mean square]").c_str());
  trt::ITensor* shifted = ew(ctx, E::kSUM, meanSquare->getOutput(0),
                             scalarConstant(ctx, eps, trt::DataType::kFLOAT, name + " [eps]"), name + " [+ eps]");
  auto* root = ctx->net->addUnary(*shifted, trt::UnaryOperation::kSQRT);
  root->setName((name + " [root]").c_str());
  trt::ITensor* out = ew(ctx, E::kDIV, xf, root->getOutput(0), name + " [normalized]");
  if (weight)
    out = ew(ctx, E::kPROD, out, castTo(ctx, weight, trt::DataType::kFLOAT, name + " [weight float]"),
             name + " [weight]");
  return castTo(ctx, out, type, name + " [result type]");
}

// rms_norm(x, normalized_shape, weight, eps): x / sqrt(mean(x^2) + eps) * weight over the last
// dims, one RMSNormalization layer (FP32 statistics, rounded once, as PyTorch's fused kernel). eps None
// is float32's epsilon, PyTorch's default for float32, float16 and bfloat16 inputs.
bool rmsNorm(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  const std::string name = util::node_info(n);
  const auto shape = a[1].unwrapToIntList().vec();
  const auto dims = util::toVec(x->getDimensions());
  const int64_t rank = static_cast<int64_t>(dims.size());
  TORCHTRT_CHECK(
      !shape.empty() && static_cast<int64_t>(shape.size()) <= rank,
      "rms_norm normalized_shape has " << shape.size() << " dims for an input of rank " << rank << ": " << name);
  uint32_t axes = 0;
  for (size_t k = 0; k < shape.size(); ++k) {
    const int64_t d = rank - static_cast<int64_t>(shape.size()) + static_cast<int64_t>(k);
    TORCHTRT_CHECK(dims[d] < 0 || dims[d] == shape[k],
                   "rms_norm normalized_shape " << util::toDims(shape).str() << " is not the last dims of the input "
                                                << x->getDimensions().str() << ": " << name);
    axes |= 1u << d;
  }
  const double eps = a[3].isNone() ? static_cast<double>(std::numeric_limits<float>::epsilon()) : a[3].unwrapToDouble();
  trt::ITensor* weight = nullptr;
  if (!a[2].isNone()) {
    weight = a[2].ITensorOrFreeze(ctx);
    TORCHTRT_CHECK(weight->getType() == x->getType(),
                   "rms_norm of a " << trt::dataTypeName(x->getType()) << " input with a "
                                    << trt::dataTypeName(weight->getType())
                                    << " weight has no converter (PyTorch promotes the result); cast the weight to the "
                                       "input's dtype: "
                                    << name);
  }
  // The layer keeps eps as float32: an eps that float32 cannot hold takes the FP32 layers too.
  const float layerEps = static_cast<float>(eps);
  if (!(layerEps >= 0 && std::isfinite(layerEps)))
    return bindTensor(ctx, n, rmsNormAnyEps(ctx, x, axes, eps, name, weight)) != nullptr;
  auto* norm = ctx->net->addRMSNormalization(*x, weight, axes);
  norm->setEpsilon(layerEps);
  norm->setName(name.c_str());
  return bindTensor(ctx, n, norm->getOutput(0)) != nullptr;
}

// log_softmax(x) = (x - max) - log(sum(exp(x - max))): stays finite where softmax underflows.
bool logSoftmax(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  PinFloat32 pin(ctx);
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  x = castToDtypeArg(ctx, n, x, a[2]);
  const std::string name = util::node_info(n);
  const int64_t rank = rankOf(x);
  TORCHTRT_CHECK(rank > 0, "log_softmax of a 0-d tensor has no converter");
  // A 16-bit tensor's log_softmax is computed in float32 and rounded once, as PyTorch's kernels do (each step
  // rounded to float16 lost ~9% of x - max - log-sum-exp near 0).
  const trt::DataType type = x->getType();
  x = castTo(ctx, x, trt::DataType::kFLOAT, name + " [float]");
  uint32_t axis = 1u << util::normalizeDim(a[1].unwrapToInt(), rank, n);
  auto* mx = ctx->net->addReduce(*x, trt::ReduceOperation::kMAX, axis, true);
  mx->setName((name + " [max]").c_str());
  trt::ITensor* shifted = ew(ctx, E::kSUB, x, mx->getOutput(0), name + " [shift]");
  auto* e = ctx->net->addUnary(*shifted, trt::UnaryOperation::kEXP);
  auto* sum = ctx->net->addReduce(*e->getOutput(0), trt::ReduceOperation::kSUM, axis, true);
  auto* lse = ctx->net->addUnary(*sum->getOutput(0), trt::UnaryOperation::kLOG);
  lse->setName((name + " [log-sum-exp]").c_str());
  ctx->AssociateValueAndTensor(
      n->outputs()[0], castTo(ctx, ew(ctx, E::kSUB, shifted, lse->getOutput(0), name), type, name + " [to type]"));
  return true;
}

auto normalizationRegistrations =
    RegisterNodeConversionPatterns()
        .pattern({"aten::layer_norm(Tensor input, int[] normalized_shape, Tensor? weight=None, Tensor? bias=None, "
                  "float eps=1e-05, "
                  "bool cudnn_enable=True) -> (Tensor)",
                  layerNorm})
        .pattern(
            {"aten::rms_norm(Tensor input, int[] normalized_shape, Tensor? weight=None, float? eps=None) -> Tensor",
             rmsNorm})
        .pattern({"aten::group_norm(Tensor input, int num_groups, Tensor? weight=None, Tensor? bias=None, float "
                  "eps=1.0000000000000001e-05, bool cudnn_enabled=True) -> Tensor",
                  groupNorm})
        .pattern({"aten::instance_norm(Tensor input, Tensor? weight, Tensor? bias, Tensor? running_mean, Tensor? "
                  "running_var, bool use_input_stats, float momentum, float eps, bool cudnn_enabled) -> Tensor",
                  instanceNorm})
        .pattern({"aten::log_softmax.int(Tensor self, int dim, ScalarType? dtype=None) -> (Tensor)", logSoftmax});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
