// Evaluators that run the node's own TorchScript operation on compile-time inputs: list and
// tuple construction/unpacking and scalar arithmetic. Exact by construction.
#include "core/conversion/evaluators/evaluators.h"
#include "core/util/macros.h"
#include "core/util/trt_util.h"
#include "torch/csrc/jit/runtime/operator.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace evaluators {
std::vector<torch::jit::IValue> RunNodeOperation(const torch::jit::Node* n, args& in) {
  torch::jit::Stack stack;
  for (auto& v : in) {
    TORCHTRT_CHECK(v.isIValue(), "evaluating " << util::node_info(n) << " needs compile-time arguments");
    stack.push_back(*v.IValue());
  }
  n->getOperation()(stack);
  TORCHTRT_CHECK(stack.size() == n->outputs().size(), "evaluating " << util::node_info(n) << " produced "
                                                                    << stack.size() << " values for "
                                                                    << n->outputs().size() << " outputs");
  return std::vector<torch::jit::IValue>(stack.begin(), stack.end());
}

namespace {

std::optional<std::vector<torch::jit::IValue>> runNodeOperation(ConversionCtx*, const torch::jit::Node* n, args& in) {
  return RunNodeOperation(n, in);
}

const char* kGenericKinds[] = {
    "prim::NumToTensor",
    "prim::unchecked_cast",
    "prim::device",
    "prim::min",
    "prim::max",
    "prim::Uninitialized",
    "aten::Int",
    "aten::Float",
    "aten::Bool",
    "aten::ScalarImplicit",
    "aten::len",
    "aten::__getitem__",
    "aten::add",
    "aten::sub",
    "aten::mul",
    "aten::div",
    "aten::floordiv",
    "aten::remainder",
    "aten::floor",
    "aten::ceil",
    "aten::neg",
    "aten::abs",
    "aten::pow",
    "aten::sqrt",
    "aten::eq",
    "aten::ne",
    "aten::lt",
    "aten::gt",
    "aten::le",
    "aten::ge",
    "aten::__and__",
    "aten::__or__",
    "aten::__xor__",
    "aten::__not__",
    "aten::__is__",
    "aten::__isnot__",
    "aten::__derive_index",
    "aten::__range_length",
    "aten::format",
    "aten::tensor",
    "aten::list",
    "aten::to",
};

// The interpreter builds lists and tuples with dedicated instructions rather than operators,
// so these are evaluated here.
std::optional<std::vector<torch::jit::IValue>> listConstruct(ConversionCtx*, const torch::jit::Node* n, args& in) {
  auto elem = n->output()->type()->expectRef<c10::ListType>().getElementType();
  c10::impl::GenericList list(elem);
  for (auto& v : in) list.push_back(*v.IValue());
  return std::vector<torch::jit::IValue>{torch::jit::IValue(list)};
}

std::optional<std::vector<torch::jit::IValue>> listUnpack(ConversionCtx*, const torch::jit::Node* n, args& in) {
  auto list = in[0].IValue()->toListRef();
  TORCHTRT_CHECK(list.size() == n->outputs().size(), "prim::ListUnpack of a list of "
                                                         << list.size() << " into " << n->outputs().size()
                                                         << " values in " << util::node_info(n));
  return std::vector<torch::jit::IValue>(list.begin(), list.end());
}

std::optional<std::vector<torch::jit::IValue>> tupleConstruct(ConversionCtx*, const torch::jit::Node*, args& in) {
  std::vector<torch::jit::IValue> elems;
  for (auto& v : in) elems.push_back(*v.IValue());
  return std::vector<torch::jit::IValue>{c10::ivalue::Tuple::create(std::move(elems))};
}

std::optional<std::vector<torch::jit::IValue>> tupleUnpack(ConversionCtx*, const torch::jit::Node*, args& in) {
  const auto& elems = in[0].IValue()->toTupleRef().elements();
  return std::vector<torch::jit::IValue>(elems.begin(), elems.end());
}

std::optional<std::vector<torch::jit::IValue>> tupleIndex(ConversionCtx*, const torch::jit::Node* n, args& in) {
  const auto& elems = in[0].IValue()->toTupleRef().elements();
  int64_t i = util::normalizeDim(in[1].unwrapToInt(), static_cast<int64_t>(elems.size()), n);
  return std::vector<torch::jit::IValue>{elems[i]};
}

auto registerCollections = RegisterNodeEvaluators()
                               .evaluator({"prim::ListConstruct", listConstruct, false})
                               .evaluator({"prim::ListUnpack", listUnpack, false})
                               .evaluator({"prim::TupleConstruct", tupleConstruct, false})
                               .evaluator({"prim::TupleUnpack", tupleUnpack, false})
                               .evaluator({"prim::TupleIndex", tupleIndex, false});

auto registerGeneric = [] {
  RegisterNodeEvaluators r;
  for (const char* kind : kGenericKinds) r.evaluator({kind, runNodeOperation, false});
  return r;
}();

}  // namespace
}  // namespace evaluators
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
