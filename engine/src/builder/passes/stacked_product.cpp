#include "builder/passes/stacked_product.h"

#include "builder/passes/pass_util.h"

#include <cstring>

namespace trt {
namespace passes {

std::vector<uint8_t> weightColumnBlocks(const IConstantLayer& w, bool transposed, int64_t parts) {
  const SharedBytes& bytes = w.bytes();
  if (transposed) return std::vector<uint8_t>(bytes.data(), bytes.data() + bytes.size());
  const Dims d = w.getDimensions();
  const int64_t rows = d.d[d.nbDims - 2], cols = d.d[d.nbDims - 1], n = cols / parts;
  const size_t elem = dataTypeSize(w.getWeights().type);
  std::vector<uint8_t> out(bytes.size());
  for (int64_t p = 0; p < parts; ++p)
    for (int64_t r = 0; r < rows; ++r)
      std::memcpy(out.data() + ((p * rows + r) * n) * elem, bytes.data() + (r * cols + p * n) * elem, n * elem);
  return out;
}

const IConstantLayer* columnBlockWeights(const IMatrixMultiplyLayer& mm, bool& transposed) {
  const IConstantLayer* w = constantMatrix(mm.getInput(1));
  transposed = mm.getOperation(1) == MatrixOperation::kTRANSPOSE;
  if (!w || mm.getNbInputs() > 3 || mm.isInt8() || mm.isFp8() || mm.getOperation(0) != MatrixOperation::kNONE ||
      (!transposed && mm.getOperation(1) != MatrixOperation::kNONE))
    return nullptr;
  return w;
}

StackedProduct columnBlockStack(const IMatrixMultiplyLayer& mm, const IConstantLayer& w, bool transposed,
                                const IConstantLayer* bias, int64_t rows, int64_t k, int64_t n, int64_t parts) {
  StackedProduct stack;
  stack.like = &mm;
  stack.x = mm.getInput(0);
  stack.rows = rows, stack.k = k, stack.n = n;
  stack.weightDims = transposed ? Dims{parts, n, k} : Dims{parts, k, n};
  stack.weightType = w.getWeights().type;
  stack.weights = weightColumnBlocks(w, transposed, parts);
  if (bias) {
    stack.biasType = bias->getWeights().type;
    stack.bias.assign(bias->bytes().data(), bias->bytes().data() + bias->bytes().size());
  }
  return stack;
}

void addStackedProduct(INetworkDefinition& network, int32_t place, const StackedProduct& s) {
  // Each new layer goes in as it is made, after the ones before it, so that every layer's inputs stay
  // before it.
  int32_t next = place;
  auto placed = [&](ILayer* layer) { network.moveLayer(layer, next++); };
  const int64_t parts = static_cast<int64_t>(s.replaced.size());
  IConstantLayer* weights = network.addConstant(s.weightDims, {s.weightType, s.weights.data(), s.weightDims.volume()});
  weights->setName((s.name + " weights").c_str());
  placed(weights);
  IConstantLayer* bias = nullptr;
  if (!s.bias.empty()) {
    bias = network.addConstant(Dims{parts, 1, s.n}, {s.biasType, s.bias.data(), parts * s.n});
    bias->setName((s.name + " bias").c_str());
    placed(bias);
  }
  IShuffleLayer* rowsView = network.addShuffle(*s.x);  // [1, rows, K]: every product reads the same rows
  rowsView->setZeroIsPlaceholder(false);
  rowsView->setReshapeDimensions(Dims{1, s.rows, s.k});
  rowsView->setName((s.name + " rows").c_str());
  placed(rowsView);
  IMatrixMultiplyLayer* product = network.addMatrixMultiply(*rowsView->getOutput(0), MatrixOperation::kNONE,
                                                            *weights->getOutput(0), s.like->getOperation(1));
  placed(product);
  if (bias) product->setInput(2, *bias->getOutput(0));
  product->setAlpha(s.like->getAlpha());
  if (s.like->getFusedActivation() >= 0) product->setFusedActivation(s.like->getFusedActivation());
  if (s.like->precisionIsSet()) product->setPrecision(s.like->getPrecision());
  product->setName(s.name.c_str());
  std::vector<ITensor*> shaped;
  for (int64_t p = 0; p < parts; ++p) {
    const std::string was = s.replaced[p]->getProducer()->getName();
    ISliceLayer* block = network.addSlice(*product->getOutput(0), Dims{p, 0, 0}, Dims{1, s.rows, s.n}, Dims{1, 1, 1});
    block->setName((was + " [block of the stack]").c_str());
    placed(block);
    IShuffleLayer* reshape = network.addShuffle(*block->getOutput(0));
    reshape->setZeroIsPlaceholder(false);
    reshape->setReshapeDimensions(s.blockShape.nbDims > 0 ? s.blockShape : s.replaced[p]->getDimensions());
    reshape->setSecondTranspose(s.blockTranspose);
    reshape->setName((was + " [its shape]").c_str());
    placed(reshape);
    shaped.push_back(reshape->getOutput(0));
  }
  for (int64_t p = 0; p < parts; ++p) network.replaceAllUses(*s.replaced[p], *shaped[p]);
}

}  // namespace passes
}  // namespace trt
