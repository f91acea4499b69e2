#include "core/conversion/converters/converter_util.h"

#include <unordered_set>

#include "core/conversion/converters/shape_tensors.h"
#include "core/conversion/converters/type_promotion.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {

bool followsDataDependentCount(trt::ITensor* t) {
  std::unordered_set<const trt::ILayer*> seen;
  std::vector<const trt::ILayer*> todo;
  if (t && t->getProducer()) todo.push_back(t->getProducer());
  while (!todo.empty()) {
    const trt::ILayer* layer = todo.back();
    todo.pop_back();
    if (!seen.insert(layer).second) continue;
    if (layer->getType() == trt::LayerType::kNON_ZERO) return true;
    for (int32_t i = 0; i < layer->getNbInputs(); ++i)
      if (trt::ITensor* in = layer->getInput(i); in && in->getProducer()) todo.push_back(in->getProducer());
  }
  return false;
}

trt::ITensor* bindOutput(ConversionCtx* ctx, const torch::jit::Node* n, trt::ILayer* layer, size_t index) {
  layer->setName(util::node_info(n).c_str());
  return ctx->AssociateValueAndTensor(n->outputs()[index], layer->getOutput(static_cast<int32_t>(index)));
}

trt::ITensor* bindTensor(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* tensor, size_t index) {
  ctx->value_tensor_map[n->outputs()[index]] = tensor;
  return tensor;
}

trt::ITensor* reshape(ConversionCtx* ctx, trt::ITensor* in, const std::vector<int64_t>& shape,
                      const std::string& name) {
  auto* layer = ctx->net->addShuffle(*in);
  layer->setReshapeDimensions(util::toDims(shape));
  layer->setZeroIsPlaceholder(false);
  layer->setName(name.c_str());
  return layer->getOutput(0);
}

trt::ITensor* castTo(ConversionCtx* ctx, trt::ITensor* in, trt::DataType type, const std::string& name) {
  if (in->getType() == type) return in;
  auto* layer = ctx->net->addIdentity(*in);
  layer->setOutputType(0, type);
  layer->setName(name.c_str());
  return layer->getOutput(0);
}

trt::ITensor* scalarConstant(ConversionCtx* ctx, const at::Scalar& value, trt::DataType type, const std::string& name) {
  at::Tensor t = at::scalar_tensor(value, at::TensorOptions().dtype(util::TRTDataTypeToScalarType(type)));
  auto* layer = ctx->net->addConstant(trt::Dims{}, ctx->toWeights(t));
  layer->setName(name.c_str());
  return layer->getOutput(0);
}

trt::ITensor* tensorOrScalar(ConversionCtx* ctx, Var& arg, trt::ITensor* like, const std::string& name) {
  if (arg.isITensor()) return arg.ITensor();
  const auto* iv = arg.IValue();
  const trt::DataType likeType = like ? like->getType() : trt::DataType::kFLOAT;
  const bool likeIsFloat = isFloatingType(likeType);
  if (iv->isTensor()) {
    at::Tensor t = iv->toTensor();
    // A 0-d constant tensor behaves like a scalar in PyTorch's type promotion: it takes `like`'s
    // type unless its category is higher (a float 0-d tensor with an integer tensor gives float).
    if (t.dim() == 0 && like) {
      const bool higher = (c10::isFloatingType(t.scalar_type()) && !likeIsFloat) ||
                          (likeType == trt::DataType::kBOOL && t.scalar_type() != at::kBool);
      const at::ScalarType own = t.scalar_type() == at::kDouble ? at::kFloat : t.scalar_type();
      return scalarConstant(ctx, t.item(), higher ? util::ScalarTypeToTRTDataType(own) : likeType, name);
    }
    return ctx->constantTensor(t, name);
  }
  at::Scalar s = arg.unwrapToScalar();
  trt::DataType type = likeType;
  if (s.isFloatingPoint() && !likeIsFloat) type = trt::DataType::kFLOAT;
  if (likeType == trt::DataType::kBOOL && s.isIntegral(false)) type = trt::DataType::kINT64;
  return scalarConstant(ctx, s, type, name);
}

trt::ILayer* addElementwise(ConversionCtx* ctx, trt::ElementWiseOperation op, trt::ITensor* a, trt::ITensor* b,
                            const std::string& name) {
  if (a->getType() != b->getType()) {
    // torch.promote_types: float wins over integer, the wider wins, float16 with bfloat16 gives float32.
    const at::ScalarType common =
        c10::promoteTypes(util::TRTDataTypeToScalarType(a->getType()), util::TRTDataTypeToScalarType(b->getType()));
    const trt::DataType target = util::ScalarTypeToTRTDataType(common);
    a = castTo(ctx, a, target, name + " [cast a]");
    b = castTo(ctx, b, target, name + " [cast b]");
  }
  auto* layer = ctx->net->addElementWise(*a, *b, op);
  layer->setName(name.c_str());
  return layer;
}

// Throws unless the memory the in-place op `n` writes (its first input) is read after `n` only
// through n's own output: the written tensor must be made in this block by an op that allocates it
// (not a graph input, a module attribute or a constant, which outlive the call), and no name for it
// (the base, a view of it) may be read after `n`.
const torch::jit::Value* memoryOwner(const torch::jit::Value* v) {
  // Up to the tensor that owns the memory: through views, in-place ops and the lists that views such
  // as chunk / split / unbind return (an element of such a list writes into the tensor split).
  auto throughList = [](const torch::jit::Node* p) {
    return p->kind() == torch::jit::prim::ListUnpack || p->kind() == torch::jit::prim::TupleUnpack ||
           p->kind() == c10::Symbol::fromQualString("aten::__getitem__");
  };
  while (!v->node()->inputs().empty() &&
         ((v->node()->maybeSchema() && util::mayAliasInput(v->node())) || throughList(v->node())))
    v = v->node()->input(0);
  return v;
}

void requireUnobservedWrite(const torch::jit::Node* n, bool allowLongLived) {
  const std::string name = util::node_info(n);
  const torch::jit::Value* base = memoryOwner(n->input(0));
  const torch::jit::Node* producer = base->node();
  TORCHTRT_CHECK(allowLongLived || (producer->maybeSchema() && producer->owningBlock() == n->owningBlock()),
                 "Unable to convert node: " << name << "\nit writes into %" << base->debugName()
                                            << " (a graph input, module attribute, constant or a value of another "
                                               "block), which outlives the engine; it must run in TorchScript "
                                               "(require_full_compilation=False lets it)");
  std::vector<const torch::jit::Value*> names = {base};
  std::unordered_set<const torch::jit::Value*> seen = {base};
  while (!names.empty()) {
    const torch::jit::Value* v = names.back();
    names.pop_back();
    for (const auto& use : v->uses()) {
      const torch::jit::Node* user = use.user;
      if (user == n) continue;
      TORCHTRT_CHECK(user->owningBlock() == n->owningBlock() && user->isBefore(n),
                     "Unable to convert node: " << name << "\nthe tensor it writes into is read after it as %"
                                                << v->debugName() << " (by " << util::node_info(user)
                                                << "), which an engine cannot update; it must run in TorchScript "
                                                   "(require_full_compilation=False lets it)");
      if (!util::mayAliasInput(user)) continue;
      for (const torch::jit::Value* out : user->outputs())
        if (seen.insert(out).second) names.push_back(out);
    }
  }
}

trt::Permutation toPermutation(const std::vector<int64_t>& order) {
  trt::Permutation p;
  for (size_t i = 0; i < order.size(); ++i) p.order[i] = static_cast<int32_t>(order[i]);
  return p;
}

trt::ITensor* transposed(ConversionCtx* ctx, trt::ITensor* in, const std::vector<int64_t>& order,
                         const std::string& name) {
  bool identity = true;
  for (size_t i = 0; i < order.size(); ++i) identity &= order[i] == static_cast<int64_t>(i);
  if (identity) return in;
  auto* layer = ctx->net->addShuffle(*in);
  layer->setFirstTranspose(toPermutation(order));
  layer->setName(name.c_str());
  return layer->getOutput(0);
}

trt::ITensor* sliceAlong(ConversionCtx* ctx, trt::ITensor* in, int64_t dim, int64_t start, int64_t length, int64_t step,
                         const std::string& name) {
  auto dims = util::toVec(in->getDimensions());
  std::vector<int64_t> begin(dims.size(), 0), size = dims, stride(dims.size(), 1);
  begin[dim] = start;
  size[dim] = length;
  stride[dim] = step;
  bool dynamic = false;
  for (int64_t& d : size) {
    dynamic |= d < 0;
    d = std::max<int64_t>(d, 0);
  }
  trt::ITensor *startTensor = nullptr, *sizeTensor = nullptr;
  if (dynamic) {  // the other dimensions whole, whatever their run-time sizes
    startTensor = shape::int64Vector(ctx, begin, name + " [start]");
    sizeTensor =
        shape::shapeOf(ctx, in, name + " [sizes]", {{dim, shape::int64Vector(ctx, {length}, name + " [length]")}});
  }
  auto* layer = ctx->net->addSlice(*in, util::toDims(begin), util::toDims(size), util::toDims(stride));
  if (dynamic) {
    layer->setInput(1, *startTensor);
    layer->setInput(2, *sizeTensor);
  }
  layer->setName(name.c_str());
  return layer->getOutput(0);
}

trt::ITensor* dropDim(ConversionCtx* ctx, trt::ITensor* t, int64_t dim, const std::string& name) {
  auto dims = util::toVec(t->getDimensions());
  dims.erase(dims.begin() + dim);
  int dynamic = 0;
  for (int64_t d : dims) dynamic += d < 0;
  if (dynamic <= 1) return reshape(ctx, t, dims, name);
  std::vector<trt::ITensor*> parts;
  for (int64_t d = 0; d < rankOf(t); ++d)
    if (d != dim) parts.push_back(shape::asElement(ctx, shape::dimension(ctx, t, d, name + " [size]"), name));
  return shape::reshapeTo(ctx, t, shape::concat(ctx, parts, name + " [sizes]"), name);
}

trt::DataType scatterReductionType(trt::DataType type) {
  if (type == trt::DataType::kBF16) return trt::DataType::kFLOAT;
  if (type == trt::DataType::kBOOL || type == trt::DataType::kINT8 || type == trt::DataType::kUINT8)
    return trt::DataType::kINT32;
  return type;
}

uint32_t reduceAxesMask(const torch::jit::Node* n, trt::ITensor* in, Var* dims) {
  const int64_t rank = rankOf(in);
  std::vector<int64_t> list;
  if (dims && !dims->isNone()) {
    if (dims->IValue()->isInt())
      list.push_back(dims->unwrapToInt());
    else
      list = dims->unwrapToIntList().vec();
  }
  if (list.empty())
    for (int64_t i = 0; i < rank; ++i) list.push_back(i);
  uint32_t mask = 0;
  for (int64_t d : list) mask |= 1u << util::normalizeDim(d, rank, n);
  return mask;
}

trt::ITensor* castToDtypeArg(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* in, Var& dtype) {
  if (dtype.isNone()) return in;
  auto type = static_cast<at::ScalarType>(dtype.unwrapToInt());
  TORCHTRT_CHECK(type != at::kDouble, "a float64 result (" << util::node_info(n) << ") has no engine type");
  return castTo(ctx, in, util::ScalarTypeToTRTDataType(type), util::node_info(n) + " [dtype]");
}

trt::ITensor* expandTo(ConversionCtx* ctx, trt::ITensor* in, std::vector<int64_t> target, const std::string& name) {
  auto dims = util::toVec(in->getDimensions());
  TORCHTRT_CHECK(target.size() >= dims.size(), "expand to " << target.size() << " dims from " << dims.size());
  const size_t lead = target.size() - dims.size();
  std::vector<int64_t> onesShape(target.size(), 1);
  for (size_t i = 0; i < target.size(); ++i) {
    int64_t have = i >= lead ? dims[i - lead] : 1;
    if (target[i] == -1) target[i] = have;
    TORCHTRT_CHECK(have == target[i] || have == 1,
                   "cannot expand dimension " << i << " of size " << have << " to " << target[i]);
    if (have != target[i]) onesShape[i] = target[i];
  }
  at::Tensor ones = at::ones(onesShape, at::TensorOptions().dtype(util::TRTDataTypeToScalarType(in->getType())));
  auto op = in->getType() == trt::DataType::kBOOL ? trt::ElementWiseOperation::kAND : trt::ElementWiseOperation::kPROD;
  // Constants of int64 are stored as int32: the cast (folded by the builder) matches the input's type.
  trt::ITensor* onesTensor =
      castTo(ctx, ctx->constantTensor(ones, name + " [ones]"), in->getType(), name + " [ones type]");
  auto* layer = ctx->net->addElementWise(*in, *onesTensor, op);
  layer->setName(name.c_str());
  return layer->getOutput(0);
}

trt::ITensor* wrappedIndex(ConversionCtx* ctx, trt::ITensor* idx, int64_t size, const std::string& name) {
  return wrappedIndex(ctx, idx, scalarConstant(ctx, size, trt::DataType::kINT64, name + " [size]"), name);
}

trt::ITensor* wrappedIndex(ConversionCtx* ctx, trt::ITensor* idx, trt::ITensor* size, const std::string& name,
                           trt::ITensor** inRange) {
  using Op = trt::ElementWiseOperation;
  idx = castTo(ctx, idx, trt::DataType::kINT64, name + " [int64]");
  trt::ITensor* zero = scalarConstant(ctx, 0, trt::DataType::kINT64, name + " [0]");
  trt::ITensor* negative = addElementwise(ctx, Op::kLESS, idx, zero, name + " [< 0]")->getOutput(0);
  trt::ITensor* shifted = addElementwise(ctx, Op::kSUM, idx, size, name + " [+ size]")->getOutput(0);
  // Only an index in [-size, 0) wraps: one below keeps its value, which the consumer refuses naming it (-5 for a
  // size of 4, as PyTorch's message; wrapped, it read -1).
  trt::ITensor* reaches =
      ctx->net
          ->addUnary(*addElementwise(ctx, Op::kLESS, shifted, zero, name + " [+ size < 0]")->getOutput(0),
                     trt::UnaryOperation::kNOT)
          ->getOutput(0);
  if (inRange)
    *inRange =
        addElementwise(ctx, Op::kAND, reaches,
                       addElementwise(ctx, Op::kLESS, idx, size, name + " [< size]")->getOutput(0), name + " [within]")
            ->getOutput(0);
  negative = addElementwise(ctx, Op::kAND, negative, reaches, name + " [wraps]")->getOutput(0);
  auto* select = ctx->net->addSelect(*negative, *shifted, *idx);
  select->setName((name + " [wrap]").c_str());
  return select->getOutput(0);
}

void requireStaticShape(const torch::jit::Node* n, trt::ITensor* t, const char* what) {
  TORCHTRT_CHECK(t->getDimensions().isStatic(), what << " of " << util::node_info(n) << " has dynamic shape "
                                                     << t->getDimensions().str()
                                                     << ", which this converter cannot take yet");
}

}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
