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
  // Vararg operators (aten::format) read their argument count from the top of the stack, as the
  // interpreter pushes it.
  if (n->maybeSchema() && n->maybeSchema()->is_vararg()) stack.emplace_back(static_cast<int64_t>(in.size()));
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
    "prim::min",
    "prim::max",
    "prim::type",
    "prim::is_cuda",
    "aten::all",
    "aten::any",
    "aten::__contains__",
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
    "aten::__derive_index",
    "aten::__range_length",
    "aten::tensor",
    "aten::list",
    "aten::to",
    "aten::__round_to_zero_floordiv",
    // Lists: slicing, and appends / extends, which mutate the (shared) list value as the interpreter does.
    // (Lists receiving engine tensors are converters: converters/impl/tensor_lists.cpp.)
    "aten::slice",
    "aten::append",
    "aten::extend",
    "aten::sum",
    "aten::_set_item",
    "aten::insert",
    "aten::pop",
    "aten::remove",
    "aten::reverse",
    "aten::clear",
    "aten::count",
    "aten::sorted",
    "aten::join",
    // math functions of numbers (sizes); only kinds whose tensor forms all have converters, so that a
    // tensor op of the kind is never taken for supported when it is not.
    "aten::exp",
    "aten::log",
    "aten::sin",
    "aten::cos",
    "aten::tan",
    "aten::tanh",
    "aten::asin",
    "aten::acos",
    "aten::atan",
    "aten::sinh",
    "aten::cosh",
    "aten::asinh",
    "aten::acosh",
    "aten::atanh",
    "aten::erf",
    "aten::isnan",
    "aten::isinf",
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

// list += list; the tensor forms of aten::add_ are converters (running them here would write into a
// compile-time tensor that the graph may share).
std::optional<std::vector<torch::jit::IValue>> addToList(ConversionCtx*, const torch::jit::Node* n, args& in) {
  if (!in[0].IValue()->isList()) return std::nullopt;
  return RunNodeOperation(n, in);
}

// String formatting ("{}".format, "%d" %, str(); error messages of asserts, built before the check
// runs): values known only at run time (a dynamic size list) are written as a placeholder.
std::optional<std::vector<torch::jit::IValue>> format(ConversionCtx*, const torch::jit::Node* n, args& in) {
  std::vector<torch::jit::IValue> values;
  for (auto& v : in) values.push_back(v.isIValue() ? *v.IValue() : torch::jit::IValue(std::string("<run-time value>")));
  std::vector<Var> known;
  for (const auto& v : values) known.emplace_back(&v);
  return RunNodeOperation(n, known);
}

// `a is b` / `a is not b`: compile-time values as TorchScript decides; an engine tensor is the same
// object only as the same graph value or the same engine tensor, and is never None.
NodeEvaluator identity(bool negate) {
  return
      [negate](ConversionCtx*, const torch::jit::Node* n, args& in) -> std::optional<std::vector<torch::jit::IValue>> {
        if (in[0].isIValue() && in[1].isIValue()) return RunNodeOperation(n, in);
        bool same = n->input(0) == n->input(1);
        if (!same && in[0].isITensor() && in[1].isITensor()) same = in[0].ITensor() == in[1].ITensor();
        return std::vector<torch::jit::IValue>{same != negate};
      };
}

// Queries about the run's mode, whose answer inside an inference engine is fixed: no autocast, no
// gradients (scripted nn.MultiheadAttention asks both to choose its fast path).
std::optional<std::vector<torch::jit::IValue>> alwaysFalse(ConversionCtx*, const torch::jit::Node*, args&) {
  return std::vector<torch::jit::IValue>{false};
}

// prim::requires_grad: engine tensors never require gradients; compile-time tensors say.
std::optional<std::vector<torch::jit::IValue>> requiresGrad(ConversionCtx*, const torch::jit::Node*, args& in) {
  return std::vector<torch::jit::IValue>{in[0].isIValue() && in[0].IValue()->isTensor() &&
                                         in[0].IValue()->toTensor().requires_grad()};
}

// prim::device: an engine tensor lives where the engine runs (the GPU it is built for, or the CPU).
std::optional<std::vector<torch::jit::IValue>> device(ConversionCtx* ctx, const torch::jit::Node* n, args& in) {
  if (in[0].isIValue()) return RunNodeOperation(n, in);
  const auto& s = ctx->settings;
  const c10::Device where = s.backend == trt::Backend::kCUDA
                                ? c10::Device(c10::DeviceType::CUDA, static_cast<c10::DeviceIndex>(s.gpu_id))
                                : c10::Device(c10::DeviceType::CPU);
  return std::vector<torch::jit::IValue>{where};
}

// aten::warn: an engine has no place to warn at run time; the warning is dropped (logged).
std::optional<std::vector<torch::jit::IValue>> warn(ConversionCtx*, const torch::jit::Node* n, args&) {
  LOG_DEBUG("Dropped a warning of the model inside an engine: " << util::node_info(n));
  return std::vector<torch::jit::IValue>{};
}

// prim::RaiseException reached while converting: a branch decided at compile time raises, so the
// model fails for these input shapes; the model's own message is reported.
std::optional<std::vector<torch::jit::IValue>> raise(ConversionCtx*, const torch::jit::Node* n, args& in) {
  const std::string message =
      !in.empty() && in[0].isIValue() && in[0].IValue()->isString() ? in[0].IValue()->toStringRef() : "(no message)";
  TORCHTRT_THROW_ERROR("The model raises for the given input shapes: " << message << "\n  at " << util::node_info(n));
}

// Tensor.is_floating_point(): an engine tensor's element type is known while converting.
std::optional<std::vector<torch::jit::IValue>> isFloatingPoint(ConversionCtx*, const torch::jit::Node* n, args& in) {
  if (in[0].isIValue()) return RunNodeOperation(n, in);
  const trt::DataType t = in[0].ITensor()->getType();
  return std::vector<torch::jit::IValue>{t == trt::DataType::kFLOAT || t == trt::DataType::kHALF ||
                                         t == trt::DataType::kBF16};
}

auto registerCollections = RegisterNodeEvaluators()
                               .evaluator({"aten::warn", warn, false})
                               .evaluator({"prim::RaiseException", raise, false})
                               .evaluator({"aten::is_floating_point", isFloatingPoint, true})
                               .evaluator({"prim::ListConstruct", listConstruct, false})
                               .evaluator({"prim::ListUnpack", listUnpack, false})
                               .evaluator({"prim::TupleConstruct", tupleConstruct, false})
                               .evaluator({"prim::TupleUnpack", tupleUnpack, false})
                               .evaluator({"prim::TupleIndex", tupleIndex, false})
                               .evaluator({"aten::format", format, true})
                               .evaluator({"aten::percentFormat", format, true})
                               .evaluator({"aten::str", format, true})
                               .evaluator({"aten::add_", addToList, false})
                               .evaluator({"aten::is_autocast_enabled", alwaysFalse, false})
                               .evaluator({"aten::is_grad_enabled", alwaysFalse, false})
                               .evaluator({"prim::requires_grad", requiresGrad, true})
                               .evaluator({"prim::device", device, true})
                               .evaluator({"aten::__is__", identity(false), true})
                               .evaluator({"aten::__isnot__", identity(true), true});

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
