// Lists of engine tensors built up while converting: append, extend, insert, item assignment, pop,
// reverse and clear, and the new lists of +, slicing, list() and copy(). A list filled in a loop that
// unrolls while converting (outputs collected step by step, as recurrent decoders do) is a list of
// engine tensors bound to its graph values; each mutation rebinds every value naming the list (the
// one it was made as, and the outputs of append / item assignment / += on it), as the interpreter
// mutates the one list object. Lists whose
// elements are all known at compile time are evaluated instead (evaluators/), and a compile-time
// list that receives an engine tensor becomes a list of engine tensors (its tensors frozen).
#include <algorithm>
#include <set>

#include "core/conversion/converters/converter_util.h"
#include "core/conversion/evaluators/evaluators.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {

using Tensors = std::vector<trt::ITensor*>;

// The elements of list argument `i`; only lists of tensors can hold values known at run time.
Tensors elementsOf(ConversionCtx* ctx, const torch::jit::Node* n, args& a, size_t i) {
  auto list = n->input(i)->type()->cast<c10::ListType>();
  TORCHTRT_CHECK(list && list->getElementType()->isSubtypeOf(*c10::TensorType::get()),
                 "a list of " << n->input(i)->type()->str() << " receives a value known only at run time in "
                              << util::node_info(n)
                              << "; engines collect run-time values in lists of tensors only (a size list "
                                 "computed at run time can be built with prim::ListConstruct)");
  return a[i].unwrapToITensorList(ctx);
}

trt::ITensor* tensorOf(ConversionCtx* ctx, args& a, size_t i) { return a[i].ITensorOrFreeze(ctx); }

// Binds `value` (a list) to `elements`, replacing what it was bound to before.
void bindList(ConversionCtx* ctx, const torch::jit::Value* value, Tensors elements) {
  ctx->evaluated_value_map.erase(value);
  ctx->value_tensor_map.erase(value);
  ctx->tensor_list_map[value] = std::move(elements);
}

// True for the mutations whose output is their list input itself (append, item assignment, +=).
bool returnsItsList(const torch::jit::Node* n) {
  static const std::set<std::string> kinds = {"aten::append", "aten::_set_item", "aten::add_"};
  return n->outputs().size() == 1 && n->output()->type()->kind() == c10::TypeKind::ListType &&
         kinds.count(n->kind().toQualString());
}

// Every graph value naming the list object that `v` names: the value it was made as and the outputs
// of the mutations that return it. A mutation rebinds all of those converted so far.
std::vector<const torch::jit::Value*> namesOf(const torch::jit::Value* v) {
  while (returnsItsList(v->node())) v = v->node()->input(0);
  std::vector<const torch::jit::Value*> names = {v};
  for (size_t i = 0; i < names.size(); ++i)
    for (const auto& use : names[i]->uses())
      if (use.offset == 0 && returnsItsList(use.user)) names.push_back(use.user->output());
  return names;
}

// The list input 0 after a mutation: every name of the list (the node's own list output included)
// now holds `elements`.
bool mutated(ConversionCtx* ctx, const torch::jit::Node* n, const Tensors& elements) {
  for (const torch::jit::Value* name : namesOf(n->input(0))) {
    const bool bound = ctx->tensor_list_map.count(name) || ctx->evaluated_value_map.count(name);
    if (bound || name == n->input(0) || (returnsItsList(n) && name == n->output())) bindList(ctx, name, elements);
  }
  return true;
}

// An index into a list of `size` elements, negative ones counted from the end (IndexError otherwise).
size_t position(const torch::jit::Node* n, int64_t index, size_t size) {
  const int64_t count = static_cast<int64_t>(size);
  TORCHTRT_CHECK(index < count && index >= -count,
                 "list index " << index << " out of range for a list of " << size << " in " << util::node_info(n));
  return static_cast<size_t>(index < 0 ? index + count : index);
}

bool append(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  Tensors l = elementsOf(ctx, n, a, 0);
  l.push_back(tensorOf(ctx, a, 1));
  return mutated(ctx, n, l);
}

bool extend(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  Tensors l = elementsOf(ctx, n, a, 0), more = elementsOf(ctx, n, a, 1);
  l.insert(l.end(), more.begin(), more.end());
  return mutated(ctx, n, l);
}

bool concatenated(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  Tensors l = elementsOf(ctx, n, a, 0), more = elementsOf(ctx, n, a, 1);
  l.insert(l.end(), more.begin(), more.end());
  bindList(ctx, n->output(), l);
  return true;
}

bool copied(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  if (a[0].isIValue()) {  // a compile-time list of any type (copy has no evaluator: its kind is also a tensor op)
    ctx->AssociateValueAndIValue(n->output(), evaluators::RunNodeOperation(n, a)[0]);
    return true;
  }
  bindList(ctx, n->output(), elementsOf(ctx, n, a, 0));
  return true;
}

// l[start:end:step] with Python's rules for None, negative and out-of-range bounds.
bool listSlice(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  const Tensors l = elementsOf(ctx, n, a, 0);
  const int64_t size = static_cast<int64_t>(l.size()), step = a[3].unwrapToInt();
  TORCHTRT_CHECK(step != 0, "slice step cannot be zero in " << util::node_info(n));
  auto bound = [&](Var& v, int64_t absent) {
    if (v.isNone()) return absent;
    int64_t i = v.unwrapToInt();
    if (i < 0) i += size;
    return step > 0 ? std::clamp<int64_t>(i, 0, size) : std::clamp<int64_t>(i, -1, size - 1);
  };
  const int64_t start = bound(a[1], step > 0 ? 0 : size - 1), end = bound(a[2], step > 0 ? size : -1);
  Tensors out;
  for (int64_t i = start; step > 0 ? i < end : i > end; i += step) out.push_back(l[static_cast<size_t>(i)]);
  bindList(ctx, n->output(), out);
  return true;
}

bool setItem(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  Tensors l = elementsOf(ctx, n, a, 0);
  l[position(n, a[1].unwrapToInt(), l.size())] = tensorOf(ctx, a, 2);
  return mutated(ctx, n, l);
}

bool insert(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  Tensors l = elementsOf(ctx, n, a, 0);
  const int64_t size = static_cast<int64_t>(l.size());
  int64_t i = a[1].unwrapToInt();
  i = std::clamp<int64_t>(i < 0 ? i + size : i, 0, size);  // Python clamps insert positions
  l.insert(l.begin() + i, tensorOf(ctx, a, 2));
  return mutated(ctx, n, l);
}

bool pop(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  Tensors l = elementsOf(ctx, n, a, 0);
  TORCHTRT_CHECK(!l.empty(), "pop from an empty list in " << util::node_info(n));
  const size_t i = position(n, a[1].unwrapToInt(), l.size());
  trt::ITensor* popped = l[i];
  l.erase(l.begin() + static_cast<std::ptrdiff_t>(i));
  mutated(ctx, n, l);
  return bindTensor(ctx, n, popped) != nullptr;
}

bool reverse(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  Tensors l = elementsOf(ctx, n, a, 0);
  std::reverse(l.begin(), l.end());
  return mutated(ctx, n, l);
}

// tup[i] of a tuple holding engine tensors (scripted nn.LSTM reads its (h_0, c_0) this way); an
// undefined tensor in the tuple stays undefined.
bool tupleIndex(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  const Tensors t = a[0].unwrapToITensorList(ctx);
  trt::ITensor* element = t[position(n, a[1].unwrapToInt(), t.size())];
  if (!element) {
    ctx->AssociateValueAndIValue(n->output(), at::Tensor());
    return true;
  }
  return bindTensor(ctx, n, element) != nullptr;
}

// prim::unchecked_cast (Optional[Tensor] to Tensor after a None check, as scripted nn.GRU does with
// its h_0) of an engine tensor or a list of them: the same value.
bool uncheckedCast(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  if (a[0].type() == Var::kITensorList) {
    bindList(ctx, n->output(), a[0].unwrapToITensorList(ctx));
    return true;
  }
  return bindTensor(ctx, n, a[0].ITensor()) != nullptr;
}

bool clear(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  elementsOf(ctx, n, a, 0);  // checks the element type
  return mutated(ctx, n, {});
}

auto tensorListRegistrations =
    RegisterNodeConversionPatterns()
        .pattern({"aten::append.t(t[](a!) self, t(c -> *) el) -> t[](a!)", append})
        .pattern({"aten::extend.t(t[](a!) self, t[] other) -> ()", extend})
        .pattern({"aten::add.t(t[] a, t[] b) -> t[]", concatenated})
        .pattern({"aten::add_.t(t[](a!) self, t[] b) -> t[]", extend})
        .pattern({"aten::list.t(t[] l) -> t[]", copied})
        .pattern({"aten::copy.t(t[](a) self) -> t[]", copied})
        .pattern({"aten::slice.t(t[] l, int? start=None, int? end=None, int step=1) -> t[]", listSlice})
        .pattern({"aten::_set_item.t(t[](a!) l, int idx, t(b -> *) el) -> t[](a!)", setItem})
        .pattern({"aten::insert.t(t[](a!) self, int idx, t(b -> *) el) -> ()", insert})
        .pattern({"aten::pop.t(t[](a!) self, int idx=-1) -> t(*)", pop})
        .pattern({"aten::reverse.t(t[](a!) self) -> ()", reverse})
        .pattern({"aten::clear.t(t[](a!) self) -> ()", clear})
        .pattern({"prim::TupleIndex(Any tup, int i) -> Any", tupleIndex})
        .pattern({"prim::unchecked_cast(t x) -> t", uncheckedCast});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
