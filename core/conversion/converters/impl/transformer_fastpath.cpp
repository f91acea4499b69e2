// The fused ops of PyTorch's inference fast path (eval mode, autograd off):
// _native_multi_head_attention (nn.MultiheadAttention) and _transformer_encoder_layer_fwd
// (nn.TransformerEncoderLayer, and nn.TransformerEncoder layer by layer), built from engine layers
// with the fast path's semantics, which differ from the modules' slow path in two ways:
// - a float mask counts as boolean, non-zero meaning blocked (ATen's masked_softmax converts it);
// - mask_type says the mask's layout: 0 an [L, S] attention mask, 1 a [B, S] key padding mask,
//   2 (or None) the full [B, H, L, S]. A query whose keys are all blocked gets NaN, as on the CPU.
// Batch and sequence length stay dynamic (0 placeholders in the head reshapes).
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

trt::ITensor* product(ConversionCtx* ctx, trt::ITensor* a, trt::ITensor* b, bool transposeB, const std::string& name) {
  auto* layer = ctx->net->addMatrixMultiply(
      *a, trt::MatrixOperation::kNONE, *b, transposeB ? trt::MatrixOperation::kTRANSPOSE : trt::MatrixOperation::kNONE);
  layer->setName(name.c_str());
  return layer->getOutput(0);
}

// A compile-time weight of the fused op (frozen module parameters are).
at::Tensor weightArg(const torch::jit::Node* n, Var& v, const char* what) {
  TORCHTRT_CHECK(v.isIValue() && v.IValue()->isTensor(),
                 "Unable to convert node: " << util::node_info(n) << "\nits " << what
                                            << " is computed at run time; the fused fast-path op takes module "
                                               "parameters (compile a frozen module, as torch_tensorrt.compile does)");
  return v.unwrapToTensor();
}

// x @ w^T + b for a weight [out, in] and bias [out], x of rank 3.
trt::ITensor* linear(ConversionCtx* ctx, trt::ITensor* x, const at::Tensor& w, const at::Tensor& b,
                     const std::string& name) {
  trt::ITensor* y = product(ctx, x, ctx->constantTensor(w.unsqueeze(0), name + " [weight]"), true, name);
  return addElementwise(ctx, E::kSUM, y, ctx->constantTensor(b.reshape({1, 1, -1}), name + " [bias]"), name + " [bias]")
      ->getOutput(0);
}

// [B, L, H * D] -> [B, H, L, D], batch and sequence length as they come at run time.
trt::ITensor* splitHeads(ConversionCtx* ctx, trt::ITensor* x, int64_t heads, int64_t headSize,
                         const std::string& name) {
  auto* layer = ctx->net->addShuffle(*x);
  layer->setReshapeDimensions({0, 0, heads, headSize});
  layer->setSecondTranspose(toPermutation({0, 2, 1, 3}));
  layer->setName(name.c_str());
  return layer->getOutput(0);
}

// [B, H, L, D] -> [B, L, H * D].
trt::ITensor* mergeHeads(ConversionCtx* ctx, trt::ITensor* x, int64_t embed, const std::string& name) {
  auto* layer = ctx->net->addShuffle(*x);
  layer->setFirstTranspose(toPermutation({0, 2, 1, 3}));
  layer->setReshapeDimensions({0, 0, embed});
  layer->setName(name.c_str());
  return layer->getOutput(0);
}

// The positions a fast-path mask blocks, as a bool tensor of rank 4 broadcasting against the scores
// [B, H, L, S]; nullptr without a mask.
trt::ITensor* blockedPositions(ConversionCtx* ctx, const torch::jit::Node* n, Var& maskArg, Var& maskTypeArg,
                               const std::string& name) {
  if (maskArg.isNone()) return nullptr;
  trt::ITensor* mask = maskArg.ITensorOrFreeze(ctx);
  if (mask->getType() != trt::DataType::kBOOL) {
    trt::ITensor* zero = scalarConstant(ctx, 0, mask->getType(), name + " [mask 0]");
    trt::ITensor* kept = addElementwise(ctx, E::kEQUAL, mask, zero, name + " [mask == 0]")->getOutput(0);
    auto* blocked = ctx->net->addUnary(*kept, trt::UnaryOperation::kNOT);
    blocked->setName((name + " [mask != 0]").c_str());
    mask = blocked->getOutput(0);
  }
  const int64_t type = maskTypeArg.isNone() ? 2 : maskTypeArg.unwrapToInt();
  const int64_t rank = rankOf(mask);
  if (type == 0) {  // [L, S], the same for every batch entry and head
    TORCHTRT_CHECK(rank == 2, "mask_type 0 takes an [L, S] mask, got " << mask->getDimensions().str() << ": "
                                                                       << util::node_info(n));
    return shape::regroup(ctx, mask, {{}, {}, {0}, {1}}, name + " [mask as [1, 1, L, S]]");
  }
  if (type == 1) {  // [B, S]: keys blocked per batch entry
    TORCHTRT_CHECK(rank == 2, "mask_type 1 takes a [B, S] key padding mask, got " << mask->getDimensions().str() << ": "
                                                                                  << util::node_info(n));
    return shape::regroup(ctx, mask, {{0}, {}, {}, {1}}, name + " [mask as [B, 1, 1, S]]");
  }
  TORCHTRT_CHECK(type == 2 && rank == 4, "mask_type " << type << " with a mask of shape " << mask->getDimensions().str()
                                                      << " is not one the fast path takes (mask_type 2 or None takes "
                                                         "[B, H, L, S]): "
                                                      << util::node_info(n));
  return mask;
}

struct AttentionParams {
  int64_t embed, heads;
  at::Tensor qkvWeight, qkvBias, projWeight, projBias;
};

struct AttentionResult {
  trt::ITensor* output;         // [B, L, E]
  trt::ITensor* probabilities;  // [B, H, L, S]
};

// softmax(q k^T / sqrt(D), blocked keys -inf) v for the projected heads, then the output projection.
// Without a mask and without the weights as an output (need_weights=False, the encoder layer), PyTorch
// computes it with scaled_dot_product_attention, and so does the engine: one Attention layer in the
// heads' type (the fused kernels: cuDNN's SDPA on CUDA in FP16/BF16, oneDNN products around a softmax
// on the CPU). Otherwise the explicit float32 chain below, whose softmax is also the weights output.
AttentionResult multiHeadAttention(ConversionCtx* ctx, trt::ITensor* query, trt::ITensor* key, trt::ITensor* value,
                                   const AttentionParams& p, trt::ITensor* blocked, bool needWeights,
                                   const std::string& name) {
  const int64_t headSize = p.embed / p.heads;
  trt::ITensor* proj[3];
  trt::ITensor* inputs[3] = {query, key, value};
  for (int i = 0; i < 3; ++i) {
    const std::string part = name + " [" + "qkv"[i] + "]";
    trt::ITensor* y = linear(ctx, inputs[i], p.qkvWeight.narrow(0, i * p.embed, p.embed),
                             p.qkvBias.narrow(0, i * p.embed, p.embed), part);
    proj[i] = splitHeads(ctx, y, p.heads, headSize, part + " [heads]");
  }
  if (!blocked && !needWeights) {
    auto* attention = ctx->net->addAttention(*proj[0], *proj[1], *proj[2]);
    attention->setName((name + " [attention]").c_str());
    trt::ITensor* merged = mergeHeads(ctx, attention->getOutput(0), p.embed, name + " [merge heads]");
    return {linear(ctx, merged, p.projWeight, p.projBias, name + " [out proj]"), nullptr};
  }
  // Logits, softmax and the weighted sum in float32 layers, as PyTorch computes float16/bfloat16
  // attention (see attention.cpp); the heads are rounded back to their type after.
  const trt::DataType type = proj[0]->getType();
  trt::ITensor* attended = nullptr;
  trt::ITensor* probabilities = nullptr;
  {
    PinFloat32 pin(ctx);
    for (int i = 0; i < 3; ++i)
      proj[i] = castTo(ctx, proj[i], trt::DataType::kFLOAT, name + " [" + "qkv"[i] + " float32]");
    trt::ITensor* scores = product(ctx, proj[0], proj[1], true, name + " [q k^T]");
    scores = addElementwise(ctx, E::kPROD, scores,
                            scalarConstant(ctx, 1.0 / std::sqrt(static_cast<double>(headSize)), scores->getType(),
                                           name + " [scale]"),
                            name + " [scaled]")
                 ->getOutput(0);
    if (blocked) {
      trt::ITensor* minusInf = reshape(
          ctx, scalarConstant(ctx, -std::numeric_limits<double>::infinity(), scores->getType(), name + " [-inf]"),
          {1, 1, 1, 1}, name + " [-inf as rank 4]");
      auto* select = ctx->net->addSelect(*blocked, *minusInf, *scores);
      select->setName((name + " [mask]").c_str());
      scores = select->getOutput(0);
    }
    auto* softmax = ctx->net->addSoftMax(*scores);
    softmax->setAxes(1u << 3);
    softmax->setName((name + " [softmax]").c_str());
    attended = castTo(ctx, product(ctx, softmax->getOutput(0), proj[2], false, name + " [weights v]"), type,
                      name + " [heads type]");
    probabilities = castTo(ctx, softmax->getOutput(0), type, name + " [weights type]");
  }
  trt::ITensor* merged = mergeHeads(ctx, attended, p.embed, name + " [merge heads]");
  return {linear(ctx, merged, p.projWeight, p.projBias, name + " [out proj]"), probabilities};
}

AttentionParams attentionParams(const torch::jit::Node* n, args& a, size_t first) {
  AttentionParams p{a[first].unwrapToInt(),
                    a[first + 1].unwrapToInt(),
                    weightArg(n, a[first + 2], "qkv_weight"),
                    weightArg(n, a[first + 3], "qkv_bias"),
                    weightArg(n, a[first + 4], "proj_weight"),
                    weightArg(n, a[first + 5], "proj_bias")};
  const std::string name = util::node_info(n);
  TORCHTRT_CHECK(p.heads > 0 && p.embed % p.heads == 0,
                 "embed_dim " << p.embed << " is not a multiple of num_heads " << p.heads << ": " << name);
  TORCHTRT_CHECK(p.qkvWeight.dim() == 2 && p.qkvWeight.size(0) == 3 * p.embed && p.qkvBias.numel() == 3 * p.embed,
                 "qkv_weight must be [3E, E] and qkv_bias [3E] for E = " << p.embed << ": " << name);
  return p;
}

bool nativeMultiHeadAttention(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  const std::string name = util::node_info(n);
  trt::ITensor* query = a[0].ITensorOrFreeze(ctx);
  trt::ITensor* key = a[1].ITensorOrFreeze(ctx);
  trt::ITensor* value = a[2].ITensorOrFreeze(ctx);
  TORCHTRT_CHECK(rankOf(query) == 3 && rankOf(key) == 3 && rankOf(value) == 3,
                 "_native_multi_head_attention takes batched [B, L, E] inputs: " << name);
  const AttentionParams p = attentionParams(n, a, 3);
  trt::ITensor* blocked = blockedPositions(ctx, n, a[9], a[12], name);
  const bool needWeights = a[10].unwrapToBool();
  AttentionResult r = multiHeadAttention(ctx, query, key, value, p, blocked, needWeights, name);
  bindTensor(ctx, n, r.output, 0);
  if (!needWeights) {
    // Without need_weights PyTorch returns an undefined tensor as the weights.
    ctx->AssociateValueAndIValue(n->outputs()[1], at::Tensor());
    return true;
  }
  trt::ITensor* weights = r.probabilities;
  if (a[11].unwrapToBool()) {  // average_attn_weights: the mean over heads, [B, L, S]
    auto* mean = ctx->net->addReduce(*weights, trt::ReduceOperation::kAVG, 1u << 1, false);
    mean->setName((name + " [mean over heads]").c_str());
    weights = mean->getOutput(0);
  }
  return bindTensor(ctx, n, weights, 1) != nullptr;
}

// LayerNorm over the last axis with the layer's weight and bias (FP32 statistics, as normalization.cpp).
trt::ITensor* layerNorm(ConversionCtx* ctx, trt::ITensor* x, Var& weight, Var& bias, double eps,
                        const std::string& name) {
  trt::ITensor* scale = castTo(ctx, weight.ITensorOrFreeze(ctx), x->getType(), name + " [cast weight]");
  trt::ITensor* shift = castTo(ctx, bias.ITensorOrFreeze(ctx), x->getType(), name + " [cast bias]");
  auto* norm = ctx->net->addNormalization(*x, *scale, *shift, 1u << (rankOf(x) - 1));
  norm->setEpsilon(static_cast<float>(eps));
  norm->setName(name.c_str());
  return norm->getOutput(0);
}

trt::ITensor* sum(ConversionCtx* ctx, trt::ITensor* a, trt::ITensor* b, const std::string& name) {
  return addElementwise(ctx, E::kSUM, a, b, name)->getOutput(0);
}

// The layer as ATen's transformer_encoder_layer_forward computes it:
//   norm_first: x = src + attn(norm1(src));  out = x + ffn(norm2(x))
//   otherwise:  x = norm1(src + attn(src));  out = norm2(x + ffn(x))
// with ffn(x) = linear2(act(linear1(x))), act exact GELU (use_gelu) or ReLU.
bool transformerEncoderLayer(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  const std::string name = util::node_info(n);
  trt::ITensor* src = a[0].ITensorOrFreeze(ctx);
  TORCHTRT_CHECK(rankOf(src) == 3, "_transformer_encoder_layer_fwd takes a batched [B, L, E] input, got "
                                       << src->getDimensions().str() << ": " << name);
  const AttentionParams p = attentionParams(n, a, 1);
  const bool useGelu = a[7].unwrapToBool(), normFirst = a[8].unwrapToBool();
  const double eps = a[9].unwrapToDouble();
  trt::ITensor* blocked = blockedPositions(ctx, n, a[18], a[19], name);

  trt::ITensor* x = normFirst ? layerNorm(ctx, src, a[10], a[11], eps, name + " [norm1]") : src;
  x = multiHeadAttention(ctx, x, x, x, p, blocked, false, name + " [attention]").output;
  x = sum(ctx, x, src, name + " [attention residual]");
  if (!normFirst) x = layerNorm(ctx, x, a[10], a[11], eps, name + " [norm1]");

  trt::ITensor* h = normFirst ? layerNorm(ctx, x, a[12], a[13], eps, name + " [norm2]") : x;
  h = linear(ctx, h, weightArg(n, a[14], "ffn_weight_1"), weightArg(n, a[15], "ffn_bias_1"), name + " [linear1]");
  auto* act = ctx->net->addActivation(*h, useGelu ? trt::ActivationType::kGELU_ERF : trt::ActivationType::kRELU);
  act->setName((name + (useGelu ? " [gelu]" : " [relu]")).c_str());
  h = linear(ctx, act->getOutput(0), weightArg(n, a[16], "ffn_weight_2"), weightArg(n, a[17], "ffn_bias_2"),
             name + " [linear2]");
  trt::ITensor* out = sum(ctx, h, x, name + " [ffn residual]");
  if (!normFirst) out = layerNorm(ctx, out, a[12], a[13], eps, name + " [norm2]");
  return bindTensor(ctx, n, out) != nullptr;
}

auto transformerFastPathRegistrations =
    RegisterNodeConversionPatterns()
        .pattern(
            {"aten::_native_multi_head_attention(Tensor query, Tensor key, Tensor value, int embed_dim, int num_head, "
             "Tensor qkv_weight, Tensor qkv_bias, Tensor proj_weight, Tensor proj_bias, Tensor? mask=None, bool "
             "need_weights=True, bool average_attn_weights=True, int? mask_type=None) -> (Tensor, Tensor)",
             nativeMultiHeadAttention})
        .pattern({"aten::_transformer_encoder_layer_fwd(Tensor src, int embed_dim, int num_heads, Tensor qkv_weight, "
                  "Tensor qkv_bias, Tensor proj_weight, Tensor proj_bias, bool use_gelu, bool norm_first, float eps, "
                  "Tensor norm_weight_1, Tensor norm_bias_1, Tensor norm_weight_2, Tensor norm_bias_2, Tensor "
                  "ffn_weight_1, Tensor ffn_bias_1, Tensor ffn_weight_2, Tensor ffn_bias_2, Tensor? mask=None, int? "
                  "mask_type=None) -> Tensor",
                  transformerEncoderLayer});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
