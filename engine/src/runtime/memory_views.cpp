#include "runtime/memory_views.h"

#include <vector>

#include "layers/layer_util.h"

namespace trt {

namespace {
// A permutation moves no byte when the dimensions larger than 1 keep their order.
bool movesNoBytes(const Permutation& p, const Dims& in) {
  int32_t last = -1;
  for (int i = 0; i < in.nbDims; ++i) {
    const int32_t from = p.order[i];
    if (from < 0 || from >= in.nbDims) return false;
    if (in.d[from] == 1) continue;
    if (from < last) return false;
    last = from;
  }
  return true;
}

// Element strides of `shape` reshaped from a tensor of `sizes` read with `strides`, where the reshape needs
// no copy (false otherwise): the reshape only splits and merges runs of dimensions that are contiguous with
// each other (a run of sizes that is one block of memory may be regrouped freely; dimensions of size 1
// have no stride that matters).
bool viewStrides(const std::vector<int64_t>& sizes, const std::vector<int64_t>& strides, const Dims& shape,
                 std::vector<int64_t>& out) {
  out.assign(static_cast<size_t>(shape.nbDims), 0);
  int view = shape.nbDims - 1;
  int64_t base = sizes.empty() ? 1 : strides.back(), runElements = 1, viewElements = 1;
  for (int d = static_cast<int>(sizes.size()) - 1; d >= 0; --d) {
    runElements *= sizes[static_cast<size_t>(d)];
    // A run ends where the next dimension out is not laid out right after this run.
    const bool runEnds =
        d == 0 || (sizes[static_cast<size_t>(d) - 1] != 1 && strides[static_cast<size_t>(d) - 1] != runElements * base);
    if (!runEnds) continue;
    while (view >= 0 && (viewElements < runElements || shape.d[view] == 1)) {
      out[static_cast<size_t>(view)] = viewElements * base;
      viewElements *= shape.d[view];
      --view;
    }
    if (viewElements != runElements) return false;
    if (d > 0) {
      base = strides[static_cast<size_t>(d) - 1];
      runElements = viewElements = 1;
    }
  }
  return view < 0;
}

// Whether a shuffle (first transpose, reshape, second transpose) of `input` into `output` reads its input
// in memory order: its output is then its input's bytes. Strides are followed through the three steps.
bool shuffleMovesNoBytes(const IShuffleLayer& shuffle, const Dims& input, const Dims& output) {
  const int rank = input.nbDims;
  std::vector<int64_t> contiguous(static_cast<size_t>(rank)), sizes(static_cast<size_t>(rank)),
      strides(static_cast<size_t>(rank));
  if (output.volume() <= 0) return false;
  for (int64_t i = rank - 1, step = 1; i >= 0; --i) {
    contiguous[static_cast<size_t>(i)] = step;
    step *= input.d[i];
  }
  const Permutation first = shuffle.getFirstTranspose(), second = shuffle.getSecondTranspose();
  for (int i = 0; i < rank; ++i) {
    const int32_t from = first.order[i];
    if (from < 0 || from >= rank) return false;
    sizes[static_cast<size_t>(i)] = input.d[from];
    strides[static_cast<size_t>(i)] = contiguous[static_cast<size_t>(from)];
  }
  const Dims middle = layer_util::shapeBeforeSecondTranspose(output, second);
  std::vector<int64_t> middleStrides;
  if (!viewStrides(sizes, strides, middle, middleStrides)) return false;
  // After the second transpose the strides must be the output's own contiguous ones (size-1 dims aside).
  int64_t step = 1;
  for (int i = output.nbDims - 1; i >= 0; --i) {
    const int32_t from = second.order[i];
    if (from < 0 || from >= middle.nbDims) return false;
    if (output.d[i] != 1 && middleStrides[static_cast<size_t>(from)] != step) return false;
    step *= output.d[i];
  }
  return true;
}

// A slice whose output is one contiguous block of its input: whole trailing dimensions (start 0, all of
// them, forward), then at most one dimension read forward from any start, then dimensions of one element.
// `offset` gets the block's first element. Slices with run-time windows copy; so do windows reaching outside
// the input. Inside it every sample mode reads the same elements (the mode decides only what lies outside), so
// a pad by zero (Swin's aten::pad to whole windows, a fill-mode slice of the whole input) is a view too.
bool isContiguousSlice(const ISliceLayer& slice, const Dims& in, const Dims& out, int64_t& offset) {
  if (slice.getNbInputs() != 1 || out.volume() <= 0) return false;
  const Dims start = slice.getStart(), stride = slice.getStride();
  const int rank = in.nbDims;
  if (out.nbDims != rank || start.nbDims != rank || stride.nbDims != rank || !in.isStatic() || !out.isStatic())
    return false;
  int i = rank - 1;
  while (i >= 0 && start.d[i] == 0 && out.d[i] == in.d[i] && (stride.d[i] == 1 || out.d[i] == 1)) --i;
  if (i >= 0 && (stride.d[i] == 1 || out.d[i] == 1)) --i;
  for (; i >= 0; --i)
    if (out.d[i] != 1) return false;
  offset = 0;
  int64_t step = 1;
  for (int k = rank - 1; k >= 0; --k) {
    if (start.d[k] < 0 || start.d[k] + out.d[k] > in.d[k]) return false;  // inside the input (as inference checks)
    offset += start.d[k] * step;
    step *= in.d[k];
  }
  return true;
}
}  // namespace

bool isMemoryView(const ILayer& layer, const Dims& input, const Dims& output, int64_t* offsetElements) {
  if (layer.getNbInputs() < 1 || layer.getInput(0)->getType() != layer.getOutput(0)->getType()) return false;
  if (offsetElements) *offsetElements = 0;
  if (layer.getType() == LayerType::kSLICE)
    return offsetElements && isContiguousSlice(static_cast<const ISliceLayer&>(layer), input, output, *offsetElements);
  if (input.volume() != output.volume()) return false;
  if (layer.getType() == LayerType::kIDENTITY) return true;
  if (layer.getType() != LayerType::kSHUFFLE) return false;
  const auto& shuffle = static_cast<const IShuffleLayer&>(layer);
  const Permutation second = shuffle.getSecondTranspose();
  if (movesNoBytes(shuffle.getFirstTranspose(), input) &&
      movesNoBytes(second, layer_util::shapeBeforeSecondTranspose(output, second)))
    return true;
  // A transpose undone after a reshape (a channels-last region's exit transpose, then a model's flatten and
  // permute back: ViT's patch embedding) reads memory in order too.
  return input.isStatic() && output.isStatic() && shuffleMovesNoBytes(shuffle, input, output);
}

bool runsAsView(const ILayer& layer, const Dims& input, const Dims& output, size_t& offsetBytes) {
  int64_t elements = 0;
  if (!isMemoryView(layer, input, output, &elements)) return false;
  offsetBytes = static_cast<size_t>(elements) * dataTypeSize(layer.getInput(0)->getType());
  return offsetBytes % 16 == 0;
}

}  // namespace trt
