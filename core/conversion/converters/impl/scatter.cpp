// scatter (src and value forms), scatter_add, scatter_reduce and scatter's reduce= forms (in-place
// forms arrive here once lowering makes them functional): the engine's element Scatter layer, with
// a reduction where the op has one. src may be larger than index (PyTorch reads its leading part).
#include "core/conversion/converters/converter_util.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {

bool scatterWith(ConversionCtx* ctx, const torch::jit::Node* n, args& a, trt::ITensor* updates,
                 trt::ScatterReduction reduction = trt::ScatterReduction::kNONE, bool includeSelf = true) {
  trt::ITensor* self = a[0].ITensorOrFreeze(ctx);
  const int64_t dim = util::normalizeDim(a[1].unwrapToInt(), rankOf(self), n);
  trt::ITensor* index = a[2].ITensorOrFreeze(ctx);
  const trt::DataType t = self->getType();
  const bool floating = t == trt::DataType::kFLOAT || t == trt::DataType::kHALF;
  TORCHTRT_CHECK(
      reduction == trt::ScatterReduction::kNONE || floating || t == trt::DataType::kINT32 || t == trt::DataType::kINT64,
      "scatter reductions take float, half, int32 or int64 tensors, got " << trt::dataTypeName(t) << ": "
                                                                          << util::node_info(n));
  TORCHTRT_CHECK(reduction != trt::ScatterReduction::kMEAN || floating,
                 "scatter_reduce's mean is converted for floating-point tensors only (PyTorch floors integer "
                 "means), got "
                     << trt::dataTypeName(t) << ": " << util::node_info(n));
  auto* layer = ctx->net->addScatter(*self, *index, *updates, static_cast<int32_t>(dim));
  layer->setReduction(reduction, includeSelf);
  layer->setName(util::node_info(n).c_str());
  return bindOutput(ctx, n, layer) != nullptr;
}

// src cast to self's type; its leading part when it is larger than the index.
trt::ITensor* srcUpdates(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
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
  return src;
}

// The value filled to the index's (static) shape in self's type.
trt::ITensor* valueUpdates(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  const std::string name = util::node_info(n);
  trt::ITensor* self = a[0].ITensorOrFreeze(ctx);
  trt::ITensor* index = a[2].ITensorOrFreeze(ctx);
  const trt::Dims idx = index->getDimensions();
  TORCHTRT_CHECK(idx.isStatic(),
                 "scatter with a scalar value needs a static index shape, got " << idx.str() << ": " << name);
  at::Tensor filled = at::full(util::toVec(idx), a[3].unwrapToScalar(), at::kFloat);
  trt::ITensor* updates =
      castTo(ctx, ctx->constantTensor(filled, name + " [value]"), self->getType(), name + " [dtype]");
  return updates;
}

// scatter's reduce= strings ("add", "multiply") and scatter_reduce's ("sum", "prod", "mean", "amax", "amin").
trt::ScatterReduction reductionNamed(const std::string& reduce, const torch::jit::Node* n) {
  if (reduce == "add" || reduce == "sum") return trt::ScatterReduction::kSUM;
  if (reduce == "multiply" || reduce == "prod") return trt::ScatterReduction::kPROD;
  if (reduce == "amax") return trt::ScatterReduction::kMAX;
  if (reduce == "amin") return trt::ScatterReduction::kMIN;
  if (reduce == "mean") return trt::ScatterReduction::kMEAN;
  TORCHTRT_THROW_ERROR("unknown scatter reduction '" << reduce << "': " << util::node_info(n));
}

bool scatterSrc(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  return scatterWith(ctx, n, a, srcUpdates(ctx, n, a));
}

bool scatterValue(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  return scatterWith(ctx, n, a, valueUpdates(ctx, n, a));
}

bool scatterAdd(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  return scatterWith(ctx, n, a, srcUpdates(ctx, n, a), trt::ScatterReduction::kSUM);
}

// scatter.reduce / scatter.value_reduce: reduce is "add" or "multiply", the data included.
bool scatterSrcReduce(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  return scatterWith(ctx, n, a, srcUpdates(ctx, n, a), reductionNamed(a[4].unwrapToString(), n));
}

bool scatterValueReduce(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  return scatterWith(ctx, n, a, valueUpdates(ctx, n, a), reductionNamed(a[4].unwrapToString(), n));
}

bool scatterReduce(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  return scatterWith(ctx, n, a, srcUpdates(ctx, n, a), reductionNamed(a[4].unwrapToString(), n), a[5].unwrapToBool());
}

auto scatterRegistrations =
    RegisterNodeConversionPatterns()
        .pattern({"aten::scatter.src(Tensor self, int dim, Tensor index, Tensor src) -> Tensor", scatterSrc})
        .pattern({"aten::scatter.value(Tensor self, int dim, Tensor index, Scalar value) -> Tensor", scatterValue})
        .pattern({"aten::scatter_add(Tensor self, int dim, Tensor index, Tensor src) -> Tensor", scatterAdd})
        .pattern({"aten::scatter.reduce(Tensor self, int dim, Tensor index, Tensor src, *, str reduce) -> Tensor",
                  scatterSrcReduce})
        .pattern({"aten::scatter.value_reduce(Tensor self, int dim, Tensor index, Scalar value, *, str reduce) -> "
                  "Tensor",
                  scatterValueReduce})
        .pattern({"aten::scatter_reduce.two(Tensor self, int dim, Tensor index, Tensor src, str reduce, *, bool "
                  "include_self=True) -> Tensor",
                  scatterReduce});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
