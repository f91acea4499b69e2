// A per-column scale after a product by constant weights folds into them: gamma * (alpha x.W + b) =
// alpha x.(W gamma) + b gamma (ConvNeXt's and CaiT's layer scale after the MLP's second linear). The
// multiply's kernel goes, and the residual add after it can then join the product's epilogue. Like the
// per-channel folds into convolutions, the products are rounded once instead of twice.
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"

namespace trt {
namespace passes {

namespace {
// The product feeding `t`, directly or through a transpose-only shuffle read by nothing else (ConvNeXt permutes
// its MLP's output back to channels-first before the scale); `column` is where the product's last dim lands.
IMatrixMultiplyLayer* scaledProduct(const INetworkDefinition& network, ITensor* t, ITensor*& mmOut, int& column) {
  ILayer* p = t->getProducer();
  column = t->getDimensions().nbDims - 1;
  if (isMovingShuffle(p) && p->getNbInputs() == 1 && !p->precisionIsSet() && soleConsumer(network, t) != nullptr) {
    const auto* shuffle = static_cast<const IShuffleLayer*>(p);
    const Permutation first = shuffle->getFirstTranspose(), second = shuffle->getSecondTranspose();
    bool transposeOnly = !shuffle->hasReshape();
    for (int i = 0; i < Dims::MAX_DIMS; ++i) transposeOnly &= second.order[i] == i;
    const int rank = p->getInput(0)->getDimensions().nbDims;
    if (!transposeOnly || t->getDimensions().nbDims != rank) return nullptr;
    for (int i = 0; i < rank; ++i)
      if (first.order[i] == rank - 1) column = i;
    ILayer* mm = soleUseProducer(network, p->getInput(0), LayerType::kMATRIX_MULTIPLY);
    if (!mm || soleConsumer(network, p->getInput(0)) != p) return nullptr;
    mmOut = p->getInput(0);
    return static_cast<IMatrixMultiplyLayer*>(mm);
  }
  mmOut = t;
  return static_cast<IMatrixMultiplyLayer*>(soleUseProducer(network, t, LayerType::kMATRIX_MULTIPLY));
}

// A new float32 constant of `dims` holding `values`, placed first (constants have no inputs).
ITensor* newConstant(INetworkDefinition& network, const Dims& dims, std::shared_ptr<std::vector<float>> values,
                     const std::string& name) {
  IConstantLayer* c =
      network.addConstant(dims, {DataType::kFLOAT, values->data(), static_cast<int64_t>(values->size())}, values);
  c->setName(name.c_str());
  network.moveLayer(c, 0);
  return c->getOutput(0);
}
}  // namespace

int32_t foldMatrixMultiplyColumnScale(INetworkDefinition& network) {
  int32_t folded = 0;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    ILayer* layer = network.getLayer(l);
    if (!isElementWise(layer, ElementWiseOperation::kPROD) || layer->precisionIsSet()) continue;
    ITensor* result = layer->getOutput(0);
    for (int side = 0; side < 2; ++side) {
      ITensor* scaled = layer->getInput(side);  // the product's output, or its transpose
      ITensor* mmOut = nullptr;
      int column = 0;
      IMatrixMultiplyLayer* mm = scaledProduct(network, scaled, mmOut, column);
      if (!mm || mm->precisionIsSet() || mm->getNbInputs() > 3 || mm->getFusedActivation() >= 0 || mm->isInt8() ||
          mm->isFp8() || mm->getOperation(0) == MatrixOperation::kVECTOR ||
          mm->getOperation(1) == MatrixOperation::kVECTOR || mmOut->getType() != DataType::kFLOAT ||
          result->getDimensions() != scaled->getDimensions())
        continue;
      int32_t axis = -1;
      const float* gamma = constantAlongOneAxis(layer->getInput(1 - side), scaled->getDimensions(), axis);
      if (axis != column) gamma = nullptr;  // a scale along the product's output columns only
      // Only finite scales: inf * 0 is NaN in the chain but not in the folded weights.
      for (int64_t n = 0; gamma && n < scaled->getDimensions().d[column]; ++n)
        if (!std::isfinite(gamma[n])) gamma = nullptr;
      const IConstantLayer* weights = constantProducer(mm->getInput(1));
      const MatrixOperation opB = mm->getOperation(1);
      if (!gamma || !weights || weights->getWeights().type != DataType::kFLOAT ||
          weights->getDimensions().nbDims != 2 || (opB != MatrixOperation::kNONE && opB != MatrixOperation::kTRANSPOSE))
        continue;
      const IConstantLayer* bias = mm->getNbInputs() == 3 ? constantProducer(mm->getInput(2)) : nullptr;
      if (mm->getNbInputs() == 3 &&
          (!bias || bias->getWeights().type != DataType::kFLOAT ||
           bias->getDimensions().volume() != mmOut->getDimensions().d[mmOut->getDimensions().nbDims - 1]))
        continue;
      // Column n of op(W) is scaled by gamma[n]: W [K, N] as is, or [N, K] read transposed.
      const Dims wd = weights->getDimensions();
      const int64_t N = opB == MatrixOperation::kTRANSPOSE ? wd.d[0] : wd.d[1];
      const int64_t K = opB == MatrixOperation::kTRANSPOSE ? wd.d[1] : wd.d[0];
      const auto* w = reinterpret_cast<const float*>(weights->bytes().data());
      auto scaledWeights = std::make_shared<std::vector<float>>(static_cast<size_t>(N * K));
      for (int64_t i = 0; i < N * K; ++i)
        (*scaledWeights)[i] = w[i] * gamma[opB == MatrixOperation::kTRANSPOSE ? i / K : i % N];
      mm->setInput(1, *newConstant(network, wd, scaledWeights, std::string(weights->getName()) + " [column scaled]"));
      if (bias) {
        const auto* b = reinterpret_cast<const float*>(bias->bytes().data());
        auto scaledBias = std::make_shared<std::vector<float>>(static_cast<size_t>(N));
        for (int64_t n = 0; n < N; ++n) (*scaledBias)[n] = b[n] * gamma[n];
        mm->setInput(2, *newConstant(network, bias->getDimensions(), scaledBias,
                                     std::string(bias->getName()) + " [column scaled]"));
      }
      mm->setName((std::string(mm->getName()) + " + " + layer->getName()).c_str());
      network.replaceAllUses(*result, *scaled);
      ++folded;
      break;
    }
  }
  return folded;
}

}  // namespace passes
}  // namespace trt
