// A query scaled by a scalar before the attention reads it (Swin's and many hand-written attentions'
// `q = q * head_dim ** -0.5`) folds into the attention's own scale: softmax((c q) K^T s) = softmax(q K^T (c s)).
// The multiply over the whole query tensor goes; the product is rounded once instead of twice.
#include <cmath>
#include <string>

#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"

namespace trt {
namespace passes {

int32_t foldAttentionQueryScale(INetworkDefinition& network) {
  int32_t folded = 0;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    ILayer* layer = network.getLayer(l);
    if (layer->getType() != LayerType::kATTENTION || layer->precisionIsSet()) continue;
    auto* attention = static_cast<IAttentionLayer*>(layer);
    // The query as the attention reads it, or through a reshape (the windowed attention's view of its heads).
    ITensor* q = attention->getInput(0);
    IShuffleLayer* view = nullptr;
    if (ILayer* p = soleUseProducer(network, q, LayerType::kSHUFFLE)) {
      auto* shuffle = static_cast<IShuffleLayer*>(p);
      bool reshapeOnly = p->getNbInputs() == 1 && !p->precisionIsSet();
      for (int i = 0; reshapeOnly && i < Dims::MAX_DIMS; ++i)
        reshapeOnly = shuffle->getFirstTranspose().order[i] == i && shuffle->getSecondTranspose().order[i] == i;
      if (reshapeOnly) view = shuffle;
    }
    ITensor* scaled = view ? view->getInput(0) : q;
    ILayer* mul = soleElementWise(network, scaled, ElementWiseOperation::kPROD);
    if (!mul || mul->precisionIsSet()) continue;
    for (int side = 0; side < 2; ++side) {
      float c = 0.f;
      if (!scalarValue(mul->getInput(1 - side), c) || mul->getInput(side)->getDimensions() != scaled->getDimensions())
        continue;
      // The default scale needs the head size (a dynamic one leaves it to run time: not folded); a set one not.
      const int64_t headSize = q->getDimensions().d[q->getDimensions().nbDims - 1];
      if (!attention->hasScale() && headSize <= 0) break;
      const float scale = c * attention->scaleFor(headSize);
      if (!std::isfinite(scale)) break;
      attention->setScale(scale);
      if (view)
        view->setInput(0, *mul->getInput(side));
      else
        attention->setInput(0, *mul->getInput(side));
      attention->setName((std::string(mul->getName()) + " + " + attention->getName()).c_str());
      ++folded;
      break;
    }
  }
  return folded;
}

}  // namespace passes
}  // namespace trt
