#include "core/compiler.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <functional>
#include <set>
#include <sstream>

#include "core/conversion/conversionctx/ConversionCtx.h"
#include "core/partitioning/stitching.h"
#include "core/runtime/runtime.h"
#include "core/util/macros.h"
#include "core/util/trt_util.h"
#include "engine/src/builder/fp8_check.h"
#include "torch/csrc/jit/api/function_impl.h"
#include "torch/csrc/jit/ir/ir.h"
#include "torch/csrc/jit/passes/dead_code_elimination.h"

namespace torch_tensorrt {
namespace core {

namespace {
double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// A build-progress line (shown at the default level; torch_tensorrt.logging.set_progress(False) hides it).
void progress(const std::string& phase, double secs, const std::string& detail = "") {
  std::ostringstream os;
  os.setf(std::ios::fixed);
  os.precision(3);
  os << phase << ": " << secs << " s" << (detail.empty() ? "" : " (" + detail + ")");
  util::logging::progress(os.str());
}

c10::FunctionSchema graphSchema(const std::string& name, const std::shared_ptr<torch::jit::Graph>& g) {
  std::vector<c10::Argument> args, returns;
  std::set<std::string> used;
  for (size_t i = 0; i < g->inputs().size(); ++i) {
    // Debug names like "x.1" are not valid argument names in saved code; keep the part before the dot.
    auto* in = g->inputs()[i];
    std::string name = in->hasDebugName() ? in->debugName().substr(0, in->debugName().find('.')) : "";
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])) || used.count(name))
      name = i == 0 ? "self" : "input_" + std::to_string(i - 1);
    used.insert(name);
    args.emplace_back(name, in->type());
  }
  for (auto* out : g->outputs()) returns.emplace_back("", out->type());
  return c10::FunctionSchema(name, "", std::move(args), std::move(returns));
}

// A compiled module is in eval mode, as an nn.Module's `training` flag says (torch.jit.freeze and module.eval() read
// and set it; without it they failed with "has no attribute 'training'").
void markForInference(torch::jit::Module& mod) { mod.register_attribute("training", c10::BoolType::get(), false); }

// torch_executed_ops / torch_executed_modules entries that name no node of forward: a misspelling
// ("aten::relux", a module path that is not the class's) would otherwise leave those ops in engines without a word.
void warnAboutUnmatchedFallbacks(const torch::jit::Block* block, const partitioning::PartitioningInfo& p) {
  std::set<std::string> kinds, modules;
  std::function<void(const torch::jit::Block*)> collect = [&](const torch::jit::Block* b) {
    for (const torch::jit::Node* n : b->nodes()) {
      kinds.insert(n->kind().toQualString());
      for (const auto& type : partitioning::ModuleTypesOf(n)) modules.insert(type);
      for (const torch::jit::Block* sub : n->blocks()) collect(sub);
    }
  };
  collect(block);
  for (const auto& op : p.forced_fallback_operators)
    if (!kinds.count(op))
      LOG_WARNING("torch_executed_ops lists '" << op << "', which no node of forward is (ops are named as the "
                                               << "graph prints them, e.g. 'aten::relu'); check the spelling");
  for (const auto& type : p.forced_fallback_modules)
    if (!modules.count(type))
      LOG_WARNING("torch_executed_modules lists '" << type << "', which no submodule of forward is (modules are named "
                                                   << "by their class's qualified name, e.g. "
                                                      "'torchvision.models.resnet.BasicBlock'); check the spelling");
}

OutputStructure structureOf(const std::shared_ptr<torch::jit::Graph>& g) {
  if (g->outputs().size() != 1) return OutputStructure::kTuple;
  auto kind = g->outputs()[0]->node()->kind();
  if (kind == torch::jit::prim::TupleConstruct) return OutputStructure::kTuple;
  if (kind == torch::jit::prim::ListConstruct) return OutputStructure::kList;
  return OutputStructure::kSingle;
}

// The graph's outputs with one level of tuple or list construction opened: what the engine's bindings return.
std::vector<const torch::jit::Value*> flatOutputs(const std::shared_ptr<torch::jit::Graph>& g) {
  std::vector<const torch::jit::Value*> flat;
  for (const auto* v : g->outputs()) {
    auto kind = v->node()->kind();
    if (kind == torch::jit::prim::TupleConstruct || kind == torch::jit::prim::ListConstruct)
      flat.insert(flat.end(), v->node()->inputs().begin(), v->node()->inputs().end());
    else
      flat.push_back(v);
  }
  return flat;
}

}  // namespace

std::string ConvertGraphToTRTEngine(const torch::jit::Module& mod, const std::string& method_name, CompileSpec cfg) {
  auto lowered = lowering::LowerModule(mod, cfg.lower_info);
  const auto& frozen = lowered.module();
  auto graph = lowering::LowerGraph(frozen, method_name);
  return conversion::ConvertBlockToEngine(graph->block(), cfg.convert_info);
}

std::string DescribeGraphEngine(const torch::jit::Module& mod, const std::string& method_name, CompileSpec cfg) {
  auto lowered = lowering::LowerModule(mod, cfg.lower_info);
  const auto& frozen = lowered.module();
  auto graph = lowering::LowerGraph(frozen, method_name);
  return conversion::DescribeBlockEngine(graph->block(), cfg.convert_info);
}

namespace {

// Casts the engine's outputs that conversion returned in their source type (casts to float64, which the
// engine has no type for) to their dtype after the engine: aten::to after the outputs are unpacked.
void castOutputsAfterEngine(torch::jit::Module& mod, const std::vector<at::ScalarType>& casts) {
  bool any = false;
  for (auto t : casts) any |= t != at::ScalarType::Undefined;
  if (!any) return;
  auto g = toGraphFunction(mod.get_method("forward").function()).graph();
  torch::jit::Node* unpack = nullptr;
  for (torch::jit::Node* node : g->nodes())
    if (node->kind() == torch::jit::prim::ListUnpack) unpack = node;
  TORCHTRT_CHECK(unpack && unpack->outputs().size() == casts.size(),
                 "a float64 graph output needs the engine's outputs unpacked; return a tensor or a tuple of tensors");
  torch::jit::WithInsertPoint guard(unpack->next());
  for (size_t i = 0; i < casts.size(); ++i) {
    if (casts[i] == at::ScalarType::Undefined) continue;
    torch::jit::Value* out = unpack->output(i);
    torch::jit::Value* cast =
        g->insert(c10::Symbol::fromQualString("aten::to"), {out, static_cast<int64_t>(casts[i]), false, false});
    out->replaceAllUsesAfterNodeWith(cast->node(), cast);
  }
}

torch::jit::Module compileWhole(const std::shared_ptr<torch::jit::Graph>& graph, const CompileSpec& cfg) {
  LOG_INFO("Converting the lowered graph (" << std::distance(graph->nodes().begin(), graph->nodes().end())
                                            << " nodes) into one engine");
  // An engine cannot write into the caller's tensors or the module's state: an in-place op on an argument would
  // leave the caller's tensor unchanged where TorchScript changes it. Refused here; partitioning keeps such ops
  // in TorchScript.
  std::function<void(const torch::jit::Block*)> refuseLastingWrites = [&](const torch::jit::Block* b) {
    for (const torch::jit::Node* n : b->nodes()) {
      if (const torch::jit::Value* kept = conversion::WrittenLongLivedTensor(n))
        TORCHTRT_THROW_ERROR("Unable to convert node: " << util::node_info(n) << "\nit writes in place into "
                                                        << conversion::DescribeLongLivedTensor(kept)
                                                        << ", which an engine cannot update; it must run in "
                                                           "TorchScript (require_full_compilation=False lets it)");
      for (const torch::jit::Block* sub : n->blocks()) refuseLastingWrites(sub);
    }
  };
  refuseLastingWrites(graph->block());
  // An engine returns a flat list of tensors, which forward returns as they are, or as one tuple or list of them.
  for (const torch::jit::Value* out : graph->outputs()) {
    const auto kind = out->node()->kind();
    if (kind != torch::jit::prim::TupleConstruct && kind != torch::jit::prim::ListConstruct) continue;
    for (const torch::jit::Value* element : out->node()->inputs())
      TORCHTRT_CHECK(!element->type()->cast<c10::TupleType>() && !element->type()->cast<c10::ListType>(),
                     "forward returns a nested tuple or list (%" << element->debugName() << " of type "
                                                                 << element->type()->str() << " inside %"
                                                                 << out->debugName()
                                                                 << "); one engine returns a flat tuple of tensors. "
                                                                    "require_full_compilation=False returns it "
                                                                    "through TorchScript, or return a flat tuple");
  }
  int32_t layers = 0;
  std::vector<at::ScalarType> casts;  // outputs the engine returns in their source type (float64 casts)
  const auto start = std::chrono::steady_clock::now();
  std::string plan = conversion::ConvertBlockToEngine(graph->block(), cfg.convert_info, &layers, {}, nullptr, &casts);
  progress("conversion", secondsSince(start), "one engine, " + std::to_string(layers) + " layers, build included");
  std::vector<std::string> inputs, outputs;
  for (size_t i = 0; i < cfg.convert_info.inputs.size(); ++i) inputs.push_back("input_" + std::to_string(i));
  const auto flat = flatOutputs(graph);
  for (size_t i = 0; i < flat.size(); ++i) outputs.push_back("output_" + std::to_string(i));
  std::vector<bool> channelsLast;
  for (const auto& r : cfg.convert_info.inputs) channelsLast.push_back(r.channels_last);
  // The compiled forward keeps the original argument names, so keyword calls keep working.
  std::vector<std::string> argumentNames;
  for (size_t i = 1; i < graph->inputs().size(); ++i)
    argumentNames.push_back(graph->inputs()[i]->hasDebugName() ? graph->inputs()[i]->debugName() : "");
  // Sizes computed in the engine leave it as 0-d tensors; forward returns them as the numbers the graph returned.
  std::vector<c10::TypePtr> outputTypes;
  for (const auto* v : flat) outputTypes.push_back(v->type());
  auto mod = EmbedEngineInNewModule(plan, cfg.device_info, inputs, outputs, structureOf(graph), channelsLast,
                                    argumentNames, outputTypes);
  castOutputsAfterEngine(mod, casts);
  return mod;
}

// Shape analysis runs where the module's weights are (TorchScript segments compute there), else on
// the engines' device.
c10::Device analysisDevice(const torch::jit::Block* block, const std::string& device_info) {
  for (const torch::jit::Node* n : block->nodes()) {
    if (n->kind() == torch::jit::prim::Constant && n->output()->type()->isSubtypeOf(*c10::TensorType::get()))
      return n->t(c10::attr::value).device();
    for (const torch::jit::Block* sub : n->blocks()) {
      auto d = analysisDevice(sub, "");
      if (!d.is_cpu()) return d;
    }
  }
  return device_info.empty() ? c10::Device(c10::kCPU) : c10::Device(device_info);
}

torch::jit::Module compilePartitioned(const torch::jit::Module& original, const torch::jit::Module& frozen,
                                      const std::shared_ptr<torch::jit::Graph>& graph, const CompileSpec& cfg) {
  const auto& ranges = cfg.convert_info.inputs;
  const auto& signature = cfg.input_signature;
  for (size_t i = 0; i < ranges.size(); ++i)
    TORCHTRT_CHECK(!ranges[i].channels_last,
                   "Input " << i << " has format channels_last, which binds a whole-module engine's input; this "
                            << "module compiles in parts (partial compilation), whose engines take what TorchScript "
                            << "hands them. Use the contiguous format, or make forward convert whole");
  size_t graph_inputs = graph->inputs().size() - 1;
  size_t given = signature.empty() ? ranges.size() : signature.size();
  TORCHTRT_CHECK(graph_inputs == given, "forward takes " << graph_inputs << " argument(s) but " << given
                                                         << " input spec(s) were given; pass one Input (or, in "
                                                            "input_signature, one tuple/list) per forward argument");
  for (size_t i = 0; i < graph_inputs; ++i) {
    partitioning::ArgumentStructure one;
    one.flat_index = i;
    partitioning::CheckArgumentType(graph->inputs()[i + 1], i, signature.empty() ? one : signature[i]);
  }
  std::vector<partitioning::AnalysisInput> analysis;
  for (const auto& r : ranges) analysis.push_back({r.min, r.opt, r.max, r.dtype, r.domain_lo, r.domain_hi});
  auto device = analysisDevice(graph->block(), cfg.device_info);
  LOG_INFO("Shape analysis: running the lowered graph on generated inputs (on " << device << ")");
  auto shapes = partitioning::RunShapeAnalysis(graph, frozen._ivalue(), analysis, signature, device);

  static std::atomic<int64_t> counter{0};
  torch::jit::Module result("tensorrt_partitioned_mod_" + std::to_string(counter++));
  markForInference(result);
  torch::jit::Value* self = graph->inputs()[0];
  for (const auto& use : self->uses()) {
    // Attributes that freezing kept (mutated state, script objects) move to the new module.
    TORCHTRT_CHECK(
        use.user->kind() == torch::jit::prim::GetAttr,
        "forward uses `self` in " << util::node_info(use.user) << ", which partial compilation cannot carry over");
    std::string name = use.user->s(c10::attr::name);
    if (!result.hasattr(name))
      result.register_attribute(name, frozen.type()->getAttribute(name), frozen.attr(name), false);
  }
  self->setType(result._ivalue()->type());

  partitioning::StitchContext ctx{cfg.partitioning_info, cfg.convert_info.engine_settings, cfg.device_info, &result,
                                  self};
  for (const auto& r : ranges) ctx.dynamic_inputs |= r.min != r.max;
  partitioning::FallbackReasons reasons;
  int engines = partitioning::PartitionAndStitch(graph->block(), ctx, &shapes, &reasons);
  if (engines == 0) {
    LOG_WARNING(
        "No part of forward could run in an engine (see the partition above at info level); returning the "
        "module unchanged");
    return original;
  }
  torch::jit::EliminateDeadCode(graph);
  lowering::DetachCallStacks(graph.get());  // the graph outlives the lowered copy, whose methods its call stacks name
  LOG_GRAPH("Stitched graph: " << *graph);
  auto* fn = result._ivalue()->compilation_unit()->create_function(
      c10::QualifiedName(*result.type()->name(), "forward"), graph);
  fn->setSchema(graphSchema("forward", graph));
  result.type()->addMethod(fn);
  LOG_INFO("Partial compilation: " << engines << " engine(s), " << reasons.size() << " node(s) left in TorchScript");
  return result;
}

}  // namespace

torch::jit::Module CompileGraph(const torch::jit::Module& mod, CompileSpec cfg) {
  auto start = std::chrono::steady_clock::now();
  const auto& p = cfg.partitioning_info;
  bool forced = !p.forced_fallback_operators.empty() || !p.forced_fallback_modules.empty();
  TORCHTRT_CHECK(p.enabled || !forced,
                 "require_full_compilation=True asks for the whole forward in one engine, but torch_executed_ops / "
                 "torch_executed_modules ask for some of it to run in TorchScript; drop one of the two settings");
  for (size_t i = 0; i < cfg.convert_info.inputs.size(); ++i) {
    const auto& r = cfg.convert_info.inputs[i];
    // Refused before anything runs: partial compilation's shape analysis would allocate such an input first.
    conversion::checkInputDimensions(r, i);
    TORCHTRT_CHECK(!r.channels_last || r.opt.size() == 4, "Input " << i << " has format channels_last but rank "
                                                                   << r.opt.size()
                                                                   << "; channels_last needs 4-D [N, C, H, W] inputs");
  }
  LOG_INFO("Lowering the module");
  auto lowered = lowering::LowerModule(mod, cfg.lower_info);
  const auto& frozen = lowered.module();
  auto graph = lowering::LowerGraph(frozen, "forward");
  progress("lowering", secondsSince(start),
           std::to_string(std::distance(graph->nodes().begin(), graph->nodes().end())) + " nodes");
  torch::jit::Module result;
  bool collections = false;
  for (const auto& arg : cfg.input_signature) collections |= arg.kind != partitioning::ArgumentStructure::Kind::kTensor;
  TORCHTRT_CHECK(p.enabled || !collections,
                 "require_full_compilation=True makes forward one engine, and engines take tensors; forward takes "
                 "tuples/lists (input_signature), whose packing runs in TorchScript. Set "
                 "require_full_compilation=False");
  // INT8 needs scales: a calibrator or fake-quantize nodes. Refused here, before partitioning would
  // quietly leave every engine to TorchScript.
  if (cfg.convert_info.engine_settings.enabled_precisions.count(at::kChar) &&
      !cfg.convert_info.engine_settings.calibrator) {
    bool fakeQuantized = false;
    for (const auto* node : graph->nodes())
      fakeQuantized |= std::string(node->kind().toQualString()).rfind("aten::fake_quantize", 0) == 0 ||
                       node->kind() == c10::Symbol::fromQualString("aten::fused_moving_avg_obs_fake_quant");
    TORCHTRT_CHECK(fakeQuantized,
                   "enabled_precisions contains int8, but the module has no fake-quantize nodes (a "
                   "quantization-aware model) and no INT8 calibrator was given: pass calibrator= "
                   "(torch_tensorrt.ptq.DataLoaderCalibrator or CacheCalibrator; C++ ptq_calibrator from "
                   "torch_tensorrt::ptq::make_int8_calibrator), compile a quantization-aware model, or drop int8");
  }
  // FP8 needs scales too: a calibrator, or the model's own FP8 quantization (a cast to float8_e4m3fn,
  // torch._scaled_mm). Refused here (the builder applies the whole rule, GPU compute capability included).
  if (cfg.convert_info.engine_settings.enabled_precisions.count(at::kFloat8_e4m3fn) &&
      !cfg.convert_info.engine_settings.calibrator) {
    bool fp8Quantized = false;
    for (const auto* node : graph->nodes()) {
      const auto type = node->outputs().size() == 1 ? node->output()->type()->cast<c10::TensorType>() : nullptr;
      fp8Quantized |= node->kind() == c10::Symbol::fromQualString("aten::_scaled_mm") ||
                      (type && type->scalarType() == at::kFloat8_e4m3fn) ||
                      (node->kind() == c10::Symbol::fromQualString("aten::to") && node->inputs().size() > 1 &&
                       std::any_of(node->inputs().begin() + 1, node->inputs().end(), [](const torch::jit::Value* v) {
                         const auto value = torch::jit::toIValue(v);
                         return value && value->isInt() && value->toInt() == static_cast<int64_t>(at::kFloat8_e4m3fn);
                       }));
    }
    trt::checkFp8Target(trt::Fp8Target{trt::Backend::kCPU, -1, -1, false, fp8Quantized});
  }
  // Calibration feeds the module's inputs to the engine: the whole forward must be that one engine.
  const auto& precisions = cfg.convert_info.engine_settings.enabled_precisions;
  const bool calibrating = cfg.convert_info.engine_settings.calibrator != nullptr &&
                           (precisions.count(at::kChar) || precisions.count(at::kFloat8_e4m3fn));
  if (calibrating && p.enabled) {
    auto unsupported = conversion::GetUnsupportedOpsInBlock(graph->block());
    std::stringstream ss;
    for (const auto& u : unsupported) ss << "\n  - " << u;
    TORCHTRT_CHECK(!forced && !collections && unsupported.empty(),
                   "INT8 calibration runs the calibrator's batches (the module's inputs) through one engine, so "
                   "forward must compile into one engine, but "
                       << (forced ? std::string("torch_executed_ops/torch_executed_modules keep parts in TorchScript")
                           : collections ? std::string("forward takes tuples/lists (input_signature)")
                                         : "these ops have no converter:" + ss.str())
                       << "; calibrate a module that compiles whole, or use a quantization-aware model");
  }
  conversion::checkTimingCacheFile(cfg.convert_info.engine_settings);
  bool whole = !p.enabled || (!forced && !collections && conversion::GetUnsupportedOpsInBlock(graph->block()).empty());
  bool done = false;
  if (whole) {
    try {
      result = compileWhole(graph, cfg);
      done = true;
    } catch (const std::exception& e) {
      if (!p.enabled || calibrating) throw;
      LOG_WARNING("Converting forward into one engine failed; partitioning it instead:\n" << util::errorMessage(e));
    }
  }
  if (!done) {
    auto unsupported = conversion::GetUnsupportedOpsInBlock(graph->block());
    if (!unsupported.empty()) {
      std::stringstream ss;
      ss << unsupported.size() << " op kind(s) have no converter and run in TorchScript "
         << "(require_full_compilation=True turns this into an error):";
      for (const auto& u : unsupported) ss << "\n  - " << u;
      LOG_WARNING(ss.str());
    }
    warnAboutUnmatchedFallbacks(graph->block(), p);
    const auto partitionStart = std::chrono::steady_clock::now();
    result = compilePartitioned(mod, frozen, graph, cfg);
    progress("partitioning", secondsSince(partitionStart), "shape analysis and each engine's conversion included");
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  LOG_INFO("Compiled forward in " << secs << " s");
  progress("compiled forward", secs);
  return result;
}

std::vector<std::string> UnsupportedOperators(const torch::jit::Module& mod, const std::string& method_name) {
  auto lowered = lowering::LowerModule(mod);
  const auto& frozen = lowered.module();
  auto graph = lowering::LowerGraph(frozen, method_name);
  return conversion::GetUnsupportedOpsInBlock(graph->block());
}

bool CheckMethodOperatorSupport(const torch::jit::Module& mod, const std::string& method_name) {
  auto lowered = lowering::LowerModule(mod);
  const auto& frozen = lowered.module();
  auto graph = lowering::LowerGraph(frozen, method_name);
  return conversion::VerifyConverterSupportForBlock(graph->block());
}

torch::jit::Module EmbedEngineInNewModule(const std::string& plan, const std::string& device_info,
                                          const std::vector<std::string>& input_binding_names,
                                          const std::vector<std::string>& output_binding_names,
                                          OutputStructure structure, const std::vector<bool>& channels_last,
                                          const std::vector<std::string>& argument_names,
                                          const std::vector<c10::TypePtr>& output_types) {
  static std::atomic<int64_t> counter{0};
  std::string name = "tensorrt_engine_mod_" + std::to_string(counter++);
  torch::jit::Module new_mod(name);
  markForInference(new_mod);
  auto engine =
      c10::make_intrusive<runtime::TRTEngine>(name, plan, device_info, input_binding_names, output_binding_names);
  const std::string attr = "__torch___torch_tensorrt_engine";
  new_mod.register_attribute(attr, c10::getCustomClassType<c10::intrusive_ptr<runtime::TRTEngine>>(),
                             c10::IValue(engine), false);

  auto g = std::make_shared<torch::jit::Graph>();
  auto* self = g->addInput("self");
  self->setType(new_mod._ivalue()->type());
  std::vector<torch::jit::Value*> ins;
  for (size_t i = 0; i < input_binding_names.size(); ++i) {
    const bool named = i < argument_names.size() && !argument_names[i].empty();
    auto* v = g->addInput(named ? argument_names[i] : "input_" + std::to_string(i));
    v->setType(c10::TensorType::get());
    if (i < channels_last.size() && channels_last[i]) {
      auto* order = g->insertConstant(c10::IValue(std::vector<int64_t>{0, 2, 3, 1}));
      auto* permute = g->insertNode(g->create(c10::Symbol::fromQualString("aten::permute"), {v, order}, 1));
      permute->output()->setType(c10::TensorType::get());
      v = permute->output();
    }
    ins.push_back(v);
  }
  auto* getEngine = g->insertNode(g->createGetAttr(self, attr));
  auto* list = g->insertNode(g->createList(c10::TensorType::get(), ins));
  auto* exec =
      g->create(c10::Symbol::fromQualString("tensorrt::execute_engine"), {list->output(), getEngine->output()}, 1);
  exec->output()->setType(c10::ListType::ofTensors());
  g->insertNode(exec);
  bool numbers = false;
  for (const auto& type : output_types) numbers |= util::isNumberType(type);
  if (structure == OutputStructure::kList && !numbers) {
    g->registerOutput(exec->output());
  } else {
    auto* unpack = g->insertNode(g->createListUnpack(exec->output(), output_binding_names.size()));
    std::vector<torch::jit::Value*> outs(unpack->outputs().begin(), unpack->outputs().end());
    for (size_t i = 0; i < outs.size() && i < output_types.size(); ++i)
      if (util::isNumberType(output_types[i])) outs[i] = util::tensorToNumber(g.get(), outs[i], output_types[i]);
    if (structure == OutputStructure::kList) {
      g->registerOutput(g->insertNode(g->createList(output_types.at(0), outs))->output());
    } else if (structure == OutputStructure::kSingle && outs.size() == 1) {
      g->registerOutput(outs[0]);
    } else {
      g->registerOutput(g->insertNode(g->createTuple(outs))->output());
    }
  }
  auto* fn =
      new_mod._ivalue()->compilation_unit()->create_function(c10::QualifiedName(*new_mod.type()->name(), "forward"), g);
  fn->setSchema(graphSchema("forward", g));
  new_mod.type()->addMethod(fn);
  return new_mod;
}

}  // namespace core
}  // namespace torch_tensorrt
