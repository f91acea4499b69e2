// Evaluators compute, at compile time, nodes whose results do not depend on run-time tensor
// values: constants, lists, tuples, sizes of static tensors, and int/float/bool arithmetic.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/conversion/conversionctx/ConversionCtx.h"
#include "core/conversion/var/Var.h"
#include "torch/csrc/jit/ir/ir.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace evaluators {

typedef std::vector<Var> args;
//! Returns the node's outputs (one IValue per output), or nullopt when it cannot be evaluated now.
typedef std::function<std::optional<std::vector<torch::jit::IValue>>(ConversionCtx*, const torch::jit::Node*, args&)>
    NodeEvaluator;

struct EvalRegistration {
  std::string kind;  //!< node kind, "aten::size"
  NodeEvaluator evaluator;
  bool accepts_tensors = false;  //!< may be given engine tensors (reads only their shape)
};

//! Registers evaluators for node kinds.
class RegisterNodeEvaluators {
 public:
  RegisterNodeEvaluators& evaluator(EvalRegistration r);
};

//! Runs the node's own TorchScript operation on compile-time arguments (every Var an IValue) and
//! returns one IValue per output.
std::vector<torch::jit::IValue> RunNodeOperation(const torch::jit::Node* n, args& inputs);
//! True when an evaluator exists for the node's kind and the node's inputs are acceptable to it.
bool shouldEvalAtConversionTime(const torch::jit::Node* n, const args& inputs);
//! Runs the node's evaluator.
std::optional<std::vector<torch::jit::IValue>> EvalNode(ConversionCtx* ctx, const torch::jit::Node* n, args& inputs);
//! Every node kind with an evaluator, sorted.
std::vector<std::string> getEvaluatorList();
//! True when the kind has an evaluator at all.
bool hasEvaluator(const torch::jit::Node* n);

}  // namespace evaluators
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
