// A product whose output only equal column blocks read (GPT-2's fused Q/K/V projection [B*S, 3*768] split by
// three slices of its last axis) becomes a product by the weights' column blocks stacked [P, K, n]: a
// strided-batched GEMM whose P results are contiguous blocks of its [P, M, n] output, read as views. Each
// slice was a copy of a third of the product (GPT-2: 36 slice kernels a call).
#include <cstring>
#include <string>
#include <vector>

#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"
#include "builder/passes/stacked_product.h"
#include "runtime/memory_views.h"

namespace trt {
namespace passes {

namespace {
// The readers of `t` when every one is a Slice of `t`'s last axis, all axes whole but that one, forward,
// within bounds, strict mode; empty otherwise (or when `t` is a network output).
std::vector<ISliceLayer*> lastAxisSlices(const INetworkDefinition& network, const ITensor* t) {
  std::vector<ISliceLayer*> slices;
  if (t->isNetworkOutput()) return {};
  const Dims d = t->getDimensions();
  const int last = d.nbDims - 1;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    ILayer* layer = network.getLayer(l);
    for (int i = 0; i < layer->getNbInputs(); ++i) {
      if (layer->getInput(i) != t) continue;
      if (layer->getType() != LayerType::kSLICE || i != 0 || layer->getNbInputs() != 1) return {};
      auto* slice = static_cast<ISliceLayer*>(layer);
      const Dims start = slice->getStart(), size = slice->getSize(), stride = slice->getStride();
      if (slice->getMode() != SampleMode::kSTRICT_BOUNDS || start.nbDims != d.nbDims || size.nbDims != d.nbDims ||
          stride.nbDims != d.nbDims)
        return {};
      for (int k = 0; k < d.nbDims; ++k) {
        const bool whole = start.d[k] == 0 && size.d[k] == d.d[k] && stride.d[k] == 1;
        if (k != last && !whole) return {};
      }
      if (stride.d[last] != 1 || size.d[last] <= 0 || start.d[last] < 0 || start.d[last] + size.d[last] > d.d[last])
        return {};
      slices.push_back(slice);
    }
  }
  return slices;
}

}  // namespace

int32_t stackColumnSlicedProducts(INetworkDefinition& network) {
  int32_t stacked = 0;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    ILayer* layer = network.getLayer(l);
    if (layer->getType() != LayerType::kMATRIX_MULTIPLY) continue;
    auto* mm = static_cast<IMatrixMultiplyLayer*>(layer);
    bool transposed = false;
    const IConstantLayer* w = columnBlockWeights(*mm, transposed);
    if (!w) continue;
    ITensor* x = mm->getInput(0);
    const Dims xd = x->getDimensions();
    if (xd.nbDims < 2 || !xd.isStatic() || xd.volume() <= 0) continue;
    // The slices read the product, or one reshape of it that keeps the last axis (GPT-2's [B*S, N] viewed as
    // [B, S, N]) and that only they read.
    ITensor* out = mm->getOutput(0);
    ITensor* sliced = out;
    std::vector<ISliceLayer*> slices = lastAxisSlices(network, out);
    if (slices.empty()) {
      ILayer* reader = soleConsumer(network, out);
      if (isMovingShuffle(reader) && reader->getNbInputs() == 1) {
        const Dims od = out->getDimensions(), sd = reader->getOutput(0)->getDimensions();
        // A view that keeps the row-major order keeps each column's index when the last axis stays.
        if (sd.isStatic() && sd.nbDims >= 1 && sd.d[sd.nbDims - 1] == od.d[od.nbDims - 1] &&
            isMemoryView(*reader, od, sd)) {
          sliced = reader->getOutput(0);
          slices = lastAxisSlices(network, sliced);
        }
      }
    }
    if (slices.size() < 2) continue;
    // Equal blocks covering the last axis once each, in any order.
    const Dims od = out->getDimensions();
    const int64_t total = od.d[od.nbDims - 1];
    const int lastSliced = sliced->getDimensions().nbDims - 1;
    const int64_t n = slices[0]->getSize().d[lastSliced];
    const int64_t parts = static_cast<int64_t>(slices.size());
    if (n <= 0 || n * parts != total) continue;
    const int64_t k = xd.d[xd.nbDims - 1], rows = xd.volume() / k;
    if (!stackStaysAligned(rows, n)) continue;
    const IConstantLayer* b = mm->getNbInputs() == 3 ? constantProducer(mm->getInput(2)) : nullptr;
    if (mm->getNbInputs() == 3 && (!b || b->getWeights().count != total)) continue;
    std::vector<ISliceLayer*> byBlock(static_cast<size_t>(parts), nullptr);
    bool cover = true;
    for (ISliceLayer* s : slices) {
      const int64_t start = s->getStart().d[lastSliced];
      if (s->getSize().d[lastSliced] != n || start % n != 0 || byBlock[start / n]) {
        cover = false;
        break;
      }
      byBlock[start / n] = s;
    }
    if (!cover) continue;
    StackedProduct stack = columnBlockStack(*mm, *w, transposed, b, rows, k, n, parts);
    for (ISliceLayer* slice : byBlock) stack.replaced.push_back(slice->getOutput(0));
    stack.name = std::string(mm->getName()) + " [" + std::to_string(parts) + " column blocks stacked]";
    addStackedProduct(network, network.indexOf(mm), stack);
    ++stacked;
    l = network.indexOf(mm);  // past the layers placed before it; it and its slices are left dead
  }
  return stacked;
}

}  // namespace passes
}  // namespace trt
