// Stitching: each engine segment is converted on its own and replaced, in place, by
// `tensorrt::execute_engine` on an engine held by the compiled module. TorchScript segments stay
// as they are; the blocks of control-flow nodes are partitioned and stitched the same way.
#include <map>
#include <sstream>
#include <unordered_set>

#include "core/partitioning/stitching.h"
#include "core/runtime/runtime.h"
#include "core/util/macros.h"

namespace torch_tensorrt {
namespace core {
namespace partitioning {

namespace {

using torch::jit::Node;
using torch::jit::Value;

// A graph holding copies of the segment's nodes: segment inputs become graph inputs, constants are
// copied in, and the values used after the segment are its outputs.
std::shared_ptr<torch::jit::Graph> segmentGraph(const Segment& s,
                                                std::unordered_map<const Node*, const Node*>* originals) {
  auto g = std::make_shared<torch::jit::Graph>();
  std::unordered_map<Value*, Value*> env;
  for (Value* v : s.inputs) {
    Value* in = g->addInput();
    if (v->hasDebugName()) in->setDebugName(v->debugName());
    in->setType(v->type());
    env[v] = in;
  }
  std::function<Value*(Value*)> lookup = [&](Value* v) -> Value* {
    auto it = env.find(v);
    if (it != env.end()) return it->second;
    TORCHTRT_CHECK(v->node()->kind() == torch::jit::prim::Constant,
                   "engine segment uses %" << v->debugName() << ", which is neither its input nor a constant");
    Node* c = g->appendNode(g->createClone(v->node(), lookup));
    env[v] = c->output();
    return c->output();
  };
  for (Node* n : s.nodes) {
    Node* c = g->createClone(n, lookup);
    g->appendNode(c);
    (*originals)[c] = n;
    for (size_t i = 0; i < n->outputs().size(); ++i) env[n->outputs()[i]] = c->outputs()[i];
  }
  for (Value* v : s.outputs) g->registerOutput(env.at(v));
  return g;
}

Value* castTo(torch::jit::Graph* g, Value* v, at::ScalarType t) {
  return g->insert(torch::jit::aten::to, {v, c10::IValue(static_cast<int64_t>(t))});
}

Value* moveTo(torch::jit::Graph* g, Value* v, const c10::Device& device) {
  return g->insert(torch::jit::aten::to, {v, c10::IValue(device)});
}

}  // namespace

SegmentEngine BuildSegmentEngine(const Segment& s, const StitchContext& ctx, const ShapeMap& shapes) {
  conversion::ConversionInfo info;
  info.engine_settings = ctx.settings;
  for (Value* v : s.inputs) {
    const ObservedTensor& o = shapes.at(v);
    conversion::InputRange r{o.min, o.opt, o.max, o.dtype};
    if (o.dtype == at::kDouble) r.dtype = at::kFloat;  // truncate_long_and_double: cast at the boundary
    info.inputs.push_back(r);
  }
  SegmentEngine result;
  std::unordered_map<const Node*, const Node*> originals;
  const Node* failed = nullptr;
  try {
    auto g = segmentGraph(s, &originals);
    result.plan = conversion::ConvertBlockToEngine(g->block(), info, &result.layers, {}, &failed);
  } catch (const std::exception& e) {
    result.error = util::errorMessage(e);
    auto it = failed ? originals.find(failed) : originals.end();
    result.failed_node = it == originals.end() ? nullptr : it->second;
  }
  return result;
}

namespace {

// Ops whose output size is a count of their input's values (nonzero, unique, masked_select, where(cond)): a later
// engine's inputs can take sizes no shape analysis run saw, whatever the inputs' ranges (a mixture of experts
// routes another number of tokens to each expert at each call).
bool countsValues(const Node* n) {
  static const std::unordered_set<std::string> counting = {
      "aten::nonzero", "aten::nonzero_numpy", "aten::argwhere",   "aten::masked_select",     "aten::unique",
      "aten::_unique", "aten::_unique2",      "aten::unique_dim", "aten::unique_consecutive"};
  const std::string kind = n->kind().toQualString();
  if (counting.count(kind)) return true;
  if (kind == "aten::where" && n->inputs().size() == 1) return true;
  if (kind == "aten::repeat_interleave" && n->inputs().size() >= 2 &&
      n->inputs()[1]->type()->isSubtypeOf(*c10::TensorType::get()))
    return true;
  return false;
}

// Whether a non-tensor value (a branch's or loop's condition, a trip count) is computed from tensor values rather
// than from sizes alone: `if x.sum() > 0:` is, `if x.size(0) > 2:` is not. A loop-carried value or a tensor reached
// counts as values.
bool readsTensorValues(const Value* v, std::unordered_set<const Value*>* seen) {
  static const std::unordered_set<std::string> metadata = {"aten::size",   "aten::dim",       "aten::numel",
                                                           "aten::len",    "prim::device",    "prim::dtype",
                                                           "aten::__is__", "aten::__isnot__", "prim::is_cuda"};
  if (!seen->insert(v).second) return false;
  if (v->type()->isSubtypeOf(*c10::TensorType::get())) return true;
  const Node* producer = v->node();
  if (producer->kind() == torch::jit::prim::Param) return producer != producer->owningGraph()->param_node();
  if (metadata.count(producer->kind().toQualString())) return false;
  for (const Value* in : producer->inputs())
    if (readsTensorValues(in, seen)) return true;
  for (const torch::jit::Block* b : producer->blocks())
    for (const Value* out : b->outputs())
      if (readsTensorValues(out, seen)) return true;
  return false;
}

// Whether a loop's or branch's path follows tensor values: its condition or trip count, or a loop body's condition.
bool decidedByValues(const Node* n) {
  std::unordered_set<const Value*> seen;
  if (n->kind() == torch::jit::prim::If) return readsTensorValues(n->input(0), &seen);
  if (n->kind() == torch::jit::prim::Loop)
    return readsTensorValues(n->input(0), &seen) || readsTensorValues(n->input(1), &seen) ||
           readsTensorValues(n->blocks()[0]->outputs()[0], &seen);
  return true;
}

// Whether a value's sizes may come from somewhere shape analysis cannot cover: from control flow (computed by a loop
// or branch, or the guard of an engine stitched before) when `controlFlow` (dynamic inputs), or from control flow
// that follows tensor values, or from an op counting values; or from such a value.
bool sizesMayVary(const Value* v, bool controlFlow, std::unordered_map<const Value*, bool>* memo) {
  // Depth-first over producers without recursion (a large model's chain of values is thousands deep).
  std::vector<std::pair<const Value*, bool>> stack = {{v, false}};
  while (!stack.empty()) {
    auto [value, inputsDone] = stack.back();
    stack.pop_back();
    if (memo->count(value) && !inputsDone) continue;
    const Node* producer = value->node();
    if (!inputsDone) {
      (*memo)[value] = false;  // provisional: a value is not its own producer's input, but blocks can loop back
      stack.push_back({value, true});
      for (const Value* in : producer->inputs())
        if (!memo->count(in)) stack.push_back({in, false});
      continue;
    }
    const bool branches = !producer->blocks().empty();
    bool varies = (branches && (controlFlow || decidedByValues(producer))) || countsValues(producer);
    for (const Value* in : producer->inputs()) varies = varies || memo->at(in);
    (*memo)[value] = varies;
  }
  return memo->at(v);
}

bool rangeMayBeIncomplete(const Segment& s, const StitchContext& ctx) {
  if (s.nodes.empty()) return false;
  if (ctx.dynamic_inputs && s.nodes.front()->owningBlock() != s.nodes.front()->owningGraph()->block()) return true;
  std::unordered_map<const Value*, bool> memo;
  for (const Value* v : s.inputs)
    if (sizesMayVary(v, ctx.dynamic_inputs, &memo)) return true;
  return false;
}

}  // namespace

void StitchEngineSegment(Segment* s, const SegmentEngine& built, const StitchContext& ctx, ShapeMap* shapes) {
  std::vector<bool> truncated_in, truncated_out;
  for (Value* v : s->inputs) truncated_in.push_back(shapes->at(v).dtype == at::kDouble);
  for (Value* v : s->outputs) truncated_out.push_back(shapes->at(v).dtype == at::kDouble);
  const std::string& plan = built.plan;
  std::string name = ctx.name_prefix + std::to_string(ctx.module->_ivalue()->type()->numAttributes());
  std::vector<std::string> in_names, out_names;
  for (size_t i = 0; i < s->inputs.size(); ++i) in_names.push_back("input_" + std::to_string(i));
  for (size_t i = 0; i < s->outputs.size(); ++i) out_names.push_back("output_" + std::to_string(i));
  auto engine = c10::make_intrusive<runtime::TRTEngine>(name, plan, ctx.device_info, in_names, out_names);
  ctx.module->register_attribute(name, c10::getCustomClassType<c10::intrusive_ptr<runtime::TRTEngine>>(),
                                 c10::IValue(engine), false);

  torch::jit::Graph* g = s->nodes.front()->owningGraph();
  torch::jit::WithInsertPoint guard(s->nodes.front());
  const c10::Device engineDevice(ctx.device_info);
  Node* get = g->insertNode(g->createGetAttr(ctx.self, name));
  // The engine's call, at the insertion point: its inputs moved to its device and cast as it takes them, its
  // outputs returned as the segment's were.
  auto callEngine = [&]() {
    std::vector<Value*> args;
    for (size_t i = 0; i < s->inputs.size(); ++i) {
      Value* v = s->inputs[i];
      // TorchScript code can make tensors elsewhere (size arithmetic gives CPU scalars); the engine
      // gets them on its device.
      if (shapes->at(v).device != engineDevice) v = moveTo(g, v, engineDevice);
      if (truncated_in[i]) {
        LOG_WARNING("truncate_long_and_double: %" << v->debugName() << " (float64) enters engine " << name
                                                  << " as float32");
        v = castTo(g, v, at::kFloat);
      }
      args.push_back(v);
    }
    Node* list = g->insertNode(g->createList(c10::TensorType::get(), args));
    Node* exec = g->create(c10::Symbol::fromQualString("tensorrt::execute_engine"), {list->output(), get->output()}, 1);
    exec->output()->setType(c10::ListType::ofTensors());
    g->insertNode(exec);
    Node* unpack = g->insertNode(g->createListUnpack(exec->output(), s->outputs.size()));
    std::vector<Value*> results;
    for (size_t i = 0; i < s->outputs.size(); ++i) {
      Value* old = s->outputs[i];
      Value* now = unpack->outputs()[i];
      now->setType(old->type());
      if (truncated_out[i]) {
        LOG_WARNING("truncate_long_and_double: %" << old->debugName() << " leaves engine " << name
                                                  << " as float32 and is cast back to float64");
        now = castTo(g, now, at::kDouble);
      }
      if (shapes->at(old).device != engineDevice) now = moveTo(g, now, shapes->at(old).device);
      results.push_back(now);
    }
    return results;
  };
  const bool guarded = rangeMayBeIncomplete(*s, ctx);
  std::vector<Value*> results;
  if (!guarded) {
    results = callEngine();
  } else {
    // if accepts_shapes(inputs): the engine; else: the segment's own nodes, moved into the branch.
    std::unordered_set<const Node*> members(s->nodes.begin(), s->nodes.end());
    std::vector<std::vector<torch::jit::Use>> outside(s->outputs.size());
    for (size_t i = 0; i < s->outputs.size(); ++i)
      for (const auto& use : s->outputs[i]->uses())
        if (!members.count(use.user)) outside[i].push_back(use);
    Node* shapesList = g->insertNode(g->createList(c10::TensorType::get(), s->inputs));
    Value* accepted =
        g->insert(c10::Symbol::fromQualString("tensorrt::accepts_shapes"), {shapesList->output(), get->output()});
    Node* branch = g->insertNode(g->create(torch::jit::prim::If, {accepted}, 0));
    torch::jit::Block* engineBlock = branch->addBlock();
    torch::jit::Block* scriptBlock = branch->addBlock();
    {
      torch::jit::WithInsertPoint inEngine(engineBlock);
      for (Value* v : callEngine()) engineBlock->registerOutput(v);
    }
    for (Node* n : s->nodes) n->moveBefore(scriptBlock->return_node());
    for (Value* v : s->outputs) scriptBlock->registerOutput(v);
    for (size_t i = 0; i < s->outputs.size(); ++i) {
      Value* out = branch->addOutput()->setType(s->outputs[i]->type());
      for (const auto& use : outside[i]) use.user->replaceInput(use.offset, out);
      results.push_back(out);
    }
  }
  for (size_t i = 0; i < s->outputs.size(); ++i) {
    Value* old = s->outputs[i];
    (*shapes)[results[i]] = shapes->at(old);
    if (!guarded) old->replaceAllUsesWith(results[i]);
  }
  if (!guarded)
    for (auto it = s->nodes.rbegin(); it != s->nodes.rend(); ++it) (*it)->destroy();
  LOG_INFO("Engine " << name << ": " << s->nodes.size() << " node(s) -> " << built.layers << " layer(s), "
                     << s->inputs.size() << " input(s), " << s->outputs.size() << " output(s)"
                     << (guarded ? "; shape analysis may not have seen all its input sizes (they follow control "
                                   "flow or a count of values), so its nodes stay in TorchScript for the sizes "
                                   "outside its range"
                                 : ""));
  s->nodes.clear();
}

int PartitionAndStitch(torch::jit::Block* block, const StitchContext& ctx, ShapeMap* shapes, FallbackReasons* reasons) {
  // Segment, then convert every engine segment; a node whose conversion fails moves to TorchScript
  // and the block is segmented again (plans of unchanged segments are kept).
  FallbackReasons failures;
  std::map<std::vector<Node*>, SegmentEngine> built;
  std::vector<Segment> segments;
  FallbackReasons block_reasons;
  for (bool retry = true; retry;) {
    retry = false;
    block_reasons.clear();
    segments = SegmentBlock(block, ctx.info, *shapes, &block_reasons, failures);
    for (const auto& s : segments) {
      if (s.target != SegmentTarget::kTensorRT || built.count(s.nodes)) continue;
      SegmentEngine engine = BuildSegmentEngine(s, ctx, *shapes);
      if (engine.ok()) {
        built[s.nodes] = std::move(engine);
        continue;
      }
      std::string first_line = engine.error.substr(0, engine.error.find('\n'));
      LOG_WARNING("Conversion failed in an engine segment of "
                  << s.nodes.size() << " node(s); "
                  << (engine.failed_node ? std::string(engine.failed_node->kind().toQualString()) +
                                               " runs in TorchScript and the block is partitioned again"
                                         : std::string("the segment runs in TorchScript"))
                  << ": " << first_line);
      LOG_DEBUG("Full conversion error:\n" << engine.error);
      if (engine.failed_node) {
        failures[engine.failed_node] = "its conversion failed: " + first_line;
      } else {
        for (const Node* n : s.nodes) failures[n] = "its engine segment failed to convert: " + first_line;
      }
      retry = true;
      break;
    }
  }
  reasons->insert(block_reasons.begin(), block_reasons.end());
  const Node* owner = block->owningNode();
  LOG_INFO("Partition of " << (owner ? "a block of " + std::string(owner->kind().toQualString()) : "the graph")
                           << DescribeSegments(segments, *reasons));
  int engines = 0;
  for (auto& s : segments) {
    if (s.target != SegmentTarget::kTorch) continue;
    for (Node* n : s.nodes)
      for (auto* sub : n->blocks()) engines += PartitionAndStitch(sub, ctx, shapes, reasons);
  }
  for (auto& s : segments) {
    if (s.target != SegmentTarget::kTensorRT) continue;
    auto plan = built.at(s.nodes);
    ComputeSegmentIO(&s);  // earlier stitches replaced the values this segment reads
    StitchEngineSegment(&s, plan, ctx, shapes);
    ++engines;
  }
  return engines;
}

}  // namespace partitioning
}  // namespace core
}  // namespace torch_tensorrt
