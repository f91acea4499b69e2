// A residual add after a matrix multiply, y = x + (A.B + bias), becomes the product's fourth input: the
// backends add it in the product's epilogue (cuBLASLt's C with beta 1, a oneDNN binary post-op), so the
// pre-norm transformers' two residual adds a block (GPT-2, T5, ViT) stop being kernels of their own.
#include <vector>

#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"
#include "runtime/memory_views.h"

namespace trt {
namespace passes {

namespace {
// The shuffle producing `t` when it only reinterprets its input's bytes (GPT-2's view of a product's
// [B*S, N] rows as [B, S, N]), static shapes, read only by `t`'s one consumer; else nullptr.
ILayer* soleReshape(const INetworkDefinition& net, const ITensor* t) {
  ILayer* view = soleUseProducer(net, t, LayerType::kSHUFFLE);
  if (!view || view->getNbInputs() != 1) return nullptr;
  const Dims in = view->getInput(0)->getDimensions(), out = t->getDimensions();
  return in.isStatic() && out.isStatic() && isMemoryView(*view, in, out) ? view : nullptr;
}

// The zero bias a product without one takes, so that the residual is its fourth input (a bias costs
// cuBLASLt's epilogue nothing). Zero bytes are +0 in every floating type.
ITensor* zeroBias(INetworkDefinition& network, const IMatrixMultiplyLayer& mm, int64_t columns, DataType type) {
  const std::vector<uint8_t> zeros(static_cast<size_t>(columns) * dataTypeSize(type), 0);
  IConstantLayer* bias = network.addConstant(Dims{columns}, {type, zeros.data(), columns});
  bias->setName((std::string(mm.getName()) + " (zero bias)").c_str());
  return bias->getOutput(0);
}
}  // namespace

int32_t fuseMatrixMultiplyResidual(INetworkDefinition& network) {
  int32_t fused = 0;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    ILayer* add = network.getLayer(l);
    if (!isElementWise(add, ElementWiseOperation::kSUM)) continue;
    ITensor* sum = add->getOutput(0);
    for (int side = 0; side < 2; ++side) {
      ITensor* product = add->getInput(side);
      ITensor* residual = add->getInput(1 - side);
      // The product itself, or a reshape of it that the sum reads (the residual then takes the product's shape).
      ILayer* view = soleReshape(network, product);
      ITensor* mmOut = view ? view->getInput(0) : product;
      auto* mm = static_cast<IMatrixMultiplyLayer*>(soleUseProducer(network, mmOut, LayerType::kMATRIX_MULTIPLY));
      // Without an activation (act(A.B) + r is not act(A.B + r)), on matrices, pinned as the sum is.
      if (!mm || mm->getNbInputs() > 3 || mm->getFusedActivation() >= 0 || !samePrecisionPin(*mm, *add) ||
          mm->getOperation(0) == MatrixOperation::kVECTOR || mm->getOperation(1) == MatrixOperation::kVECTOR)
        continue;
      // The same static shape and type on both sides (no broadcasting), computed before the product runs.
      const Dims dims = sum->getDimensions();
      if (!dims.isStatic() || residual == product || residual->getDimensions() != dims ||
          product->getDimensions() != dims || residual->getType() != mmOut->getType() ||
          !availableBefore(network, residual, mm))
        continue;
      const Dims productDims = mmOut->getDimensions();
      if (mm->getNbInputs() == 2) {
        ITensor* bias = zeroBias(network, *mm, productDims.d[productDims.nbDims - 1], mmOut->getType());
        network.moveLayer(bias->getProducer(), network.indexOf(mm));
        mm->setInput(2, *bias);
      }
      ITensor* addend = residual;
      if (view) {  // the residual read in the product's shape: a view of its bytes, nothing runs
        IShuffleLayer* reshape = network.addShuffle(*residual);
        reshape->setZeroIsPlaceholder(false);  // a 0 is an empty dimension here, not "copy the input's"
        reshape->setReshapeDimensions(productDims);
        reshape->setName((std::string(add->getName()) + " (residual as the product's rows)").c_str());
        network.moveLayer(reshape, network.indexOf(mm));
        addend = reshape->getOutput(0);
      }
      mm->setInput(3, *addend);
      mm->setName((std::string(mm->getName()) + " + " + add->getName()).c_str());
      network.replaceAllUses(*sum, *product);
      ++fused;
      break;
    }
  }
  return fused;
}

}  // namespace passes
}  // namespace trt
