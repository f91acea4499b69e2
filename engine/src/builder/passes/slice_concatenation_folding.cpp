// Builder pass: a concatenation of strided slices of one tensor that tile it exactly is that tensor's
// elements in another order: one transpose. Swin's patch merging (x[:, 0::2, 0::2], x[:, 1::2, 0::2],
// x[:, 0::2, 1::2], x[:, 1::2, 1::2] joined along the channels; space-to-depth) traces as six strided
// slices, each a copy, and a concatenation; it becomes a reshape that splits H and W by their strides, a
// transpose that moves the two parity axes before the channels, and a reshape that merges them (a view).
// Only bytes move, so the result is the same bit for bit.
#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"

namespace trt {
namespace passes {

namespace {

// A window of `root`: element i of dim d is root's element start[d] + stride[d] * i.
struct Window {
  ITensor* root = nullptr;
  Dims start, size, stride;
};

// Whether a static slice with positive strides reads inside its input only (any sample mode then reads
// what the strict mode reads: the pad-by-zero slice Swin's padding leaves is one).
bool readsInside(const ISliceLayer& slice, const Dims& in) {
  if (slice.getNbInputs() != 1) return false;
  const Dims start = slice.getStart(), size = slice.getSize(), stride = slice.getStride();
  if (start.nbDims != in.nbDims || size.nbDims != in.nbDims || stride.nbDims != in.nbDims) return false;
  for (int d = 0; d < in.nbDims; ++d)
    if (stride.d[d] <= 0 || size.d[d] <= 0 || start.d[d] < 0 || start.d[d] + (size.d[d] - 1) * stride.d[d] >= in.d[d])
      return false;
  return true;
}

// The chain of in-bounds slices producing `t` composed into one window of the tensor before them; false
// when `t` is not made by such a slice.
bool windowOf(ITensor* t, Window& w) {
  const ILayer* p = t->getProducer();
  if (!p || p->getType() != LayerType::kSLICE) return false;
  const Dims dims = t->getDimensions();
  if (!dims.isStatic()) return false;
  w.root = t;
  w.start = w.stride = w.size = dims;
  for (int d = 0; d < dims.nbDims; ++d) w.start.d[d] = 0, w.stride.d[d] = 1;
  while ((p = w.root->getProducer()) && p->getType() == LayerType::kSLICE) {
    const auto* slice = static_cast<const ISliceLayer*>(p);
    const Dims in = p->getInput(0)->getDimensions();
    if (!in.isStatic() || !readsInside(*slice, in)) break;
    for (int d = 0; d < in.nbDims; ++d) {
      w.start.d[d] = slice->getStart().d[d] + slice->getStride().d[d] * w.start.d[d];
      w.stride.d[d] *= slice->getStride().d[d];
    }
    w.root = p->getInput(0);
  }
  return w.root != t;
}

// How the windows tile their root, if they do: the split dims (stride > 1, the same for every window,
// size * stride == the root's extent) in the order whose mixed-radix number of the windows' starts is
// their position in the concatenation (major first). Every other dim, the concatenation axis included, is
// read whole.
bool tilingOrder(const std::vector<Window>& windows, int32_t axis, std::vector<int>& order) {
  const Dims root = windows[0].root->getDimensions();
  std::vector<int> split;
  for (int d = 0; d < root.nbDims; ++d) {
    const int64_t s = windows[0].stride.d[d];
    for (const Window& w : windows) {
      if (w.stride.d[d] != s) return false;
      if (s == 1 && (w.start.d[d] != 0 || w.size.d[d] != root.d[d])) return false;
      if (s > 1 && (w.size.d[d] * s != root.d[d] || w.start.d[d] >= s)) return false;
    }
    if (s > 1) split.push_back(d);
  }
  if (split.empty() || split.size() > 3 || std::find(split.begin(), split.end(), axis) != split.end()) return false;
  int64_t tiles = 1;
  for (int d : split) tiles *= windows[0].stride.d[d];
  if (tiles != static_cast<int64_t>(windows.size())) return false;
  order = split;
  do {
    bool matches = true;
    for (size_t p = 0; matches && p < windows.size(); ++p) {
      int64_t position = 0;
      for (int d : order) position = position * windows[p].stride.d[d] + windows[p].start.d[d];
      matches = position == static_cast<int64_t>(p);
    }
    if (matches) return true;
  } while (std::next_permutation(order.begin(), order.end()));
  return false;
}

}  // namespace

int32_t foldTilingSliceConcatenations(INetworkDefinition& network) {
  int32_t folded = 0;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    ILayer* layer = network.getLayer(l);
    if (layer->getType() != LayerType::kCONCATENATION || layer->getNbInputs() < 2) continue;
    const Dims out = layer->getOutput(0)->getDimensions();
    if (!out.isStatic()) continue;
    std::vector<Window> windows(static_cast<size_t>(layer->getNbInputs()));
    bool sliced = true;
    for (int i = 0; sliced && i < layer->getNbInputs(); ++i)
      sliced = windowOf(layer->getInput(i), windows[static_cast<size_t>(i)]) &&
               windows[static_cast<size_t>(i)].root == windows[0].root;
    if (!sliced) continue;
    ITensor* root = windows[0].root;
    const Dims rootDims = root->getDimensions();
    const int32_t axis = static_cast<IConcatenationLayer*>(layer)->getAxis();  // 0..rank-1 (the layer checks)
    if (axis < 0 || axis >= rootDims.nbDims) continue;
    std::vector<int> order;
    if (rootDims.nbDims + 3 > Dims::MAX_DIMS || !tilingOrder(windows, axis, order)) continue;
    // The root with each split dim d as (extent / stride, stride), the stride factors then moved, in
    // `order`, to just before the concatenation axis.
    Dims splitDims;
    splitDims.nbDims = 0;
    std::vector<int32_t> quotientAt(static_cast<size_t>(rootDims.nbDims), -1), factorAt = quotientAt;
    for (int d = 0; d < rootDims.nbDims; ++d) {
      const int64_t s = windows[0].stride.d[d];
      quotientAt[static_cast<size_t>(d)] = splitDims.nbDims;
      splitDims.d[splitDims.nbDims++] = rootDims.d[d] / s;
      if (s > 1) {
        factorAt[static_cast<size_t>(d)] = splitDims.nbDims;
        splitDims.d[splitDims.nbDims++] = s;
      }
    }
    Permutation moved;
    int k = 0;
    for (int d = 0; d < rootDims.nbDims; ++d) {
      if (d == axis)
        for (int f : order) moved.order[k++] = factorAt[static_cast<size_t>(f)];
      moved.order[k++] = quotientAt[static_cast<size_t>(d)];
    }
    IShuffleLayer* transpose = network.addShuffle(*root);
    transpose->setZeroIsPlaceholder(false);
    transpose->setReshapeDimensions(splitDims);
    transpose->setSecondTranspose(moved);
    transpose->setName((std::string(layer->getName()) + " [tiling slices as a transpose]").c_str());
    IShuffleLayer* merge = network.addShuffle(*transpose->getOutput(0));
    merge->setZeroIsPlaceholder(false);
    merge->setReshapeDimensions(out);
    merge->setName((std::string(layer->getName()) + " [merged]").c_str());
    network.moveLayer(transpose, network.indexOf(layer));
    network.moveLayer(merge, network.indexOf(layer));
    ITensor* joined = layer->getOutput(0);
    if (joined->isNetworkOutput()) network.replaceOutput(*joined, *merge->getOutput(0));
    network.replaceAllUses(*joined, *merge->getOutput(0));
    ++folded;
    l = network.indexOf(layer);
  }
  return folded;
}

}  // namespace passes
}  // namespace trt
