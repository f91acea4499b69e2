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

//! A frozen eval-mode copy of a module. TorchScript registers a copy's types (clones of the
//! module's and its submodules' types) in the original module's compilation unit, which lives as
//! long as the original; the copy's methods, whose frozen graphs hold the weights as constants,
//! are removed from that unit when this is destroyed (else every compile would keep its weights).
class LoweredModule {
 public:
  LoweredModule(torch::jit::Module module, std::vector<c10::ClassTypePtr> clonedTypes);
  LoweredModule(LoweredModule&& other) noexcept;
  LoweredModule(const LoweredModule&) = delete;
  LoweredModule& operator=(const LoweredModule&) = delete;
  LoweredModule& operator=(LoweredModule&&) = delete;
  ~LoweredModule();
  //! The frozen module (valid while this lives).
  const torch::jit::Module& module() const { return module_; }

 private:
  torch::jit::Module module_;
  std::vector<c10::ClassTypePtr> clonedTypes_;
};

//! Freezes an eval-mode copy of the module.
LoweredModule LowerModule(const torch::jit::Module& mod, const LowerInfo& info = {});
//! Runs the lowering passes on a copy of the method's graph and returns it.
std::shared_ptr<torch::jit::Graph> LowerGraph(const torch::jit::Module& frozen, const std::string& method_name);
//! Points the inlined call stacks of a lowered graph's nodes (which name the methods they were inlined from) at
//! functions that outlive the LoweredModule, for a graph that does (a partitioned module's): the copy's methods
//! are freed with it, and TorchScript's error report reads each frame's function (it crashed on a failing call).
void DetachCallStacks(torch::jit::Graph* graph);

}  // namespace lowering
}  // namespace core
}  // namespace torch_tensorrt
