// A product by a square constant matrix (K == N) computes each row on its own, so layers after it that only
// rearrange rows (shuffles and slices that keep the last axis whole: Swin's window reverse, roll and crop) give
// the same result run before it, on its input of the same shape. Moved there, the product's output reaches the
// residual add directly, which the residual fusion then folds into the product's epilogue: Swin-T's 12
// residual adds stop being kernels of their own.
#include <vector>

#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"

namespace trt {
namespace passes {

int32_t moveRowOrderBeforeProducts(INetworkDefinition& network) {
  int32_t moved = 0;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    ILayer* layer = network.getLayer(l);
    if (layer->getType() != LayerType::kMATRIX_MULTIPLY) continue;
    auto* mm = static_cast<IMatrixMultiplyLayer*>(layer);
    const IConstantLayer* w = constantMatrix(mm->getInput(1));
    if (!w || mm->getNbInputs() > 3 || mm->isInt8() || mm->isFp8() || mm->getOperation(0) != MatrixOperation::kNONE ||
        (mm->getOperation(1) != MatrixOperation::kNONE && mm->getOperation(1) != MatrixOperation::kTRANSPOSE))
      continue;
    const Dims wd = w->getDimensions(), xd = mm->getInput(0)->getDimensions(), od = mm->getOutput(0)->getDimensions();
    const int64_t n = wd.d[wd.nbDims - 1];
    if (wd.d[wd.nbDims - 2] != n || xd != od || !od.isStatic()) continue;
    // A bias of one row (a per-batch bias would tie rows to their batch).
    if (mm->getNbInputs() == 3 && mm->getInput(2)->getDimensions().volume() != n) continue;
    // The chain of row movers read one after the other, the first reading the product alone.
    std::vector<ILayer*> chain;
    ITensor* end = mm->getOutput(0);
    for (ILayer* next = soleConsumer(network, end); next && movesWholeRows(next, n) && next->getInput(0) == end;
         next = soleConsumer(network, end)) {
      chain.push_back(next);
      end = next->getOutput(0);
    }
    // The product on the moved rows keeps their dims only where they have the weights' rank at least (leading
    // 1s of the weights broadcast), and two axes.
    const Dims ed = end->getDimensions();
    if (chain.empty() || end->isNetworkOutput() || ed.nbDims < wd.nbDims || ed.nbDims < 2) continue;
    // Only worth it when a residual add reads the moved product (the fusion that follows folds it in).
    bool addAfter = false;
    for (int c = 0; c < network.getNbLayers() && !addAfter; ++c) {
      const ILayer* reader = network.getLayer(c);
      for (int i = 0; i < reader->getNbInputs(); ++i)
        addAfter |= reader->getInput(i) == end && isElementWise(reader, ElementWiseOperation::kSUM);
    }
    if (!addAfter) continue;
    ITensor* x = mm->getInput(0);
    network.replaceAllUses(*end, *mm->getOutput(0));  // the readers of the rows moved now read the product
    chain.front()->setInput(0, *x);
    mm->setInput(0, *end);
    network.moveLayer(mm, network.indexOf(chain.back()));  // right after it (mm, before it, leaves its place)
    ++moved;
  }
  return moved;
}

}  // namespace passes
}  // namespace trt
