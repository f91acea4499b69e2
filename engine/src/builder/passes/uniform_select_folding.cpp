// Builder pass: a Select whose condition is a constant holding one value (every element true, or every
// element false) is the input that value picks. Models traced without an optional mask carry such a
// condition: DistilBERT's `scores.masked_fill(mask == 0, min)` with its default all-ones attention mask
// becomes a Select of a constant all-false condition, which kept the attention's softmax from fusing.
#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"

namespace trt {
namespace passes {

int32_t foldUniformSelects(INetworkDefinition& network) {
  int32_t folded = 0;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    ILayer* select = network.getLayer(l);
    if (select->getType() != LayerType::kSELECT) continue;
    const IConstantLayer* condition = constantProducer(select->getInput(0));
    const int value = condition ? uniformBool(*condition) : -1;
    if (value < 0) continue;
    ITensor* picked = select->getInput(value == 1 ? 1 : 2);
    ITensor* out = select->getOutput(0);
    // Only where the picked input is the output as it is: a broadcast (a scalar fill value) or a type the
    // Select changes would need a layer of their own.
    if (out->isNetworkOutput() || picked->getType() != out->getType() || !out->getDimensions().isStatic() ||
        !(picked->getDimensions() == out->getDimensions()))
      continue;
    network.replaceAllUses(*out, *picked);
    ++folded;
  }
  return folded;
}

}  // namespace passes
}  // namespace trt
