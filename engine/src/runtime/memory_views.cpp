#include "runtime/memory_views.h"

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
  return movesNoBytes(shuffle.getFirstTranspose(), input) &&
         movesNoBytes(second, layer_util::shapeBeforeSecondTranspose(output, second));
}

bool runsAsView(const ILayer& layer, const Dims& input, const Dims& output, size_t& offsetBytes) {
  int64_t elements = 0;
  if (!isMemoryView(layer, input, output, &elements)) return false;
  offsetBytes = static_cast<size_t>(elements) * dataTypeSize(layer.getInput(0)->getType());
  return offsetBytes % 16 == 0;
}

}  // namespace trt
