// index_put (x[indices] = values, accumulate for +=; in-place forms arrive functional): a boolean
// mask with a value that broadcasts becomes a Select, with one value per selected position an ND
// Scatter at the mask's NonZero positions; integer index tensors become an ND Scatter (a sum
// reduction when accumulating). Index tensors broadcast together to B; the indexed dimensions move
// to the front for the scatter and back after it; values broadcast to PyTorch's indexing result
// shape (read at run time where self's unindexed dims are dynamic).
#include "core/conversion/converters/shape_tensors.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {

std::vector<int64_t> broadcastShape(std::vector<int64_t> a, const std::vector<int64_t>& b, const std::string& name) {
  if (a.size() < b.size()) a.insert(a.begin(), b.size() - a.size(), 1);
  for (size_t i = 0; i < b.size(); ++i) {
    const int64_t bi = b[b.size() - 1 - i];
    int64_t& ai = a[a.size() - 1 - i];
    // -1: a dynamic dim, which must agree at run time.
    TORCHTRT_CHECK(ai == bi || ai == 1 || bi == 1 || ai < 0 || bi < 0, "index_put: shapes do not broadcast: " << name);
    if (ai == 1 || (ai < 0 && bi > 1)) ai = bi;
  }
  return a;
}

// `t` broadcast to `shape` (static); itself when it has that shape.
trt::ITensor* broadcastTo(ConversionCtx* ctx, trt::ITensor* t, const std::vector<int64_t>& shape,
                          const std::string& name) {
  return util::toVec(t->getDimensions()) == shape ? t : expandTo(ctx, t, shape, name + " [broadcast]");
}

// x[mask] = values with one value per selected position (values [count, rest...]): the selected
// positions (NonZero of the mask, a data-dependent count) as index tuples of an ND scatter.
bool maskPutSeveral(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* x, trt::ITensor* mask,
                    trt::ITensor* values, bool accumulate) {
  const std::string name = util::node_info(n);
  auto* found = ctx->net->addNonZero(*castTo(ctx, mask, trt::DataType::kBOOL, name + " [mask]"));
  found->setName((name + " [selected]").c_str());
  auto* tuples = ctx->net->addShuffle(*found->getOutput(0));  // [k, count] -> [count, k]
  tuples->setFirstTranspose(toPermutation({1, 0}));
  const trt::DataType type = x->getType(), compute = accumulate ? scatterReductionType(type) : type;
  auto* scatter = ctx->net->addScatter(*castTo(ctx, x, compute, name + " [self compute type]"), *tuples->getOutput(0),
                                       *castTo(ctx, values, compute, name + " [values compute type]"), 0);
  scatter->setMode(trt::ScatterMode::kND);
  if (accumulate) scatter->setReduction(trt::ScatterReduction::kSUM);
  scatter->setName(name.c_str());
  return bindTensor(ctx, n, castTo(ctx, scatter->getOutput(0), type, name + " [result type]")) != nullptr;
}

// x[mask] = value (or += value): a Select over the mask, which covers x's leading dimensions; values
// that broadcast over the unmasked dimensions, or one value per selected position (a scatter).
bool maskPut(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* x, trt::ITensor* mask, trt::ITensor* values,
             bool accumulate) {
  const std::string name = util::node_info(n);
  const trt::Dims xd = x->getDimensions(), md = mask->getDimensions(), vd = values->getDimensions();
  bool leading = md.nbDims <= xd.nbDims;
  // Dynamic sizes must agree when the engine runs, as PyTorch requires.
  for (int i = 0; leading && i < md.nbDims; ++i) leading = md.d[i] == xd.d[i] || md.d[i] < 0 || xd.d[i] < 0;
  TORCHTRT_CHECK(leading,
                 "index_put with a boolean mask is converted for a mask over the tensor's leading dimensions; "
                 "got mask "
                     << md.str() << " on " << xd.str() << ": " << name);
  // Values with a leading per-position dimension: [count, x's unmasked dims...].
  const int rest = xd.nbDims - md.nbDims;
  bool perPosition = vd.nbDims == rest + 1 && vd.d[0] != 1;
  for (int i = 0; perPosition && i < rest; ++i) perPosition = vd.d[i + 1] == xd.d[md.nbDims + i];
  if (perPosition) return maskPutSeveral(ctx, n, x, mask, values, accumulate);
  TORCHTRT_CHECK(vd.nbDims <= rest || vd.volume() == 1,
                 "index_put with a boolean mask takes one value, values broadcasting over the unmasked dimensions, or "
                 "one row per selected position; got values "
                     << vd.str() << " for mask " << md.str() << " on " << xd.str() << ": " << name);
  std::vector<std::vector<int64_t>> groups;  // the mask's dims, then size-1 dims that broadcast
  for (int i = 0; i < xd.nbDims; ++i)
    groups.push_back(i < md.nbDims ? std::vector<int64_t>{i} : std::vector<int64_t>{});
  trt::ITensor* condition =
      shape::regroup(ctx, castTo(ctx, mask, trt::DataType::kBOOL, name + " [mask]"), groups, name + " [mask dims]");
  trt::ITensor* value = vd.volume() == 1 ? reshape(ctx, values, {}, name + " [value]") : values;
  if (accumulate) value = addElementwise(ctx, trt::ElementWiseOperation::kSUM, x, value, name + " [+=]")->getOutput(0);
  return bindOutput(ctx, n, ctx->net->addSelect(*condition, *value, *x)) != nullptr;
}

bool indexPut(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  const std::string name = util::node_info(n);
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  std::vector<trt::ITensor*> list;
  if (a[1].type() == Var::kITensorList) {
    list = a[1].unwrapToITensorList(ctx);
  } else {
    for (const auto& v : a[1].IValue()->toListRef())
      list.push_back(v.isNone() ? nullptr : ctx->constantTensor(v.toTensor().cpu(), name + " [index]"));
  }
  trt::ITensor* values = castTo(ctx, a[2].ITensorOrFreeze(ctx), x->getType(), name + " [values dtype]");
  const bool accumulate = a[3].unwrapToBool();
  const trt::Dims xd = x->getDimensions();
  const int rank = xd.nbDims;
  TORCHTRT_CHECK(static_cast<int>(list.size()) <= rank,
                 "index_put has " << list.size() << " indices for a rank-" << rank << " tensor: " << name);
  std::vector<int> indexed, others;
  for (int d = 0; d < rank; ++d) (d < static_cast<int>(list.size()) && list[d] ? indexed : others).push_back(d);
  TORCHTRT_CHECK(!indexed.empty(), "index_put without an index tensor: " << name);
  if (indexed.size() == 1 && list[indexed[0]]->getType() == trt::DataType::kBOOL) {
    TORCHTRT_CHECK(indexed[0] == 0, "index_put with a boolean mask after a full slice has no converter: " << name);
    return maskPut(ctx, n, x, list[0], values, accumulate);
  }
  // The index tensors must be static; any dim of self (and values) may be dynamic: negative indices
  // then count from the run-time size and values broadcast to the indexing result's run-time shape.
  // B: the index tensors' common shape; each index wrapped into [0, size) and broadcast to B.
  std::vector<int64_t> B;
  for (int d : indexed) {
    const trt::DataType t = list[d]->getType();
    TORCHTRT_CHECK(t == trt::DataType::kINT32 || t == trt::DataType::kINT64,
                   "index_put takes integer index tensors or one boolean mask: " << name);
    requireStaticShape(n, list[d], "index");
    B = broadcastShape(B, util::toVec(list[d]->getDimensions()), name);
  }
  std::vector<trt::ITensor*> columns;
  std::vector<int64_t> column = B;
  column.push_back(1);
  for (int d : indexed) {
    const std::string part = name + " [index " + std::to_string(d) + "]";
    trt::ITensor* wrapped = wrappedIndex(ctx, list[d], shape::dimension(ctx, x, d, part + " [size]"), part);
    columns.push_back(reshape(ctx, broadcastTo(ctx, wrapped, B, part), column, part + " [column]"));
  }
  trt::ITensor* tuples = columns[0];
  if (columns.size() > 1) {
    auto* cat = ctx->net->addConcatenation(columns.data(), static_cast<int32_t>(columns.size()));
    cat->setAxis(static_cast<int32_t>(B.size()));
    cat->setName((name + " [tuples]").c_str());
    tuples = cat->getOutput(0);
  }
  // PyTorch's indexing result shape (what values broadcast to): adjacent indexed dims stay in place
  // (before + B + after), separated ones go first (B + the others).
  const bool adjacent = indexed.back() - indexed.front() + 1 == static_cast<int>(indexed.size());
  std::vector<int64_t> result;
  std::vector<int> resultFrom;  // the dim of x each entry comes from, -1 for B's
  auto fromX = [&](int d) {
    result.push_back(xd.d[d]);
    resultFrom.push_back(d);
  };
  auto fromB = [&]() {
    result.insert(result.end(), B.begin(), B.end());
    resultFrom.insert(resultFrom.end(), B.size(), -1);
  };
  if (adjacent) {
    for (int d = 0; d < indexed.front(); ++d) fromX(d);
    fromB();
    for (int d = indexed.back() + 1; d < rank; ++d) fromX(d);
  } else {
    fromB();
    for (int d : others) fromX(d);
  }
  TORCHTRT_CHECK(
      broadcastShape(util::toVec(values->getDimensions()), result, name) == result,
      "index_put: values " << values->getDimensions().str() << " do not broadcast to the indexed shape: " << name);
  bool known = true;
  for (int64_t d : result) known &= d >= 0;
  trt::ITensor* updates = nullptr;
  if (known) {
    updates = broadcastTo(ctx, values, result, name + " [values]");
  } else {  // the result's shape with x's dynamic dims read at run time
    std::vector<trt::ITensor*> parts;
    for (size_t i = 0; i < result.size(); ++i)
      parts.push_back(resultFrom[i] < 0 || result[i] >= 0
                          ? shape::int64Vector(ctx, {result[i]}, name + " [result size]")
                          : shape::asElement(ctx, shape::dimension(ctx, x, resultFrom[i], name + " [size]"), name));
    updates = shape::broadcastTo(ctx, values, shape::concat(ctx, parts, name + " [result shape]"), name + " [values]");
  }
  // The scatter's layout: indexed dims first. Values of the adjacent form move B to the front too.
  std::vector<int64_t> order(indexed.begin(), indexed.end());
  order.insert(order.end(), others.begin(), others.end());
  if (adjacent && indexed.front() > 0) {
    std::vector<int64_t> valuesOrder;
    const int64_t before = indexed.front(), b = static_cast<int64_t>(B.size());
    for (int64_t i = 0; i < b; ++i) valuesOrder.push_back(before + i);
    for (int64_t i = 0; i < before; ++i) valuesOrder.push_back(i);
    for (int64_t i = before + b; i < static_cast<int64_t>(result.size()); ++i) valuesOrder.push_back(i);
    updates = transposed(ctx, updates, valuesOrder, name + " [values to front]");
  }
  trt::ITensor* data = transposed(ctx, x, order, name + " [indexed dims to front]");
  const trt::DataType type = x->getType(), compute = accumulate ? scatterReductionType(type) : type;
  auto* scatter = ctx->net->addScatter(*castTo(ctx, data, compute, name + " [self compute type]"), *tuples,
                                       *castTo(ctx, updates, compute, name + " [values compute type]"), 0);
  scatter->setMode(trt::ScatterMode::kND);
  if (accumulate) scatter->setReduction(trt::ScatterReduction::kSUM);
  scatter->setName(name.c_str());
  std::vector<int64_t> inverse(order.size());
  for (size_t i = 0; i < order.size(); ++i) inverse[static_cast<size_t>(order[i])] = static_cast<int64_t>(i);
  trt::ITensor* out = castTo(ctx, scatter->getOutput(0), type, name + " [result type]");
  return bindTensor(ctx, n, transposed(ctx, out, inverse, name + " [dims back]")) != nullptr;
}

auto indexPutRegistrations = RegisterNodeConversionPatterns().pattern(
    {"aten::index_put(Tensor self, Tensor?[] indices, Tensor values, bool accumulate=False) -> Tensor", indexPut});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
