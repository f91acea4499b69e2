// Which layers run in FP8 E4M3 and how they are switched over (BuilderFlag::kFP8, scales from
// calibration): products of a float input by a constant float matrix, or by a stack of them (the builder's
// stacked Q, K and V projections). The weights become a new FP8 constant [N, K] ([P, N, K]) quantized with one
// per-tensor scale (amax / 448), the layout FP8 GEMMs read (cuBLASLt's FP8 kernels take both operands K-major).
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"
#include "common/activation_kinds.h"
#include "common/fp8.h"

namespace trt {
namespace passes {

bool canRunInFp8(const ILayer& layer) {
  // A layer pinned to another type (ILayer::setPrecision) stays out of FP8.
  if (layer.precisionIsSet() && layer.getPrecision() != DataType::kFP8) return false;
  if (layer.getType() != LayerType::kMATRIX_MULTIPLY) return false;
  const auto& mm = static_cast<const IMatrixMultiplyLayer&>(layer);
  const IConstantLayer* weights = constantProducer(mm.getInput(1));
  const MatrixOperation opB = mm.getOperation(1);
  if (mm.isInt8() || mm.isFp8() || mm.getOperation(0) != MatrixOperation::kNONE ||
      (opB != MatrixOperation::kNONE && opB != MatrixOperation::kTRANSPOSE) ||
      mm.getInput(0)->getType() != DataType::kFLOAT || !weights || weights->getWeights().type != DataType::kFLOAT)
    return false;
  // One matrix [K, N] (or [N, K] transposed), or P of them stacked [P, ...] (the builder's stack of sibling
  // products) by an input of one matrix [rows, K] or [1, rows, K] that all P read.
  const Dims w = weights->getDimensions(), x = mm.getInput(0)->getDimensions();
  const bool stacked = w.nbDims == 3;
  if (w.nbDims != 2 && !(stacked && (x.nbDims == 2 || (x.nbDims == 3 && x.d[0] == 1)))) return false;
  // FP8 tensor-core GEMMs need K and N in multiples of 16 (16-byte rows of E4M3 operands, 8-byte
  // aligned 16-bit outputs); every transformer projection has them. Others keep the float product.
  const int r = w.nbDims - 2;
  const int64_t N = opB == MatrixOperation::kTRANSPOSE ? w.d[r] : w.d[r + 1];
  const int64_t K = opB == MatrixOperation::kTRANSPOSE ? w.d[r + 1] : w.d[r];
  // A bias (input 2) holds one value per column, or a stack's one row per matrix [P, 1, N].
  if (mm.getNbInputs() >= 3) {
    const Dims b = mm.getInput(2)->getDimensions();
    const bool perMatrix = stacked && b.nbDims == 3 && b.d[0] == w.d[0] && b.d[1] == 1 && b.d[2] == N;
    if (b.volume() != N && !perMatrix) return false;
  }
  return N > 0 && K > 0 && N % 16 == 0 && K % 16 == 0;
}

void switchToFp8(INetworkDefinition& network, ILayer& layer, float inputScale) {
  auto& mm = static_cast<IMatrixMultiplyLayer&>(layer);
  int64_t parts = 0, N = 0, K = 0;
  // One scale for all of them (a stack's P matrices too: its one GEMM takes one weight scale).
  const std::vector<float> rows = productWeightRows(mm, parts, N, K);
  float amax = 0.f;
  for (float v : rows)
    if (std::isfinite(v)) amax = std::max(amax, std::fabs(v));
  const float weightScale = fp8::scaleForAmax(amax);
  std::vector<uint8_t> q(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) q[i] = fp8::quantize(rows[i], weightScale);
  useQuantizedWeights(network, mm, DataType::kFP8, q.data(), parts, N, K, " (fp8 weights)");
  mm.setFp8Scales(inputScale, weightScale);
}

ITensor* ZeroBiases::of(INetworkDefinition& network, int64_t n, DataType type, const std::string& reader) {
  auto it = std::find_if(made_.begin(), made_.end(), [&](const Made& m) { return m.n == n && m.type == type; });
  if (it != made_.end()) return it->tensor;
  auto zeros = std::make_shared<std::vector<uint8_t>>(static_cast<size_t>(n) * dataTypeSize(type), 0);
  IConstantLayer* bias = network.addConstant(Dims{n}, {type, zeros->data(), n}, zeros);
  bias->setName((reader + " (zero bias)").c_str());
  network.moveLayer(bias, 0);  // a constant: first, before every reader
  made_.push_back({n, type, bias->getOutput(0)});
  return bias->getOutput(0);
}

int32_t shareFp8Quantization(INetworkDefinition& network) {
  // FP8 products by the float tensor whose codes they read (and its scale: one per tensor, from calibration), in
  // order. A stack reads its siblings' input through a [1, rows, K] view: it shares that input's quantization with
  // the products that read the input itself, and reads the codes through the same view.
  struct Reader {
    IMatrixMultiplyLayer* product;
    const IShuffleLayer* view;  // a stack's [1, rows, K] view of the tensor, or nullptr
  };
  struct Group {
    ITensor* tensor;
    std::vector<Reader> readers;
  };
  std::vector<Group> groups;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    ILayer* layer = network.getLayer(l);
    if (layer->getType() != LayerType::kMATRIX_MULTIPLY) continue;
    auto* mm = static_cast<IMatrixMultiplyLayer*>(layer);
    if (!mm->isFp8() || !isFloating(mm->getInput(0)->getType())) continue;
    const IShuffleLayer* view = stackRowsView(*mm);
    ITensor* source = view ? view->getInput(0) : mm->getInput(0);
    auto it = std::find_if(groups.begin(), groups.end(), [&](const Group& g) {
      return g.tensor == source && g.readers[0].product->getFp8InputScale() == mm->getFp8InputScale();
    });
    if (it == groups.end())
      groups.push_back({source, {{mm, view}}});
    else
      it->readers.push_back({mm, view});
  }
  int32_t changed = 0;
  ZeroBiases zeroBiases;
  for (auto& [tensor, readers] : groups) {
    IQuantizeLayer* q = network.addQuantize(*tensor, {readers[0].product->getFp8InputScale()});
    q->setToType(DataType::kFP8);
    q->setName((std::string(tensor->getName()) + " (fp8)").c_str());
    network.moveLayer(q, network.indexOf(readers[0].product));
    for (const auto& [mm, view] : readers) {
      // An FP8 input leaves the output's type to the bias: a product without one gets zeros of its type.
      if (mm->getNbInputs() < 3) {
        const Dims w = mm->getInput(1)->getDimensions();  // [N, K] or a stack's [P, N, K]
        mm->setInput(2, *zeroBiases.of(network, w.d[w.nbDims - 2], tensor->getType(), mm->getName()));
      }
      ITensor* codes = q->getOutput(0);
      if (view) {  // the stack's view of the codes (a reshape: no copy)
        IShuffleLayer* reshape = network.addShuffle(*codes);
        reshape->setZeroIsPlaceholder(view->getZeroIsPlaceholder());
        reshape->setReshapeDimensions(view->getReshapeDimensions());
        reshape->setName((std::string(view->getName()) + " (fp8)").c_str());
        network.moveLayer(reshape, network.indexOf(mm));
        codes = reshape->getOutput(0);
      }
      mm->setInput(0, *codes);
      ++changed;
    }
  }
  return changed;
}

namespace {
// An FP8 quantization the builder may fuse an activation into: precision not pinned, none fused yet.
IQuantizeLayer* unfusedFp8Quantize(ILayer* layer) {
  if (layer->getType() != LayerType::kQUANTIZE || layer->precisionIsSet()) return nullptr;
  auto* q = static_cast<IQuantizeLayer*>(layer);
  return q->getToType() == DataType::kFP8 && q->getFusedActivation() < 0 ? q : nullptr;
}
}  // namespace

int32_t fuseActivationIntoFp8Quantize(INetworkDefinition& network) {
  int32_t fused = 0;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    IQuantizeLayer* q = unfusedFp8Quantize(network.getLayer(l));
    if (!q) continue;
    ILayer* producer = soleUseProducer(network, q->getInput(0), LayerType::kACTIVATION);
    if (!producer || producer->precisionIsSet()) continue;
    const auto* act = static_cast<const IActivationLayer*>(producer);
    const ActivationType type = act->getActivationType();
    if (!isParameterlessActivation(type) || act->getInput(0)->getType() != act->getOutput(0)->getType()) continue;
    q->setInput(0, *act->getInput(0));
    q->setFusedActivation(static_cast<int32_t>(type));
    ++fused;
  }
  return fused;
}

int32_t moveFp8ProductActivationIntoQuantize(INetworkDefinition& network,
                                             const std::function<bool(ActivationType)>& productFuses) {
  int32_t moved = 0;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    IQuantizeLayer* q = unfusedFp8Quantize(network.getLayer(l));
    if (!q) continue;
    ILayer* producer = soleUseProducer(network, q->getInput(0), LayerType::kMATRIX_MULTIPLY);
    if (!producer) continue;
    auto* mm = static_cast<IMatrixMultiplyLayer*>(producer);
    const int32_t fused = mm->getFusedActivation();
    if (!mm->isFp8() || fused < 0 || !isParameterlessActivation(static_cast<ActivationType>(fused)) ||
        productFuses(static_cast<ActivationType>(fused)))
      continue;
    mm->setFusedActivation(-1);
    q->setFusedActivation(fused);
    ++moved;
  }
  return moved;
}

}  // namespace passes
}  // namespace trt
