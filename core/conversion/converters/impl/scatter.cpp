// scatter (src and value forms; scatter_ arrives here once lowering makes it functional): the
// engine's element Scatter layer. src may be larger than index (PyTorch reads its leading part).
#include "core/conversion/converters/converter_util.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {

bool scatterWith(ConversionCtx* ctx, const torch::jit::Node* n, args& a, trt::ITensor* updates) {
  trt::ITensor* self = a[0].ITensorOrFreeze(ctx);
  const int64_t dim = util::normalizeDim(a[1].unwrapToInt(), rankOf(self), n);
  trt::ITensor* index = a[2].ITensorOrFreeze(ctx);
  auto* layer = ctx->net->addScatter(*self, *index, *updates, static_cast<int32_t>(dim));
  layer->setName(util::node_info(n).c_str());
  return bindOutput(ctx, n, layer) != nullptr;
}

bool scatterSrc(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  const std::string name = util::node_info(n);
  trt::ITensor* self = a[0].ITensorOrFreeze(ctx);
  trt::ITensor* index = a[2].ITensorOrFreeze(ctx);
  trt::ITensor* src = castTo(ctx, a[3].ITensorOrFreeze(ctx), self->getType(), name + " [src dtype]");
  const trt::Dims idx = index->getDimensions(), srcDims = src->getDimensions();
  if (srcDims != idx) {
    TORCHTRT_CHECK(idx.isStatic() && srcDims.nbDims == idx.nbDims,
                   "scatter reads the leading part of src, which needs static shapes here: index "
                       << idx.str() << ", src " << srcDims.str() << ": " << name);
    for (int d = 0; d < idx.nbDims; ++d) src = sliceAlong(ctx, src, d, 0, idx.d[d], 1, name + " [src part]");
  }
  return scatterWith(ctx, n, a, src);
}

bool scatterValue(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  const std::string name = util::node_info(n);
  trt::ITensor* self = a[0].ITensorOrFreeze(ctx);
  trt::ITensor* index = a[2].ITensorOrFreeze(ctx);
  const trt::Dims idx = index->getDimensions();
  TORCHTRT_CHECK(idx.isStatic(),
                 "scatter with a scalar value needs a static index shape, got " << idx.str() << ": " << name);
  at::Tensor filled = at::full(util::toVec(idx), a[3].unwrapToScalar(), at::kFloat);
  trt::ITensor* updates =
      castTo(ctx, ctx->constantTensor(filled, name + " [value]"), self->getType(), name + " [dtype]");
  return scatterWith(ctx, n, a, updates);
}

auto scatterRegistrations =
    RegisterNodeConversionPatterns()
        .pattern({"aten::scatter.src(Tensor self, int dim, Tensor index, Tensor src) -> Tensor", scatterSrc})
        .pattern({"aten::scatter.value(Tensor self, int dim, Tensor index, Scalar value) -> Tensor", scatterValue});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
