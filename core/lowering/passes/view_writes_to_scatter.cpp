// Writes into a slice or select view (x[a:b, c:d] = v, x[:, i] = v, x[a:b].zero_(); traced as
// slice/select chains ending in aten::fill_, aten::copy_ or aten::zero_) become functional: the
// written view's new value is built from the inside out with aten::slice_scatter /
// aten::select_scatter, and later reads of the base read the result. Done only where the base owns its
// memory (made in the graph by an allocating op: not a view, a forward argument or a constant) and no
// other name of it made before the write is read after it (such a name would have to see the write);
// other writes keep TorchScript's semantics.
#include <unordered_set>

#include "core/lowering/passes/passes.h"
#include "core/util/macros.h"
#include "core/util/trt_util.h"
#include "torch/csrc/jit/passes/dead_code_elimination.h"

namespace torch_tensorrt {
namespace core {
namespace lowering {
namespace passes {

namespace {
using torch::jit::Node;
using torch::jit::Value;

const c10::Symbol kSlice = c10::Symbol::fromQualString("aten::slice");
const c10::Symbol kSelect = c10::Symbol::fromQualString("aten::select");

bool isViewStep(const Node* n) {
  return (n->kind() == kSlice && n->inputs().size() == 5) || (n->kind() == kSelect && n->inputs().size() == 3);
}

// Ops whose output may share memory with their first input.
bool makesView(const Node* n) {
  static const std::unordered_set<std::string> kinds = {
      "aten::slice",     "aten::select",    "aten::view",      "aten::reshape",     "aten::flatten",
      "aten::unsqueeze", "aten::squeeze",   "aten::transpose", "aten::permute",     "aten::expand",
      "aten::narrow",    "aten::t",         "aten::unflatten", "aten::as_strided",  "aten::diagonal",
      "aten::chunk",     "aten::split",     "aten::unbind",    "aten::alias",       "aten::detach",
      "aten::view_as",   "aten::expand_as", "aten::movedim",   "aten::unsafe_split"};
  return kinds.count(n->kind().toQualString()) > 0;
}

bool usedAfter(const Value* v, const Node* point) {
  for (const auto& use : v->uses())
    if (use.user->owningBlock() != point->owningBlock() || use.user->isAfter(point)) return true;
  return false;
}

// Rewrites one write; false when it is not of the handled form or not safe to make functional.
bool rewriteWrite(torch::jit::Graph& graph, Node* write) {
  if (write->owningBlock() != graph.block() || !write->output()->uses().empty()) return false;
  const bool isFill = write->kind() == c10::Symbol::fromQualString("aten::fill_");
  const bool isZero = write->kind() == c10::Symbol::fromQualString("aten::zero_");
  // The chain base -> view_1 -> ... -> view_k (the written view), each view used by its successor only.
  std::vector<Node*> chain;
  Value* v = write->input(0);
  while (isViewStep(v->node()) && v->uses().size() == 1) {
    chain.insert(chain.begin(), v->node());
    v = v->node()->input(0);
  }
  if (chain.empty() || chain.front()->owningBlock() != graph.block()) return false;
  Value* base = v;
  // The base must own its memory, made in this graph by an op that allocates it: a view of another tensor (x.t(),
  // x.view(-1)) would leave that tensor unwritten, and forward's argument or a constant (a frozen buffer) outlives
  // the call, its write seen by the caller or the next call. Such writes stay in place (conversion refuses them, or
  // partitioning keeps them in TorchScript).
  Node* owner = base->node();
  if (owner->kind() == torch::jit::prim::Param || util::mayAliasInput(owner) || makesView(owner)) return false;
  // Another name for the base's memory made before the write (a view, a view of a view, a list holding it) and read
  // after it would see the write: not handled.
  std::vector<const Value*> names = {base};
  std::unordered_set<const Value*> seen = {base};
  while (!names.empty()) {
    const Value* name = names.back();
    names.pop_back();
    for (const auto& use : name->uses()) {
      Node* user = use.user;
      if (user == chain.front() || user == write ||
          !(user->owningBlock() == write->owningBlock() && user->isBefore(write)))
        continue;
      if (!util::mayAliasInput(user) && !makesView(user)) continue;
      for (const Value* out : user->outputs()) {
        if (usedAfter(out, write)) return false;
        if (seen.insert(out).second) names.push_back(out);
      }
    }
  }
  torch::jit::WithInsertPoint guard(write->next());
  Value* written = chain.back()->output();
  Value* none = graph.insertConstant(c10::IValue());
  // The written view's new value: the fill value everywhere, or the source broadcast and cast to it.
  Value* value = nullptr;
  if (isZero) {
    value = graph.insert(c10::Symbol::fromQualString("aten::zeros_like"), {written},
                         {torch::jit::NamedValue("dtype", none)});
  } else if (isFill) {
    if (write->input(1)->type()->isSubtypeOf(*c10::TensorType::get())) {
      Value* cast = graph.insert(c10::Symbol::fromQualString("aten::type_as"), {write->input(1), written});
      value = graph.insert(c10::Symbol::fromQualString("aten::expand_as"), {cast, written});
    } else {
      value = graph.insert(c10::Symbol::fromQualString("aten::full_like"), {written, write->input(1)},
                           {torch::jit::NamedValue("dtype", none)});
    }
  } else {
    Value* cast = graph.insert(c10::Symbol::fromQualString("aten::type_as"), {write->input(1), written});
    value = graph.insert(c10::Symbol::fromQualString("aten::expand_as"), {cast, written});
  }
  // From the inside out: each view's parent with the view's new value scattered in.
  for (size_t i = chain.size(); i-- > 0;) {
    Node* step = chain[i];
    Value* parent = step->input(0);
    if (step->kind() == kSlice)
      value = graph.insert(c10::Symbol::fromQualString("aten::slice_scatter"),
                           {parent, value, step->input(1), step->input(2), step->input(3), step->input(4)});
    else
      value = graph.insert(c10::Symbol::fromQualString("aten::select_scatter"),
                           {parent, value, step->input(1), step->input(2)});
  }
  // Later reads of the base read the written result.
  Node* producer = value->node();
  base->replaceAllUsesAfterNodeWith(producer, value);
  write->destroy();
  return true;
}
}  // namespace

void ViewWritesToScatter(std::shared_ptr<torch::jit::Graph>& graph) {
  std::vector<Node*> writes;
  for (Node* n : graph->block()->nodes())
    if ((n->kind() == c10::Symbol::fromQualString("aten::fill_") && n->inputs().size() == 2) ||
        (n->kind() == c10::Symbol::fromQualString("aten::copy_") && n->inputs().size() == 3) ||
        (n->kind() == c10::Symbol::fromQualString("aten::zero_") && n->inputs().size() == 1))
      writes.push_back(n);
  int rewritten = 0;
  for (Node* w : writes) rewritten += rewriteWrite(*graph, w);
  if (rewritten) torch::jit::EliminateDeadCode(graph);
  LOG_GRAPH("After ViewWritesToScatter (" << rewritten << " writes): " << *graph);
}

}  // namespace passes
}  // namespace lowering
}  // namespace core
}  // namespace torch_tensorrt
