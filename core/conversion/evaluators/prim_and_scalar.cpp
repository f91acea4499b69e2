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
namespace {

std::optional<std::vector<torch::jit::IValue>> runNodeOperation(ConversionCtx*, const torch::jit::Node* n, args& in) {
  torch::jit::Stack stack;
  for (auto& v : in) stack.push_back(*v.IValue());
  torch::jit::Operation op = n->getOperation();
  op(stack);
  TORCHTRT_CHECK(stack.size() == n->outputs().size(), "evaluating " << util::node_info(n) << " produced " << stack.size()
                                                                    << " values for " << n->outputs().size() << " outputs");
  return std::vector<torch::jit::IValue>(stack.begin(), stack.end());
}

const char* kGenericKinds[] = {
    "prim::ListConstruct", "prim::ListUnpack", "prim::TupleConstruct", "prim::TupleUnpack", "prim::TupleIndex",
    "prim::NumToTensor", "prim::unchecked_cast", "prim::dtype", "prim::device", "prim::min", "prim::max",
    "prim::Uninitialized", "aten::Int", "aten::Float", "aten::Bool", "aten::ScalarImplicit", "aten::len",
    "aten::__getitem__", "aten::add", "aten::sub", "aten::mul", "aten::div", "aten::floordiv", "aten::remainder",
    "aten::floor", "aten::ceil", "aten::neg", "aten::abs", "aten::pow", "aten::sqrt", "aten::eq", "aten::ne",
    "aten::lt", "aten::gt", "aten::le", "aten::ge", "aten::__and__", "aten::__or__", "aten::__xor__", "aten::__not__",
    "aten::__is__", "aten::__isnot__", "aten::__derive_index", "aten::__range_length", "aten::format", "aten::tensor",
    "aten::list", "aten::to",
};

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
