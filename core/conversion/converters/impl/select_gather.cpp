// where / masked_fill (Select layer), index_select / index / gather / embedding (Gather layer), one_hot.
#include "core/conversion/converters/data_dependent.h"
#include "core/conversion/converters/shape_tensors.h"
#include "core/conversion/converters/type_promotion.h"

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
  // PyTorch's promotion of the two branches: a 0-d branch does not widen a dimensioned one of its category
  // (where(c, x_half, tensor(3.1)) is float16, where(c, x_int32, tensor(2**40)) int32).
  auto branches = promotedOperands(ctx, n, a, {1, 2});
  return bindOutput(ctx, n, ctx->net->addSelect(*cond, *branches[0], *branches[1])) != nullptr;
}

// where with one or both branches a Scalar: the branches in torch.result_type (a scalar takes the tensor branch's
// type unless its category is higher; two scalars give float32 when either is floating, else int64).
bool whereScalar(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* cond = asBool(ctx, n, a[0].ITensorOrFreeze(ctx));
  auto branches = promotedOperands(ctx, n, a, {1, 2});
  return bindOutput(ctx, n, ctx->net->addSelect(*cond, *branches[0], *branches[1])) != nullptr;
}

// PyTorch raises where a Scalar fill value overflows the tensor's type ("value cannot be converted to type
// c10::Half without overflow": masked_fill(m, -1e9) of a float16 tensor); the engine would store inf (or wrap). The
// Scalar's own checked conversion to the tensor's type is PyTorch's rule.
void refuseOverflowingFill(const torch::jit::Node* n, trt::DataType type, const at::Scalar& value) {
  try {
    AT_DISPATCH_ALL_TYPES_AND3(at::kHalf, at::kBFloat16, at::kBool, util::TRTDataTypeToScalarType(type), "fill",
                               [&] { (void)value.to<scalar_t>(); });
  } catch (const std::exception&) {  // c10::report_overflow throws a std::runtime_error
    TORCHTRT_THROW_ERROR("Unable to convert node: " << util::node_info(n) << "\nthe fill value " << value.toDouble()
                                                    << " cannot be converted to " << trt::dataTypeName(type)
                                                    << " without overflow (PyTorch raises)");
  }
}

bool maskedFill(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  trt::ITensor* mask = asBool(ctx, n, a[1].ITensorOrFreeze(ctx));
  if (!a[2].isITensor() && a[2].isIValue() && a[2].IValue()->isScalar())
    refuseOverflowingFill(n, x->getType(), a[2].unwrapToScalar());
  trt::ITensor* value = a[2].isITensor()
                            ? castTo(ctx, a[2].ITensor(), x->getType(), util::node_info(n) + " [cast value]")
                            : scalarConstant(ctx, a[2].unwrapToScalar(), x->getType(), util::node_info(n) + " [value]");
  return bindOutput(ctx, n, ctx->net->addSelect(*mask, *value, *x)) != nullptr;
}

// PyTorch takes a 0-dim tensor as one element along dim 0 or -1: such a tensor is gathered from as [1].
int64_t gatherDim(const torch::jit::Node* n, trt::ITensor* x, int64_t dim) {
  if (rankOf(x) > 0) return util::normalizeDim(dim, rankOf(x), n);
  TORCHTRT_CHECK(dim == 0 || dim == -1,
                 "dimension " << dim << " is out of range for a 0-dim tensor (0 or -1) in " << util::node_info(n));
  return 0;
}

// A 0-dim index selects like a [1] one (the output keeps the dim); from a 0-dim tensor the output is 0-dim.
bool indexSelect(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  const std::string name = util::node_info(n);
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  const int64_t dim = gatherDim(n, x, a[1].unwrapToInt());
  trt::ITensor* index = a[2].ITensorOrFreeze(ctx);
  TORCHTRT_CHECK(rankOf(index) <= 1, "index_select takes a 1-D index, got " << index->getDimensions().str());
  if (rankOf(index) == 0) index = reshape(ctx, index, {1}, name + " [index as 1-D]");
  if (rankOf(x) > 0) return bindOutput(ctx, n, ctx->net->addGather(*x, *index, static_cast<int32_t>(dim))) != nullptr;
  auto* gather = ctx->net->addGather(*reshape(ctx, x, {1}, name + " [as 1-D]"), *index, 0);
  gather->setName(name.c_str());
  return bindTensor(ctx, n, reshape(ctx, gather->getOutput(0), {}, name + " [0-dim]")) != nullptr;
}

// x[..., idx, ...] with one integer index tensor computed at run time: a gather along its dimension,
// negative indices wrapped as PyTorch does.
bool indexRunTime(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* x,
                  const std::vector<trt::ITensor*>& list) {
  const std::string name = util::node_info(n);
  int64_t dim = -1;
  for (size_t i = 0; i < list.size(); ++i) {
    if (!list[i]) continue;
    dim = static_cast<int64_t>(i);  // the one index tensor (indexTensor sends several to indexSeveral)
  }
  TORCHTRT_CHECK(dim >= 0 && dim < rankOf(x),
                 "index needs one index tensor within the rank of " << x->getDimensions().str() << ": " << name);
  trt::ITensor* idx = list[dim];
  if (idx->getType() == trt::DataType::kBOOL || idx->getType() == trt::DataType::kUINT8)
    return bindTensor(ctx, n, selectByMask(ctx, n, x, idx, dim)) != nullptr;  // a data-dependent count
  TORCHTRT_CHECK(idx->getType() == trt::DataType::kINT32 || idx->getType() == trt::DataType::kINT64,
                 "a floating index has no converter (torch refuses it too): " << name);
  // Negative indices count from the end: of the run-time size where the dim is dynamic.
  trt::ITensor* size = shape::dimension(ctx, x, dim, name + " [size]");
  return bindOutput(ctx, n, ctx->net->addGather(*x, *wrappedIndex(ctx, idx, size, name), static_cast<int32_t>(dim))) !=
         nullptr;
}

// x[i0, i1, ...] with several index tensors, broadcast together to B: the indexed dimensions merge
// into one whose position is sum_d i_d * stride_d, read by one gather (sizes and strides read at run
// time where dynamic). Adjacent indexed dimensions keep their place (result: before + B + after);
// separated ones move to the front first (result: B + the others), PyTorch's advanced-indexing rule.
bool indexSeveral(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* x,
                  const std::vector<trt::ITensor*>& list) {
  const std::string name = util::node_info(n);
  const int rank = static_cast<int>(x->getDimensions().nbDims);
  std::vector<int> indexed, others;
  for (int d = 0; d < rank; ++d) (d < static_cast<int>(list.size()) && list[d] ? indexed : others).push_back(d);
  TORCHTRT_CHECK(static_cast<int>(list.size()) <= rank,
                 "index has " << list.size() << " entries for a rank-" << rank << " tensor: " << name);
  for (int d : indexed) {
    const trt::DataType t = list[d]->getType();
    TORCHTRT_CHECK(t == trt::DataType::kINT32 || t == trt::DataType::kINT64,
                   "a boolean or floating index computed at run time has no converter (its output size depends on "
                   "the data): "
                       << name);
  }
  trt::ITensor* linear = nullptr;
  trt::ITensor* stride = nullptr;  // the product of the later indexed dims' sizes
  // Each index must lie within its own dimension ([-size, size), as PyTorch checks): a merged position alone would
  // let x[0, 3] of a [4, 3] tensor read x[1, 0]. Where one does not, the position becomes one past the merged
  // dimension's end, which the gather refuses (CPU) or reads as zeros (CUDA, as a single out-of-range index).
  trt::ITensor* within = nullptr;
  for (auto it = indexed.rbegin(); it != indexed.rend(); ++it) {
    const std::string part = name + " [index " + std::to_string(*it) + "]";
    trt::ITensor* size = shape::dimension(ctx, x, *it, part + " [size]");
    trt::ITensor* inside = nullptr;
    trt::ITensor* term = wrappedIndex(ctx, list[*it], size, part, &inside);
    within =
        within
            ? addElementwise(ctx, trt::ElementWiseOperation::kAND, within, inside, part + " [all within]")->getOutput(0)
            : inside;
    if (stride)
      term = addElementwise(ctx, trt::ElementWiseOperation::kPROD, term, stride, part + " [* stride]")->getOutput(0);
    linear =
        linear ? addElementwise(ctx, trt::ElementWiseOperation::kSUM, linear, term, part + " [+]")->getOutput(0) : term;
    stride = stride ? shape::arith(ctx, trt::ElementWiseOperation::kPROD, stride, size, part + " [stride]") : size;
  }
  auto* pastEnd = ctx->net->addSelect(*within, *linear, *stride);  // stride: the merged dimension's size
  pastEnd->setName((name + " [an index outside its dimension reads past the end]").c_str());
  linear = pastEnd->getOutput(0);
  const bool adjacent = indexed.back() - indexed.front() + 1 == static_cast<int>(indexed.size());
  trt::ITensor* source = x;
  if (!adjacent) {  // the indexed dims first, in order
    std::vector<int64_t> order(indexed.begin(), indexed.end());
    order.insert(order.end(), others.begin(), others.end());
    auto* permute = ctx->net->addShuffle(*x);
    permute->setFirstTranspose(toPermutation(order));
    permute->setName((name + " [indexed dims first]").c_str());
    source = permute->getOutput(0);
  }
  // The layout the gather reads: [before..., merged, after...].
  const int mergedAt = adjacent ? indexed.front() : 0, mergedCount = static_cast<int>(indexed.size());
  std::vector<std::vector<int64_t>> groups;
  for (int j = 0; j < rank; ++j) {
    if (j > mergedAt && j < mergedAt + mergedCount)
      groups.back().push_back(j);
    else
      groups.push_back({j});
  }
  trt::ITensor* merged = shape::regroup(ctx, source, groups, name + " [merge indexed dims]");
  auto* gather = ctx->net->addGather(*merged, *linear, mergedAt);
  gather->setName((name + " [the indexed dims as one; an index outside its own dim reads past its end]").c_str());
  return bindOutput(ctx, n, gather) != nullptr;
}

// A compile-time index tensor as an int64 constant: a 1-D boolean mask becomes the positions it
// selects; entries are range-checked against the dimension's size.
trt::ITensor* constantIndex(ConversionCtx* ctx, const torch::jit::Node* n, at::Tensor idx, trt::ITensor* x,
                            int64_t dim) {
  const std::string name = util::node_info(n);
  const int64_t size = x->getDimensions().d[dim];
  if (idx.scalar_type() == at::kBool || idx.scalar_type() == at::kByte) {
    TORCHTRT_CHECK(idx.dim() == 1 && (size < 0 || idx.size(0) == size),
                   "a boolean index must be 1-D and match dimension " << dim << " (" << size << "): " << name);
    idx = idx.nonzero().flatten();
  }
  TORCHTRT_CHECK(!at::isFloatingType(idx.scalar_type()), "index tensors must be integer or bool: " << name);
  idx = idx.to(at::kLong);
  if (size < 0) {
    // A dynamic dim: negative indices count from its run-time size, and the gather refuses indices
    // outside it when the engine runs.
    trt::ITensor* constant = ctx->constantTensor(idx, name + " [indices " + std::to_string(dim) + "]");
    if (idx.numel() == 0 || idx.min().item<int64_t>() >= 0) return constant;
    return wrappedIndex(ctx, constant, shape::dimension(ctx, x, dim, name + " [size]"), name);
  }
  idx = at::where(idx < 0, idx + size, idx);
  TORCHTRT_CHECK(idx.numel() == 0 || (idx.min().item<int64_t>() >= 0 && idx.max().item<int64_t>() < size),
                 "index out of range for dimension " << dim << " of size " << size << ": " << name);
  return ctx->constantTensor(idx, name + " [indices " + std::to_string(dim) + "]");
}

bool indexTensor(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  const std::string name = util::node_info(n);
  std::vector<trt::ITensor*> list;
  if (a[1].type() == Var::kITensorList) {
    list = a[1].unwrapToITensorList(ctx);
  } else {
    TORCHTRT_CHECK(a[1].isIValue(), "index with index tensors computed at run time has no converter yet: " << name);
    const auto constants = a[1].IValue()->toListRef();
    TORCHTRT_CHECK(static_cast<int64_t>(constants.size()) <= rankOf(x),
                   "index has " << constants.size() << " entries for a rank-" << rankOf(x) << " tensor: " << name);
    for (size_t d = 0; d < constants.size(); ++d)
      list.push_back(constants[d].isNone()
                         ? nullptr
                         : constantIndex(ctx, n, constants[d].toTensor().cpu(), x, static_cast<int64_t>(d)));
  }
  int count = 0;
  for (auto* t : list) count += t != nullptr;
  TORCHTRT_CHECK(count > 0, "index without an index tensor: " << name);
  if (count > 1) return indexSeveral(ctx, n, x, list);
  return indexRunTime(ctx, n, x, list);
}

// torch.gather: one element per index along `dim`.
// A 0-dim self or index counts as 1-D (PyTorch's gather of a scalar); the output has the index's shape.
bool gatherElements(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  const std::string name = util::node_info(n);
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  const int64_t dim = gatherDim(n, x, a[1].unwrapToInt());
  trt::ITensor* index = a[2].ITensorOrFreeze(ctx);
  const bool zeroDimIndex = rankOf(index) == 0;
  if (rankOf(x) > 0 && !zeroDimIndex) {
    auto* layer = ctx->net->addGather(*x, *index, static_cast<int32_t>(dim));
    layer->setMode(trt::GatherMode::kELEMENT);
    return bindOutput(ctx, n, layer) != nullptr;
  }
  TORCHTRT_CHECK(rankOf(x) <= 1 && rankOf(index) <= 1,
                 "Unable to convert node: " << name << "\ngather needs the index to have the input's rank, got "
                                            << x->getDimensions().str() << " and " << index->getDimensions().str());
  if (rankOf(x) == 0) x = reshape(ctx, x, {1}, name + " [as 1-D]");
  if (zeroDimIndex) index = reshape(ctx, index, {1}, name + " [index as 1-D]");
  auto* layer = ctx->net->addGather(*x, *index, 0);
  layer->setMode(trt::GatherMode::kELEMENT);
  layer->setName(name.c_str());
  trt::ITensor* out = layer->getOutput(0);
  return bindTensor(ctx, n, zeroDimIndex ? reshape(ctx, out, {}, name + " [0-dim]") : out) != nullptr;
}

bool embedding(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* weight = a[0].ITensorOrFreeze(ctx);
  trt::ITensor* indices = a[1].ITensorOrFreeze(ctx);
  TORCHTRT_CHECK(rankOf(weight) == 2, "embedding weight must be 2-D, got " << weight->getDimensions().str());
  return bindOutput(ctx, n, ctx->net->addGather(*weight, *indices, 0)) != nullptr;
}

// one_hot(x, num_classes): (x[..., None] == [0, 1, ..., num_classes - 1]) as int64. A class outside
// 0..num_classes-1, which PyTorch refuses, is refused at run time by the CPU backend (a gather from the classes'
// table reads it) and gives a row of zeros on CUDA (whose gathers read nothing out of range); num_classes=-1 (sized
// from the data) is refused unless x is known at compile time (then the op is folded before conversion), as is
// num_classes=0, with which PyTorch raises for every input.
bool oneHot(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  const std::string name = util::node_info(n);
  const int64_t classes = a[1].unwrapToInt();
  TORCHTRT_CHECK(x->getType() == trt::DataType::kINT32 || x->getType() == trt::DataType::kINT64,
                 "one_hot takes an integer tensor, got " << trt::dataTypeName(x->getType()) << ": " << name);
  TORCHTRT_CHECK(classes != -1,
                 "one_hot with num_classes=-1 sizes its output from the data (max + 1), which an engine "
                 "cannot; pass num_classes: "
                     << name);
  TORCHTRT_CHECK(classes > 0, "one_hot with num_classes=" << classes
                                                          << " raises in PyTorch for every input (classes must be "
                                                             "below num_classes, and an empty input cannot infer it): "
                                                          << name);
  // The classes read through a table of 0..num_classes-1 (the CPU backend's gather refuses the others, naming the
  // value); the engine's OneHot layer would wrap a negative class, so one outside the range becomes num_classes,
  // a row of zeros.
  std::vector<int64_t> table(static_cast<size_t>(classes));
  for (int64_t k = 0; k < classes; ++k) table[static_cast<size_t>(k)] = k;
  auto* classTable = ctx->net->addConstant({classes}, {trt::DataType::kINT64, table.data(), classes});
  classTable->setName((name + " [classes]").c_str());
  x = castTo(ctx, x, trt::DataType::kINT64, name + " [int64]");
  auto* read = ctx->net->addGather(*classTable->getOutput(0), *x, 0);
  read->setName((name + " [class within num_classes]").c_str());
  trt::ITensor* count = scalarConstant(ctx, classes, trt::DataType::kINT64, name + " [num_classes]");
  trt::ITensor* belowCount =
      addElementwise(ctx, trt::ElementWiseOperation::kLESS, x, count, name + " [< num_classes]")->getOutput(0);
  trt::ITensor* negative = addElementwise(ctx, trt::ElementWiseOperation::kLESS, x,
                                          scalarConstant(ctx, 0, trt::DataType::kINT64, name + " [0]"), name + " [< 0]")
                               ->getOutput(0);
  trt::ITensor* nonNegative = ctx->net->addUnary(*negative, trt::UnaryOperation::kNOT)->getOutput(0);
  trt::ITensor* valid =
      addElementwise(ctx, trt::ElementWiseOperation::kAND, belowCount, nonNegative, name + " [valid]")->getOutput(0);
  auto* checked = ctx->net->addSelect(*valid, *read->getOutput(0), *count);
  checked->setName((name + " [outside: a row of zeros]").c_str());
  x = checked->getOutput(0);
  // The engine's OneHot layer with [off, on] = [0, 1] as int64 (torch's dtype).
  const int64_t offOn[2] = {0, 1};
  auto* values = ctx->net->addConstant({2}, {trt::DataType::kINT64, offOn, 2});
  values->setName((name + " [off, on]").c_str());
  return bindOutput(ctx, n, ctx->net->addOneHot(*x, *values->getOutput(0), classes, -1)) != nullptr;
}

auto selectGatherRegistrations =
    RegisterNodeConversionPatterns()
        .pattern({"aten::where.self(Tensor condition, Tensor self, Tensor other) -> Tensor", where})
        .pattern({"aten::where.ScalarOther(Tensor condition, Tensor self, Scalar other) -> Tensor", whereScalar})
        .pattern({"aten::where.ScalarSelf(Tensor condition, Scalar self, Tensor other) -> Tensor", whereScalar})
        .pattern({"aten::where.Scalar(Tensor condition, Scalar self, Scalar other) -> Tensor", whereScalar})
        .pattern({"aten::masked_fill.Scalar(Tensor self, Tensor mask, Scalar value) -> Tensor", maskedFill})
        .pattern({"aten::masked_fill.Tensor(Tensor self, Tensor mask, Tensor value) -> Tensor", maskedFill})
        .pattern({"aten::masked_fill_.Scalar(Tensor(a!) self, Tensor mask, Scalar value) -> Tensor(a!)", maskedFill})
        .pattern({"aten::masked_fill_.Tensor(Tensor(a!) self, Tensor mask, Tensor value) -> Tensor(a!)", maskedFill})
        .pattern({"aten::index_select(Tensor self, int dim, Tensor index) -> Tensor", indexSelect})
        .pattern({"aten::index.Tensor(Tensor self, Tensor?[] indices) -> Tensor", indexTensor})
        .pattern({"aten::one_hot(Tensor self, int num_classes=-1) -> Tensor", oneHot})
        .pattern(
            {"aten::gather(Tensor self, int dim, Tensor index, *, bool sparse_grad=False) -> Tensor", gatherElements})
        .pattern({"aten::embedding(Tensor weight, Tensor indices, SymInt padding_idx=-1, bool "
                  "scale_grad_by_freq=False, bool sparse=False) -> Tensor",
                  embedding});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
