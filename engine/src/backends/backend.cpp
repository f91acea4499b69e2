#include "backends/backend.h"

#include <exception>

#include "runtime/schedule.h"
#include "trt/runtime.h"

namespace trt {

const ExecutionBackend& executionBackend(Backend kind) {
  if (kind == Backend::kCPU) return *cpuExecutionBackend();
  if (kind == Backend::kCUDA) {
    if (const ExecutionBackend* cuda = cudaExecutionBackend()) return *cuda;
    throw Error(
        "the cuda backend is not part of this build of the engine; rebuild with TORCHTRT_CUDA=ON, or compile for "
        "the CPU backend");
  }
  throw Error("unknown backend " + std::to_string(static_cast<int>(kind)));
}

namespace {
// `offset` bytes into `base`; null while `base` is (an input not yet bound when a context is created).
void* at(void* base, size_t offset) { return base ? static_cast<uint8_t*>(base) + offset : nullptr; }

// Where each tensor's memory is before the first step: bound inputs and outputs, arena blocks.
std::vector<void*> tensorData(const RunState& state, uint8_t* arena) {
  const Schedule& s = state.schedule;
  std::vector<void*> data(s.tensors.size(), nullptr);
  for (size_t t = 0; t < s.tensors.size(); ++t) {
    if (state.addresses[t] && !state.dataDependent[t])
      data[t] = state.addresses[t];
    else if (state.arenaOffset[t] != SIZE_MAX)
      data[t] = arena + state.arenaOffset[t];
  }
  return data;
}
}  // namespace

void prepareSteps(RunState& state, uint8_t* arena, const StepDevice& device, const PrepareLayer& prepare) {
  const Schedule& s = state.schedule;
  std::vector<void*> data = tensorData(state, arena);
  std::vector<cpu::TensorView> inputs;
  for (size_t st = 0; st < s.steps.size(); ++st) {
    const auto& step = s.steps[st];
    if (state.dataDependent[step.output] || step.layer->getType() == LayerType::kNON_ZERO) return;
    if (state.viewInput[st] >= 0) {
      data[step.output] = at(data[state.viewInput[st]], state.viewOffset[st]);
      continue;
    }
    if (s.isConstant[step.output]) {
      // Its own bytes even when it is also a network output: the output buffer is written only when the
      // run copies them, and a step made now may pack them (a product's constant weights).
      data[step.output] = device.constantData(*static_cast<const IConstantLayer*>(step.layer));
      continue;
    }
    inputs.clear();
    for (int32_t i : step.inputs) inputs.push_back({data[i], state.shapes[i], s.tensors[i]->getType()});
    const cpu::TensorView out{data[step.output], state.shapes[step.output], s.tensors[step.output]->getType()};
    if (state.shapes[step.output].volume() == 0) continue;
    try {
      prepare(*step.layer, state.layerToRun(st), inputs, out);
    } catch (const Error&) {
      throw;
    } catch (const std::exception& e) {
      throw Error(step.layer->describe() + ": " + e.what());
    }
  }
}

void runSteps(RunState& state, uint8_t* arena, const StepDevice& device) {
  const Schedule& s = state.schedule;
  std::vector<void*> data = tensorData(state, arena);
  if (state.profiler && !device.timer) throw Error("runSteps: profiling needs the backend's StepTimer");
  StepTimer* timer = state.profiler ? device.timer : nullptr;
  std::vector<cpu::TensorView> inputs;
  for (size_t st = 0; st < s.steps.size(); ++st) {
    const auto& step = s.steps[st];
    if (state.viewInput[st] >= 0) {  // a reshape-like layer or a block of its input: that memory
      data[step.output] = at(data[state.viewInput[st]], state.viewOffset[st]);
      continue;
    }
    if (s.isConstant[step.output] && !state.addresses[step.output]) {
      // Constants are read in place; only one that is a network output is copied.
      data[step.output] = device.constantData(*static_cast<const IConstantLayer*>(step.layer));
      continue;
    }
    inputs.clear();
    for (int32_t i : step.inputs) inputs.push_back({data[i], state.shapes[i], s.tensors[i]->getType()});
    if (step.layer->getType() == LayerType::kNON_ZERO) state.learnNonZeroCount(st, device.countNonZero(inputs[0]));
    cpu::TensorView out{data[step.output], state.shapes[step.output], s.tensors[step.output]->getType()};
    if (state.shapes[step.output].volume() == 0) continue;
    try {
      if (timer) timer->begin(st);
      device.runLayer(state.layerToRun(st), inputs, out);
      if (timer) timer->end(st);
    } catch (const Error&) {
      throw;
    } catch (const std::exception& e) {
      throw Error(step.layer->describe() + ": " + e.what());
    }
  }
  if (state.hasDataDependentShapes) state.deliverDataDependentOutputs(data, device.copy);
  // Reported after the run: a device timer can only read its events once the work has finished.
  if (timer)
    for (const auto& [st, ms] : timer->finish()) state.profiler->reportLayerTime(s.steps[st].layer->getName(), ms);
}

}  // namespace trt
