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
}  // namespace

bool isMemoryView(const ILayer& layer, const Dims& input, const Dims& output) {
  if (layer.getNbInputs() < 1 || layer.getInput(0)->getType() != layer.getOutput(0)->getType()) return false;
  if (input.volume() != output.volume()) return false;
  if (layer.getType() == LayerType::kIDENTITY) return true;
  if (layer.getType() != LayerType::kSHUFFLE) return false;
  const auto& shuffle = static_cast<const IShuffleLayer&>(layer);
  const Permutation second = shuffle.getSecondTranspose();
  return movesNoBytes(shuffle.getFirstTranspose(), input) &&
         movesNoBytes(second, layer_util::shapeBeforeSecondTranspose(output, second));
}

}  // namespace trt
