// Products of one input by constant matrices of one shape (an attention's Q, K and V projections) become
// one product by the stacked matrices [P, K, N]: one strided-batched GEMM with a bias row per product,
// whose P results are contiguous blocks of its [P, M, N] output, read as views (outer-axis slices the
// runtime places at an offset, runtime/memory_views.h), so nothing is copied. ViT-B/16 ran its
// projections as 36 GEMMs a call where torch.compile runs 12.
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"

namespace trt {
namespace passes {

namespace {
// Whether two products compute the same kind of thing on the same input, so that one stacked product
// computes both: same operations, scale, activation, pin, types and weight shapes, both with a bias or
// neither, no residual, not INT8.
bool stackable(const IMatrixMultiplyLayer& a, const IMatrixMultiplyLayer& b) {
  const IConstantLayer* wa = constantMatrix(a.getInput(1));
  const IConstantLayer* wb = constantMatrix(b.getInput(1));
  if (!wa || !wb || a.getNbInputs() != b.getNbInputs() || a.getNbInputs() > 3 || a.isInt8() || b.isInt8()) return false;
  const Dims da = wa->getDimensions(), db = wb->getDimensions();
  if (da.d[da.nbDims - 2] != db.d[db.nbDims - 2] || da.d[da.nbDims - 1] != db.d[db.nbDims - 1] ||
      wa->getWeights().type != wb->getWeights().type)
    return false;
  if (a.getNbInputs() == 3) {
    const IConstantLayer* ba = constantProducer(a.getInput(2));
    const IConstantLayer* bb = constantProducer(b.getInput(2));
    // One value per output column each (a bias that is itself per batch would not stack as rows).
    const Dims oa = a.getOutput(0)->getDimensions();
    const int64_t columns = oa.d[oa.nbDims - 1];
    if (!ba || !bb || ba->getWeights().type != bb->getWeights().type || ba->getWeights().count != columns ||
        bb->getWeights().count != columns)
      return false;
  }
  return a.getOperation(1) == b.getOperation(1) && a.getAlpha() == b.getAlpha() &&
         a.getFusedActivation() == b.getFusedActivation() && samePrecisionPin(a, b) &&
         a.getOutput(0)->getType() == b.getOutput(0)->getType();
}

// Whether `mm` may lead a stack: a matrix input of static shape used as is, matrix weights.
bool stackCandidate(const IMatrixMultiplyLayer& mm) {
  const Dims x = mm.getInput(0)->getDimensions();
  return mm.getOperation(0) == MatrixOperation::kNONE &&
         (mm.getOperation(1) == MatrixOperation::kNONE || mm.getOperation(1) == MatrixOperation::kTRANSPOSE) &&
         x.nbDims >= 2 && x.isStatic() && x.volume() > 0 && constantMatrix(mm.getInput(1)) &&
         !mm.getOutput(0)->isNetworkOutput();
}

// The bytes of the constants `layers` produce, one after the other.
std::vector<uint8_t> concatenated(const std::vector<const IConstantLayer*>& layers) {
  std::vector<uint8_t> bytes;
  for (const IConstantLayer* c : layers) {
    const SharedBytes& b = c->bytes();
    bytes.insert(bytes.end(), b.data(), b.data() + b.size());
  }
  return bytes;
}
}  // namespace

int32_t stackSiblingProducts(INetworkDefinition& network) {
  int32_t stacked = 0;
  // Products by their input, in network order.
  std::map<const ITensor*, std::vector<IMatrixMultiplyLayer*>> byInput;
  std::vector<const ITensor*> inputs;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    ILayer* layer = network.getLayer(l);
    if (layer->getType() != LayerType::kMATRIX_MULTIPLY) continue;
    auto* mm = static_cast<IMatrixMultiplyLayer*>(layer);
    if (!stackCandidate(*mm)) continue;
    auto& group = byInput[mm->getInput(0)];
    if (group.empty()) inputs.push_back(mm->getInput(0));
    group.push_back(mm);
  }
  for (const ITensor* input : inputs) {
    std::vector<IMatrixMultiplyLayer*> group = byInput[input];
    while (group.size() >= 2) {
      // The first product and the ones like it; the rest try again among themselves.
      std::vector<IMatrixMultiplyLayer*> members{group[0]}, rest;
      for (size_t i = 1; i < group.size(); ++i) (stackable(*group[0], *group[i]) ? members : rest).push_back(group[i]);
      group = rest;
      if (members.size() < 2) continue;
      IMatrixMultiplyLayer& lead = *members[0];
      const int32_t place = network.indexOf(&lead);  // the stack goes where the first member was
      ITensor* x = lead.getInput(0);
      const Dims xd = x->getDimensions();
      const int64_t k = xd.d[xd.nbDims - 1], rows = xd.volume() / k;
      const IConstantLayer* w0 = constantMatrix(lead.getInput(1));
      const Dims wd = w0->getDimensions();
      const int64_t r = wd.d[wd.nbDims - 2], c = wd.d[wd.nbDims - 1];
      const int64_t n = lead.getOperation(1) == MatrixOperation::kTRANSPOSE ? r : c;
      const int64_t parts = static_cast<int64_t>(members.size());
      // Each result's view and each bias row 16-byte aligned in 16 bits (cuBLASLt's kernels read them so).
      if (n % 8 != 0 || (rows * n) % 8 != 0) continue;
      std::vector<const IConstantLayer*> weights, biases;
      for (IMatrixMultiplyLayer* m : members) {
        weights.push_back(constantMatrix(m->getInput(1)));
        if (m->getNbInputs() == 3) biases.push_back(constantProducer(m->getInput(2)));
      }
      const std::string name = std::string(lead.getName()) + " [" + std::to_string(parts) + " stacked]";
      // Each new layer goes before the first member as it is made (its input is computed by then), so that
      // every layer's inputs stay before it; the members are left dead.
      int32_t next = place;
      auto placed = [&](ILayer* layer) { network.moveLayer(layer, next++); };
      const std::vector<uint8_t> w = concatenated(weights);
      IConstantLayer* stackedWeights =
          network.addConstant(Dims{parts, r, c}, {w0->getWeights().type, w.data(), parts * r * c});
      stackedWeights->setName((name + " weights").c_str());
      placed(stackedWeights);
      IConstantLayer* stackedBias = nullptr;
      if (!biases.empty()) {
        const std::vector<uint8_t> b = concatenated(biases);
        stackedBias = network.addConstant(Dims{parts, 1, n}, {biases[0]->getWeights().type, b.data(), parts * n});
        stackedBias->setName((name + " bias").c_str());
        placed(stackedBias);
      }
      IShuffleLayer* rowsView = network.addShuffle(*x);  // [1, rows, K]: every product reads the same rows
      rowsView->setZeroIsPlaceholder(false);
      rowsView->setReshapeDimensions(Dims{1, rows, k});
      rowsView->setName((name + " rows").c_str());
      placed(rowsView);
      IMatrixMultiplyLayer* product = network.addMatrixMultiply(*rowsView->getOutput(0), MatrixOperation::kNONE,
                                                                *stackedWeights->getOutput(0), lead.getOperation(1));
      placed(product);
      if (stackedBias) product->setInput(2, *stackedBias->getOutput(0));
      product->setAlpha(lead.getAlpha());
      if (lead.getFusedActivation() >= 0) product->setFusedActivation(lead.getFusedActivation());
      if (lead.precisionIsSet()) product->setPrecision(lead.getPrecision());
      product->setName(name.c_str());
      std::vector<ITensor*> shapedOutputs;
      for (int64_t p = 0; p < parts; ++p) {
        ISliceLayer* block = network.addSlice(*product->getOutput(0), Dims{p, 0, 0}, Dims{1, rows, n}, Dims{1, 1, 1});
        block->setName((std::string(members[p]->getName()) + " [block of the stack]").c_str());
        placed(block);
        IShuffleLayer* shaped = network.addShuffle(*block->getOutput(0));
        shaped->setZeroIsPlaceholder(false);
        shaped->setReshapeDimensions(members[p]->getOutput(0)->getDimensions());
        shaped->setName((std::string(members[p]->getName()) + " [its shape]").c_str());
        placed(shaped);
        shapedOutputs.push_back(shaped->getOutput(0));
      }
      for (int64_t p = 0; p < parts; ++p) network.replaceAllUses(*members[p]->getOutput(0), *shapedOutputs[p]);
      ++stacked;
    }
  }
  return stacked;
}

}  // namespace passes
}  // namespace trt
