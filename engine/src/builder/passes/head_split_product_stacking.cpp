// A packed Q/K/V projection split by a reshape and a transpose that brings the block axis first, then one
// select per block read by attentions (Swin's and timm's attention: [B, N, 3*C] -> view [B, N, 3, H, D] ->
// permute(2, 0, 3, 1, 4) -> qkv[0], qkv[1], qkv[2]) becomes a product by the weights' column blocks stacked
// [3, K, C]. Each select then reads its block of the stacked output through a view and a reshape + transpose
// ([B, N, H, D] -> [B, H, N, D]) that the attention layout pass turns into the attention's strides. The
// permute had copied the whole product before every attention (Swin-T: one copy a block). Selects read by
// anything else (Swin's shifted windows reshape them to windows x heads first) are left as they are: their
// transposes would each still copy a block, three kernels for the one permute.
#include <string>
#include <vector>

#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"
#include "builder/passes/stacked_product.h"

namespace trt {
namespace passes {

namespace {

// A shuffle of one input whose dims are fixed when the network is built.
bool staticShuffle(const ILayer* layer) { return isMovingShuffle(layer) && layer->getNbInputs() == 1; }

// How a product's output reaches the block selects: reshaped to `shape`, then transposed by `order`.
struct HeadSplit {
  IShuffleLayer* last = nullptr;  // the shuffle whose output the selects read
  Dims shape;
  Permutation order;
};

// The split of `out` when it is one shuffle (reshape then transpose) or a reshape followed by a lone
// transpose, each read only by the next; nullptr `last` otherwise.
HeadSplit headSplitOf(const INetworkDefinition& network, ITensor* out) {
  HeadSplit split;
  ILayer* first = soleConsumer(network, out);
  if (!staticShuffle(first)) return split;
  auto* reshape = static_cast<IShuffleLayer*>(first);
  if (!isIdentityPermutation(reshape->getFirstTranspose())) return split;
  const Permutation second = reshape->getSecondTranspose();
  const Dims shaped = reshape->getOutput(0)->getDimensions();
  if (!isIdentityPermutation(second)) {  // one shuffle: the reshaped dims are its output's before the transpose
    split.shape.nbDims = shaped.nbDims;
    for (int i = 0; i < shaped.nbDims; ++i) split.shape.d[second.order[i]] = shaped.d[i];
    split.order = second;
    split.last = reshape;
    return split;
  }
  ILayer* next = soleConsumer(network, reshape->getOutput(0));
  if (!staticShuffle(next)) return split;
  auto* transpose = static_cast<IShuffleLayer*>(next);
  if (transpose->hasReshape() || !isIdentityPermutation(transpose->getSecondTranspose())) return split;
  split.shape = shaped;
  split.order = transpose->getFirstTranspose();
  split.last = transpose;
  return split;
}

// The select of block `index` that `slice` and its reshape make: a slice of one index on axis 0, whole on
// every other, read only by a reshape that drops that axis, itself read only as attentions' Q, K or V. The
// reshape, or nullptr.
IShuffleLayer* blockSelect(const INetworkDefinition& network, const ISliceLayer& slice, int64_t& index) {
  const Dims in = slice.getInput(0)->getDimensions();
  const Dims start = slice.getStart(), size = slice.getSize(), stride = slice.getStride();
  if (slice.getNbInputs() != 1 || slice.getMode() != SampleMode::kSTRICT_BOUNDS || start.nbDims != in.nbDims ||
      size.nbDims != in.nbDims || stride.nbDims != in.nbDims || size.d[0] != 1 || start.d[0] < 0 ||
      start.d[0] >= in.d[0])
    return nullptr;
  for (int k = 1; k < in.nbDims; ++k)
    if (start.d[k] != 0 || size.d[k] != in.d[k] || stride.d[k] != 1) return nullptr;
  ILayer* reader = soleConsumer(network, slice.getOutput(0));
  if (!staticShuffle(reader)) return nullptr;
  auto* squeeze = static_cast<IShuffleLayer*>(reader);
  if (!isIdentityPermutation(squeeze->getFirstTranspose()) || !isIdentityPermutation(squeeze->getSecondTranspose()))
    return nullptr;
  const Dims out = squeeze->getOutput(0)->getDimensions();
  if (out.nbDims != in.nbDims - 1) return nullptr;
  for (int k = 0; k < out.nbDims; ++k)
    if (out.d[k] != in.d[k + 1]) return nullptr;
  if (out.nbDims != 4 || squeeze->getOutput(0)->isNetworkOutput()) return nullptr;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    const ILayer* reader = network.getLayer(l);
    for (int i = 0; i < reader->getNbInputs(); ++i)
      if (reader->getInput(i) == squeeze->getOutput(0) && (reader->getType() != LayerType::kATTENTION || i > 2))
        return nullptr;
  }
  index = start.d[0];
  return squeeze;
}

}  // namespace

int32_t stackHeadSplitProducts(INetworkDefinition& network) {
  int32_t stacked = 0;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    ILayer* layer = network.getLayer(l);
    if (layer->getType() != LayerType::kMATRIX_MULTIPLY) continue;
    auto* mm = static_cast<IMatrixMultiplyLayer*>(layer);
    bool transposed = false;
    const IConstantLayer* w = columnBlockWeights(*mm, transposed);
    if (!w) continue;
    ITensor* x = mm->getInput(0);
    const Dims xd = x->getDimensions(), od = mm->getOutput(0)->getDimensions();
    if (xd.nbDims < 2 || !xd.isStatic() || xd.volume() <= 0 || !od.isStatic()) continue;
    const HeadSplit split = headSplitOf(network, mm->getOutput(0));
    if (!split.last) continue;
    // The block axis j: the transpose's first; the axes from j on split the product's columns [P, t...]
    // (t not empty), the axes before it its rows.
    const int rank = split.shape.nbDims, j = split.order.order[0];
    const int64_t total = od.d[od.nbDims - 1], k = xd.d[xd.nbDims - 1], rows = xd.volume() / k;
    if (j < 0 || j >= rank - 1) continue;
    int64_t columns = 1, leading = 1;
    for (int i = 0; i < rank; ++i) (i < j ? leading : columns) *= split.shape.d[i];
    const int64_t parts = split.shape.d[j];
    if (columns != total || leading != rows || parts < 2 || total % parts != 0) continue;
    const int64_t n = total / parts;
    if (!stackStaysAligned(rows, n)) continue;
    const IConstantLayer* b = mm->getNbInputs() == 3 ? constantProducer(mm->getInput(2)) : nullptr;
    if (mm->getNbInputs() == 3 && (!b || b->getWeights().count != total)) continue;
    // Every reader of the split is the select of a different block.
    ITensor* blocks = split.last->getOutput(0);
    if (blocks->isNetworkOutput() || countUses(network, blocks) != parts) continue;
    std::vector<ITensor*> selected(static_cast<size_t>(parts), nullptr);
    bool selects = true;
    for (int li = 0; li < network.getNbLayers() && selects; ++li) {
      ILayer* reader = network.getLayer(li);
      for (int i = 0; i < reader->getNbInputs() && selects; ++i) {
        if (reader->getInput(i) != blocks) continue;
        int64_t index = -1;
        IShuffleLayer* squeeze = reader->getType() == LayerType::kSLICE && i == 0
                                     ? blockSelect(network, *static_cast<ISliceLayer*>(reader), index)
                                     : nullptr;
        selects = squeeze && !selected[index];
        if (selects) selected[index] = squeeze->getOutput(0);
      }
    }
    if (!selects) continue;
    StackedProduct stack = columnBlockStack(*mm, *w, transposed, b, rows, k, n, parts);
    stack.replaced = selected;
    // Each block [rows, n] is the split's shape without the block axis, transposed by the rest of the order.
    stack.blockShape.nbDims = rank - 1;
    for (int i = 0, o = 0; i < rank; ++i)
      if (i != j) stack.blockShape.d[o++] = split.shape.d[i];
    for (int i = 1; i < rank; ++i) {
      const int from = split.order.order[i];
      stack.blockTranspose.order[i - 1] = from > j ? from - 1 : from;
    }
    stack.name = std::string(mm->getName()) + " [" + std::to_string(parts) + " head blocks stacked]";
    addStackedProduct(network, network.indexOf(mm), stack);
    ++stacked;
    l = network.indexOf(mm);  // past the layers placed before it; it, the split and the selects are left dead
  }
  return stacked;
}

}  // namespace passes
}  // namespace trt
