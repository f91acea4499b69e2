// A batch norm the converter wrote as `x * s + b` (s and b constants with one value per channel) that no
// convolution or product before it took into its weights (DenseNet's pre-activation norms after each
// concatenation; this pass runs after those folds) becomes one Scale layer: one kernel instead of two,
// computing x * s + b in float and rounding once, as PyTorch's batch norm does, where the two elementwise
// layers rounded the product too.
#include <string>
#include <vector>

#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"

namespace trt {
namespace passes {

int32_t fuseChannelAffine(INetworkDefinition& network) {
  // Replaces `add` = (x * scale) + shift, the product on `side`, by one Scale layer; false where it does not apply.
  auto fuse = [&](ILayer* add, int side) {
    ILayer* mul = soleElementWise(network, add->getInput(side), ElementWiseOperation::kPROD);
    const Dims out = add->getOutput(0)->getDimensions();
    if (!mul || mul->precisionIsSet() || add->getInput(side)->getDimensions() != out || out.nbDims < 2) return false;
    int32_t shiftAxis = -1;
    const float* shift = constantAlongOneAxis(add->getInput(1 - side), out, shiftAxis);
    if (!shift) return false;
    for (int m = 0; m < 2; ++m) {
      ITensor* x = mul->getInput(m);
      int32_t scaleAxis = -1;
      const float* scale = constantAlongOneAxis(mul->getInput(1 - m), out, scaleAxis);
      if (!scale || scaleAxis != shiftAxis || x->getDimensions() != out || x->getType() != DataType::kFLOAT) continue;
      const int64_t channels = out.d[shiftAxis];
      IScaleLayer* affine = network.addScale(*x, ScaleMode::kCHANNEL, std::vector<float>(shift, shift + channels),
                                             std::vector<float>(scale, scale + channels), {});
      affine->setChannelAxis(shiftAxis);
      affine->setName((std::string(mul->getName()) + " + " + add->getName()).c_str());
      network.moveLayer(affine, network.indexOf(add));
      network.replaceAllUses(*add->getOutput(0), *affine->getOutput(0));
      return true;
    }
    return false;
  };
  int32_t fused = 0;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    ILayer* add = network.getLayer(l);
    if (!isElementWise(add, ElementWiseOperation::kSUM) || add->precisionIsSet()) continue;
    if (fuse(add, 0) || fuse(add, 1)) {
      ++fused;
      l = network.indexOf(add);  // past the Scale put before the (now dead) sum
    }
  }
  return fused;
}

}  // namespace passes
}  // namespace trt
