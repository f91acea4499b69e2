#include "core/conversion/conversion.h"

#include <limits>
#include <unordered_set>

#include <optional>
#include <sstream>

#include "core/conversion/converters/converter_util.h"
#include "core/conversion/converters/converters.h"
#include "core/conversion/converters/shape_tensors.h"
#include "core/conversion/evaluators/evaluators.h"
#include "core/conversion/layer_precisions.h"
#include "core/conversion/op_results_kept_alive.h"
#include "core/util/macros.h"
#include "core/util/trt_util.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {

namespace {

std::string unsupportedMessage(const torch::jit::Node* n) {
  std::stringstream ss;
  ss << "Unable to convert node: " << util::node_info(n) << " (conversion.AddLayer)\n";
  ss << "Schema: " << util::schemaInfo(n) << "\n";
  ss << "Converter for " << n->kind().toQualString() << " requested, but no such converter was found.\n";
  ss << "If you need a converter for this operator, you can implement one yourself (see docs/custom_converters.md) "
        "or run this op in TorchScript with torch_executed_ops.";
  return ss.str();
}

Var argFor(ConversionCtx* ctx, const torch::jit::Value* v, const torch::jit::Node* n) {
  auto t = ctx->value_tensor_map.find(v);
  if (t != ctx->value_tensor_map.end()) return Var(t->second);
  auto e = ctx->evaluated_value_map.find(v);
  if (e != ctx->evaluated_value_map.end()) return Var(&e->second);
  auto l = ctx->tensor_list_map.find(v);
  if (l != ctx->tensor_list_map.end()) return Var(&l->second);
  TORCHTRT_THROW_ERROR("Unable to convert node: " << util::node_info(n) << "\ninput %" << v->debugName()
                                                  << " was not produced by any converted or evaluated node");
}

void addInputs(ConversionCtx* ctx, const torch::jit::Block* block, const ConversionInfo& info,
               const StaticParams& params) {
  std::vector<const torch::jit::Value*> inputs;
  for (const torch::jit::Value* v : block->inputs()) {
    if (v->type()->kind() == c10::TypeKind::ClassType) continue;  // self
    auto p = params.find(v);
    if (p != params.end()) {
      ctx->AssociateValueAndIValue(v, p->second);
      continue;
    }
    inputs.push_back(v);
  }
  size_t count = inputs.size();
  TORCHTRT_CHECK(count == info.inputs.size(), "the graph takes "
                                                  << count << " input(s) but " << info.inputs.size()
                                                  << " input spec(s) were given; pass one Input per graph input");
  trt::IOptimizationProfile profile;
  bool dynamic = false;
  for (size_t i = 0; i < count; ++i) {
    const torch::jit::Value* v = inputs[i];
    const InputRange& r = info.inputs[i];
    TORCHTRT_CHECK(v->type()->isSubtypeOf(*c10::TensorType::get()),
                   "graph input %" << v->debugName() << " has type " << v->type()->str()
                                   << "; engines take tensors only (collections come with partial compilation)");
    checkInputDimensions(r, i);
    std::vector<int64_t> dims = r.opt;
    for (size_t d = 0; d < dims.size(); ++d)
      if (r.min[d] != r.max[d]) dims[d] = -1;
    std::string name = "input_" + std::to_string(i);
    // A channels-last binding is declared [N, H, W, C] and transposed to the graph's [N, C, H, W].
    TORCHTRT_CHECK(!r.channels_last || dims.size() == 4, "Input " << i << " has format channels_last but rank "
                                                                  << dims.size()
                                                                  << "; channels_last needs 4-D [N, C, H, W] inputs");
    auto binding = [&](std::vector<int64_t> d) {
      if (r.channels_last) d = {d[0], d[2], d[3], d[1]};
      return util::toDims(d);
    };
    trt::ITensor* t = ctx->net->addInput(name.c_str(), util::ScalarTypeToTRTDataType(r.dtype), binding(dims));
    if (r.channels_last) {
      trt::IShuffleLayer* toFirst = ctx->net->addShuffle(*t);
      trt::Permutation p;
      p.order[0] = 0;
      p.order[1] = 3;
      p.order[2] = 1;
      p.order[3] = 2;
      toFirst->setFirstTranspose(p);
      toFirst->setName((name + " NHWC to NCHW").c_str());
      t = toFirst->getOutput(0);
    }
    ctx->value_tensor_map[v] = t;
    if (r.isDynamic()) {
      dynamic = true;
      profile.setDimensions(name.c_str(), trt::OptProfileSelector::kMIN, binding(r.min));
      profile.setDimensions(name.c_str(), trt::OptProfileSelector::kOPT, binding(r.opt));
      profile.setDimensions(name.c_str(), trt::OptProfileSelector::kMAX, binding(r.max));
    }
  }
  if (dynamic) ctx->cfg->addOptimizationProfile(&profile);
}

// True for a pure aten op whose inputs are all compile-time values and which has a converter.
bool foldsAtCompileTime(const torch::jit::Node* n, const std::vector<Var>& args) {
  if (!n->kind().is_aten() || n->isNondeterministic() || !converters::nodeIsConvertible(n)) return false;
  const auto* schema = n->maybeSchema();
  if (!schema || schema->is_mutable()) return false;
  for (const Var& a : args)
    if (!a.isIValue()) return false;
  for (const torch::jit::Value* out : n->outputs())
    if (!out->type()->isSubtypeOf(*c10::TensorType::get())) return false;
  return true;
}

// Binds an element of a run-time list. A size list of a tensor with some dynamic dimensions holds
// shape tensors; an int element whose value the build already knows (a static dimension) is bound
// as that int, so compile-time logic on it (asserts, branches, static arguments) keeps working.
void bindListElement(ConversionCtx* ctx, const torch::jit::Value* v, trt::ITensor* t) {
  if (!t) {  // an absent optional element, or an undefined tensor in a tuple
    ctx->AssociateValueAndIValue(
        v, v->type()->kind() == c10::TypeKind::TensorType ? torch::jit::IValue(at::Tensor()) : torch::jit::IValue());
    return;
  }
  if (v->type()->kind() == c10::TypeKind::IntType && t && t->getDimensions().nbDims <= 1) {
    const std::vector<int64_t> known = t->getShapeValues();
    if (known.size() == 1 && known[0] != trt::kUnknownShapeValue) {
      ctx->AssociateValueAndIValue(v, known[0]);
      return;
    }
  }
  ctx->value_tensor_map[v] = t;
}

// What a graph value is bound to while converting: an engine tensor, a compile-time value, a list of
// engine tensors (a loop keeps these while its body's values are reset).
struct Binding {
  std::optional<trt::ITensor*> tensor;
  std::optional<torch::jit::IValue> value;
  std::optional<std::vector<trt::ITensor*>> list;
};

Binding bindingOf(ConversionCtx* ctx, const torch::jit::Value* v) {
  Binding b;
  if (ctx->value_tensor_map.count(v)) b.tensor = ctx->value_tensor_map.at(v);
  if (ctx->evaluated_value_map.count(v)) b.value = ctx->evaluated_value_map.at(v);
  if (ctx->tensor_list_map.count(v)) b.list = ctx->tensor_list_map.at(v);
  return b;
}

void bind(ConversionCtx* ctx, const torch::jit::Value* v, const Binding& b) {
  if (b.tensor) ctx->value_tensor_map[v] = *b.tensor;
  if (b.value) ctx->AssociateValueAndIValue(v, *b.value);
  if (b.list) ctx->tensor_list_map[v] = *b.list;
}

// Forgets the bindings of a block's values (before its body converts again, for the next iteration).
void unbindBlock(ConversionCtx* ctx, const torch::jit::Block* block) {
  auto unbind = [&](const torch::jit::Value* v) {
    ctx->value_tensor_map.erase(v);
    ctx->evaluated_value_map.erase(v);
    ctx->tensor_list_map.erase(v);
  };
  for (const torch::jit::Value* v : block->inputs()) unbind(v);
  for (const torch::jit::Node* inner : block->nodes()) {
    for (const torch::jit::Value* v : inner->outputs()) unbind(v);
    for (const torch::jit::Block* b : inner->blocks()) unbindBlock(ctx, b);
  }
}

void convertNode(ConversionCtx* ctx, const torch::jit::Node* n);

// A loop whose trip count and start condition are known while converting (a loop over a size list,
// a range of a static size): its body converts once per iteration, the loop-carried values passing
// from one iteration to the next; its condition must stay known.
void convertLoop(ConversionCtx* ctx, const torch::jit::Node* n, std::vector<Var>& args) {
  const torch::jit::Block* body = n->blocks()[0];
  const int64_t trips = args[0].unwrapToInt();
  bool going = args[1].unwrapToBool();
  std::vector<Binding> carried;
  for (size_t k = 2; k < n->inputs().size(); ++k) carried.push_back(bindingOf(ctx, n->inputs()[k]));
  for (int64_t i = 0; i < trips && going; ++i) {
    unbindBlock(ctx, body);
    ctx->AssociateValueAndIValue(body->inputs()[0], i);
    for (size_t k = 0; k < carried.size(); ++k) bind(ctx, body->inputs()[1 + k], carried[k]);
    for (const torch::jit::Node* inner : body->nodes()) convertNode(ctx, inner);
    Var condition = argFor(ctx, body->outputs()[0], n);
    TORCHTRT_CHECK(condition.isIValue(), "the condition of loop "
                                             << util::node_info(n)
                                             << " is computed at run time; engines unroll only "
                                                "loops whose iterations are known while converting");
    going = condition.unwrapToBool();
    for (size_t k = 0; k < carried.size(); ++k) carried[k] = bindingOf(ctx, body->outputs()[1 + k]);
  }
  for (size_t k = 0; k < carried.size(); ++k) bind(ctx, n->outputs()[k], carried[k]);
}

// prim::If without outputs whose one branch only raises (computing its message at most) and whose
// other is empty: `if cond: raise ...`.
bool isRunTimeCheck(const torch::jit::Node* n) {
  if (n->kind() != torch::jit::prim::If || !n->outputs().empty()) return false;
  auto raisesOnly = [](const torch::jit::Block* b) {
    bool raises = false;
    for (const torch::jit::Node* inner : b->nodes()) {
      if (inner->kind() == torch::jit::prim::RaiseException) {
        raises = true;
        continue;
      }
      const auto* schema = inner->maybeSchema();
      if (!inner->blocks().empty() || (schema && schema->is_mutable())) return false;
    }
    return raises;
  };
  const auto* a = n->blocks()[0];
  const auto* b = n->blocks()[1];
  return (raisesOnly(a) && b->nodes().begin() == b->nodes().end()) ||
         (raisesOnly(b) && a->nodes().begin() == a->nodes().end());
}

// A run-time check as a reader knows it: its source line and the message it raises when constant (printing the
// prim::If itself showed its blocks' IR).
std::string describeCheck(const torch::jit::Node* check) {
  for (const torch::jit::Block* b : check->blocks())
    for (const torch::jit::Node* inner : b->nodes()) {
      if (inner->kind() != torch::jit::prim::RaiseException) continue;
      // Where forward calls it when it was inlined (torch._assert's own raise sits in torch's source).
      std::string where;
      if (auto cs = inner->callstack()) {
        const auto frames = (*cs)->vec();
        if (!frames.empty())
          if (auto loc = std::get<1>(frames.front()).file_line_col())
            where = std::get<0>(*loc) + ":" + std::to_string(std::get<1>(*loc));
      }
      if (where.empty()) where = util::sourceLocation(inner);
      std::string text;
      if (!inner->inputs().empty())
        if (auto message = torch::jit::toIValue(inner->input(0)); message && message->isString())
          text = " (\"" + message->toStringRef() + "\")";
      return (where.empty() ? std::string("a raise in forward") : where) + text;
    }
  return util::node_info(check);
}

// Collects the nodes whose outputs are read only by run-time checks or by other such nodes (their
// condition's computation), walking each block from its end so every user is decided first; nodes
// that write in place never count (their write must not be dropped with a check).
void collectCheckFeeders(const torch::jit::Block* block, std::unordered_set<const torch::jit::Node*>* feeders) {
  std::vector<const torch::jit::Node*> nodes(block->nodes().begin(), block->nodes().end());
  for (auto it = nodes.rbegin(); it != nodes.rend(); ++it) {
    const torch::jit::Node* n = *it;
    for (const torch::jit::Block* sub : n->blocks()) collectCheckFeeders(sub, feeders);
    const auto* schema = n->maybeSchema();
    if (schema && schema->is_mutable()) continue;
    size_t uses = 0;
    bool onlyChecks = true;
    for (const torch::jit::Value* out : n->outputs())
      for (const auto& use : out->uses()) {
        ++uses;
        onlyChecks &= isRunTimeCheck(use.user) || feeders->count(use.user);
      }
    if (uses > 0 && onlyChecks) feeders->insert(n);
  }
}

bool isBound(ConversionCtx* ctx, const torch::jit::Value* v) {
  return ctx->value_tensor_map.count(v) || ctx->evaluated_value_map.count(v) || ctx->tensor_list_map.count(v);
}

void convertNodeChecked(ConversionCtx* ctx, const torch::jit::Node* n);

void convertNode(ConversionCtx* ctx, const torch::jit::Node* n) {
  if (isRunTimeCheck(n) && (!isBound(ctx, n->input(0)) || ctx->value_tensor_map.count(n->input(0)))) {
    // An input check on values known only at run time (an RNN's hidden-size check on a dynamic batch):
    // an engine cannot raise, so the check is dropped, as Torch-TensorRT's exception elimination does.
    // Checks decided while converting are still evaluated, with the model's message.
    LOG_WARNING("The check at " << describeCheck(n)
                                << " depends on run-time values; the engine does not evaluate it (inputs that "
                                   "would make the model raise give unspecified results)");
    return;
  }
  if (!ctx->check_feeders.count(n)) return convertNodeChecked(ctx, n);
  // A node computing only a run-time check's condition: when it cannot convert (a comparison of size
  // lists known only at run time), the check it feeds is dropped with it.
  try {
    convertNodeChecked(ctx, n);
  } catch (const std::exception& e) {
    LOG_DEBUG("Not converted (it only feeds a run-time check): " << util::node_info(n) << ": "
                                                                 << util::errorMessage(e));
  }
}

void convertNodeChecked(ConversionCtx* ctx, const torch::jit::Node* n) {
  if (n->kind() == torch::jit::prim::Constant) {
    ctx->AssociateValueAndIValue(n->output(), *torch::jit::toIValue(n->output()));
    return;
  }
  std::vector<Var> args;
  for (const torch::jit::Value* in : n->inputs()) args.push_back(argFor(ctx, in, n));

  if (n->kind() == torch::jit::prim::If && args[0].isIValue()) {
    // A branch whose condition became known while converting (a check on a static dimension of a
    // tensor with dynamic ones): the taken block converts inline, its outputs become the node's.
    const torch::jit::Block* taken = n->blocks()[args[0].unwrapToBool() ? 0 : 1];
    for (const torch::jit::Node* inner : taken->nodes()) convertNode(ctx, inner);
    for (size_t i = 0; i < n->outputs().size(); ++i) bind(ctx, n->outputs()[i], bindingOf(ctx, taken->outputs()[i]));
    return;
  }
  if (n->kind() == torch::jit::prim::Loop && args[0].isIValue() && args[1].isIValue()) {
    convertLoop(ctx, n, args);
    return;
  }

  // Lists of run-time tensors (from cat inputs, chunk/split/unbind outputs) are unpacked here.
  if ((n->kind() == torch::jit::prim::ListUnpack || n->kind() == torch::jit::prim::TupleUnpack) &&
      args[0].type() == Var::kITensorList) {
    const auto& list = ctx->tensor_list_map.at(n->input(0));
    TORCHTRT_CHECK(list.size() == n->outputs().size(), "prim::ListUnpack of " << list.size() << " tensors into "
                                                                              << n->outputs().size()
                                                                              << " values: " << util::node_info(n));
    for (size_t i = 0; i < list.size(); ++i) bindListElement(ctx, n->outputs()[i], list[i]);
    return;
  }
  if (n->kind() == c10::Symbol::fromQualString("aten::len") && args[0].type() == Var::kITensorList) {
    ctx->AssociateValueAndIValue(n->output(), static_cast<int64_t>(ctx->tensor_list_map.at(n->input(0)).size()));
    return;
  }
  if (n->kind() == c10::Symbol::fromQualString("aten::__getitem__") && args[0].type() == Var::kITensorList) {
    const auto& list = ctx->tensor_list_map.at(n->input(0));
    const int64_t size = static_cast<int64_t>(list.size()), index = args[1].unwrapToInt();
    const int64_t i = index < 0 ? index + size : index;
    TORCHTRT_CHECK(i >= 0 && i < size, "list index " << index << " is out of range for a list of " << size
                                                     << " tensors: " << util::node_info(n));
    bindListElement(ctx, n->output(), list[static_cast<size_t>(i)]);
    return;
  }
  if (evaluators::shouldEvalAtConversionTime(n, args)) {
    auto result = evaluators::EvalNode(ctx, n, args);
    if (result) {
      for (size_t i = 0; i < n->outputs().size(); ++i) ctx->AssociateValueAndIValue(n->outputs()[i], (*result)[i]);
      LOG_DEBUG("Evaluated " << util::node_info(n));
      return;
    }
  }
  if (foldsAtCompileTime(n, args)) {
    // Every input is known at compile time (sizes, constants): run the op itself, as constant
    // folding would; e.g. traced size arithmetic (NumToTensor -> floor_divide -> Int).
    auto results = evaluators::RunNodeOperation(n, args);
    for (size_t i = 0; i < n->outputs().size(); ++i) ctx->AssociateValueAndIValue(n->outputs()[i], results[i]);
    LOG_DEBUG("Folded " << util::node_info(n));
    return;
  }
  if (n->kind() == torch::jit::prim::ListConstruct && n->output()->type()->isSubtypeOf(*c10::ListType::ofInts())) {
    // A size list with sizes known only at run time: one 1-D int64 shape tensor.
    std::vector<trt::ITensor*> parts;
    for (size_t i = 0; i < args.size(); ++i) {
      if (args[i].isITensor()) converters::shape::requireShapeTensor(n, args[i].ITensor());
      parts.push_back(converters::shape::asElement(ctx, args[i], util::node_info(n) + " [" + std::to_string(i) + "]"));
    }
    ctx->value_tensor_map[n->output()] = converters::shape::concat(ctx, parts, util::node_info(n));
    return;
  }
  if (n->kind() == torch::jit::prim::ListConstruct || n->kind() == torch::jit::prim::TupleConstruct) {
    // Collections of run-time tensors: consumed by converters (cat) or returned as outputs. In a list
    // of optional tensors (aten::index's Tensor?[]) a None stays as a null entry.
    auto listType = n->output()->type()->cast<c10::ListType>();
    const bool optionalElements = listType && listType->getElementType()->kind() == c10::TypeKind::OptionalType;
    std::vector<trt::ITensor*> list;
    const bool tuple = n->kind() == torch::jit::prim::TupleConstruct;
    for (Var& a : args) {
      // Tuples may carry undefined tensors (attention weights that were not asked for).
      const bool absent = (optionalElements && a.isNone()) ||
                          (tuple && a.isIValue() && a.IValue()->isTensor() && !a.IValue()->toTensor().defined());
      list.push_back(absent ? nullptr : a.ITensorOrFreeze(ctx));
    }
    ctx->tensor_list_map[n->output()] = list;
    return;
  }
  if (!converters::nodeIsConvertible(n)) TORCHTRT_THROW_ERROR(unsupportedMessage(n));
  auto converter = converters::getNodeConverterFor(n->maybeSchema());
  bool ok = false;
  try {
    // An in-place op on a tensor left after lowering (its memory has other names): the engine computes
    // the written value for the op's own output only, so a later read of the memory under another name
    // would see the old value, silently. Refused then. Ops whose write leaves the values as they are
    // pass; ops that only reshape their own view (squeeze_, transpose_, ...) must not be read after
    // under their input's name.
    const auto& schemaArgs = n->maybeSchema()->arguments();
    static const std::unordered_set<std::string> valuePreserving = {"aten::detach_", "aten::dropout_",
                                                                    "aten::feature_dropout_"};
    static const std::unordered_set<std::string> viewMetadataOnly = {
        "aten::squeeze_", "aten::unsqueeze_", "aten::transpose_", "aten::t_", "aten::swapdims_", "aten::swapaxes_"};
    const std::string kind = n->kind().toQualString();
    if (!schemaArgs.empty() && schemaArgs[0].alias_info() && schemaArgs[0].alias_info()->isWrite() &&
        schemaArgs[0].type()->kind() == c10::TypeKind::TensorType && !valuePreserving.count(kind)) {
      if (viewMetadataOnly.count(kind)) {
        for (const auto& use : n->input(0)->uses())
          TORCHTRT_CHECK(use.user == n || (use.user->owningBlock() == n->owningBlock() && use.user->isBefore(n)),
                         "Unable to convert node: " << util::node_info(n) << "\n%" << n->input(0)->debugName()
                                                    << ", whose shape it changes, is read after it (by "
                                                    << util::node_info(use.user)
                                                    << "); it must run in TorchScript (require_full_compilation=False "
                                                       "lets it)");
      } else {
        converters::requireUnobservedWrite(n, /*allowLongLived=*/true);
      }
    }
    OpResultsKeptAlive keptAlive;  // a converter may read a temporary tensor it let go of (the seed's does)
    const int32_t firstLayer = ctx->net->getNbLayers();
    ok = converter(ctx, n, args);
    if (ok) PinLayerPrecisions(ctx, n, firstLayer);
  } catch (const std::exception& e) {
    TORCHTRT_THROW_ERROR("Failed to convert node: " << util::node_info(n) << "\nSchema: " << util::schemaInfo(n) << "\n"
                                                    << util::errorMessage(e));
  }
  TORCHTRT_CHECK(ok, "Converter for " << util::schemaInfo(n) << " failed on node " << util::node_info(n));
  for (const torch::jit::Value* out : n->outputs()) {
    if (out->uses().empty()) continue;  // e.g. the unused indices of max pooling
    bool bound =
        ctx->value_tensor_map.count(out) || ctx->evaluated_value_map.count(out) || ctx->tensor_list_map.count(out);
    TORCHTRT_CHECK(bound, "Converter for " << util::schemaInfo(n) << " did not bind output %" << out->debugName()
                                           << " of node " << util::node_info(n));
  }
  LOG_DEBUG("Converted " << util::node_info(n));
}

void markOutputs(ConversionCtx* ctx, const torch::jit::Block* block, const torch::jit::Node** failed_node,
                 std::vector<at::ScalarType>* boundary_casts) {
  std::vector<const torch::jit::Value*> outs;
  for (const torch::jit::Value* v : block->outputs()) {
    const torch::jit::Node* producer = v->node();
    if (producer->kind() == torch::jit::prim::TupleConstruct || producer->kind() == torch::jit::prim::ListConstruct) {
      for (const torch::jit::Value* e : producer->inputs()) outs.push_back(e);
    } else {
      outs.push_back(v);
    }
  }
  std::set<trt::ITensor*> marked;
  for (size_t i = 0; i < outs.size(); ++i) {
    // Numbers leave the engine as 0-d tensors and the compiled forward returns them as numbers again: ints and
    // bools exactly; a float would be float32 where TorchScript computes float64.
    const auto typeKind = outs[i]->type()->kind();
    const bool isFloat = typeKind == c10::TypeKind::FloatType;
    const bool returnable = typeKind == c10::TypeKind::IntType || typeKind == c10::TypeKind::BoolType ||
                            outs[i]->type()->isSubtypeOf(*c10::TensorType::get());
    if (failed_node && !returnable) *failed_node = outs[i]->node();
    TORCHTRT_CHECK(!isFloat, "forward returns %" << outs[i]->debugName()
                                                 << ", a float computed from sizes, which an engine would compute in "
                                                    "float32 where TorchScript computes float64; it must run in "
                                                    "TorchScript (require_full_compilation=False lets it)");
    TORCHTRT_CHECK(returnable, "forward returns %" << outs[i]->debugName() << " of type " << outs[i]->type()->str()
                                                   << ", which an engine cannot return (engines return tensors, and "
                                                      "ints and bools as 0-d tensors); it must run in TorchScript "
                                                      "(require_full_compilation=False lets it), or return it as a "
                                                      "tensor");
    auto it = ctx->value_tensor_map.find(outs[i]);
    auto known = ctx->evaluated_value_map.find(outs[i]);
    if (it == ctx->value_tensor_map.end() && known != ctx->evaluated_value_map.end() &&
        (known->second.isInt() || known->second.isBool())) {
      // A number known at compile time (a static size) is returned from a constant layer.
      const at::Tensor value = known->second.isInt() ? at::scalar_tensor(known->second.toInt(), at::kLong)
                                                     : at::scalar_tensor(known->second.toBool(), at::kBool);
      trt::ITensor* c = ctx->constantTensor(value, "folded_" + std::to_string(i));
      if (value.scalar_type() == at::kLong) c = converters::castTo(ctx, c, trt::DataType::kINT64, "folded_cast");
      ctx->value_tensor_map[outs[i]] = c;
      it = ctx->value_tensor_map.find(outs[i]);
    }
    if (it == ctx->value_tensor_map.end() && known != ctx->evaluated_value_map.end() && known->second.isTensor()) {
      // A tensor computed at compile time is returned from a constant layer.
      const at::Tensor& value = known->second.toTensor();
      trt::ITensor* c = ctx->constantTensor(value, "folded_" + std::to_string(i));
      // Constants hold int64 as int32; the output keeps TorchScript's dtype.
      if (value.scalar_type() == at::kLong) c = converters::castTo(ctx, c, trt::DataType::kINT64, "folded_cast");
      ctx->value_tensor_map[outs[i]] = c;
      it = ctx->value_tensor_map.find(outs[i]);
    }
    if (it == ctx->value_tensor_map.end() && failed_node) *failed_node = outs[i]->node();
    TORCHTRT_CHECK(it != ctx->value_tensor_map.end(),
                   "graph output %" << outs[i]->debugName()
                                    << " is not an engine tensor (it is known at compile time or is not a tensor); "
                                    << "engines return tensors only");
    trt::ITensor* t = it->second;
    // An input or a tensor returned twice needs its own output binding.
    if (t->isNetworkInput() || marked.count(t)) t = ctx->net->addIdentity(*t)->getOutput(0);
    std::string name = "output_" + std::to_string(i);
    t->setName(name.c_str());
    ctx->net->markOutput(*t);
    marked.insert(t);
    if (boundary_casts) {
      auto cast = ctx->boundary_casts.find(outs[i]);
      boundary_casts->push_back(cast == ctx->boundary_casts.end() ? at::ScalarType::Undefined : cast->second);
    }
  }
}

}  // namespace

namespace {
// Converts every node of the block into ctx's network, inputs and outputs marked.
void convertBlock(ConversionCtx& ctx, const torch::jit::Block* block, const ConversionInfo& info,
                  const StaticParams& params, const torch::jit::Node** failed_node,
                  std::vector<at::ScalarType>* boundary_casts) {
  ctx.boundary_casts_allowed = boundary_casts != nullptr;
  if (boundary_casts) boundary_casts->clear();
  addInputs(&ctx, block, info, params);
  collectCheckFeeders(block, &ctx.check_feeders);
  for (const torch::jit::Node* n : block->nodes()) {
    try {
      convertNode(&ctx, n);
    } catch (...) {
      if (failed_node) *failed_node = n;
      throw;
    }
  }
  markOutputs(&ctx, block, failed_node, boundary_casts);
}
}  // namespace

std::string DescribeBlockEngine(const torch::jit::Block* block, const ConversionInfo& info) {
  ConversionCtx ctx(info.engine_settings);
  convertBlock(ctx, block, info, {}, nullptr, nullptr);
  return ctx.DescribeOptimizedEngine();
}

std::string ConvertBlockToEngine(const torch::jit::Block* block, const ConversionInfo& info, int32_t* layer_count,
                                 const StaticParams& params, const torch::jit::Node** failed_node,
                                 std::vector<at::ScalarType>* boundary_casts) {
  ConversionCtx ctx(info.engine_settings);
  convertBlock(ctx, block, info, params, failed_node, boundary_casts);
  std::string plan = ctx.SerializeEngine();
  if (layer_count) *layer_count = ctx.layers_after_build;
  LOG_INFO("Built engine: " << ctx.layers_before_build << " layers converted, " << ctx.layers_after_build
                            << " after optimization, plan of " << plan.size() << " bytes");
  return plan;
}

void checkInputDimensions(const InputRange& r, size_t index) {
  for (const auto* shape : {&r.min, &r.opt, &r.max})
    for (int64_t size : *shape)
      TORCHTRT_CHECK(size <= std::numeric_limits<int32_t>::max(),
                     "Input " << index << " has a dimension of " << size << " in its shape range (min "
                              << c10::IntArrayRef(r.min) << ", opt " << c10::IntArrayRef(r.opt) << ", max "
                              << c10::IntArrayRef(r.max) << "); engines take dimensions up to 2147483647 (2^31 - 1)");
}

const torch::jit::Value* WrittenLongLivedTensor(const torch::jit::Node* n) {
  const c10::FunctionSchema* schema = n->maybeSchema();
  if (!schema || !schema->is_mutable()) return nullptr;
  const torch::jit::Node* params = n->owningGraph()->param_node();
  for (size_t i = 0; i < schema->arguments().size() && i < n->inputs().size(); ++i) {
    const auto* alias = schema->arguments()[i].alias_info();
    if (!alias || !alias->isWrite()) continue;
    const torch::jit::Value* owner = converters::memoryOwner(n->input(i));
    if (!owner->type()->isSubtypeOf(*c10::TensorType::get())) continue;
    const auto kind = owner->node()->kind();
    if (owner->node() == params || kind == torch::jit::prim::GetAttr || kind == torch::jit::prim::Constant)
      return owner;
  }
  return nullptr;
}

std::string DescribeLongLivedTensor(const torch::jit::Value* v) {
  if (v->node()->kind() == torch::jit::prim::GetAttr)
    return "the module's attribute '" + v->node()->s(c10::attr::name) + "' (state kept between calls)";
  if (v->node()->kind() == torch::jit::prim::Constant) return "the constant %" + v->debugName();
  return "forward's argument %" + v->debugName() + " (the caller's tensor)";
}

bool OpSupported(const torch::jit::Node* n) {
  return n->kind() == torch::jit::prim::Constant || evaluators::hasEvaluator(n) || converters::nodeIsConvertible(n) ||
         n->kind() == torch::jit::prim::ListConstruct || n->kind() == torch::jit::prim::TupleConstruct;
}

std::vector<std::string> GetUnsupportedOpsInBlock(const torch::jit::Block* block) {
  std::map<std::string, std::vector<std::string>> unsupported;
  std::map<std::string, std::string> schemas;
  for (const torch::jit::Node* n : block->nodes()) {
    for (const torch::jit::Block* sub : n->blocks()) {
      for (const auto& line : GetUnsupportedOpsInBlock(sub)) unsupported[line];
    }
    if (OpSupported(n)) continue;
    std::string key = n->kind().toQualString();
    schemas[key] = util::schemaInfo(n);
    std::string loc = util::sourceLocation(n);
    unsupported[key].push_back(loc.empty() ? util::node_info(n) : loc);
  }
  std::vector<std::string> out;
  for (const auto& kv : unsupported) {
    std::stringstream ss;
    ss << kv.first;
    if (schemas.count(kv.first)) ss << "\n  Schema: " << schemas[kv.first];
    for (const auto& where : kv.second) ss << "\n  at: " << where;
    out.push_back(ss.str());
  }
  return out;
}

bool VerifyConverterSupportForBlock(const torch::jit::Block* block, bool suppress_errors) {
  auto unsupported = GetUnsupportedOpsInBlock(block);
  if (unsupported.empty()) return true;
  if (!suppress_errors) {
    std::stringstream ss;
    ss << "Method requested cannot be compiled end to end by Torch-TensorRT. Unsupported operators listed below:\n";
    for (const auto& u : unsupported) ss << "  - " << u << "\n";
    LOG_ERROR(ss.str());
  }
  return false;
}

}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
