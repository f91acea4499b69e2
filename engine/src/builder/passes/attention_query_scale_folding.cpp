// A query scaled by a scalar before the attention reads it (Swin's and many hand-written attentions'
// `q = q * head_dim ** -0.5`, DistilBERT's `q / sqrt(head_dim)`) folds into the attention's own scale: softmax((c q)
// K^T s) = softmax(q K^T (c s)). The multiply over the whole query tensor goes; the product is rounded once instead of
// twice.
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
    const ILayer* scaling = scaled->getProducer();
    float c = 0.f;
    ITensor* unscaled = scalarScaled(network, scaled, c);  // q * c, c * q or q / c (then 1 / c)
    if (!unscaled) continue;
    // The default scale needs the head size (a dynamic one leaves it to run time: not folded); a set one not.
    const int64_t headSize = q->getDimensions().d[q->getDimensions().nbDims - 1];
    if (!attention->hasScale() && headSize <= 0) continue;
    const float scale = c * attention->scaleFor(headSize);
    if (!std::isfinite(scale)) continue;
    attention->setScale(scale);
    if (view)
      view->setInput(0, *unscaled);
    else
      attention->setInput(0, *unscaled);
    attention->setName((std::string(scaling->getName()) + " + " + attention->getName()).c_str());
    ++folded;
  }
  return folded;
}

}  // namespace passes
}  // namespace trt
