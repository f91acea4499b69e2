// scatter (src and value forms), scatter_add, scatter_reduce and scatter's reduce= forms, and
// index_add / index_copy / index_fill (in-place forms arrive here once lowering makes them
// functional): the engine's element Scatter layer, with a reduction where the op has one. src may be
// larger than index (PyTorch reads its leading part).
#include "core/conversion/converters/shape_tensors.h"
#include "core/conversion/converters/type_promotion.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {

// An element scatter of updates into self along dim with a reduction, computed in reductionType and
// cast back to self's type. A 0-dim self (and its 0-dim index and source) is one element along dim 0.
trt::ITensor* elementScatter(ConversionCtx* ctx, trt::ITensor* self, trt::ITensor* index, trt::ITensor* updates,
                             int64_t dim, trt::ScatterReduction reduction, bool includeSelf, const std::string& name) {
  const trt::DataType type = self->getType();
  const trt::DataType compute = reduction == trt::ScatterReduction::kNONE ? type : scatterReductionType(type);
  const bool scalar = rankOf(self) == 0;
  if (scalar) {
    self = reshape(ctx, self, {1}, name + " [as 1-D]");
    if (rankOf(index) == 0) index = reshape(ctx, index, {1}, name + " [index as 1-D]");
    if (rankOf(updates) == 0) updates = reshape(ctx, updates, {1}, name + " [source as 1-D]");
  }
  self = castTo(ctx, self, compute, name + " [self " + trt::dataTypeName(compute) + "]");
  updates = castTo(ctx, updates, compute, name + " [source " + trt::dataTypeName(compute) + "]");
  auto* layer = ctx->net->addScatter(*self, *index, *updates, static_cast<int32_t>(dim));
  layer->setReduction(reduction, includeSelf);
  layer->setName(name.c_str());
  trt::ITensor* out = castTo(ctx, layer->getOutput(0), type, name + " [result type]");
  return scalar ? reshape(ctx, out, {}, name + " [as 0-dim]") : out;
}

// scatter_reduce(mean) of an integer tensor: PyTorch divides the sum by the count of values summed
// (self counted when include_self, a position nothing is scattered to by 1) rounding down.
trt::ITensor* integerMean(ConversionCtx* ctx, trt::ITensor* self, trt::ITensor* index, trt::ITensor* updates,
                          int64_t dim, bool includeSelf, const std::string& name) {
  const trt::DataType type = self->getType();
  trt::ITensor* sum =
      elementScatter(ctx, self, index, updates, dim, trt::ScatterReduction::kSUM, includeSelf, name + " [sum]");
  auto filled = [&](trt::ITensor* like, int64_t value, const char* what) {
    return shape::broadcastTo(ctx, scalarConstant(ctx, value, type, name + what),
                              shape::shapeOf(ctx, like, name + what + " [shape]"), name + what);
  };
  trt::ITensor* count =
      elementScatter(ctx, filled(self, includeSelf ? 1 : 0, " [count init]"), index, filled(updates, 1, " [ones]"), dim,
                     trt::ScatterReduction::kSUM, true, name + " [count]");
  count = addElementwise(ctx, trt::ElementWiseOperation::kMAX, count, scalarConstant(ctx, 1, type, name + " [1]"),
                         name + " [count at least 1]")
              ->getOutput(0);
  return addElementwise(ctx, trt::ElementWiseOperation::kFLOOR_DIV, sum, count, name)->getOutput(0);
}

bool scatterWith(ConversionCtx* ctx, const torch::jit::Node* n, args& a, trt::ITensor* updates,
                 trt::ScatterReduction reduction = trt::ScatterReduction::kNONE, bool includeSelf = true) {
  const std::string name = util::node_info(n);
  trt::ITensor* self = a[0].ITensorOrFreeze(ctx);
  const int64_t dim = util::normalizeDim(a[1].unwrapToInt(), rankOf(self), n);
  trt::ITensor* index = a[2].ITensorOrFreeze(ctx);
  const trt::DataType t = self->getType();
  if (reduction == trt::ScatterReduction::kMEAN && !isFloatingType(t)) {
    TORCHTRT_CHECK(t != trt::DataType::kBOOL,
                   "scatter_reduce's mean of a bool tensor is not defined (PyTorch "
                   "raises): "
                       << name);
    return bindTensor(ctx, n, integerMean(ctx, self, index, updates, dim, includeSelf, name)) != nullptr;
  }
  return bindTensor(ctx, n, elementScatter(ctx, self, index, updates, dim, reduction, includeSelf, name)) != nullptr;
}

// src cast to self's type; its leading part when it is larger than the index.
trt::ITensor* srcUpdates(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  const std::string name = util::node_info(n);
  trt::ITensor* self = a[0].ITensorOrFreeze(ctx);
  trt::ITensor* index = a[2].ITensorOrFreeze(ctx);
  trt::ITensor* src = castTo(ctx, a[3].ITensorOrFreeze(ctx), self->getType(), name + " [src dtype]");
  const trt::Dims idx = index->getDimensions(), srcDims = src->getDimensions();
  TORCHTRT_CHECK(srcDims.nbDims == idx.nbDims, "scatter's index " << idx.str() << " and src " << srcDims.str()
                                                                  << " must have the same rank: " << name);
  if (idx.isStatic() && srcDims.isStatic()) {
    for (int d = 0; d < idx.nbDims; ++d)
      if (srcDims.d[d] != idx.d[d]) src = sliceAlong(ctx, src, d, 0, idx.d[d], 1, name + " [src part]");
    return src;
  }
  // Sizes known at run time only: src may still be larger than the index (PyTorch allows it), so its leading part
  // of the index's shape is read at run time (a view where it is the whole).
  return shape::slice(ctx, src, shape::int64Vector(ctx, std::vector<int64_t>(idx.nbDims, 0), name + " [src start]"),
                      shape::shapeOf(ctx, index, name + " [index shape]"), std::vector<int64_t>(idx.nbDims, 1),
                      name + " [src part]");
}

// The value filled to the index's (static) shape in self's type.
trt::ITensor* valueUpdates(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  const std::string name = util::node_info(n);
  trt::ITensor* self = a[0].ITensorOrFreeze(ctx);
  trt::ITensor* index = a[2].ITensorOrFreeze(ctx);
  const trt::Dims idx = index->getDimensions();
  TORCHTRT_CHECK(idx.isStatic(),
                 "scatter with a scalar value needs a static index shape, got " << idx.str() << ": " << name);
  // Made in self's type directly, as PyTorch converts the value (through float32, 16777217 became 16777216).
  at::Tensor filled = at::full(util::toVec(idx), a[3].unwrapToScalar(),
                               at::TensorOptions().dtype(util::TRTDataTypeToScalarType(self->getType())));
  return ctx->constantTensor(filled, name + " [value]");
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

// index_add / index_copy / index_fill: a 1-D index along `dim` becomes an element scatter whose
// index tensor repeats index[i] over the source's slice i. `dim` itself must be static; the other dims may be
// dynamic (the index broadcast at run time). Negative indices wrap by its size for index_fill only: index_add and
// index_copy refuse them in PyTorch, and the scatter refuses them here.
trt::ITensor* indexAlong(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* self, int64_t dim,
                         trt::ITensor* index, trt::ITensor* updates, bool wrapNegative) {
  const std::string name = util::node_info(n);
  TORCHTRT_CHECK(rankOf(index) <= 1, "the index of " << name << " must be 1-D, got " << index->getDimensions().str());
  TORCHTRT_CHECK(self->getDimensions().d[dim] >= 0 && index->getDimensions().isStatic(),
                 "dimension " << dim << " of self " << self->getDimensions().str() << " and the index "
                              << index->getDimensions().str() << " must be static: " << name);
  const std::vector<int64_t> updatesShape = util::toVec(updates->getDimensions());
  std::vector<int64_t> column(updatesShape.size(), 1);
  column[static_cast<size_t>(dim)] = index->getDimensions().volume();
  trt::ITensor* position = wrapNegative ? wrappedIndex(ctx, index, self->getDimensions().d[dim], name)
                                        : castTo(ctx, index, trt::DataType::kINT64, name + " [int64]");
  trt::ITensor* wrapped = reshape(ctx, position, column, name + " [index along dim]");
  if (!updates->getDimensions().isStatic())
    return shape::broadcastTo(ctx, wrapped, shape::shapeOf(ctx, updates, name + " [source shape]"),
                              name + " [index everywhere]");
  return expandTo(ctx, wrapped, updatesShape, name + " [index everywhere]");
}

// A 0-dim self (PyTorch takes it as one element along dim 0) and its 0-dim source or value as [1].
trt::ITensor* asOneElement(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* t) {
  return rankOf(t) == 0 ? reshape(ctx, t, {1}, util::node_info(n) + " [as 1-D]") : t;
}

bool indexScatter(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* self, int64_t dim, trt::ITensor* index,
                  trt::ITensor* updates, trt::ScatterReduction reduction, bool wrapNegative) {
  const std::string name = util::node_info(n);
  trt::ITensor* indices =
      indexAlong(ctx, n, asOneElement(ctx, n, self), dim, index, asOneElement(ctx, n, updates), wrapNegative);
  return bindTensor(ctx, n, elementScatter(ctx, self, indices, updates, dim, reduction, true, name)) != nullptr;
}

bool indexAdd(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  const std::string name = util::node_info(n);
  trt::ITensor* self = a[0].ITensorOrFreeze(ctx);
  const int64_t dim = util::normalizeDim(a[1].unwrapToInt(), rankOf(self), n);
  trt::ITensor* source = castTo(ctx, a[3].ITensorOrFreeze(ctx), self->getType(), name + " [source dtype]");
  const at::Scalar alpha = a[4].unwrapToScalar();
  if (!(alpha.isIntegral(false) && alpha.toLong() == 1))
    source = addElementwise(ctx, trt::ElementWiseOperation::kPROD, source,
                            scalarConstant(ctx, alpha, self->getType(), name + " [alpha]"), name + " [* alpha]")
                 ->getOutput(0);
  return indexScatter(ctx, n, self, dim, a[2].ITensorOrFreeze(ctx), source, trt::ScatterReduction::kSUM, false);
}

bool indexCopy(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* self = a[0].ITensorOrFreeze(ctx);
  const int64_t dim = util::normalizeDim(a[1].unwrapToInt(), rankOf(self), n);
  trt::ITensor* source = castTo(ctx, a[3].ITensorOrFreeze(ctx), self->getType(), util::node_info(n) + " [dtype]");
  return indexScatter(ctx, n, self, dim, a[2].ITensorOrFreeze(ctx), source, trt::ScatterReduction::kNONE, false);
}

bool indexFill(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  const std::string name = util::node_info(n);
  trt::ITensor* self = a[0].ITensorOrFreeze(ctx);
  const int64_t dim = util::normalizeDim(a[1].unwrapToInt(), rankOf(self), n);
  trt::ITensor* index = a[2].ITensorOrFreeze(ctx);
  TORCHTRT_CHECK(index->getDimensions().isStatic(),
                 "the index " << index->getDimensions().str() << " of " << name << " must be static");
  std::vector<int64_t> shape = util::toVec(self->getDimensions());
  if (shape.empty()) shape = {1};  // a 0-dim self is one element along dim 0
  shape[static_cast<size_t>(dim)] = index->getDimensions().volume();
  trt::ITensor* value = a[3].isITensor()
                            ? castTo(ctx, a[3].ITensor(), self->getType(), name + " [value dtype]")
                            : scalarConstant(ctx, a[3].unwrapToScalar(), self->getType(), name + " [value]");
  value = reshape(ctx, value, {}, name + " [value scalar]");
  // The filled slices: self's shape (read at run time where dynamic) with `dim` the index's length.
  trt::ITensor* updates =
      self->getDimensions().isStatic()
          ? expandTo(ctx, value, shape, name + " [filled]")
          : shape::broadcastTo(ctx, value,
                               shape::shapeOf(ctx, self, name + " [filled shape]",
                                              {{dim, shape::int64Vector(ctx, {shape[dim]}, name + " [count]")}}),
                               name + " [filled]");
  return indexScatter(ctx, n, self, dim, index, updates, trt::ScatterReduction::kNONE, true);
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
                  scatterReduce})
        .pattern({"aten::index_add(Tensor self, int dim, Tensor index, Tensor source, *, Scalar alpha=1) -> Tensor",
                  indexAdd})
        .pattern({"aten::index_copy(Tensor self, int dim, Tensor index, Tensor source) -> Tensor", indexCopy})
        .pattern({"aten::index_fill.int_Scalar(Tensor self, int dim, Tensor index, Scalar value) -> Tensor", indexFill})
        .pattern(
            {"aten::index_fill.int_Tensor(Tensor self, int dim, Tensor index, Tensor value) -> Tensor", indexFill});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
