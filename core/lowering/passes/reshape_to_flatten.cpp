// x.view(x.size(0), ..., x.size(k-1), -1) (also reshape) is flatten(x, k, -1): the same tensor, but
// expressed without the sizes, so a dynamic leading dimension needs no run-time shape arithmetic
// (the engine's reshape copies it). Where x's rank is not known to exceed k, x gets a trailing unit
// dimension first (flatten(x.unsqueeze(-1), k, -1)), which also gives view's result when rank == k.
#include "core/lowering/passes/passes.h"
#include "core/util/macros.h"
#include "torch/csrc/jit/passes/dead_code_elimination.h"

namespace torch_tensorrt {
namespace core {
namespace lowering {
namespace passes {

namespace {
using torch::jit::Node;
using torch::jit::Value;

// The value behind aten::Int(prim::NumToTensor(v)) chains, which tracing puts around sizes.
const Value* stripIntRoundTrip(const Value* v) {
  while (v->node()->kind() == c10::Symbol::fromQualString("aten::Int") &&
         v->node()->input(0)->node()->kind() == c10::Symbol::fromQualString("prim::NumToTensor"))
    v = v->node()->input(0)->node()->input(0);
  return v;
}

std::optional<int64_t> constantInt(const Value* v) {
  const Node* n = v->node();
  if (n->kind() != c10::prim::Constant || !v->type()->cast<c10::IntType>()) return std::nullopt;
  return n->i(c10::attr::value);
}

// k when `sizes` is [self.size(0), ..., self.size(k-1), -1] with k >= 1, else -1.
int64_t leadingSizesThenMinusOne(const Value* self, const Value* sizes) {
  const Node* list = sizes->node();
  if (list->kind() != c10::prim::ListConstruct || list->inputs().size() < 2) return -1;
  const int64_t k = static_cast<int64_t>(list->inputs().size()) - 1;
  auto last = constantInt(list->input(k));
  if (!last || *last != -1) return -1;
  for (int64_t j = 0; j < k; ++j) {
    const Value* e = stripIntRoundTrip(list->input(j));
    const Node* size = e->node();
    if (size->kind() != c10::Symbol::fromQualString("aten::size") || size->inputs().size() != 2 ||
        size->input(0) != self)
      return -1;
    auto dim = constantInt(size->input(1));
    if (!dim || *dim != j) return -1;
  }
  return k;
}

int rewrite(torch::jit::Block* block) {
  int rewritten = 0;
  for (auto it = block->nodes().begin(); it != block->nodes().end();) {
    Node* n = *it++;
    for (auto* sub : n->blocks()) rewritten += rewrite(sub);
    const std::string kind = n->kind().toQualString();
    if ((kind != "aten::view" && kind != "aten::reshape") || n->inputs().size() != 2) continue;
    Value* self = n->input(0);
    auto type = self->type()->cast<c10::TensorType>();
    const auto rank = type ? type->dim() : std::nullopt;
    const int64_t k = leadingSizesThenMinusOne(self, n->input(1));
    if (k < 1) continue;
    auto* graph = n->owningGraph();
    torch::jit::WithInsertPoint guard(n);
    Value* source = self;
    if (!rank || static_cast<int64_t>(*rank) <= k) {
      Node* unsqueeze =
          graph->create(c10::Symbol::fromQualString("aten::unsqueeze"), {self, graph->insertConstant(int64_t{-1})});
      unsqueeze->insertBefore(n);
      unsqueeze->output()->setType(c10::TensorType::get());
      source = unsqueeze->output();
    }
    Value* start = graph->insertConstant(k);
    Value* end = graph->insertConstant(int64_t{-1});
    Node* flatten = graph->create(c10::Symbol::fromQualString("aten::flatten"), {source, start, end});
    flatten->insertBefore(n);
    flatten->output()->setType(n->output()->type());
    flatten->setSourceRange(n->sourceRange());
    n->output()->replaceAllUsesWith(flatten->output());
    n->destroy();
    ++rewritten;
  }
  return rewritten;
}
}  // namespace

void ReshapeWithLeadingSizesToFlatten(std::shared_ptr<torch::jit::Graph>& graph) {
  if (rewrite(graph->block()) > 0) torch::jit::EliminateDeadCode(graph);
  LOG_GRAPH("After ReshapeWithLeadingSizesToFlatten: " << *graph);
}

}  // namespace passes
}  // namespace lowering
}  // namespace core
}  // namespace torch_tensorrt
