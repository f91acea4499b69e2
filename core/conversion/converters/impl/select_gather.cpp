// where / masked_fill (Select layer) and index_select / embedding (Gather layer).
#include "core/conversion/converters/converter_util.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {

trt::ITensor* asBool(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* t) {
  return castTo(ctx, t, trt::DataType::kBOOL, util::node_info(n) + " [to bool]");
}

bool where(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* cond = asBool(ctx, n, a[0].ITensorOrFreeze(ctx));
  trt::ITensor* x = a[1].ITensorOrFreeze(ctx);
  trt::ITensor* y = a[2].ITensorOrFreeze(ctx);
  if (x->getType() != y->getType()) {
    // PyTorch promotes; float wins over integers.
    bool xFloat = x->getType() == trt::DataType::kFLOAT;
    trt::DataType t = xFloat ? x->getType() : y->getType();
    x = castTo(ctx, x, t, util::node_info(n) + " [cast self]");
    y = castTo(ctx, y, t, util::node_info(n) + " [cast other]");
  }
  return bindOutput(ctx, n, ctx->net->addSelect(*cond, *x, *y)) != nullptr;
}

bool maskedFill(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  trt::ITensor* mask = asBool(ctx, n, a[1].ITensorOrFreeze(ctx));
  trt::ITensor* value = a[2].isITensor()
                            ? castTo(ctx, a[2].ITensor(), x->getType(), util::node_info(n) + " [cast value]")
                            : scalarConstant(ctx, a[2].unwrapToScalar(), x->getType(), util::node_info(n) + " [value]");
  return bindOutput(ctx, n, ctx->net->addSelect(*mask, *value, *x)) != nullptr;
}

bool indexSelect(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  int64_t dim = util::normalizeDim(a[1].unwrapToInt(), rankOf(x), n);
  trt::ITensor* index = a[2].ITensorOrFreeze(ctx);
  TORCHTRT_CHECK(rankOf(index) <= 1, "index_select takes a 1-D index, got " << index->getDimensions().str());
  return bindOutput(ctx, n, ctx->net->addGather(*x, *index, static_cast<int32_t>(dim))) != nullptr;
}

bool embedding(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* weight = a[0].ITensorOrFreeze(ctx);
  trt::ITensor* indices = a[1].ITensorOrFreeze(ctx);
  TORCHTRT_CHECK(rankOf(weight) == 2, "embedding weight must be 2-D, got " << weight->getDimensions().str());
  return bindOutput(ctx, n, ctx->net->addGather(*weight, *indices, 0)) != nullptr;
}

auto selectGatherRegistrations =
    RegisterNodeConversionPatterns()
        .pattern({"aten::where.self(Tensor condition, Tensor self, Tensor other) -> Tensor", where})
        .pattern({"aten::masked_fill.Scalar(Tensor self, Tensor mask, Scalar value) -> Tensor", maskedFill})
        .pattern({"aten::masked_fill.Tensor(Tensor self, Tensor mask, Tensor value) -> Tensor", maskedFill})
        .pattern({"aten::masked_fill_.Scalar(Tensor(a!) self, Tensor mask, Scalar value) -> Tensor(a!)", maskedFill})
        .pattern({"aten::masked_fill_.Tensor(Tensor(a!) self, Tensor mask, Tensor value) -> Tensor(a!)", maskedFill})
        .pattern({"aten::index_select(Tensor self, int dim, Tensor index) -> Tensor", indexSelect})
        .pattern({"aten::embedding(Tensor weight, Tensor indices, SymInt padding_idx=-1, bool "
                  "scale_grad_by_freq=False, bool sparse=False) -> Tensor",
                  embedding});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
