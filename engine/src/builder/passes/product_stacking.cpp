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
#include "builder/passes/stacked_product.h"

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
      if (!stackStaysAligned(rows, n)) continue;
      StackedProduct stack;
      std::vector<const IConstantLayer*> weights, biases;
      for (IMatrixMultiplyLayer* m : members) {
        weights.push_back(constantMatrix(m->getInput(1)));
        if (m->getNbInputs() == 3) biases.push_back(constantProducer(m->getInput(2)));
        stack.replaced.push_back(m->getOutput(0));
      }
      stack.like = &lead;
      stack.x = x;
      stack.rows = rows, stack.k = k, stack.n = n;
      stack.weightDims = Dims{parts, r, c};
      stack.weightType = w0->getWeights().type;
      stack.weights = concatenated(weights);
      if (!biases.empty()) {
        stack.biasType = biases[0]->getWeights().type;
        stack.bias = concatenated(biases);
      }
      stack.name = std::string(lead.getName()) + " [" + std::to_string(parts) + " stacked]";
      addStackedProduct(network, place, stack);  // before the first member: its input is computed by then
      ++stacked;
    }
  }
  return stacked;
}

}  // namespace passes
}  // namespace trt
