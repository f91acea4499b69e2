// Converter tests: a TorchScript IR string is run by the JIT interpreter and as an engine,
// and the results are compared with the central tolerances.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "core/conversion/conversion.h"
#include "core/runtime/runtime.h"
#include "torch/csrc/jit/api/function_impl.h"
#include "torch/csrc/jit/ir/irparser.h"
#include "torch/csrc/jit/passes/inliner.h"
#include "torch/csrc/jit/runtime/graph_executor.h"
#include "torch/jit.h"
#include "torch/script.h"

namespace torchtrt_test {

// Tolerances per dtype. float32: kernels sum in a different order than ATen; with values of
// magnitude ~1 and reductions of up to ~10^4 terms the difference stays below 1e-4 relative.
struct Tolerance {
  double rtol, atol;
};
inline Tolerance toleranceFor(at::ScalarType t) {
  switch (t) {
    case at::kHalf:
      return {1e-2, 1e-2};  // 10-bit mantissa: ~1e-3 per op, a few ops deep
    case at::kBFloat16:
      return {8e-2, 8e-2};  // 7-bit mantissa: 8x float16's (the engine tests' table says the same)
    default:
      return {1e-4, 1e-5};
  }
}

inline std::shared_ptr<torch::jit::Graph> parse(const std::string& ir) {
  auto g = std::make_shared<torch::jit::Graph>();
  torch::jit::parseIR(ir, g.get());
  return g;
}

//! Runs the graph with the JIT interpreter; params follow the tensor inputs.
inline std::vector<at::Tensor> runJit(const std::shared_ptr<torch::jit::Graph>& g, std::vector<at::Tensor> inputs,
                                      std::vector<c10::IValue> params = {}) {
  torch::jit::GraphExecutor exec(g->copy(), "");
  torch::jit::Stack stack;
  for (auto& t : inputs) stack.push_back(t.clone());
  for (auto& p : params) stack.push_back(p);
  exec.run(stack);
  std::vector<at::Tensor> out;
  for (auto& v : stack) {
    if (v.isTuple()) {
      for (auto& e : v.toTupleRef().elements()) out.push_back(e.toTensor());
    } else {
      out.push_back(v.toTensor());
    }
  }
  return out;
}

//! Builds an engine from the graph (the last params.size() inputs are compile-time values) and runs it.
inline std::vector<at::Tensor> runEngine(const std::shared_ptr<torch::jit::Graph>& g, std::vector<at::Tensor> inputs,
                                         std::vector<c10::IValue> params = {},
                                         std::vector<torch_tensorrt::core::conversion::InputRange> ranges = {}) {
  using namespace torch_tensorrt::core;
  conversion::ConversionInfo info;
  if (ranges.empty()) {
    for (auto& t : inputs) {
      conversion::InputRange r;
      r.min = r.opt = r.max = t.sizes().vec();
      r.dtype = t.scalar_type();
      info.inputs.push_back(r);
    }
  } else {
    info.inputs = ranges;
  }
  conversion::StaticParams bound;
  size_t first = g->inputs().size() - params.size();
  for (size_t i = 0; i < params.size(); ++i) bound[g->inputs()[first + i]] = params[i];
  std::string plan = conversion::ConvertBlockToEngine(g->block(), info, nullptr, bound);
  std::vector<std::string> in_names, out_names;
  for (size_t i = 0; i < inputs.size(); ++i) in_names.push_back("input_" + std::to_string(i));
  size_t nOut = 0;
  for (auto* v : g->outputs())
    nOut += v->node()->kind() == torch::jit::prim::TupleConstruct ? v->node()->inputs().size() : 1;
  for (size_t i = 0; i < nOut; ++i) out_names.push_back("output_" + std::to_string(i));
  runtime::TRTEngine engine("test", plan, "cpu", in_names, out_names);
  return engine.execute(inputs);
}

//! With TORCHTRT_COMPARED_SCHEMAS set to a file, appends the schema (name.overload) of every node
//! of a graph whose engine was compared with the JIT interpreter: tests/py/test_converter_coverage.py
//! checks that every converter schema is among them.
inline void recordCompared(const torch::jit::Block* block) {
  const char* path = std::getenv("TORCHTRT_COMPARED_SCHEMAS");
  if (!path) return;
  std::ofstream log(path, std::ios::app);
  for (const torch::jit::Node* n : block->nodes()) {
    if (const c10::FunctionSchema* schema = n->maybeSchema()) {
      const auto& op = schema->operator_name();
      log << op.name << (op.overload_name.empty() ? "" : "." + op.overload_name) << "\n";
    }
    for (const torch::jit::Block* inner : n->blocks()) recordCompared(inner);
  }
}

inline void expectClose(const at::Tensor& actual, const at::Tensor& expected, Tolerance tol) {
  ASSERT_EQ(actual.sizes(), expected.sizes());
  ASSERT_EQ(actual.scalar_type(), expected.scalar_type());
  if (!at::isFloatingType(expected.scalar_type())) {
    EXPECT_TRUE(at::equal(actual, expected)) << "actual:\n" << actual << "\nexpected:\n" << expected;
    return;
  }
  EXPECT_TRUE(at::allclose(actual, expected, tol.rtol, tol.atol, /*equal_nan=*/true))
      << "max abs diff " << (actual - expected).abs().max().item<double>();
}

//! The inlined graph of a TorchScript function compiled from source (for what IR text cannot state:
//! statements without outputs, such as raise, list.extend).
inline std::shared_ptr<torch::jit::Graph> scriptGraph(const std::string& source, const std::string& name = "forward") {
  auto unit = torch::jit::compile(source);
  auto g = torch::jit::toGraphFunction(unit->get_function(name)).graph()->copy();
  torch::jit::Inline(*g);
  return g;
}

//! Runs a graph both ways and compares every output.
inline void checkGraph(const std::shared_ptr<torch::jit::Graph>& g, std::vector<at::Tensor> inputs,
                       std::vector<c10::IValue> params = {}) {
  auto expected = runJit(g, inputs, params);
  auto actual = runEngine(g, inputs, params);
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i)
    expectClose(actual[i], expected[i], toleranceFor(expected[i].scalar_type()));
  recordCompared(g->block());
}

//! Runs an IR string both ways and compares every output.
inline void checkGraph(const std::string& ir, std::vector<at::Tensor> inputs, std::vector<c10::IValue> params = {}) {
  checkGraph(parse(ir), std::move(inputs), std::move(params));
}

//! Builds one engine for inputs with dynamic dimensions (`ranges`: min/opt/max per input) and checks it
//! against the JIT interpreter at every set of inputs in `runs` (shapes inside the ranges).
inline void checkGraphDynamic(const std::string& ir, std::vector<torch_tensorrt::core::conversion::InputRange> ranges,
                              const std::vector<std::vector<at::Tensor>>& runs, std::vector<c10::IValue> params = {}) {
  using namespace torch_tensorrt::core;
  auto g = parse(ir);
  conversion::ConversionInfo info;
  info.inputs = std::move(ranges);
  conversion::StaticParams bound;  // the last params.size() graph inputs are compile-time values
  const size_t first = g->inputs().size() - params.size();
  for (size_t i = 0; i < params.size(); ++i) bound[g->inputs()[first + i]] = params[i];
  std::string plan = conversion::ConvertBlockToEngine(g->block(), info, nullptr, bound);
  std::vector<std::string> in_names, out_names;
  for (size_t i = 0; i < info.inputs.size(); ++i) in_names.push_back("input_" + std::to_string(i));
  size_t nOut = 0;
  for (auto* v : g->outputs())
    nOut += v->node()->kind() == torch::jit::prim::TupleConstruct ? v->node()->inputs().size() : 1;
  for (size_t i = 0; i < nOut; ++i) out_names.push_back("output_" + std::to_string(i));
  runtime::TRTEngine engine("test", plan, "cpu", in_names, out_names);
  for (const auto& inputs : runs) {
    auto expected = runJit(g, inputs, params);
    auto actual = engine.execute(inputs);
    ASSERT_EQ(actual.size(), expected.size());
    for (size_t i = 0; i < actual.size(); ++i)
      expectClose(actual[i], expected[i], toleranceFor(expected[i].scalar_type()));
  }
  recordCompared(g->block());
}

//! An input range: min / opt / max shapes of a float32 input.
inline torch_tensorrt::core::conversion::InputRange range(std::vector<int64_t> min, std::vector<int64_t> opt,
                                                          std::vector<int64_t> max, at::ScalarType dtype = at::kFloat) {
  torch_tensorrt::core::conversion::InputRange r;
  r.min = std::move(min);
  r.opt = std::move(opt);
  r.max = std::move(max);
  r.dtype = dtype;
  return r;
}

// --- Inputs and graphs shared by the converter family tests --------------------------------------

//! One op applied to %x with extra constant arguments (IR text of their definitions and uses).
inline void checkUnary(const std::string& op, const at::Tensor& x, const std::string& defs = "",
                       const std::string& args = "") {
  checkGraph("graph(%x : Tensor):\n" + defs + "  %y : Tensor = aten::" + op + "(%x" + args + ")\n  return (%y)", {x});
}

//! Uniform values in (-0.9, 0.9): inside the domain of atanh, asin, acos.
inline at::Tensor inOpenUnitRange(std::vector<int64_t> shape) { return at::rand(shape) * 1.8 - 0.9; }

//! Runs of one input [b, rest...] for each batch size b.
inline std::vector<std::vector<at::Tensor>> batches(std::vector<int64_t> rest, std::vector<int64_t> sizes = {1, 3, 4}) {
  std::vector<std::vector<at::Tensor>> runs;
  for (int64_t b : sizes) {
    std::vector<int64_t> shape = {b};
    shape.insert(shape.end(), rest.begin(), rest.end());
    runs.push_back({at::randn(shape)});
  }
  return runs;
}

//! Runs of one image input [b, c, h, w] for each (b, h, w).
inline std::vector<std::vector<at::Tensor>> images(int64_t c, std::vector<std::array<int64_t, 3>> sizes) {
  std::vector<std::vector<at::Tensor>> runs;
  for (const auto& s : sizes) runs.push_back({at::randn({s[0], c, s[1], s[2]})});
  return runs;
}

//! Random integers in [lo, hi) of an integer dtype.
inline at::Tensor ints(std::vector<int64_t> shape, at::ScalarType type = at::kInt, int64_t lo = -20, int64_t hi = 20) {
  return at::randint(lo, hi, shape, at::TensorOptions().dtype(type));
}

//! Divisors without zeros (integer division by zero raises in PyTorch), of both signs.
inline at::Tensor nonZeroInts(std::vector<int64_t> shape, at::ScalarType type = at::kInt) {
  at::Tensor t = ints(shape, type, 1, 9);
  return at::where(at::rand(shape) > 0.5, t, -t);
}

}  // namespace torchtrt_test
