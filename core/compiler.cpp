#include "core/compiler.h"

#include <atomic>
#include <chrono>

#include "core/runtime/runtime.h"
#include "core/util/macros.h"
#include "torch/csrc/jit/ir/ir.h"

namespace torch_tensorrt {
namespace core {

namespace {

c10::FunctionSchema graphSchema(const std::string& name, const std::shared_ptr<torch::jit::Graph>& g) {
  std::vector<c10::Argument> args, returns;
  for (auto* in : g->inputs()) args.emplace_back(in->debugName(), in->type());
  for (auto* out : g->outputs()) returns.emplace_back("", out->type());
  return c10::FunctionSchema(name, "", std::move(args), std::move(returns));
}

OutputStructure structureOf(const std::shared_ptr<torch::jit::Graph>& g) {
  if (g->outputs().size() != 1) return OutputStructure::kTuple;
  auto kind = g->outputs()[0]->node()->kind();
  if (kind == torch::jit::prim::TupleConstruct) return OutputStructure::kTuple;
  if (kind == torch::jit::prim::ListConstruct) return OutputStructure::kList;
  return OutputStructure::kSingle;
}

size_t flatOutputCount(const std::shared_ptr<torch::jit::Graph>& g) {
  size_t n = 0;
  for (auto* v : g->outputs()) {
    auto kind = v->node()->kind();
    n += (kind == torch::jit::prim::TupleConstruct || kind == torch::jit::prim::ListConstruct)
             ? v->node()->inputs().size()
             : 1;
  }
  return n;
}

}  // namespace

std::string ConvertGraphToTRTEngine(const torch::jit::Module& mod, const std::string& method_name, CompileSpec cfg) {
  auto frozen = lowering::LowerModule(mod, cfg.lower_info);
  auto graph = lowering::LowerGraph(frozen, method_name);
  return conversion::ConvertBlockToEngine(graph->block(), cfg.convert_info);
}

torch::jit::Module CompileGraph(const torch::jit::Module& mod, CompileSpec cfg) {
  auto start = std::chrono::steady_clock::now();
  LOG_INFO("Lowering the module");
  auto frozen = lowering::LowerModule(mod, cfg.lower_info);
  auto graph = lowering::LowerGraph(frozen, "forward");
  LOG_INFO("Converting the lowered graph (" << std::distance(graph->nodes().begin(), graph->nodes().end())
                                            << " nodes)");
  int32_t layers = 0;
  std::string plan = conversion::ConvertBlockToEngine(graph->block(), cfg.convert_info, &layers);
  std::vector<std::string> inputs, outputs;
  for (size_t i = 0; i < cfg.convert_info.inputs.size(); ++i) inputs.push_back("input_" + std::to_string(i));
  for (size_t i = 0; i < flatOutputCount(graph); ++i) outputs.push_back("output_" + std::to_string(i));
  auto result = EmbedEngineInNewModule(plan, cfg.device_info, inputs, outputs, structureOf(graph));
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  LOG_INFO("Compiled forward into one engine of " << layers << " layers in " << secs << " s");
  return result;
}

std::vector<std::string> UnsupportedOperators(const torch::jit::Module& mod, const std::string& method_name) {
  auto frozen = lowering::LowerModule(mod);
  auto graph = lowering::LowerGraph(frozen, method_name);
  return conversion::GetUnsupportedOpsInBlock(graph->block());
}

bool CheckMethodOperatorSupport(const torch::jit::Module& mod, const std::string& method_name) {
  auto frozen = lowering::LowerModule(mod);
  auto graph = lowering::LowerGraph(frozen, method_name);
  return conversion::VerifyConverterSupportForBlock(graph->block());
}

torch::jit::Module EmbedEngineInNewModule(const std::string& plan, const std::string& device_info,
                                          const std::vector<std::string>& input_binding_names,
                                          const std::vector<std::string>& output_binding_names,
                                          OutputStructure structure) {
  static std::atomic<int64_t> counter{0};
  std::string name = "tensorrt_engine_mod_" + std::to_string(counter++);
  torch::jit::Module new_mod(name);
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
    auto* v = g->addInput("input_" + std::to_string(i));
    v->setType(c10::TensorType::get());
    ins.push_back(v);
  }
  auto* getEngine = g->insertNode(g->createGetAttr(self, attr));
  auto* list = g->insertNode(g->createList(c10::TensorType::get(), ins));
  auto* exec =
      g->create(c10::Symbol::fromQualString("tensorrt::execute_engine"), {list->output(), getEngine->output()}, 1);
  exec->output()->setType(c10::ListType::ofTensors());
  g->insertNode(exec);
  if (structure == OutputStructure::kList) {
    g->registerOutput(exec->output());
  } else {
    auto* unpack = g->insertNode(g->createListUnpack(exec->output(), output_binding_names.size()));
    if (structure == OutputStructure::kSingle && output_binding_names.size() == 1) {
      g->registerOutput(unpack->output(0));
    } else {
      std::vector<torch::jit::Value*> outs(unpack->outputs().begin(), unpack->outputs().end());
      auto* tuple = g->insertNode(g->createTuple(outs));
      g->registerOutput(tuple->output());
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
