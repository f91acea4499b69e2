// scaled_dot_product_attention: one Attention layer where q, k and v are 4-D [B, H, S, D] of one
// floating type (the engine's fused kernel: cuDNN's SDPA on CUDA in FP16/BF16); otherwise
// softmax(q k^T * scale + mask) v from matrix multiplies, an elementwise scale, the mask (additive
// float, boolean through a select, or causal) and a softmax over the last axis. Inference only:
// dropout_p must be 0. The fused attention ops of PyTorch's fast path are in transformer_fastpath.cpp.
#include <cmath>
#include <limits>

#include "core/conversion/converters/shape_tensors.h"
#include "core/conversion/converters/type_promotion.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {

using E = trt::ElementWiseOperation;

trt::ITensor* product(ConversionCtx* ctx, trt::ITensor* a, trt::ITensor* b, bool transposeB, const std::string& name) {
  auto* layer = ctx->net->addMatrixMultiply(
      *a, trt::MatrixOperation::kNONE, *b, transposeB ? trt::MatrixOperation::kTRANSPOSE : trt::MatrixOperation::kNONE);
  layer->setName(name.c_str());
  return layer->getOutput(0);
}

// The Attention layer for 4-D q, k, v of one floating type with batch and head extents that agree (the
// layer does not broadcast them) and a mask of rank <= 4; nullptr where the composed layers are needed.
trt::ITensor* attentionLayer(ConversionCtx* ctx, trt::ITensor* q, trt::ITensor* k, trt::ITensor* v, trt::ITensor* mask,
                             bool causal, const c10::optional<double>& scale, const std::string& name) {
  const trt::Dims qd = q->getDimensions(), kd = k->getDimensions(), vd = v->getDimensions();
  if (!isFloatingType(q->getType()) || k->getType() != q->getType() || v->getType() != q->getType() || qd.nbDims != 4 ||
      kd.nbDims != 4 || vd.nbDims != 4)
    return nullptr;
  for (int i = 0; i < 2; ++i)
    if (qd.d[i] != kd.d[i] || qd.d[i] != vd.d[i]) return nullptr;
  if (mask) {
    if (mask->getDimensions().nbDims > 4) return nullptr;
    // PyTorch takes a float mask of another floating type than the query's, converted.
    if (mask->getType() != trt::DataType::kBOOL && mask->getType() != q->getType())
      mask = castTo(ctx, mask, q->getType(), name + " [mask type]");
  }
  auto* layer = ctx->net->addAttention(*q, *k, *v, mask);
  layer->setCausal(causal);
  if (scale) layer->setScale(static_cast<float>(*scale));
  layer->setName(name.c_str());
  return layer->getOutput(0);
}

bool scaledDotProductAttention(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  const std::string name = util::node_info(n);
  trt::ITensor* q = a[0].ITensorOrFreeze(ctx);
  trt::ITensor* k = a[1].ITensorOrFreeze(ctx);
  trt::ITensor* v = a[2].ITensorOrFreeze(ctx);
  TORCHTRT_CHECK(a[3].isNone() || a[3].isITensorOrTensor(), "attn_mask must be a tensor or None: " << name);
  TORCHTRT_CHECK(a[4].unwrapToDouble() == 0.0, "scaled_dot_product_attention with dropout_p="
                                                   << a[4].unwrapToDouble()
                                                   << " is training-only; inference engines need dropout_p=0 (" << name
                                                   << ")");
  const bool causal = a[5].unwrapToBool();
  TORCHTRT_CHECK(n->inputs().size() < 8 || !a[7].unwrapToBool(false),
                 "enable_gqa=True is not supported; repeat the key/value heads first (" << name << ")");
  TORCHTRT_CHECK(rankOf(q) >= 2 && rankOf(k) >= 2 && rankOf(v) >= 2, "q, k and v need at least 2 dims: " << name);
  TORCHTRT_CHECK(
      !causal || a[3].isNone(),
      "scaled_dot_product_attention with both attn_mask and is_causal=True is refused by PyTorch too (" << name << ")");
  trt::ITensor* attnMask = a[3].isNone() ? nullptr : a[3].ITensorOrFreeze(ctx);
  if (attnMask) {
    const trt::DataType maskType = attnMask->getType();
    TORCHTRT_CHECK(maskType == trt::DataType::kBOOL || isFloatingType(maskType),
                   "attn_mask must be bool or floating, as PyTorch requires, got " << trt::dataTypeName(maskType)
                                                                                   << " (" << name << ")");
  }
  const c10::optional<double> explicitScale =
      a.size() > 6 && !a[6].isNone() ? c10::optional<double>(a[6].unwrapToDouble()) : c10::nullopt;
  if (trt::ITensor* fused = attentionLayer(ctx, q, k, v, attnMask, causal, explicitScale, name))
    return bindTensor(ctx, n, fused) != nullptr;
  // Batch and head dims may be dynamic; the head size sets the scale, the sequence lengths the causal mask.
  const auto qDims = util::toVec(q->getDimensions()), kDims = util::toVec(k->getDimensions());
  const int64_t L = qDims[qDims.size() - 2], S = kDims[kDims.size() - 2], E_ = qDims.back();
  TORCHTRT_CHECK(E_ >= 0, "the query's last dimension (the head size) of " << name << " must be static, got "
                                                                           << q->getDimensions().str());
  const double scale = explicitScale ? *explicitScale : 1.0 / std::sqrt(static_cast<double>(E_));

  // PyTorch accumulates the logits of float16/bfloat16 attention in float32 and takes the softmax in
  // float32 (its CPU and CUDA kernels alike); rounding the logits to 16 bits first loses up to 3
  // digits of a large logit. So the scores, the softmax and the weighted sum are float32 layers (pinned
  // against FP16 builds) on exactly widened inputs, rounded once to the query's type at the end.
  PinFloat32 pin(ctx);
  const trt::DataType outType = q->getType();
  if (isFloatingType(outType)) {
    q = castTo(ctx, q, trt::DataType::kFLOAT, name + " [q float32]");
    k = castTo(ctx, k, trt::DataType::kFLOAT, name + " [k float32]");
    v = castTo(ctx, v, trt::DataType::kFLOAT, name + " [v float32]");
  }
  trt::ITensor* scores = product(ctx, q, k, true, name + " [q k^T]");
  scores = addElementwise(ctx, E::kPROD, scores, scalarConstant(ctx, scale, scores->getType(), name + " [scale]"),
                          name + " [scaled]")
               ->getOutput(0);
  const float minusInf = -std::numeric_limits<float>::infinity();
  if (causal && (L < 0 || S < 0)) {
    // Dynamic lengths: the scores above the diagonal (column - row > 0) become -inf, whatever the
    // run-time lengths.
    trt::ITensor* above =
        ctx->net
            ->addElementWise(*shape::diagonalOffsets(ctx, scores, name + " [causal]"),
                             *scalarConstant(ctx, 0, trt::DataType::kINT64, name + " [0]"), E::kGREATER)
            ->getOutput(0);
    std::vector<int64_t> ones(static_cast<size_t>(rankOf(scores)), 1);
    trt::ITensor* blocked =
        reshape(ctx, scalarConstant(ctx, minusInf, scores->getType(), name + " [-inf]"), ones, name + " [-inf]");
    auto* select = ctx->net->addSelect(*above, *blocked, *scores);
    select->setName((name + " [causal]").c_str());
    scores = select->getOutput(0);
  } else if (causal) {
    // PyTorch's causal mask: query i sees keys 0..i (top-left aligned).
    at::Tensor mask = at::zeros({L, S}, at::kFloat);
    for (int64_t i = 0; i < L; ++i)
      for (int64_t j = i + 1; j < S; ++j) mask[i][j] = minusInf;
    scores =
        addElementwise(ctx, E::kSUM, scores, ctx->constantTensor(mask, name + " [causal mask]"), name + " [causal]")
            ->getOutput(0);
  }
  if (attnMask) {
    trt::ITensor* mask = attnMask;
    if (mask->getType() == trt::DataType::kBOOL) {
      // Boolean masks keep the scores where true and make the rest -inf.
      trt::ITensor* blocked = scalarConstant(ctx, minusInf, scores->getType(), name + " [-inf]");
      std::vector<int64_t> ones(static_cast<size_t>(rankOf(scores)), 1);
      blocked = reshape(ctx, blocked, ones, name + " [-inf as rank]");
      auto* select = ctx->net->addSelect(*mask, *scores, *blocked);
      select->setName((name + " [bool mask]").c_str());
      scores = select->getOutput(0);
    } else {
      scores = addElementwise(ctx, E::kSUM, scores, mask, name + " [float mask]")->getOutput(0);
    }
  }
  auto* softmax = ctx->net->addSoftMax(*scores);
  softmax->setAxes(1u << (rankOf(scores) - 1));
  softmax->setName((name + " [softmax]").c_str());
  trt::ITensor* weights = castTo(ctx, softmax->getOutput(0), v->getType(), name + " [weights type]");
  trt::ITensor* out = product(ctx, weights, v, false, name + " [weights v]");
  return bindTensor(ctx, n, castTo(ctx, out, outType, name + " [result type]")) != nullptr;
}

auto attentionRegistrations = RegisterNodeConversionPatterns().pattern(
    {"aten::scaled_dot_product_attention(Tensor query, Tensor key, Tensor value, Tensor? attn_mask=None, float "
     "dropout_p=0., bool is_causal=False, *, float? scale=None, bool enable_gqa=False) -> Tensor",
     scaledDotProductAttention});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
