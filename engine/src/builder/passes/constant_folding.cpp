#include <unordered_set>
#include <vector>

#include "backends/cpu/cpu_kernels.h"
#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"
#include "layers/shape_values.h"

namespace trt {
namespace passes {

namespace {
// Folding bigger results would bloat the plan for little gain, unless the result replaces constants
// at least as large (see constantBytesFreed).
constexpr int64_t kMaxFoldedBytes = 64ll << 20;

// Bytes of the layer's constant inputs that nothing else reads: folding the layer leaves them dead. A
// large cast of weights (VGG-16's first classifier layer: 411 MB of float32 weights cast to float16 at
// every call, 0.3 ms of its 0.57 ms at batch 1 on an H200) folds into a smaller constant this way.
int64_t constantBytesFreed(const INetworkDefinition& network, const ILayer& layer) {
  int64_t freed = 0;
  for (int i = 0; i < layer.getNbInputs(); ++i) {
    const ITensor* t = layer.getInput(i);
    if (t->isNetworkOutput() || countUses(network, t) != 1) continue;
    freed += t->getDimensions().volume() * static_cast<int64_t>(dataTypeSize(t->getType()));
  }
  return freed;
}
}  // namespace

int32_t foldConstants(INetworkDefinition& network) {
  int32_t folded = 0;
  std::unordered_set<const ILayer*> replaced;  // folded layers stay until dead-layer removal
  for (int l = 0; l < network.getNbLayers(); ++l) {
    ILayer* layer = network.getLayer(l);
    if (layer->getType() == LayerType::kCONSTANT || layer->getNbInputs() == 0 || replaced.count(layer)) continue;
    if (layer->getType() == LayerType::kSHAPE && layer->getInput(0)->getDimensions().isStatic()) {
      // The dimensions of a static tensor are a constant, whatever produces its data.
      const std::vector<int64_t> dims = layer->getOutput(0)->getShapeValues();
      IConstantLayer* constant =
          network.addConstant(layer->getOutput(0)->getDimensions(),
                              Weights{DataType::kINT64, dims.data(), static_cast<int64_t>(dims.size())});
      constant->setName((std::string(layer->getName()) + " [folded]").c_str());
      network.moveLayer(constant, l);
      network.replaceAllUses(*layer->getOutput(0), *constant->getOutput(0));
      replaced.insert(layer);
      ++folded;
      continue;
    }
    std::vector<cpu::TensorView> inputs;
    std::vector<TensorDesc> descs;
    bool allConstant = true;
    for (int i = 0; i < layer->getNbInputs() && allConstant; ++i) {
      ILayer* producer = layer->getInput(i)->getProducer();
      if (!producer || producer->getType() != LayerType::kCONSTANT) {
        allConstant = false;
        break;
      }
      auto* constant = static_cast<IConstantLayer*>(producer);
      inputs.push_back(
          {const_cast<uint8_t*>(constant->bytes().data()), constant->getDimensions(), constant->getWeights().type});
      descs.push_back({constant->getDimensions(), constant->getWeights().type, layer->getInput(i)->getShapeValues()});
    }
    if (!allConstant) continue;
    ITensor* out = layer->getOutput(0);
    Dims dims = out->getDimensions();
    DataType type = out->getType();
    int64_t bytes = dims.volume() * static_cast<int64_t>(dataTypeSize(type));
    if (!dims.isStatic() || (bytes > kMaxFoldedBytes && bytes > constantBytesFreed(network, *layer))) continue;
    std::vector<uint8_t> result(static_cast<size_t>(bytes));
    cpu::TensorView view{result.data(), dims, type};
    const std::unique_ptr<LayerBase> resolved = resolveShapeInputs(*layer, descs);  // a slice window from tensors
    cpu::runLayer(resolved ? resolved->api() : *layer, inputs, view);
    IConstantLayer* constant = network.addConstant(dims, Weights{type, result.data(), dims.volume()});
    constant->setName((std::string(layer->getName()) + " [folded]").c_str());
    network.moveLayer(constant, l);  // before its consumers, which follow the folded layer
    network.replaceAllUses(*out, *constant->getOutput(0));
    replaced.insert(layer);
    ++folded;
  }
  return folded;
}

}  // namespace passes
}  // namespace trt
