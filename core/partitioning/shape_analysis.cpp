// Shape analysis: run the lowered graph in the TorchScript interpreter on generated inputs and
// record the shape and dtype of every tensor it computes. Engine segments take their input ranges
// from here; a value computed inside a loop or a taken branch is seen as often as it runs.
#include <algorithm>
#include <set>
#include <sstream>

#include "ATen/CPUGeneratorImpl.h"
#include "core/partitioning/partitioning.h"
#include "core/util/macros.h"
#include "torch/csrc/autograd/grad_mode.h"
#include "torch/csrc/jit/ir/alias_analysis.h"
#include "torch/csrc/jit/runtime/interpreter.h"
#include "torch/library.h"

namespace torch_tensorrt {
namespace core {
namespace partitioning {

namespace {

struct Observation {
  std::vector<int64_t> sizes;
  at::ScalarType dtype;
  c10::Device device;
  int run;  // 0 = min, 1 = opt, 2 = max, kFirstProbe and on: opt's shapes with other values
};

// Runs at the opt shapes with other values: a tensor whose sizes there are none the other runs saw has a shape that
// depends on tensor data (torch.arange(n) of a 0-d tensor n, nonzero, unique), which no engine input range can
// hold. The probes fill every input with one value, the domain's lowest and then its highest, so that they differ
// from the random run in what such ops count (unique of random floats finds every element, of a filled tensor one;
// an integer domain of [0, 2) gives 0 and then 1).
constexpr int kFirstProbe = 3;
constexpr int kProbes = 2;

struct Recorder {
  int run = 0;
  std::unordered_map<int64_t, std::vector<Observation>> seen;
};

// The interpreter runs on the calling thread, so each compilation records into its own recorder.
thread_local Recorder* active_recorder = nullptr;

// Takes any value: a value typed Tensor can hold a placeholder where it is never read (prim::Uninitialized after a
// `return` or `break` inside a loop, None from a `with` block's exit), which an observer taking Tensor would refuse.
void observe(const c10::IValue& value, int64_t id) {
  if (!active_recorder || !value.isTensor()) return;
  const at::Tensor& t = value.toTensor();
  if (t.defined())
    active_recorder->seen[id].push_back({t.sizes().vec(), t.scalar_type(), t.device(), active_recorder->run});
}

TORCH_LIBRARY_FRAGMENT(torchtrt_internal, m) { m.def("observe(Any x, int id) -> ()", observe); }

bool isTensor(const torch::jit::Value* v) { return v->type()->isSubtypeOf(*c10::TensorType::get()); }

// Inserts an observe call after each tensor value's definition; `observed` holds the values by id.
void instrument(torch::jit::Graph* g, torch::jit::Block* block, std::vector<torch::jit::Value*>* observed,
                std::vector<torch::jit::Node*>* inserted) {
  static const auto kObserve = c10::Symbol::fromQualString("torchtrt_internal::observe");
  auto addObserver = [&](torch::jit::Value* v, torch::jit::Node* before_or_null, torch::jit::Node* after_or_null) {
    auto* id = g->create(torch::jit::prim::Constant);
    id->i_(c10::attr::value, static_cast<int64_t>(observed->size()));
    id->output()->setType(c10::IntType::get());
    auto* obs = g->create(kObserve, {v, id->output()}, 0);
    if (after_or_null) {
      obs->insertAfter(after_or_null);
      id->insertBefore(obs);
    } else {
      obs->insertBefore(before_or_null);
      id->insertBefore(obs);
    }
    observed->push_back(v);
    inserted->push_back(obs);
    inserted->push_back(id);
  };
  // Block parameters (graph inputs, loop-carried values) are observed where the block starts.
  for (auto* v : block->inputs())
    if (isTensor(v)) addObserver(v, block->nodes().front(), nullptr);
  std::vector<torch::jit::Node*> nodes(block->nodes().begin(), block->nodes().end());
  for (auto* n : nodes) {
    for (auto* sub : n->blocks()) instrument(g, sub, observed, inserted);
    // Constants, and the placeholders a branch that raises or leaves early returns (prim::Uninitialized: never a
    // tensor when it runs).
    if (n->kind() == torch::jit::prim::Constant || n->kind() == torch::jit::prim::Uninitialized) continue;
    torch::jit::Node* last = n;
    for (auto* v : n->outputs()) {
      if (!isTensor(v)) continue;
      addObserver(v, nullptr, last);
      last = inserted->at(inserted->size() - 2);  // after this observer
    }
  }
}

// A generated input: random in the input's domain, or (probe 0 / 1) filled with the domain's lowest / highest value.
at::Tensor generate(const AnalysisInput& in, const std::vector<int64_t>& shape, at::Generator& gen,
                    const c10::Device& device, int probe = -1) {
  auto cpu = at::TensorOptions().device(at::kCPU);
  at::Tensor t;
  if (probe >= 0) {
    const bool high = probe > 0;
    double value = high ? in.domain_lo + 0.75 * (in.domain_hi - in.domain_lo) : in.domain_lo;
    if (in.dtype == at::kBool) value = high ? 1 : 0;
    if (c10::isIntegralType(in.dtype, false))
      value = high ? std::max(std::floor(in.domain_lo), std::ceil(in.domain_hi) - 1) : std::floor(in.domain_lo);
    return at::full(shape, value, cpu.dtype(at::kDouble)).to(in.dtype).to(device);
  }
  if (in.dtype == at::kBool) {
    t = at::randint(0, 2, shape, gen, cpu.dtype(at::kLong)).to(at::kBool);
  } else if (c10::isIntegralType(in.dtype, false)) {
    t = at::randint(static_cast<int64_t>(std::floor(in.domain_lo)), static_cast<int64_t>(std::ceil(in.domain_hi)),
                    shape, gen, cpu.dtype(at::kLong))
            .to(in.dtype);
  } else {
    t = (at::rand(shape, gen, cpu.dtype(at::kFloat)) * (in.domain_hi - in.domain_lo) + in.domain_lo).to(in.dtype);
  }
  return t.to(device);
}

c10::IValue pack(const ArgumentStructure& s, const std::vector<at::Tensor>& flat) {
  switch (s.kind) {
    case ArgumentStructure::Kind::kTensor:
      return flat.at(s.flat_index);
    case ArgumentStructure::Kind::kTuple: {
      std::vector<c10::IValue> elements;
      for (const auto& e : s.elements) elements.push_back(pack(e, flat));
      return c10::ivalue::Tuple::create(std::move(elements));
    }
    case ArgumentStructure::Kind::kList: {
      c10::List<at::Tensor> list;
      for (const auto& e : s.elements) list.push_back(pack(e, flat).toTensor());
      return list;
    }
  }
  return {};
}

std::string shapeText(const std::vector<int64_t>& s) {
  std::stringstream ss;
  ss << "(";
  for (size_t i = 0; i < s.size(); ++i) ss << (i ? ", " : "") << s[i];
  ss << ")";
  return ss.str();
}

// The module's tensors that forward writes (a step counter, a running mean: attributes freezing kept because they
// change), saved before the analysis runs forward and put back after it: the runs must leave the state as the caller
// gave it (the compiled module shares these tensors with the caller's), else the first real call starts from a state
// three runs further on.
class WrittenStateSnapshot {
 public:
  WrittenStateSnapshot(const std::shared_ptr<torch::jit::Graph>& graph, const c10::IValue& self_value) {
    torch::jit::AliasDb aliases(graph);
    std::unordered_map<const torch::jit::Value*, c10::IValue> values{{graph->inputs()[0], self_value}};
    collect(graph->block(), aliases, &values);
  }
  ~WrittenStateSnapshot() {
    torch::NoGradGuard noGrad;
    for (auto& [live, saved] : saved_) {
      if (live.sizes() == saved.sizes() && live.strides() == saved.strides())
        live.copy_(saved);
      else
        live.set_(saved);  // resized in place by forward: the saved tensor becomes its storage again
    }
  }
  WrittenStateSnapshot(const WrittenStateSnapshot&) = delete;
  WrittenStateSnapshot& operator=(const WrittenStateSnapshot&) = delete;

 private:
  void collect(const torch::jit::Block* block, const torch::jit::AliasDb& aliases,
               std::unordered_map<const torch::jit::Value*, c10::IValue>* values) {
    for (const torch::jit::Node* n : block->nodes()) {
      for (const torch::jit::Block* sub : n->blocks()) collect(sub, aliases, values);
      if (n->kind() != torch::jit::prim::GetAttr) continue;
      auto owner = values->find(n->input());
      if (owner == values->end() || !owner->second.isObject()) continue;
      auto value = owner->second.toObjectRef().getAttr(n->s(c10::attr::name));
      (*values)[n->output()] = value;
      if (!value.isTensor() || !aliases.hasWriters(n->output())) continue;
      const at::Tensor& live = value.toTensor();
      bool known = false;
      for (const auto& entry : saved_) known |= entry.first.is_same(live);
      if (!known && live.defined()) saved_.emplace_back(live, live.clone());
    }
  }
  std::vector<std::pair<at::Tensor, at::Tensor>> saved_;
};

}  // namespace

ShapeMap RunShapeAnalysis(const std::shared_ptr<torch::jit::Graph>& graph, const c10::IValue& self_value,
                          const std::vector<AnalysisInput>& inputs, const std::vector<ArgumentStructure>& signature,
                          const c10::Device& device) {
  const WrittenStateSnapshot state(graph, self_value);
  std::vector<torch::jit::Value*> observed;
  std::vector<torch::jit::Node*> inserted;
  instrument(graph.get(), graph->block(), &observed, &inserted);
  auto instrumented = graph->copy();
  // The original graph gets its observers removed again: first the calls, then their id constants
  // (sorted first: a destroyed node must not be asked its kind).
  std::vector<torch::jit::Node*> calls, constants;
  for (auto* n : inserted) (n->kind() == torch::jit::prim::Constant ? constants : calls).push_back(n);
  for (auto* n : calls) n->destroy();
  for (auto* n : constants) n->destroy();
  torch::jit::Code code(instrumented, "shape_analysis");
  // As the compiled module runs (inference): an in-place op on a weight that requires grad (embedding_renorm_ of
  // nn.Embedding(max_norm=...)) would raise otherwise, and the interpreter's error report crashed on that graph.
  torch::NoGradGuard noGrad;

  bool dynamic = false;
  for (const auto& in : inputs) dynamic |= in.min != in.max;
  std::vector<int> runs = dynamic ? std::vector<int>{0, 1, 2} : std::vector<int>{1};
  for (int p = 0; p < kProbes; ++p) runs.push_back(kFirstProbe + p);
  Recorder recorder;
  auto gen = at::detail::createCPUGenerator(20261125);
  for (int run : runs) {
    const bool probe = run >= kFirstProbe;
    torch::jit::Stack stack;
    stack.push_back(self_value);
    std::stringstream described;
    std::vector<at::Tensor> flat;
    for (size_t i = 0; i < inputs.size(); ++i) {
      const auto& in = inputs[i];
      const auto& shape = run == 0 ? in.min : run == 2 ? in.max : in.opt;
      flat.push_back(generate(in, shape, gen, device, probe ? run - kFirstProbe : -1));
      described << (i ? ", " : "") << shapeText(shape) << " " << c10::toString(in.dtype) << " in [" << in.domain_lo
                << ", " << in.domain_hi << ")";
    }
    if (signature.empty()) {
      for (auto& t : flat) stack.push_back(t);
    } else {
      for (const auto& arg : signature) stack.push_back(pack(arg, flat));
    }
    recorder.run = run;
    active_recorder = &recorder;
    try {
      torch::jit::InterpreterState(code).run(stack);
    } catch (const std::exception& e) {
      active_recorder = nullptr;
      if (probe) {  // other values the module does not take: the probe tells nothing; its observations go
        for (auto& kv : recorder.seen)
          kv.second.erase(
              std::remove_if(kv.second.begin(), kv.second.end(), [&](const Observation& ob) { return ob.run == run; }),
              kv.second.end());
        continue;
      }
      TORCHTRT_THROW_ERROR(
          "partial compilation runs the module on generated inputs to learn the shapes between "
          "segments, and the module failed on inputs "
          << described.str() << " (on " << device << "):\n"
          << e.what()
          << "\nGive each input the value range the model accepts with Input(tensor_domain=(lo, hi)), "
             "or its real shape");
    }
    active_recorder = nullptr;
  }

  ShapeMap shapes;
  for (const auto& kv : recorder.seen) {
    const torch::jit::Value* v = observed.at(kv.first);
    ObservedTensor o;
    const Observation* opt = nullptr;
    bool first = true;
    // A size a probe saw that no min/opt/max run saw came from the values alone. (Sizes, not their sequence: a loop
    // whose trip count follows the values repeats the same sizes a different number of times.)
    std::set<std::vector<int64_t>> ranged;
    for (const auto& ob : kv.second)
      if (ob.run < kFirstProbe) ranged.insert(ob.sizes);
    for (const auto& ob : kv.second)
      if (ob.run >= kFirstProbe && !ranged.count(ob.sizes)) o.data_dependent = true;
    for (const auto& ob : kv.second) {
      if (ob.run >= kFirstProbe) continue;  // the probes' sizes are not part of the range
      if (first) {
        o.min = o.max = ob.sizes;
        o.dtype = ob.dtype;
        o.device = ob.device;
        first = false;
      }
      if (ob.sizes.size() != o.min.size() || ob.dtype != o.dtype) {
        o.consistent = false;
        continue;
      }
      for (size_t d = 0; d < ob.sizes.size(); ++d) {
        o.min[d] = std::min(o.min[d], ob.sizes[d]);
        o.max[d] = std::max(o.max[d], ob.sizes[d]);
      }
      if (ob.run == 1 || !opt) opt = &ob;
    }
    if (first) continue;  // seen by a probe only (a branch other values take): no range
    o.opt = opt ? opt->sizes : o.min;
    shapes[v] = o;
  }
  return shapes;
}

namespace {
void checkType(const c10::TypePtr& type, const ArgumentStructure& structure, const std::string& where) {
  switch (structure.kind) {
    case ArgumentStructure::Kind::kTensor: {
      const bool collection = type->cast<c10::TupleType>() || type->cast<c10::ListType>();
      TORCHTRT_CHECK(type->isSubtypeOf(*c10::TensorType::get()),
                     where << " has type " << type->str() << " but is given one Input; "
                           << (collection ? "describe tuples and lists with input_signature"
                                          : "compiled modules take tensors, and tuples and lists of them (through "
                                            "input_signature): pass it as a tensor, or make it an attribute or a "
                                            "constant of the module"));
      return;
    }
    case ArgumentStructure::Kind::kTuple: {
      auto tuple = type->cast<c10::TupleType>();
      TORCHTRT_CHECK(tuple && tuple->elements().size() == structure.elements.size(),
                     where << " has type " << type->str() << " but is given a tuple of " << structure.elements.size()
                           << " in input_signature");
      for (size_t i = 0; i < structure.elements.size(); ++i)
        checkType(tuple->elements()[i], structure.elements[i], where + " element " + std::to_string(i));
      return;
    }
    case ArgumentStructure::Kind::kList: {
      auto list = type->cast<c10::ListType>();
      TORCHTRT_CHECK(list && list->getElementType()->isSubtypeOf(*c10::TensorType::get()),
                     where << " has type " << type->str() << " but is given a list; lists must be List[Tensor]");
      for (const auto& e : structure.elements)
        TORCHTRT_CHECK(e.kind == ArgumentStructure::Kind::kTensor, where << ": list elements must be single Inputs");
      return;
    }
  }
}
}  // namespace

void CheckArgumentType(const torch::jit::Value* arg, size_t index, const ArgumentStructure& structure) {
  checkType(arg->type(), structure, "forward argument " + std::to_string(index) + " (%" + arg->debugName() + ")");
}

}  // namespace partitioning
}  // namespace core
}  // namespace torch_tensorrt
