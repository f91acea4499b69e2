// Segmentation: which nodes of a block run in an engine, grouped into contiguous segments.
//
// A node runs in TorchScript when it cannot be converted, is forced there by the user, holds
// control flow, or would make an engine take or return something other than a tensor whose shape
// shape analysis saw. Engine runs shorter than min_block_size fall back as well. Demotions repeat
// until nothing changes, because each one can move a segment boundary.
#include <algorithm>
#include <functional>
#include <sstream>
#include <unordered_set>

#include "core/conversion/conversion.h"
#include "core/partitioning/partitioning.h"
#include "core/util/macros.h"
#include "torch/csrc/jit/ir/alias_analysis.h"

namespace torch_tensorrt {
namespace core {
namespace partitioning {

namespace {

using torch::jit::Node;
using torch::jit::Value;

bool isConstant(const Node* n) { return n->kind() == torch::jit::prim::Constant; }

bool isTensorType(const Value* v) { return v->type()->isSubtypeOf(*c10::TensorType::get()); }

// Why a tensor value cannot cross into or out of an engine, or "" when it can.
std::string tensorBoundaryProblem(const Value* v, const ShapeMap& shapes, const PartitioningInfo& info) {
  if (!isTensorType(v)) return "is a " + v->type()->str() + ", and engines take and return tensors only";
  auto it = shapes.find(v);
  if (it == shapes.end()) return "was not computed when the module ran on generated inputs, so its shape is unknown";
  if (!it->second.consistent) return "changes rank or dtype between runs";
  if (it->second.data_dependent)
    return "has a shape that depends on tensor values (it changed between runs on inputs of the same shapes), "
           "which an engine's input and output ranges cannot hold";
  if (it->second.dtype == at::kDouble && !info.truncate_long_and_double)
    return "is float64, which engines do not hold (pass truncate_long_and_double=True to run it as float32)";
  if (it->second.dtype == at::kComplexFloat || it->second.dtype == at::kComplexDouble ||
      it->second.dtype == at::kQUInt8 || it->second.dtype == at::kQInt8)
    return std::string("is ") + c10::toString(it->second.dtype) + ", which engines do not hold";
  return "";
}

// The reason a node runs in TorchScript whatever its neighbours do, or "".
std::string ownReason(const Node* n, const PartitioningInfo& info, const ShapeMap& shapes) {
  std::string kind = n->kind().toQualString();
  if (!n->blocks().empty()) return "holds control flow; its blocks are partitioned on their own";
  if (info.forced_fallback_operators.count(kind)) return "listed in torch_executed_ops";
  for (const auto& type : ModuleTypesOf(n))
    if (info.forced_fallback_modules.count(type)) return "inside module " + type + ", listed in torch_executed_modules";
  if (!conversion::OpSupported(n)) return "no converter or evaluator for " + kind;
  for (const Value* v : n->outputs()) {
    if (!isTensorType(v)) continue;
    std::string problem = tensorBoundaryProblem(v, shapes, info);
    if (!problem.empty()) return "output %" + v->debugName() + " " + problem;
  }
  return "";
}

// The values a node writes to (in-place ops), from its schema's alias annotations.
std::vector<const Value*> writtenValues(const Node* n) {
  std::vector<const Value*> out;
  const auto* schema = n->maybeSchema();
  if (!schema || !schema->is_mutable()) return out;
  for (size_t i = 0; i < schema->arguments().size() && i < n->inputs().size(); ++i) {
    const auto* alias = schema->arguments()[i].alias_info();
    if (alias && alias->isWrite()) out.push_back(n->inputs()[i]);
  }
  return out;
}

// True when the node's output is a view of one of its inputs (reshape, select, slice...).
bool returnsView(const Node* n) {
  const auto* schema = n->maybeSchema();
  if (!schema) return false;
  for (const auto& r : schema->returns())
    if (r.alias_info() && !r.alias_info()->isWrite()) return true;
  return false;
}

std::vector<Segment> group(torch::jit::Block* block, const std::unordered_map<const Node*, SegmentTarget>& target) {
  std::vector<Segment> segments;
  for (Node* n : block->nodes()) {
    if (isConstant(n)) continue;
    SegmentTarget t = target.at(n);
    if (segments.empty() || segments.back().target != t) segments.push_back(Segment{t, {}, {}, {}});
    segments.back().nodes.push_back(n);
  }
  for (auto& s : segments) ComputeSegmentIO(&s);
  return segments;
}

}  // namespace

std::vector<std::string> ModuleTypesOf(const Node* n) {
  std::vector<std::string> types;
  auto cs = n->callstack();
  if (!cs) return types;
  for (const auto& entry : (*cs)->vec()) {
    const auto& info = std::get<2>(entry);
    if (!info || !info->class_type() || !info->class_type()->name()) continue;
    // "__torch__.torchvision.models.resnet.___torch_mangle_3.BasicBlock" -> "torchvision.models.resnet.BasicBlock"
    std::stringstream in(info->class_type()->name()->qualifiedName());
    std::string part, name;
    while (std::getline(in, part, '.')) {
      if (part == "__torch__" || part.rfind("___torch_mangle_", 0) == 0) continue;
      name += (name.empty() ? "" : ".") + part;
    }
    types.push_back(name);
  }
  return types;
}

void ComputeSegmentIO(Segment* segment) {
  std::unordered_set<const Node*> members(segment->nodes.begin(), segment->nodes.end());
  segment->inputs.clear();
  segment->outputs.clear();
  std::unordered_set<const Value*> seen;
  for (Node* n : segment->nodes) {
    for (Value* v : n->inputs()) {
      if (isConstant(v->node()) || members.count(v->node()) || !seen.insert(v).second) continue;
      segment->inputs.push_back(v);
    }
    for (Value* v : n->outputs()) {
      for (const auto& use : v->uses()) {
        // A use inside a later node's block counts as a use by that node.
        Node* user = use.user;
        while (user->owningBlock() != n->owningBlock()) user = user->owningBlock()->owningNode();
        if (!members.count(user)) {
          segment->outputs.push_back(v);
          break;
        }
      }
    }
  }
}

std::vector<Segment> SegmentBlock(torch::jit::Block* block, const PartitioningInfo& info, const ShapeMap& shapes,
                                  FallbackReasons* reasons, const FallbackReasons& forced) {
  std::unordered_map<const Node*, SegmentTarget> target;
  for (Node* n : block->nodes()) {
    if (isConstant(n)) continue;
    auto f = forced.find(n);
    std::string why = f != forced.end() ? f->second : ownReason(n, info, shapes);
    target[n] = why.empty() ? SegmentTarget::kTensorRT : SegmentTarget::kTorch;
    if (!why.empty()) (*reasons)[n] = why;
  }
  auto demote = [&](const Node* n, const std::string& why) {
    if (target.at(n) == SegmentTarget::kTorch) return false;
    target[n] = SegmentTarget::kTorch;
    (*reasons)[n] = why;
    return true;
  };

  // Views computed in an engine are copies; if TorchScript later writes through the view or into
  // its base, the engine's copy would miss the write, so such views stay in TorchScript.
  std::shared_ptr<torch::jit::Graph> graph = block->owningGraph()->shared_from_this();
  torch::jit::AliasDb alias_db(graph);
  std::vector<const Value*> written;
  std::function<void(torch::jit::Block*)> collectWrites = [&](torch::jit::Block* b) {
    for (Node* n : b->nodes()) {
      for (const Value* w : writtenValues(n)) written.push_back(w);
      for (auto* sub : n->blocks()) collectWrites(sub);
    }
  };
  collectWrites(graph->block());

  // An in-place op writing into a tensor that views share (a view of it, or it a view of another):
  // inside an engine the write reaches only the op's own output, not the other names (each engine
  // output is its own buffer), so the op stays in TorchScript, where the views see it.
  std::vector<const Node*> views;
  std::function<void(torch::jit::Block*)> collectViews = [&](torch::jit::Block* b) {
    for (Node* n : b->nodes()) {
      if (returnsView(n)) views.push_back(n);
      for (auto* sub : n->blocks()) collectViews(sub);
    }
  };
  collectViews(graph->block());
  for (Node* n : block->nodes()) {
    if (isConstant(n) || target.at(n) != SegmentTarget::kTensorRT) continue;
    // A write into forward's argument or the module's state must reach that tensor, which an engine's outputs
    // never are.
    if (const Value* kept = conversion::WrittenLongLivedTensor(n)) {
      demote(n,
             "writes in place into " + conversion::DescribeLongLivedTensor(kept) + ", which an engine cannot update");
      continue;
    }
    for (const Value* w : writtenValues(n)) {
      if (!isTensorType(w)) continue;
      const bool shared = std::any_of(views.begin(), views.end(), [&](const Node* v) {
        return v != n && !v->outputs().empty() && alias_db.mayAlias(v->output(0), w);
      });
      if (shared) {
        demote(n, "writes in place into %" + w->debugName() +
                      ", which views share; an engine's write would not reach them");
        break;
      }
      // The written tensor read again after the write under its own name (by TorchScript, or by a later
      // engine): an engine gives the written value only to the op's own output.
      const bool readAfter = std::any_of(w->uses().begin(), w->uses().end(), [&](const torch::jit::Use& use) {
        return use.user != n && !(use.user->owningBlock() == n->owningBlock() && use.user->isBefore(n));
      });
      if (readAfter) {
        demote(n, "writes in place into %" + w->debugName() + ", which is read again after it");
        break;
      }
    }
  }

  for (bool changed = true; changed;) {
    changed = false;
    for (Node* n : block->nodes()) {
      if (isConstant(n) || target.at(n) != SegmentTarget::kTensorRT || !returnsView(n)) continue;
      for (const Value* w : written) {
        if (w->node() == n || alias_db.mayAlias(n->output(0), w) || alias_db.mayAlias(n->input(0), w)) {
          changed |= demote(n, "returns a view of a tensor that an in-place op writes to in TorchScript");
          break;
        }
      }
    }
    auto segments = group(block, target);
    for (const auto& s : segments) {
      if (s.target != SegmentTarget::kTensorRT) continue;
      for (const Value* v : s.inputs) {
        std::string problem = tensorBoundaryProblem(v, shapes, info);
        if (problem.empty()) continue;
        for (const auto& use : v->uses())
          if (std::find(s.nodes.begin(), s.nodes.end(), use.user) != s.nodes.end())
            changed |= demote(use.user, "input %" + v->debugName() + ", computed in TorchScript, " + problem);
      }
      for (const Value* v : s.outputs) {
        std::string problem = tensorBoundaryProblem(v, shapes, info);
        if (!problem.empty())
          changed |= demote(v->node(), "output %" + v->debugName() + ", used in TorchScript, " + problem);
      }
      if (s.outputs.empty())
        for (const Node* n : s.nodes) changed |= demote(n, "its engine segment computes nothing that is used later");
    }
    if (changed) continue;
    for (const auto& s : segments) {
      if (s.target != SegmentTarget::kTensorRT || s.nodes.size() >= info.min_block_size) continue;
      for (const Node* n : s.nodes)
        changed |= demote(n, "in an engine segment of " + std::to_string(s.nodes.size()) +
                                 " node(s), fewer than min_block_size=" + std::to_string(info.min_block_size));
    }
  }
  return group(block, target);
}

std::string DescribeSegments(const std::vector<Segment>& segments, const FallbackReasons& reasons) {
  std::stringstream ss;
  for (size_t i = 0; i < segments.size(); ++i) {
    const auto& s = segments[i];
    ss << "\n  segment " << i << ": " << (s.target == SegmentTarget::kTensorRT ? "engine" : "TorchScript") << ", "
       << s.nodes.size() << " node(s), " << s.inputs.size() << " input(s), " << s.outputs.size() << " output(s)";
    if (s.target != SegmentTarget::kTorch) continue;
    for (const Node* n : s.nodes) {
      auto it = reasons.find(n);
      ss << "\n    " << n->kind().toQualString() << ": " << (it == reasons.end() ? "?" : it->second);
    }
  }
  return ss.str();
}

}  // namespace partitioning
}  // namespace core
}  // namespace torch_tensorrt
