// Lowering: freeze the module, inline calls, and rewrite the graph into convertible forms.
#pragma once

#include <memory>

#include "torch/csrc/jit/api/module.h"

namespace torch_tensorrt {
namespace core {
namespace lowering {

struct LowerInfo {
  bool unfreeze_module = false;  //!< keep attributes (for modules whose state must stay mutable)
};

//! Freezes an eval-mode copy of the module.
torch::jit::Module LowerModule(const torch::jit::Module& mod, const LowerInfo& info = {});
//! Runs the lowering passes on a copy of the method's graph and returns it.
std::shared_ptr<torch::jit::Graph> LowerGraph(const torch::jit::Module& frozen, const std::string& method_name);

}  // namespace lowering
}  // namespace core
}  // namespace torch_tensorrt
