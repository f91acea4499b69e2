// A product whose output only equal column blocks read (GPT-2's fused Q/K/V projection [B*S, 3*768] split by
// three slices of its last axis) becomes a product by the weights' column blocks stacked [P, K, n]: a
// strided-batched GEMM whose P results are contiguous blocks of its [P, M, n] output, read as views. Each
// slice was a copy of a third of the product (GPT-2: 36 slice kernels a call).
#include <cstring>
#include <string>
#include <vector>

#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"

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

// The weights' column blocks [P, K, n] of a stored [K, P*n] (used as is) or their row blocks [P, n, K] of a
// stored [P*n, K] (used transposed, already in that order), as bytes.
std::vector<uint8_t> columnBlocks(const IConstantLayer& w, bool transposed, int64_t parts) {
  const SharedBytes& bytes = w.bytes();
  if (transposed) return std::vector<uint8_t>(bytes.data(), bytes.data() + bytes.size());
  const Dims d = w.getDimensions();
  const int64_t rows = d.d[d.nbDims - 2], cols = d.d[d.nbDims - 1], n = cols / parts;
  const size_t elem = dataTypeSize(w.getWeights().type);
  std::vector<uint8_t> out(bytes.size());
  for (int64_t p = 0; p < parts; ++p)
    for (int64_t r = 0; r < rows; ++r)
      std::memcpy(out.data() + ((p * rows + r) * n) * elem, bytes.data() + (r * cols + p * n) * elem, n * elem);
  return out;
}
}  // namespace

int32_t stackColumnSlicedProducts(INetworkDefinition& network) {
  int32_t stacked = 0;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    ILayer* layer = network.getLayer(l);
    if (layer->getType() != LayerType::kMATRIX_MULTIPLY) continue;
    auto* mm = static_cast<IMatrixMultiplyLayer*>(layer);
    const IConstantLayer* w = constantMatrix(mm->getInput(1));
    const bool transposed = mm->getOperation(1) == MatrixOperation::kTRANSPOSE;
    if (!w || mm->getNbInputs() > 3 || mm->isInt8() || mm->getOperation(0) != MatrixOperation::kNONE ||
        (!transposed && mm->getOperation(1) != MatrixOperation::kNONE))
      continue;
    ITensor* x = mm->getInput(0);
    const Dims xd = x->getDimensions();
    if (xd.nbDims < 2 || !xd.isStatic() || xd.volume() <= 0) continue;
    // The slices read the product, or one reshape of it that keeps the last axis (GPT-2's [B*S, N] viewed as
    // [B, S, N]) and that only they read.
    ITensor* out = mm->getOutput(0);
    ITensor* sliced = out;
    std::vector<ISliceLayer*> slices = lastAxisSlices(network, out);
    if (slices.empty() && countUses(network, out) == 1 && !out->isNetworkOutput()) {
      for (int c = 0; c < network.getNbLayers() && sliced == out; ++c) {
        ILayer* reader = network.getLayer(c);
        if (reader->getType() != LayerType::kSHUFFLE || reader->getNbInputs() != 1 || reader->getInput(0) != out)
          continue;
        auto* shuffle = static_cast<IShuffleLayer*>(reader);
        const Dims sd = shuffle->getOutput(0)->getDimensions(), od = out->getDimensions();
        bool plainReshape = sd.isStatic() && sd.nbDims >= 1 && sd.d[sd.nbDims - 1] == od.d[od.nbDims - 1];
        for (int k = 0; k < Dims::MAX_DIMS && plainReshape; ++k)
          plainReshape = shuffle->getFirstTranspose().order[k] == k && shuffle->getSecondTranspose().order[k] == k;
        if (plainReshape) sliced = shuffle->getOutput(0);
      }
      if (sliced != out) slices = lastAxisSlices(network, sliced);
    }
    if (slices.size() < 2) continue;
    // Equal blocks covering the last axis once each, in any order.
    const Dims od = out->getDimensions();
    const int64_t total = od.d[od.nbDims - 1];
    const int lastSliced = sliced->getDimensions().nbDims - 1;
    const int64_t n = slices[0]->getSize().d[lastSliced];
    const int64_t parts = static_cast<int64_t>(slices.size());
    if (n <= 0 || n * parts != total) continue;
    // Each result's view and each bias row 16-byte aligned in 16 bits (cuBLASLt's kernels read them so).
    const int64_t k = xd.d[xd.nbDims - 1], rows = xd.volume() / k;
    if (n % 8 != 0 || (rows * n) % 8 != 0) continue;
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
    const std::string name = std::string(mm->getName()) + " [" + std::to_string(parts) + " column blocks stacked]";
    int32_t next = network.indexOf(mm);
    auto placed = [&](ILayer* added) { network.moveLayer(added, next++); };
    const std::vector<uint8_t> blocks = columnBlocks(*w, transposed, parts);
    const Dims stackedDims = transposed ? Dims{parts, n, k} : Dims{parts, k, n};
    IConstantLayer* weights =
        network.addConstant(stackedDims, {w->getWeights().type, blocks.data(), stackedDims.volume()});
    weights->setName((name + " weights").c_str());
    placed(weights);
    IConstantLayer* bias = nullptr;
    if (b) {
      bias = network.addConstant(Dims{parts, 1, n}, {b->getWeights().type, b->bytes().data(), parts * n});
      bias->setName((name + " bias").c_str());
      placed(bias);
    }
    IShuffleLayer* rowsView = network.addShuffle(*x);
    rowsView->setZeroIsPlaceholder(false);
    rowsView->setReshapeDimensions(Dims{1, rows, k});
    rowsView->setName((name + " rows").c_str());
    placed(rowsView);
    IMatrixMultiplyLayer* product = network.addMatrixMultiply(*rowsView->getOutput(0), MatrixOperation::kNONE,
                                                              *weights->getOutput(0), mm->getOperation(1));
    placed(product);
    if (bias) product->setInput(2, *bias->getOutput(0));
    product->setAlpha(mm->getAlpha());
    if (mm->getFusedActivation() >= 0) product->setFusedActivation(mm->getFusedActivation());
    if (mm->precisionIsSet()) product->setPrecision(mm->getPrecision());
    product->setName(name.c_str());
    std::vector<ITensor*> shaped;
    for (int64_t p = 0; p < parts; ++p) {
      ISliceLayer* block = network.addSlice(*product->getOutput(0), Dims{p, 0, 0}, Dims{1, rows, n}, Dims{1, 1, 1});
      block->setName((std::string(byBlock[p]->getName()) + " [block of the stack]").c_str());
      placed(block);
      IShuffleLayer* reshape = network.addShuffle(*block->getOutput(0));
      reshape->setZeroIsPlaceholder(false);
      reshape->setReshapeDimensions(byBlock[p]->getOutput(0)->getDimensions());
      reshape->setName((std::string(byBlock[p]->getName()) + " [its shape]").c_str());
      placed(reshape);
      shaped.push_back(reshape->getOutput(0));
    }
    for (int64_t p = 0; p < parts; ++p) network.replaceAllUses(*byBlock[p]->getOutput(0), *shaped[p]);
    ++stacked;
    l = network.indexOf(mm);  // past the layers placed before it; it and its slices are left dead
  }
  return stacked;
}

}  // namespace passes
}  // namespace trt
