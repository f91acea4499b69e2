// layer_norm and log_softmax, composed from reductions and elementwise/unary layers in FP32.
#include "core/conversion/converters/converter_util.h"

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

bool layerNorm(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  const std::string name = util::node_info(n);
  auto shape = a[1].unwrapToIntList().vec();
  const int64_t rank = rankOf(x);
  TORCHTRT_CHECK(!shape.empty() && static_cast<int64_t>(shape.size()) <= rank,
                 "layer_norm normalized_shape has " << shape.size() << " dims for an input of rank " << rank);
  uint32_t axes = 0;
  for (int64_t i = rank - static_cast<int64_t>(shape.size()); i < rank; ++i) axes |= 1u << i;
  auto* mean = ctx->net->addReduce(*x, trt::ReduceOperation::kAVG, axes, true);
  mean->setName((name + " [mean]").c_str());
  trt::ITensor* centered = ew(ctx, E::kSUB, x, mean->getOutput(0), name + " [center]");
  trt::ITensor* squared = ew(ctx, E::kPROD, centered, centered, name + " [square]");
  auto* var = ctx->net->addReduce(*squared, trt::ReduceOperation::kAVG, axes, true);
  var->setName((name + " [variance]").c_str());
  trt::ITensor* eps = scalarConstant(ctx, a[4].unwrapToDouble(), x->getType(), name + " [eps]");
  auto* stddev =
      ctx->net->addUnary(*ew(ctx, E::kSUM, var->getOutput(0), eps, name + " [var+eps]"), trt::UnaryOperation::kSQRT);
  stddev->setName((name + " [std]").c_str());
  trt::ITensor* out = ew(ctx, E::kDIV, centered, stddev->getOutput(0), name + " [normalize]");
  if (!a[2].isNone()) out = ew(ctx, E::kPROD, out, a[2].ITensorOrFreeze(ctx), name + " [weight]");
  if (!a[3].isNone()) out = ew(ctx, E::kSUM, out, a[3].ITensorOrFreeze(ctx), name + " [bias]");
  ctx->AssociateValueAndTensor(n->outputs()[0], out);
  return true;
}

// log_softmax(x) = (x - max) - log(sum(exp(x - max))): stays finite where softmax underflows.
bool logSoftmax(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  TORCHTRT_CHECK(a.size() < 3 || a[2].isNone(), "log_softmax with a dtype argument has no converter yet");
  const std::string name = util::node_info(n);
  const int64_t rank = rankOf(x);
  TORCHTRT_CHECK(rank > 0, "log_softmax of a 0-d tensor has no converter");
  uint32_t axis = 1u << util::normalizeDim(a[1].unwrapToInt(), rank, n);
  auto* mx = ctx->net->addReduce(*x, trt::ReduceOperation::kMAX, axis, true);
  mx->setName((name + " [max]").c_str());
  trt::ITensor* shifted = ew(ctx, E::kSUB, x, mx->getOutput(0), name + " [shift]");
  auto* e = ctx->net->addUnary(*shifted, trt::UnaryOperation::kEXP);
  auto* sum = ctx->net->addReduce(*e->getOutput(0), trt::ReduceOperation::kSUM, axis, true);
  auto* lse = ctx->net->addUnary(*sum->getOutput(0), trt::UnaryOperation::kLOG);
  lse->setName((name + " [log-sum-exp]").c_str());
  ctx->AssociateValueAndTensor(n->outputs()[0], ew(ctx, E::kSUB, shifted, lse->getOutput(0), name));
  return true;
}

auto normalizationRegistrations =
    RegisterNodeConversionPatterns()
        .pattern({"aten::layer_norm(Tensor input, int[] normalized_shape, Tensor? weight=None, Tensor? bias=None, "
                  "float eps=1e-05, "
                  "bool cudnn_enable=True) -> (Tensor)",
                  layerNorm})
        .pattern({"aten::log_softmax.int(Tensor self, int dim, ScalarType? dtype=None) -> (Tensor)", logSoftmax});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
